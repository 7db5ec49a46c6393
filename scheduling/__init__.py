"""Pure rotation solver and checker: standard library and ortools only (see shared/spec/architecture.md)."""
