"""The four-tier echelon (四级梯队): tier awards, the evaluation against the county's criteria, HR's
decisions (one by one or in a batch, always with a reason), and the tier pyramid.

A teacher's tier is the latest award (``Teacher.tier``, derived in SQL); nothing else holds it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from teachers import audit, policy
from teachers.auth.permissions import has_permission, scoped_county, teacher_filter, users_reaching
from teachers.development import criteria
from teachers.errors import DomainError, NotFound, PermissionDenied
from teachers.extensions import db
from teachers.models import (
    Achievement,
    County,
    Honour,
    MentorPair,
    ReviewState,
    School,
    Teacher,
    TeacherStatus,
    Tier,
    TierAward,
    TrainingRecord,
    User,
)
from teachers.records.history import years_between


def award_on_hire(actor: User | None, teacher: Teacher, hired: date, today: date) -> TierAward | None:
    """A teacher entered within their mentoring years starts as 新任教师; others start outside the tiers
    until HR awards one (the evaluation lists them)."""
    values = policy.effective(teacher.personnel_school.county.policy if teacher.personnel_school else None)
    if years_between(teacher.service_start, today) >= values["new_teacher_mentoring_years"]:
        return None
    award = TierAward(teacher_id=teacher.id, tier=Tier.NEW, awarded_on=max(hired, teacher.service_start),
                      reason="新入职", decided_by_id=actor.id if actor is not None else None)
    db.session.add(award)
    db.session.flush()
    db.session.expire(teacher, ["tier"])
    return award


def awards_of(teacher: Teacher) -> list[TierAward]:
    return list(db.session.scalars(select(TierAward).where(TierAward.teacher_id == teacher.id)
                                   .order_by(TierAward.awarded_on.desc(), TierAward.id.desc())))


def honours_of(teacher: Teacher) -> list[Honour]:
    return list(db.session.scalars(select(Honour).where(Honour.teacher_id == teacher.id)
                                   .order_by(Honour.recognised_on.desc(), Honour.id.desc())))


# ------------------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Row:
    teacher: Teacher
    evaluation: criteria.Evaluation


def _county_teachers(user: User, county: County) -> list[Teacher]:
    return list(db.session.scalars(
        select(Teacher).join(School, School.id == Teacher.personnel_school_id)
        .where(teacher_filter(user), School.county_id == county.id, Teacher.status != TeacherStatus.RETIRED)
        .options(selectinload(Teacher.working_school), selectinload(Teacher.personnel_school))
        .order_by(Teacher.staff_no)))


def facts_for(teachers: list[Teacher], today: date) -> dict[int, criteria.Facts]:
    """Each teacher's facts for the criteria, gathered in a few queries."""
    from teachers.development import training

    ids = [t.id for t in teachers]
    since: dict[int, date] = {}
    records: dict[int, list[TrainingRecord]] = {}
    achievements: dict[int, Counter] = {}
    mentored: dict[int, bool] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        latest = (select(TierAward.teacher_id, func.max(TierAward.awarded_on)).where(TierAward.teacher_id.in_(chunk))
                  .group_by(TierAward.teacher_id))
        since.update(dict(db.session.execute(latest).all()))
        for r in db.session.scalars(select(TrainingRecord).where(TrainingRecord.teacher_id.in_(chunk))
                                    .options(selectinload(TrainingRecord.programme))):
            records.setdefault(r.teacher_id, []).append(r)
        for teacher_id, level, n in db.session.execute(
                select(Achievement.teacher_id, Achievement.level, func.count())
                .where(Achievement.teacher_id.in_(chunk), Achievement.state == ReviewState.VERIFIED)
                .group_by(Achievement.teacher_id, Achievement.level)):
            achievements.setdefault(teacher_id, Counter())[level.value] += n
        for mentee_id, signed in db.session.execute(
                select(MentorPair.mentee_id, MentorPair.signed_off_on).where(MentorPair.mentee_id.in_(chunk))):
            mentored[mentee_id] = mentored.get(mentee_id, False) or signed is not None
    out = {}
    for t in teachers:
        progress = training.progress_of(t, today, records.get(t.id, []))
        out[t.id] = criteria.Facts(
            tier=t.tier.value, tier_since=since.get(t.id), years=years_between(t.service_start, today),
            hours=progress.counted, achievements=dict(achievements.get(t.id, {})), backbone=t.backbone.value,
            guidance_signed_off=mentored.get(t.id, False), mentored=t.id in mentored)
    return out


def evaluation(user: User, county_id: int | None, today: date) -> tuple[County | None, list[Row]]:
    """Every serving teacher of the county with their next tier and criteria, those who qualify first."""
    if not has_permission(user, "development.manage") and not has_permission(user, "training.overview"):
        raise PermissionDenied("development.evaluate")
    county = scoped_county(user, county_id)
    if county is None:
        return None, []
    values = policy.effective(county.policy)
    teachers = _county_teachers(user, county)
    facts = facts_for(teachers, today)
    rows = [Row(t, criteria.evaluate(facts[t.id], values, today)) for t in teachers]
    rows.sort(key=lambda r: (not r.evaluation.eligible, not r.evaluation.review_due, len(r.evaluation.missing),
                             r.teacher.staff_no))
    return county, rows


def decide(actor: User, teacher_ids: list[int], tier: str, reason: str, today: date) -> list[TierAward]:
    """HR awards ``tier`` (a promotion or a move down) to each teacher, with a reason; all or nothing."""
    if not has_permission(actor, "development.manage"):
        raise PermissionDenied("development.manage")
    try:
        target = Tier(tier)
    except ValueError:
        raise DomainError(_("请选择梯队层级。"), field="tier") from None
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("调整梯队层级须写明理由。"), field="reason")
    if len(reason) > 200:
        raise DomainError(_("不超过%(n)d个字。", n=200), field="reason")
    if not teacher_ids:
        raise DomainError(_("请至少选择一位教师。"), field="teacher_ids")
    teachers = list(db.session.scalars(select(Teacher).where(Teacher.id.in_(teacher_ids), teacher_filter(actor))))
    if len(teachers) != len(set(teacher_ids)):
        raise NotFound(_("找不到该教师。"))
    awards = []
    for t in sorted(teachers, key=lambda t: t.staff_no):
        if t.tier == target:
            raise DomainError(_("%(name)s 已是%(tier)s。", name=t.name, tier=_tier_label(target)), field="tier")
        award = TierAward(teacher_id=t.id, tier=target, awarded_on=today, reason=reason, decided_by_id=actor.id)
        db.session.add(award)
        db.session.flush()
        audit.record(actor, "tier.award", t, {"from": t.tier.value, "to": target.value, "reason": reason})
        close_review(t)
        db.session.expire(t, ["tier"])
        awards.append(award)
    return awards


def _tier_label(tier: Tier) -> str:
    from teachers.labels import label

    return label(tier)


# ---------------------------------------------------------------------------------------- pyramid


def pyramid(user: User, county_id: int | None, school_id: int | None = None) -> dict:
    """Serving teachers per tier, for the county and per school (the tier pyramid)."""
    if not has_permission(user, "development.view") or not has_permission(user, "school.view"):
        raise PermissionDenied("development.pyramid")
    county = scoped_county(user, county_id)
    if county is None:
        return {"county": None, "total": {}, "schools": []}
    stmt = (select(School, Teacher.tier, func.count(Teacher.id))
            .join(Teacher, Teacher.working_school_id == School.id)
            .where(School.county_id == county.id, Teacher.status != TeacherStatus.RETIRED, teacher_filter(user))
            .group_by(School.id, Teacher.tier).order_by(School.code))
    if school_id is not None:
        stmt = stmt.where(School.id == school_id)
    per_school: dict[int, tuple[School, Counter]] = {}
    total: Counter = Counter()
    for school, tier, n in db.session.execute(stmt):
        per_school.setdefault(school.id, (school, Counter()))[1][tier] += n
        total[tier] += n
    return {"county": county, "total": total, "schools": list(per_school.values())}


# ------------------------------------------------------------------------------ re-evaluation due


def remind_reviews(today: date) -> int:
    """Open a to-do for the county's HR for every teacher due for re-evaluation (an award of 教学骨干 or
    学科带头人 older than the county's period, or a standing honour past its re-evaluation date) who has
    none open yet. Returns how many to-dos were opened. Flushes."""
    from teachers.models import Notification, Role
    from teachers.notifications.services import notify

    opened = 0
    for county in db.session.scalars(select(County).order_by(County.id)):
        values = policy.effective(county.policy)
        hr = list(db.session.scalars(select(User.id).where(User.role == Role.HR, User.active.is_(True),
                                                          users_reaching(county))))
        if not hr:
            continue
        teachers = list(db.session.scalars(
            select(Teacher).join(School, School.id == Teacher.personnel_school_id)
            .where(School.county_id == county.id, Teacher.status != TeacherStatus.RETIRED)))
        since = dict(db.session.execute(select(TierAward.teacher_id, func.max(TierAward.awarded_on))
                                        .group_by(TierAward.teacher_id)).all())
        honours_due = set(db.session.scalars(select(Honour.teacher_id).where(
            Honour.ended_on.is_(None), Honour.review_on.is_not(None), Honour.review_on <= today)))
        open_for = set(db.session.scalars(select(Notification.object_id).where(
            Notification.kind == "tier.review_due", Notification.done_at.is_(None))))
        for t in teachers:
            facts = criteria.Facts(tier=t.tier.value, tier_since=since.get(t.id), years=0, hours=0)
            due = criteria.evaluate(facts, values, today).review_due or t.id in honours_due
            if due and t.id not in open_for:
                notify(hr, "tier.review_due", object_type="teacher", object_id=t.id, params={"teacher": t.name},
                       todo=True)
                opened += 1
    return opened


def close_review(teacher: Teacher) -> None:
    from teachers.notifications.services import close_todos

    close_todos("tier.review_due", object_type="teacher", object_id=teacher.id)
