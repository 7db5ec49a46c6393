"""``flask rotation …``: open, solve, export, carry-out, worker — for automation.

Commands act as an HR account (``--user``; by default the first active HR account of the round's
county, else one of its prefecture), so permission checks and the audit trail apply as on the web.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from teachers.errors import DomainError
from teachers.extensions import db

rotation_cli = AppGroup("rotation", help="Rotation rounds: open, solve, export, carry out; the job worker.")


def _actor(username: str | None, county_id: int | None):
    from teachers.models import Role, User

    if username:
        user = db.session.scalar(select(User).where(User.username == username, User.active.is_(True)))
        if user is None:
            raise click.ClickException(f"no active user {username!r}")
        return user
    stmt = select(User).where(User.role == Role.HR, User.active.is_(True))
    if county_id is not None:
        from teachers.auth.permissions import users_reaching
        from teachers.models import County

        county = db.session.get(County, county_id)
        stmt = stmt.where(users_reaching(county) if county is not None else User.id == -1)
    user = db.session.scalar(stmt.order_by(User.county_id.is_(None), User.id))
    if user is None:
        raise click.ClickException("no active HR account to act as; pass --user")
    return user


def _fail(exc: DomainError):
    db.session.rollback()
    raise click.ClickException(exc.message)


@rotation_cli.command("open")
@click.option("--year", type=click.INT, required=True, help="School year the exchanges start in.")
@click.option("--county", "county_name", default=None, help="County name (default: every county in scope).")
@click.option("--user", "username", default=None, help="Act as this account (HR).")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Date to plan the windows from.")
def open_command(year: int, county_name: str | None, username: str | None, today) -> None:
    """Open a round (draft) per county; prints each new round's id, the last on the last line."""
    from teachers.models import County
    from teachers.rotation import services

    counties = db.session.scalars(select(County).order_by(County.name)).all()
    if county_name:
        counties = [c for c in counties if c.name == county_name]
        if not counties:
            raise click.ClickException(f"no county {county_name!r}")
    if not counties:
        raise click.ClickException("no county in the database")
    ids = []
    try:
        for county in counties:
            actor = _actor(username, county.id)
            rnd = services.open_round(actor, county.id, year, today=today.date() if today else None)
            ids.append(rnd.id)
            click.echo(f"opened round for {county.name} {year} (windows from {rnd.wish_opens}, start {rnd.start_date})")
    except DomainError as exc:
        _fail(exc)
    db.session.commit()
    for round_id in ids:
        click.echo(round_id)


@rotation_cli.command("solve")
@click.argument("round_id", type=click.INT)
@click.option("--time-limit", "time_limit", type=float, default=None, help="Seconds (default: the round's setting).")
@click.option("--user", "username", default=None, help="Act as this account (HR).")
def solve_command(round_id: int, time_limit: float | None, username: str | None) -> None:
    """Solve a round and wait, printing progress (a draft or wish-stage round is moved on to planning)."""
    from teachers.models import RotationRound, RoundState
    from teachers.rotation import jobs, services

    rnd = db.session.get(RotationRound, round_id)
    if rnd is None:
        raise click.ClickException(f"no round {round_id}")
    actor = _actor(username, rnd.county_id)
    try:
        if rnd.state == RoundState.DRAFT:
            services.open_wishes(actor, rnd.id)
            click.echo("round moved to wishes")
        if db.session.get(RotationRound, round_id).state == RoundState.WISHES:
            services.close_wishes(actor, rnd.id)
            click.echo("wishes closed; round moved to planning")
        run = jobs.request_solve(actor, rnd.id, time_limit_s=time_limit)
    except DomainError as exc:
        _fail(exc)
    run_id = run.id
    db.session.commit()
    click.echo(f"solve run {run_id} queued")
    last = None
    while True:
        time.sleep(1)
        db.session.expire_all()
        state = jobs.progress(actor, run_id)
        db.session.commit()
        line = (f"{state['status']:>9}  {state['elapsed_s'] or 0:6.1f} s  "
                f"best ΣCV² {state['objective'] if state['objective'] is not None else '–'}")
        if line != last:
            click.echo(line)
            last = line
        if state["finished"]:
            break
    if state["status"] == "failed":
        raise click.ClickException(state["error"])
    click.echo(f"solve run {run_id}: {state['status']} ({state['solver_status']})")


@rotation_cli.command("export")
@click.argument("round_id", type=click.INT)
@click.option("--instance", "instance_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--plan", "plan_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--run", "run_id", type=click.INT, default=None, help="Solve run (default: published, else latest solved).")
def export_command(round_id: int, instance_path: Path, plan_path: Path, run_id: int | None) -> None:
    """Write a solve run's instance and plan JSON (``python -m scheduling check`` accepts the pair)."""
    from teachers.models import RotationRound, SolveRun

    rnd = db.session.get(RotationRound, round_id)
    if rnd is None:
        raise click.ClickException(f"no round {round_id}")
    run_id = run_id or rnd.published_run_id or db.session.scalar(
        select(SolveRun.id).where(SolveRun.round_id == rnd.id, SolveRun.plan.is_not(None))
        .order_by(SolveRun.id.desc()).limit(1))
    run = db.session.get(SolveRun, run_id) if run_id else None
    if run is None or run.round_id != rnd.id or run.plan is None:
        raise click.ClickException(f"round {round_id} has no solved run")
    instance_path.write_text(json.dumps(run.instance, ensure_ascii=False, indent=1), encoding="utf-8")
    plan_path.write_text(json.dumps(run.plan, ensure_ascii=False, indent=1), encoding="utf-8")
    click.echo(f"run {run.id}: wrote {instance_path} and {plan_path}")


@rotation_cli.command("carry-out")
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Date (default: today).")
def carry_out_command(on) -> None:
    """Start confirmed exchanges whose start date has come and record returns at term end (idempotent)."""
    from teachers.rotation.carryout import carry_out

    summary = carry_out(on=on.date() if on else None)
    db.session.commit()
    click.echo(f"carry-out {summary.on}: started {len(summary.started)}, returned {len(summary.returned)}, "
               f"rounds done {len(summary.rounds_done)}, skipped {len(summary.skipped)}")
    for move_id, why in summary.skipped:
        click.echo(f"  skipped move {move_id}: {why}")


@rotation_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run an RQ worker for solve jobs (needs REDIS_URL)."""
    from flask import current_app

    from teachers.rotation.jobs import run_worker

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: solves run in background threads, no worker needed")
    run_worker(burst=burst)


def register(app: Flask) -> None:
    app.cli.add_command(rotation_cli)

