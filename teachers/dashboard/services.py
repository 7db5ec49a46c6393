"""The numbers on the home page: county, school and personal summaries, and who may rotate this year.

Counts are GROUP BY queries; the eligibility check reads one light row per teacher and per
assignment (no ORM objects). ``rotation_eligibility`` is the single seam the rotation module may
later replace with the solver's own rules (``scheduling.rules`` through ``teachers/rotation/adapter.py``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from teachers import policy
from teachers.auth.permissions import has_permission
from teachers.errors import NotFound, PermissionDenied
from teachers.extensions import db
from teachers.models import (
    Area,
    Assignment,
    Backbone,
    County,
    Gender,
    School,
    Stage,
    Teacher,
    TeacherStatus,
    Tier,
    User,
)
from teachers.records.history import years_at_current_school

#: Backbone levels that count as "backbone" for the rotation share (县级以上骨干, rotation-io.md).
COUNTED_BACKBONE = (Backbone.COUNTY, Backbone.CITY, Backbone.PROVINCE)
#: Statuses that take a teacher out of this year's rotation under E2. The solver's E2 names only
#: ``exempt`` and ``on_exchange``; a retired teacher, one on sick or maternity leave or one seconded
#: elsewhere cannot be posted either, so the dashboard treats them as not available (E2).
UNAVAILABLE = (
    TeacherStatus.ON_EXCHANGE, TeacherStatus.RETIRED, TeacherStatus.SICK_LEAVE,
    TeacherStatus.MATERNITY_LEAVE, TeacherStatus.SECONDED,
)
#: Staff counts leave out retired teachers.
NOT_SERVING = TeacherStatus.RETIRED


def rotation_reference_date(year: int) -> date:
    """The day years at school are counted to: 1 September, when the school year and its postings begin."""
    return date(year, 9, 1)


def ceil_share(share: float, count: int) -> int:
    """``ceil(share × count)`` on the decimal the officer typed (0.1 × 30 is 3, not 4)."""
    return math.ceil(Fraction(repr(float(share))) * count)


def floor_share(share: float, count: int) -> int:
    return math.floor(Fraction(repr(float(share))) * count)


def years_at_school_of(teacher: Teacher, as_of: date) -> float:
    """Years one teacher has been at their working school (records.history's rule)."""
    return years_at_current_school(teacher.assignments, teacher.working_school_id, as_of)


@dataclass(frozen=True)
class EligibilityResult:
    """Who may rotate in ``year`` in a county, and the minimums the 2014 opinion sets from that."""

    year: int
    #: teacher id → working school id, for every eligible teacher
    eligible: dict[int, int]
    #: teacher id → first failed rule ("E1", "E2", "E3")
    excluded: dict[int, str]
    eligible_backbone: int
    min_moves: int
    max_moves: int
    backbone_min: int
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.eligible)

    def excluded_by_rule(self) -> dict[str, int]:
        out = {"E1": 0, "E2": 0, "E3": 0}
        for rule in self.excluded.values():
            out[rule] += 1
        return out


def exclusion_reason(*, years_at_school: float, exempt: bool, status: TeacherStatus, gender: Gender,
                     birth_year: int, year: int, values: dict[str, Any]) -> str | None:
    """The first of E1–E3 a teacher fails in ``year``, or None when eligible (rotation-io.md)."""
    if years_at_school < int(values["min_years_at_school"]):
        return "E1"
    if exempt or status in UNAVAILABLE:
        return "E2"
    retirement = values["retirement_age_male"] if gender == Gender.MALE else values["retirement_age_female"]
    if year - birth_year >= int(retirement) - int(values["retirement_buffer_years"]):
        return "E3"
    return None


def rotation_eligibility(county: County, year: int) -> EligibilityResult:
    """E1–E3 for every teacher working at a school of ``county``, under the county's effective policy.

    E1 counts years of the latest uninterrupted stretch at the working school up to 1 September of
    ``year`` (``teachers.records.history``); a teacher without assignment rows fails E1 (history unknown).
    """
    values = policy.effective(county.policy)
    as_of = rotation_reference_date(year)
    in_county = School.county_id == county.id
    rows = db.session.execute(
        select(Teacher.id, Teacher.working_school_id, Teacher.gender, Teacher.birth_date, Teacher.status,
               Teacher.rotation_exempt, Teacher.backbone)
        .join(School, School.id == Teacher.working_school_id).where(in_county)
    ).all()
    history: dict[int, list[tuple]] = defaultdict(list)
    for teacher_id, *period in db.session.execute(
        select(Assignment.teacher_id, Assignment.school_id, Assignment.kind, Assignment.start_date,
               Assignment.end_date)
        .join(Teacher, Teacher.id == Assignment.teacher_id).join(School, School.id == Teacher.working_school_id)
        .where(in_county)
    ):
        history[teacher_id].append(tuple(period))
    eligible: dict[int, int] = {}
    excluded: dict[int, str] = {}
    backbone = 0
    for row in rows:
        years = years_at_current_school(history.get(row.id, ()), row.working_school_id, as_of)
        reason = exclusion_reason(
            years_at_school=years, exempt=row.rotation_exempt, status=row.status,
            gender=row.gender, birth_year=row.birth_date.year, year=year, values=values,
        )
        if reason is None:
            eligible[row.id] = row.working_school_id
            backbone += row.backbone in COUNTED_BACKBONE
        else:
            excluded[row.id] = reason
    count = len(eligible)
    min_moves = ceil_share(values["rotation_share"], count)
    max_moves = max(min_moves, floor_share(values["max_rotation_share"], count))
    base = count if values["backbone_share_base"] == "eligible" else min_moves
    return EligibilityResult(
        year=year, eligible=eligible, excluded=excluded, eligible_backbone=backbone, min_moves=min_moves,
        max_moves=max_moves, backbone_min=ceil_share(values["backbone_share"], base), values=values,
    )


# --------------------------------------------------------------------------- which county


def visible_counties(user: User) -> list[County]:
    """Counties a county-level user may look at: their own, or all when the account has none."""
    stmt = select(County).order_by(County.id)
    if user.county_id is not None:
        stmt = stmt.where(County.id == user.county_id)
    return list(db.session.scalars(stmt))


def county_for(user: User, county_id: int | None) -> County | None:
    """The county a county-level user asked for (or their first); NotFound when out of scope."""
    counties = visible_counties(user)
    if not counties:
        return None
    if county_id is None:
        return counties[0]
    for county in counties:
        if county.id == county_id:
            return county
    raise NotFound("county")


# --------------------------------------------------------------------------- county dashboard


def _by(enum_cls, rows) -> list[tuple[Any, int]]:
    counts = {value: n for value, n in rows}
    return [(member, int(counts.get(member, 0))) for member in enum_cls]


def county_summary(user: User, county_id: int | None, year: int) -> dict[str, Any]:
    """Totals and breakdowns for the county dashboard (HR, admin, inspector)."""
    if not has_permission(user, "dashboard.county"):
        raise PermissionDenied("dashboard.county")
    county = county_for(user, county_id)
    if county is None:
        return {"county": None, "counties": []}
    in_county = and_(School.county_id == county.id, School.active.is_(True))
    serving = Teacher.status != NOT_SERVING
    teacher_rows = (
        select(func.count(Teacher.id)).select_from(Teacher)
        .join(School, School.id == Teacher.working_school_id).where(in_county, serving)
    )

    def teachers_by(column):
        return db.session.execute(
            select(column, func.count(Teacher.id)).select_from(Teacher)
            .join(School, School.id == Teacher.working_school_id).where(in_county, serving).group_by(column)
        ).all()

    eligibility = rotation_eligibility(county, year)
    return {
        "county": county,
        "counties": visible_counties(user),
        "year": year,
        "schools": db.session.scalar(select(func.count(School.id)).where(in_county)) or 0,
        "teaching_points": db.session.scalar(
            select(func.count(School.id)).where(in_county, School.is_teaching_point.is_(True))) or 0,
        "teachers": db.session.scalar(teacher_rows) or 0,
        "schools_by_area": _by(Area, db.session.execute(
            select(School.area, func.count(School.id)).where(in_county).group_by(School.area)).all()),
        "teachers_by_area": _by(Area, teachers_by(School.area)),
        "teachers_by_stage": _by(Stage, teachers_by(Teacher.stage)),
        "teachers_by_tier": _by(Tier, teachers_by(Teacher.tier)),
        "backbone_by_level": [(b, n) for b, n in _by(Backbone, teachers_by(Teacher.backbone)) if b != Backbone.NONE],
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
        "by_stage": _by(Stage, grouped(Teacher.stage)),
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
