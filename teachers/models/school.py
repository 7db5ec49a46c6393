"""A school or teaching point (教学点) in a county."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from teachers.extensions import db
from teachers.models._types import UTCDateTime, enum_column, utcnow
from teachers.models.enums import KIND_STAGES, Area, SchoolKind, Stage

if TYPE_CHECKING:
    from teachers.models.county import County


class School(db.Model):
    __tablename__ = "school"
    __table_args__ = (
        sa.CheckConstraint(
            "pupils_preschool >= 0 AND pupils_primary >= 0 AND pupils_junior >= 0 "
            "AND pupils_senior >= 0 AND pupils_vocational >= 0",
            name="pupils_not_negative",
        ),
        sa.CheckConstraint("staffing_quota >= 0", name="quota_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    county_id: Mapped[int] = mapped_column(sa.ForeignKey("county.id"), index=True)
    subdistrict: Mapped[str] = mapped_column(sa.String(64), default="")  # 街道/乡镇
    school_district: Mapped[str] = mapped_column(sa.String(64), default="")  # 学区
    area: Mapped[Area] = mapped_column(enum_column(Area, "area"))
    kind: Mapped[SchoolKind] = mapped_column(enum_column(SchoolKind, "kind"))
    pupils_preschool: Mapped[int] = mapped_column(default=0)
    pupils_primary: Mapped[int] = mapped_column(default=0)
    pupils_junior: Mapped[int] = mapped_column(default=0)
    pupils_senior: Mapped[int] = mapped_column(default=0)
    pupils_vocational: Mapped[int] = mapped_column(default=0)
    staffing_quota: Mapped[int] = mapped_column(default=0)  # 核定编制
    is_teaching_point: Mapped[bool] = mapped_column(default=False)
    #: The central school a teaching point belongs to (中心校).
    central_school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school.id"))
    longitude: Mapped[float | None]
    latitude: Mapped[float | None]
    principal_name: Mapped[str] = mapped_column(sa.String(32), default="")
    phone: Mapped[str] = mapped_column(sa.String(32), default="")
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    county: Mapped[County] = relationship()
    central_school: Mapped[School | None] = relationship(remote_side=[id])

    def pupils(self, stage: Stage | str) -> int:
        return int(getattr(self, f"pupils_{Stage(stage).value}") or 0)

    @property
    def total_pupils(self) -> int:
        return sum(self.pupils(s) for s in Stage)

    @property
    def stages(self) -> tuple[Stage, ...]:
        return KIND_STAGES[self.kind]

    def __repr__(self) -> str:
        return f"<School {self.code} {self.name}>"
