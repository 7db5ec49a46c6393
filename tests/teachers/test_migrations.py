"""The Alembic chain builds exactly the models' schema, and goes down and up again cleanly."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from teachers.extensions import db


@pytest.fixture
def scratch_url(tmp_path):
    """An empty database of the kind under test: a SQLite file, or a new PostgreSQL database."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    name = f"mig_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    yield base.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def drift(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_downgrade_upgrade_without_drift(scratch_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": scratch_url, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade()
        assert drift(db.engine) == []
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"county", "school", "teacher", "assignment", "user_account", "user_session", "audit_event"} <= tables

        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}

        upgrade()
        assert drift(db.engine) == []
        db.engine.dispose()


def test_hardening_migration_chains_the_rows_written_before_it(scratch_url):
    """0010 gives every existing audit row its prev_hash and hash, so ``flask audit verify`` passes at once,
    and a county role left without a county is refused (it cannot stay: with one county it gets that one)."""
    from teachers import audit

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": scratch_url, "SECRET_KEY": "migration-key"})
    with app.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO county (code, name, policy, created_at) "
                                 "VALUES ('1', '临江市', '{}', CURRENT_TIMESTAMP)"))
            conn.execute(sa.text("INSERT INTO user_account (username, display_name, password_hash, role, active, "
                                 "failed_logins, created_at) VALUES ('old-hr', '', 'x', 'hr', true, 0, CURRENT_TIMESTAMP)"))
            for i in range(3):
                conn.execute(sa.text(
                    "INSERT INTO audit_event (at, actor_username, action, object_type, object_id, summary, ip) "
                    "VALUES (:at, 'old', 'legacy', 'x', :i, :summary, '1.2.3.4')"),
                    {"at": f"2026-11-30 10:00:0{i}.123456+00:00", "i": str(i), "summary": '{"k": [1, "中"], "f": 0.1}'})
        upgrade()
        result = audit.verify()
        assert result.ok and result.rows == 3
        county_id = db.session.scalar(sa.text("SELECT county_id FROM user_account WHERE username = 'old-hr'"))
        assert county_id is not None
        db.session.remove()
        downgrade(revision="base")
        db.engine.dispose()
