"""The training catalogue (国培/省培/市培/县培/片区/校本研修): HR publishes programmes; teachers enrol
themselves or HR enrols a school's teachers; the organiser marks completion for the participants in
one step, which creates their training records (then verified and confirmed like any other).
Services check permission and scope, flush and never commit."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from teachers import audit
from teachers.auth.permissions import county_filter, has_permission, school_in_scope, scoped_county
from teachers.development import training
from teachers.errors import DomainError, NotFound, PermissionDenied
from teachers.extensions import db
from teachers.models import (
    DeliveryMode,
    Enrolment,
    Programme,
    ProgrammeLevel,
    Role,
    School,
    Teacher,
    TeacherStatus,
    TrainingRecord,
    TrainingSource,
    TrainingState,
    User,
)


def programmes(user: User) -> list[Programme]:
    if not has_permission(user, "development.view"):
        raise PermissionDenied("development.view")
    from teachers.models import County

    counties = select(County.id).where(county_filter(user))
    if user.role == Role.TEACHER and user.teacher is not None:
        counties = select(School.county_id).where(School.id == user.teacher.working_school_id)
    return list(db.session.scalars(select(Programme).where(Programme.county_id.in_(counties))
                                   .order_by(Programme.start_on.desc(), Programme.id.desc())))


def get_programme(user: User, programme_id: int) -> Programme:
    row = db.session.get(Programme, programme_id)
    if row is None or row not in programmes(user):
        raise NotFound(_("找不到该培训项目。"))
    return row


def take_up(programmes: list[Programme]) -> dict[int, tuple[int, int]]:
    """{programme id: (enrolled, completed)} for the given programmes, in one query."""
    ids = [p.id for p in programmes]
    if not ids:
        return {}
    rows = db.session.execute(select(Enrolment.programme_id, func.count(), func.count(Enrolment.completed_on))
                              .where(Enrolment.programme_id.in_(ids)).group_by(Enrolment.programme_id))
    found = {pid: (int(n), int(done)) for pid, n, done in rows}
    return {pid: found.get(pid, (0, 0)) for pid in ids}


def enrolments(programme: Programme) -> list[Enrolment]:
    return list(db.session.scalars(select(Enrolment).where(Enrolment.programme_id == programme.id)
                                   .options(selectinload(Enrolment.teacher).selectinload(Teacher.working_school))
                                   .join(Teacher, Teacher.id == Enrolment.teacher_id).order_by(Teacher.staff_no)))


def _number(value: Any, field: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DomainError(_("请填写数字。"), field=field) from None
    if not 0 < number <= 2000:
        raise DomainError(_("须大于0且不超过2000。"), field=field)
    return round(number, 1)


def create(actor: User, county_id: int | None, data: dict[str, Any]) -> Programme:
    if not has_permission(actor, "development.manage"):
        raise PermissionDenied("development.manage")
    county = scoped_county(actor, county_id)
    if county is None:
        raise NotFound(_("找不到该县（市、区）。"))
    title = str(data.get("title") or "").strip()
    if not title or len(title) > 200:
        raise DomainError(_("请填写项目名称（不超过200字）。"), field="title")
    try:
        level = ProgrammeLevel(data.get("level"))
        mode = DeliveryMode(data.get("mode"))
    except ValueError:
        raise DomainError(_("请从列表中选择。"), field="level") from None
    hours, credits = _number(data.get("hours"), "hours"), _number(data.get("credits"), "credits")
    if (hours is None) == (credits is None):
        raise DomainError(_("学时和学分填且只填一项。"), field="hours")
    start, end = data.get("start_on"), data.get("end_on")
    if not isinstance(start, date):
        raise DomainError(_("请填写开始日期（年-月-日）。"), field="start_on")
    if not isinstance(end, date):
        raise DomainError(_("请填写结束日期（年-月-日）。"), field="end_on")
    if end < start:
        raise DomainError(_("结束日期不能早于开始日期。"), field="end_on")
    capacity = data.get("capacity")
    if capacity in (None, ""):
        capacity = None
    else:
        try:
            capacity = int(capacity)
        except (TypeError, ValueError):
            raise DomainError(_("请填写整数。"), field="capacity") from None
        if capacity < 1:
            raise DomainError(_("名额须至少为1。"), field="capacity")
    provider = str(data.get("provider") or "").strip()
    if not provider:
        raise DomainError(_("请填写主办单位。"), field="provider")
    row = Programme(county_id=county.id, title=title, level=level, mode=mode, hours=hours, credits=credits,
                    provider=provider[:100], start_on=start, end_on=end, target=str(data.get("target") or "")[:200],
                    capacity=capacity, organiser_id=actor.id)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "programme.create", row, {"title": title})
    return row


def _enrol(programme: Programme, teachers: list[Teacher], actor: User) -> list[Enrolment]:
    taken = db.session.scalar(select(func.count()).select_from(Enrolment)
                              .where(Enrolment.programme_id == programme.id)) or 0
    already = set(db.session.scalars(select(Enrolment.teacher_id).where(Enrolment.programme_id == programme.id)))
    new = [t for t in teachers if t.id not in already]
    if not new:
        raise DomainError(_("已报名。"))
    if programme.capacity is not None and taken + len(new) > programme.capacity:
        raise DomainError(_("名额不足：还剩%(n)d个名额。", n=max(0, programme.capacity - taken)))
    rows = [Enrolment(programme_id=programme.id, teacher_id=t.id, enrolled_by_id=actor.id) for t in new]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def enrol_self(actor: User, programme_id: int, today: date) -> Enrolment:
    programme = get_programme(actor, programme_id)
    if actor.role != Role.TEACHER or actor.teacher is None:
        raise PermissionDenied("programme.enrol")
    if programme.end_on < today:
        raise DomainError(_("该项目已结束，不能报名。"))
    return _enrol(programme, [actor.teacher], actor)[0]


def enrol_school(actor: User, programme_id: int, school_id: int | None, subject: str, today: date) -> list[Enrolment]:
    """HR enrols a school's serving teachers (of one subject, if given); all or nothing."""
    if not has_permission(actor, "development.manage"):
        raise PermissionDenied("development.manage")
    programme = get_programme(actor, programme_id)
    school = db.session.get(School, school_id) if school_id else None
    if school is None or not school_in_scope(actor, school) or school.county_id != programme.county_id:
        raise DomainError(_("请从列表中选择学校。"), field="school_id")
    if programme.end_on < today:
        raise DomainError(_("该项目已结束，不能报名。"))
    stmt = select(Teacher).where(Teacher.working_school_id == school.id, Teacher.status != TeacherStatus.RETIRED)
    if subject.strip():
        stmt = stmt.where(Teacher.subject == subject.strip())
    teachers = list(db.session.scalars(stmt.order_by(Teacher.staff_no)))
    if not teachers:
        raise DomainError(_("该校没有符合条件的教师。"), field="subject")
    rows = _enrol(programme, teachers, actor)
    audit.record(actor, "programme.enrol_group", programme, {"school": school.code, "count": len(rows)})
    return rows


def complete(actor: User, programme_id: int, enrolment_ids: list[int], today: date) -> list[TrainingRecord]:
    """The organiser marks the ticked participants as having completed: one training record each."""
    if not has_permission(actor, "development.manage"):
        raise PermissionDenied("development.manage")
    programme = get_programme(actor, programme_id)
    if programme.end_on > today:
        raise DomainError(_("项目结束后才能认定结业。"))
    if not enrolment_ids:
        raise DomainError(_("请至少选择一位学员。"))
    rows = list(db.session.scalars(select(Enrolment).where(Enrolment.programme_id == programme.id,
                                                           Enrolment.id.in_(enrolment_ids))))
    if len(rows) != len(set(enrolment_ids)):
        raise NotFound(_("找不到该报名。"))
    records = []
    for e in rows:
        if e.completed_on is not None:
            raise DomainError(_("%(name)s 已认定结业。", name=e.teacher.name))
        values = training.clean(e.teacher, {
            "title": programme.title, "level": programme.level.value, "provider": programme.provider,
            "start_on": programme.start_on, "end_on": programme.end_on, "hours": programme.hours,
            "credits": programme.credits}, today, programme=programme)
        record = TrainingRecord(teacher_id=e.teacher_id, programme_id=programme.id, source=TrainingSource.PROGRAMME,
                                state=TrainingState.SUBMITTED, submitted_by_id=actor.id, **values)
        db.session.add(record)
        db.session.flush()
        training.record_submitted(record, actor)
        e.completed_on = today
        records.append(record)
    db.session.flush()
    audit.record(actor, "programme.complete", programme, {"count": len(records)})
    return records
