"""Importing schools and teachers from a spreadsheet: preview every problem, then write all or nothing.

``preview(actor, kind, data, filename, update=…)`` reads the file (``teachers.io.reader``), fills the
typed input of each row (``teachers.records.inputs``) and checks it with the same rules the forms use,
then checks the whole file set-wise against the database — one query for all staff numbers and ID
numbers, one for the schools — and returns a ``Preview``: every problem by row and column, and what
would be created or (in update mode, by staff number / school code) changed, field by field. Nothing
is written. ``apply(…)`` previews again and, only when the file is clean, writes every row in the
caller's transaction and appends one audit row for the batch (kind, mode, counts, the file's name and
SHA-256); the caller commits.

Spreadsheet habits handled (each a message naming the cell): an ID number Excel turned into a number
(``1.10105E+17``: the digits are lost) or whose trailing ``X`` was dropped (17 digits), a bad check
digit, an ID that disagrees with the birth date or the gender, an unknown school code or one outside
the importer's county, a staff number repeated in the file or (create-only) already in the database,
impossible dates (Excel serial dates are read as dates), an unknown subject, title, degree, stage or
status, a missing required value, a formula, merged cells, an empty file, a second sheet. Values are
read as labels or codes alike (``高级教师`` or ``senior``), so an export can be imported back.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select

from teachers import audit, guard, policy
from teachers.auth.permissions import has_permission, school_in_scope
from teachers.errors import DomainError, PermissionDenied
from teachers.extensions import db
from teachers.io.reader import Issue, Row, Spec, Table, read
from teachers.labels import label
from teachers.models import (
    County,
    School,
    Teacher,
    TeacherStatus,
    Tier,
    User,
)
from teachers.models.development import TierAward
from teachers.records import history, idcard, inputs, placements
from teachers.records import services as records

KINDS = ("schools", "teachers", "training")

TEACHER_SPEC = Spec(
    headers={
        "staff_no": ("工号", "教职工号", "职工号", "教师编号", "人员编号", "编号"),
        "name": ("姓名", "教师姓名", "教职工姓名"),
        "gender": ("性别",),
        "id_number": ("身份证号", "身份证号码", "公民身份号码", "身份证件号码", "证件号码", "身份证", "居民身份证号码"),
        "birth_date": ("出生日期", "出生年月日", "出生年月", "生日"),
        "phone": ("联系电话", "手机号", "手机号码", "电话", "手机"),
        "stage": ("学段", "任教学段"),
        "subject": ("学科", "主教学科", "任教学科", "所教学科"),
        "other_subjects": ("兼教学科", "兼任学科"),
        "title": ("职称", "专业技术职务", "专业技术职称"),
        "degree": ("学历", "最高学历"),
        "personnel_school_code": ("人事学校代码", "人事关系学校代码", "人事关系所在学校代码"),
        "working_school_code": ("任教学校代码", "工作学校代码"),
        "hire_date": ("入职日期", "到校时间", "到本校时间", "到校日期"),
        "service_start": ("参加工作日期", "参加工作时间", "参加工作年月"),
        "status": ("在岗状态", "状态", "人员状态"),
        "rotation_exempt": ("本年度暂缓交流", "暂缓交流"),
        "rotation_exempt_reason": ("暂缓交流原因",),
    },
    required=("staff_no", "name", "gender", "birth_date", "service_start", "personnel_school_code", "stage",
              "subject", "degree"),
    ignored=("人事关系所在学校", "任教学校", "序号"),
)

SCHOOL_SPEC = Spec(
    headers={
        "code": ("学校代码", "学校标识码", "学校编码", "代码"),
        "name": ("学校名称", "学校", "名称"),
        "county": ("所属县域", "县（市、区）", "县域", "所属县区"),
        "subdistrict": ("街道/乡镇", "乡镇", "街道", "乡镇（街道）"),
        "school_district": ("学区",),
        "area": ("城乡类别", "城乡", "城乡分类"),
        "kind": ("办学类型", "学校类型"),
        "pupils_preschool": ("学前在园幼儿数", "在园幼儿数"),
        "pupils_primary": ("小学在校生数",),
        "pupils_junior": ("初中在校生数",),
        "pupils_senior": ("高中在校生数",),
        "pupils_vocational": ("中职在校生数",),
        "staffing_quota": ("核定编制数", "编制数"),
        "is_teaching_point": ("教学点", "是否教学点"),
        "central_school_code": ("所属中心校代码", "中心校代码"),
        "longitude": ("经度",),
        "latitude": ("纬度",),
        "principal_name": ("校长姓名", "校长"),
        "phone": ("联系电话", "电话"),
        "address": ("地址", "学校地址"),
        "active": ("在用", "是否在用"),
    },
    required=("code", "name", "area", "kind"),
    ignored=("在编人数", "在本校任教人数", "序号"),
)

TRAINING_SPEC = Spec(
    headers={
        "staff_no": ("工号", "教职工号", "职工号", "教师编号"),
        "name": ("姓名", "教师姓名"),
        "title": ("培训名称", "培训项目", "项目名称", "培训内容"),
        "level": ("培训级别", "级别", "培训类别"),
        "provider": ("主办单位", "培训机构", "承办单位", "组织单位"),
        "start_on": ("开始日期", "培训开始日期", "开始时间"),
        "end_on": ("结束日期", "培训结束日期", "结束时间"),
        "hours": ("学时", "培训学时"),
        "credits": ("学分",),
    },
    required=("staff_no", "title", "level", "provider", "start_on", "end_on"),
    ignored=("序号", "任教学校", "任教学校代码"),
)

SPECS = {"teachers": TEACHER_SPEC, "schools": SCHOOL_SPEC, "training": TRAINING_SPEC}
ACTIONS = {"teachers": "import.teachers", "schools": "import.schools", "training": "import.training"}
#: The subjects known without a teacher teaching them yet; a subject already in the database is known too.
SUBJECTS = frozenset({s for group in policy.RELATED_SUBJECTS for s in group} | {
    "语文", "数学", "英语", "物理", "化学", "生物", "历史", "地理", "政治", "道德与法治", "体育", "体育与健康",
    "音乐", "美术", "科学", "信息技术", "劳动", "心理健康", "综合实践", "通用技术", "书法", "日语", "俄语",
    "学前教育", "特殊教育", "计算机应用", "幼儿保育", "电子商务", "旅游服务与管理", "农机设备应用与维修"})

FIELD_LABELS: dict[str, Any] = {
    "staff_no": _l("工号"), "name": _l("姓名"), "gender": _l("性别"), "id_number": _l("身份证号"),
    "birth_date": _l("出生日期"), "phone": _l("联系电话"), "stage": _l("学段"), "subject": _l("学科"),
    "other_subjects": _l("兼教学科"), "title": _l("职称"), "degree": _l("学历"),
    "personnel_school_id": _l("人事学校代码"), "working_school_id": _l("任教学校代码"),
    "service_start": _l("参加工作日期"), "status": _l("在岗状态"), "rotation_exempt": _l("本年度暂缓交流"),
    "rotation_exempt_reason": _l("暂缓交流原因"), "hire_date": _l("入职日期"),
    "code": _l("学校代码"), "county_id": _l("所属县域"), "subdistrict": _l("街道/乡镇"), "school_district": _l("学区"),
    "area": _l("城乡类别"), "kind": _l("办学类型"), "central_school_id": _l("所属中心校代码"),
    "is_teaching_point": _l("教学点"), "principal_name": _l("校长姓名"), "address": _l("地址"), "active": _l("在用"),
}
#: Input fields whose problems belong to another column of the file.
COLUMN_OF = {"personnel_school_id": "personnel_school_code", "working_school_id": "working_school_code",
             "central_school_id": "central_school_code", "county_id": "county"}


@dataclass
class Change:
    row: int
    key: str  # staff number or school code
    name: str
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)  # field label → (old, new), display text


@dataclass
class Preview:
    kind: str
    filename: str
    sha256: str
    update: bool
    table: Table
    creates: list[Change] = field(default_factory=list)
    updates: list[Change] = field(default_factory=list)
    unchanged: int = 0
    #: Validated values per row, for apply (row number → what to write)
    plan: list[tuple[Row, Any, Any]] = field(default_factory=list)

    @property
    def issues(self) -> list[Issue]:
        return sorted(self.table.issues, key=lambda i: (i.row or 0, i.column or ""))

    @property
    def ok(self) -> bool:
        return not self.table.issues

    @property
    def rows(self) -> int:
        return len(self.table.rows)

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "created": len(self.creates), "updated": len(self.updates),
                "unchanged": self.unchanged, "problems": len(self.table.issues)}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _require(actor: User, kind: str) -> None:
    if kind not in KINDS:
        raise DomainError(_("导入内容“%(kind)s”无效。", kind=kind))
    if not has_permission(actor, "records.import"):
        raise PermissionDenied(_("只有人事科和系统管理员可以批量导入。"))


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "、".join(value)
    if hasattr(value, "value"):
        return label(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _report(table: Table, row: Row, problems: Iterable[inputs.Problem], masked: set[str] = frozenset()) -> None:
    for p in problems:
        key = COLUMN_OF.get(p.field, p.field)
        if key not in table.columns:
            # a rule about a column the file does not have (e.g. the working school, defaulted): name the row
            table.issues.append(Issue(f"{FIELD_LABELS.get(p.field, p.field)}：{p.message}", row.number))
        else:
            table.at(row.number, key, p.message)


# ------------------------------------------------------------------------------------------ ID numbers


def _id_number_problem(raw: Any) -> str | None:
    """What Excel did to an ID number, when it did something: turned it into a number, or dropped the X."""
    if isinstance(raw, float) or (isinstance(raw, str) and "e+" in raw.lower()):
        return _("身份证号被 Excel 转成了科学计数法的数字（如 1.10105E+17），后几位已丢失：请把该列设为“文本”后重新填写。")
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
        if len(raw) == 18:
            return None
    digits = idcard.normalise(raw if isinstance(raw, str) else "")
    if len(digits) == 17 and digits.isdigit() and idcard.check_char(digits) == "X":
        return _("身份证号只有17位，末位的“X”可能被 Excel 丢掉了：请把该列设为“文本”后补上“X”。")
    return None


# ------------------------------------------------------------------------------------------ teachers


@dataclass
class _World:
    """What the database holds that a whole file is checked against, each read in one query."""

    schools: dict[str, School]
    staff: dict[str, int]  # staff number → teacher id
    ids: dict[str, int]  # ID number → teacher id
    subjects: set[str]
    counties: dict[str, County] = field(default_factory=dict)


def _teacher_world() -> _World:
    schools = {s.code: s for s in db.session.scalars(select(School))}
    staff: dict[str, int] = {}
    ids: dict[str, int] = {}
    subjects: set[str] = set()
    for tid, staff_no, number, subject in db.session.execute(
            select(Teacher.id, Teacher.staff_no, Teacher.id_number, Teacher.subject)):
        staff[staff_no] = tid
        if number:
            ids[number] = tid
        subjects.add(subject)
    return _World(schools, staff, ids, subjects)


def _school_of(actor: User, world: _World, table: Table, row: Row, key: str, current_id: int | None) -> School | None:
    code = inputs.as_text(row.values.get(key))
    if not code:
        return None
    school = world.schools.get(code)
    if school is None:
        table.at(row.number, key, _("找不到学校代码“%(code)s”。", code=code))
        return None
    if not school_in_scope(actor, school):
        table.at(row.number, key, _("学校“%(code)s”不在您管理的县域内。", code=code))
        return None
    if not school.active and school.id != current_id:
        table.at(row.number, key, _("学校“%(name)s（%(code)s）”已停用。", name=school.name, code=code))
        return None
    return school


def _teacher_rows(actor: User, table: Table, update: bool, today: date) -> list[tuple[Row, Any, Any]]:
    world = _teacher_world()
    counts = Counter(inputs.as_text(r.values.get("staff_no")) for r in table.rows)
    id_counts = Counter(idcard.normalise(inputs.as_text(r.values.get("id_number"))) for r in table.rows)
    existing_ids = [world.staff[s] for s in counts if s in world.staff]
    current: dict[int, Teacher] = {}
    if update and existing_ids:
        for i in range(0, len(existing_ids), 5000):
            chunk = existing_ids[i:i + 5000]
            current.update({t.id: t for t in db.session.scalars(select(Teacher).where(Teacher.id.in_(chunk)))})
    plan = []
    for row in table.rows:
        raw = row.values
        staff_no = inputs.as_text(raw.get("staff_no"))
        teacher = current.get(world.staff.get(staff_no, -1)) if update else None
        if staff_no and counts[staff_no] > 1:
            others = [str(r.number) for r in table.rows
                      if r is not row and inputs.as_text(r.values.get("staff_no")) == staff_no][:5]
            table.at(row.number, "staff_no", _("工号 %(no)s 在文件中重复（另见第%(rows)s行）。", no=staff_no,
                                               rows="、".join(others)))
        elif staff_no in world.staff and not update:
            table.at(row.number, "staff_no", _("工号 %(no)s 已存在：如需修改已有教师，请选择“按工号更新”。", no=staff_no))
        id_raw = raw.get("id_number")
        excel_problem = _id_number_problem(id_raw)
        if excel_problem:
            table.at(row.number, "id_number", excel_problem)
            raw = {**raw, "id_number": None}
        before = audit.snapshot(teacher, records.TEACHER_FIELDS) if teacher is not None else {}
        given = {k: v for k, v in raw.items() if k in inputs.TEACHER_INPUT_FIELDS}
        merged = {**before, **given}
        personnel = _school_of(actor, world, table, row, "personnel_school_code", before.get("personnel_school_id"))
        working = _school_of(actor, world, table, row, "working_school_code", before.get("working_school_id"))
        if "personnel_school_code" in raw:
            merged["personnel_school_id"] = personnel.id if personnel else None
            if not inputs.as_text(raw.get("personnel_school_code")):
                table.at(row.number, "personnel_school_code", _("请填写此项。"))
        else:
            personnel = teacher.personnel_school if teacher is not None else None
        if inputs.as_text(raw.get("working_school_code")):
            merged["working_school_id"] = working.id if working else None
        elif "working_school_code" in raw or teacher is None:
            merged["working_school_id"], working = merged.get("personnel_school_id"), personnel
        else:
            working = teacher.working_school
        if teacher is not None:
            merged.pop("hire_date", None)  # the arrival belongs to the history, set once at creation
        inp, problems = inputs.teacher_input(merged)
        # The ID number must agree with the gender when either is entered or changed (records kept before
        # this rule may disagree; re-importing them unchanged is not refused for it).
        fresh = teacher is None or inp.id_number != (teacher.id_number or "") or inp.gender != teacher.gender
        inputs.check_teacher(inp, today, problems, id_gender=fresh)
        _report(table, row, problems)
        if inp.subject and inp.subject not in SUBJECTS and inp.subject not in world.subjects:
            table.at(row.number, "subject", _("未知学科“%(s)s”：请从模板的下拉列表中选择。", s=inp.subject))
        number = inp.id_number
        if number and id_counts[number] > 1:
            table.at(row.number, "id_number", _("身份证号在文件中重复。"))
        elif number and world.ids.get(number) not in (None, teacher.id if teacher else None):
            table.at(row.number, "id_number", _("该身份证号已登记在其他教师名下。"))
        if personnel is not None and working is not None:
            if working.county_id != personnel.county_id:
                table.at(row.number, "working_school_code", _("任教学校与人事关系学校须在同一县域。"))
            elif inp.stage is not None and inp.stage not in working.stages:
                table.at(row.number, "stage", _("任教学校%(school)s不开设%(stage)s学段。", school=working.name,
                                                stage=label(inp.stage)))
        if personnel is None or working is None:
            continue
        try:
            status = records._derived_status(inp.status, works_elsewhere=working.id != personnel.id,
                                             chosen="status" in raw, was=before.get("status"))
        except DomainError as exc:
            table.at(row.number, "status", exc.message)
            continue
        plan.append((row, teacher, (inp, status)))
    return plan


def _teacher_values(inp: inputs.TeacherInput, status: TeacherStatus) -> dict[str, Any]:
    return {"staff_no": inp.staff_no, "name": inp.name, "gender": inp.gender, "birth_date": inp.birth_date,
            "id_number": inp.id_number or None, "phone": inp.phone, "service_start": inp.service_start,
            "personnel_school_id": inp.personnel_school_id, "working_school_id": inp.working_school_id,
            "stage": inp.stage, "subject": inp.subject, "other_subjects": inp.other_subjects, "degree": inp.degree,
            "title": inp.title, "status": status, "rotation_exempt": inp.rotation_exempt,
            "rotation_exempt_reason": inp.rotation_exempt_reason}


def _school_code(school_id: Any, schools: dict[int, School]) -> str:
    school = schools.get(school_id)
    return school.code if school else ""


def _diff(before: dict[str, Any], after: dict[str, Any], schools: dict[int, School]) -> dict[str, tuple[str, str]]:
    out = {}
    for key, new in after.items():
        old = before.get(key)
        if old == new or (old in (None, "", []) and new in (None, "", [])):
            continue
        if key.endswith("_school_id"):
            shown = (_school_code(old, schools), _school_code(new, schools))
        else:
            shown = (_display(old), _display(new))
        out[str(FIELD_LABELS.get(key, key))] = shown
    return out


def _preview_teachers(actor: User, preview: Preview, today: date) -> None:
    table = preview.table
    plan = _teacher_rows(actor, table, preview.update, today)
    schools = {s.id: s for s in db.session.scalars(select(School))}
    for row, teacher, (inp, status) in plan:
        values = _teacher_values(inp, status)
        if teacher is None:
            preview.creates.append(Change(row.number, inp.staff_no, inp.name))
            preview.plan.append((row, None, (inp, values)))
            continue
        changes = _diff(audit.snapshot(teacher, records.TEACHER_FIELDS), values, schools)
        if changes:
            preview.updates.append(Change(row.number, inp.staff_no, inp.name, changes))
            preview.plan.append((row, teacher, (inp, values)))
        else:
            preview.unchanged += 1


def _mentoring_years(county_ids: set[int]) -> dict[int, float]:
    counties = {c.id: c for c in db.session.scalars(select(County).where(County.id.in_(county_ids)))}
    return {cid: policy.effective(c.policy)["new_teacher_mentoring_years"] for cid, c in counties.items()}


def _write_teachers(actor: User, preview: Preview, today: date) -> None:
    """New teachers, their hire (and exchange) rows and tier awards in bulk inserts — the flush's value guard
    applied to the rows first — then the updates one by one through the records service."""
    creates = [(inp, values) for _row, teacher, (inp, values) in preview.plan if teacher is None]
    schools = {s.id: s for s in db.session.scalars(select(School))}
    if creates:
        people = [values for _inp, values in creates]
        guard.check_values(Teacher, people)
        ids = list(db.session.scalars(insert(Teacher).returning(Teacher.id, sort_by_parameter_order=True), people))
        mentoring = _mentoring_years({schools[v["personnel_school_id"]].county_id for v in people})
        rows: list[dict[str, Any]] = []
        awards: list[dict[str, Any]] = []
        for teacher_id, (inp, values) in zip(ids, creates, strict=True):
            hired = inp.hire_date or values["service_start"]
            rows += placements.hire_rows(teacher_id, values["personnel_school_id"], hired,
                                         working_school_id=values["working_school_id"],
                                         posted=max(inp.effective_date or today, hired))
            county_id = schools[values["personnel_school_id"]].county_id
            if history.years_between(values["service_start"], today) < mentoring[county_id]:
                # as tiers.award_on_hire: a teacher within the mentoring years starts as 新任教师
                awards.append({"teacher_id": teacher_id, "tier": Tier.NEW, "reason": "新入职",
                               "awarded_on": max(hired, values["service_start"]), "decided_by_id": actor.id})
        placements.hire_many(rows)  # the one writer of where a teacher works
        if awards:
            db.session.execute(insert(TierAward), awards)
    for _row, teacher, (inp, values) in preview.plan:
        if teacher is not None:
            records.rewrite_teacher(actor, teacher, values, today=today)


# ------------------------------------------------------------------------------------------ schools


def _preview_schools(actor: User, preview: Preview, today: date) -> None:
    table = preview.table
    existing = {s.code: s for s in db.session.scalars(select(School))}
    counties = {c.name: c for c in db.session.scalars(select(County))}
    codes = Counter(inputs.as_text(r.values.get("code")) for r in table.rows)
    in_file = {inputs.as_text(r.values.get("code")): r for r in table.rows}
    for row in table.rows:
        raw = dict(row.values)
        code = inputs.as_text(raw.get("code"))
        school = existing.get(code) if preview.update else None
        if code and codes[code] > 1:
            table.at(row.number, "code", _("学校代码 %(code)s 在文件中重复。", code=code))
        elif code in existing and not preview.update:
            table.at(row.number, "code", _("学校代码 %(code)s 已存在：如需修改已有学校，请选择“按代码更新”。", code=code))
        elif school is not None and not school_in_scope(actor, school):
            table.at(row.number, "code", _("学校“%(code)s”不在您管理的县域内。", code=code))
            continue
        if "county" in raw:
            name = inputs.as_text(raw.pop("county"))
            county = counties.get(name) if name else None
            if name and county is None:
                table.at(row.number, "county", _("找不到县（市、区）“%(name)s”。", name=name))
            elif county is not None and actor.county_id is not None and county.id != actor.county_id:
                table.at(row.number, "county", _("只能导入本县域的学校。"))
            raw["county_id"] = county.id if county else (school.county_id if school else actor.county_id)
        elif school is None:
            raw["county_id"] = actor.county_id
        central_code = inputs.as_text(raw.pop("central_school_code", None)) if "central_school_code" in raw else None
        before = audit.snapshot(school, records.SCHOOL_FIELDS) if school is not None else {}
        merged = {**before, **raw}
        if central_code is not None:
            central = existing.get(central_code)
            merged["central_school_id"] = central.id if central else None
            if central_code and central is None and central_code not in in_file:
                table.at(row.number, "central_school_code", _("找不到学校代码“%(code)s”。", code=central_code))
        inp, problems = inputs.school_input(merged)
        inputs.check_school(inp, problems)
        if inp.is_teaching_point and not central_code and not inp.central_school_id:
            problems.add("central_school_id", _("教学点须填写所属中心校代码。"))
        if not inp.county_id and "county" in table.columns:
            problems.add("county_id", _("请填写此项。"))
        _report(table, row, problems)
        if not problems:
            values = {k: getattr(inp, k) for k in records.SCHOOL_FIELDS}
            values["_central_code"] = central_code
            if school is None:
                preview.creates.append(Change(row.number, code, inp.name))
                preview.plan.append((row, None, values))
            else:
                changes = _diff(before, {k: v for k, v in values.items() if not k.startswith("_")}, {
                    s.id: s for s in existing.values()})
                if changes:
                    preview.updates.append(Change(row.number, code, inp.name, changes))
                    preview.plan.append((row, school, values))
                else:
                    preview.unchanged += 1


def _write_schools(actor: User, preview: Preview, today: date) -> None:
    created: dict[str, School] = {}
    # central schools first, so a teaching point may name a central school of the same file
    ordered = sorted(preview.plan, key=lambda p: bool(p[2]["is_teaching_point"]))
    for row, school, values in ordered:
        values = dict(values)
        central_code = values.pop("_central_code")
        if central_code and central_code in created:
            values["central_school_id"] = created[central_code].id
        try:
            if school is None:
                created[values["code"]] = records.write_school(actor, values)
            else:
                records.rewrite_school(actor, school, values)
        except DomainError as exc:
            preview.table.at(row.number, COLUMN_OF.get(exc.field or "", exc.field or "code"), exc.message)
            raise


# ------------------------------------------------------------------------------------------ training


def _preview_training(actor: User, preview: Preview, today: date) -> None:
    """Training records (create-only: an import adds hours, it never rewrites a record). Each row is checked
    by the training service's own rules (``teachers.development.training.clean``: level, dates within the
    current cycle, hours or credits, the daily maximum, a record already there); the teachers are read in
    one query for every staff number of the file."""
    from sqlalchemy.orm import selectinload

    from teachers.auth.permissions import teacher_in_scope
    from teachers.development import training
    from teachers.models import ProgrammeLevel

    table = preview.table
    wanted = {inputs.as_text(r.values.get("staff_no")) for r in table.rows} - {""}
    found: dict[str, Teacher] = {}
    numbers = sorted(wanted)
    for i in range(0, len(numbers), 5000):
        found.update({t.staff_no: t for t in db.session.scalars(
            select(Teacher).where(Teacher.staff_no.in_(numbers[i:i + 5000]))
            .options(selectinload(Teacher.personnel_school)))})
    seen: dict[tuple[str, str, Any], int] = {}
    for row in table.rows:
        raw = row.values
        staff_no = inputs.as_text(raw.get("staff_no"))
        teacher = found.get(staff_no)
        if not staff_no:
            table.at(row.number, "staff_no", _("请填写此项。"))
            continue
        if teacher is None or not teacher_in_scope(actor, teacher):
            table.at(row.number, "staff_no", _("找不到工号为 %(no)s 的教师（或不在您管理的县域内）。", no=staff_no))
            continue
        name = inputs.as_text(raw.get("name"))
        if name and name != teacher.name:
            table.at(row.number, "name", _("姓名与工号 %(no)s 登记的“%(name)s”不一致。", no=staff_no, name=teacher.name))
        data: dict[str, Any] = {"title": inputs.as_text(raw.get("title")),
                                "provider": inputs.as_text(raw.get("provider"))}
        bad = False
        try:
            level = inputs.as_enum(ProgrammeLevel, raw.get("level"))
            data["level"] = level.value if level else None
        except ValueError:
            table.at(row.number, "level", _("“%(value)s”不是有效的选项，可选：%(allowed)s。",
                                            value=inputs.as_text(raw.get("level")),
                                            allowed="、".join(label(m) for m in ProgrammeLevel)))
            bad = True
        for key in ("start_on", "end_on"):
            try:
                data[key] = inputs.as_date(raw.get(key))
            except (ValueError, OverflowError):
                table.at(row.number, key, _("请输入有效日期（格式：年-月-日，如 2023-02-28）。"))
                bad = True
        for key in ("hours", "credits"):
            try:
                data[key] = inputs.as_float(raw.get(key))
            except ValueError:
                table.at(row.number, key, _("请输入数字。"))
                bad = True
        if bad:
            continue
        try:
            values = training.clean(teacher, data, today)
        except DomainError as exc:
            key = exc.field if exc.field in table.columns else None
            if key:
                table.at(row.number, key, exc.message)
            else:
                table.issues.append(Issue(exc.message, row.number))
            continue
        same = (staff_no, values["title"], values["start_on"])
        if same in seen:
            table.at(row.number, "title", _("与第%(row)d行是同一培训（工号、名称和开始日期相同）。", row=seen[same]))
            continue
        seen[same] = row.number
        preview.creates.append(Change(row.number, staff_no, f"{teacher.name}：{values['title']}"))
        preview.plan.append((row, None, (teacher, values)))


def _write_training(actor: User, preview: Preview, today: date) -> None:
    """Imported hours are HR's own record: confirmed at once, each with its history event."""
    from teachers.models import TrainingEvent, TrainingRecord, TrainingSource, TrainingState

    records = []
    for _row, _none, (teacher, values) in preview.plan:
        records.append(TrainingRecord(teacher_id=teacher.id, source=TrainingSource.IMPORT,
                                      state=TrainingState.CONFIRMED, submitted_by_id=actor.id, **values))
    db.session.add_all(records)
    db.session.flush()
    db.session.add_all([TrainingEvent(record_id=r.id, action="import", from_state=None,
                                      to_state=TrainingState.CONFIRMED.value, actor_id=actor.id, reason="",
                                      changes={"file": preview.sha256[:16]}) for r in records])
    db.session.flush()


# ------------------------------------------------------------------------------------------ entry points


def preview(actor: User, kind: str, data: bytes, filename: str, *, update: bool = False,
            today: date | None = None) -> Preview:
    """Every problem of the file and what importing it would do; writes nothing."""
    _require(actor, kind)
    today = today or date.today()
    table = read(data, SPECS[kind])
    result = Preview(kind, filename, sha256(data), update, table)
    if table.rows and not any(i.row is None or i.row == table.header_row for i in table.issues):
        {"teachers": _preview_teachers, "schools": _preview_schools, "training": _preview_training}[kind](
            actor, result, today)
    return result


def apply(actor: User, kind: str, data: bytes, filename: str, *, update: bool = False,
          today: date | None = None) -> Preview:
    """Write the whole file when it is clean (in the caller's transaction; flushes, never commits), with one
    audit row for the batch. A file with any problem raises ``DomainError`` and writes nothing."""
    today = today or date.today()
    result = preview(actor, kind, data, filename, update=update, today=today)
    if not result.ok:
        raise DomainError(_("文件中有%(n)d处问题，未导入任何数据。", n=len(result.table.issues)))
    {"teachers": _write_teachers, "schools": _write_schools, "training": _write_training}[kind](actor, result, today)
    audit.record(actor if actor.id else None, ACTIONS[kind], object_type="import", object_id=result.sha256[:16],
                 summary={"file": filename[:200], "sha256": result.sha256, "format": result.table.fmt,
                          "encoding": result.table.encoding, "mode": "update" if update else "create",
                          **result.counts()},
                 actor_username=None if actor.id else actor.username)
    return result


# ------------------------------------------------------------------------------------------ templates


def _choice_labels(cls) -> list[str]:
    return [label(m) for m in cls]


def _template_columns(kind: str) -> list[tuple[str, Any, list[str] | None, bool]]:
    """(header, example, drop-down choices, text column) per column of the template."""
    from teachers.models import Area, Degree, Gender, SchoolKind, Stage, Title

    yes_no = [_("是"), _("否")]
    if kind == "training":
        from teachers.models import ProgrammeLevel

        return [("工号", "T2026001", None, True), ("姓名", "张三", None, False),
                ("培训名称", "县级骨干教师培训", None, False),
                ("培训级别", label(ProgrammeLevel.COUNTY), _choice_labels(ProgrammeLevel), False),
                ("主办单位", "县教师进修学校", None, False), ("开始日期", date.today().replace(day=1), None, False),
                ("结束日期", date.today().replace(day=1), None, False), ("学时", 8, None, False),
                ("学分", None, None, False)]
    if kind == "teachers":
        return [
            ("工号", "T2026001", None, True), ("姓名", "张三", None, False), ("性别", label(Gender.MALE), _choice_labels(Gender), False),
            ("身份证号", "11010519900506001" + idcard.check_char("11010519900506001"), None, True), ("出生日期", date(1990, 5, 6), None, False),
            ("联系电话", "13800000000", None, True), ("学段", label(Stage.PRIMARY), _choice_labels(Stage), False),
            ("学科", "数学", sorted(SUBJECTS), False), ("兼教学科", "科学", None, False),
            ("职称", label(Title.FIRST), _choice_labels(Title), False),
            ("学历", label(Degree.BACHELOR), _choice_labels(Degree), False),
            ("人事学校代码", "S0001", None, True), ("任教学校代码", "", None, True),
            ("入职日期", date(2012, 9, 1), None, False), ("参加工作日期", date(2012, 9, 1), None, False),
            ("在岗状态", label(TeacherStatus.ACTIVE),
             [label(s) for s in TeacherStatus if s != TeacherStatus.ON_EXCHANGE], False),
        ]
    return [
        ("学校代码", "S0001", None, True), ("学校名称", "临江市第一小学", None, False), ("所属县域", "临江市", None, False),
        ("街道/乡镇", "城关镇", None, False), ("学区", "", None, False),
        ("城乡类别", label(Area.URBAN), _choice_labels(Area), False),
        ("办学类型", label(SchoolKind.PRIMARY), _choice_labels(SchoolKind), False),
        ("学前在园幼儿数", 0, None, False), ("小学在校生数", 600, None, False), ("初中在校生数", 0, None, False),
        ("高中在校生数", 0, None, False), ("中职在校生数", 0, None, False), ("核定编制数", 40, None, False),
        ("教学点", _("否"), yes_no, False), ("所属中心校代码", "", None, True), ("经度", None, None, False),
        ("纬度", None, None, False), ("校长姓名", "", None, False), ("联系电话", "", None, True),
        ("地址", "", None, False), ("在用", _("是"), yes_no, False),
    ]


def template(kind: str) -> bytes:
    """A workbook to fill: Chinese headers (required ones bold), an example row, text-formatted identifier
    columns and drop-down lists (data validation) for the coded columns."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    if kind not in KINDS:
        raise DomainError(_("导入内容“%(kind)s”无效。", kind=kind))
    spec = SPECS[kind]
    required = {spec.headers[k][0] for k in spec.required}
    wb = Workbook()
    ws = wb.active
    ws.title = {"teachers": _("教师"), "schools": _("学校"), "training": _("培训学时")}[kind]
    columns = _template_columns(kind)
    lists = wb.create_sheet("_lists")
    lists.sheet_state = "hidden"  # long lists (subjects) live here; the reader ignores hidden sheets
    for i, (header, example, choices, is_text) in enumerate(columns, start=1):
        letter = get_column_letter(i)
        cell = ws.cell(row=1, column=i, value=header)
        cell.font = Font(bold=header in required, color="C00000" if header in required else None)
        value = ws.cell(row=2, column=i, value=example)
        if isinstance(example, date):
            value.number_format = "yyyy-mm-dd"
        ws.column_dimensions[letter].width = max(10, len(header) * 2 + 2)
        if is_text:
            for row in range(2, 1002):
                ws.cell(row=row, column=i).number_format = "@"
        if choices:
            for r, choice in enumerate(choices, start=1):
                lists.cell(row=r, column=i, value=choice)
            rule = DataValidation(type="list", formula1=f"'_lists'!${letter}$1:${letter}${len(choices)}",
                                  allow_blank=True, showErrorMessage=True,
                                  errorTitle=_("请从列表中选择"), error=_("请从下拉列表中选择有效的选项。"))
            rule.add(f"{letter}2:{letter}1001")
            ws.add_data_validation(rule)
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
