"""records blueprint."""
