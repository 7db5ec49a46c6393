"""Small helpers the blueprints' views share: turning a service's refusal into a page."""

from __future__ import annotations

from collections.abc import Mapping

from flask import abort, flash, request

from teachers import text
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


def int_arg(name: str, default: int | None = None, *, minimum: int = 1, maximum: int = text.INT32_MAX) -> int | None:
    """The query argument ``name`` as an integer in [minimum, maximum] written in ASCII digits, else ``default``.

    Every integer read from a query string goes through here (page numbers, ids, years), so an
    out-of-range value such as ``?page=9223372036854775808`` never reaches the database.
    """
    value = text.parse_int(request.args.get(name), minimum=minimum, maximum=maximum)
    return default if value is None else value
