"""Tier awards: the derived tier, HR's decisions one by one and in a batch, the evaluation, the pyramid,
and the derived backbone level."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from teachers.development import tiers
from teachers.errors import DomainError, NotFound, PermissionDenied
from teachers.extensions import db
from teachers.models import (
    Achievement,
    AchievementKind,
    AuditEvent,
    Backbone,
    HonourKind,
    Level,
    ReviewState,
    Teacher,
    Tier,
    TierAward,
    TrainingState,
)
from teachers.records.services import teacher_query
from tests import factories as f
from tests.teachers.development.conftest import LAST_YEAR, TODAY


def test_the_tier_is_the_latest_award_and_filters_in_sql(world):
    w = world
    assert w.ta.tier == Tier.NONE
    f.award(w.ta, Tier.YOUNG, date(2011, 9, 1))
    f.award(w.ta, Tier.BACKBONE, date(2019, 9, 1))
    f.award(w.tb, Tier.BACKBONE, date(2015, 9, 1))
    f.award(w.tb, Tier.YOUNG, date(2020, 9, 1))  # moved down later
    db.session.commit()
    assert (w.ta.tier, w.tb.tier) == (Tier.BACKBONE, Tier.YOUNG)
    ids = set(db.session.scalars(teacher_query(w.hr, tier="backbone").with_only_columns(Teacher.id)))
    assert ids == {w.ta.id}


def test_the_backbone_level_is_derived_from_standing_honours(world):
    w = world
    assert w.ta.backbone == Backbone.NONE
    f.honour(w.ta, Level.SCHOOL)
    f.honour(w.ta, Level.CITY, kind=HonourKind.STUDIO_MEMBER)  # members do not count
    assert w.ta.backbone == Backbone.SCHOOL
    ended = f.honour(w.ta, Level.CITY, ended_on=date(2024, 1, 1))
    assert w.ta.backbone == Backbone.SCHOOL and ended.id
    f.honour(w.ta, Level.PROVINCE, kind=HonourKind.SPECIAL)  # 特级教师 counts as provincial
    assert w.ta.backbone == Backbone.PROVINCE
    f.honour(w.tb, Level.NATIONAL, kind=HonourKind.LEADING)
    assert w.tb.backbone == Backbone.PROVINCE


def test_hr_promotes_in_a_batch_with_a_reason_and_it_is_audited(world):
    w = world
    awards = tiers.decide(w.hr, [w.ta.id, w.tb.id], "backbone", "2026年度梯队评定", TODAY)
    db.session.commit()
    assert [a.tier for a in awards] == [Tier.BACKBONE, Tier.BACKBONE]
    assert (w.ta.tier, w.tb.tier) == (Tier.BACKBONE, Tier.BACKBONE)
    assert all(a.decided_by_id == w.hr.id and a.reason == "2026年度梯队评定" for a in awards)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "tier.award")).all()
    assert len(events) == 2 and events[0].summary["to"] == "backbone"


@pytest.mark.parametrize(("tier", "reason", "field"), [
    ("backbone", " ", "reason"), ("emperor", "x", "tier"), ("none", "x", "tier"),
])
def test_bad_decisions_are_refused_and_nothing_is_saved(world, tier, reason, field):
    w = world
    with pytest.raises(DomainError) as info:
        tiers.decide(w.hr, [w.ta.id], tier, reason, TODAY)  # ta is 未入梯队 already: "none" is no change
    assert info.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(TierAward)) is None


def test_only_hr_decides_and_only_within_scope(world):
    w = world
    with pytest.raises(PermissionDenied):
        tiers.decide(w.pa, [w.ta.id], "young", "x", TODAY)
    with pytest.raises(PermissionDenied):
        tiers.decide(w.inspector, [w.ta.id], "young", "x", TODAY)
    other = f.county("长白县")
    stranger = f.teacher(f.school(other, "长白县实验小学"), "外县教师")
    with pytest.raises(NotFound):
        tiers.decide(w.hr, [w.ta.id, stranger.id], "young", "x", TODAY)
    db.session.rollback()
    assert db.session.scalar(select(TierAward)) is None


def test_the_evaluation_lists_who_qualifies_and_what_each_misses(world):
    w = world
    # ta: a young teacher with 18 years, 150 confirmed hours, two county achievements, a school backbone.
    f.award(w.ta, Tier.YOUNG, date(2011, 9, 1))
    f.honour(w.ta, Level.SCHOOL)
    for i, hours in enumerate((80, 70)):
        f.training_record(w.ta, title=f"培训{i}", state=TrainingState.CONFIRMED, hours=hours,
                          start=date(LAST_YEAR, 3 + i, 1), end=date(LAST_YEAR, 3 + i, 20))
    for i in range(2):
        db.session.add(Achievement(teacher_id=w.ta.id, kind=AchievementKind.OPEN_LESSON, level=Level.COUNTY,
                                   title=f"公开课{i}", achieved_on=date(2022, 5, 1 + i), state=ReviewState.VERIFIED))
    f.award(w.tb, Tier.YOUNG, date(2012, 9, 1))
    db.session.commit()
    county, rows = tiers.evaluation(w.hr, None, TODAY)
    by_id = {r.teacher.id: r.evaluation for r in rows}
    assert county.id == w.county.id and rows[0].teacher.id == w.ta.id
    assert by_id[w.ta.id].eligible and by_id[w.ta.id].next_tier == "backbone"
    assert [c.key for c in by_id[w.tb.id].missing] == ["hours", "achievements", "backbone"]
    # the principal sees only their school
    _county, rows = tiers.evaluation(w.pa, None, TODAY)
    assert [r.teacher.id for r in rows] == [w.ta.id]


def test_the_pyramid_counts_tiers_per_school_and_county(world):
    w = world
    f.award(w.ta, Tier.BACKBONE, date(2019, 9, 1))
    f.teacher(w.a, "王刚", tier=Tier.NEW)
    db.session.commit()
    data = tiers.pyramid(w.hr, None)
    assert data["total"] == {Tier.BACKBONE: 1, Tier.NEW: 1, Tier.NONE: 1}
    assert {s.name: dict(c) for s, c in data["schools"]} == {"建国小学": {Tier.BACKBONE: 1, Tier.NEW: 1},
                                                             "花山镇中心小学": {Tier.NONE: 1}}
    assert [s.name for s, _c in tiers.pyramid(w.pa, None)["schools"]] == ["建国小学"]


def test_a_new_hire_starts_as_a_new_teacher(world):
    from teachers.records.services import create_teacher
    from tests.factories import id_number_for

    w = world
    data = {"staff_no": "LJ2026001", "name": "新老师", "gender": "F", "birth_date": date(2002, 5, 1),
            "id_number": id_number_for(date(2002, 5, 1), 8), "service_start": date(TODAY.year, 1, 1) if TODAY.month > 1
            else TODAY, "personnel_school_id": w.a.id, "stage": "primary", "subject": "语文", "degree": "bachelor",
            "title": "none", "status": "active"}
    t = create_teacher(w.hr, data, today=TODAY)
    assert t.tier == Tier.NEW
    assert db.session.scalar(select(TierAward.reason).where(TierAward.teacher_id == t.id)) == "新入职"


def test_re_evaluations_due_open_one_to_do_each_for_hr_and_a_decision_closes_it(world):
    from teachers.development import notices
    from teachers.models import Notification

    notices.register()
    w = world
    f.award(w.ta, Tier.BACKBONE, TODAY.replace(year=TODAY.year - 4))  # the 3-year period is over
    f.award(w.tb, Tier.BACKBONE, TODAY.replace(year=TODAY.year - 1))  # not yet …
    f.honour(w.tb, Level.COUNTY, recognised_on=date(2020, 9, 1), review_on=TODAY - timedelta(days=1))  # … but its honour is
    db.session.commit()
    assert tiers.remind_reviews(TODAY) == 2
    assert tiers.remind_reviews(TODAY) == 0  # not twice
    open_for_hr = db.session.scalars(select(Notification.object_id).where(
        Notification.user_id == w.hr.id, Notification.kind == "tier.review_due", Notification.done_at.is_(None))).all()
    assert sorted(open_for_hr) == sorted([w.ta.id, w.tb.id])
    tiers.decide(w.hr, [w.ta.id], "leader", "复评：晋升学科带头人", TODAY)
    db.session.commit()
    still = db.session.scalars(select(Notification.object_id).where(
        Notification.user_id == w.hr2.id, Notification.kind == "tier.review_due", Notification.done_at.is_(None))).all()
    assert still == [w.tb.id]
