"""The only bridge from the web application to the pure solver package ``scheduling``.

Builds a ``scheduling.Problem`` for one county and year from the database: schools with pupils
in a compulsory stage, their teachers of that stage at the school where they work now, and the
county's effective policy. Eligibility shown anywhere in the app comes from
``scheduling.rules`` through this module, so the dashboard and the solver agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from scheduling import mentoring as mentoring_model  # noqa: F401 (mentor pairing, teachers/development/mentoring.py)
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


def next_rotation_year(today: date) -> int:
    """Rotations take effect on 1 September: before it, this year's round; from it on, next year's."""
    return today.year if (today.month, today.day) < (9, 1) else today.year + 1


def eligible_teacher_ids(counties: list[County], year: int) -> set[int]:
    """Database ids of the teachers who may rotate in ``year`` in any of ``counties``."""
    ids: set[int] = set()
    for county in counties:
        ids |= set(rotation_outlook(county, year).eligible)
    return ids


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
    return _build(county, year, on=on, options=options, settings=settings)[0]


def _build(county: County, year: int, *, on: date | None, options: Options | None,
           settings: dict[str, Any] | None) -> tuple[Problem, dict[str, Teacher]]:
    """The problem, and the database teacher behind each solver teacher id (the staff number)."""
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
        solver_teachers.append(_solver_teacher(t, school_code, values, on))
    problem = Problem(name=f"{county.name} {year}", year=year, policy=solver_policy(values),
                      schools=tuple(solver_schools), teachers=tuple(solver_teachers), options=options or Options())
    return problem, {t.staff_no: t for t in teachers}


def _solver_teacher(t: Teacher, school_code: str, values: dict[str, Any], on: date) -> SolverTeacher:
    return SolverTeacher(
        id=t.staff_no, school=school_code, stage=t.stage.value, subject=t.subject,
        gender=t.gender.value, birth_year=t.birth_date.year,
        years_at_school=int(years_at_current_school(t.assignments, t.working_school_id, on)),
        backbone=t.backbone.value,
        above_required_degree=policy_defaults.above_required_degree(t.degree.value, t.stage.value, values),
        exempt=bool(t.rotation_exempt) or t.status in EXEMPT_STATUSES,
        on_exchange=t.status == TeacherStatus.ON_EXCHANGE or t.working_school_id != t.personnel_school_id,
    )


def eligibility_text(teacher: Teacher, year: int, lang: str = "zh") -> str | None:
    """Why one teacher may or may not rotate in ``year`` (the solver's wording, E1–E3 first), or None
    when rotation does not concern them (retired, or not a compulsory-education stage)."""
    if teacher.stage not in ROTATION_STAGES or teacher.status == TeacherStatus.RETIRED:
        return None
    values = policy_defaults.effective(teacher.working_school.county.policy)
    t = _solver_teacher(teacher, teacher.working_school.code, values, date(year, 9, 1))
    return rules.exclusion_text(t, solver_policy(values), year, lang=lang)


@dataclass(frozen=True)
class Outlook:
    """Who may rotate in ``year`` in a county, and the minimums the rules set from that (H3, H4)."""

    year: int
    #: teacher id → working school id, for every eligible teacher
    eligible: dict[int, int]
    #: teacher id → first failed rule ("E1", "E2", "E3")
    excluded: dict[int, str]
    eligible_backbone: int
    min_moves: int
    max_moves: int | None
    backbone_min: int
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.eligible)

    def excluded_by_rule(self) -> dict[str, int]:
        out = dict.fromkeys(rules.ELIGIBILITY_RULES, 0)
        for rule in self.excluded.values():
            out[rule] += 1
        return out


def rotation_outlook(county: County, year: int) -> Outlook:
    """E1–E3 for the compulsory-stage teachers of ``county`` (the solver's own rules), with the
    smallest and largest number of moves (H3) and the backbone movers the smallest plan needs (H4)."""
    problem, by_staff_no = _build(county, year, on=None, options=None, settings=None)
    excluded = rules.excluded(problem)
    eligible = [t for t in problem.teachers if t.id not in excluded]
    min_moves, max_moves = rules.move_bounds(len(eligible), problem.policy.rotation_share,
                                             problem.policy.max_rotation_share)
    return Outlook(
        year=year,
        eligible={by_staff_no[t.id].id: by_staff_no[t.id].working_school_id for t in eligible},
        excluded={by_staff_no[tid].id: code for tid, code in excluded.items()},
        eligible_backbone=sum(t.is_backbone for t in eligible),
        min_moves=min_moves,
        max_moves=max_moves,
        backbone_min=rules.backbone_needed(min_moves, len(eligible), problem.policy.backbone_share,
                                           problem.policy.backbone_share_base),
        values=policy_defaults.effective(county.policy),
    )
