"""Teacher development (教师专业发展): the four-tier echelon, honours, achievements, growth plans,
mentoring (师徒结对), the training catalogue and training records with their history.

One fact, one record: a teacher's tier is the latest ``TierAward`` and their backbone level is
derived from their ``Honour`` rows; both are exposed on ``Teacher`` as read-only SQL expressions
(``Teacher.tier``, ``Teacher.backbone``), so list filters and group-bys keep working in SQL.
The training record's workflow states and transitions live in teachers/development/states.py;
the states are backed here by a CHECK constraint.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from teachers.extensions import db
from teachers.models._types import UTCDateTime, enum_column, utcnow
from teachers.models.enums import Backbone, Tier
from teachers.models.teacher import Teacher


class HonourKind(str, enum.Enum):
    BACKBONE = "backbone"  # 骨干教师（校/县/市/省级）
    SPECIAL = "special"  # 特级教师
    STUDIO_HOST = "studio_host"  # 名师/名校长工作室主持人
    STUDIO_MEMBER = "studio_member"  # 工作室成员
    LEADING = "leading"  # 领军人物/名优教师


class Level(str, enum.Enum):
    """The awarding level of an honour or achievement (校级 … 国家级)."""

    SCHOOL = "school"
    COUNTY = "county"
    CITY = "city"
    PROVINCE = "province"
    NATIONAL = "national"


LEVEL_RANK = {Level.SCHOOL: 1, Level.COUNTY: 2, Level.CITY: 3, Level.PROVINCE: 4, Level.NATIONAL: 5}

#: Honours that make a teacher a backbone teacher (studio members do not); 特级教师 counts as provincial.
BACKBONE_KINDS = (HonourKind.BACKBONE, HonourKind.SPECIAL, HonourKind.STUDIO_HOST, HonourKind.LEADING)


class AchievementKind(str, enum.Enum):
    OPEN_LESSON = "open_lesson"  # 公开课
    RESEARCH = "research"  # 课题
    PAPER = "paper"  # 论文
    AWARD = "award"  # 获奖


class ProgrammeLevel(str, enum.Enum):
    NATIONAL = "national"  # 国培
    PROVINCIAL = "provincial"  # 省培
    CITY = "city"  # 市培
    COUNTY = "county"  # 县培
    CLUSTER = "cluster"  # 片区
    SCHOOL = "school"  # 校本研修


class DeliveryMode(str, enum.Enum):
    ONLINE = "online"
    IN_PERSON = "in_person"


class TrainingSource(str, enum.Enum):
    PROGRAMME = "programme"  # 主办方认定完成
    OUTSIDE = "outside"  # 教师自报校外培训
    IMPORT = "import"  # 批量导入


class TrainingState(str, enum.Enum):
    SUBMITTED = "submitted"  # 待学校审核
    VERIFIED = "verified"  # 学校已审核，待人事科确认
    CONFIRMED = "confirmed"  # 已确认，计入学时
    REJECTED = "rejected"  # 已退回


class ReviewState(str, enum.Enum):
    """Achievements: submitted by the teacher, verified (or rejected) by the principal."""

    SUBMITTED = "submitted"
    VERIFIED = "verified"
    REJECTED = "rejected"


#: Hours or credits, at least one, each positive when given.
AMOUNT_CHECK = ("(hours IS NOT NULL OR credits IS NOT NULL) AND (hours IS NULL OR hours > 0) "
                "AND (credits IS NULL OR credits > 0)")


class TierAward(db.Model):
    """One decision on a teacher's tier (入梯队、晋升或调整): the latest one is the tier."""

    __tablename__ = "tier_award"
    __table_args__ = (sa.Index("ix_tier_award_teacher_latest", "teacher_id", "awarded_on", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(sa.ForeignKey("teacher.id", ondelete="CASCADE"))
    tier: Mapped[Tier] = mapped_column(enum_column(Tier, "tier"))
    awarded_on: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.String(200))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    teacher: Mapped[Teacher] = relationship()
    decided_by = relationship("User")


class Honour(db.Model):
    """A recognition (骨干教师、特级教师、工作室、领军人物) with its level and re-evaluation date."""

    __tablename__ = "honour"
    __table_args__ = (
        sa.CheckConstraint("review_on IS NULL OR review_on >= recognised_on", name="review_after_recognition"),
        sa.CheckConstraint("kind <> 'special' OR level IN ('province', 'national')", name="special_is_provincial"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(sa.ForeignKey("teacher.id", ondelete="CASCADE"), index=True)
    kind: Mapped[HonourKind] = mapped_column(enum_column(HonourKind, "kind"))
    level: Mapped[Level] = mapped_column(enum_column(Level, "level"))
    recognised_on: Mapped[date]
    review_on: Mapped[date | None]  # 复评日期
    studio_name: Mapped[str] = mapped_column(sa.String(100), default="")
    #: Ended at re-evaluation or withdrawn; an ended honour no longer counts.
    ended_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    teacher: Mapped[Teacher] = relationship()


class EvidenceFile(db.Model):
    """An uploaded evidence file, stored under ``stored_name`` outside the static folder."""

    __tablename__ = "evidence_file"
    __table_args__ = (sa.CheckConstraint("size > 0", name="not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Achievement(db.Model):
    """公开课、课题、论文、获奖: recorded by the teacher, verified by the principal."""

    __tablename__ = "achievement"
    __table_args__ = (sa.UniqueConstraint("teacher_id", "kind", "title", "achieved_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(sa.ForeignKey("teacher.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AchievementKind] = mapped_column(enum_column(AchievementKind, "kind"))
    level: Mapped[Level] = mapped_column(enum_column(Level, "level"))
    title: Mapped[str] = mapped_column(sa.String(200))
    achieved_on: Mapped[date]
    evidence_id: Mapped[int | None] = mapped_column(sa.ForeignKey("evidence_file.id"))
    state: Mapped[ReviewState] = mapped_column(enum_column(ReviewState, "state"), default=ReviewState.SUBMITTED)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reject_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    teacher: Mapped[Teacher] = relationship()
    evidence: Mapped[EvidenceFile | None] = relationship()


class GrowthPlan(db.Model):
    """A young teacher's growth plan (青年教师成长规划): goals, dated entries, the principal's comment."""

    __tablename__ = "growth_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(sa.ForeignKey("teacher.id", ondelete="CASCADE"), unique=True)
    goals: Mapped[str] = mapped_column(sa.Text)
    principal_comment: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    teacher: Mapped[Teacher] = relationship()
    entries: Mapped[list[GrowthEntry]] = relationship(order_by="GrowthEntry.entry_on", cascade="all, delete-orphan")


class GrowthEntry(db.Model):
    __tablename__ = "growth_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("growth_plan.id", ondelete="CASCADE"), index=True)
    entry_on: Mapped[date]
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MentorPair(db.Model):
    """师徒结对: a mentor guides a new teacher; the principal signs the guidance off at the end."""

    __tablename__ = "mentor_pair"
    __table_args__ = (
        sa.CheckConstraint("mentor_id <> mentee_id", name="not_self"),
        sa.CheckConstraint("end_on IS NULL OR end_on >= start_on", name="dates_ordered"),
        # A new teacher has at most one open pair.
        sa.Index("uq_mentor_pair_open_mentee", "mentee_id", unique=True,
                 sqlite_where=sa.text("end_on IS NULL"), postgresql_where=sa.text("end_on IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(sa.ForeignKey("teacher.id", ondelete="CASCADE"), index=True)
    mentee_id: Mapped[int] = mapped_column(sa.ForeignKey("teacher.id", ondelete="CASCADE"))
    start_on: Mapped[date]
    end_on: Mapped[date | None]
    signed_off_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    signed_off_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    mentor: Mapped[Teacher] = relationship(foreign_keys=[mentor_id])
    mentee: Mapped[Teacher] = relationship(foreign_keys=[mentee_id])
    logs: Mapped[list[MentorLog]] = relationship(order_by="MentorLog.log_on", cascade="all, delete-orphan")


class MentorLog(db.Model):
    """A dated mentoring entry written by the mentee and countersigned by the mentor."""

    __tablename__ = "mentor_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(sa.ForeignKey("mentor_pair.id", ondelete="CASCADE"), index=True)
    log_on: Mapped[date]
    text: Mapped[str] = mapped_column(sa.Text)
    countersigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Programme(db.Model):
    """A training programme in the county's catalogue (国培 … 校本研修)."""

    __tablename__ = "programme"
    __table_args__ = (
        sa.CheckConstraint(AMOUNT_CHECK, name="hours_or_credits"),
        sa.CheckConstraint("end_on >= start_on", name="dates_ordered"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(sa.ForeignKey("county.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    level: Mapped[ProgrammeLevel] = mapped_column(enum_column(ProgrammeLevel, "level"))
    mode: Mapped[DeliveryMode] = mapped_column(enum_column(DeliveryMode, "mode"))
    #: Hours, or credits (学分) when the provider counts in credits: hours = credits × the county's rate.
    hours: Mapped[float | None]
    credits: Mapped[float | None]
    provider: Mapped[str] = mapped_column(sa.String(100))
    start_on: Mapped[date]
    end_on: Mapped[date]
    target: Mapped[str] = mapped_column(sa.String(200), default="")
    capacity: Mapped[int | None]
    organiser_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Enrolment(db.Model):
    __tablename__ = "enrolment"
    __table_args__ = (sa.UniqueConstraint("programme_id", "teacher_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    teacher_id: Mapped[int] = mapped_column(sa.ForeignKey("teacher.id", ondelete="CASCADE"), index=True)
    enrolled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    completed_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    programme: Mapped[Programme] = relationship()
    teacher: Mapped[Teacher] = relationship()


class TrainingRecord(db.Model):
    """Hours of training a teacher did; they count once verified (and confirmed, in two-step counties).

    ``version`` grows with each transition: a transition is an UPDATE … WHERE id AND state AND
    version (compare-and-set), so of two people confirming the same record exactly one takes effect.
    """

    __tablename__ = "training_record"
    __table_args__ = (
        sa.CheckConstraint(AMOUNT_CHECK, name="hours_or_credits"),
        sa.CheckConstraint("end_on >= start_on", name="dates_ordered"),
        sa.CheckConstraint("state <> 'rejected' OR reject_reason <> ''", name="rejection_has_reason"),
        sa.CheckConstraint("source <> 'programme' OR programme_id IS NOT NULL", name="programme_source"),
        sa.UniqueConstraint("teacher_id", "title", "start_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(sa.ForeignKey("teacher.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programme.id"), index=True)
    source: Mapped[TrainingSource] = mapped_column(enum_column(TrainingSource, "source"))
    title: Mapped[str] = mapped_column(sa.String(200))
    level: Mapped[ProgrammeLevel] = mapped_column(enum_column(ProgrammeLevel, "level"))
    provider: Mapped[str] = mapped_column(sa.String(100), default="")
    hours: Mapped[float | None]
    credits: Mapped[float | None]
    start_on: Mapped[date]
    end_on: Mapped[date]
    evidence_id: Mapped[int | None] = mapped_column(sa.ForeignKey("evidence_file.id"))
    state: Mapped[TrainingState] = mapped_column(enum_column(TrainingState, "state"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    reject_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    teacher: Mapped[Teacher] = relationship()
    programme: Mapped[Programme | None] = relationship()
    evidence: Mapped[EvidenceFile | None] = relationship()
    events: Mapped[list[TrainingEvent]] = relationship(order_by="TrainingEvent.id", cascade="all, delete-orphan")


class TrainingEvent(db.Model):
    """The history of a training record: every transition, who made it and why."""

    __tablename__ = "training_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(sa.ForeignKey("training_record.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(sa.String(20))
    from_state: Mapped[str | None] = mapped_column(sa.String(20))
    to_state: Mapped[str] = mapped_column(sa.String(20))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor = relationship("User")


# ------------------------------------------------------------------ derived columns on Teacher

_tier_type = enum_column(Tier, "tier")
_backbone_type = enum_column(Backbone, "backbone")

_latest_tier = (
    sa.select(TierAward.tier).where(TierAward.teacher_id == Teacher.id)
    .order_by(TierAward.awarded_on.desc(), TierAward.id.desc()).limit(1)
    .correlate_except(TierAward).scalar_subquery()
)
#: 梯队层级: the latest tier award; 未入梯队 when there is none.
Teacher.tier = column_property(sa.type_coerce(sa.func.coalesce(_latest_tier, Tier.NONE.value), _tier_type))

_rank = sa.case(
    (Honour.kind == HonourKind.SPECIAL, 4),
    (Honour.level == Level.SCHOOL, 1), (Honour.level == Level.COUNTY, 2), (Honour.level == Level.CITY, 3),
    else_=4,
)
_top_rank = (
    sa.select(sa.func.max(_rank))
    .where(Honour.teacher_id == Teacher.id, Honour.ended_on.is_(None), Honour.kind.in_(BACKBONE_KINDS))
    .correlate_except(Honour).scalar_subquery()
)
def backbone_at_least(level: Backbone):
    """SQL: the teacher's ``backbone`` is ``level`` or higher (``Backbone.SCHOOL``: any backbone level), as
    an EXISTS over the standing honours, which the planner estimates and semi-joins, unlike a CASE."""
    rank = {Backbone.SCHOOL: 1, Backbone.COUNTY: 2, Backbone.CITY: 3, Backbone.PROVINCE: 4}[level]
    return sa.exists().where(Honour.teacher_id == Teacher.id, Honour.ended_on.is_(None),
                             Honour.kind.in_(BACKBONE_KINDS), _rank >= rank)


#: 骨干等级: the highest level among the teacher's standing backbone honours (national counts as provincial).
#: A simple CASE on the rank, so the correlated subquery runs once per teacher rather than once per branch.
Teacher.backbone = column_property(sa.type_coerce(sa.case(
    {0: Backbone.NONE.value, 1: Backbone.SCHOOL.value, 2: Backbone.COUNTY.value, 3: Backbone.CITY.value},
    value=sa.func.coalesce(_top_rank, 0), else_=Backbone.PROVINCE.value,
), _backbone_type))
