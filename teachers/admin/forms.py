"""Account forms: create, edit, password reset, and the filter bars of the admin lists."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from teachers import labels, text
from teachers.forms import Form, QueryForm
from teachers.models import Role

BAD_CHOICE = _l("请从列表中选择。")


def _int_or_none(value) -> int | None:
    """Blank is None ("not applicable"); anything but an ASCII integer in range is an error at the field,
    never None (``county_id=nan`` once meant "all counties")."""
    if value in (None, "", "None"):
        return None
    number = text.parse_int(value)
    if number is None:
        raise ValueError(value)
    return number


class UserEditForm(Form):
    """Role and links of an account. Which link counts depends on the role (services enforce it)."""

    display_name = StringField(_l("姓名"), validators=[Optional(), Length(max=64)])
    role = SelectField(_l("角色"), choices=labels.choices(Role), validators=[DataRequired()])
    active = BooleanField(_l("账号启用"), default=True)
    school_id = SelectField(_l("所在学校（校长）"), coerce=_int_or_none, validate_choice=False,
                            invalid_value_message=BAD_CHOICE)
    staff_no = StringField(_l("教师工号（教师账号）"), validators=[Optional(), Length(max=32)])
    county_id = SelectField(_l("所属县（市、区）（人事科、督学、管理员）"), coerce=_int_or_none, validate_choice=False,
                            invalid_value_message=BAD_CHOICE)
    #: Instead of one county: every county of this prefecture (the services check it names an existing one).
    prefecture = SelectField(_l("或所辖地级市（州、盟）（跨县账号）"), validate_choice=False,
                             validators=[Optional(), Length(max=64)])


class UserCreateForm(UserEditForm):
    username = StringField(_l("用户名"), validators=[
        DataRequired(message=_l("请填写用户名。")), Length(max=64),
        Regexp(r"^[A-Za-z0-9_.@-]+$", message=_l("用户名只能包含字母、数字和 _ . @ -。")),
    ])
    password = PasswordField(_l("初始密码"), validators=[DataRequired(message=_l("请填写初始密码。")), Length(max=128)])


class PasswordResetForm(Form):
    password = PasswordField(_l("新密码"), validators=[DataRequired(message=_l("请填写新密码。")), Length(max=128)])
    confirm = PasswordField(_l("确认新密码"), validators=[
        DataRequired(message=_l("请再次填写新密码。")), EqualTo("password", message=_l("两次填写的新密码不一致。")),
    ])


class UserFilterForm(QueryForm):
    role = SelectField(_l("角色"), choices=[("", _l("全部"))] + labels.choices(Role), validators=[Optional()])
    q = StringField(_l("用户名或姓名"), validators=[Optional(), Length(max=64)])


class AuditFilterForm(QueryForm):
    action = SelectField(_l("操作"), validators=[Optional()], validate_choice=False)
    actor = StringField(_l("操作人"), validators=[Optional(), Length(max=64)])
    date_from = DateField(_l("起始日期"), validators=[Optional()])
    date_to = DateField(_l("截止日期"), validators=[Optional()])
    object_type = SelectField(_l("对象类型"), validators=[Optional()], validate_choice=False)
    object_id = StringField(_l("对象编号"), validators=[Optional(), Length(max=64)])
