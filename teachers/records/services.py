"""Schools and teachers: scoped reads, validated writes, assignment history and audit.

Every function takes the acting user, checks permission and scope with ``teachers.auth.permissions``,
flushes (never commits) and raises ``DomainError(message, field)`` / ``PermissionDenied`` / ``NotFound``.
Validation lives here, not only in the forms, so imports and other callers get the same rules.

Decisions worth knowing:

* A teacher's stage must be one the *working* school teaches (``KIND_STAGES``): an error, not a
  warning, because the quality-balance indicators count teachers per stage of the school they
  work at, and a junior teacher "working" at a primary school would distort them.
* ``create_teacher`` writes a HIRE row at the personnel school from the given arrival date (default:
  the service start), and an EXCHANGE row when the working school differs (from the effective date,
  default today). ``update_teacher`` keeps the history in step with the two school fields: a new
  personnel school closes the open home rows and opens a TRANSFER row; a new working school opens an
  EXCHANGE row; working back at the personnel school closes the exchange and opens a RETURN row.
  Closed rows end the day before the effective date.
* Audit summaries never hold a full ID number (inspectors read the audit log): it is masked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from teachers import audit, guard
from teachers.auth.permissions import (
    can,
    county_filter,
    county_in_scope,
    has_permission,
    school_filter,
    school_in_scope,
    teacher_filter,
    teacher_in_scope,
)
from teachers.development import tiers
from teachers.errors import DomainError, NotFound, PermissionDenied
from teachers.extensions import db
from teachers.labels import label
from teachers.models import (
    Area,
    Assignment,
    AssignmentKind,
    Backbone,
    County,
    School,
    SchoolKind,
    Stage,
    Teacher,
    TeacherStatus,
    Tier,
    User,
)
from teachers.models.development import backbone_at_least
from teachers.models.enums import KIND_STAGES
from teachers.records import history, idcard, inputs, placements
from teachers.rotation.adapter import eligibility_text, eligible_teacher_ids, next_rotation_year

MIN_SERVICE_AGE = inputs.MIN_SERVICE_AGE
EARLIEST_BIRTH = inputs.EARLIEST_BIRTH

SCHOOL_FIELDS = [
    "code", "name", "county_id", "subdistrict", "school_district", "area", "kind", "pupils_preschool",
    "pupils_primary", "pupils_junior", "pupils_senior", "pupils_vocational", "staffing_quota",
    "is_teaching_point", "central_school_id", "longitude", "latitude", "principal_name", "phone", "address", "active",
]
TEACHER_FIELDS = [
    "staff_no", "name", "gender", "birth_date", "id_number", "phone", "service_start", "personnel_school_id",
    "working_school_id", "stage", "subject", "other_subjects", "degree", "title", "status", "rotation_exempt", "rotation_exempt_reason",
]
#: The list's filters (``teacher_query``'s keywords besides ``q``).
TEACHER_FILTERS = ("school", "area", "stage", "subject", "tier", "backbone", "status", "eligible")
TEACHER_SORTS = ("staff_no", "name", "school", "service_start", "birth_date", "years")
PHONE_RE = inputs.PHONE_RE


# ---------------------------------------------------------------------------------------------- scope


def _today(today: date | None) -> date:
    return today or date.today()


def get_school(user: User, school_id: int) -> School:
    """The school, or NotFound when it does not exist or lies outside the user's scope."""
    if not has_permission(user, "school.view"):
        raise PermissionDenied(_("您没有权限查看学校信息。"))
    school = guard.get(School, school_id)
    if school is None or not school_in_scope(user, school):
        raise NotFound(_("找不到该学校。"))
    return school


def get_teacher(user: User, teacher_id: int) -> Teacher:
    """The teacher, or NotFound when it does not exist or lies outside the user's scope."""
    if not has_permission(user, "teacher.view"):
        raise PermissionDenied(_("您没有权限查看教师信息。"))
    teacher = guard.get(Teacher, teacher_id)
    if teacher is None or not teacher_in_scope(user, teacher):
        raise NotFound(_("找不到该教师。"))
    return teacher


def scoped_schools(user: User, *, active_only: bool = False) -> list[School]:
    """Schools the user may see, by name, for select choices."""
    stmt = select(School).where(school_filter(user)).order_by(School.name, School.id)
    if active_only:
        stmt = stmt.where(School.active.is_(True))
    return list(db.session.scalars(stmt))


def scoped_counties(user: User) -> list[County]:
    return list(db.session.scalars(select(County).where(county_filter(user)).order_by(County.name)))


# ---------------------------------------------------------------------------------------------- schools


@dataclass
class SchoolRow:
    school: School
    working: int  # teachers working here (not retired)
    personnel: int  # teachers whose personnel relation is here (not retired) — the headcount against quota

    @property
    def pupils(self) -> int:
        return self.school.total_pupils


def _headcounts(column, schools: Select | None = None) -> Select:
    """Serving teachers per school by ``column``; only at ``schools`` (a SELECT of school ids) when given,
    so a county's list counts its own 3,000 teachers rather than the prefecture's 19,000."""
    stmt = (select(column.label("school_id"), func.count(Teacher.id).label("n"))
            .where(Teacher.status != TeacherStatus.RETIRED).group_by(column))
    return stmt if schools is None else stmt.where(column.in_(schools))


def list_schools(user: User, *, area: str | None = None, kind: str | None = None, subdistrict: str | None = None,
                 q: str | None = None, include_inactive: bool = True) -> list[SchoolRow]:
    """Schools in scope with their teacher counts, filtered, ordered by subdistrict and name."""
    if not has_permission(user, "school.view"):
        raise PermissionDenied(_("您没有权限查看学校信息。"))
    in_scope = select(School.id).where(school_filter(user)).correlate(None)
    working = _headcounts(Teacher.working_school_id, in_scope).subquery()
    personnel = _headcounts(Teacher.personnel_school_id, in_scope).subquery()
    stmt = (select(School, func.coalesce(working.c.n, 0), func.coalesce(personnel.c.n, 0))
            .outerjoin(working, working.c.school_id == School.id)
            .outerjoin(personnel, personnel.c.school_id == School.id)
            .where(school_filter(user))
            .order_by(School.subdistrict, School.name, School.id))
    if area:
        stmt = stmt.where(School.area == Area(area))
    if kind:
        stmt = stmt.where(School.kind == SchoolKind(kind))
    if subdistrict:
        stmt = stmt.where(School.subdistrict == subdistrict)
    if q:
        stmt = stmt.where(or_(School.name.icontains(q, autoescape=True), School.code.icontains(q, autoescape=True)))
    if not include_inactive:
        stmt = stmt.where(School.active.is_(True))
    return [SchoolRow(s, w, p) for s, w, p in db.session.execute(stmt)]


def subdistricts(user: User) -> list[str]:
    stmt = select(School.subdistrict).where(school_filter(user), School.subdistrict != "").distinct()
    return sorted(db.session.scalars(stmt))


@dataclass
class SchoolOverview:
    school: School
    working: list[Teacher]  # teachers working here (their personnel relation may be elsewhere)
    personnel_elsewhere: list[Teacher]  # personnel relation here, working at another school
    headcount: int  # personnel relation here, not retired: the number held against the quota
    pupils: list[tuple[Stage, int]] = field(default_factory=list)

    @property
    def quota_gap(self) -> int:
        """Positive when the school holds more staff than its quota."""
        return self.headcount - self.school.staffing_quota


def school_overview(user: User, school_id: int) -> SchoolOverview:
    """Everything the school page shows, scoped."""
    school = get_school(user, school_id)
    stmt = (select(Teacher)
            .where(or_(Teacher.working_school_id == school.id, Teacher.personnel_school_id == school.id))
            .options(selectinload(Teacher.personnel_school), selectinload(Teacher.working_school))
            .order_by(Teacher.name, Teacher.staff_no))
    teachers = list(db.session.scalars(stmt))
    working = [t for t in teachers if t.working_school_id == school.id]
    elsewhere = [t for t in teachers if t.personnel_school_id == school.id and t.working_school_id != school.id]
    headcount = sum(1 for t in teachers if t.personnel_school_id == school.id and t.status != TeacherStatus.RETIRED)
    stages = [(s, school.pupils(s)) for s in Stage if s in school.stages or school.pupils(s)]
    return SchoolOverview(school, working, elsewhere, headcount, stages)


def _raw(data: Mapping[str, Any] | inputs.TeacherInput | inputs.SchoolInput) -> dict[str, Any]:
    """A typed input as the fields it was given; a mapping as it is."""
    if isinstance(data, (inputs.TeacherInput, inputs.SchoolInput)):
        return {k: getattr(data, k) for k in data.given}
    return dict(data)


def _first(problems: inputs.Problems) -> None:
    if problems:
        raise DomainError(problems[0].message, field=problems[0].field)


def _clean_school(actor: User, data: dict[str, Any], school: School | None) -> dict[str, Any]:
    """The typed input (``teachers.records.inputs``) checked, then the rules that need the database."""
    current = audit.snapshot(school, SCHOOL_FIELDS) if school is not None else {}
    merged = {**current, **{k: v for k, v in data.items() if k in inputs.SCHOOL_INPUT_FIELDS}}
    inp, problems = inputs.school_input(merged)
    _first(inputs.check_school(inp, problems))
    out: dict[str, Any] = {k: getattr(inp, k) for k in SCHOOL_FIELDS}
    duplicate = db.session.scalar(select(School.id).where(School.code == out["code"]))
    if duplicate is not None and (school is None or duplicate != school.id):
        raise DomainError(_("学校代码已存在。"), field="code")
    county_id = inp.county_id or actor.county_id
    if not county_id or guard.get(County, county_id) is None:
        raise DomainError(_("请选择有效的县域。"), field="county_id")
    if not county_in_scope(actor, guard.get(County, county_id)):
        raise DomainError(_("只能管理本县域的学校。"), field="county_id")
    out["county_id"] = int(county_id)
    if inp.is_teaching_point:
        if not inp.central_school_id:
            raise DomainError(_("教学点须选择所属中心校。"), field="central_school_id")
        central = guard.get(School, inp.central_school_id)
        if (central is None or central.county_id != out["county_id"] or central.is_teaching_point
                or (school is not None and central.id == school.id)):
            raise DomainError(_("请选择本县域内有效的中心校。"), field="central_school_id")
        out["central_school_id"] = central.id
    else:
        out["central_school_id"] = None
    if school is not None:
        _check_school_change(school, out)
    return out


def _check_school_change(school: School, out: dict[str, Any]) -> None:
    """A kind change or deactivation must not strand the teachers working there."""
    working = select(func.count(Teacher.id)).where(Teacher.working_school_id == school.id,
                                                   Teacher.status != TeacherStatus.RETIRED)
    if out["kind"] != school.kind:
        misfits = db.session.scalar(working.where(Teacher.stage.not_in(KIND_STAGES[out["kind"]])))
        if misfits:
            raise DomainError(_("仍有%(n)d名在本校任教的教师学段不属于新的办学类型，请先调整其学段或任教学校。", n=misfits),
                              field="kind")
    if school.active and not out["active"]:
        staff = db.session.scalar(working)
        if staff:
            raise DomainError(ngettext("仍有%(n)d名教师在本校任教，不能停用。", "仍有%(n)d名教师在本校任教，不能停用。", staff, n=staff), field="active")


def _require_school_edit(actor: User, school: School | None = None) -> None:
    if not has_permission(actor, "school.edit"):
        raise PermissionDenied(_("您没有权限维护学校信息。"))
    if school is not None and not can(actor, "school.edit", school):
        raise NotFound(_("找不到该学校。"))


def create_school(actor: User, data: Mapping[str, Any] | inputs.SchoolInput) -> School:
    """Add a school in the actor's county; audit it."""
    _require_school_edit(actor)
    return write_school(actor, data)


def write_school(actor: User, data: Mapping[str, Any] | inputs.SchoolInput) -> School:
    """``create_school`` after the permission check (the import checks its own, ``records.import``)."""
    values = _clean_school(actor, _raw(data), None)
    school = School(**values)
    db.session.add(school)
    db.session.flush()
    audit.record(actor, "school.create", school, audit.changes(school, SCHOOL_FIELDS, {}))
    return school


def update_school(actor: User, school: School, data: Mapping[str, Any] | inputs.SchoolInput) -> School:
    """Change a school's facts; audit the diff (nothing recorded when nothing changed)."""
    _require_school_edit(actor, school)
    return rewrite_school(actor, school, data)


def rewrite_school(actor: User, school: School, data: Mapping[str, Any] | inputs.SchoolInput) -> School:
    """``update_school`` after the permission check (the import checks its own and the scope)."""
    values = _clean_school(actor, _raw(data), school)
    before = audit.snapshot(school, SCHOOL_FIELDS)
    for key, value in values.items():
        setattr(school, key, value)
    db.session.flush()
    diff = audit.changes(school, SCHOOL_FIELDS, before)
    if diff:
        audit.record(actor, "school.update", school, diff)
    return school


# ---------------------------------------------------------------------------------------------- teachers


@dataclass
class TeacherRow:
    teacher: Teacher
    years_at_school: float | None  # None when the teacher has no assignment history


@dataclass
class TeacherPage:
    items: list[TeacherRow]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _run_start_key(today: date):
    """SQL approximation of the first day of the current run at the working school, for sorting by years.

    The last row at another school started at ``other_start``; the run began at the first row at the
    working school after it, or — when the home row stayed open under an exchange — when that row ended.
    """
    mine, other = aliased(Assignment), aliased(Assignment)
    other_start = (select(func.max(other.start_date))
                   .where(other.teacher_id == Teacher.id, other.school_id != Teacher.working_school_id,
                          other.start_date <= today)
                   .correlate_except(other).scalar_subquery())  # nested below: correlate to the outer teacher
    other_end = (select(func.max(func.coalesce(other.end_date, today)))
                 .where(other.teacher_id == Teacher.id, other.school_id != Teacher.working_school_id,
                        other.start_date <= today)
                 .scalar_subquery())
    first_mine_after = (select(func.min(mine.start_date))
                        .where(mine.teacher_id == Teacher.id, mine.school_id == Teacher.working_school_id,
                               mine.start_date <= today,
                               or_(other_start.is_(None), mine.start_date > other_start))
                        .scalar_subquery())
    any_mine = (select(func.min(mine.start_date))
                .where(mine.teacher_id == Teacher.id, mine.school_id == Teacher.working_school_id,
                       mine.start_date <= today)
                .scalar_subquery())
    return case((any_mine.is_(None), None), else_=func.coalesce(first_mine_after, other_end))


def teacher_query(user: User, *, q: str | None = None, school: int | None = None, area: str | None = None,
                  stage: str | None = None, subject: str | None = None, tier: str | None = None,
                  backbone: str | None = None, status: str | None = None, eligible: int | None = None) -> Select:
    """SELECT of the teachers in the user's scope matching the filters (no order, no paging)."""
    working = aliased(School)
    stmt = select(Teacher).join(working, Teacher.working_school).where(teacher_filter(user))
    if q:
        q = q.strip()
        terms = [Teacher.name.icontains(q, autoescape=True), Teacher.staff_no.icontains(q, autoescape=True)]
        number = idcard.normalise(q)
        if has_permission(user, "teacher.view_id_number"):
            terms.append(Teacher.id_number.contains(number, autoescape=True))
        elif len(number) == 18:
            # Users who see masked numbers may look a person up by the full number they already hold.
            terms.append(Teacher.id_number == number)
        stmt = stmt.where(or_(*terms))
    if eligible:
        counties = list(db.session.scalars(select(County).where(county_filter(user))))
        stmt = stmt.where(Teacher.id.in_(eligible_teacher_ids(counties, eligible)))
    if school:
        stmt = stmt.where(or_(Teacher.working_school_id == school, Teacher.personnel_school_id == school))
    if area:
        stmt = stmt.where(working.area == Area(area))
    if stage:
        stmt = stmt.where(Teacher.stage == Stage(stage))
    if subject:
        stmt = stmt.where(Teacher.subject == subject.strip())
    if tier:
        stmt = stmt.where(Teacher.tier == Tier(tier))
    if backbone == "any":
        stmt = stmt.where(backbone_at_least(Backbone.SCHOOL))  # i.e. Teacher.backbone != NONE
    elif backbone == "county_up":
        stmt = stmt.where(backbone_at_least(Backbone.COUNTY))  # COUNTY, CITY or PROVINCE
    elif backbone:
        stmt = stmt.where(Teacher.backbone == Backbone(backbone))
    if status:
        stmt = stmt.where(Teacher.status == TeacherStatus(status))
    return stmt


def order_teachers(stmt: Select, sort: str, descending: bool, today: date) -> Select:
    """The list's order (one of ``TEACHER_SORTS``, then staff number): the page and the export sort alike."""
    if sort not in TEACHER_SORTS:
        sort = "staff_no"
    if sort == "school":
        key = select(School.name).where(School.id == Teacher.working_school_id).scalar_subquery()
    elif sort == "years":
        # More years at school = an earlier run start.
        key = _run_start_key(today)
        descending = not descending
    else:
        key = getattr(Teacher, sort)
    key = key.desc() if descending else key.asc()
    return stmt.order_by(key.nulls_last(), Teacher.staff_no, Teacher.id)


def list_teachers(user: User, q: str | None = None, *, filters: dict[str, Any] | None = None,
                  sort: str = "staff_no", descending: bool = False, page: int = 1, page_size: int = 50,
                  today: date | None = None) -> TeacherPage:
    """One page of scoped, filtered, sorted teachers with the total count; all in SQL."""
    if not has_permission(user, "teacher.view"):
        raise PermissionDenied(_("您没有权限查看教师信息。"))
    today = _today(today)
    stmt = teacher_query(user, q=q, **(filters or {}))
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page_size = max(1, min(int(page_size), 500))
    pages = max(1, -(-total // page_size))
    page = min(max(1, int(page)), pages)
    stmt = (order_teachers(stmt, sort, descending, today)
            .options(selectinload(Teacher.working_school), selectinload(Teacher.personnel_school),
                     selectinload(Teacher.assignments))
            .limit(page_size).offset((page - 1) * page_size))
    teachers = list(db.session.scalars(stmt))
    items = [TeacherRow(t, history.years_at_current_school(t.assignments, t.working_school_id, today)
                        if t.assignments else None) for t in teachers]
    return TeacherPage(items, total, page, page_size)


@dataclass
class TeacherFacts:
    age: int
    service_years: float  # 教龄, from the service start
    years_at_school: float | None  # None without history
    rural_years: float | None
    run_start: date | None
    #: The next rotation year and why the teacher may or may not rotate then (None: rotation does not apply)
    rotation_year: int | None = None
    eligibility: str | None = None


def teacher_facts(teacher: Teacher, today: date | None = None) -> TeacherFacts:
    """Derived values for display; the history rules are in ``teachers.records.history``."""
    today = _today(today)
    rows = list(teacher.assignments)
    area_of = {a.school_id: a.school.area for a in rows}
    run = history.current_run(rows, teacher.working_school_id, today) if rows else None
    return TeacherFacts(
        age=int(history.years_between(teacher.birth_date, today)),
        service_years=history.years_between(teacher.service_start, today),
        years_at_school=history.years_at_current_school(rows, teacher.working_school_id, today) if rows else None,
        rural_years=history.rural_service_years(rows, area_of, today) if rows else None,
        run_start=run[0] if run else None,
    )


def teacher_detail(user: User, teacher_id: int, today: date | None = None,
                   lang: str = "zh") -> tuple[Teacher, TeacherFacts]:
    """The record, its derived values, and its standing for the next rotation in the reader's language."""
    teacher = get_teacher(user, teacher_id)
    facts = teacher_facts(teacher, today)
    year = next_rotation_year(_today(today))
    return teacher, replace(facts, rotation_year=year, eligibility=eligibility_text(teacher, year, lang=lang))


def _school_for(actor: User, school_id: Any, key: str, current: int | None) -> School:
    school = guard.get(School, school_id) if school_id not in (None, "") else None
    if school is None or not school_in_scope(actor, school):
        raise DomainError(_("请选择有效的学校。"), field=key)
    if not school.active and school.id != current:
        raise DomainError(_("该学校已停用。"), field=key)
    return school


def _clean_teacher(actor: User, data: dict[str, Any], teacher: Teacher | None,
                   today: date) -> tuple[dict[str, Any], inputs.TeacherInput]:
    """The typed input (``teachers.records.inputs``) checked, then the rules that need the database."""
    current = audit.snapshot(teacher, TEACHER_FIELDS) if teacher is not None else {}
    merged = {**current, **{k: v for k, v in data.items() if k in inputs.TEACHER_INPUT_FIELDS}}
    inp, problems = inputs.teacher_input(merged)
    # The ID number must agree with the gender when either is entered or changed (as in the import); records
    # kept before this rule may disagree, and stay editable.
    fresh = teacher is None or inp.id_number != (teacher.id_number or "") or inp.gender != teacher.gender
    _first(inputs.check_teacher(inp, today, problems, id_gender=fresh))
    out: dict[str, Any] = {}
    out["staff_no"] = inp.staff_no
    taken = db.session.scalar(select(Teacher.id).where(Teacher.staff_no == out["staff_no"]))
    if taken is not None and (teacher is None or taken != teacher.id):
        raise DomainError(_("工号 %(no)s 已存在。", no=out["staff_no"]), field="staff_no")
    out["name"], out["gender"], out["birth_date"] = inp.name, inp.gender, inp.birth_date
    number = inp.id_number
    if number:
        taken = db.session.scalar(select(Teacher.id).where(Teacher.id_number == number))
        if taken is not None and (teacher is None or taken != teacher.id):
            raise DomainError(_("该身份证号已登记在其他教师名下。"), field="id_number")
    out["id_number"] = number or None
    out["service_start"] = inp.service_start

    personnel = _school_for(actor, inp.personnel_school_id, "personnel_school_id",
                            current.get("personnel_school_id"))
    working = _school_for(actor, inp.working_school_id or personnel.id, "working_school_id",
                          current.get("working_school_id"))
    if working.county_id != personnel.county_id:
        raise DomainError(_("任教学校与人事关系学校须在同一县域。"), field="working_school_id")
    out["personnel_school_id"], out["working_school_id"] = personnel.id, working.id

    out["stage"] = inp.stage
    if out["stage"] not in working.stages:
        raise DomainError(_("任教学校%(school)s不开设%(stage)s学段。", school=working.name, stage=label(out["stage"])),
                          field="stage")
    out["subject"], out["other_subjects"] = inp.subject, inp.other_subjects
    out["degree"], out["title"] = inp.degree, inp.title
    out["status"] = _derived_status(inp.status, works_elsewhere=working.id != personnel.id,
                                    chosen="status" in data, was=current.get("status"))
    out["rotation_exempt"], out["rotation_exempt_reason"] = inp.rotation_exempt, inp.rotation_exempt_reason
    out["phone"] = inp.phone
    return out, inp


def _derived_status(status: TeacherStatus, *, works_elsewhere: bool, chosen: bool,
                    was: TeacherStatus | None) -> TeacherStatus:
    """交流中 follows the placement (one record of where a teacher works): an active teacher working
    away from the personnel school is on exchange, and one back at it is active again. Choosing 交流中
    by hand for a teacher who works at the personnel school is refused."""
    if works_elsewhere and status == TeacherStatus.ACTIVE:
        return TeacherStatus.ON_EXCHANGE
    if not works_elsewhere and status == TeacherStatus.ON_EXCHANGE:
        if chosen and was != TeacherStatus.ON_EXCHANGE:
            raise DomainError(_("“交流中”由任职经历决定：请填写在外校任教的学校，或选择其他状态。"), field="status")
        return TeacherStatus.ACTIVE
    return status


def _require_teacher_edit(actor: User, teacher: Teacher | None = None) -> None:
    if not has_permission(actor, "teacher.edit"):
        raise PermissionDenied(_("您没有权限维护教师档案。"))
    if teacher is not None and not can(actor, "teacher.edit", teacher):
        raise NotFound(_("找不到该教师。"))


def _audit_summary(diff: dict[str, list[Any]]) -> dict[str, Any]:
    from teachers.masking import mask_audit_diff

    return mask_audit_diff(diff)


def create_teacher(actor: User, data: Mapping[str, Any] | inputs.TeacherInput, today: date | None = None) -> Teacher:
    """Add a teacher with a HIRE row at the personnel school (and an EXCHANGE row when working elsewhere)."""
    _require_teacher_edit(actor)
    today = _today(today)
    values, inp = _clean_teacher(actor, _raw(data), None, today)
    hired = inp.hire_date or values["service_start"]
    posted = None
    if values["working_school_id"] != values["personnel_school_id"]:
        posted = inp.effective_date or today
        if posted < hired:
            raise DomainError(_("生效日期不能早于到校时间。"), field="effective_date")
    teacher = Teacher(**values)
    db.session.add(teacher)
    db.session.flush()
    rows = placements.hire(teacher, values["personnel_school_id"], hired,
                           working_school_id=values["working_school_id"], posted=posted)
    # The tier is derived from awards: a teacher in their first years starts as 新任教师.
    tiers.award_on_hire(actor, teacher, hired, today)
    summary = _audit_summary(audit.changes(teacher, TEACHER_FIELDS, {}))
    summary["assignments"] = [[r.kind.value, r.school_id, r.start_date.isoformat()] for r in rows]
    audit.record(actor, "teacher.create", teacher, summary)
    return teacher


def update_teacher(actor: User, teacher: Teacher, data: Mapping[str, Any] | inputs.TeacherInput, today: date | None = None) -> Teacher:
    """Change a teacher's record; keep the assignment history in step; audit the diff."""
    _require_teacher_edit(actor, teacher)
    return rewrite_teacher(actor, teacher, data, today)


def rewrite_teacher(actor: User, teacher: Teacher, data: Mapping[str, Any] | inputs.TeacherInput,
                    today: date | None = None) -> Teacher:
    """``update_teacher`` after the permission check (the import checks its own and the scope)."""
    today = _today(today)
    values, inp = _clean_teacher(actor, _raw(data), teacher, today)
    effective = inp.effective_date or today
    before = audit.snapshot(teacher, TEACHER_FIELDS)
    # A corrected service start carries the hire row with it when that row began on the old date.
    if values["service_start"] != teacher.service_start:
        for row in teacher.assignments:
            if (row.kind == AssignmentKind.HIRE and row.start_date == teacher.service_start
                    and (row.end_date is None or row.end_date >= values["service_start"])):
                row.start_date = values["service_start"]
    opened = placements.relocate(teacher, values["personnel_school_id"], values["working_school_id"], effective)
    for key, value in values.items():
        setattr(teacher, key, value)
    db.session.flush()
    db.session.expire(teacher, ["assignments"])
    summary = _audit_summary(audit.changes(teacher, TEACHER_FIELDS, before))
    if opened:
        summary["assignments"] = [[r.kind.value, r.school_id, r.start_date.isoformat()] for r in opened]
    if summary:
        audit.record(actor, "teacher.update", teacher, summary)
    return teacher


def subject_choices(user: User) -> list[str]:
    """Subjects present in the user's scope, for the filter list."""
    stmt = select(Teacher.subject).where(teacher_filter(user)).distinct()
    return sorted(s for s in db.session.scalars(stmt) if s)


