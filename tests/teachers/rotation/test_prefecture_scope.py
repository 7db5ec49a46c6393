"""A prefecture HR (scope ``prefecture = 白山市``) sees and manages the rounds of every county of the
prefecture and nothing of another prefecture; opens one round per county in one step (service and
page) and solves them all in one step (service and button)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from teachers.errors import DomainError, NotFound, PermissionDenied
from teachers.extensions import db
from teachers.models import Role, RotationRound, RoundState, RunStatus, SolveRun
from teachers.rotation import decisions, jobs, services
from tests import factories as f
from tests.conftest import login
from tests.teachers.rotation.conftest import TODAY, build_small_county


@pytest.fixture
def prefectures(app):
    a, b = build_small_county("甲县"), build_small_county("乙县")
    c = build_small_county("丙县")
    a.county.prefecture = b.county.prefecture = "白山市"
    c.county.prefecture = "通化市"
    boss = f.user("hr-BS", Role.HR, prefecture="白山市")
    watcher = f.user("inspector-BS", Role.INSPECTOR, prefecture="白山市")
    db.session.commit()
    return a, b, c, boss, watcher


def _count_rounds() -> int:
    return db.session.scalar(select(func.count()).select_from(RotationRound))


def test_prefecture_hr_sees_and_manages_only_its_prefecture(prefectures):
    a, b, c, boss, watcher = prefectures
    ra = services.open_round(boss, a.county.id, 2027, today=TODAY)
    rb = services.open_round(b.hr, b.county.id, 2027, today=TODAY)
    rc = services.open_round(c.hr, c.county.id, 2027, today=TODAY)
    for rnd in (ra, rb):
        assert services.get_round(boss, rnd.id) == rnd
        assert services.get_round_for_manage(boss, rnd.id) == rnd
        assert services.get_round(watcher, rnd.id) == rnd
    assert {r.id for r in services.list_rounds(boss)} == {ra.id, rb.id}
    assert {r.id for r in services.list_rounds(watcher)} == {ra.id, rb.id}
    with pytest.raises(NotFound):
        services.get_round(boss, rc.id)
    with pytest.raises(NotFound):
        services.get_round_for_manage(boss, rc.id)
    with pytest.raises(NotFound):
        services.get_round(watcher, rc.id)
    with pytest.raises(NotFound):
        services.open_round(boss, c.county.id, 2028, today=TODAY)
    with pytest.raises(PermissionDenied):
        services.update_round(watcher, ra.id, {"term_years": 2})
    services.update_round(boss, rb.id, {"term_years": 2})
    assert rb.term_years == 2
    # a county HR of the prefecture still reaches its county only
    with pytest.raises(NotFound):
        services.get_round(a.hr, rb.id)
    # the prefecture HR is told about moves of its counties (and of no other)
    assert boss in decisions.hr_users(a.county.id) and boss not in decisions.hr_users(c.county.id)


def test_prefecture_hr_opens_its_prefecture_only(prefectures):
    a, b, c, boss, watcher = prefectures
    with pytest.raises(DomainError) as err:
        services.open_prefecture_rounds(boss, "通化市", 2027, today=TODAY)
    assert err.value.field == "prefecture"
    with pytest.raises(PermissionDenied):
        services.open_prefecture_rounds(watcher, "白山市", 2027, today=TODAY)
    assert _count_rounds() == 0
    rounds = services.open_prefecture_rounds(boss, "白山市", 2027, today=TODAY)
    assert sorted(r.county_id for r in rounds) == sorted([a.county.id, b.county.id])
    # a county HR asking for the whole prefecture opens its own county only
    rounds = services.open_prefecture_rounds(c.hr, "通化市", 2027, today=TODAY)
    assert [r.county_id for r in rounds] == [c.county.id]


def test_open_round_page_offers_the_prefecture_to_a_prefecture_hr(client, prefectures):
    a, b, c, _boss, _watcher = prefectures
    login(client, "hr-甲县")
    assert 'id="f-prefecture"' not in client.get("/rotation/new").get_data(as_text=True)
    client.post("/logout")
    login(client, "hr-BS")
    page = client.get(f"/rotation/new?county_id={a.county.id}&year=2027").get_data(as_text=True)
    assert 'id="f-prefecture"' in page and "白山市" in page
    assert "甲县" in page and "乙县" in page and "丙县" not in page
    assert client.get(f"/rotation/new?county_id={c.county.id}&year=2027").status_code == 200  # falls back to its own
    resp = client.post("/rotation/new", data={"county_id": str(a.county.id), "year": "2027", "prefecture": "1"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    counties = set(db.session.scalars(select(RotationRound.county_id)))
    assert counties == {a.county.id, b.county.id}


def test_prefecture_solve_button_queues_one_run_per_county(client, prefectures):
    a, b, c, boss, _watcher = prefectures
    for rnd in services.open_prefecture_rounds(boss, "白山市", 2027, today=TODAY):
        services.open_wishes(boss, rnd.id)
        services.close_wishes(boss, rnd.id)
    other = services.open_round(c.hr, c.county.id, 2027, today=TODAY)
    services.open_wishes(c.hr, other.id)
    services.close_wishes(c.hr, other.id)
    db.session.commit()
    login(client, "hr-BS")
    page = client.get("/rotation").get_data(as_text=True)
    assert 'id="prefecture-solves"' in page and "通化市" not in page
    with pytest.raises(DomainError):  # another prefecture's rounds are not in its scope
        jobs.request_prefecture_solves(boss, "通化市", 2027)
    resp = client.post("/rotation/prefecture-solve", data={"prefecture": "白山市", "year": "2027"})
    assert resp.status_code == 302
    runs = list(db.session.scalars(select(SolveRun)))
    assert sorted(r.county_id for r in runs) == sorted([a.county.id, b.county.id])
    for run in runs:
        assert jobs.wait_for_thread(run.id, 60)
    db.session.expire_all()
    assert all(r.status == RunStatus.SUCCEEDED for r in db.session.scalars(select(SolveRun)))
    assert db.session.get(RotationRound, other.id).state == RoundState.PLANNING


def test_prefecture_solve_refusals(client, prefectures):
    login(client, "inspector-BS")
    assert client.post("/rotation/prefecture-solve", data={"prefecture": "白山市", "year": "2027"}).status_code == 403
    client.post("/logout")
    login(client, "hr-BS")
    resp = client.post("/rotation/prefecture-solve", data={"prefecture": "白山市", "year": "x"}, follow_redirects=True)
    assert resp.status_code == 200 and "请填写有效年份" in resp.get_data(as_text=True)
    resp = client.post("/rotation/prefecture-solve", data={"prefecture": "白山市", "year": "2027"},
                       follow_redirects=True)
    assert "该地区没有处于求解阶段的轮次" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SolveRun)) == 0
