"""Finding 2: the audit trail could be forged or wiped (SQLite INSERT OR REPLACE, PostgreSQL TRUNCATE).

The kind: no statement the application's database role can run changes or removes a stored row,
and whatever an owner does with the guards off is found by ``flask audit verify``.
"""

from __future__ import annotations

import threading
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select, text

from teachers import audit
from teachers.extensions import db
from teachers.models import AuditEvent
from tests.teachers.auth.twin_app import dispose, twin_app


def _is_pg() -> bool:
    return db.engine.dialect.name == "postgresql"


def _seed_events(n: int = 3) -> list[AuditEvent]:
    rows = [audit.record(None, "test.event", summary={"i": i, "text": "中文", "f": 0.1}, object_type="t",
                         object_id=str(i), actor_username="tester") for i in range(n)]
    db.session.commit()
    return rows


def _verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def test_chain_verifies_and_cli_says_so(app, client):
    _seed_events()
    result = _verify(app)
    assert result.exit_code == 0 and "3 rows, chain intact" in result.output


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET action = 'x'",
    "DELETE FROM audit_event",
])
def test_update_and_delete_refused(app, statement):
    _seed_events()
    with pytest.raises(sa.exc.DatabaseError):
        db.session.execute(text(statement))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 3


def test_sqlite_insert_or_replace_over_a_row_is_refused(app):
    if _is_pg():
        pytest.skip("SQLite's REPLACE conflict resolution")
    first, *_, last = _seed_events()
    # Even with the chain's head as prev_hash (so only the REPLACE guard can refuse it):
    with pytest.raises(sa.exc.DatabaseError, match="REPLACE refused"):
        db.session.execute(text(
            "INSERT OR REPLACE INTO audit_event (id, at, actor_username, action, object_type, object_id, summary, "
            "ip, prev_hash, hash) VALUES (:id, '2026-01-01 00:00:00', 'x', 'forged', '', '', '{}', '', :prev, '')"),
            {"id": first.id, "prev": last.hash})
    db.session.rollback()
    assert db.session.get(AuditEvent, first.id).action == "test.event"
    assert _verify(app).exit_code == 0


def test_postgresql_truncate_refused(app):
    if not _is_pg():
        pytest.skip("PostgreSQL TRUNCATE")
    _seed_events()
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(text("TRUNCATE audit_event CASCADE"))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 3


def test_a_forged_row_that_does_not_continue_the_chain_is_refused(app):
    _seed_events()
    with pytest.raises(sa.exc.DatabaseError, match="chain"):
        db.session.execute(text(
            "INSERT INTO audit_event (at, actor_username, action, object_type, object_id, summary, ip, prev_hash, hash) "
            "VALUES (CURRENT_TIMESTAMP, 'x', 'forged', '', '', '{}', '', 'abc', 'def')"))
    db.session.rollback()


def test_a_forged_row_written_without_the_key_is_named_by_verify(app):
    *_, last = _seed_events()
    db.session.execute(text(
        "INSERT INTO audit_event (at, actor_username, action, object_type, object_id, summary, ip, prev_hash, hash) "
        "VALUES (CURRENT_TIMESTAMP, 'x', 'forged', '', '', '{}', '', :prev, :hash)"),
        {"prev": last.hash, "hash": "0" * 64})
    db.session.commit()
    forged = db.session.scalar(select(func.max(AuditEvent.id)))
    result = _verify(app)
    assert result.exit_code == 1 and f"id {forged}" in result.output


def _owner_update(sql: str, **params) -> None:
    """What only the owner can do: change a row with the guards off."""
    if _is_pg():
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
        db.session.execute(text(sql), params)
    else:
        db.session.execute(text("DROP TRIGGER audit_event_no_update"))
        db.session.execute(text("DROP TRIGGER audit_event_no_delete"))
        db.session.execute(text(sql), params)
    db.session.commit()


def test_verify_names_the_first_changed_row(app):
    rows = _seed_events(4)
    _owner_update("UPDATE audit_event SET summary = '{\"i\": 99}' WHERE id = :id", id=rows[1].id)
    result = _verify(app)
    assert result.exit_code == 1 and f"id {rows[1].id}:" in result.output and "hash" in result.output


def test_verify_names_the_row_after_a_removed_one(app):
    rows = _seed_events(4)
    _owner_update("DELETE FROM audit_event WHERE id = :id", id=rows[2].id)
    result = _verify(app)
    assert result.exit_code == 1 and f"id {rows[3].id}:" in result.output and "prev_hash" in result.output


def test_concurrent_appends_do_not_fork_the_chain(app):
    """Real threads, each its own application (own connections), append at once."""
    threads_n, per_thread = 4, 15
    apps = [twin_app(app) for _ in range(threads_n)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads_n)

    def work(other):
        try:
            with other.app_context():
                barrier.wait()
                for i in range(per_thread):
                    audit.record(None, "test.concurrent", summary={"i": i}, actor_username="thread")
                    db.session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for other in apps:
        dispose(other)
    assert not errors, errors
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == threads_n * per_thread
    assert audit.verify().ok


def test_postgresql_app_role_may_only_insert_and_select_audit_rows(app):
    if not _is_pg():
        pytest.skip("PostgreSQL grants")
    from teachers.cli import grant_statements

    _seed_events(1)
    role = f"t_app_{uuid.uuid4().hex[:8]}"
    db.session.execute(text(f"CREATE ROLE {role} LOGIN"))
    for statement in grant_statements(role):
        db.session.execute(text(statement))
    db.session.commit()
    url = db.engine.url.set(username=role, password=None)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM audit_event")).scalar() == 1
            conn.execute(text("INSERT INTO audit_chain_lock (id, appends) VALUES (1, 1) "
                              "ON CONFLICT (id) DO UPDATE SET appends = audit_chain_lock.appends + 1"))
            conn.rollback()
            for statement in ("UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event",
                              "TRUNCATE audit_event"):
                with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                    conn.execute(text(statement))
                conn.rollback()
    finally:
        engine.dispose()
        db.session.execute(text(f"DROP OWNED BY {role}"))
        db.session.execute(text(f"DROP ROLE {role}"))
        db.session.commit()
