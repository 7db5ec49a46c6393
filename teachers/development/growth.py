"""Growth plans (青年教师专业成长规划) for teachers in years 3–5 (tier 青年教师): goals and dated progress
entries by the teacher, the principal's comment, and who still has no plan.
Services check permission and scope, flush and never commit."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from teachers.auth.permissions import has_permission, scoped_county, teacher_filter
from teachers.development.training import accounts_of, principals_of
from teachers.errors import DomainError, NotFound, PermissionDenied
from teachers.extensions import db
from teachers.models import GrowthEntry, GrowthPlan, Role, School, Teacher, TeacherStatus, Tier, User
from teachers.notifications.services import close_todos, notify, open_todo_users


def plan_of(teacher: Teacher) -> GrowthPlan | None:
    return db.session.scalar(select(GrowthPlan).where(GrowthPlan.teacher_id == teacher.id))


def _text(value: str | None, field: str, limit: int, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(message, field=field)
    if len(text) > limit:
        raise DomainError(_("不超过%(n)d个字。", n=limit), field=field)
    return text


def _own(actor: User) -> Teacher:
    if actor.role != Role.TEACHER or actor.teacher is None:
        raise PermissionDenied("growth.own")
    return actor.teacher


def save_goals(actor: User, goals: str) -> GrowthPlan:
    teacher = _own(actor)
    if teacher.tier != Tier.YOUNG:
        raise DomainError(_("成长规划是青年教师（教龄3—5年）的任务。"), field="goals")
    goals = _text(goals, "goals", 4000, _("请填写成长目标。"))
    plan = plan_of(teacher)
    if plan is None:
        plan = GrowthPlan(teacher_id=teacher.id, goals=goals)
        db.session.add(plan)
    else:
        plan.goals = goals
    db.session.flush()
    _ask_for_comment(teacher, plan)
    return plan


def _ask_for_comment(teacher: Teacher, plan: GrowthPlan) -> None:
    """Open a to-do for the principals of the teacher's school to comment on the plan (one open to-do
    per principal and plan, however many entries follow)."""
    waiting = open_todo_users("growth.to_comment", object_type="growth_plan", object_id=plan.id)
    principals = [u for u in principals_of(teacher) if u.id not in waiting]
    if principals:
        notify(principals, "growth.to_comment", object_type="growth_plan", object_id=plan.id,
               params={"teacher": teacher.name, "teacher_id": teacher.id}, todo=True)


def add_entry(actor: User, entry_on: date | None, text: str, today: date) -> GrowthEntry:
    teacher = _own(actor)
    plan = plan_of(teacher)
    if plan is None:
        raise DomainError(_("请先填写成长目标。"), field="text")
    if entry_on is None:
        raise DomainError(_("请填写日期（年-月-日）。"), field="entry_on")
    if entry_on > today:
        raise DomainError(_("日期不能晚于今天。"), field="entry_on")
    entry = GrowthEntry(plan_id=plan.id, entry_on=entry_on, text=_text(text, "text", 2000, _("请填写进展。")))
    db.session.add(entry)
    db.session.flush()
    _ask_for_comment(teacher, plan)
    return entry


def comment(actor: User, teacher_id: int, text: str) -> GrowthPlan:
    teacher = db.session.get(Teacher, teacher_id)
    if teacher is None:
        raise NotFound(_("找不到该教师。"))
    if actor.role != Role.PRINCIPAL or teacher.working_school_id != actor.school_id:
        raise NotFound(_("找不到该教师。")) if actor.role == Role.PRINCIPAL else PermissionDenied("growth.comment")
    plan = plan_of(teacher)
    if plan is None:
        raise DomainError(_("该教师还没有成长规划。"), field="comment")
    plan.principal_comment = _text(text, "comment", 2000, _("请填写点评。"))
    db.session.flush()
    close_todos("growth.to_comment", object_type="growth_plan", object_id=plan.id)
    notify(accounts_of(teacher), "growth.commented", object_type="growth_plan", object_id=plan.id,
           params={"teacher_id": teacher.id})
    return plan


def without_plan(user: User, county_id: int | None) -> list[Teacher]:
    """Young teachers in scope who have no growth plan yet."""
    if not has_permission(user, "training.overview"):
        raise PermissionDenied("growth.list")
    county = scoped_county(user, county_id)
    if county is None:
        return []
    has_plan = select(GrowthPlan.teacher_id)
    return list(db.session.scalars(
        select(Teacher).join(School, School.id == Teacher.working_school_id)
        .where(teacher_filter(user), School.county_id == county.id, Teacher.status != TeacherStatus.RETIRED,
               Teacher.tier == Tier.YOUNG, Teacher.id.not_in(has_plan))
        .order_by(School.code, Teacher.staff_no)))
