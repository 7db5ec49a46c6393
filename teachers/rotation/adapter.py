"""The only bridge from the web application to the pure solver package ``scheduling``.

Builds a ``scheduling.Problem`` for one county and year from the database: schools with pupils
in a compulsory stage, their teachers of that stage at the school where they work now, and the
county's effective policy. Eligibility shown anywhere in the app comes from
``scheduling.rules`` through this module, so the dashboard and the solver agree.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from scheduling import rules
from scheduling.problem import Options, Policy, Problem
from scheduling.problem import School as SolverSchool
from scheduling.problem import Teacher as SolverTeacher
from teachers import policy as policy_defaults
from teachers.extensions import db
from teachers.models import County, School, Stage, Teacher, TeacherStatus
from teachers.records.history import years_at_current_school

#: The stages rotation and the balance indicators concern (义务教育).
ROTATION_STAGES = (Stage.PRIMARY, Stage.JUNIOR)
#: Statuses that keep a teacher from rotating this year besides an explicit exemption (E2).
EXEMPT_STATUSES = frozenset({TeacherStatus.SICK_LEAVE, TeacherStatus.MATERNITY_LEAVE, TeacherStatus.SECONDED})


def solver_policy(values: dict[str, Any]) -> Policy:
    """The solver's explicit policy from a county's (or round's) effective settings."""
    return Policy(
        min_years_at_school=int(values["min_years_at_school"]),
        rotation_share=float(values["rotation_share"]),
        max_rotation_share=float(values["max_rotation_share"]),
        backbone_share=float(values["backbone_share"]),
        backbone_share_base=str(values["backbone_share_base"]),
        retirement_age={"M": int(values["retirement_age_male"]), "F": int(values["retirement_age_female"])},
        retirement_buffer_years=int(values["retirement_buffer_years"]),
        headcount_band=float(values["headcount_band"]),
        max_outflow_share=float(values["max_outflow_share"]),
        cv_limit={"primary": float(values["cv_limit_primary"]), "junior": float(values["cv_limit_junior"])},
        time_limit_s=float(values["solver_time_limit_s"]),
    )


def county_problem(county: County, year: int, *, on: date | None = None, options: Options | None = None,
                   settings: dict[str, Any] | None = None) -> Problem:
    """The rotation instance of ``county`` for school year ``year``; years are counted up to ``on``
    (default: 1 September of ``year``, when a rotation takes effect)."""
    values = policy_defaults.effective(settings if settings is not None else county.policy)
    on = on or date(year, 9, 1)
    schools = db.session.scalars(
        select(School).where(School.county_id == county.id, School.active.is_(True)).order_by(School.code)
    ).all()
    stage_keys = [s.value for s in ROTATION_STAGES]
    solver_schools = []
    for s in schools:
        students = {stage: s.pupils(stage) for stage in stage_keys}
        if not any(students.values()):
            continue
        required = sorted({subj for stage in stage_keys if students[stage]
                           for subj in values[f"required_subjects_{stage}"]})
        location = (s.longitude, s.latitude) if s.longitude is not None and s.latitude is not None else None
        solver_schools.append(SolverSchool(
            id=s.code, name=s.name, area=s.area.value, students=students, county=county.name,
            required_subjects=tuple(required), location=location,
        ))
    in_problem = {s.id for s in solver_schools}
    code_of = {s.id: s.code for s in schools}
    teachers = db.session.scalars(
        select(Teacher)
        .where(Teacher.working_school_id.in_([s.id for s in schools]),
               Teacher.stage.in_(ROTATION_STAGES), Teacher.status != TeacherStatus.RETIRED)
        .options(selectinload(Teacher.assignments))
        .order_by(Teacher.staff_no)
    ).all()
    solver_teachers = []
    for t in teachers:
        school_code = code_of[t.working_school_id]
        if school_code not in in_problem:
            continue
        solver_teachers.append(SolverTeacher(
            id=t.staff_no, school=school_code, stage=t.stage.value, subject=t.subject,
            gender=t.gender.value, birth_year=t.birth_date.year,
            years_at_school=int(years_at_current_school(t.assignments, t.working_school_id, on)),
            backbone=t.backbone.value,
            above_required_degree=policy_defaults.above_required_degree(t.degree.value, t.stage.value, values),
            exempt=bool(t.rotation_exempt) or t.status in EXEMPT_STATUSES,
            on_exchange=t.status == TeacherStatus.ON_EXCHANGE or t.working_school_id != t.personnel_school_id,
        ))
    return Problem(name=f"{county.name} {year}", year=year, policy=solver_policy(values),
                   schools=tuple(solver_schools), teachers=tuple(solver_teachers), options=options or Options())


def eligibility(county: County, year: int) -> tuple[frozenset[str], dict[str, str]]:
    """(staff numbers of eligible teachers, {staff number: first failed rule E1/E2/E3}) for the year."""
    problem = county_problem(county, year)
    return rules.eligible_ids(problem), rules.excluded(problem)
