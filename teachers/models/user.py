"""Accounts, roles and server-side sessions.

A session is a row: the cookie carries a random token whose SHA-256 is stored here, so
logout, a password change or deactivation ends sessions for good (a replayed cookie finds
its row revoked). Failed logins are counted in the database, so several server processes agree.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from teachers.extensions import db
from teachers.models._types import UTCDateTime, enum_column, utcnow
from teachers.models.county import County
from teachers.models.enums import Role
from teachers.models.school import School
from teachers.models.teacher import Teacher


class User(db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        sa.CheckConstraint("role <> 'principal' OR school_id IS NOT NULL", name="principal_has_school"),
        sa.CheckConstraint("role <> 'teacher' OR teacher_id IS NOT NULL", name="teacher_has_record"),
        sa.CheckConstraint("failed_logins >= 0", name="failed_logins_not_negative"),
        # HR and inspectors act within one county or one prefecture; without either they would read every county.
        sa.CheckConstraint("role NOT IN ('hr', 'inspector') OR county_id IS NOT NULL OR prefecture IS NOT NULL",
                           name="county_role_has_scope"),
        # One scope: a county or a prefecture (never both, never a blank name), and only for the roles that
        # act over counties (HR, inspector, admin).
        sa.CheckConstraint("prefecture IS NULL OR (county_id IS NULL AND prefecture <> '' "
                           "AND role IN ('hr', 'inspector', 'admin'))", name="prefecture_scope_alone"),
        sa.CheckConstraint("password_failures >= 0", name="password_failures_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(64), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    county_id: Mapped[int | None] = mapped_column(sa.ForeignKey("county.id"))
    #: The prefecture (``County.prefecture``, e.g. 白山市) an HR, inspector or admin account spans instead of
    #: one county: it reaches every county of that prefecture (``teachers.auth.permissions.county_in_scope``).
    prefecture: Mapped[str | None] = mapped_column(sa.String(64))
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school.id"), index=True)
    teacher_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teacher.id"), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Wrong current passwords on /password, counted like failed logins; at the limit the password form
    #: is locked until ``password_locked_until``.
    password_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    password_locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    county: Mapped[County | None] = relationship()
    school: Mapped[School | None] = relationship()
    teacher: Mapped[Teacher | None] = relationship()

    # Flask-Login protocol. The id in the session is the session token, set by auth.sessions.
    session_token = None  # type: str | None (not mapped)

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self.session_token

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role.value}>"


class UserSession(db.Model):
    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ip: Mapped[str] = mapped_column(sa.String(45), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(200), default="")

    user: Mapped[User] = relationship()
