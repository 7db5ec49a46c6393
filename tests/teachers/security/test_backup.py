"""Backups: ``flask backup FILE`` then ``flask restore FILE`` gives back every table, row for row.

On SQLite the live database file is backed up while a second connection holds it open; on
PostgreSQL the round trip runs through a scratch database created and dropped here.
"""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy import text

from app import create_app
from teachers import audit
from teachers.backup import BackupError, fingerprint
from teachers.extensions import db
from teachers.models import Teacher


def _fill(sworld):
    audit.record(sworld.admin, "test.backup", summary={"note": "备份"})
    db.session.commit()


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_sqlite_round_trip(app, sworld, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite backup API")
    _fill(sworld)
    before = fingerprint(db.engine)
    target = tmp_path / "backup.sqlite3"
    with db.engine.connect() as reader:  # the app is "running": a connection is open during the backup
        reader.execute(text("SELECT count(*) FROM teacher"))
        result = _cli(app, "backup", str(target))
    assert result.exit_code == 0, result.output
    assert target.stat().st_mode & 0o777 == 0o600
    # Damage the live database, then restore.
    db.session.execute(text("DELETE FROM assignment"))
    db.session.execute(text("DELETE FROM user_session"))
    db.session.execute(text("UPDATE teacher SET name = 'x'"))
    db.session.commit()
    db.session.remove()
    result = _cli(app, "restore", "--yes", str(target))
    assert result.exit_code == 0, result.output
    after = fingerprint(db.engine)
    assert after == before and after["teacher"][0] == 2
    assert audit.verify().ok


def test_restore_refuses_a_file_that_is_not_a_backup(app, sworld, tmp_path):
    bogus = tmp_path / "bogus.sqlite3"
    bogus.write_bytes(b"not a database" * 100)
    result = _cli(app, "restore", "--yes", str(bogus))
    assert result.exit_code != 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Teacher)) == 2


def test_postgresql_round_trip_through_a_scratch_database(app, sworld, tmp_path):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("pg_dump / pg_restore")
    _fill(sworld)
    before = fingerprint(db.engine)
    target = tmp_path / "backup.dump"
    assert _cli(app, "backup", str(target)).exit_code == 0
    scratch = f"scratch_{uuid.uuid4().hex[:10]}"
    admin_engine = sa.create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {scratch}"))
    scratch_url = db.engine.url.set(database=scratch)
    try:
        other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": scratch_url.render_as_string(False),
                            "SECRET_KEY": app.config["SECRET_KEY"]})
        with other.app_context():
            result = other.test_cli_runner().invoke(args=["restore", "--yes", str(target)])
            assert result.exit_code == 0, result.output
            assert fingerprint(db.engine) == before
            assert audit.verify().ok
            db.engine.dispose()
    finally:
        with admin_engine.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)"))
        admin_engine.dispose()


def test_backup_of_an_unknown_backend_is_a_clear_error():
    from teachers.backup import backup

    with pytest.raises(BackupError):
        backup("mysql://x@localhost/db", "/tmp/never")
