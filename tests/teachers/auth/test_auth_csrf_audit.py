"""CSRF on every state change, and the append-only audit table (ORM guard and database trigger)."""

import re

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from teachers import audit
from teachers.extensions import db
from teachers.models import AuditEvent, Role, User
from teachers.models.audit import AuditImmutable
from tests import factories as f
from tests.conftest import PASSWORD, make_app
from tests.teachers.auth.twin_app import dispose


@pytest.fixture
def csrf_app(database_template, tmp_path):
    """An app with CSRF on, on its own database copy (no pushed context: each request gets its own)."""
    app = make_app(database_template, tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        f.user("admin", Role.ADMIN)
        db.session.commit()
    yield app
    with app.app_context():
        if isinstance(database_template, str):
            from tests.conftest import _truncate_all

            _truncate_all()
    dispose(app)


def token_from(page: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def logged_in(app):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    resp = client.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token_from(page)})
    assert resp.status_code == 302
    return client


def test_login_without_token_is_refused(csrf_app):
    client = csrf_app.test_client()
    resp = client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert resp.status_code == 400
    assert client.get("/").status_code == 302


def test_logout_without_token_is_refused(csrf_app):
    client = logged_in(csrf_app)
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200  # still logged in
    token = token_from(client.get("/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_new_user_without_token_is_refused(csrf_app):
    client = logged_in(csrf_app)
    data = {"username": "newbie", "password": "Strong#2027", "role": "admin", "display_name": "", "school_id": "",
            "staff_no": "", "county_id": ""}
    assert client.post("/admin/users/new", data=data).status_code == 400
    token = token_from(client.get("/admin/users/new").get_data(as_text=True))
    assert client.post("/admin/users/new", data={**data, "csrf_token": token}).status_code == 302
    with csrf_app.app_context():
        assert db.session.scalar(select(User).where(User.username == "newbie")) is not None


def test_settings_without_token_are_refused(csrf_app):
    with csrf_app.app_context():
        f.county()
        db.session.commit()
    client = logged_in(csrf_app)
    assert client.post("/admin/settings", data={"min_years_at_school": "4"}).status_code == 400


@pytest.fixture
def event(app):
    row = audit.record(None, "test.event", object_type="x", object_id="1", summary={"a": 1})
    db.session.commit()
    return row


def test_orm_refuses_update(app, event):
    event.action = "test.changed"
    with pytest.raises(AuditImmutable):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditEvent, event.id).action == "test.event"


def test_orm_refuses_delete(app, event):
    db.session.delete(event)
    with pytest.raises(AuditImmutable):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditEvent, event.id) is not None


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET action = 'tampered'",
    "DELETE FROM audit_event",
])
def test_database_trigger_refuses_raw_sql(app, event, statement):
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        db.session.execute(sa.text(statement))
    db.session.rollback()
    db.session.expire_all()
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.id == event.id)) == "test.event"
