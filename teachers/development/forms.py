"""Forms of teacher development. Fields carry the service's names, so a refusal lands at its field."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from teachers.labels import choices as enum_choices
from teachers.models import ProgrammeLevel, Tier
from teachers.records.forms import CHOOSE, REQUIRED, Choice, Date, not_future


class TrainingForm(FlaskForm):
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


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("退回原因"), validators=[Optional(), Length(max=200)])


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token."""


class TierDecisionForm(FlaskForm):
    """HR's decision on the tier of the teachers ticked in the evaluation list."""

    tier = Choice(_l("新的梯队层级"), enum_choices(Tier), DataRequired(message=CHOOSE))
    reason = TextAreaField(_l("理由"), validators=[Optional(), Length(max=200)])
