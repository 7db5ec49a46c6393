"""Growth plans of young teachers: goals, entries, the principal's comment, who has none."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from teachers.development import growth
from teachers.errors import DomainError, NotFound, PermissionDenied
from teachers.extensions import db
from teachers.models import Tier
from tests import factories as f
from tests.conftest import login
from tests.teachers.development.conftest import TODAY


def test_plan_entries_comment_and_who_has_none(world):
    w = world
    with pytest.raises(DomainError, match="青年教师"):
        growth.save_goals(w.ua, "三年内上好县级公开课")
    f.award(w.ta, Tier.YOUNG, date(2024, 9, 1))
    f.award(w.tb, Tier.YOUNG, date(2024, 9, 1))
    assert [t.id for t in growth.without_plan(w.hr, None)] == [w.ta.id, w.tb.id]
    with pytest.raises(DomainError) as info:
        growth.save_goals(w.ua, " ")
    assert info.value.field == "goals"
    plan = growth.save_goals(w.ua, "三年内上好县级公开课")
    with pytest.raises(DomainError) as info:
        growth.add_entry(w.ua, TODAY + timedelta(days=1), "x", TODAY)
    assert info.value.field == "entry_on"
    growth.add_entry(w.ua, TODAY, "完成校级公开课", TODAY)
    with pytest.raises(NotFound):
        growth.comment(w.pb, w.ta.id, "很好")
    with pytest.raises(PermissionDenied):
        growth.comment(w.hr, w.ta.id, "很好")
    growth.comment(w.pa, w.ta.id, "目标明确，继续努力")
    db.session.commit()
    assert (plan.principal_comment, len(plan.entries)) == ("目标明确，继续努力", 1)
    assert [t.id for t in growth.without_plan(w.hr, None)] == [w.tb.id]
    assert growth.without_plan(w.pa, None) == []


def test_pages(app, client, world):
    w = world
    f.award(w.ta, Tier.YOUNG, date(2024, 9, 1))
    db.session.commit()
    login(client, "teacher")
    resp = client.post("/development/growth-plan/goals", data={"goals": "成为县级骨干"}, follow_redirects=True)
    assert "成长规划已保存" in resp.get_data(as_text=True) and "成为县级骨干" in resp.get_data(as_text=True)
    hr = app.test_client()
    login(hr, "hr")
    assert "张晓明" not in hr.get("/development/growth-plans").get_data(as_text=True)
