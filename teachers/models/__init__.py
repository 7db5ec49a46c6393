"""Typed SQLAlchemy 2 models, one module per aggregate. Importing this registers them all."""

from teachers.models.audit import AuditChainLock, AuditEvent
from teachers.models.county import County
from teachers.models.enums import (
    Area,
    AssignmentKind,
    Backbone,
    Degree,
    Gender,
    Role,
    SchoolKind,
    Stage,
    TeacherStatus,
    Tier,
    Title,
)
from teachers.models.notification import Notification
from teachers.models.rotation import (
    Answer,
    Decision,
    MoveState,
    RotationMove,
    RotationRound,
    RoundRule,
    RoundState,
    RuleKind,
    Ruling,
    RunStatus,
    SchoolPair,
    SolveRun,
    Wish,
)
from teachers.models.school import School
from teachers.models.teacher import Assignment, Teacher
from teachers.models.user import User, UserSession

__all__ = [
    "Answer",
    "Area",
    "Assignment",
    "AssignmentKind",
    "AuditChainLock",
    "AuditEvent",
    "Backbone",
    "County",
    "Decision",
    "Degree",
    "Gender",
    "MoveState",
    "Notification",
    "Role",
    "RotationMove",
    "RotationRound",
    "RoundRule",
    "RoundState",
    "RuleKind",
    "Ruling",
    "RunStatus",
    "School",
    "SchoolKind",
    "SchoolPair",
    "SolveRun",
    "Stage",
    "Teacher",
    "TeacherStatus",
    "Tier",
    "Title",
    "User",
    "UserSession",
    "Wish",
]
