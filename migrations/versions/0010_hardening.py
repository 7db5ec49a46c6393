"""hardening: tamper-evident audit chain, TRUNCATE/REPLACE refused, county roles need a county,
password-change attempts counted

Revision ID: 0010
Revises: 0001
Create Date: 2026-12-02 03:40:00

"""
import sqlalchemy as sa
from alembic import op

import teachers.models._types

revision = '0010'
down_revision = '0001'
branch_labels = None
depends_on = None

COUNTY_ROLES = "role NOT IN ('hr', 'inspector') OR county_id IS NOT NULL"


def upgrade():
    op.create_table('audit_chain_lock',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('appends', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_lock'))
    )
    op.execute("INSERT INTO audit_chain_lock (id, appends) VALUES (1, 0)")
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=False, server_default=''))
    _backfill_chain()

    # A county-scoped account without a county read every county. With a single county the gap is
    # closed by giving it that county; otherwise the constraint below refuses to be added until an
    # operator assigns one (a clear failure rather than a guess).
    op.execute("UPDATE user_account SET county_id = (SELECT MIN(id) FROM county) "
               "WHERE role IN ('hr', 'inspector') AND county_id IS NULL AND (SELECT COUNT(*) FROM county) = 1")
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_failures', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('password_locked_until', teachers.models._types.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.create_check_constraint('county_role_has_county', COUNTY_ROLES)
        batch_op.create_check_constraint('password_failures_not_negative', 'password_failures >= 0')
    create_guards()


def downgrade():
    drop_guards()
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint('password_failures_not_negative', type_='check')
        batch_op.drop_constraint('county_role_has_county', type_='check')
        batch_op.drop_column('password_locked_until')
        batch_op.drop_column('password_failures')
    _without_audit_guards(lambda: _drop_hash_columns())
    op.drop_table('audit_chain_lock')


def _drop_hash_columns():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')


def _without_audit_guards(work):
    """Run ``work`` with 0001's UPDATE/DELETE triggers off (SQLite's batch mode copies the table)."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change")
        work()
        op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change")
    elif bind.dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
        work()
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
            )
    else:
        work()


def _backfill_chain():
    """Chain the rows written before this revision, with the running application's key."""
    from flask import current_app, has_app_context

    from teachers.audit import chain_hash, chain_key

    bind = op.get_bind()
    table = sa.table(
        "audit_event", sa.column("id", sa.Integer), sa.column("at", teachers.models._types.UTCDateTime()),
        sa.column("actor_id", sa.Integer), sa.column("actor_username", sa.String), sa.column("action", sa.String),
        sa.column("object_type", sa.String), sa.column("object_id", sa.String), sa.column("summary", sa.JSON),
        sa.column("ip", sa.String), sa.column("prev_hash", sa.String), sa.column("hash", sa.String),
    )
    rows = bind.execute(sa.select(table.c.id, table.c.at, table.c.actor_id, table.c.actor_username, table.c.action,
                                  table.c.object_type, table.c.object_id, table.c.summary, table.c.ip)
                        .order_by(table.c.id)).mappings().all()
    if not rows:
        return
    if not has_app_context():
        raise RuntimeError("run this migration with `flask db upgrade` (the audit chain needs the app's key)")
    key = chain_key(current_app.config)

    def work():
        previous = ""
        for row in rows:
            digest = chain_hash(key, at=row["at"], actor_id=row["actor_id"], actor_username=row["actor_username"],
                                action=row["action"], object_type=row["object_type"], object_id=row["object_id"],
                                summary=row["summary"] or {}, ip=row["ip"], prev_hash=previous)
            bind.execute(table.update().where(table.c.id == row["id"]).values(prev_hash=previous, hash=digest))
            previous = digest

    _without_audit_guards(work)


def create_guards():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # Row triggers do not fire on TRUNCATE: a statement trigger does.
        op.execute(
            "CREATE FUNCTION audit_event_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_event is append-only (TRUNCATE refused)'; END $$"
        )
        op.execute("CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_no_truncate()")
        # Each row must continue the chain: its prev_hash is the last row's hash.
        op.execute(
            "CREATE FUNCTION audit_event_chain_link() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN IF NEW.prev_hash IS DISTINCT FROM COALESCE((SELECT hash FROM audit_event ORDER BY id DESC "
            "LIMIT 1), '') THEN RAISE EXCEPTION 'audit_event: prev_hash does not continue the chain'; END IF; "
            "RETURN NEW; END $$"
        )
        op.execute("CREATE TRIGGER audit_event_chain_link BEFORE INSERT ON audit_event "
                   "FOR EACH ROW EXECUTE FUNCTION audit_event_chain_link()")
    elif bind.dialect.name == "sqlite":
        # INSERT OR REPLACE deletes the old row without firing DELETE triggers; a BEFORE INSERT trigger
        # runs before the conflict is resolved, so an insert over an existing id is refused here.
        op.execute(
            "CREATE TRIGGER audit_event_no_replace BEFORE INSERT ON audit_event "
            "WHEN EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.id) "
            "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only (REPLACE refused)'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_event_chain_link BEFORE INSERT ON audit_event "
            "WHEN NEW.prev_hash IS NOT COALESCE((SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1), '') "
            "BEGIN SELECT RAISE(ABORT, 'audit_event: prev_hash does not continue the chain'); END"
        )


def drop_guards():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_chain_link ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_chain_link()")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_no_truncate()")
    elif bind.dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_event_chain_link")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_replace")
