"""What each export contains, as rows for ``teachers.io.writer``, and the audit record of every export.

Each function takes the viewer, checks permission and scope with the same services the pages use
(so an export holds exactly the rows the page shows for the same filters), and returns an ``Export``.
Personal data goes through ``teachers.masking.personal`` — the one rule of who sees what. Nothing here
commits: ``record()`` appends the audit row (who, what, how many rows, which filters) and flushes;
the view or the command commits after the file is written.

Exports:

* ``teachers`` — the teacher list with the list's search and filters (its columns match the import
  template's headers, so an exported file can be imported back in update mode);
* ``schools`` — the school table with the list's filters and the teacher counts;
* ``training`` — training compliance: every serving teacher's counted hours in the current cycle
  against the required hours, what is missing and whether they are behind;
* ``national`` — the teacher list in the layout of the national teacher management information
  system (``teachers.io.national``);
* ``plan`` — a solve run's proposed moves; ``final_list`` — a round's final list (公示名单).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from teachers import audit
from teachers.auth.permissions import has_permission, mask_id_number
from teachers.errors import PermissionDenied
from teachers.extensions import db
from teachers.io import national
from teachers.io.writer import Column, Sheet
from teachers.labels import label
from teachers.masking import personal, sees_full
from teachers.models import AssignmentKind, Role, School, Teacher, User
from teachers.records import services as records
from teachers.records.forms import looks_like_id_number

KINDS = ("teachers", "schools", "training", "national", "plan", "final_list")
#: Audit actions: ``export.<kind>``, but the final list keeps the action rotation has always written.
ACTIONS = {"final_list": "rotation.export"}

TEACHER_COLUMNS = (
    Column(_l("工号"), text=True), Column(_l("姓名")), Column(_l("性别")), Column(_l("身份证号"), text=True),
    Column(_l("出生日期")), Column(_l("联系电话"), text=True), Column(_l("学段")), Column(_l("学科")),
    Column(_l("兼教学科")), Column(_l("职称")), Column(_l("学历")), Column(_l("人事学校代码"), text=True),
    Column(_l("人事关系所在学校")), Column(_l("任教学校代码"), text=True), Column(_l("任教学校")),
    Column(_l("入职日期")), Column(_l("参加工作日期")), Column(_l("在岗状态")),
)

SCHOOL_COLUMNS = (
    Column(_l("学校代码"), text=True), Column(_l("学校名称")), Column(_l("所属县域")), Column(_l("街道/乡镇")),
    Column(_l("学区")), Column(_l("城乡类别")), Column(_l("办学类型")), Column(_l("学前在园幼儿数")),
    Column(_l("小学在校生数")), Column(_l("初中在校生数")), Column(_l("高中在校生数")), Column(_l("中职在校生数")),
    Column(_l("核定编制数")), Column(_l("在编人数")), Column(_l("在本校任教人数")), Column(_l("教学点")),
    Column(_l("所属中心校代码"), text=True), Column(_l("经度")), Column(_l("纬度")), Column(_l("校长姓名")),
    Column(_l("联系电话"), text=True), Column(_l("地址")), Column(_l("在用")),
)

TRAINING_COLUMNS = (
    Column(_l("工号"), text=True), Column(_l("姓名")), Column(_l("任教学校代码"), text=True), Column(_l("任教学校")),
    Column(_l("周期")), Column(_l("应修学时")), Column(_l("已确认学时")), Column(_l("待审核学时")),
    Column(_l("还差学时")), Column(_l("年度不足的年份")), Column(_l("完成率（%）")), Column(_l("进度落后")),
)

PLAN_COLUMNS = (
    Column(_l("工号"), text=True), Column(_l("姓名")), Column(_l("交出学校代码"), text=True), Column(_l("交出学校")),
    Column(_l("交出学校城乡")), Column(_l("接收学校代码"), text=True), Column(_l("接收学校")),
    Column(_l("接收学校城乡")), Column(_l("志愿序号")), Column(_l("距离（公里）")), Column(_l("人工指定")),
    Column(_l("理由"), width=60),
)


@dataclass
class Export:
    kind: str
    sheet: Sheet
    filename: str  # without the extension
    filters: dict[str, Any] = field(default_factory=dict)
    masked: bool = True  # whether ID numbers were masked for this viewer
    object: Any = None  # the round or run exported, for the audit row


class _Labels:
    """``label()`` remembered per value for one export: the language is fixed while a file is written,
    and translating the same few enum values for every row was 40 % of a 20,000-row export."""

    def __init__(self) -> None:
        self.known: dict[tuple[type, Any], str] = {}

    def __getitem__(self, value: Any) -> str:
        # keyed by the type too: str-valued enums of different kinds may share a value ("secondary")
        key = (type(value), value)
        if key not in self.known:
            self.known[key] = label(value)
        return self.known[key]


def _yes(value: bool) -> str:
    return _("是") if value else _("否")


def _audit_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """The filters as the audit row keeps them: no empty ones, and a searched ID number masked (inspectors
    read the audit log)."""
    out = {k: v for k, v in filters.items() if v not in (None, "")}
    if isinstance(out.get("q"), str) and looks_like_id_number(out["q"]):
        out["q"] = mask_id_number(out["q"])
    return out


def record(viewer: User | None, export: Export, fmt: str, *, actor_username: str | None = None) -> None:
    """The audit row of a finished export: who, what, in which format, how many rows, with which filters."""
    summary = {"rows": export.sheet.written, "format": fmt, "filters": _audit_filters(export.filters),
               "masked": export.masked}
    obj = export.object
    audit.record(viewer if getattr(viewer, "id", None) else None, ACTIONS.get(export.kind, f"export.{export.kind}"),
                 object_type=obj.__tablename__ if obj is not None else "export",
                 object_id=str(obj.id) if obj is not None else export.kind, summary=summary,
                 actor_username=actor_username)


# ------------------------------------------------------------------------------------------ teachers


def _arrival(teacher: Teacher) -> date | None:
    """入职日期: when the teacher came to the personnel school (its latest hire or transfer row)."""
    starts = [a.start_date for a in teacher.assignments
              if a.school_id == teacher.personnel_school_id and a.kind in (AssignmentKind.HIRE, AssignmentKind.TRANSFER)]
    return max(starts) if starts else None


def _scoped_teachers(viewer: User, q: str | None, filters: dict[str, Any], sort: str, descending: bool,
                     today: date | None) -> Iterator[Teacher]:
    if not has_permission(viewer, "teacher.view") or viewer.role == Role.TEACHER:
        raise PermissionDenied(_("您没有权限导出教师名单。"))
    stmt = records.teacher_query(viewer, q=q, **{k: filters.get(k) for k in records.TEACHER_FILTERS})
    stmt = records.order_teachers(stmt, sort, descending, today or date.today())
    stmt = stmt.options(selectinload(Teacher.working_school), selectinload(Teacher.personnel_school),
                        selectinload(Teacher.assignments))
    return iter(db.session.scalars(stmt.execution_options(yield_per=1000)))  # checked and queried now, read as written


def _birth(p, teacher: Teacher) -> Any:
    return teacher.birth_date if len(p.birth_date) == 10 else p.birth_date


def teachers(viewer: User, q: str | None = None, filters: dict[str, Any] | None = None, *, sort: str = "staff_no",
             descending: bool = False, today: date | None = None) -> Export:
    """The teacher list as on screen: same search, filters, order and scope; personal data as the viewer may see it."""
    filters = dict(filters or {})
    found = _scoped_teachers(viewer, q, filters, sort, descending, today)

    def rows() -> Iterator[list[Any]]:
        lab = _Labels()
        for t in found:
            p = personal(viewer, t)
            yield [t.staff_no, t.name, lab[t.gender], p.id_number, _birth(p, t), p.phone, lab[t.stage], t.subject,
                   "、".join(t.other_subjects or []), lab[t.title], lab[t.degree], t.personnel_school.code,
                   t.personnel_school.name, t.working_school.code, t.working_school.name, _arrival(t),
                   t.service_start, lab[t.status]]

    return Export("teachers", Sheet(_("教师名单"), TEACHER_COLUMNS, rows()), _("教师名单"),
                  {"q": q, **filters, "sort": sort, "dir": "desc" if descending else "asc"}, not sees_full(viewer))


def national_layout(viewer: User, q: str | None = None, filters: dict[str, Any] | None = None, *,
                    today: date | None = None) -> Export:
    """The teacher list (same search, filters and scope) in the national system's basic-information layout."""
    filters = dict(filters or {})
    found = _scoped_teachers(viewer, q, filters, "staff_no", False, today)

    def rows() -> Iterator[list[Any]]:
        lab = _Labels()
        for t in found:
            yield national.row(t, personal(viewer, t), _arrival(t), lab.__getitem__)

    return Export("national", Sheet(_("教职工基本信息"), national.COLUMNS, rows()), _("教职工基本信息（全国教师管理信息系统格式）"),
                  {"q": q, **filters}, not sees_full(viewer))


# ------------------------------------------------------------------------------------------ schools


def schools(viewer: User, *, area: str | None = None, kind: str | None = None, subdistrict: str | None = None,
            q: str | None = None) -> Export:
    """The school table as on the list page (same filters and scope); principals have no list page."""
    if not has_permission(viewer, "school.view") or viewer.role in (Role.PRINCIPAL, Role.TEACHER):
        raise PermissionDenied(_("您没有权限导出学校名单。"))
    found = records.list_schools(viewer, area=area, kind=kind, subdistrict=subdistrict, q=q)
    central = {s.id: s.code for s in db.session.scalars(
        select(School).where(School.id.in_({r.school.central_school_id for r in found if r.school.central_school_id})))}

    def rows() -> Iterator[list[Any]]:
        lab = _Labels()
        for r in found:
            s = r.school
            yield [s.code, s.name, s.county.name, s.subdistrict, s.school_district, lab[s.area], lab[s.kind],
                   s.pupils_preschool, s.pupils_primary, s.pupils_junior, s.pupils_senior, s.pupils_vocational,
                   s.staffing_quota, r.personnel, r.working, _yes(s.is_teaching_point),
                   central.get(s.central_school_id, ""), s.longitude, s.latitude, s.principal_name, s.phone,
                   s.address, _yes(s.active)]

    return Export("schools", Sheet(_("学校名单"), SCHOOL_COLUMNS, rows()), _("学校名单"),
                  {"area": area, "kind": kind, "subdistrict": subdistrict, "q": q}, masked=False)


# ------------------------------------------------------------------------------------------ training


def training(viewer: User, today: date) -> Export:
    """Training compliance in the current cycle for every serving teacher the overview page counts."""
    from teachers.development import training as development

    if not has_permission(viewer, "training.overview"):
        raise PermissionDenied(_("您没有权限导出培训学时完成情况。"))
    found = development.progress_rows(viewer, today)

    def rows() -> Iterator[list[Any]]:
        for t, p in found:
            behind = not p.complete
            yield [t.staff_no, t.name, t.working_school.code, t.working_school.name,
                   f"{p.cycle.first_year}–{p.cycle.last_year}", p.required, p.counted, p.pending, p.missing,
                   "、".join(str(y) for y in p.short_years), p.percent, _yes(behind)]

    return Export("training", Sheet(_("培训学时完成情况"), TRAINING_COLUMNS, rows()), _("培训学时完成情况"),
                  {"today": today.isoformat()}, masked=False)


# ------------------------------------------------------------------------------------------ rotation


def plan(viewer: User, run_id: int) -> Export:
    """A solve run's proposed moves with their reasons in the reader's language (HR, inspector, admin in scope)."""
    from teachers.rotation import review
    from teachers.rotation.jobs import get_run

    run = get_run(viewer, run_id)
    found = review.move_rows(run)

    def rows() -> Iterator[list[Any]]:
        for m in found:
            yield [m.staff_no, m.name, m.from_code, m.from_name, m.from_area, m.to_code, m.to_name, m.to_area,
                   m.wish_rank, m.km, _yes(m.pinned), "；".join(m.reasons)]

    return Export("plan", Sheet(_("交流方案"), PLAN_COLUMNS, rows()), _("交流方案-%(id)d", id=run.id),
                  {"run": run.id}, masked=False, object=run)


def final_list(viewer: User, round_id: int) -> Export:
    """A round's final list (see ``teachers.rotation.export``)."""
    from teachers.rotation import export as rotation_export

    rnd, sheet = rotation_export.final_list_sheet(viewer, round_id)
    return Export("final_list", sheet, _("%(county)s-%(year)d-交流名单", county=rnd.county.name, year=rnd.year),
                  {"round": rnd.id}, masked=True, object=rnd)
