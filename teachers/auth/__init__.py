"""Login, roles, school scoping and session revocation."""
