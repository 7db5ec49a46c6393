"""A county (县域): the unit that holds the staffing quota, runs rotation and owns policy settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from teachers.extensions import db
from teachers.models._types import UTCDateTime, utcnow


class County(db.Model):
    __tablename__ = "county"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefecture: Mapped[str | None] = mapped_column(sa.String(64))
    province: Mapped[str | None] = mapped_column(sa.String(64))
    #: Stored overrides of ``teachers.policy.DEFAULTS``; read through ``policy.effective``.
    policy: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<County {self.code} {self.name}>"
