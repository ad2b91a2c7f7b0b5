"""Forms for signing in, own password, and user administration."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length
from wtforms.widgets import CheckboxInput, ListWidget


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(), Length(max=256)])


class ChangePasswordForm(FlaskForm):
    """The signed-in user changes their own password."""

    current_password = PasswordField(_l("当前密码"), validators=[DataRequired()])
    new_password = PasswordField(_l("新密码"), validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(_l("确认新密码"),
                            validators=[DataRequired(), EqualTo("new_password", _l("两次输入的密码不一致。"))])


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes (fillable without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserEditForm(FlaskForm):
    """Name, roles and the legal-qualification flag."""

    full_name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=100)])
    roles = MultiCheckboxField(_l("角色"))
    legal_qualified = BooleanField(_l("具有法律职业资格"))


class UserCreateForm(UserEditForm):
    """A new account."""

    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("初始密码"), validators=[DataRequired(), Length(max=256)])


class ResetPasswordForm(FlaskForm):
    """An administrator sets a new password."""

    new_password = PasswordField(_l("新密码"), validators=[DataRequired(), Length(max=256)])


class ConfirmForm(FlaskForm):
    """A button-only form carrying the CSRF token."""
