"""Writing the append-only audit trail: approvals, imports, role changes, exports, logins.

Each row is chained to the one before: ``prev_hash`` is the previous row's ``hash`` and ``hash`` is an
HMAC-SHA256 (key: ``AUDIT_CHAIN_KEY``, else ``SECRET_KEY``) over a canonical JSON of the row's content
and ``prev_hash``. ``verify()`` walks the chain and names the first row that does not fit.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app, has_request_context, request
from sqlalchemy import select, text

from teachers.extensions import db
from teachers.models import AuditEvent, User
from teachers.models._types import utcnow

_LOCK = text("INSERT INTO audit_chain_lock (id, appends) VALUES (1, 1) "
             "ON CONFLICT (id) DO UPDATE SET appends = audit_chain_lock.appends + 1")


def client_address() -> str:
    if not has_request_context():
        return ""
    return (request.remote_addr or "")[:45]


def chain_key(config: Any = None) -> bytes:
    config = config if config is not None else current_app.config
    return str(config.get("AUDIT_CHAIN_KEY") or config["SECRET_KEY"]).encode("utf-8")


def canonical(*, at: datetime, actor_id: int | None, actor_username: str, action: str, object_type: str,
              object_id: str, summary: Any, ip: str, prev_hash: str) -> bytes:
    at_utc = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)
    return json.dumps([prev_hash, at_utc.isoformat(timespec="microseconds"), actor_id, actor_username, action,
                       object_type, object_id, summary, ip],
                      sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def chain_hash(key: bytes, **fields: Any) -> str:
    return hmac.new(key, canonical(**fields), hashlib.sha256).hexdigest()


def _row_fields(row: Any) -> dict[str, Any]:
    return {"at": row.at, "actor_id": row.actor_id, "actor_username": row.actor_username, "action": row.action,
            "object_type": row.object_type, "object_id": row.object_id, "summary": row.summary, "ip": row.ip,
            "prev_hash": row.prev_hash}


def _chain_head() -> str:
    """Lock the chain (until this transaction ends) and return the last row's hash."""
    db.session.execute(_LOCK)
    return db.session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) or ""


def record(actor: User | None, action: str, obj: Any = None, summary: dict[str, Any] | None = None,
           *, object_type: str | None = None, object_id: str | None = None, actor_username: str | None = None) -> AuditEvent:
    """Append one event and flush. ``obj`` names the object (its table and id) unless given explicitly."""
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id or str(obj.id)
    # Exactly what the JSON column gives back (tuples become lists, keys strings), so the hash verifies.
    plain_summary = json.loads(json.dumps(summary or {}, default=str))
    db.session.flush()  # earlier rows of this transaction first, so the head is the true last row
    fields = {
        "at": utcnow(), "actor_id": actor.id if actor is not None else None,
        "actor_username": actor_username or (actor.username if actor is not None else ""),
        "action": action, "object_type": object_type or "", "object_id": object_id or "",
        "summary": plain_summary, "ip": client_address(), "prev_hash": _chain_head(),
    }
    event_row = AuditEvent(**fields, hash=chain_hash(chain_key(), **fields))
    db.session.add(event_row)
    db.session.flush()
    return event_row


@dataclass(frozen=True)
class Break:
    row_id: int
    reason: str  # "hash" (content changed or forged) or "link" (a row before it removed or inserted)


@dataclass(frozen=True)
class Verification:
    rows: int
    first_break: Break | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _rows() -> Iterator[AuditEvent]:
    yield from db.session.scalars(select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000))


def verify(key: bytes | None = None) -> Verification:
    """Walk the whole chain in id order; the first row whose link or hash does not fit is reported."""
    key = key or chain_key()
    previous = ""
    count = 0
    for row in _rows():
        count += 1
        if row.prev_hash != previous:
            return Verification(count, Break(row.id, "link"))
        if not hmac.compare_digest(row.hash or "", chain_hash(key, **_row_fields(row))):
            return Verification(count, Break(row.id, "hash"))
        previous = row.hash
    return Verification(count, None)


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
