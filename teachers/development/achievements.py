"""Achievements (公开课、课题、论文、获奖) a teacher records, with optional evidence, and the principal
verifies or returns; verified ones count toward the tier criteria. Honours HR records and ends.
Services check permission and scope, flush and never commit."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from teachers import audit, policy
from teachers.auth.permissions import has_permission, teacher_in_scope
from teachers.development import evidence, training
from teachers.errors import DomainError, NotFound, PermissionDenied
from teachers.extensions import db
from teachers.models import Achievement, AchievementKind, Honour, HonourKind, Level, ReviewState, Role, Teacher, User
from teachers.models._types import utcnow
from teachers.notifications.services import close_todos, notify


def _enum(cls, value: Any, field: str, message: str):
    try:
        return cls(value)
    except ValueError:
        raise DomainError(message, field=field) from None


def _day(value: Any, field: str, today: date, *, required: bool = True) -> date | None:
    if value in (None, ""):
        if required:
            raise DomainError(_("请填写日期（年-月-日）。"), field=field)
        return None
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value))
        except ValueError:
            raise DomainError(_("请填写日期（年-月-日）。"), field=field) from None
    return value


def achievements_of(teacher: Teacher) -> list[Achievement]:
    return list(db.session.scalars(select(Achievement).where(Achievement.teacher_id == teacher.id)
                                   .order_by(Achievement.achieved_on.desc(), Achievement.id.desc())))


def waiting(user: User) -> list[Achievement]:
    """Achievements waiting for this principal: submitted by the teachers working at their school."""
    if user.role != Role.PRINCIPAL or not has_permission(user, "training.verify"):
        return []
    return list(db.session.scalars(
        select(Achievement).join(Teacher, Teacher.id == Achievement.teacher_id)
        .where(Achievement.state == ReviewState.SUBMITTED, Teacher.working_school_id == user.school_id)
        .options(selectinload(Achievement.teacher)).order_by(Achievement.created_at, Achievement.id)))


def record(actor: User, data: dict[str, Any], upload: evidence.Upload | None, today: date) -> Achievement:
    """A teacher records one of their achievements; it waits for the principal."""
    if actor.role != Role.TEACHER or actor.teacher is None:
        raise PermissionDenied("achievement.record")
    teacher = actor.teacher
    kind = _enum(AchievementKind, data.get("kind"), "kind", _("请选择成果类别。"))
    level = _enum(Level, data.get("level"), "level", _("请选择级别。"))
    title = str(data.get("title") or "").strip()
    if not title:
        raise DomainError(_("请填写成果名称。"), field="title")
    if len(title) > 200:
        raise DomainError(_("不超过%(n)d个字。", n=200), field="title")
    day = _day(data.get("achieved_on"), "achieved_on", today)
    if day > today:
        raise DomainError(_("日期不能晚于今天。"), field="achieved_on")
    if day < teacher.service_start:
        raise DomainError(_("日期不能早于参加工作时间。"), field="achieved_on")
    if db.session.scalar(select(Achievement.id).where(Achievement.teacher_id == teacher.id, Achievement.kind == kind,
                                                      Achievement.title == title, Achievement.achieved_on == day)):
        raise DomainError(_("该成果已登记过。"), field="title")
    stored = None
    if upload is not None and upload.filename:
        values = policy.effective(teacher.personnel_school.county.policy)
        stored = evidence.store(actor, upload, max_mb=int(values["evidence_max_mb"]))
    try:
        row = Achievement(teacher_id=teacher.id, kind=kind, level=level, title=title, achieved_on=day,
                          evidence_id=stored.id if stored else None, state=ReviewState.SUBMITTED)
        db.session.add(row)
        db.session.flush()
    except Exception:
        evidence.discard(stored)
        raise
    notify(training.principals_of(teacher), "achievement.to_verify", object_type="achievement", object_id=row.id,
           params=_params(row, teacher), todo=True)
    return row


def _params(row: Achievement, teacher: Teacher) -> dict[str, Any]:
    return {"teacher": teacher.name, "title": row.title, "teacher_id": teacher.id}


def review(actor: User, achievement_id: int, verify: bool, reason: str = "") -> Achievement:
    """The principal of the teacher's school verifies or returns (with a reason) an achievement."""
    row = db.session.get(Achievement, achievement_id)
    if row is None or not teacher_in_scope(actor, row.teacher):
        raise NotFound(_("找不到该成果。"))
    if actor.role != Role.PRINCIPAL or not has_permission(actor, "training.verify") \
            or row.teacher.working_school_id != actor.school_id:
        raise PermissionDenied("achievement.review")
    if row.state != ReviewState.SUBMITTED:
        raise DomainError(_("该成果已审核过。"))
    reason = (reason or "").strip()
    if not verify and not reason:
        raise DomainError(_("退回须写明原因。"), field="reason")
    row.state = ReviewState.VERIFIED if verify else ReviewState.REJECTED
    row.reject_reason = "" if verify else reason[:200]
    row.reviewed_by_id, row.reviewed_at = actor.id, utcnow()
    db.session.flush()
    close_todos("achievement.to_verify", object_type="achievement", object_id=row.id)
    if not verify:
        notify(training.accounts_of(row.teacher), "achievement.rejected", object_type="achievement", object_id=row.id,
               params={**_params(row, row.teacher), "reason": row.reject_reason})
    audit.record(actor, "achievement.verify" if verify else "achievement.reject", row,
                 {"teacher": row.teacher.staff_no, **({"reason": reason} if reason else {})})
    return row


def add_honour(actor: User, teacher_id: int, data: dict[str, Any], today: date) -> Honour:
    """HR records an honour (骨干教师、特级教师、工作室、领军人物); the backbone level follows from it."""
    if not has_permission(actor, "development.manage"):
        raise PermissionDenied("development.manage")
    teacher = db.session.get(Teacher, teacher_id)
    if teacher is None or not teacher_in_scope(actor, teacher):
        raise NotFound(_("找不到该教师。"))
    kind = _enum(HonourKind, data.get("kind"), "kind", _("请选择荣誉类别。"))
    level = _enum(Level, data.get("level"), "level", _("请选择级别。"))
    if kind == HonourKind.SPECIAL and level not in (Level.PROVINCE, Level.NATIONAL):
        raise DomainError(_("特级教师由省级评定。"), field="level")
    recognised = _day(data.get("recognised_on"), "recognised_on", today)
    if recognised > today:
        raise DomainError(_("日期不能晚于今天。"), field="recognised_on")
    if recognised < teacher.service_start:
        raise DomainError(_("日期不能早于参加工作时间。"), field="recognised_on")
    review_on = _day(data.get("review_on"), "review_on", today, required=False)
    if review_on is not None and review_on < recognised:
        raise DomainError(_("复评日期不能早于认定日期。"), field="review_on")
    studio = str(data.get("studio_name") or "").strip()[:100]
    if kind in (HonourKind.STUDIO_HOST, HonourKind.STUDIO_MEMBER) and not studio:
        raise DomainError(_("请填写工作室名称。"), field="studio_name")
    row = Honour(teacher_id=teacher.id, kind=kind, level=level, recognised_on=recognised, review_on=review_on,
                 studio_name=studio)
    db.session.add(row)
    db.session.flush()
    db.session.expire(teacher, ["backbone"])
    audit.record(actor, "honour.add", row, {"teacher": teacher.staff_no, "kind": kind.value, "level": level.value})
    return row


def end_honour(actor: User, honour_id: int, today: date) -> Honour:
    if not has_permission(actor, "development.manage"):
        raise PermissionDenied("development.manage")
    row = db.session.get(Honour, honour_id)
    if row is None or not teacher_in_scope(actor, row.teacher):
        raise NotFound(_("找不到该荣誉。"))
    if row.ended_on is not None:
        raise DomainError(_("该荣誉已终止。"))
    row.ended_on = max(today, row.recognised_on)
    db.session.flush()
    db.session.expire(row.teacher, ["backbone"])
    audit.record(actor, "honour.end", row, {"teacher": row.teacher.staff_no})
    from teachers.development.tiers import close_review

    close_review(row.teacher)
    return row
