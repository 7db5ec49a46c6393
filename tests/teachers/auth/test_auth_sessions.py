"""Server-side sessions: idle and absolute expiry, and the touch that keeps an active session alive."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from teachers.extensions import db
from teachers.models import Role, UserSession
from teachers.models._types import utcnow
from tests import factories as f
from tests.conftest import login


def _session_row() -> UserSession:
    db.session.expire_all()
    return db.session.scalars(select(UserSession)).one()


def _signed_in(client):
    f.user("hr", Role.HR, county_obj=f.county())
    db.session.commit()
    assert login(client, "hr").status_code == 302
    assert client.get("/").status_code == 200
    return _session_row()


def test_an_idle_session_ends(app, client):
    row = _signed_in(client)
    row.last_seen_at = utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    db.session.commit()
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_session_ends_at_its_absolute_expiry_however_active(app, client):
    row = _signed_in(client)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/").status_code == 302


def test_activity_keeps_a_session_alive(app, client):
    row = _signed_in(client)
    stale = utcnow() - timedelta(minutes=5)
    row.last_seen_at = stale
    db.session.commit()
    assert client.get("/").status_code == 200
    assert _session_row().last_seen_at > stale + timedelta(minutes=4)


def test_loading_the_user_does_not_commit_the_request(app, client):
    """The touch runs on its own connection: work a request leaves uncommitted stays uncommitted."""
    row = _signed_in(client)
    row.last_seen_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    from teachers.auth.sessions import load_session_user

    with app.test_request_context(), db.session.no_autoflush:
        user = db.session.get(type(row.user), row.user_id)
        user.display_name = "未提交的修改"
        assert load_session_user(_token_of(client)) is not None
        db.session.rollback()
    db.session.expire_all()
    assert db.session.get(type(row.user), row.user_id).display_name == "hr"


def _token_of(client) -> str:
    with client.session_transaction() as session:
        return session["_user_id"]
