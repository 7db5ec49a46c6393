"""Forms for schools and teachers; select choices come from the acting user's scope, per request.

Every parse and choice failure carries a Chinese message, shown at the field. The forms only parse
what the browser sends; the rules of a record (dates in order, the ID number, lengths …) are checked
once, on the typed input (``teachers.records.inputs``) that the form fills with ``to_input()``, by the
service, which names the field at fault.
"""

from __future__ import annotations

import enum
import re
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from markupsafe import escape
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from teachers import text
from teachers.forms import Form, QueryForm
from teachers.labels import choices as enum_choices
from teachers.models import (
    Area,
    Backbone,
    Degree,
    Gender,
    School,
    SchoolKind,
    Stage,
    TeacherStatus,
    Tier,
    Title,
    User,
)
from teachers.records import inputs, services
from teachers.rotation.adapter import next_rotation_year

BAD_DATE = _l("请输入有效日期（格式：年-月-日，如 2023-02-28）。")
BAD_CHOICE = _l("请从列表中选择。")
BAD_SCHOOL = _l("请从列表中选择学校。")
BAD_INT = _l("请输入整数。")
BAD_NUMBER = _l("请输入数字。")
REQUIRED = _l("请填写此项。")
CHOOSE = _l("请选择此项。")


def _plain(value: Any) -> str:
    """Enum members (from ``obj=``) and raw strings (from the request) alike become the stored value."""
    return value.value if isinstance(value, enum.Enum) else str(value)


def _int_or_none(value: Any) -> int | None:
    """A select's id: None when blank; ValueError (an error at the field) for anything but ASCII digits in range."""
    if value in (None, "", "None"):
        return None
    number = text.parse_int(value)
    if number is None:
        raise ValueError(value)
    return number


_ID_LIKE = re.compile(r"[0-9]{4,17}[0-9Xx]?")


def looks_like_id_number(value: str) -> bool:
    """Whether a search term may be (part of) an ID number: such terms are kept out of URLs."""
    return bool(_ID_LIKE.fullmatch((value or "").strip()))


def Date(label, *validators, **kw) -> DateField:
    return DateField(label, validators=list(validators), invalid_value_message=BAD_DATE, **kw)


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as the SelectChoice objects WTForms 3.3 expects."""
    return [SelectChoice(value, label) for value, label in pairs]


class FastSelect(widgets.Select):
    """WTForms' ``<select>`` with each plain option written directly: the same HTML as ``Select`` (attributes
    in its sorted order, values and labels escaped the same way), without building attribute dicts and
    Markup per option, which cost 40 ms for the 756 schools in an admin's teacher-list filter."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw:
            return widgets.Select.render_option.__func__(cls, choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        label = escape(choice.label or choice.value)
        return f'<option {"selected " if choice.selected else ""}value="{escape(value)}">{label}</option>'


def Choice(label, choices=None, *validators, coerce=_plain, message=BAD_CHOICE, **kw) -> SelectField:
    kw.setdefault("widget", FastSelect())
    return SelectField(label, validators=list(validators), choices=None if choices is None else options(choices),
                       coerce=coerce,
                       invalid_value_message=message, invalid_choice_message=message, **kw)


def not_future(_form, field) -> None:
    if field.data is not None and field.data > date.today():
        raise ValidationError(_l("日期不能晚于今天。"))


def _blank(text) -> list[tuple[str, str]]:
    return [("", text)]


def school_choices(schools: list[School]) -> list[tuple[str, str]]:
    return [(str(s.id), _("%(name)s（%(code)s）", name=s.name, code=s.code) if s.code else s.name) for s in schools]


class SchoolForm(Form):
    code = StringField(_l("学校代码"), validators=[DataRequired(message=REQUIRED), Length(max=32)])
    name = StringField(_l("学校名称"), validators=[DataRequired(message=REQUIRED), Length(max=100)])
    county_id = Choice(_l("所属县域"), None, coerce=_int_or_none)
    subdistrict = StringField(_l("街道/乡镇"), validators=[Optional(), Length(max=64)])
    school_district = StringField(_l("学区"), validators=[Optional(), Length(max=64)])
    area = Choice(_l("城乡类别"), enum_choices(Area), DataRequired(message=CHOOSE))
    kind = Choice(_l("办学类型"), enum_choices(SchoolKind), DataRequired(message=CHOOSE))
    pupils_preschool = IntegerField(_l("学前在园幼儿数"), validators=[Optional(), NumberRange(min=0, message=_l("不能小于0。"))],
                                    invalid_value_message=BAD_INT, default=0)
    pupils_primary = IntegerField(_l("小学在校生数"), validators=[Optional(), NumberRange(min=0, message=_l("不能小于0。"))],
                                  invalid_value_message=BAD_INT, default=0)
    pupils_junior = IntegerField(_l("初中在校生数"), validators=[Optional(), NumberRange(min=0, message=_l("不能小于0。"))],
                                 invalid_value_message=BAD_INT, default=0)
    pupils_senior = IntegerField(_l("高中在校生数"), validators=[Optional(), NumberRange(min=0, message=_l("不能小于0。"))],
                                 invalid_value_message=BAD_INT, default=0)
    pupils_vocational = IntegerField(_l("中职在校生数"),
                                     validators=[Optional(), NumberRange(min=0, message=_l("不能小于0。"))],
                                     invalid_value_message=BAD_INT, default=0)
    staffing_quota = IntegerField(_l("核定编制数"), validators=[Optional(), NumberRange(min=0, message=_l("不能小于0。"))],
                                  invalid_value_message=BAD_INT, default=0)
    is_teaching_point = BooleanField(_l("教学点"))
    central_school_id = Choice(_l("所属中心校（教学点填写）"), None, coerce=_int_or_none, message=BAD_SCHOOL)
    longitude = FloatField(_l("经度"), validators=[Optional()], invalid_value_message=BAD_NUMBER)
    latitude = FloatField(_l("纬度"), validators=[Optional()], invalid_value_message=BAD_NUMBER)
    principal_name = StringField(_l("校长姓名"), validators=[Optional(), Length(max=32)])
    phone = StringField(_l("联系电话"), validators=[Optional(), Length(max=32)])
    address = StringField(_l("地址"), validators=[Optional(), Length(max=200)])
    active = BooleanField(_l("在用"), default=True)

    def to_input(self) -> inputs.SchoolInput:
        data = {name: f.data for name, f in self._fields.items() if name != "csrf_token"}
        return inputs.school_input(data)[0]

    @classmethod
    def build(cls, user: User, school: School | None = None, **kw) -> SchoolForm:
        form = cls(obj=school, **kw)
        counties = services.scoped_counties(user)
        form.county_id.choices = options((str(c.id), c.name) for c in counties)
        if form.county_id.data is None and len(counties) == 1:
            form.county_id.data = counties[0].id
        centrals = [s for s in services.scoped_schools(user) if not s.is_teaching_point
                    and (school is None or s.id != school.id)]
        form.central_school_id.choices = options(_blank(_l("（无）")) + school_choices(centrals))
        return form


class TeacherForm(Form):
    staff_no = StringField(_l("工号"), validators=[DataRequired(message=REQUIRED), Length(max=32)])
    name = StringField(_l("姓名"), validators=[DataRequired(message=REQUIRED), Length(max=32)])
    gender = Choice(_l("性别"), _blank(_l("请选择")) + enum_choices(Gender), DataRequired(message=CHOOSE))
    birth_date = Date(_l("出生日期"), InputRequired(message=_l("请填写出生日期。")))
    id_number = StringField(_l("身份证号"), validators=[Optional(), Length(max=24)])
    phone = StringField(_l("联系电话"), validators=[Optional(), Length(max=20)])
    service_start = Date(_l("参加工作时间"), InputRequired(message=_l("请填写参加工作时间。")))
    hire_date = Date(_l("到本校（人事关系学校）时间"), Optional())
    personnel_school_id = Choice(_l("人事关系所在学校"), None, DataRequired(message=CHOOSE), coerce=_int_or_none,
                                 message=BAD_SCHOOL)
    working_school_id = Choice(_l("任教学校"), None, coerce=_int_or_none, message=BAD_SCHOOL)
    effective_date = Date(_l("调动/交流生效日期"), Optional())
    stage = Choice(_l("任教学段"), enum_choices(Stage), DataRequired(message=CHOOSE))
    subject = StringField(_l("主教学科"), validators=[DataRequired(message=REQUIRED), Length(max=20)])
    other_subjects = StringField(_l("兼教学科"), validators=[Optional(), Length(max=200)])
    degree = Choice(_l("最高学历"), enum_choices(Degree), DataRequired(message=CHOOSE))
    title = Choice(_l("职称"), enum_choices(Title), DataRequired(message=CHOOSE))
    status = Choice(_l("在岗状态"), enum_choices(TeacherStatus), DataRequired(message=CHOOSE))
    rotation_exempt = BooleanField(_l("本年度暂缓交流"))
    rotation_exempt_reason = TextAreaField(_l("暂缓交流原因"), validators=[Optional(), Length(max=200)])

    @classmethod
    def build(cls, user: User, teacher=None, **kw) -> TeacherForm:
        form = cls(obj=teacher, **kw)
        if teacher is not None:
            del form.hire_date  # the arrival date belongs to the history, set once at creation
            if not form.is_submitted():
                form.other_subjects.data = "、".join(teacher.other_subjects or [])
                # Shown as "same as personnel school", so changing the personnel school moves both
                # (a transfer) instead of silently leaving the teacher on exchange at the old school.
                if teacher.working_school_id == teacher.personnel_school_id:
                    form.working_school_id.data = None
        current = {teacher.personnel_school_id, teacher.working_school_id} if teacher is not None else set()
        schools = [s for s in services.scoped_schools(user) if s.active or s.id in current]
        form.personnel_school_id.choices = options(_blank(_l("请选择")) + school_choices(schools))
        form.working_school_id.choices = options(_blank(_l("（同人事关系学校）")) + school_choices(schools))
        return form

    def to_input(self) -> inputs.TeacherInput:
        """The typed input the service validates (its conversion problems are the form's own parse errors,
        already reported at the fields, so none remain here)."""
        data = {name: f.data for name, f in self._fields.items() if name != "csrf_token"}
        return inputs.teacher_input(data)[0]

    service_data = to_input


class TeacherFilterForm(QueryForm):
    """The teacher list's search box, filters, sort and page; read from the query string."""

    q = StringField(_l("姓名/工号/身份证号"), validators=[Optional(), Length(max=40)])
    school = Choice(lazy_pgettext("column", "学校"), None, Optional(), coerce=_int_or_none, message=BAD_SCHOOL)
    area = Choice(_l("城乡"), _blank(_l("全部")) + enum_choices(Area), Optional())
    stage = Choice(_l("学段"), _blank(_l("全部")) + enum_choices(Stage), Optional())
    subject = Choice(_l("学科"), None, Optional())
    tier = Choice(_l("梯队"), _blank(_l("全部")) + enum_choices(Tier), Optional())
    backbone = Choice(_l("骨干"), _blank(_l("全部")) + [("any", _l("任一级骨干")), ("county_up", _l("县级及以上骨干"))]
                      + enum_choices(Backbone), Optional())
    status = Choice(_l("状态"), _blank(_l("全部")) + enum_choices(TeacherStatus), Optional())
    eligible = Choice(_l("交流资格"), None, Optional(), coerce=_int_or_none)
    sort = Choice(_l("排序"), [(s, s) for s in services.TEACHER_SORTS], Optional(), default="staff_no")
    dir = Choice(_l("方向"), [("asc", _l("升序")), ("desc", _l("降序"))], Optional(), default="asc")
    page = IntegerField(_l("页码"), validators=[Optional(), NumberRange(min=1, message=_l("页码应为正整数。"))],
                        invalid_value_message=_l("页码应为正整数。"), default=1)

    FILTERS = services.TEACHER_FILTERS  # one list: the page, its links and the export read the same filters

    @classmethod
    def build(cls, user: User, formdata) -> TeacherFilterForm:
        form = cls(formdata=formdata)
        form.school.choices = options(_blank(_l("全部")) + school_choices(services.scoped_schools(user)))
        form.subject.choices = options(_blank(_l("全部")) + [(s, s) for s in services.subject_choices(user)])
        year = next_rotation_year(date.today())
        years = {year - 1, year, year + 1}
        asked = (formdata or {}).get("eligible", "")
        if asked.isdigit() and 2000 <= int(asked) <= 2100:
            years.add(int(asked))  # a link for another year (e.g. from a dashboard of ?year=) stays valid
        form.eligible.choices = options(_blank(_l("全部")) + [
            (y, _("符合 %(y)d 年交流条件", y=y)) for y in sorted(years)])
        form.validate()
        return form

    def value(self, name: str) -> Any:
        """A field's value, or None when it was invalid (a bad filter is dropped, its error shown)."""
        f = self[name]
        return None if f.errors or f.data in ("", None) else f.data

    def filters(self) -> dict[str, Any]:
        return {name: self.value(name) for name in self.FILTERS}

    def view_values(self) -> dict[str, Any]:
        """The search, filters and order of the current view, the search included even when it is an ID
        number: for the export form, which posts them (so they stay out of URLs) and exports what is shown."""
        values = {name: self.value(name) for name in ("q", *self.FILTERS, "sort", "dir")}
        return {k: v for k, v in values.items() if v not in (None, "")}

    def args(self, **override) -> dict[str, Any]:
        """The query string of the current view (for sort links and the pager), without empty values."""
        values = {name: self.value(name) for name in ("q", *self.FILTERS, "sort", "dir")}
        values.update(override)
        if looks_like_id_number(values.get("q") or ""):
            values.pop("q")  # never in a link: the links of an ID-number search drop the search
        return {k: v for k, v in values.items() if v not in (None, "")}


class SchoolFilterForm(QueryForm):
    q = StringField(_l("名称/代码"), validators=[Optional(), Length(max=40)])
    area = Choice(_l("城乡"), _blank(_l("全部")) + enum_choices(Area), Optional())
    kind = Choice(_l("办学类型"), _blank(_l("全部")) + enum_choices(SchoolKind), Optional())
    subdistrict = Choice(_l("街道/乡镇"), None, Optional())

    @classmethod
    def build(cls, user: User, formdata) -> SchoolFilterForm:
        form = cls(formdata=formdata)
        form.subdistrict.choices = options(_blank(_l("全部")) + [(s, s) for s in services.subdistricts(user)])
        form.validate()
        return form

    def value(self, name: str) -> Any:
        f = self[name]
        return None if f.errors or f.data in ("", None) else f.data
