"""Mentoring: proposals from the model, pairs by hand under the same rules, logs, countersigning,
the principal's sign-off, and scope."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from teachers.development import mentoring, tiers
from teachers.errors import DomainError, NotFound, PermissionDenied
from teachers.extensions import db
from teachers.models import Backbone, MentorPair, Role, Stage, Tier
from tests import factories as f
from tests.conftest import login
from tests.teachers.development.conftest import TODAY


@pytest.fixture
def people(world):
    w = world
    w.new = f.teacher(w.a, "新老师", service_start=TODAY - timedelta(days=800), tier=Tier.NEW)
    w.new2 = f.teacher(w.a, "新老师二", service_start=TODAY - timedelta(days=100), tier=Tier.NEW)
    w.mentor = f.teacher(w.a, "骨干甲", backbone=Backbone.COUNTY, tier=Tier.BACKBONE)
    w.far = f.teacher(w.b, "骨干乙", backbone=Backbone.CITY, tier=Tier.BACKBONE)  # another school, no district
    w.plain = f.teacher(w.a, "普通教师")
    w.mentor_user = f.user("mentor", Role.TEACHER, teacher_obj=w.mentor)
    w.new_user = f.user("new", Role.TEACHER, teacher_obj=w.new)
    db.session.commit()
    return w


def test_propose_pairs_new_teachers_and_explains_the_rest(people):
    w = people
    proposal = mentoring.propose(w.hr, None)
    assert sorted((e.name, m.name) for e, m in proposal.pairs) == [("新老师", "骨干甲"), ("新老师二", "骨干甲")]
    assert proposal.unpaired == [] and proposal.status == "optimal"
    w.county.policy = {**w.county.policy, "mentor_max_mentees": 1}
    db.session.commit()
    proposal = mentoring.propose(w.hr, None)
    assert len(proposal.pairs) == 1 and [code for _t, code in proposal.unpaired] == ["M5"]


def test_create_pairs_and_refuse_what_breaks_a_rule(people):
    w = people
    [pair] = mentoring.create_pairs(w.hr, [(w.new.id, w.mentor.id)], TODAY - timedelta(days=300))
    db.session.commit()
    assert pair.mentor_id == w.mentor.id
    cases = [
        ((w.new2.id, w.plain.id), "骨干教师"),  # M1
        ((w.new2.id, w.far.id), "同一学校或同一学区"),  # M4
        ((w.new.id, w.mentor.id), "已有导师"),
        ((w.plain.id, w.mentor.id), "不是新任教师"),
        ((w.mentor.id, w.new2.id), "不是新任教师"),
    ]
    for pair_ids, message in cases:
        with pytest.raises(DomainError, match=message):
            mentoring.create_pairs(w.hr, [pair_ids], TODAY)
        db.session.rollback()
    w.county.policy = {**w.county.policy, "mentor_max_mentees": 1}
    db.session.commit()
    with pytest.raises(DomainError, match="达到上限"):
        mentoring.create_pairs(w.hr, [(w.new2.id, w.mentor.id)], TODAY)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(MentorPair)) == 1


def test_related_subject_and_stage_rules(people):
    w = people
    physics = f.teacher(w.a, "物理骨干", subject="物理", backbone=Backbone.SCHOOL, tier=Tier.BACKBONE)
    junior = f.teacher(w.a, "初中骨干", stage=Stage.JUNIOR, backbone=Backbone.SCHOOL, tier=Tier.BACKBONE)
    db.session.commit()
    with pytest.raises(DomainError, match="同一学科"):
        mentoring.create_pairs(w.hr, [(w.new2.id, physics.id)], TODAY)
    db.session.rollback()
    with pytest.raises(DomainError, match="同一学段"):
        mentoring.create_pairs(w.hr, [(w.new2.id, junior.id)], TODAY)
    db.session.rollback()
    w.county.policy = {**w.county.policy, "mentor_related_subjects": True}
    db.session.commit()
    assert mentoring.create_pairs(w.hr, [(w.new2.id, physics.id)], TODAY)


def test_only_hr_pairs_and_only_in_scope(people):
    w = people
    with pytest.raises(PermissionDenied):
        mentoring.create_pairs(w.pa, [(w.new.id, w.mentor.id)], TODAY)
    stranger = f.teacher(f.school(f.county("长白县"), "外县小学"), "外县骨干", backbone=Backbone.CITY)
    with pytest.raises(NotFound):
        mentoring.create_pairs(w.hr, [(w.new.id, stranger.id)], TODAY)


def test_logs_countersign_and_sign_off(people):
    w = people
    [pair] = mentoring.create_pairs(w.hr, [(w.new.id, w.mentor.id)], TODAY - timedelta(days=365 * 2 + 5))
    db.session.commit()
    with pytest.raises(DomainError) as info:
        mentoring.add_log(w.new_user, pair.id, TODAY + timedelta(days=1), "听课", TODAY)
    assert info.value.field == "log_on"
    with pytest.raises(DomainError) as info:
        mentoring.add_log(w.new_user, pair.id, TODAY, " ", TODAY)
    assert info.value.field == "text"
    with pytest.raises(PermissionDenied):
        mentoring.add_log(w.mentor_user, pair.id, TODAY, "听课", TODAY)
    log = mentoring.add_log(w.new_user, pair.id, TODAY, "听导师示范课并评课", TODAY)
    with pytest.raises(PermissionDenied):
        mentoring.countersign(w.new_user, log.id)
    mentoring.countersign(w.mentor_user, log.id)
    assert log.countersigned_at is not None
    with pytest.raises(NotFound):
        mentoring.sign_off(w.pb, pair.id, TODAY)
    mentoring.sign_off(w.pa, pair.id, TODAY)
    db.session.commit()
    assert pair.signed_off_on == TODAY and pair.end_on == TODAY
    facts = tiers.facts_for([w.new], TODAY)[w.new.id]
    assert facts.mentored and facts.guidance_signed_off


def test_sign_off_waits_for_the_guidance_years(people):
    w = people
    [pair] = mentoring.create_pairs(w.hr, [(w.new.id, w.mentor.id)], TODAY - timedelta(days=300))
    with pytest.raises(DomainError, match="满2年"):
        mentoring.sign_off(w.pa, pair.id, TODAY)


def test_pages(app, client, people):
    w = people
    [pair] = mentoring.create_pairs(w.hr, [(w.new.id, w.mentor.id)], date(TODAY.year, 1, 1) if TODAY.month > 1 else TODAY)
    db.session.commit()
    login(client, "hr")
    page = client.get("/development/mentoring").get_data(as_text=True)
    assert "新老师二" in page and "骨干甲" in page
    proposal = client.post("/development/mentoring/propose").get_data(as_text=True)
    assert f'value="{w.new2.id}:{w.mentor.id}"' in proposal
    resp = client.post("/development/mentoring/pairs", data={"pairs": [f"{w.new2.id}:{w.mentor.id}"]},
                       follow_redirects=True)
    assert "已建立 1 对师徒结对" in resp.get_data(as_text=True)
    other = app.test_client()
    login(other, "new")
    assert other.get(f"/development/mentoring/{pair.id}").status_code == 200
    resp = other.post(f"/development/mentoring/{pair.id}/logs", data={"log_on": TODAY.isoformat(), "text": "备课指导"},
                      follow_redirects=True)
    assert "已记录" in resp.get_data(as_text=True)
    stranger = app.test_client()
    login(stranger, "teacher-b")
    assert stranger.get(f"/development/mentoring/{pair.id}").status_code == 404
