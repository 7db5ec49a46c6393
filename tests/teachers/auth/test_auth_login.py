"""Login, logout, server-side sessions, lockout and redirects (teachers/auth)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from teachers.auth.services import change_password
from teachers.extensions import db
from teachers.models import AuditEvent, Role, User, UserSession
from teachers.models._types import utcnow
from tests import factories as f
from tests.conftest import PASSWORD, login
from tests.teachers.auth.twin_app import dispose, twin_app


@pytest.fixture
def hr(app):
    c = f.county()
    user = f.user("hr", Role.HR, county_obj=c)
    f.user("admin", Role.ADMIN)
    db.session.commit()
    return user


def fresh(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def actions() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_login_and_logout_are_audited(web, hr):
    resp = login(web, "hr")
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    assert web.get("/").status_code == 200
    assert fresh(hr.id).last_login_at is not None
    resp = web.post("/logout")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert web.get("/").status_code == 302
    assert actions() == ["auth.login", "auth.logout"]
    assert db.session.scalar(select(UserSession.revoked_at).where(UserSession.user_id == hr.id)) is not None


def test_wrong_password_and_unknown_user_say_the_same(web, hr):
    for username, password in (("hr", "Wrong#2027"), ("nobody", PASSWORD)):
        page = login(web, username, password).get_data(as_text=True)
        assert "用户名或密码不正确。" in page
    assert web.get("/").status_code == 302
    assert fresh(hr.id).failed_logins == 1


def test_username_is_case_insensitive(web, hr):
    assert login(web, "HR").status_code == 302


def test_logout_needs_post(web, hr):
    login(web, "hr")
    assert web.get("/logout").status_code == 405
    assert web.get("/").status_code == 200


def test_cookie_saved_before_logout_is_refused_after(web, hr):
    login(web, "hr")
    assert web.get("/").status_code == 200
    saved = web.get_cookie("session").value
    web.post("/logout")
    web.set_cookie("session", saved)
    resp = web.get("/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_password_change_ends_other_sessions(twin, hr):
    phone, laptop = twin.test_client(), twin.test_client()
    login(phone, "hr")
    login(laptop, "hr")
    resp = laptop.post("/password", data={"current_password": PASSWORD, "password": "Better#2027",
                                          "confirm": "Better#2027"})
    assert resp.status_code == 302
    assert laptop.get("/").status_code == 200  # the session that changed it stays
    assert phone.get("/").status_code == 302
    assert "auth.password_changed" in actions()
    assert login(twin.test_client(), "hr", "Better#2027").status_code == 302


def test_password_change_errors(web, hr):
    login(web, "hr")
    resp = web.post("/password", data={"current_password": "nope", "password": "Better#2027",
                                       "confirm": "Better#2027"})
    assert resp.status_code == 400 and "当前密码不正确。" in resp.get_data(as_text=True)
    resp = web.post("/password", data={"current_password": PASSWORD, "password": "weakweak", "confirm": "weakweak"})
    assert resp.status_code == 400 and "至少三类" in resp.get_data(as_text=True)


def test_service_keeps_only_the_given_token(app, hr):
    from teachers.auth.sessions import load_session_user, start_session

    keep = start_session(hr)
    other = start_session(hr)
    change_password(hr, PASSWORD, "Better#2027", keep_token=keep)
    db.session.commit()
    assert load_session_user(keep) is not None
    assert load_session_user(other) is None


def test_deactivation_ends_sessions(twin, hr):
    web = twin.test_client()
    login(web, "hr")
    assert web.get("/").status_code == 200
    user = fresh(hr.id)
    user.active = False
    db.session.commit()
    assert web.get("/").status_code == 302
    page = login(twin.test_client(), "hr").get_data(as_text=True)
    assert "该账号已停用" in page


def test_lockout_after_max_failures_even_with_the_right_password(app, web, hr):
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        login(web, "hr", "Wrong#2027")
    user = fresh(hr.id)
    assert user.locked_until is not None and user.locked_until > utcnow()
    resp = login(web, "hr")
    # Refused with the same words as an unknown name or a wrong password (nothing tells it is locked).
    assert resp.status_code == 200 and "用户名或密码不正确。" in resp.get_data(as_text=True)
    assert "锁定，请" not in resp.get_data(as_text=True)
    assert web.get("/").status_code == 302
    assert actions().count("auth.lockout") == 1
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.lockout"))
    assert event.actor_username == "hr" and event.object_id == str(hr.id)


def test_one_failure_short_of_the_limit_does_not_lock(app, web, hr):
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        login(web, "hr", "Wrong#2027")
    assert login(web, "hr").status_code == 302
    assert fresh(hr.id).failed_logins == 0


def test_unlocked_after_the_lockout_time(web, hr):
    user = fresh(hr.id)
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert login(web, "hr").status_code == 302
    assert fresh(hr.id).locked_until is None


def test_lockout_is_counted_in_the_database(app, hr):
    """Two processes (two apps on one database) share the failure count."""
    first, second = twin_app(app), twin_app(app)
    try:
        limit = app.config["LOGIN_MAX_FAILURES"]
        clients = [first.test_client(), second.test_client()]
        for i in range(limit):
            login(clients[i % 2], "hr", "Wrong#2027")
        assert fresh(hr.id).locked_until is not None
        assert login(clients[0], "hr").status_code == 200  # refused, the right password notwithstanding
        assert login(clients[1], "hr").status_code == 200
    finally:
        dispose(first)
        dispose(second)


@pytest.mark.parametrize("target,expected", [
    ("/admin/users?role=hr", "/admin/users?role=hr"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example/", "/"),
    ("/\t/evil.example/", "/"),
    ("javascript:alert(1)", "/"),
    ("evil.example", "/"),
])
def test_next_is_only_followed_within_the_site(web, hr, target, expected):
    resp = web.post("/login", query_string={"next": target}, data={"username": "hr", "password": PASSWORD})
    assert resp.status_code == 302
    assert resp.headers["Location"] == expected


def test_logged_in_user_visiting_login_is_sent_home(web, hr):
    login(web, "hr")
    resp = web.get("/login")
    assert resp.status_code == 302 and resp.headers["Location"] == "/"


def test_security_headers(web, hr):
    resp = web.get("/login")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["Referrer-Policy"] == "same-origin"
    login(web, "hr")
    assert web.get("/").headers["Cache-Control"] == "no-store"
    cookie = web.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


@pytest.mark.parametrize("target,expected", [("/admin/settings", "/admin/settings"), ("/\\evil.example/", "/"),
                                             ("//evil.example/", "/")])
def test_language_switch_redirects_only_within_the_site(web, hr, target, expected):
    resp = web.post("/lang/en", data={"next": target})
    assert resp.status_code == 302 and resp.headers["Location"] == expected
