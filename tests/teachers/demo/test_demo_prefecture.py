"""The prefecture seed (reduced to two counties, one draw each, to stay fast) adds the prefecture-wide accounts
``hr-BS`` and ``inspector-BS``: they reach every county of 白山市 and manage (HR) or read (inspector) them."""

from __future__ import annotations

from sqlalchemy import select

from teachers import demo
from teachers.auth.permissions import county_filter, has_permission
from teachers.extensions import db
from teachers.models import County, Role, User
from tests.conftest import login


def test_prefecture_accounts_reach_every_county_of_the_prefecture(app, client, monkeypatch):
    monkeypatch.setattr(demo, "PREFECTURE_COUNTIES", demo.PREFECTURE_COUNTIES[:2])
    monkeypatch.setattr(demo, "PREFECTURE_COPIES", 1)
    demo.seed_prefecture()
    db.session.commit()
    counties = set(db.session.scalars(select(County.id)))
    assert len(counties) == 2
    hr = db.session.scalar(select(User).where(User.username == "hr-BS"))
    inspector = db.session.scalar(select(User).where(User.username == "inspector-BS"))
    assert (hr.role, hr.county_id, hr.prefecture) == (Role.HR, None, "白山市")
    assert (inspector.role, inspector.county_id, inspector.prefecture) == (Role.INSPECTOR, None, "白山市")
    for user in (hr, inspector):
        assert set(db.session.scalars(select(County.id).where(county_filter(user)))) == counties
    assert has_permission(hr, "rotation.manage") and not has_permission(inspector, "rotation.manage")
    login(client, "hr-BS")
    page = client.get("/rotation/new").get_data(as_text=True)
    assert 'id="f-prefecture"' in page and "浑江区" in page and "江源区" in page
