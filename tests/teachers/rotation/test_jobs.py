"""The solve job with and without Redis: a real Redis on 127.0.0.1:6379 (own queue name) and a
real worker process (``flask rotation worker``); a killed worker leaves a failed, retryable run;
without Redis a background thread runs the solve; one live solve per round; cancel."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from teachers.errors import DomainError
from teachers.extensions import db
from teachers.models import RotationRound, RunStatus, SolveRun
from teachers.rotation import adapter, jobs, services
from tests.conftest import make_app
from tests.teachers.rotation.conftest import TODAY, build_small_county

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ROOT = Path(__file__).resolve().parents[3]


def planning_round(small):
    rnd = services.open_round(small.hr, small.county.id, 2027, today=TODAY)
    services.open_wishes(small.hr, rnd.id)
    services.close_wishes(small.hr, rnd.id)
    return rnd


def _reload(run_id: int) -> SolveRun:
    db.session.expire_all()
    return db.session.get(SolveRun, run_id)


# ------------------------------------------------------------------------------------ without Redis


def test_thread_solve_stores_instance_and_a_checked_plan(small):
    rnd = planning_round(small)
    run = jobs.request_solve(small.hr, rnd.id, time_limit_s=5)
    with pytest.raises(DomainError):
        jobs.request_solve(small.hr, rnd.id, time_limit_s=5)  # one live solve per round
    db.session.commit()
    assert jobs.wait_for_thread(run.id, 60)
    run = _reload(run.id)
    assert run.status == RunStatus.SUCCEEDED and run.started_at and run.finished_at
    assert run.instance["format"] == "rotation-instance/1" and run.plan["format"] == "rotation-plan/1"
    assert adapter.check_plan(run.instance, run.plan) == []
    assert run.objective is not None and run.elapsed_s is not None
    state = jobs.progress(small.hr, run.id)
    assert state["finished"] and state["status"] == "succeeded"
    from teachers.notifications import services as notes

    (done,) = [n for n in notes.inbox(small.hr).items if n.kind == "rotation.solve_done"]
    assert done.object_id == run.id and "已完成" in notes.render(done)[0]
    again = jobs.request_solve(small.hr, rnd.id, time_limit_s=5)  # the next solve may start
    db.session.commit()
    assert jobs.wait_for_thread(again.id, 60)


def test_time_limit_and_state_refused(small):
    rnd = services.open_round(small.hr, small.county.id, 2027, today=TODAY)
    with pytest.raises(DomainError):
        jobs.request_solve(small.hr, rnd.id)  # still draft
    services.open_wishes(small.hr, rnd.id)
    services.close_wishes(small.hr, rnd.id)
    with pytest.raises(DomainError) as err:
        jobs.request_solve(small.hr, rnd.id, time_limit_s=0)
    assert err.value.field == "time_limit_s"
    with pytest.raises(DomainError):
        jobs.request_solve(small.principal_of(small.schools[0].id), rnd.id)


def test_failure_is_recorded_never_left_running(small, monkeypatch):
    rnd = planning_round(small)

    def boom(*_a, **_k):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(adapter, "solve_instance", boom)
    run = jobs.request_solve(small.hr, rnd.id, time_limit_s=5)
    db.session.commit()
    assert jobs.wait_for_thread(run.id, 30)
    run = _reload(run.id)
    assert run.status == RunStatus.FAILED and "solver exploded" in run.error
    assert "solver exploded" in jobs.progress(small.hr, run.id)["error"]


def test_stale_heartbeat_is_reaped_and_the_round_can_be_solved_again(small):
    rnd = planning_round(small)
    run = jobs.request_solve(small.hr, rnd.id, time_limit_s=5)
    db.session.info.pop("rotation_dispatch")  # nobody runs it: as if the worker died after taking it
    old = datetime.now(UTC) - timedelta(hours=1)
    db.session.execute(update(SolveRun).where(SolveRun.id == run.id)
                       .values(status=RunStatus.RUNNING, started_at=old, heartbeat_at=old))
    db.session.commit()
    state = jobs.progress(small.hr, run.id)
    assert state["status"] == "failed" and state["finished"] and state["error"]
    db.session.commit()
    retry = jobs.request_solve(small.hr, rnd.id, time_limit_s=5)
    db.session.commit()
    assert jobs.wait_for_thread(retry.id, 60)
    assert _reload(retry.id).status == RunStatus.SUCCEEDED


def test_a_thread_that_breaks_leaves_a_failed_run_not_a_queued_one(small, monkeypatch):
    rnd = planning_round(small)

    def broken(run_id):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(jobs, "execute_run", broken)
    run = jobs.request_solve(small.hr, rnd.id, time_limit_s=5)
    db.session.commit()
    assert jobs.wait_for_thread(run.id, 30)
    got = _reload(run.id)
    assert got.status == RunStatus.FAILED and "database is locked" in got.error
    assert "database is locked" in jobs.progress(small.hr, run.id)["error"]


def test_waiting_for_a_run_without_a_thread_here_reads_its_row(small):
    rnd = planning_round(small)
    run = jobs.request_solve(small.hr, rnd.id, time_limit_s=5)
    db.session.info.pop("rotation_dispatch")  # queued, and nobody in this process runs it
    db.session.commit()
    assert jobs.wait_for_thread(run.id, 0.3) is False
    jobs.cancel_solve(small.hr, run.id)
    db.session.commit()
    assert jobs.wait_for_thread(run.id, 5) is True


def test_cancel_a_queued_solve(small):
    rnd = planning_round(small)
    run = jobs.request_solve(small.hr, rnd.id, time_limit_s=5)
    db.session.info.pop("rotation_dispatch")
    jobs.cancel_solve(small.hr, run.id)
    assert _reload(run.id).status == RunStatus.CANCELLED
    with pytest.raises(DomainError):
        jobs.cancel_solve(small.hr, run.id)


def test_prefecture_fans_out_one_job_per_county(app):
    from tests.teachers.rotation.test_rounds import prefecture_manager

    a, b = build_small_county("甲县"), build_small_county("乙县")
    a.county.prefecture = b.county.prefecture = "白山市"
    boss = prefecture_manager()
    for rnd in services.open_prefecture_rounds(boss, "白山市", 2027, today=TODAY):
        services.open_wishes(boss, rnd.id)
        services.close_wishes(boss, rnd.id)
    runs = jobs.request_prefecture_solves(boss, "白山市", 2027, time_limit_s=5)
    assert sorted(r.county_id for r in runs) == sorted([a.county.id, b.county.id])
    db.session.commit()
    for run in runs:
        assert jobs.wait_for_thread(run.id, 60)
        got = _reload(run.id)
        assert got.status == RunStatus.SUCCEEDED, (got.id, got.status, got.error)
    codes = {a.county.id: {s.code for s in a.schools}, b.county.id: {s.code for s in b.schools}}
    for run in runs:  # each instance holds its own county's schools only
        assert {s["id"] for s in _reload(run.id).instance["schools"]} == codes[run.county_id]


# --------------------------------------------------------------------------------------- with Redis


@pytest.fixture
def redis_conn():
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    conn = Redis.from_url(REDIS_URL)
    try:
        conn.ping()
    except RedisDown:
        pytest.fail(f"Redis is required for the job tests ({REDIS_URL}); CI runs one on 127.0.0.1:6379")
    return conn


@pytest.fixture
def rq_app(database_template, tmp_path, redis_conn):
    queue = f"rc-test-{uuid.uuid4().hex[:10]}"
    app = make_app(database_template, tmp_path, REDIS_URL=REDIS_URL, ROTATION_QUEUE=queue,
                   ROTATION_STALE_AFTER_S=2.0)
    with app.app_context():
        yield app
        db.session.remove()
        if isinstance(database_template, str):
            from tests.conftest import _truncate_all

            _truncate_all()
        db.engine.dispose()
    for key in redis_conn.scan_iter(f"rq:*{queue}*"):
        redis_conn.delete(key)


def _worker(app, *, burst: bool) -> subprocess.Popen:
    env = {**os.environ, "FLASK_APP": "app.py", "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "SECRET_KEY": "test-secret-key-not-for-production", "REDIS_URL": REDIS_URL,
           "ROTATION_QUEUE": app.config["ROTATION_QUEUE"], "ROTATION_HEARTBEAT_S": "0.5"}
    args = [str(Path(sys.executable).with_name("flask")), "rotation", "worker"] + (["--burst"] if burst else [])
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)


def test_rq_worker_process_solves_the_queued_run(rq_app):
    small = build_small_county()
    rnd = planning_round(small)
    run = jobs.request_solve(small.hr, rnd.id, time_limit_s=5)
    db.session.commit()
    run = _reload(run.id)
    assert run.job_id and run.status == RunStatus.QUEUED
    worker = _worker(rq_app, burst=True)
    out, _ = worker.communicate(timeout=120)
    assert worker.returncode == 0, out.decode()
    run = _reload(run.id)
    assert run.status == RunStatus.SUCCEEDED, (run.error, out.decode()[-2000:])
    assert adapter.check_plan(run.instance, run.plan) == []


def test_killed_worker_leaves_a_failed_retryable_run(rq_app):
    from sqlalchemy import select

    from teachers.demo import seed_demo
    from teachers.models import County, User

    seed_demo()
    hr = db.session.scalar(select(User).where(User.username == "hr"))
    county = db.session.scalar(select(County))
    rnd = services.open_round(hr, county.id, 2027, today=TODAY)
    services.open_wishes(hr, rnd.id)
    services.close_wishes(hr, rnd.id)
    rnd_id = rnd.id
    run = jobs.request_solve(hr, rnd.id, time_limit_s=120)
    db.session.commit()
    run_id = run.id
    worker = _worker(rq_app, burst=False)
    # The demo county is proved in a second or two, so the kill must not race the solve: as soon as
    # the run is running, this connection holds a write on its row (a row lock on PostgreSQL, the
    # write lock on SQLite). The worker's progress, heartbeat and final writes then wait, so the run
    # cannot leave "running" before the worker is killed mid-solve.
    blocker = db.engine.connect()
    try:
        deadline = time.monotonic() + 60
        while _reload(run_id).status == RunStatus.QUEUED:
            assert time.monotonic() < deadline, "the worker never took the job"
            assert worker.poll() is None, worker.stdout.read().decode()
            time.sleep(0.02)
        blocker.execute(update(SolveRun).where(SolveRun.id == run_id)
                        .values(heartbeat_at=SolveRun.heartbeat_at))
        held = blocker.scalar(select(SolveRun.status).where(SolveRun.id == run_id))
        assert held == RunStatus.RUNNING, f"the run was {held} before its row could be held"
        time.sleep(1)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
        blocker.rollback()
        blocker.close()
    time.sleep(2.5)  # longer than ROTATION_STALE_AFTER_S without a heartbeat
    state = jobs.progress(hr, run_id)
    db.session.commit()
    assert state["status"] == "failed" and state["finished"]
    assert _reload(run_id).error == jobs.WORKER_LOST
    assert db.session.get(RotationRound, rnd_id).state.value == "planning"
    retry = jobs.request_solve(hr, rnd_id, time_limit_s=5)  # retryable
    db.session.commit()
    worker = _worker(rq_app, burst=True)
    out, _ = worker.communicate(timeout=120)
    assert _reload(retry.id).status == RunStatus.SUCCEEDED, out.decode()[-2000:]
