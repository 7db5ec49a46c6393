"""Writing the append-only audit trail: approvals, imports, role changes, exports, logins."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from teachers.extensions import db
from teachers.models import AuditEvent, User


def client_address() -> str:
    if not has_request_context():
        return ""
    return (request.remote_addr or "")[:45]


def record(actor: User | None, action: str, obj: Any = None, summary: dict[str, Any] | None = None,
           *, object_type: str | None = None, object_id: str | None = None, actor_username: str | None = None) -> AuditEvent:
    """Append one event and flush. ``obj`` names the object (its table and id) unless given explicitly."""
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id or str(obj.id)
    event_row = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        actor_username=actor_username or (actor.username if actor is not None else ""),
        action=action,
        object_type=object_type or "",
        object_id=object_id or "",
        summary=summary or {},
        ip=client_address(),
    )
    db.session.add(event_row)
    db.session.flush()
    return event_row


def changes(obj: Any, fields: list[str], before: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed, JSON-friendly."""
    out: dict[str, list[Any]] = {}
    for name in fields:
        new = getattr(obj, name)
        old = before.get(name)
        if old != new:
            out[name] = [_plain(old), _plain(new)]
    return out


def snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def _plain(value: Any) -> Any:
    if hasattr(value, "value"):
        return value.value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
