"""rotation blueprint."""
