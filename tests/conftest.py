"""Fixtures shared by the web-app tests.

The schema comes from the real migrations (run once per session), not from ``create_all``, so the
tests see the same constraints and triggers as production. On SQLite each test gets a copy of the
migrated template file; on PostgreSQL (``TEST_DATABASE_URL``) tables are truncated after each test.
"""

from __future__ import annotations

import os
import shutil

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from app import create_app
from teachers.extensions import db

PASSWORD = "Demo@2027"


def _config(url: str) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "WTF_CSRF_ENABLED": False,
    }


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Migrate once: a template SQLite file, or the PostgreSQL test database itself."""
    from flask_migrate import upgrade

    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        app = create_app(_config(url))
        with app.app_context():
            upgrade()
        return url
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    app = create_app(_config(f"sqlite:///{path}"))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


def _truncate_all() -> None:
    tables = ", ".join(t.name for t in db.metadata.sorted_tables)
    db.session.rollback()
    # The audit table refuses TRUNCATE (a statement trigger); the test database's superuser switches
    # triggers off for this one transaction to empty it between tests.
    db.session.execute(text("SET LOCAL session_replication_role = replica"))
    db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


class FreshContextClient(FlaskClient):
    """Each request runs in an application context of its own, as in production.

    The ``app`` fixture keeps a context pushed for the test body; without this, Flask would reuse it
    for every request, so ``g`` (where Flask-Login caches the user) and the database session would
    leak from one request to the next, and a revoked session could look alive.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_app(database_template, tmp_path, **extra):
    if isinstance(database_template, str):
        app = create_app({**_config(database_template), **extra})
    else:
        copy = tmp_path / "test.sqlite3"
        shutil.copy(database_template, copy)
        app = create_app({**_config(f"sqlite:///{copy}"), **extra})
    app.test_client_class = FreshContextClient
    return app


@pytest.fixture
def app(database_template, tmp_path):
    app = make_app(database_template, tmp_path)
    with app.app_context():
        yield app
        db.session.remove()
        if isinstance(database_template, str):
            _truncate_all()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def login(client, username: str, password: str = PASSWORD, follow: bool = False):
    return client.post("/login", data={"username": username, "password": password}, follow_redirects=follow)
