"""One typed input per record kind (``TeacherInput``, ``SchoolInput``), and its one validation.

The form, the import and the command line all fill the same dataclass through ``teacher_input`` /
``school_input``, which turn raw values — a form's strings and dates, a spreadsheet's numbers, dates and
labels — into typed fields, never crashing on an unexpected type (a staff number read from Excel as
the integer ``1001`` is the text ``"1001"``). Each conversion problem and each rule of the record itself
(``check_teacher`` / ``check_school``: required fields, lengths, dates in order, the ID number's check
digit and its agreement with the birth date and gender …) is a ``Problem`` naming the field. The
services raise the first problem as a ``DomainError``; the import collects every problem of every row.
Rules that need the database (a taken staff number, a school in scope) live with the callers, which
check them one record at a time (services) or set-wise for a whole file (``teachers.io.imports``).
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any

from flask import has_app_context, has_request_context
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from teachers import text
from teachers.labels import LABELS
from teachers.models import Area, Degree, Gender, SchoolKind, Stage, TeacherStatus, Title
from teachers.models.enums import KIND_STAGES
from teachers.records import idcard

#: Youngest age at which service may start (minimum legal working age).
MIN_SERVICE_AGE = 16
EARLIEST_BIRTH = date(1900, 1, 1)
PHONE_RE = re.compile(r"^[0-9+\-() ]{3,20}$")
#: Excel's day 0 (serial dates count from here; 60 is the fictitious 1900-02-29, so from 61 this is exact).
EXCEL_EPOCH = date(1899, 12, 30)
_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?")
_COMPACT_DATE_RE = re.compile(r"(\d{4})(\d{2})(\d{2})")
TRUE_WORDS = frozenset({"是", "1", "y", "yes", "true", "t", "√", "✓", "有"})
FALSE_WORDS = frozenset({"否", "0", "n", "no", "false", "f", "×", "无", ""})


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


class Problems(list):
    def add(self, key: str, message: str) -> None:
        self.append(Problem(key, message))


# ------------------------------------------------------------------------------------------ conversions


def as_text(value: Any) -> str:
    """Any cell or form value as stripped text: numbers from a spreadsheet keep their digits (1001.0 → "1001")."""
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def as_date(value: Any) -> date | None:
    """A date from a date, an ISO or Chinese-style text (2023-02-28, 2023/2/28, 2023年2月28日, 20230228) or an
    Excel serial number; None when empty. ValueError when it is no calendar date."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not (isinstance(value, int) or math.isfinite(value)) or not 61 <= value <= 2958465:
            raise ValueError(value)
        return EXCEL_EPOCH + timedelta(days=int(value))  # a serial date (a time of day is dropped)
    raw = text.nfkc(str(value)).strip()
    if not raw:
        return None
    found = _DATE_RE.fullmatch(raw) or _COMPACT_DATE_RE.fullmatch(raw)
    if found:
        return date(int(found[1]), int(found[2]), int(found[3]))
    if raw.isdigit() and 61 <= int(raw) <= 2958465:
        return EXCEL_EPOCH + timedelta(days=int(raw))
    raise ValueError(raw)


def _label_words(member: enum.Enum) -> set[str]:
    words = {str(member.value).lower()}
    lazy = LABELS.get((type(member), member.value))
    if lazy is not None:
        words.add(str(lazy).lower())  # the label in the current language
        args = getattr(lazy, "_args", None)
        if args:
            words.add(str(args[-1]).lower())  # the Chinese msgid
        if has_app_context():
            with force_locale("en"):
                words.add(str(lazy).lower())  # and the English label (a file exported in English)
    return words


_ENUM_WORDS: dict[tuple[type, str], dict[str, enum.Enum]] = {}


def enum_words(cls: type[enum.Enum]) -> dict[str, enum.Enum]:
    """Every spelling of a member accepted on input: its stored value, its Chinese label, its label now
    (remembered per language: translating every label for every cell was a third of an import's time)."""
    key = (cls, str(get_locale() or "zh") if has_request_context() else "zh")
    words = _ENUM_WORDS.get(key)
    if words is None:
        words = {}
        for member in cls:
            for word in _label_words(member):
                words.setdefault(word, member)
        _ENUM_WORDS[key] = words
    return words


EXTRA_WORDS: dict[type, dict[str, Any]] = {
    Gender: {"男性": Gender.MALE, "女性": Gender.FEMALE, "m": Gender.MALE, "f": Gender.FEMALE},
    Degree: {"研究生": Degree.MASTER, "硕士": Degree.MASTER, "博士": Degree.DOCTOR, "中专": Degree.SECONDARY,
             "高中": Degree.SECONDARY, "专科": Degree.ASSOCIATE, "大学本科": Degree.BACHELOR},
    Title: {"无": Title.NONE, "": Title.NONE, "中小学三级教师": Title.THIRD, "中小学二级教师": Title.SECOND,
            "中小学一级教师": Title.FIRST, "中小学高级教师": Title.SENIOR, "中小学正高级教师": Title.PROFESSOR},
}


def as_enum(cls: type[enum.Enum], value: Any) -> enum.Enum | None:
    """A member from itself, its value or a label; None when empty; ValueError when unknown."""
    if isinstance(value, cls):
        return value
    word = as_text(value).lower()
    if not word:
        return None
    found = enum_words(cls).get(word) or EXTRA_WORDS.get(cls, {}).get(word)
    if found is None:
        raise ValueError(word)
    return found


def as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    word = as_text(value).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(word)


def as_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    number = text.parse_int(value if isinstance(value, int) else as_text(value))
    if number is None:
        raise ValueError(value)
    return number


def as_float(value: Any) -> float | None:
    if value is None or value == "":
        return None
    number = text.parse_float(value if isinstance(value, (int, float)) else as_text(value))
    if number is None:
        raise ValueError(value)
    return number


def subjects(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        items = value
    else:
        items = re.split(r"[,，、;；\s]+", as_text(value))
    seen: list[str] = []
    for item in items:
        item = as_text(item)
        if item and item[:20] not in seen:
            seen.append(item[:20])
    return seen


class _Reader:
    """Reads raw values into typed ones, collecting a Problem per field instead of raising."""

    def __init__(self, data: Mapping[str, Any]):
        self.data = data
        self.problems = Problems()

    def text(self, key: str) -> str:
        return as_text(self.data.get(key))

    def date(self, key: str) -> date | None:
        try:
            value = as_date(self.data.get(key))
        except (ValueError, OverflowError):
            self.problems.add(key, _("请输入有效日期（格式：年-月-日，如 2023-02-28）。"))
            return None
        if value is not None and not text.date_in_range(value):
            self.problems.add(key, _("日期应在 %(min)s 至 %(max)s 之间。", min=text.DATE_MIN.isoformat(),
                                     max=text.DATE_MAX.isoformat()))
            return None
        return value

    def enum(self, cls: type[enum.Enum], key: str) -> Any:
        try:
            return as_enum(cls, self.data.get(key))
        except ValueError:
            allowed = "、".join(str(LABELS.get((cls, m.value), m.value)) for m in cls)
            self.problems.add(key, _("“%(value)s”不是有效的选项，可选：%(allowed)s。", value=as_text(self.data.get(key)),
                                     allowed=allowed))
            return None

    def bool(self, key: str, default: bool = False) -> bool:
        if key not in self.data or self.data.get(key) is None:
            return default
        try:
            return as_bool(self.data.get(key))
        except ValueError:
            self.problems.add(key, _("请填写“是”或“否”。"))
            return default

    def int(self, key: str, message: str | None = None) -> int | None:
        try:
            return as_int(self.data.get(key))
        except ValueError:
            self.problems.add(key, message or _("请输入整数。"))
            return None

    def float(self, key: str) -> float | None:
        try:
            return as_float(self.data.get(key))
        except ValueError:
            self.problems.add(key, _("请输入数字。"))
            return None


def _required(problems: Problems, key: str, value: Any, message: str | None = None) -> None:
    if value in (None, ""):
        problems.add(key, message or _("请填写此项。"))


def _length(problems: Problems, key: str, value: str, limit: int) -> None:
    if value and len(value) > limit:
        problems.add(key, _("最多%(n)d个字符。", n=limit))


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


# ------------------------------------------------------------------------------------------ teachers


@dataclass
class TeacherInput:
    staff_no: str = ""
    name: str = ""
    gender: Gender | None = None
    birth_date: date | None = None
    id_number: str = ""
    phone: str = ""
    service_start: date | None = None
    hire_date: date | None = None
    personnel_school_id: int | None = None
    working_school_id: int | None = None
    effective_date: date | None = None
    stage: Stage | None = None
    subject: str = ""
    other_subjects: list[str] = field(default_factory=list)
    degree: Degree | None = None
    title: Title = Title.NONE
    status: TeacherStatus = TeacherStatus.ACTIVE
    rotation_exempt: bool = False
    rotation_exempt_reason: str = ""
    #: The fields the caller gave (an update keeps the others).
    given: frozenset[str] = frozenset()


TEACHER_INPUT_FIELDS = tuple(f.name for f in fields(TeacherInput) if f.name != "given")


def teacher_input(data: Mapping[str, Any]) -> tuple[TeacherInput, Problems]:
    """Typed values from raw ones (form data, a spreadsheet row, a service's dict), with the conversion problems."""
    r = _Reader(data)
    number = idcard.normalise(as_text(data.get("id_number")))
    inp = TeacherInput(
        staff_no=r.text("staff_no"), name=r.text("name"), gender=r.enum(Gender, "gender"),
        birth_date=r.date("birth_date"), id_number=number, phone=r.text("phone"),
        service_start=r.date("service_start"), hire_date=r.date("hire_date"),
        personnel_school_id=r.int("personnel_school_id", _("请选择有效的学校。")),
        working_school_id=r.int("working_school_id", _("请选择有效的学校。")),
        effective_date=r.date("effective_date"), stage=r.enum(Stage, "stage"), subject=r.text("subject"),
        other_subjects=subjects(data.get("other_subjects")), degree=r.enum(Degree, "degree"),
        title=r.enum(Title, "title") or Title.NONE, status=r.enum(TeacherStatus, "status") or TeacherStatus.ACTIVE,
        rotation_exempt=r.bool("rotation_exempt"), rotation_exempt_reason=r.text("rotation_exempt_reason"),
        given=frozenset(k for k in data if k in TEACHER_INPUT_FIELDS),
    )
    inp.other_subjects = [s for s in inp.other_subjects if s != inp.subject]
    if not inp.rotation_exempt:
        inp.rotation_exempt_reason = ""
    return inp, r.problems


def check_teacher(inp: TeacherInput, today: date, problems: Problems | None = None, *,
                  id_gender: bool = False) -> Problems:
    """The rules of a teacher record that need nothing but the record; ``problems`` holds the conversion ones.

    ``id_gender``: also require the ID number's sequence digit to agree with the gender — the callers ask for
    it whenever the ID number or the gender is entered or changed, so a record kept before this rule that
    disagrees stays editable."""
    problems = problems if problems is not None else Problems()
    bad = {p.field for p in problems}
    _required(problems, "staff_no", inp.staff_no)
    _length(problems, "staff_no", inp.staff_no, 32)
    _required(problems, "name", inp.name)
    _length(problems, "name", inp.name, 32)
    if inp.gender is None and "gender" not in bad:
        problems.add("gender", _("请选择此项。"))
    birth = inp.birth_date
    if birth is None and "birth_date" not in bad:
        problems.add("birth_date", _("请填写日期。"))
    elif birth is not None and birth > today:
        problems.add("birth_date", _("日期不能晚于今天。"))
        birth = None
    elif birth is not None and birth < EARLIEST_BIRTH:
        problems.add("birth_date", _("出生日期无效。"))
        birth = None
    if inp.id_number:
        try:
            embedded = idcard.validate(inp.id_number, today=today)
        except ValueError as exc:
            problems.add("id_number", str(exc))
        else:
            if birth is not None and embedded != birth:
                problems.add("id_number", _("身份证号中的出生日期（%(d)s）与填写的出生日期不一致。", d=embedded.isoformat()))
            elif id_gender and inp.gender is not None and idcard.is_male(inp.id_number) != (inp.gender == Gender.MALE):
                problems.add("id_number", _("身份证号显示的性别（%(g)s）与填写的性别不一致。",
                                            g=_("男") if idcard.is_male(inp.id_number) else _("女")))
    for key in ("service_start", "hire_date", "effective_date"):
        day = getattr(inp, key)
        if day is not None and day > today:
            problems.add(key, _("日期不能晚于今天。"))
    start = inp.service_start
    if start is None and "service_start" not in bad:
        problems.add("service_start", _("请填写日期。"))
    elif start is not None and birth is not None and start <= today:
        if start <= birth:
            problems.add("service_start", _("参加工作时间应晚于出生日期。"))
        elif start < _add_years(birth, MIN_SERVICE_AGE):
            problems.add("service_start", _("参加工作时未满%(n)d周岁，请核对出生日期或参加工作时间。", n=MIN_SERVICE_AGE))
    if inp.hire_date is not None and start is not None and inp.hire_date < start:
        problems.add("hire_date", _("到校时间不能早于参加工作时间。"))
    if inp.stage is None and "stage" not in bad:
        problems.add("stage", _("请选择此项。"))
    _required(problems, "subject", inp.subject)
    _length(problems, "subject", inp.subject, 20)
    if inp.degree is None and "degree" not in bad:
        problems.add("degree", _("请选择此项。"))
    if inp.rotation_exempt:
        _length(problems, "rotation_exempt_reason", inp.rotation_exempt_reason, 200)
        if not inp.rotation_exempt_reason:
            problems.add("rotation_exempt_reason", _("请填写暂缓交流的原因。"))
    _length(problems, "phone", inp.phone, 20)
    if inp.phone and len(inp.phone) <= 20 and not PHONE_RE.match(inp.phone):
        problems.add("phone", _("请填写正确的电话号码。"))
    return problems


# ------------------------------------------------------------------------------------------ schools


@dataclass
class SchoolInput:
    code: str = ""
    name: str = ""
    county_id: int | None = None
    subdistrict: str = ""
    school_district: str = ""
    area: Area | None = None
    kind: SchoolKind | None = None
    pupils_preschool: int = 0
    pupils_primary: int = 0
    pupils_junior: int = 0
    pupils_senior: int = 0
    pupils_vocational: int = 0
    staffing_quota: int = 0
    is_teaching_point: bool = False
    central_school_id: int | None = None
    longitude: float | None = None
    latitude: float | None = None
    principal_name: str = ""
    phone: str = ""
    address: str = ""
    active: bool = True
    given: frozenset[str] = frozenset()


SCHOOL_INPUT_FIELDS = tuple(f.name for f in fields(SchoolInput) if f.name != "given")
COUNTS = ("pupils_preschool", "pupils_primary", "pupils_junior", "pupils_senior", "pupils_vocational", "staffing_quota")


def school_input(data: Mapping[str, Any]) -> tuple[SchoolInput, Problems]:
    r = _Reader(data)
    inp = SchoolInput(
        code=r.text("code"), name=r.text("name"), county_id=r.int("county_id", _("请选择有效的县域。")), subdistrict=r.text("subdistrict"),
        school_district=r.text("school_district"), area=r.enum(Area, "area"), kind=r.enum(SchoolKind, "kind"),
        is_teaching_point=r.bool("is_teaching_point"), central_school_id=r.int("central_school_id", _("请选择本县域内有效的中心校。")),
        longitude=r.float("longitude"), latitude=r.float("latitude"), principal_name=r.text("principal_name"),
        phone=r.text("phone"), address=r.text("address"), active=r.bool("active", default=True),
        given=frozenset(k for k in data if k in SCHOOL_INPUT_FIELDS),
    )
    for key in COUNTS:
        setattr(inp, key, r.int(key) or 0)
        if getattr(inp, key) < 0:
            r.problems.add(key, _("不能小于%(n)d。", n=0))
    return inp, r.problems


def check_school(inp: SchoolInput, problems: Problems | None = None) -> Problems:
    problems = problems if problems is not None else Problems()
    bad = {p.field for p in problems}
    _required(problems, "code", inp.code)
    _length(problems, "code", inp.code, 32)
    _required(problems, "name", inp.name)
    _length(problems, "name", inp.name, 100)
    _length(problems, "subdistrict", inp.subdistrict, 64)
    _length(problems, "school_district", inp.school_district, 64)
    if inp.area is None and "area" not in bad:
        problems.add("area", _("请选择此项。"))
    if inp.kind is None and "kind" not in bad:
        problems.add("kind", _("请选择此项。"))
    if inp.kind is not None:
        from teachers.labels import label

        for stage in Stage:
            key = f"pupils_{stage.value}"
            if getattr(inp, key) and stage not in KIND_STAGES[inp.kind]:
                problems.add(key, _("%(kind)s不招收%(stage)s学生，此项应为0。", kind=label(inp.kind), stage=label(stage)))
    for key, low, high in (("longitude", -180, 180), ("latitude", -90, 90)):
        value = getattr(inp, key)
        if value is not None and not low <= value <= high:
            problems.add(key, _("应在%(low)s到%(high)s之间。", low=low, high=high))
    _length(problems, "principal_name", inp.principal_name, 32)
    _length(problems, "phone", inp.phone, 32)
    if inp.phone and len(inp.phone) <= 32 and not PHONE_RE.match(inp.phone):
        problems.add("phone", _("请填写正确的电话号码。"))
    _length(problems, "address", inp.address, 200)
    return problems
