"""Domain errors raised by services and turned into messages by views."""

from __future__ import annotations


class DomainError(Exception):
    """A request the rules refuse; ``field`` names the form field when one is at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(DomainError):
    """The acting user may not do this (HTTP 403)."""


class NotFound(DomainError):
    """No such object, or none the acting user may see (HTTP 404)."""
