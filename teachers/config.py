"""Configuration: defaults here, then ``instance/config.py`` if present, then the environment.

``SECRET_KEY`` is never a constant in the code: it comes from the environment or from
``instance/secret_key``, generated on first run with ``secrets``.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import ClassVar


class Defaults:
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh", "en")
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session, which itself expires
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)
    # Sessions (server-side rows, see teachers/auth/sessions.py)
    SESSION_ABSOLUTE_HOURS = 12
    SESSION_IDLE_MINUTES = 120
    # Lockout after repeated failed logins (counted in the database)
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT_MINUTES = 15
    PAGE_SIZE = 50
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024


def secret_key(instance_path: str) -> str:
    """The key from ``SECRET_KEY`` or ``instance/secret_key``, creating the file (mode 600) on first run."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key)
    return key


def database_url(instance_path: str) -> str:
    """``DATABASE_URL`` (``postgres://`` accepted), else SQLite under ``instance/``."""
    url = os.environ.get("DATABASE_URL")
    if url:
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://"):]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    return "sqlite:///" + str(Path(instance_path) / "teachers.sqlite3")


def load(app, test_config: dict | None) -> None:
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.update(test_config)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", database_url(app.instance_path))
    app.config.setdefault("REDIS_URL", os.environ.get("REDIS_URL"))
    app.config.setdefault("TODAY", os.environ.get("TODAY"))  # injected clock (teachers.clock)
    app.config.setdefault("ROTATION_QUEUE", os.environ.get("ROTATION_QUEUE", "rotation"))
    app.config.setdefault("ROTATION_HEARTBEAT_S", float(os.environ.get("ROTATION_HEARTBEAT_S", "5")))
    app.config.setdefault("ROTATION_STALE_AFTER_S", float(os.environ.get("ROTATION_STALE_AFTER_S", "60")))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(app.instance_path)
    if os.environ.get("APP_ENV", "").lower() == "production" and "SESSION_COOKIE_SECURE" not in (test_config or {}):
        # Flask's own default is False, so this must be set, not merely defaulted.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        # Browsers remember to use HTTPS only (one year); set HSTS_SECONDS=0 in instance/config.py to turn off.
        app.config.setdefault("HSTS_SECONDS", 31536000)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite enforces foreign keys only when asked; see extensions wiring in app.py.
        # Writers queue behind each other (SQLite has one writer at a time): wait up to 30 s for the lock
        # instead of pysqlite's 5 s, so a busy moment (a batch, a loaded machine) is not an error.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    elif app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # No JIT: the list and dashboard queries carry correlated subqueries (derived tier, backbone, years at
        # school) whose cost estimates pass jit_above_cost although they run in a few milliseconds; compiling
        # them cost 15-530 ms per query at prefecture scale (EXPLAIN ANALYZE, PostgreSQL 15).
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options["connect_args"] = {**options.get("connect_args", {}), "options": "-c jit=off"}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
