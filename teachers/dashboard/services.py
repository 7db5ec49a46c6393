"""The numbers on the home page: county, school and personal summaries, and who may rotate this year.

Counts are GROUP BY queries. Who may rotate comes from the solver's own rules (``scheduling.rules``)
through ``teachers/rotation/adapter.py``, so the dashboard and a rotation round cannot disagree.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from teachers.auth.permissions import county_filter, has_permission, scoped_county
from teachers.errors import NotFound, PermissionDenied
from teachers.extensions import db
from teachers.models import (
    Area,
    Backbone,
    County,
    School,
    Stage,
    Teacher,
    TeacherStatus,
    Tier,
    User,
)
from teachers.records.history import years_at_current_school
from teachers.rotation.adapter import Outlook, rotation_outlook

#: Staff counts leave out retired teachers.
NOT_SERVING = TeacherStatus.RETIRED


def years_at_school_of(teacher: Teacher, as_of: date) -> float:
    """Years one teacher has been at their working school (records.history's rule)."""
    return years_at_current_school(teacher.assignments, teacher.working_school_id, as_of)


#: Who may rotate this year: the solver's own E1–E3 (scheduling.rules) through the rotation adapter,
#: so the dashboard and a rotation round can never disagree.
EligibilityResult = Outlook


def rotation_eligibility(county: County, year: int) -> Outlook:
    """E1–E3 for every compulsory-stage teacher working in ``county``, under its effective policy."""
    return rotation_outlook(county, year)


# --------------------------------------------------------------------------- which county


def visible_counties(user: User) -> list[County]:
    """Counties a county-level user may look at: their own, or all when the account has none."""
    return list(db.session.scalars(select(County).where(county_filter(user)).order_by(County.id)))


# --------------------------------------------------------------------------- county dashboard


def _by(enum_cls, rows) -> list[tuple[Any, int]]:
    counts = {value: n for value, n in rows}
    return [(member, int(counts.get(member, 0))) for member in enum_cls]


def county_summary(user: User, county_id: int | None, year: int) -> dict[str, Any]:
    """Totals and breakdowns for the county dashboard (HR, admin, inspector)."""
    if not has_permission(user, "dashboard.county"):
        raise PermissionDenied("dashboard.county")
    county = scoped_county(user, county_id)
    if county is None:
        return {"county": None, "counties": []}
    in_county = and_(School.county_id == county.id, School.active.is_(True))
    serving = Teacher.status != NOT_SERVING
    # One GROUP BY over the county's serving teachers by every breakdown at once (area, stage, tier,
    # backbone), summed per breakdown here: one pass over the teachers and their derived tier and
    # backbone rather than one query per breakdown.
    groups = db.session.execute(
        select(School.area, Teacher.stage, Teacher.tier, Teacher.backbone, func.count(Teacher.id))
        .select_from(Teacher).join(School, School.id == Teacher.working_school_id).where(in_county, serving)
        .group_by(School.area, Teacher.stage, Teacher.tier, Teacher.backbone)
    ).all()

    def teachers_by(index: int) -> list[tuple[Any, int]]:
        totals: dict[Any, int] = {}
        for row in groups:
            totals[row[index]] = totals.get(row[index], 0) + int(row[4])
        return list(totals.items())

    eligibility = rotation_eligibility(county, year)
    return {
        "county": county,
        "counties": visible_counties(user),
        "year": year,
        "schools": db.session.scalar(select(func.count(School.id)).where(in_county)) or 0,
        "teaching_points": db.session.scalar(
            select(func.count(School.id)).where(in_county, School.is_teaching_point.is_(True))) or 0,
        "teachers": sum(int(row[4]) for row in groups),
        "schools_by_area": _by(Area, db.session.execute(
            select(School.area, func.count(School.id)).where(in_county).group_by(School.area)).all()),
        "teachers_by_area": _by(Area, teachers_by(0)),
        "teachers_by_stage": _by(Stage, teachers_by(1)),
        "teachers_by_tier": _by(Tier, teachers_by(2)),
        "backbone_by_level": [(b, n) for b, n in _by(Backbone, teachers_by(3)) if b != Backbone.NONE],
        "eligibility": eligibility,
    }


# --------------------------------------------------------------------------- school dashboard


def school_summary(user: User, year: int) -> dict[str, Any]:
    """The principal's school: facts, headcount by stage/subject/tier, exchanges and eligible teachers."""
    if not has_permission(user, "dashboard.school"):
        raise PermissionDenied("dashboard.school")
    school = db.session.get(School, user.school_id) if user.school_id else None
    if school is None:
        raise NotFound("school")
    here = and_(Teacher.working_school_id == school.id, Teacher.status != NOT_SERVING)

    def grouped(column):
        return db.session.execute(select(column, func.count(Teacher.id)).where(here).group_by(column)
                                  .order_by(func.count(Teacher.id).desc(), column)).all()

    home = aliased(School)
    host = aliased(School)
    exchange_in = db.session.execute(
        select(Teacher, home.name).join(home, home.id == Teacher.personnel_school_id)
        .where(Teacher.working_school_id == school.id, Teacher.personnel_school_id != school.id)
        .order_by(Teacher.staff_no)
    ).all()
    exchange_out = db.session.execute(
        select(Teacher, host.name).join(host, host.id == Teacher.working_school_id)
        .where(Teacher.personnel_school_id == school.id, Teacher.working_school_id != school.id)
        .order_by(Teacher.staff_no)
    ).all()
    eligibility = rotation_eligibility(school.county, year)
    mine = [tid for tid, sid in eligibility.eligible.items() if sid == school.id]
    eligible = list(db.session.scalars(select(Teacher).where(Teacher.id.in_(mine)).order_by(Teacher.staff_no))) \
        if mine else []
    return {
        "school": school,
        "year": year,
        "headcount": db.session.scalar(select(func.count(Teacher.id)).where(here)) or 0,
        # The stages the school teaches, plus any stage a teacher is (wrongly) recorded under.
        "by_stage": [(stage, n) for stage, n in _by(Stage, grouped(Teacher.stage)) if n or stage in school.stages],
        "by_subject": [(s, int(n)) for s, n in grouped(Teacher.subject)],
        "by_tier": _by(Tier, grouped(Teacher.tier)),
        "exchange_in": exchange_in,
        "exchange_out": exchange_out,
        "eligible": eligible,
        "eligibility": eligibility,
    }


# --------------------------------------------------------------------------- personal dashboard


def self_summary(user: User, year: int) -> dict[str, Any]:
    """A teacher's own record in brief."""
    if not has_permission(user, "dashboard.self"):
        raise PermissionDenied("dashboard.self")
    teacher = db.session.get(Teacher, user.teacher_id) if user.teacher_id else None
    if teacher is None:
        raise NotFound("teacher")
    as_of = date.today()
    return {
        "teacher": teacher,
        "year": year,
        "years_at_school": years_at_school_of(teacher, as_of),
    }
