"""Small helpers the blueprints' views share: turning a service's refusal into a page."""

from __future__ import annotations

from collections.abc import Mapping

from flask import abort, flash

from teachers.errors import DomainError, NotFound, PermissionDenied
from teachers.extensions import db


def refuse(form, exc: DomainError, *, fallback: str | None = None, aliases: Mapping[str, str] | None = None) -> None:
    """Undo the service's flush, then answer its refusal: 403 or 404 for scope, otherwise the message
    at the form field it names (through ``aliases`` where the form calls it otherwise), at ``fallback``,
    or in a flash when the form has no such field."""
    db.session.rollback()
    if isinstance(exc, PermissionDenied):
        abort(403)
    if isinstance(exc, NotFound):
        abort(404)
    name = (aliases or {}).get(exc.field or "", exc.field) or fallback
    field = form._fields.get(name) if name else None
    if field is None and fallback:
        field = form._fields.get(fallback)
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        flash(exc.message, "error")
