"""Property tests of bad input (hypothesis): for any string, number or date in any field of every form,
and any value given to the record services, the answer is the form with a message or a clean refusal:
never a 500, never a partial write. They run on whichever database the suite runs on."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from teachers import policy
from teachers.errors import DomainError
from teachers.extensions import db
from teachers.models import Assignment, AuditEvent, County, School, Teacher, User
from teachers.records import services
from tests.conftest import login

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

hostile_text = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.sampled_from(["nan", "inf", "-1", "0", "9223372036854775808", "99999999999999999999", "٣٤", "１２",
                     "1_0", "0x10", "0001-01-01", "9999-12-31", "2023-02-30", "\x00", "\u202e", "' OR 1=1 --",
                     "<script>", "%00", "1e309", "-0", " ", "😀"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
)

TEACHER_FIELDS = ["staff_no", "name", "gender", "birth_date", "id_number", "phone", "service_start", "hire_date",
                  "personnel_school_id", "working_school_id", "effective_date", "stage", "subject",
                  "other_subjects", "degree", "title", "backbone", "backbone_since", "tier", "status",
                  "rotation_exempt", "rotation_exempt_reason"]
SCHOOL_FIELDS = ["code", "name", "county_id", "subdistrict", "school_district", "area", "kind", "pupils_preschool",
                 "pupils_primary", "pupils_junior", "pupils_senior", "pupils_vocational", "staffing_quota",
                 "is_teaching_point", "central_school_id", "longitude", "latitude", "principal_name", "phone",
                 "address", "active"]
USER_FIELDS = ["username", "display_name", "password", "role", "school_id", "staff_no", "county_id", "active"]


def _counts() -> dict[str, int]:
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
            for m in (County, School, Teacher, Assignment, User, AuditEvent)}


def _form(fields, data):
    return {name: data.get(name, "") for name in fields}


def _post_checks(client, url, data, *, ok_codes=(302, 303)):
    before = _counts()
    resp = client.post(url, data=data)
    assert resp.status_code < 500, (url, data)
    db.session.expire_all()
    if resp.status_code not in ok_codes:
        after = _counts()
        # A refusal writes nothing (the login audit and counters are not written by these forms).
        assert after == before, (url, data, before, after)
    return resp


@pytest.fixture
def hr_client(app, sworld):
    client = app.test_client()
    login(client, "hr")
    return client


@pytest.fixture
def admin_client(app, sworld):
    client = app.test_client()
    login(client, "admin")
    return client


@SETTINGS
@given(data=st.dictionaries(st.sampled_from(TEACHER_FIELDS), hostile_text, max_size=6))
def test_teacher_form_any_input(hr_client, sworld, data):
    base = {"staff_no": "LJ0099", "name": "新教师", "gender": "F", "birth_date": "1990-01-02",
            "service_start": "2012-09-01", "personnel_school_id": str(sworld.school.id), "stage": "primary",
            "subject": "数学", "degree": "bachelor", "title": "none", "backbone": "none", "tier": "young",
            "status": "active"}
    _post_checks(hr_client, "/teachers/new", _form(TEACHER_FIELDS, {**base, **data}))
    _post_checks(hr_client, f"/teachers/{sworld.teacher.id}/edit", _form(TEACHER_FIELDS, {
        **base, "staff_no": sworld.teacher.staff_no, "birth_date": "1978-10-03",
        "id_number": sworld.teacher.id_number, **data}))


@SETTINGS
@given(data=st.dictionaries(st.sampled_from(SCHOOL_FIELDS), hostile_text, max_size=6))
def test_school_form_any_input(hr_client, sworld, data):
    base = {"code": "LJ-NEW", "name": "新学校", "county_id": str(sworld.county.id), "area": "urban",
            "kind": "primary", "pupils_primary": "10", "staffing_quota": "1"}
    _post_checks(hr_client, "/schools/new", _form(SCHOOL_FIELDS, {**base, **data}))
    _post_checks(hr_client, f"/schools/{sworld.school.id}/edit", _form(SCHOOL_FIELDS, {
        **base, "code": sworld.school.code, **data}))


@SETTINGS
@given(data=st.dictionaries(st.sampled_from(USER_FIELDS), hostile_text, max_size=5))
def test_account_form_any_input(admin_client, sworld, data):
    base = {"username": "newbie", "password": "Strong#2027", "role": "inspector", "county_id": str(sworld.county.id)}
    _post_checks(admin_client, "/admin/users/new", _form(USER_FIELDS, {**base, **data}))
    _post_checks(admin_client, f"/admin/users/{sworld.principal.id}/edit", _form(USER_FIELDS, {
        "role": "principal", "school_id": str(sworld.school.id), **data}))


@SETTINGS
@given(key=st.sampled_from([s.key for s in policy.SETTINGS]), value=hostile_text)
def test_settings_form_any_input(admin_client, sworld, key, value):
    rows = {s.key: ",".join(s.default) if s.kind == "list" else str(s.default) for s in policy.SETTINGS}
    resp = _post_checks(admin_client, f"/admin/settings?county={sworld.county.id}", {**rows, key: value})
    if resp.status_code in (302, 303):
        # Whatever was accepted reads back as a valid, finite value.
        stored = db.session.get(County, sworld.county.id).policy
        assert policy.effective(stored) == {**policy.DEFAULTS, **policy.validate(stored)}


@SETTINGS
@given(args=st.dictionaries(st.sampled_from(["q", "school", "area", "stage", "subject", "tier", "backbone",
                                             "status", "eligible", "sort", "dir", "page", "county", "year",
                                             "role", "actor", "action", "date_from", "date_to", "object_type",
                                             "object_id", "kind", "subdistrict"]), hostile_text, max_size=5))
def test_every_list_any_query(admin_client, hr_client, sworld, args):
    for client, urls in ((hr_client, ["/teachers", "/schools", "/"]),
                         (admin_client, ["/admin/users", "/admin/audit", "/admin/settings", "/"])):
        for url in urls:
            assert client.get(url, query_string=args).status_code < 500, (url, args)
    assert hr_client.post("/teachers", data=args).status_code < 500


@pytest.mark.parametrize("blank", [" ", "\t", "\u3000"])
@pytest.mark.parametrize("name", ["area", "stage", "tier", "backbone", "status", "school", "subject", "eligible"])
def test_a_blank_filter_is_no_filter(hr_client, sworld, name, blank):
    """Found by the property test above: Optional() let a filter of spaces past the choice check."""
    assert hr_client.get("/teachers", query_string={name: blank}).status_code == 200


@SETTINGS
@given(data=st.dictionaries(st.sampled_from(TEACHER_FIELDS), st.one_of(hostile_text, st.none()), max_size=6),
       dates=st.dictionaries(st.sampled_from(["birth_date", "service_start", "backbone_since", "hire_date",
                                              "effective_date"]), st.dates(min_value=date(1, 1, 1)), max_size=2),
       ids=st.dictionaries(st.sampled_from(["personnel_school_id", "working_school_id"]),
                           st.integers(min_value=-(2**70), max_value=2**70), max_size=1))
def test_record_services_any_value(app, sworld, data, dates, ids):
    """The services take plain values (strings, dates, ids) from views, imports and commands: any such value
    is stored or refused with a DomainError, and a refusal leaves nothing behind."""
    data = {**data, **dates, **ids}
    base = {"staff_no": "LJ0099", "name": "新教师", "gender": "F", "birth_date": date(1990, 1, 2),
            "service_start": date(2012, 9, 1), "personnel_school_id": sworld.school.id, "stage": "primary",
            "subject": "数学", "degree": "bachelor", "title": "none", "backbone": "none", "tier": "young",
            "status": "active"}
    before = _counts()
    hr = db.session.get(User, sworld.hr.id)
    try:
        services.create_teacher(hr, {**base, **data})
        db.session.flush()
    except DomainError:
        db.session.rollback()
        assert _counts() == before
    else:
        db.session.rollback()
