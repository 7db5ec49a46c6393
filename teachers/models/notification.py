"""One notification table for the whole app: notices and to-dos (待办) for one user.

Nothing worded is stored: ``kind`` names the event and ``params`` carry plain values; the text is
computed at display time (``teachers.notifications.services.render``) in the reader's language.
A to-do is open while ``done_at`` is NULL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from teachers.extensions import db
from teachers.models._types import UTCDateTime, utcnow


class Notification(db.Model):
    __tablename__ = "notification"
    __table_args__ = (
        sa.CheckConstraint("todo OR done_at IS NULL", name="only_todos_are_done"),
        sa.Index("ix_notification_user_unread", "user_id", "read_at"),
        sa.Index("ix_notification_user_todo", "user_id", "todo", "done_at"),
        sa.Index("ix_notification_object", "object_type", "object_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(64))
    object_type: Mapped[str] = mapped_column(sa.String(32))
    object_id: Mapped[int]
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    todo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_open_todo(self) -> bool:
        return self.todo and self.done_at is None

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} user={self.user_id}>"
