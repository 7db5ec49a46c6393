"""Rotation rounds (交流轮岗): a round per county and year, its settings snapshot and windows, school
pairs, teachers' wishes, HR's pins/forbids/exclusions, solve runs (the stored instance and plan) and
the published moves with their decisions.

States of rounds, solve runs and moves are string enums backed by CHECK constraints; which
transitions are allowed is said once, in ``teachers.rotation.states``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from teachers.extensions import db
from teachers.models._types import UTCDateTime, enum_column, utcnow
from teachers.models.county import County
from teachers.models.school import School
from teachers.models.teacher import Teacher


class RoundState(str, enum.Enum):
    DRAFT = "draft"  # 草拟：设置可改
    WISHES = "wishes"  # 志愿填报
    PLANNING = "planning"  # 求解与审阅
    DECISIONS = "decisions"  # 已发布：校长审批、教师确认/异议、人事科裁决
    NOTICE = "notice"  # 公示
    CONFIRMED = "confirmed"  # 名单已确认，待执行
    DONE = "done"  # 已执行
    CANCELLED = "cancelled"


class RunStatus(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class RuleKind(str, enum.Enum):
    PIN = "pin"  # 锁定：这一交流必须在方案中
    FORBID = "forbid"  # 禁止：这一交流不得在方案中
    EXCLUDE = "exclude"  # 排除：这位教师本轮不交流


class MoveState(str, enum.Enum):
    PENDING_PRINCIPALS = "pending_principals"  # 待两校校长审批
    REJECTED = "rejected"  # 校长不同意
    PENDING_TEACHER = "pending_teacher"  # 待教师确认或提出异议
    OBJECTED = "objected"  # 教师提出异议，待人事科裁决
    UPHELD = "upheld"  # 异议成立，本交流撤销
    ACCEPTED = "accepted"  # 教师确认，或异议不成立
    CONFIRMED = "confirmed"  # 公示后确认
    CARRIED_OUT = "carried_out"  # 已到岗交流
    RETURNED = "returned"  # 期满返回
    WITHDRAWN = "withdrawn"  # 撤回（重新求解替换或本轮取消）


class Decision(str, enum.Enum):
    APPROVED = "approved"
    REJECTED = "rejected"


class Answer(str, enum.Enum):
    ACKNOWLEDGED = "acknowledged"
    OBJECTED = "objected"


class Ruling(str, enum.Enum):
    UPHELD = "upheld"  # 异议成立
    DISMISSED = "dismissed"  # 异议不成立


_WINDOWS = ("wish", "decision", "answer", "notice")


class RotationRound(db.Model):
    __tablename__ = "rotation_round"
    __table_args__ = (
        sa.CheckConstraint("term_years BETWEEN 1 AND 3", name="term_years_range"),
        sa.CheckConstraint("max_wishes BETWEEN 1 AND 10", name="max_wishes_range"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        *(sa.CheckConstraint(f"{w}_opens <= {w}_closes", name=f"{w}_window_ordered") for w in _WINDOWS),
        sa.CheckConstraint("wish_closes < decision_opens AND decision_closes < answer_opens "
                           "AND answer_closes < notice_opens AND notice_closes < start_date",
                           name="windows_in_sequence"),
        sa.Index("uq_rotation_round_live", "county_id", "year", unique=True,
                 sqlite_where=sa.text("state <> 'cancelled'"), postgresql_where=sa.text("state <> 'cancelled'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(sa.ForeignKey("county.id"), index=True)
    year: Mapped[int]
    state: Mapped[RoundState] = mapped_column(enum_column(RoundState, "round_state"), default=RoundState.DRAFT)
    #: The snapshot of every ``teachers.policy`` number for this round (validated by ``policy.validate``).
    settings: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    term_years: Mapped[int] = mapped_column(default=3)
    max_wishes: Mapped[int] = mapped_column(default=3)
    prefer_pairs: Mapped[bool] = mapped_column(default=True)
    start_date: Mapped[date]
    wish_opens: Mapped[date]
    wish_closes: Mapped[date]
    decision_opens: Mapped[date]
    decision_closes: Mapped[date]
    answer_opens: Mapped[date]
    answer_closes: Mapped[date]
    notice_opens: Mapped[date]
    notice_closes: Mapped[date]
    #: The solve run whose plan was published (the moves come from it).
    published_run_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("solve_run.id", use_alter=True, name="fk_rotation_round_published_run_id_solve_run"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    county: Mapped[County] = relationship()

    def window(self, name: str) -> tuple[date, date]:
        """(opens, closes) of the window ``name`` ∈ wish, decision, answer, notice."""
        return getattr(self, f"{name}_opens"), getattr(self, f"{name}_closes")

    def __repr__(self) -> str:
        return f"<RotationRound {self.id} county={self.county_id} {self.year} {self.state.value}>"


class SchoolPair(db.Model):
    """城乡学校结对 / 大学区: an urban (lead) school that supports a town or village school."""

    __tablename__ = "school_pair"
    __table_args__ = (
        sa.CheckConstraint("lead_school_id <> member_school_id", name="two_schools"),
        sa.UniqueConstraint("lead_school_id", "member_school_id", name="uq_school_pair_lead_member"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(sa.ForeignKey("county.id"), index=True)
    group_name: Mapped[str] = mapped_column(sa.String(64), default="")
    lead_school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"))
    member_school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lead_school: Mapped[School] = relationship(foreign_keys=[lead_school_id])
    member_school: Mapped[School] = relationship(foreign_keys=[member_school_id])


class Wish(db.Model):
    """One destination a teacher asks for in a round (志愿), best first (rank 1)."""

    __tablename__ = "rotation_wish"
    __table_args__ = (
        sa.CheckConstraint("rank >= 1", name="rank_positive"),
        sa.UniqueConstraint("round_id", "teacher_id", "rank", name="uq_rotation_wish_rank"),
        sa.UniqueConstraint("round_id", "teacher_id", "school_id", name="uq_rotation_wish_school"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rotation_round.id", ondelete="CASCADE"), index=True)
    teacher_id: Mapped[int] = mapped_column(sa.ForeignKey("teacher.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int]
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    school: Mapped[School] = relationship()


class RoundRule(db.Model):
    """HR's constraint on a round: pin a move, forbid a move, or exclude a teacher (with a reason)."""

    __tablename__ = "rotation_rule"
    __table_args__ = (
        sa.CheckConstraint("kind = 'exclude' OR school_id IS NOT NULL", name="move_rules_name_school"),
        sa.CheckConstraint("kind <> 'exclude' OR school_id IS NULL", name="exclusion_has_no_school"),
        sa.Index("uq_rotation_rule_teacher_pin_or_exclude", "round_id", "teacher_id", unique=True,
                 sqlite_where=sa.text("kind <> 'forbid'"), postgresql_where=sa.text("kind <> 'forbid'")),
        sa.Index("uq_rotation_rule_forbid", "round_id", "teacher_id", "school_id", unique=True,
                 sqlite_where=sa.text("kind = 'forbid'"), postgresql_where=sa.text("kind = 'forbid'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rotation_round.id", ondelete="CASCADE"), index=True)
    kind: Mapped[RuleKind] = mapped_column(enum_column(RuleKind, "rule_kind"))
    teacher_id: Mapped[int] = mapped_column(sa.ForeignKey("teacher.id", ondelete="CASCADE"))
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school.id"))
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    teacher: Mapped[Teacher] = relationship()
    school: Mapped[School | None] = relationship()


class SolveRun(db.Model):
    """One solve of a round: the instance as built at the moment of solving (so the solve is
    reproducible from it alone), progress while it runs, and the plan or the error."""

    __tablename__ = "solve_run"
    __table_args__ = (
        sa.Index("uq_solve_run_one_live_per_round", "round_id", unique=True,
                 sqlite_where=sa.text("status IN ('queued', 'running')"),
                 postgresql_where=sa.text("status IN ('queued', 'running')")),
        sa.CheckConstraint("status <> 'failed' OR error <> ''", name="failure_has_message"),
        sa.CheckConstraint("status <> 'succeeded' OR plan IS NOT NULL", name="success_has_plan"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rotation_round.id", ondelete="CASCADE"), index=True)
    county_id: Mapped[int] = mapped_column(sa.ForeignKey("county.id"))
    status: Mapped[RunStatus] = mapped_column(enum_column(RunStatus, "run_status"), default=RunStatus.QUEUED)
    #: What this solve is for: "full", or "replace" (rejected/upheld moves re-solved, the rest pinned).
    purpose: Mapped[str] = mapped_column(sa.String(16), default="full")
    instance: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    plan: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    time_limit_s: Mapped[float]
    job_id: Mapped[str] = mapped_column(sa.String(64), default="")
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    elapsed_s: Mapped[float | None]
    objective: Mapped[float | None]  # best Σ CV² so far
    bound: Mapped[float | None]
    counties_done: Mapped[int] = mapped_column(default=0)
    counties_total: Mapped[int] = mapped_column(default=1)
    solver_status: Mapped[str] = mapped_column(sa.String(16), default="")
    error: Mapped[str] = mapped_column(sa.Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    round: Mapped[RotationRound] = relationship(foreign_keys=[round_id])

    @property
    def live(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)


class RotationMove(db.Model):
    """A published move and every decision on it. Created when HR publishes a solve run's plan."""

    __tablename__ = "rotation_move"
    __table_args__ = (
        sa.CheckConstraint("from_school_id <> to_school_id", name="two_schools"),
        sa.CheckConstraint("(sending_decision IS NULL) = (sending_by_id IS NULL)", name="sending_decision_signed"),
        sa.CheckConstraint("(receiving_decision IS NULL) = (receiving_by_id IS NULL)",
                           name="receiving_decision_signed"),
        sa.CheckConstraint("sending_decision IS NULL OR sending_decision <> 'rejected' OR sending_reason <> ''",
                           name="sending_rejection_has_reason"),
        sa.CheckConstraint("receiving_decision IS NULL OR receiving_decision <> 'rejected' "
                           "OR receiving_reason <> ''", name="receiving_rejection_has_reason"),
        sa.CheckConstraint("answer IS NULL OR answer <> 'objected' OR answer_reason <> ''",
                           name="objection_has_reason"),
        sa.CheckConstraint("state NOT IN ('pending_teacher', 'objected', 'upheld', 'accepted', 'confirmed', "
                           "'carried_out', 'returned') OR (COALESCE(sending_decision, '') = 'approved' "
                           "AND COALESCE(receiving_decision, '') = 'approved')", name="approved_by_both_principals"),
        sa.CheckConstraint("state <> 'rejected' OR COALESCE(sending_decision, '') = 'rejected' "
                           "OR COALESCE(receiving_decision, '') = 'rejected'",
                           name="rejected_by_a_principal"),
        sa.CheckConstraint("state NOT IN ('objected', 'upheld') OR COALESCE(answer, '') = 'objected'", name="objection_filed"),
        sa.CheckConstraint("state <> 'upheld' OR COALESCE(ruling, '') = 'upheld'", name="upheld_by_ruling"),
        sa.CheckConstraint("state NOT IN ('carried_out', 'returned') OR assignment_id IS NOT NULL",
                           name="carried_out_has_assignment"),
        sa.Index("uq_rotation_move_live_teacher", "round_id", "teacher_id", unique=True,
                 sqlite_where=sa.text("state NOT IN ('rejected', 'upheld', 'withdrawn')"),
                 postgresql_where=sa.text("state NOT IN ('rejected', 'upheld', 'withdrawn')")),
        sa.Index("ix_rotation_move_from", "from_school_id", "state"),
        sa.Index("ix_rotation_move_to", "to_school_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rotation_round.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("solve_run.id"))
    teacher_id: Mapped[int] = mapped_column(sa.ForeignKey("teacher.id"), index=True)
    from_school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"))
    to_school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"))
    state: Mapped[MoveState] = mapped_column(enum_column(MoveState, "move_state"),
                                             default=MoveState.PENDING_PRINCIPALS)
    #: The solver's structured reasons (``Move.facts``), worded at display time in the reader's language.
    facts: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    wish_rank: Mapped[int | None]
    km: Mapped[float | None]
    sending_decision: Mapped[Decision | None] = mapped_column(enum_column(Decision, "sending_decision"))
    sending_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    sending_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    sending_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    receiving_decision: Mapped[Decision | None] = mapped_column(enum_column(Decision, "receiving_decision"))
    receiving_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    receiving_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    receiving_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer: Mapped[Answer | None] = mapped_column(enum_column(Answer, "answer"))
    answer_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ruling: Mapped[Ruling | None] = mapped_column(enum_column(Ruling, "ruling"))
    ruling_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    ruled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    ruled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The exchange assignment written when the move was carried out.
    assignment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assignment.id"))
    term_ends: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    round: Mapped[RotationRound] = relationship()
    teacher: Mapped[Teacher] = relationship()
    from_school: Mapped[School] = relationship(foreign_keys=[from_school_id])
    to_school: Mapped[School] = relationship(foreign_keys=[to_school_id])

    def __repr__(self) -> str:
        return f"<RotationMove {self.id} teacher={self.teacher_id} {self.state.value}>"
