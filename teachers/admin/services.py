"""Administration services: account lookups around teachers.auth.services, county policy settings, audit queries.

Services flush and never commit; the view commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import get_timezone
from flask_babel import gettext as _
from sqlalchemy import String, and_, cast, false, func, or_, select, true

from teachers import audit, policy
from teachers.auth import services as accounts
from teachers.auth.permissions import (
    county_clause,
    county_filter,
    county_in_scope,
    county_scope,
    has_permission,
    scoped_county,
)
from teachers.errors import DomainError, NotFound, PermissionDenied
from teachers.extensions import db
from teachers.models import AuditEvent, County, Role, School, Teacher, User

# --------------------------------------------------------------------------- accounts


def _require(actor: User, action: str) -> None:
    if not has_permission(actor, action):
        raise PermissionDenied(_("您没有权限执行此操作。"))


def list_users(actor: User, *, role: str | None = None, q: str | None = None):
    """A SELECT of accounts, filtered by role and by a fragment of username or display name (to paginate)."""
    _require(actor, "user.manage")
    stmt = select(User).order_by(User.username)
    if role:
        try:
            stmt = stmt.where(User.role == Role(role))
        except ValueError:
            pass
    if q:
        q = q.strip()
        stmt = stmt.where(or_(User.username.icontains(q, autoescape=True),
                              User.display_name.icontains(q, autoescape=True)))
    return stmt


def get_user(actor: User, user_id: int) -> User:
    _require(actor, "user.manage")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("找不到该账号。"))
    return user


def _teacher_id_for(role: Role, staff_no: str | None) -> int | None:
    """Resolve the staff number typed for a teacher account (a select of 1,500 teachers is unusable)."""
    staff_no = (staff_no or "").strip()
    if role != Role.TEACHER:
        return None
    if not staff_no:
        raise DomainError(_("教师账号必须关联教师档案，请填写教师工号。"), field="staff_no")
    teacher_id = db.session.scalar(select(Teacher.id).where(Teacher.staff_no == staff_no))
    if teacher_id is None:
        raise DomainError(_("找不到工号为“%(no)s”的教师档案。", no=staff_no), field="staff_no")
    return teacher_id


def create_account(actor: User, *, username: str, display_name: str, password: str, role: Role,
                   school_id: int | None, staff_no: str | None, county_id: int | None,
                   prefecture: str | None = None) -> User:
    """A new account; the teacher record is named by staff number."""
    _require(actor, "user.manage")
    teacher_id = _teacher_id_for(role, staff_no)
    return accounts.create_user(actor, username=username, display_name=display_name or "", password=password,
                                role=role, school_id=school_id, teacher_id=teacher_id, county_id=county_id,
                                prefecture=prefecture)


def update_account(actor: User, user: User, *, display_name: str, role: Role, active: bool,
                   school_id: int | None, staff_no: str | None, county_id: int | None,
                   prefecture: str | None = None) -> User:
    """Change an account's role, links or state (audited; ends its sessions when rights change)."""
    _require(actor, "user.manage")
    teacher_id = _teacher_id_for(role, staff_no)
    return accounts.update_user(actor, user, display_name=display_name or "", role=role, active=active,
                                school_id=school_id, teacher_id=teacher_id, county_id=county_id,
                                prefecture=prefecture)


def reset_account_password(actor: User, user: User, password: str) -> None:
    _require(actor, "user.manage")
    accounts.reset_password(actor, user, password)


def school_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(School.id, School.name, County.name).join(County, County.id == School.county_id)
        .where(School.active.is_(True)).order_by(County.name, School.code)
    ).all()
    many = len({county for _id, _name, county in rows}) > 1
    return [(sid, f"{county} · {name}" if many else name) for sid, name, county in rows]


def county_choices() -> list[tuple[int, str]]:
    return [(c.id, c.name) for c in db.session.scalars(select(County).order_by(County.id))]


def prefecture_choices() -> list[str]:
    """The prefectures of the existing counties (what an account's prefecture scope may name)."""
    return list(db.session.scalars(select(County.prefecture).where(County.prefecture.is_not(None),
                                                                   County.prefecture != "")
                                   .distinct().order_by(County.prefecture)))


# --------------------------------------------------------------------------- policy settings


def _require_settings_view(actor: User) -> None:
    if not (has_permission(actor, "settings.view") or has_permission(actor, "settings.manage")):
        raise PermissionDenied(_("您没有权限查看政策参数。"))


def settings_counties(actor: User) -> list[County]:
    """Counties whose settings the actor may see: their own, or every county when the account has none."""
    _require_settings_view(actor)
    return list(db.session.scalars(select(County).where(county_filter(actor)).order_by(County.id)))


def settings_county(actor: User, county_id: int | None) -> County | None:
    _require_settings_view(actor)
    return scoped_county(actor, county_id)


@dataclass(frozen=True)
class SettingRow:
    setting: policy.Setting
    label: str
    value: Any
    default: Any
    overridden: bool
    source: str = ""

    @property
    def value_text(self) -> str:
        return setting_text(self.value)

    @property
    def default_text(self) -> str:
        return setting_text(self.default)


def setting_text(value: Any) -> str:
    """A value as typed in the form: lists of subjects joined with the Chinese comma."""
    if isinstance(value, (list, tuple)):
        return "，".join(str(v) for v in value)
    return str(value)


def setting_label(setting: policy.Setting, locale: str) -> str:
    return setting.label_en if locale == "en" else setting.label_zh


def settings_rows(county: County, locale: str) -> list[SettingRow]:
    """Every policy setting with the county's effective value, its default and whether the county set it."""
    stored = county.policy or {}
    values = policy.effective(stored)
    return [
        SettingRow(setting=s, label=setting_label(s, locale), value=values[s.key], default=s.default,
                   overridden=s.key in stored and stored[s.key] != s.default, source=policy.source_text(s, locale))
        for s in policy.SETTINGS
    ]


def _policy_message(error: policy.PolicyError, locale: str) -> str:
    """The reason a value was refused, in the user's language, naming the setting."""
    setting = policy.BY_KEY.get(error.key)
    if setting is None:
        return _("未知参数：%(key)s。", key=error.key)
    name = setting_label(setting, locale)
    if error.key == "max_rotation_share" and "rotation_share" in error.message:
        return _("“%(name)s”不得低于“%(other)s”。", name=name,
                 other=setting_label(policy.BY_KEY["rotation_share"], locale))
    if setting.choices:
        return _("“%(name)s”只能取以下值之一：%(choices)s。", name=name, choices=_("、").join(setting.choices))
    if setting.minimum is not None and setting.maximum is not None:
        kind = _("整数") if setting.kind == "int" else _("数值")
        return _("“%(name)s”应为 %(min)s 至 %(max)s 之间的%(kind)s。", name=name, min=_num(setting.minimum),
                 max=_num(setting.maximum), kind=kind)
    return _("“%(name)s”的取值无效。", name=name)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def save_settings(actor: User, county: County, raw: dict[str, Any], locale: str = "zh") -> dict[str, list[Any]]:
    """Validate every submitted value; store all or nothing. Returns and audits the diff {key: [old, new]}.

    Values equal to the default are not stored, so they follow the default. Stored keys the code
    no longer knows are kept untouched (they are ignored by ``policy.effective``).
    """
    if not has_permission(actor, "settings.manage"):
        raise PermissionDenied(_("只有系统管理员可以修改政策参数。"))
    if not county_in_scope(actor, county):
        raise NotFound(_("找不到该县（市、区）。"))
    submitted: dict[str, Any] = {}
    for setting in policy.SETTINGS:
        value = raw.get(setting.key)
        if setting.kind == "bool":
            submitted[setting.key] = False if value is None else value  # an unticked box is not sent
            continue
        value = "" if value is None else str(value).strip()
        if value == "":
            raise DomainError(_("请填写“%(name)s”。", name=setting_label(setting, locale)), field=setting.key)
        submitted[setting.key] = value
    try:
        clean = policy.validate(submitted)
    except policy.PolicyError as exc:
        raise DomainError(_policy_message(exc, locale), field=exc.key) from None
    for key, value in clean.items():
        if isinstance(value, list) and not value:
            raise DomainError(_("请填写“%(name)s”。", name=setting_label(policy.BY_KEY[key], locale)), field=key)
    old_stored = dict(county.policy or {})
    before = policy.effective(old_stored)
    new_stored = {k: v for k, v in old_stored.items() if k not in policy.BY_KEY}
    new_stored.update({k: v for k, v in clean.items() if v != policy.DEFAULTS[k]})
    after = policy.effective(new_stored)
    diff = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if new_stored != old_stored:
        county.policy = new_stored  # a new dict: SQLAlchemy does not see in-place changes to a JSON column
        db.session.flush()
    if diff:
        audit.record(actor, "settings.changed", county, diff)
    return diff


# --------------------------------------------------------------------------- audit trail


def _local_midnight_utc(day: date) -> datetime:
    """Midnight of ``day`` in the bureau's time zone, as a UTC instant."""
    tz = get_timezone()
    naive = datetime.combine(day, time.min)
    # pytz zones need localize(); replace() would give them their historical LMT offset.
    local = tz.localize(naive) if hasattr(tz, "localize") else naive.replace(tzinfo=tz)
    return local.astimezone(UTC)


def _ids(column, *where):
    """``SELECT CAST(column AS VARCHAR) WHERE …``: ids as ``AuditEvent.object_id`` stores them (text), an
    uncorrelated subquery the database evaluates once (so ``object_id IN (…)`` stays a hashed lookup)."""
    return select(cast(column, String)).where(*where)


def audit_scope(viewer: User):
    """A WHERE clause on ``AuditEvent``: the events of the counties ``viewer`` reaches (``county_clause``).

    The county is derived at query time, never copied into the (append-only, hash-chained) row. An event
    belongs to the county of its object — a teacher (personnel or working school), a school, a county (its
    settings), a rotation round, solve run, move or school pair, an account (see below), a training record,
    achievement, honour, mentoring pair (mentee or mentor) or programme, a command-line export's
    ``--county`` — or its actor is an account lying inside the viewer's scope: of a county in it, of the
    viewer's prefecture, of a school in it, or a teacher account of a teacher in it. A prefecture's own events
    (its demo seed) are its prefecture accounts'. An event whose county cannot be told (the county seed without
    a county, an all-county administrator's work on an all-county account, an export of every county) is seen
    by the all-county administrators only — and so is an object type missing below: a newly audited type must
    be added here (and to tests/teachers/admin/test_audit_scope.py) for scoped readers to see it. Every branch is an ``object_id IN (uncorrelated subquery)`` so paging and
    counting stay in SQL."""
    from teachers.models import (
        Achievement,
        Honour,
        MentorPair,
        Programme,
        RotationMove,
        RotationRound,
        SchoolPair,
        SolveRun,
        TrainingRecord,
    )

    kind, value = county_scope(viewer)
    if kind == "all":
        return true()
    if kind == "none":
        return false()
    counties = select(County.id).where(county_clause(viewer))
    schools = select(School.id).where(School.county_id.in_(counties))
    teachers = select(Teacher.id).where(or_(Teacher.personnel_school_id.in_(schools),
                                            Teacher.working_school_id.in_(schools)))
    rounds = select(RotationRound.id).where(RotationRound.county_id.in_(counties))
    inside = [User.county_id.in_(counties), User.school_id.in_(schools), User.teacher_id.in_(teachers)]
    if kind == "prefecture":
        inside.append(User.prefecture == value)
    accounts = select(User.id).where(or_(*inside))
    # keyed by model: ``audit.record(actor, action, obj)`` names the object by its table
    by_type = {
        Teacher: _ids(Teacher.id, Teacher.id.in_(teachers)),
        School: _ids(School.id, School.id.in_(schools)),
        County: _ids(County.id, County.id.in_(counties)),
        RotationRound: _ids(RotationRound.id, RotationRound.id.in_(rounds)),
        SolveRun: _ids(SolveRun.id, SolveRun.round_id.in_(rounds)),
        RotationMove: _ids(RotationMove.id, RotationMove.round_id.in_(rounds)),
        SchoolPair: _ids(SchoolPair.id, SchoolPair.county_id.in_(counties)),
        User: _ids(User.id, User.id.in_(accounts)),
        TrainingRecord: _ids(TrainingRecord.id, TrainingRecord.teacher_id.in_(teachers)),
        Achievement: _ids(Achievement.id, Achievement.teacher_id.in_(teachers)),
        Honour: _ids(Honour.id, Honour.teacher_id.in_(teachers)),
        MentorPair: _ids(MentorPair.id, or_(MentorPair.mentee_id.in_(teachers), MentorPair.mentor_id.in_(teachers))),
        Programme: _ids(Programme.id, Programme.county_id.in_(counties)),
    }
    branches = [and_(AuditEvent.object_type == model.__tablename__, AuditEvent.object_id.in_(ids))
                for model, ids in by_type.items()]
    # ``flask export --county NAME`` records the county's name among the filters (its actor is no account).
    cli_county = AuditEvent.summary[("filters", "county")].as_string()
    branches.append(and_(AuditEvent.object_type == "export",
                         cli_county.in_(select(County.name).where(County.id.in_(counties)))))
    if kind == "prefecture":
        branches.append(and_(AuditEvent.object_type == "prefecture", AuditEvent.object_id == value))
    branches.append(AuditEvent.actor_id.in_(accounts))
    return or_(*branches)


def audit_query(actor: User, *, action: str | None = None, actor_name: str | None = None,
                date_from: date | None = None, date_to: date | None = None, object_type: str | None = None,
                object_id: str | None = None):
    """A SELECT of the audit events in the actor's scope (``audit_scope``), newest first, narrowed by the
    filters (dates are local, inclusive)."""
    _require(actor, "audit.view")
    stmt = select(AuditEvent).where(audit_scope(actor)).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if actor_name:
        stmt = stmt.where(func.lower(AuditEvent.actor_username) == actor_name.strip().lower())
    if date_from:
        stmt = stmt.where(AuditEvent.at >= _local_midnight_utc(date_from))
    if date_to:
        stmt = stmt.where(AuditEvent.at < _local_midnight_utc(date_to + timedelta(days=1)))
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditEvent.object_id == object_id.strip())
    return stmt


def audit_actions(actor: User) -> list[str]:
    """The actions of the events the actor may read (the filter's choices name nothing out of scope)."""
    _require(actor, "audit.view")
    return list(db.session.scalars(
        select(AuditEvent.action).where(audit_scope(actor)).distinct().order_by(AuditEvent.action)))


def audit_object_types(actor: User) -> list[str]:
    """The object types of the events the actor may read."""
    _require(actor, "audit.view")
    return [t for t in db.session.scalars(
        select(AuditEvent.object_type).where(audit_scope(actor)).distinct().order_by(AuditEvent.object_type)) if t]
