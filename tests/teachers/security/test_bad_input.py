"""Findings 3, 4, 5 and 8, each tested over its whole kind.

3  ``nan``/``inf`` in a policy setting broke the county: every number setting, every non-finite or
   non-ASCII spelling, refused at input; a stored bad value does not break the pages that read it.
4  a bad county on a new account meant "all counties": every unparseable spelling is an error, and
   a county role without a county is impossible in the database.
5  oversized integers answered 500: every GET route with every integer argument too large, and
   every integer form field.
8  odd characters were stored: every text field of every form refuses NUL, C0/C1 controls and bidi
   overrides, with a message naming the field; numbers refuse non-ASCII digits; dates 1900–2100.
"""

from __future__ import annotations

import inspect
import pkgutil
import re
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

import teachers
from teachers import policy
from teachers.extensions import db
from teachers.forms import Form
from teachers.models import County, Role, School, Teacher, User
from tests.conftest import login
from tests.teachers.security.conftest import BIRTH
from tests.teachers.security.routes import rule_urls

NON_FINITE = ["nan", "NaN", "inf", "-inf", "Infinity", "1e999"]
NOT_ASCII_NUMBERS = ["٣", "０.５", "1_0", "0x10", "１２"]
HUGE = ["9223372036854775808", "99999999999999999999", "-99999999999999999999", "2147483648"]
BAD_TEXT = ["a\x00b", "LJ\u202e10P", "x\x01", "\x7f", "a\u0085b", "\u2066x\u2069", "a\u200fb"]


def number_settings():
    return [s for s in policy.SETTINGS if s.kind in ("int", "float", "share")]


# ---------------------------------------------------------------- 3: policy numbers


@pytest.mark.parametrize("setting", number_settings(), ids=lambda s: s.key)
def test_every_number_setting_refuses_non_finite_and_non_ascii(setting):
    for raw in NON_FINITE + NOT_ASCII_NUMBERS + [float("nan"), float("inf")]:
        with pytest.raises(policy.PolicyError):
            policy.validate({setting.key: raw})


def test_settings_page_refuses_nan_and_the_county_keeps_working(client, sworld):
    login(client, "admin")
    rows = {s.key: str(s.default) if s.kind != "list" else ",".join(s.default) for s in policy.SETTINGS}
    for key in ("rotation_share", "max_rotation_share", "cv_limit_primary", "min_years_at_school"):
        resp = client.post(f"/admin/settings?county={sworld.county.id}", data={**rows, key: "nan"})
        assert resp.status_code == 400, key
    db.session.expire_all()
    assert db.session.get(County, sworld.county.id).policy == {}


@pytest.mark.parametrize("username", ["admin", "hr", "inspector", "principal"])
def test_a_stored_nan_does_not_break_any_page(client, sworld, username):
    county = db.session.get(County, sworld.county.id)
    # Strings, as a hand edit or an old version could leave them (PostgreSQL's JSON has no NaN at all).
    county.policy = {s.key: v for s, v in zip(number_settings(), ["nan", "inf", "-inf", "١", "1e999"] * 20)}
    db.session.commit()
    login(client, username)
    for url in ("/", f"/?county={sworld.county.id}", "/teachers", f"/teachers/{sworld.teacher.id}",
                f"/teachers?eligible={date.today().year + 1}", f"/admin/settings?county={sworld.county.id}"):
        assert client.get(url).status_code in (200, 302, 403), url
    assert policy.effective(county.policy) == policy.DEFAULTS


# ---------------------------------------------------------------- 4: county roles


def _new_account(client, **kw):
    data = {"username": "newbie", "display_name": "新人", "password": "Strong#2027", "role": "inspector",
            "school_id": "", "staff_no": "", "county_id": ""}
    return client.post("/admin/users/new", data={**data, **kw})


@pytest.mark.parametrize("county_id", ["nan", "inf", "1.5", "0x10", "😀", "\x00", "", "-1",
                                       "99999999999999999999", "-99999999999999999999", "٣"])
@pytest.mark.parametrize("role", ["inspector", "hr"])
def test_a_county_role_never_gets_all_counties(client, sworld, county_id, role):
    login(client, "admin")
    resp = _new_account(client, role=role, county_id=county_id)
    assert resp.status_code == 400
    assert db.session.scalar(select(User).where(User.username == "newbie")) is None


def test_database_refuses_a_county_role_without_county(app, sworld):
    for role in (Role.HR, Role.INSPECTOR):
        db.session.add(User(username=f"x-{role.value}", password_hash="x", role=role))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_a_county_role_without_county_sees_nothing(app, sworld):
    from teachers.auth.permissions import can, teacher_filter

    user = User(username="ghost", password_hash="x", role=Role.INSPECTOR, county_id=None, active=True)
    assert db.session.scalar(select(func.count()).select_from(Teacher).where(teacher_filter(user))) == 0
    assert not can(user, "teacher.view", sworld.teacher)


# ---------------------------------------------------------------- 5: oversized integers


def _get_routes(app, w):
    ids = {"teacher_id": w.teacher.id, "school_id": w.school.id, "user_id": w.own.id}
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            yield from rule_urls(rule, ids)


@pytest.mark.parametrize("username", ["admin", "hr", "inspector", "principal"])
def test_no_route_answers_500_to_huge_integers(app, client, sworld, username):
    login(client, username)
    for url in _get_routes(app, sworld):
        for huge in HUGE + NON_FINITE[:2] + ["٣"]:
            joiner = "&" if "?" in url else "?"
            query = "&".join(f"{k}={huge}" for k in ("page", "county", "year", "school", "eligible", "county_id"))
            resp = client.get(f"{url}{joiner}{query}")
            assert resp.status_code < 500, (url, huge)
    for converter_url in (f"/teachers/{HUGE[1]}", f"/schools/{HUGE[0]}", f"/admin/users/{HUGE[1]}/edit"):
        assert client.get(converter_url).status_code == 404, converter_url


@pytest.mark.parametrize("field", ["pupils_primary", "staffing_quota", "pupils_junior"])
def test_school_form_refuses_huge_and_non_ascii_integers(client, sworld, field):
    login(client, "hr")
    base = {"code": "LJ-NEW", "name": "新学校", "county_id": str(sworld.county.id), "area": "urban",
            "kind": "primary", "pupils_primary": "10", "staffing_quota": "1"}
    for raw in HUGE + NOT_ASCII_NUMBERS:
        resp = client.post("/schools/new", data={**base, field: raw})
        assert resp.status_code == 400, raw
    assert db.session.scalar(select(School).where(School.code == "LJ-NEW")) is None


# ---------------------------------------------------------------- 8: odd characters, digits, dates


def form_classes():
    found = []
    for info in pkgutil.walk_packages(teachers.__path__, "teachers."):
        module = __import__(info.name, fromlist=["_"])
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            from flask_wtf import FlaskForm

            if issubclass(obj, FlaskForm) and obj.__module__ == info.name:
                found.append(obj)
    return found


def test_every_form_derives_from_the_guarded_base():
    classes = form_classes()
    assert len(classes) >= 10
    assert [c.__name__ for c in classes if not issubclass(c, Form)] == []


def _teacher_form(w, **kw):
    data = {"staff_no": "LJ0099", "name": "新教师", "gender": "F", "birth_date": "1990-01-02", "id_number": "",
            "phone": "", "service_start": "2012-09-01", "hire_date": "2012-09-01",
            "personnel_school_id": str(w.school.id), "working_school_id": "", "stage": "primary",
            "subject": "数学", "other_subjects": "", "degree": "bachelor", "title": "none", "backbone": "none",
            "backbone_since": "", "tier": "young", "status": "active", "rotation_exempt_reason": ""}
    return {**data, **kw}


@pytest.mark.parametrize("field", ["staff_no", "name", "subject", "other_subjects", "phone", "rotation_exempt_reason"])
def test_teacher_text_fields_refuse_control_and_bidi_characters(client, sworld, field):
    login(client, "hr")
    for bad in BAD_TEXT:
        resp = client.post("/teachers/new", data=_teacher_form(sworld, **{field: bad}))
        html = resp.get_data(as_text=True)
        assert resp.status_code == 400, (field, bad)
        assert "不允许的字符" in html, (field, bad)
    assert db.session.scalar(select(Teacher).where(Teacher.staff_no == "LJ0099")) is None


@pytest.mark.parametrize("field", ["code", "name", "subdistrict", "address", "principal_name"])
def test_school_text_fields_refuse_control_and_bidi_characters(client, sworld, field):
    login(client, "hr")
    base = {"code": "LJ-NEW", "name": "新学校", "county_id": str(sworld.county.id), "area": "urban",
            "kind": "primary", "pupils_primary": "10", "staffing_quota": "1"}
    for bad in BAD_TEXT:
        resp = client.post("/schools/new", data={**base, field: bad})
        assert resp.status_code == 400 and "不允许的字符" in resp.get_data(as_text=True), (field, bad)


@pytest.mark.parametrize("field", ["birth_date", "service_start", "hire_date"])  # backbone_since: now honours
def test_dates_outside_1900_2100_are_refused(client, sworld, field):
    login(client, "hr")
    for raw in ("0001-01-01", "1899-12-31"):
        resp = client.post("/teachers/new", data=_teacher_form(sworld, backbone="county", **{field: raw}))
        assert resp.status_code == 400, (field, raw)
        assert "1900-01-01" in resp.get_data(as_text=True) or "不能早于" in resp.get_data(as_text=True)


def test_effective_date_outside_the_range_is_refused(client, sworld):
    login(client, "hr")
    t = sworld.teacher
    resp = client.post(f"/teachers/{t.id}/edit", data=_teacher_form(
        sworld, staff_no=t.staff_no, name=t.name, birth_date=BIRTH.isoformat(), id_number=t.id_number,
        personnel_school_id=str(sworld.school.id), effective_date="0001-01-01"))
    assert resp.status_code == 400 and "1900-01-01" in resp.get_data(as_text=True)


@pytest.mark.parametrize("q", ["\x00", "王\x00丽", "\u202e", "a\x01"])
def test_searches_with_control_characters_are_refused_not_truncated(client, sworld, q):
    login(client, "hr")
    resp = client.post("/teachers", data={"q": q})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "不允许的字符" in html
    client = client.application.test_client()
    login(client, "admin")
    assert client.get("/admin/users", query_string={"q": q}).status_code == 200
    assert client.get("/admin/audit", query_string={"actor": q, "action": q, "object_id": q}).status_code == 200
    assert client.get("/schools", query_string={"q": q}).status_code == 200


def test_the_model_guard_refuses_what_a_service_lets_through(app, sworld):
    from teachers.guard import UnsafeValue

    cases = [(Teacher, "name", "王\u202e丽"), (Teacher, "subject", "数\x00学"), (School, "pupils_primary", 2**31),
             (School, "longitude", float("nan")), (Teacher, "birth_date", date(1, 1, 1)),
             (Teacher, "other_subjects", ["语文", "\x00"])]
    for model, attr, value in cases:
        obj = db.session.get(model, sworld.teacher.id if model is Teacher else sworld.school.id)
        setattr(obj, attr, value)
        with pytest.raises(UnsafeValue) as info:
            db.session.flush()
        assert info.value.field == attr
        db.session.rollback()


def test_no_view_reads_integers_from_the_query_string_by_hand():
    """Every integer query argument goes through teachers.web.int_arg (bounded, ASCII digits)."""
    import pathlib

    root = pathlib.Path(teachers.__file__).parent
    offenders = [str(p) for p in root.rglob("*.py") if re.search(r"type\s*=\s*int\b", p.read_text(encoding="utf-8"))]
    assert offenders == []
