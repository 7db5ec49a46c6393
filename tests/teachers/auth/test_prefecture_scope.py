"""Prefecture scope: an HR or inspector account scoped to 白山市 reaches exactly the counties of 白山市
(records, dashboard, the one rule in ``permissions``), nothing of 通化市; the database refuses a county role
without a scope, with two scopes, or a prefecture on a role that has no county scope; the account form
refuses them with a message at the field."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from teachers.auth.permissions import (
    county_filter,
    county_in_scope,
    school_filter,
    teacher_filter,
)
from teachers.extensions import db
from teachers.models import County, Role, School, Teacher, User
from tests import factories as f
from tests.conftest import login

STRONG = "Strong#2027"


@pytest.fixture
def world(app):
    a = f.county("浑江区", prefecture="白山市")
    b = f.county("临江市", prefecture="白山市")
    c = f.county("东昌区", prefecture="通化市")
    schools = {k: f.school(county, f"{county.name}实验小学") for k, county in (("a", a), ("b", b), ("c", c))}
    teachers = {k: f.teacher(s, f"{k}老师") for k, s in schools.items()}
    f.user("admin", Role.ADMIN)
    f.user("hr-BS", Role.HR, prefecture="白山市")
    f.user("inspector-BS", Role.INSPECTOR, prefecture="白山市")
    f.user("hr-c", Role.HR, county_obj=c)
    db.session.commit()
    return {"a": a, "b": b, "c": c, "schools": schools, "teachers": teachers}


def _user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


@pytest.mark.parametrize("username", ["hr-BS", "inspector-BS"])
def test_the_one_rule_reaches_the_prefecture_and_nothing_else(world, username):
    user = _user(username)
    assert county_in_scope(user, world["a"]) and county_in_scope(user, world["b"].id)
    assert not county_in_scope(user, world["c"]) and not county_in_scope(user, None)
    assert set(db.session.scalars(select(County.id).where(county_filter(user)))) == {world["a"].id, world["b"].id}
    assert set(db.session.scalars(select(School.id).where(school_filter(user)))) == {
        world["schools"]["a"].id, world["schools"]["b"].id}
    assert set(db.session.scalars(select(Teacher.id).where(teacher_filter(user)))) == {
        world["teachers"]["a"].id, world["teachers"]["b"].id}
    county_hr = _user("hr-c")
    assert [c.id for c in db.session.scalars(select(County).where(county_filter(county_hr)))] == [world["c"].id]


@pytest.mark.parametrize("username", ["hr-BS", "inspector-BS"])
def test_records_of_the_prefecture_only(client, world, username):
    login(client, username)
    listing = client.get("/teachers").get_data(as_text=True)
    assert "a老师" in listing and "b老师" in listing and "c老师" not in listing
    schools = client.get("/schools").get_data(as_text=True)
    assert "浑江区实验小学" in schools and "临江市实验小学" in schools and "东昌区实验小学" not in schools
    assert client.get(f"/teachers/{world['teachers']['b'].id}").status_code == 200
    assert client.get(f"/schools/{world['schools']['a'].id}").status_code == 200
    assert client.get(f"/teachers/{world['teachers']['c'].id}").status_code == 404
    assert client.get(f"/schools/{world['schools']['c'].id}").status_code == 404


def test_prefecture_hr_adds_a_school_in_its_prefecture_only(client, world):
    login(client, "hr-BS")
    base = {"code": "BS-NEW", "name": "新学校", "area": "urban", "kind": "primary", "pupils_primary": "10",
            "staffing_quota": "1"}
    resp = client.post("/schools/new", data={**base, "county_id": str(world["c"].id)})
    assert resp.status_code == 400
    assert db.session.scalar(select(School).where(School.code == "BS-NEW")) is None
    resp = client.post("/schools/new", data={**base, "county_id": str(world["b"].id)})
    assert resp.status_code == 302
    assert db.session.scalar(select(School.county_id).where(School.code == "BS-NEW")) == world["b"].id


@pytest.mark.parametrize("username", ["hr-BS", "inspector-BS"])
def test_dashboard_of_each_county_of_the_prefecture(client, world, username):
    login(client, username)
    first = client.get("/")
    assert first.status_code == 200
    for key in ("a", "b"):
        page = client.get(f"/?county={world[key].id}")
        assert page.status_code == 200 and world[key].name in page.get_data(as_text=True)
    assert client.get(f"/?county={world['c'].id}").status_code == 404
    assert "东昌区" not in first.get_data(as_text=True)


# ------------------------------------------------------------------------------------ the constraint


@pytest.mark.parametrize("fields", [
    {"role": Role.HR},  # no scope at all
    {"role": Role.INSPECTOR, "prefecture": None},
    {"role": Role.HR, "prefecture": "白山市", "county": True},  # two scopes
    {"role": Role.INSPECTOR, "prefecture": ""},  # a blank name
    {"role": Role.PRINCIPAL, "prefecture": "白山市", "school": True},  # a role without a county scope
])
def test_database_refuses_a_county_role_without_one_scope(world, fields):
    fields = dict(fields)
    row = {"username": "x", "password_hash": "x", "role": fields.pop("role"), "prefecture": fields.pop("prefecture", None)}
    if fields.pop("county", False):
        row["county_id"] = world["a"].id
    if fields.pop("school", False):
        row["school_id"] = world["schools"]["a"].id
    db.session.add(User(**row))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(User).where(User.username == "x")) == 0


def test_database_accepts_a_prefecture_scope(world):
    for role in (Role.HR, Role.INSPECTOR, Role.ADMIN):
        db.session.add(User(username=f"p-{role.value}", password_hash="x", role=role, prefecture="白山市"))
    db.session.flush()


# ------------------------------------------------------------------------------------ the account form


def _form(**kw):
    data = {"username": "newbie", "display_name": "新人", "password": STRONG, "role": "hr", "school_id": "",
            "staff_no": "", "county_id": "", "prefecture": ""}
    return {**data, **kw}


@pytest.mark.parametrize(("changes", "zh", "en"), [
    ({}, "必须指定所属县（市、区）或地级市（州、盟）", "must have a county or a prefecture"),
    ({"role": "inspector"}, "必须指定所属县（市、区）或地级市（州、盟）", "must have a county or a prefecture"),
    ({"prefecture": "不存在市"}, "没有县（市、区）属于“不存在市”", "No county belongs to"),
    ({"prefecture": "白山市", "county_id": "COUNTY"}, "只能指定其一", "not both"),
])
def test_account_form_refuses_a_scope_less_or_double_scope(client, world, changes, zh, en):
    changes = {k: (str(world["a"].id) if v == "COUNTY" else v) for k, v in changes.items()}
    login(client, "admin")
    resp = client.post("/admin/users/new", data=_form(**changes))
    assert resp.status_code == 400 and zh in resp.get_data(as_text=True)
    client.post("/lang/en")
    resp = client.post("/admin/users/new", data=_form(**changes))
    assert resp.status_code == 400 and en in resp.get_data(as_text=True)
    assert _user("newbie") is None


def test_account_form_creates_and_edits_a_prefecture_account(client, world):
    login(client, "admin")
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert '<option value="白山市">白山市</option>' in page and '<option value="通化市">通化市</option>' in page
    resp = client.post("/admin/users/new", data=_form(prefecture="白山市"))
    assert resp.status_code == 302
    user = _user("newbie")
    assert (user.role, user.county_id, user.prefecture) == (Role.HR, None, "白山市")
    assert "白山市（所辖各县）" in client.get("/admin/users").get_data(as_text=True)
    edit = {"display_name": "新人", "role": "inspector", "active": "y", "school_id": "", "staff_no": "",
            "county_id": str(world["c"].id), "prefecture": ""}
    assert client.post(f"/admin/users/{user.id}/edit", data=edit).status_code == 302
    db.session.expire_all()
    user = _user("newbie")
    assert (user.role, user.county_id, user.prefecture) == (Role.INSPECTOR, world["c"].id, None)
    # a principal's account never keeps a prefecture
    edit.update(role="principal", school_id=str(world["schools"]["a"].id), county_id="", prefecture="白山市")
    assert client.post(f"/admin/users/{user.id}/edit", data=edit).status_code == 302
    db.session.expire_all()
    assert _user("newbie").prefecture is None
