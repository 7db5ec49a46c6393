"""Flask CLI commands: ``flask seed-demo``, ``flask create-admin``."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from teachers.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing (exit 0) when the database already holds data.")
    def seed_demo_command(if_empty: bool) -> None:
        """Fill an empty database with the Linjiang-like demo county (deterministic)."""
        from teachers.demo import DatabaseNotEmpty, seed_demo

        try:
            summary = seed_demo()
        except DatabaseNotEmpty as exc:
            if if_empty:
                click.echo(f"seed-demo: {exc}; nothing done.")
                return
            raise click.ClickException(str(exc)) from None
        db.session.commit()
        click.echo("seed-demo: " + ", ".join(f"{k} {v}" for k, v in summary.items()))

    @app.cli.command("development-reminders")
    def development_reminders_command() -> None:
        """Open HR to-dos for teachers due for tier or honour re-evaluation (run daily)."""
        from datetime import date

        from teachers.development.notices import register as register_notices
        from teachers.development.tiers import remind_reviews

        register_notices()
        n = remind_reviews(date.today())
        db.session.commit()
        click.echo(f"development-reminders: {n} opened")

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
