"""Backups: ``flask backup FILE`` and ``flask restore FILE``.

SQLite uses its online backup API (``sqlite3.Connection.backup``): a consistent copy page by page,
safe while the application runs. PostgreSQL uses ``pg_dump --format=custom`` and
``pg_restore --clean --if-exists --single-transaction``. ``fingerprint`` gives each table's row
count and a SHA-256 over its rows in primary-key order, to compare a database with its restore.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url


class BackupError(RuntimeError):
    pass


def _sqlite_path(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return url.database


def _libpq(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore (the password through the environment, not argv)."""
    args = ["--host", url.host or "127.0.0.1", "--port", str(url.port or 5432), "--dbname", url.database or ""]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found on PATH (install the PostgreSQL client of the server's version)")
    return path


def backup(database_url: str, target: str | Path) -> None:
    url = make_url(database_url)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        dest = sqlite3.connect(target)
        try:
            with dest:
                source.backup(dest)
        finally:
            dest.close()
            source.close()
    elif url.get_backend_name() == "postgresql":
        args, env = _libpq(url)
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), *args], env)
    else:
        raise BackupError(f"no backup method for {url.get_backend_name()}")
    os.chmod(target, 0o600)


def restore(database_url: str, source: str | Path) -> None:
    url = make_url(database_url)
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    if url.get_backend_name() == "sqlite":
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            if src.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{source}: not an intact SQLite database")
            dest = sqlite3.connect(_sqlite_path(url))
            try:
                src.backup(dest)
            finally:
                dest.close()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source}: {exc}") from None
        finally:
            src.close()
    elif url.get_backend_name() == "postgresql":
        args, env = _libpq(url)
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--exit-on-error", *args, str(source)], env)
    else:
        raise BackupError(f"no restore method for {url.get_backend_name()}")


def _run(argv: list[str], env: dict[str, str]) -> None:
    # bandit B603 waived: pg_dump/pg_restore found on PATH, an argument list (no shell), URL parts as arguments.
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed: {result.stderr.strip()[-2000:]}")


def fingerprint(engine: Engine) -> dict[str, tuple[int, str]]:
    """{table: (rows, sha256 of the rows in primary-key order)} for every table in the database."""
    meta = sa.MetaData()
    meta.reflect(bind=engine)
    out: dict[str, tuple[int, str]] = {}
    with engine.connect() as conn:
        for table in sorted(meta.tables.values(), key=lambda t: t.name):  # order is irrelevant here
            order = list(table.primary_key.columns) or list(table.columns)
            digest = hashlib.sha256()
            count = 0
            for row in conn.execute(sa.select(table).order_by(*order)):
                digest.update(repr(tuple(row)).encode("utf-8"))
                count += 1
            out[table.name] = (count, digest.hexdigest())
    return out
