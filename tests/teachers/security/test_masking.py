"""Finding 1: a masked ID number could be rebuilt from the full birth date shown beside it.

The rule of the kind: whoever does not see the ID number sees neither its birth date (day or month)
on any page. Every GET page of the app is fetched as every role and searched for the hidden digits.
"""

from __future__ import annotations

import pytest

from teachers.masking import mask_birth_date, mask_phone, personal
from tests.conftest import login
from tests.teachers.security.conftest import BIRTH
from tests.teachers.security.routes import rule_urls

HIDDEN_FORMS = ("1978-10-03", "19781003", "1978-10", "10-03", "1978年10月")


def _pages(app, w):
    """Every GET route without a converter, and every route with ids of this world's objects."""
    out = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        out.extend(rule_urls(rule, {"teacher_id": w.teacher.id, "school_id": w.school.id, "user_id": w.own.id}))
    return out


def _text(resp) -> str:
    """A page's text; an .xlsx download's cells as text (exports are pages too)."""
    if resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
        from io import BytesIO

        from openpyxl import load_workbook

        book = load_workbook(BytesIO(resp.get_data()), read_only=True)
        return "\n".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True)
                         for v in row if v is not None)
    return resp.get_data(as_text=True)


@pytest.mark.parametrize("username", ["principal", "inspector"])
def test_no_page_shows_the_birth_date_to_those_who_see_a_masked_id(app, client, sworld, username):
    login(client, username)
    seen_masked = False
    for url in _pages(app, sworld):
        resp = client.get(url)
        if resp.status_code != 200:
            continue
        html = _text(resp)
        assert sworld.teacher.id_number not in html, url
        seen_masked |= sworld.teacher.id_number[:6] + "********" in html
        for hidden in HIDDEN_FORMS:
            assert hidden not in html, (url, hidden)
    # A list or detail page did show the teacher (masked): the check looked where it mattered.
    assert seen_masked


def test_principal_and_inspector_see_the_year_and_age(client, sworld):
    login(client, "principal")
    html = client.get(f"/teachers/{sworld.teacher.id}").get_data(as_text=True)
    assert "出生年份" in html and '<dd class="birth-date">1978</dd>' in html
    assert "13804391234" in html  # a principal may call their own staff


def test_inspector_sees_a_masked_phone(client, sworld):
    login(client, "inspector")
    html = client.get(f"/teachers/{sworld.teacher.id}").get_data(as_text=True)
    assert "13804391234" not in html and "138****1234" in html


@pytest.mark.parametrize("username", ["hr", "admin"])
def test_hr_and_admin_see_everything(client, sworld, username):
    login(client, username)
    html = client.get(f"/teachers/{sworld.teacher.id}").get_data(as_text=True)
    assert sworld.teacher.id_number in html and BIRTH.isoformat() in html and "13804391234" in html


def test_the_teacher_sees_their_own_birth_date(client, sworld):
    login(client, "LJ0001")
    html = client.get(f"/teachers/{sworld.teacher.id}").get_data(as_text=True)
    assert BIRTH.isoformat() in html


def test_policy_function(sworld):
    p = personal(sworld.inspector, sworld.teacher)
    assert p.birth_date == "1978" and p.id_number.startswith("220621********") and not p.full
    assert personal(sworld.hr, sworld.teacher).birth_date == "1978-10-03"
    assert mask_birth_date(BIRTH) == "1978" and mask_phone("13804391234") == "138****1234" and mask_phone("123") == "***"


def test_audit_summaries_keep_the_birth_date_to_the_year(client, sworld):
    from sqlalchemy import select

    from teachers.extensions import db
    from teachers.models import AuditEvent
    from teachers.records import services

    services.update_teacher(sworld.hr, sworld.teacher, {"birth_date": "1978-10-04", "id_number": ""})
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.summary.get("birth_date") == ["1978", "1978"]
