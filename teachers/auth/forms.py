"""Login and password forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from teachers.forms import Form


class LoginForm(Form):
    username = StringField(_l("用户名"), validators=[DataRequired(message=_l("请填写用户名。")), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(message=_l("请填写密码。")), Length(max=128)])


class PasswordForm(Form):
    current_password = PasswordField(_l("当前密码"), validators=[DataRequired(message=_l("请填写当前密码。"))])
    password = PasswordField(_l("新密码"), validators=[DataRequired(message=_l("请填写新密码。")), Length(max=128)])
    confirm = PasswordField(
        _l("确认新密码"),
        validators=[DataRequired(message=_l("请再次填写新密码。")), EqualTo("password", message=_l("两次填写的新密码不一致。"))],
    )
