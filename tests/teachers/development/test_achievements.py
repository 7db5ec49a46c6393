"""Achievements recorded by teachers and verified by principals; honours recorded and ended by HR."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from teachers.development import achievements, evidence
from teachers.errors import DomainError, NotFound, PermissionDenied
from teachers.extensions import db
from teachers.models import Achievement, Backbone, EvidenceFile, ReviewState
from tests.conftest import login
from tests.teachers.development.conftest import TODAY, pdf_bytes

DATA = {"kind": "open_lesson", "level": "county", "title": "县级公开课：分数的初步认识", "achieved_on": date(2023, 4, 12)}


def test_record_then_the_principal_verifies(world):
    w = world
    row = achievements.record(w.ua, DATA, evidence.Upload("公开课证书.pdf", pdf_bytes()), TODAY)
    assert row.state == ReviewState.SUBMITTED and row.evidence.original_name == "公开课证书.pdf"
    with pytest.raises(NotFound):
        achievements.review(w.pb, row.id, True)
    with pytest.raises(PermissionDenied):
        achievements.review(w.hr, row.id, True)
    with pytest.raises(DomainError, match="原因"):
        achievements.review(w.pa, row.id, False, " ")
    achievements.review(w.pa, row.id, True)
    assert row.state == ReviewState.VERIFIED and row.reviewed_by_id == w.pa.id
    with pytest.raises(DomainError, match="已审核过"):
        achievements.review(w.pa, row.id, False, "x")


@pytest.mark.parametrize(("over", "field"), [
    ({"kind": "poem"}, "kind"), ({"level": "galaxy"}, "level"), ({"title": ""}, "title"),
    ({"achieved_on": TODAY + timedelta(days=1)}, "achieved_on"), ({"achieved_on": date(2001, 1, 1)}, "achieved_on"),
    ({"achieved_on": "soon"}, "achieved_on"),
])
def test_bad_achievements_are_refused(world, over, field):
    with pytest.raises(DomainError) as info:
        achievements.record(world.ua, {**DATA, **over}, None, TODAY)
    assert info.value.field == field


def test_the_same_achievement_twice_and_a_bad_file_are_refused_and_nothing_is_saved(world):
    w = world
    achievements.record(w.ua, DATA, None, TODAY)
    db.session.commit()
    with pytest.raises(DomainError, match="已登记过"):
        achievements.record(w.ua, DATA, None, TODAY)
    with pytest.raises(DomainError) as info:
        achievements.record(w.ua, {**DATA, "title": "另一项"}, evidence.Upload("a.pdf", b"<html></html>"), TODAY)
    assert info.value.field == "evidence"
    db.session.rollback()
    assert len(db.session.scalars(select(Achievement)).all()) == 1
    assert db.session.scalars(select(EvidenceFile)).all() == []


def test_honours_set_and_end_the_backbone_level(world):
    w = world
    honour = achievements.add_honour(w.hr, w.ta.id, {"kind": "backbone", "level": "city",
                                                     "recognised_on": date(2022, 9, 1), "review_on": date(2025, 9, 1)},
                                     TODAY)
    assert w.ta.backbone == Backbone.CITY
    achievements.end_honour(w.hr, honour.id, TODAY)
    assert w.ta.backbone == Backbone.NONE
    with pytest.raises(DomainError, match="省级"):
        achievements.add_honour(w.hr, w.ta.id, {"kind": "special", "level": "county", "recognised_on": "2022-09-01"},
                                TODAY)
    with pytest.raises(DomainError, match="工作室名称"):
        achievements.add_honour(w.hr, w.ta.id, {"kind": "studio_host", "level": "city",
                                                "recognised_on": "2022-09-01"}, TODAY)
    with pytest.raises(DomainError, match="复评日期"):
        achievements.add_honour(w.hr, w.ta.id, {"kind": "backbone", "level": "city", "recognised_on": "2022-09-01",
                                                "review_on": "2021-01-01"}, TODAY)
    with pytest.raises(PermissionDenied):
        achievements.add_honour(w.pa, w.ta.id, {"kind": "backbone", "level": "city", "recognised_on": "2022-09-01"},
                                TODAY)


def test_pages(app, client, world):
    w = world
    login(client, "teacher")
    resp = client.post("/development/achievements/new", data={**DATA, "achieved_on": "2023-04-12"},
                       content_type="multipart/form-data", follow_redirects=True)
    assert "已登记成果" in resp.get_data(as_text=True)
    row = db.session.scalar(select(Achievement))
    principal = app.test_client()
    login(principal, "principal")
    page = principal.get(f"/teachers/{w.ta.id}/development").get_data(as_text=True)
    assert "县级公开课：分数的初步认识" in page and "审核通过" in page
    principal.post(f"/development/achievements/{row.id}/verify", data={"reason": ""})
    db.session.expire_all()
    assert db.session.get(Achievement, row.id).state == ReviewState.VERIFIED
    hr = app.test_client()
    login(hr, "hr")
    resp = hr.post(f"/teachers/{w.ta.id}/honours", data={"kind": "backbone", "level": "county",
                                                         "recognised_on": "2021-09-01", "review_on": ""},
                   follow_redirects=True)
    assert "已登记荣誉" in resp.get_data(as_text=True) and "县级骨干" in resp.get_data(as_text=True)
