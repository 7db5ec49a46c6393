"""The audit trail is read within the reader's county scope: a county inspector reads the events of their
county (by the event's object, or by an actor of the county), a prefecture inspector those of every county of
their prefecture, an all-county administrator everything; the filter's choices name nothing out of scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest
from sqlalchemy import func, select

from teachers import audit
from teachers.admin import services
from teachers.extensions import db
from teachers.models import (
    Achievement,
    AchievementKind,
    AuditEvent,
    DeliveryMode,
    Level,
    MentorPair,
    Programme,
    ProgrammeLevel,
    Role,
    RotationMove,
    RotationRound,
    SchoolPair,
    SolveRun,
    User,
)
from tests import factories as f
from tests.conftest import login

#: Every object type ``audit.record`` is called with (grep ``audit.record(`` in teachers/), but "export"
#: and "prefecture" which are tested apart.
OBJECT_TYPES = ("teacher", "school", "county", "rotation_round", "solve_run", "rotation_move", "school_pair",
                "user_account", "training_record", "achievement", "honour", "mentor_pair", "programme")


@dataclass
class Trail:
    viewers: dict[str, User]
    #: event id → the "place" it belongs to: a county code, a prefecture name, or "system"
    place: dict[int, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)  # county key (A, B, C) → code


def _round(county) -> RotationRound:
    d = date
    rnd = RotationRound(county_id=county.id, year=2027, start_date=d(2027, 9, 1),
                        wish_opens=d(2027, 5, 1), wish_closes=d(2027, 5, 10),
                        decision_opens=d(2027, 5, 11), decision_closes=d(2027, 5, 20),
                        answer_opens=d(2027, 5, 21), answer_closes=d(2027, 5, 30),
                        notice_opens=d(2027, 6, 1), notice_closes=d(2027, 6, 10))
    db.session.add(rnd)
    db.session.flush()
    return rnd


def _objects(county, key: str) -> dict[str, object]:
    """One object of every audited type in ``county``."""
    s1, s2 = f.school(county), f.school(county)
    t1, t2 = f.teacher(s1), f.teacher(s2)
    rnd = _round(county)
    run = SolveRun(round_id=rnd.id, county_id=county.id, instance={}, time_limit_s=5)
    db.session.add(run)
    db.session.flush()
    move = RotationMove(round_id=rnd.id, run_id=run.id, teacher_id=t1.id, from_school_id=s1.id, to_school_id=s2.id)
    pair = SchoolPair(county_id=county.id, lead_school_id=s1.id, member_school_id=s2.id)
    achievement = Achievement(teacher_id=t1.id, kind=AchievementKind.PAPER, level=Level.COUNTY, title="论文",
                              achieved_on=date(2026, 1, 1))
    mentoring = MentorPair(mentor_id=t1.id, mentee_id=t2.id, start_on=date(2026, 9, 1))
    programme = Programme(county_id=county.id, title="县培", level=ProgrammeLevel.COUNTY, mode=DeliveryMode.ONLINE,
                          hours=8, provider="进修学校", start_on=date(2026, 3, 1), end_on=date(2026, 3, 2))
    db.session.add_all([move, pair, achievement, mentoring, programme])
    db.session.flush()
    hr = f.user(f"hr-{key}", Role.HR, county_obj=county)
    return {
        "teacher": t1, "school": s1, "county": county, "rotation_round": rnd, "solve_run": run,
        "rotation_move": move, "school_pair": pair, "user_account": f.user(f"pr-{key}", Role.PRINCIPAL, school_obj=s1),
        "training_record": f.training_record(t2), "achievement": achievement,
        "honour": f.honour(t2, Level.COUNTY), "mentor_pair": mentoring, "programme": programme, "hr": hr,
        "teacher_account": f.user(f"tc-{key}", Role.TEACHER, teacher_obj=t2), "s2": s2,
    }


def _event(trail: Trail, place: str, actor, action: str, **kw) -> AuditEvent:
    row = audit.record(actor, action, summary={"place": place, **kw.pop("summary", {})}, **kw)
    trail.place[row.id] = place
    return row


@pytest.fixture
def trail(app) -> Trail:
    a = f.county("甲县", prefecture="白山市")
    b = f.county("乙县", prefecture="白山市")
    c = f.county("丙县", prefecture="通化市")
    boss = f.user("admin-all", Role.ADMIN)
    other_admin = f.user("admin-other", Role.ADMIN)
    viewers = {
        "admin": boss,
        "admin_a": f.user("admin-a", Role.ADMIN, county_obj=a),
        "insp_a": f.user("insp-a", Role.INSPECTOR, county_obj=a),
        "insp_b": f.user("insp-b", Role.INSPECTOR, county_obj=b),
        "insp_c": f.user("insp-c", Role.INSPECTOR, county_obj=c),
        "insp_bs": f.user("insp-bs", Role.INSPECTOR, prefecture="白山市"),
        "insp_th": f.user("insp-th", Role.INSPECTOR, prefecture="通化市"),
    }
    trail = Trail(viewers, codes={"A": a.code, "B": b.code, "C": c.code})
    objects = {}
    for key, county in (("A", a), ("B", b), ("C", c)):
        objects[key] = o = _objects(county, key)
        # by the object: no actor at all (a lockout, the nightly carry-out), an all-county admin, or a county HR
        for kind in OBJECT_TYPES:
            _event(trail, county.code, None, f"test.{kind}", object_type=kind, object_id=str(o[kind].id))
        _event(trail, county.code, boss, "settings.changed", obj=county)
        # by the actor only: an export of the county's HR, a school pair removed (the row is gone)
        _event(trail, county.code, o["hr"], "export.teachers", object_type="export", object_id="teachers")
        _event(trail, county.code, o["hr"], "rotation.pair.remove", object_type="school_pair", object_id="99999")
        _event(trail, county.code, o["teacher_account"], "auth.login", obj=o["teacher_account"])
        # a command-line export of the county (no account: the county is in the filters)
        _event(trail, county.code, None, "export.schools", object_type="export", object_id="schools",
               actor_username="cli:ops", summary={"filters": {"county": county.name}})
    _event(trail, b.code, None, "test.only_b", obj=objects["B"]["school"])
    # a teacher of A working (on exchange) at a school of B is B's business too
    lent = f.teacher(objects["A"]["school"], working=objects["B"]["s2"])
    exchange = _event(trail, "A+B", None, "teacher.update", obj=lent)
    # a prefecture account's own events, and the prefecture's demo seed
    _event(trail, "白山市", viewers["insp_bs"], "auth.login", obj=viewers["insp_bs"])
    _event(trail, "白山市", None, "demo.seeded", object_type="prefecture", object_id="白山市", actor_username="seed-demo")
    # no county can be told: an all-county admin's work on an all-county account, a CLI export of every county
    _event(trail, "system", boss, "user.updated", obj=other_admin)
    _event(trail, "system", None, "export.teachers", object_type="export", object_id="teachers",
           actor_username="cli:ops")
    _event(trail, "system", None, "demo.seeded", object_type="", actor_username="seed-demo")
    db.session.commit()
    trail.place[exchange.id] = "A+B"
    return trail


#: What each viewer reads, as places.
SEES = {
    "admin": {"A", "B", "C", "A+B", "白山市", "system"},
    "admin_a": {"A", "A+B"},
    "insp_a": {"A", "A+B"},
    "insp_b": {"B", "A+B"},
    "insp_c": {"C"},
    "insp_bs": {"A", "B", "A+B", "白山市"},
    "insp_th": {"C"},
}


def _expected(trail: Trail, viewer: str) -> set[int]:
    places = {trail.codes.get(p, p) for p in SEES[viewer]}
    return {i for i, place in trail.place.items() if place in places}


@pytest.mark.parametrize("viewer", sorted(SEES))
def test_each_reader_sees_exactly_the_events_of_their_scope(trail, viewer):
    user = trail.viewers[viewer]
    seen = set(db.session.scalars(services.audit_query(user).with_only_columns(AuditEvent.id)))
    assert seen == _expected(trail, viewer)
    # every object type of the county is there: the mapping misses none
    if viewer == "insp_a":
        types = {e.object_type for e in db.session.scalars(services.audit_query(user))}
        assert set(OBJECT_TYPES) | {"export"} <= types and "prefecture" not in types


def test_filter_choices_name_only_what_is_in_scope(trail):
    insp_a, insp_b = trail.viewers["insp_a"], trail.viewers["insp_b"]
    assert "test.only_b" in services.audit_actions(insp_b)
    assert "test.only_b" not in services.audit_actions(insp_a)
    assert "demo.seeded" not in services.audit_actions(insp_a)
    assert "demo.seeded" in services.audit_actions(trail.viewers["insp_bs"])
    assert "prefecture" in services.audit_object_types(trail.viewers["insp_bs"])
    assert "prefecture" not in services.audit_object_types(insp_a)
    assert "prefecture" not in services.audit_object_types(trail.viewers["insp_th"])
    assert "prefecture" in services.audit_object_types(trail.viewers["admin"])


def test_filters_stay_inside_the_scope(trail):
    insp_a = trail.viewers["insp_a"]
    found = db.session.scalars(services.audit_query(insp_a, action="export.schools")).all()
    assert [e.summary["place"] for e in found] == [trail.codes["A"]]
    # naming an object of another county by type and id finds nothing
    school_b = next(e for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "test.only_b")))
    assert db.session.scalars(services.audit_query(insp_a, object_type="school",
                                                   object_id=school_b.object_id)).all() == []
    assert len(db.session.scalars(services.audit_query(trail.viewers["insp_b"], object_type="school",
                                                       object_id=school_b.object_id)).all()) == 2


def _page_ids(client, query: str = "") -> str:
    return client.get(f"/admin/audit{query}").get_data(as_text=True)


def test_the_page_of_a_county_inspector(client, trail):
    login(client, "insp-a")
    page = _page_ids(client)
    code_a, code_b = trail.codes["A"], trail.codes["B"]
    total = len(_expected(trail, "insp_a")) + 1  # and this very login
    assert f"共 {total} 条记录" in page
    assert f"&#34;place&#34;: &#34;{code_a}&#34;" in page or f'"place": "{code_a}"' in page
    assert code_b not in page and "白山市" not in page.split('<table id="audit">')[1]
    # the filter's choices: no action or object type seen only elsewhere
    assert "test.only_b" not in page and 'value="prefecture"' not in page
    # an action of another county, asked for by name, lists nothing
    assert "共 0 条记录" in _page_ids(client, "?action=test.only_b")


def test_the_page_of_a_prefecture_inspector_and_of_the_admin(client, trail):
    login(client, "insp-bs")
    page = _page_ids(client)
    assert f"共 {len(_expected(trail, 'insp_bs')) + 1} 条记录" in page
    assert 'value="prefecture"' in page and "test.only_b" in page
    assert trail.codes["C"] not in page.split('<table id="audit">')[1]
    client.post("/logout")
    login(client, "admin-all")
    total = db.session.scalar(select(func.count(AuditEvent.id)))
    assert f"共 {total} 条记录" in _page_ids(client)


def test_paging_counts_in_scope(client, trail, app):
    app.config["PAGE_SIZE"] = 5
    login(client, "insp-c")
    total = len(_expected(trail, "insp_c")) + 1
    pages = -(-total // 5)
    last = _page_ids(client, f"?page={pages}")
    assert f"第 {pages} / {pages} 页" in last and f"共 {total} 条记录" in last


def test_the_tests_cover_every_mapped_object_type(trail):
    """Every object type the scope clause maps has its event above (a type added there is added here)."""
    import re

    sql = str(services.audit_scope(trail.viewers["insp_bs"]).compile(db.engine,
                                                                     compile_kwargs={"literal_binds": True}))
    assert set(re.findall(r"object_type = '(\w+)'", sql)) == set(OBJECT_TYPES) | {"export", "prefecture"}
