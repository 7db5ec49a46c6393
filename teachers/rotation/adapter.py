"""The only bridge from the web application to the pure solver package ``scheduling``.

Builds a ``scheduling.Problem`` for one county and year from the database: schools with pupils
in a compulsory stage, their teachers of that stage at the school where they work now, and the
county's effective policy. Eligibility shown anywhere in the app comes from
``scheduling.rules`` through this module, so the dashboard and the solver agree.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import select

from scheduling import check, io, messages, rules
from scheduling import mentoring as mentoring_model  # noqa: F401 (mentor pairing, teachers/development/mentoring.py)
from scheduling.problem import Move, Options, PinnedMove, Policy, Problem
from scheduling.problem import School as SolverSchool
from scheduling.problem import Teacher as SolverTeacher
from teachers import policy as policy_defaults
from teachers.extensions import db
from teachers.models import Assignment, AssignmentKind, County, School, Stage, Teacher, TeacherStatus
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
           settings: dict[str, Any] | None) -> tuple[Problem, dict[str, Any]]:
    """The problem, and the teacher row (``id``, ``staff_no``, ``working_school_id``) behind each solver
    teacher id (the staff number).

    Reads plain column rows (schools, teachers, their history) and builds the solver's view from them,
    which is most of a dashboard request at prefecture scale. The built problem is cached per process,
    keyed by those very rows (see ``_BuildCache``): an entry is used only when everything it was built
    from reads back equal, so a change anywhere is visible on the next request."""
    values = policy_defaults.effective(settings if settings is not None else county.policy)
    on = on or date(year, 9, 1)
    schools_q = (select(School.id, School.code, School.name, School.area, School.pupils_primary, School.pupils_junior,
                        School.longitude, School.latitude)
                 .where(School.county_id == county.id, School.active.is_(True)))
    county_schools = select(School.id).where(School.county_id == county.id, School.active.is_(True))
    in_county = (Teacher.working_school_id.in_(county_schools), Teacher.stage.in_(ROTATION_STAGES),
                 Teacher.status != TeacherStatus.RETIRED)
    teachers_q = (select(Teacher.id, Teacher.staff_no, Teacher.working_school_id, Teacher.stage, Teacher.subject,
                         Teacher.gender, Teacher.birth_date, Teacher.backbone.label("backbone"), Teacher.degree,
                         Teacher.rotation_exempt, Teacher.status).where(*in_county))
    history_q = _history_query(in_county)
    parts = ((schools_q, (School.code,)), (teachers_q, (Teacher.staff_no,)),
             (history_q, (Assignment.teacher_id, Assignment.start_date, Assignment.id)))
    key = (county.id, year, on, _settings_key(values))
    if _digests_in_sql():
        # PostgreSQL: the rows are compared by their digests, computed where the rows are (one statement,
        # one snapshot), so a view of an unchanged county transfers three strings, not its rows.
        cached = _BUILD_CACHE.get(key, (county.name, *_current_digests([q for q, _ in parts])))
        if cached is None:
            (schools, d1), (teachers, d2), (history_rows, d3) = (_rows_with_digest(q, order) for q, order in parts)
            history = _by_teacher(history_rows)
            cached = _build_from_rows(county.name, year, values, on, schools, teachers, history)
            _BUILD_CACHE.put(key, (county.name, d1, d2, d3), cached)
    else:
        schools, teachers, history_rows = (db.session.execute(q.order_by(*order)).all() for q, order in parts)
        history = _by_teacher(history_rows)
        inputs = (county.name, schools, teachers, history)
        cached = _BUILD_CACHE.get(key, inputs)
        if cached is None:
            cached = _build_from_rows(county.name, year, values, on, schools, teachers, history)
            _BUILD_CACHE.put(key, inputs, cached)
    problem, by_staff_no = cached
    if options is not None:
        problem = replace(problem, options=options)
    return problem, by_staff_no


def _build_from_rows(county_name: str, year: int, values: dict[str, Any], on: date, schools, teachers,
                     history) -> tuple[Problem, dict[str, Any]]:
    stage_keys = [s.value for s in ROTATION_STAGES]
    solver_schools = []
    for s in schools:
        students = {"primary": int(s.pupils_primary or 0), "junior": int(s.pupils_junior or 0)}
        if not any(students.values()):
            continue
        required = sorted({subj for stage in stage_keys if students[stage]
                           for subj in values[f"required_subjects_{stage}"]})
        location = (s.longitude, s.latitude) if s.longitude is not None and s.latitude is not None else None
        solver_schools.append(SolverSchool(
            id=s.code, name=s.name, area=s.area.value, students=students, county=county_name,
            required_subjects=tuple(required), location=location,
        ))
    in_problem = {s.id for s in solver_schools}
    code_of = {s.id: s.code for s in schools}
    solver_teachers = []
    for t in teachers:
        school_code = code_of[t.working_school_id]
        if school_code not in in_problem:
            continue
        solver_teachers.append(_solver_teacher(t, school_code, values, on, history.get(t.id, [])))
    problem = Problem(name=f"{county_name} {year}", year=year, policy=solver_policy(values),
                      schools=tuple(solver_schools), teachers=tuple(solver_teachers), options=Options())
    return problem, {t.staff_no: t for t in teachers}


def _settings_key(values: dict[str, Any]) -> str:
    return json.dumps(values, sort_keys=True, default=str)


class _BuildCache:
    """Built problems (and outlooks) per (county, year, day, settings), least recently used first out.

    Derive, don't copy: an entry stores the rows it was built from and is returned only when the rows
    read in this request are equal to them (comparing rows is a small fraction of building from them; on
    PostgreSQL an md5 of each row set's text stands for its rows, computed in the statement that reads
    them, so an entry is always keyed by exactly what it was built from).
    Nothing is invalidated by hand, so no writer — a form, an import, a bulk statement, another
    worker process — can leave a stale entry behind. The built problem is immutable (frozen dataclasses
    of tuples); callers only read the staff-number map; an ``Outlook`` is derived afresh from the
    problem on each call (a fraction of a millisecond), so a caller may change the one it gets."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self.entries: OrderedDict[tuple, tuple[Any, Any]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple, inputs: Any) -> Any:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            self.entries.move_to_end(key)
        stored, value = entry
        return value if stored == inputs else None

    def put(self, key: tuple, inputs: Any, value: Any) -> None:
        with self.lock:
            self.entries[key] = (inputs, value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


_BUILD_CACHE = _BuildCache()


def _history_query(teacher_filter):
    """The assignment history of every teacher matching ``teacher_filter`` as plain columns (school_id,
    kind, start_date, end_date; ordered by teacher, start and id where read)."""
    return (select(Assignment.teacher_id, Assignment.school_id, Assignment.kind, Assignment.start_date,
                   Assignment.end_date, Assignment.id)
            .join(Teacher, Teacher.id == Assignment.teacher_id).where(*teacher_filter))


def _by_teacher(rows) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for row in rows:
        out.setdefault(row.teacher_id, []).append(row)
    return out


def _history_rows(teacher_filter) -> dict[int, list[Any]]:
    """The assignment history of every teacher matching ``teacher_filter``, as plain rows in the
    relationship's order, in one query: a county's history as ORM collections cost most of a dashboard
    view (about 0.5 s of 1 s for 2,500 teachers)."""
    return _by_teacher(db.session.execute(
        _history_query(teacher_filter).order_by(Assignment.teacher_id, Assignment.start_date, Assignment.id)).all())


def _digests_in_sql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _digest(cte):
    """SQL: an md5 over the text of every row of ``cte`` (sorted, so the order rows come in does not matter)."""
    from sqlalchemy import func, literal_column
    from sqlalchemy.dialects.postgresql import aggregate_order_by

    row = literal_column(f"{cte.name}::text")
    return (select(func.md5(func.coalesce(func.string_agg(row, aggregate_order_by(literal_column("','"), row)), "")))
            .select_from(cte).scalar_subquery())


def _current_digests(queries) -> tuple[str, ...]:
    """The digests of several row sets in one statement, so all are of one snapshot."""
    ctes = [q.cte(f"r{i}") for i, q in enumerate(queries)]
    return tuple(db.session.execute(select(*[_digest(c) for c in ctes])).one())


def _rows_with_digest(query, order) -> tuple[list[Any], str]:
    """The rows of ``query`` in ``order`` and their digest, from one statement (one snapshot), so the digest
    describes exactly the rows returned: an entry cached under it was built from what it names."""
    cte = query.cte("r")
    names = [c.name for c in order]
    stmt = select(cte, _digest(cte).label("row_digest")).order_by(*[cte.c[n] for n in names])
    rows = db.session.execute(stmt).all()
    digest = rows[0].row_digest if rows else db.session.execute(select(_digest(query.cte("r")))).scalar_one()
    return rows, digest


def _solver_teacher(t: Teacher, school_code: str, values: dict[str, Any], on: date,
                    history: list[Any] | None = None) -> SolverTeacher:
    """The solver's view of one teacher; ``history`` is their assignment rows when loaded in bulk
    (``_history_rows``), else the ORM collection is read."""
    rows = t.assignments if history is None else history
    on_exchange = (bool(t.on_exchange) if history is None else
                   any(r.kind == AssignmentKind.EXCHANGE and r.end_date is None for r in rows))
    return SolverTeacher(
        id=t.staff_no, school=school_code, stage=t.stage.value, subject=t.subject,
        gender=t.gender.value, birth_year=t.birth_date.year,
        years_at_school=int(years_at_current_school(rows, t.working_school_id, on)),
        backbone=t.backbone.value,
        above_required_degree=policy_defaults.above_required_degree(t.degree.value, t.stage.value, values),
        exempt=bool(t.rotation_exempt) or t.status in EXEMPT_STATUSES,
        on_exchange=on_exchange,  # derived from the assignment history (an open EXCHANGE row)
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


def rotation_outlook_with(county: County, year: int, settings: dict[str, Any]) -> Outlook:
    """``rotation_outlook`` under a round's settings snapshot rather than the county's."""
    return rotation_outlook(county, year, settings=settings)


def rotation_outlook(county: County, year: int, *, settings: dict[str, Any] | None = None) -> Outlook:
    """E1–E3 for the compulsory-stage teachers of ``county`` (the solver's own rules), with the
    smallest and largest number of moves (H3) and the backbone movers the smallest plan needs (H4)."""
    problem, by_staff_no = _build(county, year, on=None, options=None, settings=settings)
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
        values=policy_defaults.effective(settings if settings is not None else county.policy),
    )


# ------------------------------------------------------------------------------------ rounds → instance


def round_problem(rnd, *, extra_pins: tuple[tuple[int, int], ...] = (),
                  extra_forbids: tuple[tuple[int, int], ...] = (), on: date | None = None) -> Problem:
    """The ``Problem`` of one rotation round: the county's schools and teachers as they stand, the
    round's settings snapshot, every teacher's wishes (school codes, best first), HR's pins, forbids
    and exclusions, and the county's school pairs when the round prefers moves within them.
    ``extra_pins`` / ``extra_forbids`` are (teacher id, school id) pairs added for a re-solve."""
    from teachers.models import RoundRule, RuleKind, SchoolPair, Wish

    problem, by_staff_no = _build(rnd.county, rnd.year, on=on, options=None, settings=rnd.settings)
    staff_of = {t.id: t.staff_no for t in by_staff_no.values()}
    in_problem = {t.id for t in problem.teachers}
    code_of = dict(db.session.execute(select(School.id, School.code).where(School.county_id == rnd.county_id)).all())
    wishes: dict[str, list[str]] = {}
    for w in db.session.scalars(select(Wish).where(Wish.round_id == rnd.id).order_by(Wish.teacher_id, Wish.rank)):
        staff = staff_of.get(w.teacher_id)
        if staff in in_problem and w.school_id in code_of:
            wishes.setdefault(staff, []).append(code_of[w.school_id])
    pins: list[PinnedMove] = []
    forbids: list[PinnedMove] = []
    excluded: list[str] = []
    rules_rows = db.session.scalars(select(RoundRule).where(RoundRule.round_id == rnd.id).order_by(RoundRule.id))
    for r in rules_rows:
        staff = staff_of.get(r.teacher_id)
        if staff not in in_problem:
            continue
        if r.kind == RuleKind.PIN:
            pins.append(PinnedMove(staff, code_of[r.school_id]))
        elif r.kind == RuleKind.FORBID:
            forbids.append(PinnedMove(staff, code_of[r.school_id]))
        else:
            excluded.append(staff)
    pinned = {p.teacher for p in pins}
    for teacher_id, school_id in extra_pins:
        staff = staff_of.get(teacher_id)
        if staff in in_problem and staff not in pinned:
            pins.append(PinnedMove(staff, code_of[school_id]))
            pinned.add(staff)
    for teacher_id, school_id in extra_forbids:
        staff = staff_of.get(teacher_id)
        if staff in in_problem:
            forbids.append(PinnedMove(staff, code_of[school_id]))
    pairs: list[tuple[str, str]] = []
    if rnd.prefer_pairs:
        school_codes = {s.id for s in problem.schools}
        for p in db.session.scalars(select(SchoolPair).where(SchoolPair.county_id == rnd.county_id)):
            a, b = code_of.get(p.lead_school_id), code_of.get(p.member_school_id)
            if a in school_codes and b in school_codes:
                pairs.append((a, b))
    teachers = tuple(replace(t, wishes=tuple(wishes.get(t.id, ()))) for t in problem.teachers)
    options = Options(pin=tuple(pins), forbid_moves=tuple(forbids), forbid_teachers=tuple(excluded),
                      pairs=tuple(pairs))
    return replace(problem, teachers=teachers, options=options)


def instance_dict(problem: Problem) -> dict[str, Any]:
    """The ``rotation-instance/1`` JSON object of a problem."""
    return io.problem_to_dict(problem)


def problem_from_instance(instance: dict[str, Any]) -> Problem:
    """A problem back from a stored instance (a solve is reproducible from it alone)."""
    return io.problem_from_dict(instance)


def solve_instance(instance: dict[str, Any], *, time_limit_s: float | None = None, lang: str = "zh",
                   on_progress=None, should_stop=None) -> dict[str, Any]:
    """Solve a stored instance and return the ``rotation-plan/1`` JSON object. ``on_progress`` gets
    ``(elapsed_s, objective, bound, counties_done, counties_total, status)`` as plain values."""
    from scheduling.solve import solve

    def progress(p) -> None:
        if on_progress is not None:
            on_progress(p.elapsed_s, p.objective, p.bound, p.counties_done, p.counties_total, p.status)

    result = solve(problem_from_instance(instance), time_limit_s=time_limit_s, lang=lang,
                   on_progress=progress, should_stop=should_stop, workers=1)
    return io.result_to_dict(result)


def check_plan(instance: dict[str, Any], plan: dict[str, Any], lang: str = "zh") -> list[str]:
    """``scheduling.check`` on a stored pair: the violations as sentences (empty when the plan is valid)."""
    return [str(v) for v in check.validate(problem_from_instance(instance), io.result_from_dict(plan), lang=lang)]


def plan_metrics(instance: dict[str, Any], moves: list[tuple[str, str, str]]) -> dict[str, Any]:
    """Difference coefficients {"before"|"after": {county: {stage: {"L1".."L3": cv}}}} of a list of
    (teacher staff no, from code, to code) moves on a stored instance."""
    return check.metrics(problem_from_instance(instance), [Move(t, a, b) for t, a, b in moves])


def compliance_of(instance: dict[str, Any], moves: list[tuple[str, str, str]]) -> dict[str, Any]:
    """H3–H8 with their numbers for a list of (teacher, from, to) moves on a stored instance."""
    problem = problem_from_instance(instance)
    return check.compliance(problem, [Move(t, a, b) for t, a, b in moves])


def allowed_destination_codes(problem: Problem, staff_no: str) -> list[str]:
    """School codes a teacher may move to under H2 (same county, another area, a school teaching the
    teacher's stage), in the problem's school order; empty when the teacher is not in the problem."""
    teacher = next((t for t in problem.teachers if t.id == staff_no), None)
    if teacher is None:
        return []
    by_id = {s.id: s for s in problem.schools}
    origin = by_id[teacher.school]
    return [s.id for s in problem.schools
            if s.county == origin.county and s.area != origin.area and s.pupils(teacher.stage) > 0]


def exclusion_reasons(problem: Problem, lang: str = "zh") -> dict[str, str]:
    """staff no → why the teacher may not rotate (E1–E3, the solver's words) for every excluded teacher."""
    out = {}
    for t in problem.teachers:
        if rules.exclusion_reason(t, problem.policy, problem.year) is not None:
            out[t.id] = rules.exclusion_text(t, problem.policy, problem.year, lang=lang)
    return out


def eligibility_sentence(problem: Problem, staff_no: str, lang: str = "zh") -> tuple[bool, str] | None:
    """(eligible, the solver's sentence why: E1–E3 met with the years and age, or the first rule
    failed) for one teacher of the problem; None when not in it."""
    teacher = next((t for t in problem.teachers if t.id == staff_no), None)
    if teacher is None:
        return None
    if rules.exclusion_reason(teacher, problem.policy, problem.year) is None:
        return True, messages.text("reason.eligible", lang, years=teacher.years_at_school,
                                   required=problem.policy.min_years_at_school,
                                   age=problem.year - teacher.birth_year)
    return False, rules.exclusion_text(teacher, problem.policy, problem.year, lang=lang)


def fact_text(fact: dict[str, Any], lang: str = "zh", school_names: dict[str, str] | None = None) -> str:
    """One ``Move.facts`` entry worded in ``lang`` ("zh" or "en") by the solver's own message
    catalogue, so a reason reads in the reader's language whatever language the plan was solved in.
    ``school_names`` maps school codes to names for the indicator facts."""
    lang = "en" if str(lang).startswith("en") else "zh"
    names = school_names or {}
    t = messages.text
    if fact.get("rule") == "E1-E3":
        return t("reason.eligible", lang, years=fact.get("years"), required=fact.get("required"), age=fact.get("age"))
    if fact.get("rule") == "H2":
        return t("reason.areas", lang, origin=messages.area_name(fact["from_area"], lang),
                 dest=messages.area_name(fact["to_area"], lang))
    if "indicator" in fact:
        school = names.get(fact.get("school"), fact.get("school"))
        return t(f"reason.{fact['indicator']}", lang, school=school, before=messages.per100(fact["before"]),
                 after=messages.per100(fact["after"]))
    if fact.get("rule") == "H3":
        return t("reason.no_indicator", lang)
    if fact.get("rule") == "H4":
        return t("reason.backbone", lang, level=messages.backbone_name(fact["backbone"], lang))
    if fact.get("pinned"):
        return t("reason.pinned", lang)
    if fact.get("paired"):
        return t("reason.paired", lang)
    if fact.get("wish"):
        return t("reason.wish", lang, rank=fact["wish"])
    if "wish" in fact:
        return t("reason.not_wished", lang, count=fact.get("wishes", 0))
    if fact.get("wishes") == 0:
        return t("reason.no_wishes", lang)
    if "km" in fact:
        return t("reason.km", lang, km=messages.km(fact["km"]))
    return ", ".join(f"{k}={v}" for k, v in fact.items())
