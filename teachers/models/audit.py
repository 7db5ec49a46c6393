"""The append-only, tamper-evident audit trail.

Rows are only ever inserted: an ORM guard refuses updates and deletes, and the migrations add
database triggers that refuse UPDATE, DELETE, TRUNCATE (PostgreSQL) and SQLite's INSERT OR REPLACE
over an existing row. Each row carries ``hash`` = HMAC-SHA256 over its content and ``prev_hash``, the
previous row's hash (``teachers.audit.chain_hash``), so ``flask audit verify`` finds any row changed,
removed or forged without the key. Appends are serialised on the one ``AuditChainLock`` row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.orm import Mapped, mapped_column

from teachers.extensions import db
from teachers.models._types import UTCDateTime, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    actor_username: Mapped[str] = mapped_column(sa.String(64), default="")
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(32), default="")
    object_id: Mapped[str] = mapped_column(sa.String(64), default="")
    summary: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    ip: Mapped[str] = mapped_column(sa.String(45), default="")
    prev_hash: Mapped[str] = mapped_column(sa.String(64), default="")
    hash: Mapped[str] = mapped_column(sa.String(64), default="")


class AuditChainLock(db.Model):
    """One row (id 1) that every audit append locks first, so concurrent appends queue instead of forking
    the chain (a row lock on PostgreSQL; SQLite's write lock, taken by the same statement)."""

    __tablename__ = "audit_chain_lock"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    appends: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class AuditImmutable(Exception):
    """Raised when code tries to change or delete an audit event."""


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _refuse_audit_changes(session, _flush_context, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditImmutable("audit events are append-only")
