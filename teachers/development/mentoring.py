"""Mentoring (师徒结对): pairs proposed for a whole county by the pure model in scheduling/mentoring.py
(reached through the adapter), pairs HR sets or ends by hand under the same rules, dated logs written by
the mentee and countersigned by the mentor, and the principal's sign-off after the guidance years.

Services check permission and scope, flush and never commit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from teachers import audit, policy
from teachers.auth.permissions import has_permission, scoped_county, teacher_in_scope
from teachers.development.training import accounts_of, principals_of
from teachers.errors import DomainError, NotFound, PermissionDenied
from teachers.extensions import db
from teachers.models import (
    Backbone,
    County,
    MentorLog,
    MentorPair,
    Role,
    School,
    Teacher,
    TeacherStatus,
    Tier,
    User,
)
from teachers.notifications.services import close_todos, notify, open_todo_users
from teachers.records.history import years_between
from teachers.rotation.adapter import mentoring_model as model


def _values(county: County) -> dict[str, Any]:
    return policy.effective(county.policy)


def _problem_options(values: dict[str, Any]) -> dict[str, Any]:
    return {"max_mentees": int(values["mentor_max_mentees"]), "min_backbone": str(values["mentor_min_backbone"]),
            "allow_related": bool(values["mentor_related_subjects"]),
            "related": model.related_groups(policy.RELATED_SUBJECTS)}


def _mentor(t: Teacher, current: int) -> model.Mentor:
    return model.Mentor(id=str(t.id), school=str(t.working_school_id), district=t.working_school.school_district,
                        stage=t.stage.value, subject=t.subject, backbone=t.backbone.value, current=current)


def _mentee(t: Teacher) -> model.Mentee:
    return model.Mentee(id=str(t.id), school=str(t.working_school_id), district=t.working_school.school_district,
                        stage=t.stage.value, subject=t.subject)


def rule_message(code: str) -> str:
    return {
        "M1": _("导师须为骨干教师（级别不低于县里规定）。"),
        "M2": _("导师须与新任教师同一学段。"),
        "M3": _("导师须与新任教师同一学科（或县里允许的相近学科）。"),
        "M4": _("导师须在同一学校或同一学区。"),
        "M5": _("导师带教人数已达上限。"),
        "M6": _("不能做自己的导师，每位新任教师只有一位导师。"),
    }.get(code, code)


def _serving(county: County):
    return (select(Teacher).join(School, School.id == Teacher.working_school_id)
            .where(School.county_id == county.id, Teacher.status != TeacherStatus.RETIRED)
            .options(selectinload(Teacher.working_school)))


def _open_counts(county: County) -> Counter:
    rows = db.session.execute(
        select(MentorPair.mentor_id, func.count()).join(Teacher, Teacher.id == MentorPair.mentee_id)
        .join(School, School.id == Teacher.working_school_id)
        .where(MentorPair.end_on.is_(None), School.county_id == county.id).group_by(MentorPair.mentor_id))
    return Counter(dict(rows.all()))


def _require_manage(actor: User) -> None:
    if not has_permission(actor, "development.manage"):
        raise PermissionDenied("development.manage")


@dataclass
class Proposal:
    county: County
    pairs: list[tuple[Teacher, Teacher]]
    unpaired: list[tuple[Teacher, str]]
    status: str


def propose(actor: User, county_id: int | None) -> Proposal:
    """Pairs for every new teacher of the county who has no mentor yet (nothing is saved)."""
    _require_manage(actor)
    county = scoped_county(actor, county_id)
    if county is None:
        raise NotFound(_("找不到该县（市、区）。"))
    values = _values(county)
    paired = select(MentorPair.mentee_id).where(MentorPair.end_on.is_(None))
    mentees = list(db.session.scalars(_serving(county).where(Teacher.tier == Tier.NEW, Teacher.id.not_in(paired))
                                      .order_by(Teacher.staff_no)))
    mentors = list(db.session.scalars(_serving(county).where(Teacher.tier != Tier.NEW,
                                                             Teacher.backbone != Backbone.NONE)
                                      .order_by(Teacher.staff_no)))
    counts = _open_counts(county)
    problem = model.MentoringProblem(mentors=tuple(_mentor(t, counts.get(t.id, 0)) for t in mentors),
                                     mentees=tuple(_mentee(t) for t in mentees), **_problem_options(values))
    plan = model.solve(problem, time_limit_s=float(values["solver_time_limit_s"]))
    by_id = {str(t.id): t for t in [*mentors, *mentees]}
    return Proposal(county, [(by_id[e], by_id[m]) for e, m in plan.pairs],
                    [(by_id[e], code) for e, code in sorted(plan.unpaired.items(), key=lambda kv: by_id[kv[0]].staff_no)],
                    plan.status)


def create_pairs(actor: User, pairs: list[tuple[int, int]], start_on: date) -> list[MentorPair]:
    """Create pairs (from a proposal or by hand), each checked against the rules; all or nothing."""
    _require_manage(actor)
    if not pairs:
        raise DomainError(_("请至少选择一对师徒。"), field="pairs")
    created = []
    batch: Counter = Counter()
    for mentee_id, mentor_id in pairs:
        mentee = db.session.get(Teacher, mentee_id)
        mentor = db.session.get(Teacher, mentor_id)
        if mentee is None or mentor is None or not teacher_in_scope(actor, mentee) \
                or not teacher_in_scope(actor, mentor):
            raise NotFound(_("找不到该教师。"))
        county = mentee.working_school.county
        if mentor.working_school.county_id != county.id:
            raise DomainError(_("导师须在同一学校或同一学区。"), field="mentor")
        if mentee.tier != Tier.NEW:
            raise DomainError(_("%(name)s 不是新任教师。", name=mentee.name), field="mentee")
        if mentor.tier == Tier.NEW:
            raise DomainError(_("新任教师不能担任导师。"), field="mentor")
        if db.session.scalar(select(MentorPair.id).where(MentorPair.mentee_id == mentee.id,
                                                         MentorPair.end_on.is_(None))) or batch[("mentee", mentee.id)]:
            raise DomainError(_("%(name)s 已有导师。", name=mentee.name), field="mentee")
        options = _problem_options(_values(county))
        problem = model.MentoringProblem(mentors=(), mentees=(), **options)
        rule = model.failed_rule(_mentee(mentee), _mentor(mentor, 0), problem)
        if rule is not None:
            raise DomainError(_("%(mentor)s 不能带教 %(mentee)s：%(why)s", mentor=mentor.name, mentee=mentee.name,
                                why=rule_message(rule)), field="mentor")
        current = _open_counts(county).get(mentor.id, 0) + batch[("mentor", mentor.id)]
        if current >= options["max_mentees"]:
            raise DomainError(_("%(mentor)s 已带教 %(n)d 名新任教师，达到上限。", mentor=mentor.name, n=current),
                              field="mentor")
        if start_on < mentee.service_start:
            raise DomainError(_("结对日期不能早于新任教师参加工作时间。"), field="start_on")
        pair = MentorPair(mentor_id=mentor.id, mentee_id=mentee.id, start_on=start_on, created_by_id=actor.id)
        db.session.add(pair)
        db.session.flush()
        batch[("mentee", mentee.id)] += 1
        batch[("mentor", mentor.id)] += 1
        audit.record(actor, "mentoring.pair", pair, {"mentor": mentor.staff_no, "mentee": mentee.staff_no})
        created.append(pair)
    return created


def get_pair(user: User, pair_id: int) -> MentorPair:
    pair = db.session.get(MentorPair, pair_id)
    if pair is None or not has_permission(user, "development.view"):
        raise NotFound(_("找不到该师徒结对。"))
    if user.role == Role.TEACHER:
        if user.teacher_id not in (pair.mentor_id, pair.mentee_id):
            raise NotFound(_("找不到该师徒结对。"))
    elif not teacher_in_scope(user, pair.mentee):
        raise NotFound(_("找不到该师徒结对。"))
    return pair


def pairs_for(user: User, county_id: int | None = None) -> tuple[list[MentorPair], list[Teacher]]:
    """Pairs the user may see (open first), and the new teachers in scope still without a mentor."""
    if user.role == Role.TEACHER:
        pairs = db.session.scalars(select(MentorPair).where(
            (MentorPair.mentor_id == user.teacher_id) | (MentorPair.mentee_id == user.teacher_id))
            .order_by(MentorPair.end_on.is_not(None), MentorPair.start_on.desc())).all()
        return list(pairs), []
    county = scoped_county(user, county_id)
    if county is None:
        return [], []
    school_scope = [School.county_id == county.id]
    if user.role == Role.PRINCIPAL:
        school_scope.append(School.id == user.school_id)
    pairs = db.session.scalars(
        select(MentorPair).join(Teacher, Teacher.id == MentorPair.mentee_id)
        .join(School, School.id == Teacher.working_school_id).where(*school_scope)
        .options(selectinload(MentorPair.mentor), selectinload(MentorPair.mentee))
        .order_by(MentorPair.end_on.is_not(None), School.code, Teacher.staff_no)).all()
    paired = select(MentorPair.mentee_id).where(MentorPair.end_on.is_(None))
    alone = db.session.scalars(
        select(Teacher).join(School, School.id == Teacher.working_school_id)
        .where(*school_scope, Teacher.status != TeacherStatus.RETIRED, Teacher.tier == Tier.NEW,
               Teacher.id.not_in(paired)).order_by(Teacher.staff_no)).all()
    return list(pairs), list(alone)


def end_pair(actor: User, pair_id: int, today: date) -> MentorPair:
    """HR ends a pair (to replace the mentor); the history stays."""
    _require_manage(actor)
    pair = get_pair(actor, pair_id)
    if pair.end_on is not None:
        raise DomainError(_("该结对已结束。"))
    pair.end_on = max(today, pair.start_on)
    db.session.flush()
    close_todos("mentoring.to_sign_off", object_type="mentor_pair", object_id=pair.id)
    audit.record(actor, "mentoring.end", pair, {"mentee": pair.mentee.staff_no})
    return pair


def add_log(actor: User, pair_id: int, log_on: date | None, text: str, today: date) -> MentorLog:
    pair = get_pair(actor, pair_id)
    if actor.role != Role.TEACHER or actor.teacher_id != pair.mentee_id:
        raise PermissionDenied("mentoring.log")
    if pair.end_on is not None:
        raise DomainError(_("该结对已结束，不能再写记录。"))
    if log_on is None:
        raise DomainError(_("请填写日期（年-月-日）。"), field="log_on")
    if log_on > today:
        raise DomainError(_("日期不能晚于今天。"), field="log_on")
    if log_on < pair.start_on:
        raise DomainError(_("日期不能早于结对日期。"), field="log_on")
    text = (text or "").strip()
    if not text:
        raise DomainError(_("请填写指导内容。"), field="text")
    if len(text) > 2000:
        raise DomainError(_("不超过%(n)d个字。", n=2000), field="text")
    log = MentorLog(pair_id=pair.id, log_on=log_on, text=text)
    db.session.add(log)
    db.session.flush()
    notify(accounts_of(pair.mentor), "mentoring.to_countersign", object_type="mentor_log", object_id=log.id,
           params={"mentee": pair.mentee.name, "day": log_on.isoformat(), "pair_id": pair.id}, todo=True)
    return log


def countersign(actor: User, log_id: int) -> MentorLog:
    log = db.session.get(MentorLog, log_id)
    if log is None:
        raise NotFound(_("找不到该记录。"))
    pair = get_pair(actor, log.pair_id)
    if actor.role != Role.TEACHER or actor.teacher_id != pair.mentor_id:
        raise PermissionDenied("mentoring.countersign")
    if log.countersigned_at is not None:
        raise DomainError(_("该记录已签字。"))
    from teachers.models._types import utcnow

    log.countersigned_at = utcnow()
    db.session.flush()
    close_todos("mentoring.to_countersign", object_type="mentor_log", object_id=log.id)
    return log


def sign_off(actor: User, pair_id: int, today: date) -> MentorPair:
    """The principal signs off the guidance once the mentoring years have passed (the teacher then
    meets that criterion for 青年教师)."""
    pair = get_pair(actor, pair_id)
    if actor.role != Role.PRINCIPAL or pair.mentee.working_school_id != actor.school_id:
        raise PermissionDenied("mentoring.sign_off")
    if pair.signed_off_on is not None or pair.end_on is not None:
        raise DomainError(_("该结对已结束。"))
    years = int(_values(pair.mentee.working_school.county)["new_teacher_mentoring_years"])
    if years_between(pair.start_on, today) < years:
        raise DomainError(_("跟踪指导满%(n)d年后才能签字结束。", n=years))
    pair.signed_off_on = today
    pair.signed_off_by_id = actor.id
    pair.end_on = today
    db.session.flush()
    close_todos("mentoring.to_sign_off", object_type="mentor_pair", object_id=pair.id)
    audit.record(actor, "mentoring.sign_off", pair, {"mentee": pair.mentee.staff_no})
    return pair


def remind_sign_offs(today: date) -> int:
    """Open a to-do for the principals of the mentee's school for every open pair whose guidance years
    (the county's setting) have passed and that is not signed off yet, unless they have one open
    already. Returns how many to-dos were opened. Flushes (run daily, beside the re-evaluation reminders)."""
    opened = 0
    pairs = db.session.scalars(select(MentorPair).where(MentorPair.end_on.is_(None))
                               .options(selectinload(MentorPair.mentee).selectinload(Teacher.working_school))
                               .order_by(MentorPair.id))
    years_of: dict[int, int] = {}
    for pair in pairs:
        school = pair.mentee.working_school
        if school.county_id not in years_of:
            years_of[school.county_id] = int(_values(school.county)["new_teacher_mentoring_years"])
        years = years_of[school.county_id]
        if years_between(pair.start_on, today) < years:
            continue
        waiting = open_todo_users("mentoring.to_sign_off", object_type="mentor_pair", object_id=pair.id)
        principals = [u for u in principals_of(pair.mentee) if u.id not in waiting]
        if principals:
            notify(principals, "mentoring.to_sign_off", object_type="mentor_pair", object_id=pair.id,
                   params={"mentee": pair.mentee.name, "years": years}, todo=True)
            opened += 1
    return opened


def ids_by_staff_no(actor: User, mentee_no: str, mentor_no: str) -> tuple[int, int]:
    """(mentee id, mentor id) for two staff numbers in the actor's scope."""
    out = []
    for no, field in ((mentee_no, "mentee"), (mentor_no, "mentor")):
        t = db.session.scalar(select(Teacher).where(Teacher.staff_no == (no or "").strip()))
        if t is None or not teacher_in_scope(actor, t):
            raise DomainError(_("找不到工号为 %(no)s 的教师。", no=(no or "").strip()), field=field)
        out.append(t.id)
    return out[0], out[1]
