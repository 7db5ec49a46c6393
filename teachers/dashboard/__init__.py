"""dashboard blueprint."""
