"""Server-side sessions: a random token in the signed cookie, its SHA-256 in ``user_session``.

Ending a session revokes its row, so a cookie copied before logout is refused afterwards.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from teachers.extensions import db
from teachers.models import User, UserSession
from teachers.models._types import utcnow


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(user: User, ip: str = "", user_agent: str = "") -> str:
    """Create a session row for ``user``; returns the token for the cookie and sets it on the user."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(UserSession(
        user_id=user.id, token_hash=_hash(token), created_at=now, last_seen_at=now,
        expires_at=now + timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"]),
        ip=ip[:45], user_agent=user_agent[:200],
    ))
    db.session.flush()
    user.session_token = token
    return token


def load_session_user(token: str) -> User | None:
    """The user of a live session, or None when the token is unknown, revoked, expired or idle too long."""
    row = db.session.scalar(select(UserSession).where(UserSession.token_hash == _hash(token)))
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    if row.expires_at <= now or row.last_seen_at + idle <= now:
        return None
    user = row.user
    if not user.active:
        return None
    if now - row.last_seen_at > timedelta(minutes=1):
        # Touch at most once a minute, on a connection of its own: the request's session must not be
        # committed half-way by merely loading the user.
        try:
            with db.engine.begin() as conn:
                conn.execute(update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
        except OperationalError:
            pass  # best effort: a busy database (SQLite's write lock) only delays the touch to a later request
    user.session_token = token
    return user


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(
            update(UserSession).where(UserSession.token_hash == _hash(token), UserSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def end_all_sessions(user_id: int, except_token: str | None = None) -> int:
    """Revoke every live session of a user (password change, deactivation); returns how many."""
    stmt = update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
    if except_token:
        stmt = stmt.where(UserSession.token_hash != _hash(except_token))
    return db.session.execute(stmt.values(revoked_at=utcnow())).rowcount or 0
