"""Forms of teacher development. Fields carry the service's names, so a refusal lands at its field."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from teachers.forms import Form
from teachers.labels import choices as enum_choices
from teachers.models import AchievementKind, DeliveryMode, HonourKind, Level, ProgrammeLevel, Tier
from teachers.records.forms import CHOOSE, REQUIRED, Choice, Date, not_future


class TrainingForm(Form):
    """Outside training (校外培训) a teacher reports, or the correction of a rejected record."""

    title = StringField(_l("培训名称"), validators=[DataRequired(message=REQUIRED), Length(max=200)])
    level = Choice(_l("培训级别"), enum_choices(ProgrammeLevel), DataRequired(message=CHOOSE))
    provider = StringField(_l("主办单位"), validators=[DataRequired(message=REQUIRED), Length(max=100)])
    start_on = Date(_l("开始日期"), DataRequired(message=REQUIRED), not_future)
    end_on = Date(_l("结束日期"), DataRequired(message=REQUIRED), not_future)
    hours = StringField(_l("学时"), validators=[Optional(), Length(max=10)])
    credits = StringField(_l("学分"), validators=[Optional(), Length(max=10)])
    evidence = FileField(_l("证明材料（PDF、JPG、PNG）"))

    def service_data(self) -> dict[str, Any]:
        return {name: f.data for name, f in self._fields.items() if name not in ("csrf_token", "evidence")}


class ReasonForm(Form):
    reason = TextAreaField(_l("退回原因"), validators=[Optional(), Length(max=200)])


class ActionForm(Form):
    """A button that only needs the CSRF token."""


class TierDecisionForm(Form):
    """HR's decision on the tier of the teachers ticked in the evaluation list."""

    tier = Choice(_l("新的梯队层级"), enum_choices(Tier), DataRequired(message=CHOOSE))
    reason = TextAreaField(_l("理由"), validators=[Optional(), Length(max=200)])


class PairForm(Form):
    """A pair HR sets by hand: the new teacher and the mentor by staff number."""

    mentee = StringField(_l("新任教师工号"), validators=[DataRequired(message=REQUIRED), Length(max=32)])
    mentor = StringField(_l("导师工号"), validators=[DataRequired(message=REQUIRED), Length(max=32)])
    start_on = Date(_l("结对日期"), DataRequired(message=REQUIRED), not_future)


class MentorLogForm(Form):
    log_on = Date(_l("日期"), DataRequired(message=REQUIRED), not_future)
    text = TextAreaField(_l("指导内容"), validators=[DataRequired(message=REQUIRED), Length(max=2000)])


class AchievementForm(Form):
    kind = Choice(_l("成果类别"), enum_choices(AchievementKind), DataRequired(message=CHOOSE))
    level = Choice(_l("级别"), enum_choices(Level), DataRequired(message=CHOOSE))
    title = StringField(_l("成果名称"), validators=[DataRequired(message=REQUIRED), Length(max=200)])
    achieved_on = Date(_l("日期"), DataRequired(message=REQUIRED), not_future)
    evidence = FileField(_l("证明材料（可选，PDF、JPG、PNG）"))


class HonourForm(Form):
    kind = Choice(_l("荣誉类别"), enum_choices(HonourKind), DataRequired(message=CHOOSE))
    level = Choice(_l("级别"), enum_choices(Level), DataRequired(message=CHOOSE))
    recognised_on = Date(_l("认定日期"), DataRequired(message=REQUIRED), not_future)
    review_on = Date(_l("复评日期"), Optional())
    studio_name = StringField(_l("工作室名称"), validators=[Optional(), Length(max=100)])


class GoalsForm(Form):
    goals = TextAreaField(_l("成长目标"), validators=[DataRequired(message=REQUIRED), Length(max=4000)])


class GrowthEntryForm(Form):
    entry_on = Date(_l("日期"), DataRequired(message=REQUIRED), not_future)
    text = TextAreaField(_l("进展"), validators=[DataRequired(message=REQUIRED), Length(max=2000)])


class CommentForm(Form):
    comment = TextAreaField(_l("校长点评"), validators=[DataRequired(message=REQUIRED), Length(max=2000)])


class ProgrammeForm(Form):
    title = StringField(_l("项目名称"), validators=[DataRequired(message=REQUIRED), Length(max=200)])
    level = Choice(_l("培训级别"), enum_choices(ProgrammeLevel), DataRequired(message=CHOOSE))
    mode = Choice(_l("形式"), enum_choices(DeliveryMode), DataRequired(message=CHOOSE))
    hours = StringField(_l("学时"), validators=[Optional(), Length(max=10)])
    credits = StringField(_l("学分"), validators=[Optional(), Length(max=10)])
    provider = StringField(_l("主办单位"), validators=[DataRequired(message=REQUIRED), Length(max=100)])
    start_on = Date(_l("开始日期"), DataRequired(message=REQUIRED))
    end_on = Date(_l("结束日期"), DataRequired(message=REQUIRED))
    target = StringField(_l("培训对象"), validators=[Optional(), Length(max=200)])
    capacity = StringField(_l("名额"), validators=[Optional(), Length(max=6)])

    def service_data(self) -> dict[str, Any]:
        return {name: f.data for name, f in self._fields.items() if name != "csrf_token"}


class GroupEnrolForm(Form):
    school_id = StringField(_l("学校"), validators=[DataRequired(message=CHOOSE)])
    subject = StringField(_l("学科（可选）"), validators=[Optional(), Length(max=20)])
