"""A teacher and the history of where they served (任职经历).

Years at the current school and accumulated rural service are derived from ``Assignment``
rows (teachers/records/history.py), never typed by hand. Under 县管校聘 the personnel school
(人事关系所在学校) and the working school (任教学校) are held separately.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from teachers.extensions import db
from teachers.models._types import UTCDateTime, enum_column, utcnow
from teachers.models.enums import (
    AssignmentKind,
    Degree,
    Gender,
    Stage,
    TeacherStatus,
    Title,
)
from teachers.models.school import School


class Teacher(db.Model):
    __tablename__ = "teacher"
    __table_args__ = (
        # 交流中 is not a status of its own making: it holds exactly while the teacher works away from the
        # personnel school, which the assignment history records (teachers/records/placements.py).
        sa.CheckConstraint("status <> 'on_exchange' OR working_school_id <> personnel_school_id",
                           name="on_exchange_works_elsewhere"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_no: Mapped[str] = mapped_column(sa.String(32), unique=True)  # 工号
    name: Mapped[str] = mapped_column(sa.String(32), index=True)
    gender: Mapped[Gender] = mapped_column(enum_column(Gender, "gender"))
    birth_date: Mapped[date]
    id_number: Mapped[str | None] = mapped_column(sa.String(18), unique=True)  # 身份证号
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    service_start: Mapped[date]  # 参加工作时间
    personnel_school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    working_school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    stage: Mapped[Stage] = mapped_column(enum_column(Stage, "stage"))
    subject: Mapped[str] = mapped_column(sa.String(20))
    #: Further subjects taught, comma-separated in forms; a JSON list here.
    other_subjects: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    degree: Mapped[Degree] = mapped_column(enum_column(Degree, "degree"))
    title: Mapped[Title] = mapped_column(enum_column(Title, "title"), default=Title.NONE)
    # ``tier`` (the latest tier award) and ``backbone`` (from the honours) are derived, read-only
    # SQL expressions added in teachers/models/development.py.
    status: Mapped[TeacherStatus] = mapped_column(
        enum_column(TeacherStatus, "status"), default=TeacherStatus.ACTIVE, index=True
    )
    #: Exempt from rotation this year (pregnancy, serious illness, family hardship …) and why.
    rotation_exempt: Mapped[bool] = mapped_column(default=False)
    rotation_exempt_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    personnel_school: Mapped[School] = relationship(foreign_keys=[personnel_school_id])
    working_school: Mapped[School] = relationship(foreign_keys=[working_school_id])
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="teacher", order_by="Assignment.start_date", cascade="all, delete-orphan"
    )

    @hybrid_property
    def on_exchange(self) -> bool:
        """On exchange (交流中), derived from the one record of where a teacher works: an open EXCHANGE
        assignment. In SQL an EXISTS over the indexed assignment rows, so list filters stay fast."""
        return any(a.kind == AssignmentKind.EXCHANGE and a.end_date is None for a in self.assignments)

    @on_exchange.inplace.expression
    @classmethod
    def _on_exchange_expression(cls):
        return sa.exists().where(Assignment.teacher_id == cls.id, Assignment.kind == AssignmentKind.EXCHANGE,
                                 Assignment.end_date.is_(None))

    def __repr__(self) -> str:
        return f"<Teacher {self.staff_no} {self.name}>"


class Assignment(db.Model):
    """One period at one school: hire, transfer, exchange posting or return."""

    __tablename__ = "assignment"
    __table_args__ = (
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
        sa.Index("ix_assignment_teacher_start", "teacher_id", "start_date"),
        sa.Index("ix_assignment_open_exchange", "teacher_id", "kind", "end_date"),
        sa.Index("ix_assignment_teacher_school", "teacher_id", "school_id", "start_date"),  # years-at-school sort
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(sa.ForeignKey("teacher.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    kind: Mapped[AssignmentKind] = mapped_column(enum_column(AssignmentKind, "kind"))
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    teacher: Mapped[Teacher] = relationship(back_populates="assignments")
    school: Mapped[School] = relationship()
