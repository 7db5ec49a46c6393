"""The one permission check every view and service uses.

A role grants actions; scope narrows them: a principal acts only within their school, a teacher
only on their own record, HR and inspectors within their county or their prefecture (every county
whose ``County.prefecture`` is the account's ``prefecture``; a database constraint makes them have one
of the two; should one lack both anyway, they see nothing), an administrator within their county or
prefecture or, without either, all counties. ``county_in_scope`` (one county) and ``county_clause``
(a WHERE clause on ``County``) are the one rule for counties; every other scope check derives from them.
Inspectors (督学) read everything in scope and change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import exists as sa_exists
from sqlalchemy import or_, select

from teachers.errors import NotFound
from teachers.extensions import db, login_manager
from teachers.models import County, Role, School, Teacher, User

#: Teacher development (teachers/development): reading it, and who submits, verifies, confirms, manages.
DEVELOPMENT_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset({"development.view", "training.overview"}),
    Role.HR: frozenset({"development.view", "training.overview", "training.confirm", "development.manage"}),
    Role.PRINCIPAL: frozenset({"development.view", "training.overview", "training.verify"}),
    Role.TEACHER: frozenset({"development.view", "training.submit"}),
    Role.INSPECTOR: frozenset({"development.view", "training.overview"}),
}

ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset({
        "dashboard.county", "school.view", "teacher.view", "teacher.view_id_number",
        "user.manage", "audit.view", "settings.manage", "rotation.view", "records.import",
    }) | DEVELOPMENT_PERMISSIONS[Role.ADMIN],
    Role.HR: frozenset({
        "dashboard.county", "school.view", "school.edit", "teacher.view", "teacher.edit",
        "teacher.view_id_number", "settings.view", "rotation.view", "rotation.manage", "records.import",
    }) | DEVELOPMENT_PERMISSIONS[Role.HR],
    Role.PRINCIPAL: frozenset({"dashboard.school", "school.view", "teacher.view", "rotation.decide"})
    | DEVELOPMENT_PERMISSIONS[Role.PRINCIPAL],
    Role.TEACHER: frozenset({"dashboard.self", "teacher.view", "rotation.wish", "rotation.answer"})
    | DEVELOPMENT_PERMISSIONS[Role.TEACHER],
    Role.INSPECTOR: frozenset({"dashboard.county", "school.view", "teacher.view", "audit.view", "settings.view",
                               "rotation.view"})
    | DEVELOPMENT_PERMISSIONS[Role.INSPECTOR],
}


def has_permission(user: User | Any, action: str) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    return action in ROLE_PERMISSIONS.get(user.role, frozenset())


def can(user: User | Any, action: str, obj: School | Teacher | None = None) -> bool:
    """Whether ``user`` may do ``action`` on ``obj`` (or at all, when ``obj`` is None)."""
    if not has_permission(user, action):
        return False
    if obj is None:
        return True
    if isinstance(obj, School):
        return school_in_scope(user, obj)
    if isinstance(obj, Teacher):
        return teacher_in_scope(user, obj)
    raise TypeError(f"no scope rule for {type(obj).__name__}")


def _county_scope(user: User) -> tuple[str, Any]:
    """How far an HR, inspector or admin account reaches: ("county", id), ("prefecture", name), ("all", None)
    for an administrator with neither, ("none", None) for anyone else (a county role without a scope)."""
    if user.county_id is not None:
        return "county", user.county_id
    if getattr(user, "prefecture", None):
        return "prefecture", user.prefecture
    if user.role == Role.ADMIN:
        return "all", None
    return "none", None


def county_scope(user: User) -> tuple[str, Any]:
    """The account's reach as data, for a scope rule that is not a WHERE on ``County`` (the audit trail's):
    ("county", id), ("prefecture", name), ("all", None) or ("none", None)."""
    return _county_scope(user)


def county_clause(user: User):
    """A WHERE clause limiting ``County`` rows to the counties an HR, inspector or admin account reaches."""
    kind, value = _county_scope(user)
    if kind == "county":
        return County.id == value
    if kind == "prefecture":
        return County.prefecture == value
    return County.id.is_not(None) if kind == "all" else County.id == -1


def county_in_scope(user: User, county: County | int | None) -> bool:
    """Whether the user may see (or, with the permission, manage) this county: HR, inspector, admin when
    it is their county, a county of their prefecture, or any county for an administrator with neither;
    a principal the county of their school; a teacher none."""
    if county is None:
        return False
    if isinstance(county, int):
        county = db.session.get(County, county)
        if county is None:
            return False
    if user.role in (Role.PRINCIPAL, Role.TEACHER):
        return user.role == Role.PRINCIPAL and bool(db.session.scalar(
            select(School.id).where(School.id == user.school_id, School.county_id == county.id)))
    kind, value = _county_scope(user)
    if kind == "county":
        return county.id == value
    if kind == "prefecture":
        return county.prefecture == value
    return kind == "all"


def _school_county(user: User):
    """``county_clause`` applied to ``School.county_id`` (plain comparisons for one county or all, so the
    common scopes cost no subquery)."""
    kind, value = _county_scope(user)
    if kind == "county":
        return School.county_id == value
    if kind == "prefecture":
        return School.county_id.in_(select(County.id).where(County.prefecture == value))
    return School.id.is_not(None) if kind == "all" else School.id == -1


def users_reaching(county: County):
    """A WHERE clause on ``User``: accounts whose county scope includes ``county`` (its own accounts, those of
    its prefecture, and administrators of every county). Pair it with a role condition."""
    from sqlalchemy import and_

    own = [User.county_id == county.id]
    if county.prefecture:
        own.append(and_(User.county_id.is_(None), User.prefecture == county.prefecture))
    return or_(*own, and_(User.county_id.is_(None), User.prefecture.is_(None), User.role == Role.ADMIN))


def school_in_scope(user: User, school: School) -> bool:
    if user.role == Role.PRINCIPAL:
        return school.id == user.school_id
    if user.role == Role.TEACHER:
        return False
    return county_in_scope(user, school.county)


def teacher_in_scope(user: User, teacher: Teacher) -> bool:
    if user.role == Role.TEACHER:
        return teacher.id == user.teacher_id
    if user.role == Role.PRINCIPAL:
        return user.school_id in (teacher.personnel_school_id, teacher.working_school_id) or bool(
            db.session.scalar(select(_incoming_moves(user, teacher.id))))
    return county_in_scope(user, teacher.personnel_school.county)


def school_filter(user: User):
    """A WHERE clause limiting ``School`` rows to the user's scope."""
    if user.role == Role.PRINCIPAL:
        return School.id == user.school_id
    if user.role == Role.TEACHER:
        return School.id == -1
    return _school_county(user)


def county_filter(user: User):
    """A WHERE clause limiting ``County`` rows to the user's scope (``county_clause``); a principal's is
    their school's (a teacher sees no county)."""
    if user.role in (Role.PRINCIPAL, Role.TEACHER):
        return County.id.in_(select(School.county_id).where(school_filter(user)))
    return county_clause(user)


def scoped_county(user: User, county_id: int | None) -> County | None:
    """The county the user asked for, or their first in scope (None when there is none); NotFound
    when the one asked for lies outside their scope."""
    counties = db.session.scalars(select(County).where(county_filter(user)).order_by(County.id)).all()
    if county_id is None:
        return counties[0] if counties else None
    for county in counties:
        if county.id == county_id:
            return county
    raise NotFound(_("找不到该县（市、区）。"))


def teacher_filter(user: User):
    """A WHERE clause limiting ``Teacher`` rows to the user's scope."""
    if user.role == Role.TEACHER:
        return Teacher.id == user.teacher_id
    if user.role == Role.PRINCIPAL:
        # IN over the moves into the school rather than a correlated EXISTS: evaluated once (a hashed
        # subplan), not once for each of the prefecture's teachers (13 ms of every principal's list).
        return or_(Teacher.personnel_school_id == user.school_id, Teacher.working_school_id == user.school_id,
                   Teacher.id.in_(_incoming_move_teachers(user)))
    if _county_scope(user)[0] == "all":
        return Teacher.id.is_not(None)
    return Teacher.personnel_school.has(_school_county(user))


def _incoming_move_teachers(user: User):
    """SELECT of the teacher ids with a published, live move into the principal's school (``_incoming_moves``)."""
    from teachers.models import RotationMove

    return select(RotationMove.teacher_id).where(RotationMove.to_school_id == user.school_id,
                                                 RotationMove.state.in_(_live_incoming()))


def _incoming_moves(user: User, teacher_id):
    """EXISTS a published, live rotation move into the principal's school: the receiving principal
    may read the record of a teacher proposed to come (scope grows with the moves entering the school)."""
    from teachers.models import RotationMove

    return sa_exists().where(RotationMove.teacher_id == teacher_id, RotationMove.to_school_id == user.school_id,
                             RotationMove.state.in_(_live_incoming()))


def _live_incoming() -> tuple:
    """Move states in which the receiving principal may read the incoming teacher's record."""
    from teachers.models import MoveState

    return (MoveState.PENDING_PRINCIPALS, MoveState.PENDING_TEACHER, MoveState.OBJECTED, MoveState.ACCEPTED,
            MoveState.CONFIRMED)


def require(action: str) -> Callable:
    """View decorator: 401 for anonymous users (redirect to login), 403 without the permission."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not has_permission(current_user, action):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def mask_id_number(value: str | None) -> str:
    """Keep the first 6 (region) and last 4 characters: 220621********123X."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def shown_id_number(user: User, teacher: Teacher) -> str:
    if has_permission(user, "teacher.view_id_number"):
        return teacher.id_number or ""
    return mask_id_number(teacher.id_number)
