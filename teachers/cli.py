"""Flask CLI commands: ``flask seed-demo``, ``flask create-admin``, ``flask audit verify``,
``flask backup`` / ``flask restore``, ``flask db-grants``."""

from __future__ import annotations

import re

import click
from flask import Flask
from sqlalchemy import select, text

from teachers.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing (exit 0) when the database already holds data.")
    @click.option("--scale", type=click.Choice(["county", "prefecture"]), default="county", show_default=True,
                  help="county: 临江市 (about 1,100 teachers); prefecture: six counties, about 20,000 teachers.")
    def seed_demo_command(if_empty: bool, scale: str) -> None:
        """Fill an empty database with the Linjiang-like demo county (deterministic)."""
        from teachers.demo import DatabaseNotEmpty, seed_demo, seed_prefecture

        try:
            summary = seed_prefecture() if scale == "prefecture" else seed_demo()
        except DatabaseNotEmpty as exc:
            if if_empty:
                click.echo(f"seed-demo: {exc}; nothing done.")
                return
            raise click.ClickException(str(exc)) from None
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # Bulk-inserted tables have no planner statistics until autovacuum gets to them; plans made
            # without them (a nested loop over every school x teacher) made the first minutes slow.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
        click.echo("seed-demo: " + ", ".join(f"{k} {v}" for k, v in summary.items()))

    @app.cli.command("development-reminders")
    def development_reminders_command() -> None:
        """Open HR to-dos for teachers due for tier or honour re-evaluation, and principals' to-dos for
        mentoring guidance due to be signed off (run daily)."""
        from datetime import date

        from teachers.development.mentoring import remind_sign_offs
        from teachers.development.notices import register as register_notices
        from teachers.development.tiers import remind_reviews

        register_notices()
        reviews = remind_reviews(date.today())
        sign_offs = remind_sign_offs(date.today())
        db.session.commit()
        click.echo(f"development-reminders: {reviews + sign_offs} opened "
                   f"({reviews} re-evaluations, {sign_offs} mentoring sign-offs)")

    @app.cli.command("create-admin")
    @click.argument("username")
    @click.password_option()
    def create_admin_command(username: str, password: str) -> None:
        """Create an administrator account (for a fresh production database)."""
        from teachers.auth.services import check_password_strength, hash_password
        from teachers.errors import DomainError
        from teachers.models import Role, User

        if db.session.scalar(select(User).where(User.username == username)):
            raise click.ClickException(f"user {username!r} already exists")
        try:
            check_password_strength(password)
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
        db.session.add(User(username=username, display_name=username, password_hash=hash_password(password),
                            role=Role.ADMIN))
        db.session.commit()
        click.echo(f"created admin {username}")

    audit_group = click.Group("audit", help="The audit trail.")
    app.cli.add_command(audit_group)

    @audit_group.command("verify")
    def audit_verify_command() -> None:
        """Check the hash chain of the whole audit trail; exit 1 naming the first broken row."""
        from teachers.audit import verify

        result = verify()
        if result.ok:
            click.echo(f"audit verify: {result.rows} rows, chain intact.")
            return
        brk = result.first_break
        what = ("its hash does not match its content (changed, or written without the key)" if brk.reason == "hash"
                else "its prev_hash is not the previous row's hash (a row before it was removed or inserted)")
        click.echo(f"audit verify: chain broken at audit_event id {brk.row_id}: {what}.", err=True)
        raise SystemExit(1)

    @app.cli.command("backup")
    @click.argument("file", type=click.Path(dir_okay=False))
    def backup_command(file: str) -> None:
        """Write a consistent backup of the database to FILE (safe while the app runs)."""
        from teachers.backup import BackupError, backup

        try:
            backup(app.config["SQLALCHEMY_DATABASE_URI"], file)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"backup: written {file}")

    @app.cli.command("restore")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def restore_command(file: str, yes: bool) -> None:
        """Replace the database's contents with the backup in FILE."""
        from teachers.backup import BackupError, restore

        if not yes:
            click.confirm("This replaces every row of the database. Continue?", abort=True)
        db.engine.dispose()
        try:
            restore(app.config["SQLALCHEMY_DATABASE_URI"], file)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"restore: database restored from {file}")

    @app.cli.command("db-grants")
    @click.argument("role")
    @click.option("--apply", is_flag=True, help="Run the statements (as the owner) instead of printing them.")
    def db_grants_command(role: str, apply: bool) -> None:
        """The PostgreSQL grants of a least-privilege application ROLE: audit_event INSERT and SELECT only."""
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
            raise click.ClickException("ROLE must be a plain lower-case PostgreSQL identifier")
        statements = grant_statements(role)
        if not apply:
            click.echo(";\n".join(statements) + ";")
            return
        if db.engine.dialect.name != "postgresql":
            raise click.ClickException("db-grants applies to PostgreSQL only")
        with db.engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
        click.echo(f"db-grants: applied {len(statements)} statements for role {role}")


def grant_statements(role: str) -> list[str]:
    """Least privilege for the application's database role (the owner role runs migrations):
    ordinary read/write on every table, but on ``audit_event`` only INSERT and SELECT, and TRUNCATE on none."""
    return [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_event FROM {role}",
        f"REVOKE TRUNCATE ON ALL TABLES IN SCHEMA public FROM {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE ALL ON alembic_version FROM {role}",
        f"GRANT SELECT ON alembic_version TO {role}",
    ]
