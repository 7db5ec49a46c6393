"""Training records: a teacher reports outside training with evidence, the principal verifies, HR
confirms (or, in a one-step county, the principal's verification confirms); a rejection carries a
reason and the teacher corrects and resubmits. Every transition is a compare-and-set UPDATE and
leaves a ``TrainingEvent``; approvals also go to the audit trail.

Services take plain values and the acting user, check permission and scope, flush and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from teachers import audit, policy
from teachers.auth.permissions import has_permission, teacher_filter, teacher_in_scope, users_reaching
from teachers.development import cycle, evidence, states
from teachers.errors import DomainError, NotFound, PermissionDenied
from teachers.extensions import db
from teachers.models import (
    Programme,
    ProgrammeLevel,
    Role,
    School,
    Teacher,
    TeacherStatus,
    TrainingEvent,
    TrainingRecord,
    TrainingSource,
    TrainingState,
    User,
)
from teachers.notifications.services import close_todos, notify
from teachers.records.history import years_between

EDITABLE = ("title", "level", "provider", "hours", "credits", "start_on", "end_on")


def county_values(teacher: Teacher) -> dict[str, Any]:
    return policy.effective(teacher.personnel_school.county.policy)


def rules_for(teacher: Teacher) -> cycle.CycleRules:
    return cycle.CycleRules.from_policy(county_values(teacher))


# ------------------------------------------------------------------------------------------ reading


def get_teacher(user: User, teacher_id: int) -> Teacher:
    teacher = db.session.get(Teacher, teacher_id)
    if teacher is None or not has_permission(user, "development.view") or not teacher_in_scope(user, teacher):
        raise NotFound(_("找不到该教师。"))
    return teacher


def get_record(user: User, record_id: int) -> TrainingRecord:
    record = db.session.get(TrainingRecord, record_id)
    if record is None or not has_permission(user, "development.view") or not teacher_in_scope(user, record.teacher):
        raise NotFound(_("找不到该培训记录。"))
    return record


def records_of(teacher: Teacher) -> list[TrainingRecord]:
    return list(db.session.scalars(
        select(TrainingRecord).where(TrainingRecord.teacher_id == teacher.id)
        .options(selectinload(TrainingRecord.programme))
        .order_by(TrainingRecord.start_on.desc(), TrainingRecord.id.desc())))


def _online(record: TrainingRecord) -> bool:
    return record.programme is not None and record.programme.mode.value == "online"


def item_of(record: TrainingRecord) -> cycle.Item | None:
    """The record as the cycle arithmetic sees it; a rejected record is no item at all."""
    if record.state == TrainingState.REJECTED:
        return None
    return cycle.Item(day=record.end_on, level=record.level.value, hours=record.hours, credits=record.credits,
                      online=_online(record), counted=record.state in states.COUNTED, key=record.id)


def in_probation(teacher: Teacher, today: date) -> bool:
    """The probation year (试用期): the first year of service."""
    return years_between(teacher.service_start, today) < 1


def progress_of(teacher: Teacher, today: date, records: list[TrainingRecord] | None = None,
                first_year: int | None = None) -> cycle.Progress:
    rules = rules_for(teacher)
    chosen = None
    if first_year is not None:
        chosen = cycle.cycle_of(date(first_year, 1, 1), rules)
        if chosen.last_year < teacher.service_start.year or chosen.first_year > today.year:
            # no certificate for a cycle before the teacher started or one that has not begun
            raise NotFound(_("该教师在%(first)s–%(last)s年培训周期内没有任职记录。", first=chosen.first_year, last=chosen.last_year))
    items = [i for i in (item_of(r) for r in (records if records is not None else records_of(teacher))) if i]
    return cycle.progress(items, rules, today=today, probation=in_probation(teacher, today), cycle=chosen,
                          since=teacher.service_start)


def teacher_progress(user: User, teacher_id: int, today: date) -> tuple[Teacher, list[TrainingRecord],
                                                                         cycle.Progress]:
    teacher = get_teacher(user, teacher_id)
    records = records_of(teacher)
    return teacher, records, progress_of(teacher, today, records)


@dataclass
class SchoolCompletion:
    school: School
    teachers: int
    complete: int
    behind: list[tuple[Teacher, cycle.Progress]]

    @property
    def percent(self) -> int:
        return 100 if not self.teachers else int(self.complete * 100 // self.teachers)


def progress_rows(user: User, today: date) -> list[tuple[Teacher, cycle.Progress]]:
    """Every serving teacher the overview counts (in scope; a principal's: those working at the school),
    by staff number, with their progress in the current cycle. The overview page and the export read this."""
    if not has_permission(user, "training.overview"):
        raise PermissionDenied("training.overview")
    teachers = list(db.session.scalars(
        select(Teacher).where(teacher_filter(user), Teacher.status != TeacherStatus.RETIRED)
        .options(selectinload(Teacher.working_school).selectinload(School.county),
                 selectinload(Teacher.personnel_school).selectinload(School.county))
        .order_by(Teacher.staff_no)))
    if user.role == Role.PRINCIPAL:
        teachers = [t for t in teachers if t.working_school_id == user.school_id]
    by_teacher: dict[int, list[TrainingRecord]] = {}
    ids = [t.id for t in teachers]
    for start in range(0, len(ids), 500):
        for r in db.session.scalars(select(TrainingRecord).where(TrainingRecord.teacher_id.in_(ids[start:start + 500]))
                                    .options(selectinload(TrainingRecord.programme))):
            by_teacher.setdefault(r.teacher_id, []).append(r)
    return [(t, progress_of(t, today, by_teacher.get(t.id, []))) for t in teachers]


def overview(user: User, today: date) -> list[SchoolCompletion]:
    """Per school in the user's scope: serving teachers, how many have completed their cycle so far
    (hours and yearly minimums), and who is behind, the most missing first."""
    schools: dict[int, SchoolCompletion] = {}
    for t, p in progress_rows(user, today):
        row = schools.setdefault(t.working_school_id, SchoolCompletion(t.working_school, 0, 0, []))
        row.teachers += 1
        if p.missing == 0 and not p.short_years:
            row.complete += 1
        else:
            row.behind.append((t, p))
    for row in schools.values():
        row.behind.sort(key=lambda tp: (-tp[1].missing, tp[0].staff_no))
    return sorted(schools.values(), key=lambda r: (r.school.code))


def review_queue(user: User) -> list[TrainingRecord]:
    """Records waiting for this user: the principal's school's submitted records, HR's verified ones."""
    if user.role == Role.PRINCIPAL and has_permission(user, "training.verify"):
        wanted = TrainingState.SUBMITTED
    elif user.role == Role.HR and has_permission(user, "training.confirm"):
        wanted = TrainingState.VERIFIED
    else:
        raise PermissionDenied("training.review")
    stmt = (select(TrainingRecord).join(Teacher, Teacher.id == TrainingRecord.teacher_id)
            .where(TrainingRecord.state == wanted, teacher_filter(user))
            .options(selectinload(TrainingRecord.teacher)).order_by(TrainingRecord.created_at, TrainingRecord.id))
    if user.role == Role.PRINCIPAL:
        stmt = stmt.where(Teacher.working_school_id == user.school_id)
    return list(db.session.scalars(stmt))


# ------------------------------------------------------------------------------------- validation


def _text(data: dict[str, Any], key: str, max_len: int, required: bool, message: str) -> str:
    value = str(data.get(key) or "").strip()
    if required and not value:
        raise DomainError(message, field=key)
    if len(value) > max_len:
        raise DomainError(_("不超过%(n)d个字。", n=max_len), field=key)
    return value


def _number(data: dict[str, Any], key: str) -> float | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DomainError(_("请填写数字。"), field=key) from None
    if not number > 0 or number > 2000:
        raise DomainError(_("须大于0且不超过2000。"), field=key)
    return round(number, 1)


def _day(data: dict[str, Any], key: str, message: str) -> date:
    value = data.get(key)
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise DomainError(message, field=key) from None


def clean(teacher: Teacher, data: dict[str, Any], today: date, *, programme: Programme | None = None,
          exclude_id: int | None = None) -> dict[str, Any]:
    """The record's values from a form, or DomainError naming the field."""
    values = county_values(teacher)
    rules = cycle.CycleRules.from_policy(values)
    out: dict[str, Any] = {}
    out["title"] = _text(data, "title", 200, True, _("请填写培训名称。"))
    try:
        out["level"] = ProgrammeLevel(data.get("level"))
    except ValueError:
        raise DomainError(_("请选择培训级别。"), field="level") from None
    out["provider"] = _text(data, "provider", 100, True, _("请填写主办单位。"))
    out["start_on"] = _day(data, "start_on", _("请填写开始日期（年-月-日）。"))
    out["end_on"] = _day(data, "end_on", _("请填写结束日期（年-月-日）。"))
    if out["end_on"] < out["start_on"]:
        raise DomainError(_("结束日期不能早于开始日期。"), field="end_on")
    if out["end_on"] > today:
        raise DomainError(_("结束日期不能晚于今天：培训结束后才能申报学时。"), field="end_on")
    current = cycle.cycle_of(today, rules)
    if out["start_on"] not in current:
        raise DomainError(_("培训日期须在本继续教育周期（%(a)d—%(b)d年）内。", a=current.first_year,
                            b=current.last_year), field="start_on")
    if out["start_on"] < teacher.service_start:
        raise DomainError(_("培训日期不能早于参加工作时间。"), field="start_on")
    out["hours"] = _number(data, "hours")
    out["credits"] = _number(data, "credits")
    if out["hours"] is None and out["credits"] is None:
        raise DomainError(_("请填写学时或学分。"), field="hours")
    if out["hours"] is not None and out["credits"] is not None:
        raise DomainError(_("学时和学分只填一项。"), field="credits")
    given = cycle.item_hours(cycle.Item(out["end_on"], out["level"].value, out["hours"], out["credits"]), rules)
    days = (out["end_on"] - out["start_on"]).days + 1
    per_day = float(values["training_max_hours_per_day"])
    if given > days * per_day:
        raise DomainError(_("%(days)d天的培训最多计%(max)s学时，填写的%(h)s学时过多。", days=days,
                            max=f"{days * per_day:g}", h=f"{given:g}"),
                          field="hours" if out["hours"] is not None else "credits")
    if programme is not None:
        offered = cycle.item_hours(cycle.Item(programme.end_on, programme.level.value, programme.hours,
                                              programme.credits), rules)
        if given > offered:
            raise DomainError(_("该项目只给%(max)s学时，不能多于此数。", max=f"{offered:g}"), field="hours")
    duplicate = db.session.scalar(
        select(TrainingRecord.id).where(TrainingRecord.teacher_id == teacher.id, TrainingRecord.title == out["title"],
                                        TrainingRecord.start_on == out["start_on"],
                                        TrainingRecord.id != (exclude_id or -1)))
    if duplicate is not None:
        raise DomainError(_("同一培训（名称和开始日期相同）已申报过，不能重复申报。"), field="title")
    return out


# ------------------------------------------------------------------------------------- transitions


def principals_of(teacher: Teacher) -> list[User]:
    """The active principal accounts of the teacher's working school (who verify and sign off)."""
    return list(db.session.scalars(select(User).where(User.role == Role.PRINCIPAL, User.active.is_(True),
                                                      User.school_id == teacher.working_school_id)))


def _hr(teacher: Teacher) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.role == Role.HR, User.active.is_(True), users_reaching(teacher.personnel_school.county))))


def accounts_of(teacher: Teacher) -> list[User]:
    """The teacher's own active accounts."""
    return list(db.session.scalars(select(User).where(User.teacher_id == teacher.id, User.active.is_(True))))


def _event(record: TrainingRecord, actor: User | None, action: str, before: str | None, after: str,
           reason: str = "", changes: dict | None = None) -> None:
    db.session.add(TrainingEvent(record_id=record.id, action=action, from_state=before, to_state=after,
                                 actor_id=actor.id if actor else None, reason=reason, changes=changes or {}))


def _params(record: TrainingRecord) -> dict[str, Any]:
    return {"teacher": record.teacher.name, "title": record.title}


def _announce(record: TrainingRecord, state: TrainingState) -> None:
    """Open the to-dos the new state calls for."""
    if state == TrainingState.SUBMITTED:
        notify(principals_of(record.teacher), "training.to_verify", object_type="training_record",
               object_id=record.id, params=_params(record), todo=True)
    elif state == TrainingState.VERIFIED:
        notify(_hr(record.teacher), "training.to_confirm", object_type="training_record", object_id=record.id,
               params=_params(record), todo=True)
    elif state == TrainingState.REJECTED:
        notify(accounts_of(record.teacher), "training.rejected", object_type="training_record",
               object_id=record.id, params={**_params(record), "reason": record.reject_reason}, todo=True)
    elif state == TrainingState.CONFIRMED:
        notify(accounts_of(record.teacher), "training.confirmed", object_type="training_record",
               object_id=record.id, params=_params(record))


def _close(record: TrainingRecord) -> None:
    for kind in ("training.to_verify", "training.to_confirm", "training.rejected"):
        close_todos(kind, object_type="training_record", object_id=record.id)


def submit_outside(actor: User, data: dict[str, Any], upload: evidence.Upload | None, today: date) -> TrainingRecord:
    """A teacher reports outside training (校外培训) with an evidence file."""
    if actor.role != Role.TEACHER or not has_permission(actor, "training.submit") or actor.teacher is None:
        raise PermissionDenied("training.submit")
    teacher = actor.teacher
    values = clean(teacher, data, today)
    if upload is None or not upload.filename:
        raise DomainError(_("校外培训须上传证明材料（PDF、JPG 或 PNG）。"), field="evidence")
    stored = evidence.store(actor, upload, max_mb=int(county_values(teacher)["evidence_max_mb"]))
    try:
        record = TrainingRecord(teacher_id=teacher.id, source=TrainingSource.OUTSIDE, state=TrainingState.SUBMITTED,
                                evidence_id=stored.id, submitted_by_id=actor.id, **values)
        db.session.add(record)
        db.session.flush()
        _event(record, actor, "submit", None, TrainingState.SUBMITTED.value)
        _announce(record, TrainingState.SUBMITTED)
        db.session.flush()
    except Exception:
        evidence.discard(stored)
        raise
    return record


def record_submitted(record: TrainingRecord, actor: User | None) -> None:
    """History and to-dos for a record that enters the workflow (organiser completion, imports)."""
    _event(record, actor, "submit", None, TrainingState.SUBMITTED.value)
    _announce(record, TrainingState.SUBMITTED)


def _cas(record: TrainingRecord, expected: TrainingState, target: TrainingState, **values: Any) -> None:
    """Move ``record`` from ``expected`` to ``target`` only if nobody moved it first."""
    result = db.session.execute(
        update(TrainingRecord)
        .where(TrainingRecord.id == record.id, TrainingRecord.state == expected,
               TrainingRecord.version == record.version)
        .values(state=target, version=TrainingRecord.version + 1, **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise DomainError(_("该记录刚刚已被他人处理，请刷新后查看。"))
    db.session.expire(record)


def act(actor: User, record_id: int, action: str, *, reason: str = "") -> TrainingRecord:
    """verify, confirm or reject a record, as the workflow and the actor's scope allow."""
    record = get_record(actor, record_id)
    if action not in ("verify", "confirm", "reject") or actor.role not in states.ACTORS[action]:
        raise PermissionDenied(action)
    if action == "verify" and not (has_permission(actor, "training.verify")
                                   and record.teacher.working_school_id == actor.school_id):
        raise DomainError(_("只能审核本校教师的培训记录。"))
    if action == "confirm" and not has_permission(actor, "training.confirm"):
        raise PermissionDenied(action)
    if action == "reject":
        if record.state not in states.REJECTABLE.get(actor.role, frozenset()):
            raise DomainError(_("该记录当前状态为“%(s)s”，不能由您退回。", s=state_label(record.state)))
        if actor.role == Role.PRINCIPAL and record.teacher.working_school_id != actor.school_id:
            raise DomainError(_("只能审核本校教师的培训记录。"))
        reason = (reason or "").strip()
        if not reason:
            raise DomainError(_("退回须写明原因。"), field="reason")
        if len(reason) > 200:
            raise DomainError(_("不超过%(n)d个字。", n=200), field="reason")
    steps = int(county_values(record.teacher)["training_approval_steps"])
    before = record.state
    target = states.next_state(before, action, steps=steps)
    if target is None:
        if action == "confirm" and before == TrainingState.SUBMITTED:
            raise DomainError(_("该记录尚未经学校审核，不能确认。"))
        raise DomainError(_("该记录当前状态为“%(s)s”，不能执行此操作。", s=state_label(before)))
    _cas(record, before, target, reject_reason=reason if target == TrainingState.REJECTED else "")
    _event(record, actor, action, before.value, target.value, reason)
    _close(record)
    _announce(record, target)
    audit.record(actor, f"training.{action}", record, {"from": before.value, "to": target.value,
                                                       "hours": record.hours, "credits": record.credits,
                                                       **({"reason": reason} if reason else {})})
    return record


def resubmit(actor: User, record_id: int, data: dict[str, Any], upload: evidence.Upload | None,
             today: date) -> TrainingRecord:
    """The teacher corrects a rejected record (and may replace its evidence) and submits it again."""
    record = get_record(actor, record_id)
    if actor.role != Role.TEACHER or record.teacher_id != actor.teacher_id:
        raise PermissionDenied("resubmit")
    if record.state != TrainingState.REJECTED:
        raise DomainError(_("只有被退回的记录可以修改后重新提交。"))
    values = clean(record.teacher, data, today, programme=record.programme, exclude_id=record.id)
    changes = {k: [audit._plain(getattr(record, k)), audit._plain(v)] for k, v in values.items()
               if getattr(record, k) != v}
    stored = None
    if upload is not None and upload.filename:
        stored = evidence.store(actor, upload, max_mb=int(county_values(record.teacher)["evidence_max_mb"]))
        changes["evidence"] = [record.evidence.original_name if record.evidence else None, stored.original_name]
    try:
        _cas(record, TrainingState.REJECTED, TrainingState.SUBMITTED, reject_reason="",
             **values, **({"evidence_id": stored.id} if stored else {}))
        _event(record, actor, "resubmit", TrainingState.REJECTED.value, TrainingState.SUBMITTED.value,
               changes=changes)
        _close(record)
        _announce(record, TrainingState.SUBMITTED)
        db.session.flush()
    except Exception:
        evidence.discard(stored)
        raise
    return record


def state_label(state: TrainingState) -> str:
    from teachers.labels import label

    return label(state)


def evidence_for(user: User, evidence_id: int):
    """The evidence row when ``user`` may see a record that holds it; NotFound otherwise."""
    from teachers.models import Achievement, EvidenceFile

    row = db.session.get(EvidenceFile, evidence_id)
    if row is None or not has_permission(user, "development.view"):
        raise NotFound(_("找不到该文件。"))
    owners = list(db.session.scalars(select(TrainingRecord.teacher_id).where(TrainingRecord.evidence_id == row.id)))
    owners += list(db.session.scalars(select(Achievement.teacher_id).where(Achievement.evidence_id == row.id)))
    for teacher_id in owners:
        teacher = db.session.get(Teacher, teacher_id)
        if teacher is not None and teacher_in_scope(user, teacher):
            return row
    raise NotFound(_("找不到该文件。"))
