"""A second application on the test database, for clients whose session checks must really run.

The ``app`` fixture keeps an application context pushed, and Flask reuses it for every request of
that app's test clients: ``g`` (where Flask-Login caches the user) then survives from one request
to the next, and from one client to another. A twin app's requests each push their own context,
so every request loads its user from the session row, as in production.
"""

from __future__ import annotations

from flask import Flask

from app import create_app
from teachers.extensions import db


def twin_app(app: Flask, **extra) -> Flask:
    config = {key: app.config[key] for key in ("TESTING", "SQLALCHEMY_DATABASE_URI", "SECRET_KEY",
                                               "WTF_CSRF_ENABLED")}
    return create_app({**config, **extra})


def dispose(twin: Flask) -> None:
    """Close the twin's connections (PostgreSQL cannot TRUNCATE under an open transaction)."""
    with twin.app_context():
        db.session.remove()
        db.engine.dispose()
