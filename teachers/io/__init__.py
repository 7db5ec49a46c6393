"""Excel and CSV: import (teachers/io/imports…) and export (writer, exports, national, export views and CLI)."""
