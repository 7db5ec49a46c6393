"""Findings 6, 7 and 9: ID numbers in URLs and logs; lockout telling which names exist; unlimited
guesses of the current password; missing HSTS, form-action and base-uri."""

from __future__ import annotations

import logging
import re
import statistics
import time

import pytest
from sqlalchemy import select

from app import create_app
from teachers.extensions import db
from teachers.logs import IdNumberRedactor, redact
from teachers.models import AuditEvent, User
from tests.conftest import PASSWORD, login

# ---------------------------------------------------------------- 6: ID numbers out of URLs and logs


def test_id_number_search_is_posted_and_answered_without_the_number_in_any_link(client, sworld):
    login(client, "hr")
    number = sworld.teacher.id_number
    for q in (number, number[-8:], number[:10]):
        resp = client.post("/teachers", data={"q": q})
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200 and "王丽" in html, q
        links = " ".join(re.findall(r'(?:href|action)="([^"]*)"', html))
        assert q not in links, q
    # A name search still lands on a bookmarkable GET.
    resp = client.post("/teachers", data={"q": "王丽"})
    assert resp.status_code == 303 and "q=" in resp.headers["Location"]


def test_an_id_number_typed_into_the_url_is_dropped(client, sworld):
    login(client, "hr")
    resp = client.get(f"/teachers?q={sworld.teacher.id_number}&stage=primary")
    assert resp.status_code == 302 and sworld.teacher.id_number not in resp.headers["Location"]
    assert "stage=primary" in resp.headers["Location"]


@pytest.mark.parametrize("line", [
    'GET /teachers?q=220681197810039104 HTTP/1.1" 200',
    "q=22068119781003910X&x=1",
    "old 220681781003910 number",
])
def test_log_lines_are_redacted(line):
    out = redact(line)
    assert not re.search(r"\d{15,}", out) and "******" in out


def test_the_request_loggers_carry_the_redactor(app, caplog):
    for name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(name)
        assert any(isinstance(f, IdNumberRedactor) for f in logger.filters)
        with caplog.at_level(logging.INFO, logger=name):
            logger.info('"%s" %s', "GET /teachers?q=220681197810039104 HTTP/1.1", 200)
        assert "220681197810039104" not in caplog.text and "220681********9104" in caplog.text
        caplog.clear()


# ---------------------------------------------------------------- 7: lockout and password guesses


def _lock(app, web, username):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(web, username, "Wrong#2027")


def test_locked_unknown_and_wrong_answer_alike(app, sworld):
    web = app.test_client()
    _lock(app, web, "hr")

    def answer(username, password):
        html = login(app.test_client(), username, password).get_data(as_text=True)
        return re.search(r'<div class="error" role="alert">([^<]*)</div>', html).group(1)

    locked_right = answer("hr", PASSWORD)
    locked_wrong = answer("hr", "Wrong#2027")
    unknown = answer("nobody-here", "Wrong#2027")
    wrong = answer("inspector", "Wrong#2027")
    assert locked_right == locked_wrong == unknown == wrong


def test_locked_logins_take_as_long_as_unknown_ones(app, sworld):
    """Each refusal costs one password hash: the locked answer was 20 times faster. Medians of a few."""
    web = app.test_client()
    _lock(app, web, "hr")

    def median(username):
        times = []
        for _ in range(5):
            start = time.perf_counter()
            login(app.test_client(), username, "Wrong#2027")
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    locked, unknown = median("hr"), median("nobody-here")
    assert locked > unknown / 3 and unknown > locked / 3, (locked, unknown)


def test_current_password_guesses_are_limited_and_counted_in_the_database(app, sworld):
    client = app.test_client()
    login(client, "principal")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for i in range(limit):
        resp = client.post("/password", data={"current_password": f"Guess#{i}", "password": "Newpass#2027",
                                              "confirm": "Newpass#2027"})
        assert resp.status_code == 400
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.username == "principal"))
    assert user.password_locked_until is not None
    # Now even the right current password is refused, by a second process too.
    other = create_app({k: app.config[k] for k in ("TESTING", "SQLALCHEMY_DATABASE_URI", "SECRET_KEY",
                                                    "WTF_CSRF_ENABLED")})
    try:
        c2 = other.test_client()
        login(c2, "principal")
        resp = c2.post("/password", data={"current_password": PASSWORD, "password": "Newpass#2027",
                                          "confirm": "Newpass#2027"})
        assert resp.status_code == 400 and "错误次数过多" in resp.get_data(as_text=True)
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.password_lockout")) is not None


# ---------------------------------------------------------------- 9: headers


def test_csp_has_form_action_and_base_uri(client):
    csp = client.get("/login").headers["Content-Security-Policy"]
    assert "form-action 'self'" in csp and "base-uri 'none'" in csp and "script-src 'self'" in csp


def test_hsts_in_production_only(monkeypatch, app, client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    monkeypatch.setenv("APP_ENV", "production")
    prod = create_app({k: app.config[k] for k in ("TESTING", "SQLALCHEMY_DATABASE_URI", "SECRET_KEY")})
    try:
        hsts = prod.test_client().get("/login").headers.get("Strict-Transport-Security", "")
        assert hsts.startswith("max-age=31536000")
    finally:
        with prod.app_context():
            db.engine.dispose()
