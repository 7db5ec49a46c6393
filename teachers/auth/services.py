"""Account services: authenticate with lockout, change password, manage users.

Services flush and never commit; the view commits once. Failed-login counting is a single
UPDATE … SET failed_logins = failed_logins + 1 so concurrent processes cannot lose a count.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from teachers import audit
from teachers.auth.permissions import has_permission
from teachers.auth.sessions import end_all_sessions
from teachers.errors import DomainError, PermissionDenied
from teachers.extensions import db
from teachers.models import County, Role, School, Teacher, User
from teachers.models._types import utcnow

MIN_PASSWORD_LENGTH = 8
#: Roles that act within one county (a database constraint holds it too).
COUNTY_ROLES = (Role.HR, Role.INSPECTOR)
#: A hash computed once so that unknown usernames cost as much time as wrong passwords.
_DUMMY_HASH: str | None = None


class LoginRefused(DomainError):
    pass


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(_("密码至少需要 %(n)d 位。", n=MIN_PASSWORD_LENGTH), field="password")
    kinds = sum(any(pred(c) for c in password) for pred in (str.isdigit, str.islower, str.isupper))
    kinds += any(not c.isalnum() for c in password)
    if kinds < 3:
        raise DomainError(_("密码需包含大写字母、小写字母、数字、符号中的至少三类。"), field="password")


def authenticate(username: str, password: str) -> User:
    """The user whose credentials these are, or LoginRefused with a message that leaks nothing."""
    global _DUMMY_HASH
    username = (username or "").strip()
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    now = utcnow()
    # Unknown, locked and wrong-password logins get the same answer after the same work (one hash check),
    # so neither the message nor the time tells which usernames exist or are locked.
    if user is None:
        _DUMMY_HASH = _DUMMY_HASH or generate_password_hash("not a password")
        check_password_hash(_DUMMY_HASH, password or "")
        raise LoginRefused(refused_message())
    matches = check_password_hash(user.password_hash, password or "")
    if user.locked_until is not None and user.locked_until > now:
        raise LoginRefused(refused_message())
    if not matches:
        _count_failure(user)
        raise LoginRefused(refused_message())
    if not user.active:
        raise LoginRefused(_("该账号已停用，请联系管理员。"))
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    db.session.flush()
    return user


def refused_message() -> str:
    cfg = current_app.config
    return _("用户名或密码不正确。连续失败 %(n)d 次后账号将锁定 %(m)d 分钟。", n=cfg["LOGIN_MAX_FAILURES"],
             m=cfg["LOGIN_LOCKOUT_MINUTES"])


def _count_failure(user: User) -> None:
    cfg = current_app.config
    db.session.execute(update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1))
    failures = db.session.scalar(select(User.failed_logins).where(User.id == user.id))
    if failures >= cfg["LOGIN_MAX_FAILURES"]:
        until = utcnow() + timedelta(minutes=cfg["LOGIN_LOCKOUT_MINUTES"])
        db.session.execute(update(User).where(User.id == user.id).values(locked_until=until, failed_logins=0))
        audit.record(None, "auth.lockout", user, {"failures": failures}, actor_username=user.username)
    db.session.flush()
    db.session.expire(user)


class PasswordAttemptRefused(DomainError):
    """A wrong (or, while locked, any) current password on the password form; the view keeps the count."""


def change_password(user: User, current: str, new: str, keep_token: str | None) -> None:
    """Change the password after checking the current one. Wrong current passwords are counted in the
    database like failed logins (one atomic UPDATE); at the limit the form is locked for the lockout time."""
    cfg = current_app.config
    now = utcnow()
    matches = check_password_hash(user.password_hash, current or "")
    locked = user.password_locked_until is not None and user.password_locked_until > now
    if locked:
        minutes = max(1, int((user.password_locked_until - now).total_seconds() // 60) + 1)
        raise PasswordAttemptRefused(_("当前密码错误次数过多，请 %(m)d 分钟后再试。", m=minutes),
                                     field="current_password")
    if not matches:
        db.session.execute(update(User).where(User.id == user.id)
                           .values(password_failures=User.password_failures + 1))
        failures = db.session.scalar(select(User.password_failures).where(User.id == user.id))
        if failures >= cfg["LOGIN_MAX_FAILURES"]:
            until = now + timedelta(minutes=cfg["LOGIN_LOCKOUT_MINUTES"])
            db.session.execute(update(User).where(User.id == user.id)
                               .values(password_locked_until=until, password_failures=0))
            audit.record(user, "auth.password_lockout", user, {"failures": failures})
        db.session.flush()
        db.session.expire(user)
        raise PasswordAttemptRefused(_("当前密码不正确。"), field="current_password")
    check_password_strength(new)
    user.password_failures = 0
    user.password_locked_until = None
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    end_all_sessions(user.id, except_token=keep_token)
    audit.record(user, "auth.password_changed", user)


def _require_admin(actor: User) -> None:
    if not has_permission(actor, "user.manage"):
        raise PermissionDenied(_("只有系统管理员可以管理账号。"))


#: Roles whose scope is counties: one county, one prefecture, or (an administrator only) every county.
SCOPED_ROLES = (Role.HR, Role.INSPECTOR, Role.ADMIN)


def clean_prefecture(role: Role, prefecture: str | None) -> str | None:
    """The prefecture an account spans, as stored: None for roles without a county scope or when blank;
    otherwise it must be the ``prefecture`` of an existing county (DomainError naming the field)."""
    prefecture = (prefecture or "").strip()
    if role not in SCOPED_ROLES or not prefecture:
        return None
    if not db.session.scalar(select(County.id).where(County.prefecture == prefecture).limit(1)):
        raise DomainError(_("没有县（市、区）属于“%(p)s”，请从现有的地级市（州、盟）中选择。", p=prefecture),
                          field="prefecture")
    return prefecture


def _check_role_links(role: Role, school_id: int | None, teacher_id: int | None, county_id: int | None = None,
                      *, prefecture: str | None = None, user_id: int | None = None) -> None:
    """The record a role needs exists (and, for a teacher, is not another account's); ``user_id`` is the edited user.
    ``prefecture`` is already cleaned (``clean_prefecture``)."""
    if role == Role.PRINCIPAL:
        if school_id is None:
            raise DomainError(_("校长账号必须指定所在学校。"), field="school_id")
        if db.session.get(School, school_id) is None:
            raise DomainError(_("所选学校不存在。"), field="school_id")
    if role == Role.TEACHER:
        if teacher_id is None:
            raise DomainError(_("教师账号必须关联教师档案。"), field="teacher_id")
        if db.session.get(Teacher, teacher_id) is None:
            raise DomainError(_("所选教师不存在。"), field="teacher_id")
        taken = db.session.scalar(select(User).where(User.teacher_id == teacher_id))
        if taken is not None and taken.id != user_id:
            raise DomainError(_("该教师已有账号：%(u)s。", u=taken.username), field="teacher_id")
    if role in COUNTY_ROLES and county_id is None and prefecture is None:
        raise DomainError(_("人事科和督学账号必须指定所属县（市、区）或地级市（州、盟）。"), field="county_id")
    if role in SCOPED_ROLES and county_id is not None and prefecture is not None:
        raise DomainError(_("县（市、区）和地级市（州、盟）只能指定其一。"), field="prefecture")
    if role in SCOPED_ROLES and county_id is not None and db.session.get(County, county_id) is None:
        raise DomainError(_("所选县（市、区）不存在。"), field="county_id")


def create_user(actor: User, *, username: str, display_name: str, password: str, role: Role,
                school_id: int | None = None, teacher_id: int | None = None, county_id: int | None = None,
                prefecture: str | None = None) -> User:
    _require_admin(actor)
    username = username.strip()
    if not username:
        raise DomainError(_("请填写用户名。"), field="username")
    if db.session.scalar(select(User).where(func.lower(User.username) == username.lower())):
        raise DomainError(_("用户名“%(u)s”已被使用。", u=username), field="username")
    prefecture = clean_prefecture(role, prefecture)
    _check_role_links(role, school_id, teacher_id, county_id, prefecture=prefecture)
    check_password_strength(password)
    user = User(
        username=username, display_name=display_name.strip(), password_hash=hash_password(password), role=role,
        school_id=school_id if role == Role.PRINCIPAL else None,
        teacher_id=teacher_id if role == Role.TEACHER else None,
        county_id=county_id if role in SCOPED_ROLES else None, prefecture=prefecture,
        password_changed_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.created", user, {"username": username, "role": role.value,
                                               "school_id": user.school_id, "teacher_id": user.teacher_id,
                                               "county_id": user.county_id, "prefecture": user.prefecture})
    return user


def update_user(actor: User, user: User, *, display_name: str, role: Role, active: bool,
                school_id: int | None, teacher_id: int | None, county_id: int | None,
                prefecture: str | None = None) -> User:
    _require_admin(actor)
    if user.id == actor.id and (not active or role != Role.ADMIN):
        raise DomainError(_("不能停用自己的账号或取消自己的管理员角色。"), field="role")
    # Every role is checked (a teacher account without a record used to slip through when the
    # old and new teacher_id were both None, and then failed on the CHECK constraint).
    prefecture = clean_prefecture(role, prefecture)
    _check_role_links(role, school_id, teacher_id, county_id, prefecture=prefecture, user_id=user.id)
    fields = ["display_name", "role", "active", "school_id", "teacher_id", "county_id", "prefecture"]
    before = audit.snapshot(user, fields)
    user.display_name = display_name.strip()
    user.role = role
    user.active = active
    user.school_id = school_id if role == Role.PRINCIPAL else None
    user.teacher_id = teacher_id if role == Role.TEACHER else None
    user.county_id = county_id if role in SCOPED_ROLES else None
    user.prefecture = prefecture
    db.session.flush()
    changed = audit.changes(user, fields, before)
    if changed:
        if changed.keys() & {"role", "active", "school_id", "teacher_id", "county_id", "prefecture"}:
            # New rights or scope, or none at all: every open session must log in again.
            end_all_sessions(user.id)
        action = "user.role_changed" if "role" in changed else "user.updated"
        if "active" in changed and not active:
            action = "user.deactivated"
        audit.record(actor, action, user, changed)
    return user


def reset_password(actor: User, user: User, new_password: str) -> None:
    _require_admin(actor)
    check_password_strength(new_password)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.failed_logins = 0
    user.locked_until = None
    end_all_sessions(user.id)
    audit.record(actor, "user.password_reset", user)
