"""The tier evaluation and pyramid pages, and HR's promotion through them."""

from __future__ import annotations

from datetime import date

from teachers.extensions import db
from teachers.models import Teacher, Tier
from tests import factories as f
from tests.conftest import login


def test_hr_promotes_from_the_evaluation_page(app, client, world):
    w = world
    f.award(w.ta, Tier.NEW, date(2024, 9, 1))
    db.session.commit()
    login(client, "hr")
    page = client.get("/development/tiers?show=all").get_data(as_text=True)
    assert "张晓明" in page and "可晋升为" in page
    resp = client.post("/development/tiers/decide", data={"teacher_ids": [str(w.ta.id)], "tier": "young",
                                                          "reason": "两年跟踪指导期满", "next": "/development/tiers"},
                       follow_redirects=True)
    assert "已调整 1 位教师的梯队层级" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Teacher, w.ta.id).tier == Tier.YOUNG
    history = client.get(f"/teachers/{w.ta.id}/development").get_data(as_text=True)
    assert "两年跟踪指导期满" in history


def test_a_decision_without_reason_or_teachers_is_refused_with_a_message(app, client, world):
    w = world
    login(client, "hr")
    resp = client.post("/development/tiers/decide", data={"teacher_ids": [str(w.ta.id)], "tier": "young",
                                                          "reason": ""}, follow_redirects=True)
    assert "须写明理由" in resp.get_data(as_text=True)
    resp = client.post("/development/tiers/decide", data={"tier": "young", "reason": "x"}, follow_redirects=True)
    assert "请至少选择一位教师" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Teacher, w.ta.id).tier == Tier.NONE


def test_the_pyramid_page_shows_counts(app, client, world):
    w = world
    f.award(w.ta, Tier.LEADER, date(2020, 9, 1))
    db.session.commit()
    login(client, "inspector")
    page = client.get("/development/pyramid").get_data(as_text=True)
    assert 'id="county-pyramid"' in page and "学科带头人" in page
