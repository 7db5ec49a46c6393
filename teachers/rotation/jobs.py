"""Solving a round as a job: on RQ when ``REDIS_URL`` is set (``flask rotation worker`` runs a
worker; any number of workers on any number of machines share the queue ``ROTATION_QUEUE``), in a
background thread otherwise.

The ``SolveRun`` row is the job's only channel: it holds the instance (built when the solve was
asked for, so the solve is reproducible from it alone), the progress the solver reports (elapsed
time, best Σ CV², status), a heartbeat, the cancel request, and at the end the plan or the error.
A partial unique index allows one queued or running solve per round. A worker that dies stops the
heartbeat: ``reap_stale_runs`` (called whenever progress is read, and by every worker at start)
marks such runs failed with a clear message, and the round can be solved again.

Views call ``request_solve`` and commit; the job is dispatched after the commit (a session
``after_commit`` hook), so a worker never sees a run that is not yet in the database.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from teachers import audit
from teachers.auth.permissions import has_permission
from teachers.errors import DomainError, NotFound, PermissionDenied
from teachers.extensions import db
from teachers.models import RotationRound, RoundState, RunStatus, SolveRun, User
from teachers.models._types import utcnow
from teachers.rotation import adapter, notices  # noqa: F401  (registers the notification kinds)

#: Stored error codes for failures the app itself detects; worded at display time (``run_error_text``).
WORKER_LOST = "worker_lost"
log = logging.getLogger(__name__)
_DISPATCH_KEY = "rotation_dispatch"


# ----------------------------------------------------------------------------------------- requests


def request_solve(actor: User, round_id: int, *, time_limit_s: float | None = None,
                  extra_pins: tuple[tuple[int, int], ...] = (), extra_forbids: tuple[tuple[int, int], ...] = (),
                  purpose: str = "full") -> SolveRun:
    """Queue a solve of the round (state ``planning``; ``decisions`` for a re-solve of replacements,
    ``purpose="replace"``): build and store the instance now, then dispatch the job after the
    caller's commit. Refused while another solve of the round is queued or running, without the
    right, in another state, or with a time limit outside 1–3600 s."""
    from teachers.rotation.services import get_round_for_manage

    rnd = get_round_for_manage(actor, round_id)
    allowed = {RoundState.PLANNING} if purpose == "full" else {RoundState.DECISIONS}
    if rnd.state not in allowed:
        raise DomainError(_("本轮当前阶段不能求解。"))
    reap_stale_runs()
    if db.session.scalar(select(SolveRun.id).where(SolveRun.round_id == rnd.id,
                                                   SolveRun.status.in_((RunStatus.QUEUED, RunStatus.RUNNING)))):
        raise DomainError(_("本轮已有一个求解在进行中，请等待它结束或先取消。"))
    limit = float(time_limit_s if time_limit_s not in (None, "") else rnd.settings["solver_time_limit_s"])
    if not 1 <= limit <= 3600:
        raise DomainError(_("求解时限应为 1 至 3600 秒。"), field="time_limit_s")
    problem = adapter.round_problem(rnd, extra_pins=extra_pins, extra_forbids=extra_forbids)
    run = SolveRun(round_id=rnd.id, county_id=rnd.county_id, purpose=purpose,
                   instance=adapter.instance_dict(problem), time_limit_s=limit, requested_by_id=actor.id,
                   counties_total=1)
    try:
        with db.session.begin_nested():
            db.session.add(run)
            db.session.flush()
    except IntegrityError:
        raise DomainError(_("本轮已有一个求解在进行中，请等待它结束或先取消。")) from None
    audit.record(actor, "rotation.solve.request", rnd, {"run": run.id, "time_limit_s": limit, "purpose": purpose})
    db.session.info.setdefault(_DISPATCH_KEY, []).append(run.id)
    return run


def request_prefecture_solves(actor: User, prefecture: str, year: int, *, time_limit_s: float | None = None
                              ) -> list[SolveRun]:
    """Fan out: one solve job per county round of ``prefecture`` and ``year`` in the actor's scope that
    is in ``planning`` (each county is solved on its own, by any free worker). All or nothing: the
    first refusal names its county and nothing is queued."""
    from teachers.auth.permissions import county_filter
    from teachers.models import County

    if not has_permission(actor, "rotation.manage"):
        raise PermissionDenied(_("您没有权限进行此操作。"))
    rounds = db.session.scalars(
        select(RotationRound).join(County, County.id == RotationRound.county_id)
        .where(County.prefecture == prefecture, RotationRound.year == int(year),
               RotationRound.state == RoundState.PLANNING, county_filter(actor))
        .order_by(County.name)).all()
    if not rounds:
        raise DomainError(_("该地区没有处于求解阶段的轮次。"))
    runs = []
    with db.session.begin_nested():
        for rnd in rounds:
            try:
                runs.append(request_solve(actor, rnd.id, time_limit_s=time_limit_s))
            except DomainError as exc:
                db.session.info.pop(_DISPATCH_KEY, None)
                raise DomainError(f"{rnd.county.name}：{exc.message}", field=exc.field) from None
    return runs


def cancel_solve(actor: User, run_id: int) -> SolveRun:
    """Ask a queued or running solve to stop: a queued one is cancelled at once, a running one stops
    within a second and keeps the best plan found so far (status ``cancelled``)."""
    run = _run_for_manage(actor, run_id)
    if not run.live:
        raise DomainError(_("该求解已经结束。"))
    if run.status == RunStatus.QUEUED:
        result = db.session.execute(update(SolveRun).where(SolveRun.id == run.id, SolveRun.status == RunStatus.QUEUED)
                                    .values(status=RunStatus.CANCELLED, cancel_requested=True, finished_at=utcnow())
                                    .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            db.session.execute(update(SolveRun).where(SolveRun.id == run.id).values(cancel_requested=True)
                               .execution_options(synchronize_session=False))
    else:
        db.session.execute(update(SolveRun).where(SolveRun.id == run.id).values(cancel_requested=True)
                           .execution_options(synchronize_session=False))
    db.session.expire(run)
    audit.record(actor, "rotation.solve.cancel", run.round, {"run": run.id})
    return run


def _run_for_manage(actor: User, run_id: int) -> SolveRun:
    from teachers.rotation.services import get_round_for_manage

    run = db.session.get(SolveRun, int(run_id))
    if run is None:
        raise NotFound(_("找不到该求解记录。"))
    get_round_for_manage(actor, run.round_id)
    return run


def get_run(user: User, run_id: int) -> SolveRun:
    """A solve run of a round the user may review (HR, inspector, admin in scope)."""
    from teachers.rotation.services import get_round

    if not has_permission(user, "rotation.view"):
        raise PermissionDenied(_("您没有权限进行此操作。"))
    run = db.session.get(SolveRun, int(run_id))
    if run is None:
        raise NotFound(_("找不到该求解记录。"))
    get_round(user, run.round_id)
    return run


def list_runs(user: User, round_id: int) -> list[SolveRun]:
    """The round's solve runs, newest first."""
    from teachers.rotation.services import get_round

    if not has_permission(user, "rotation.view"):
        raise PermissionDenied(_("您没有权限进行此操作。"))
    rnd = get_round(user, round_id)
    return list(db.session.scalars(select(SolveRun).where(SolveRun.round_id == rnd.id).order_by(SolveRun.id.desc())))


def progress(user: User, run_id: int) -> dict[str, Any]:
    """What the progress page polls (JSON-ready): status and its label, elapsed seconds, best Σ CV²
    so far, bound, counties done/total, the error in the reader's language, whether it is finished.
    Reaps dead workers first, so a run whose worker died reads as failed, never as running forever
    (that may write: the view commits)."""
    reap_stale_runs()
    run = get_run(user, run_id)
    db.session.refresh(run)
    from teachers.labels import label

    elapsed = run.elapsed_s
    if run.status == RunStatus.RUNNING and run.started_at is not None:
        elapsed = (utcnow() - run.started_at).total_seconds()
    return {
        "id": run.id, "round_id": run.round_id, "status": run.status.value, "status_label": label(run.status),
        "elapsed_s": round(elapsed, 1) if elapsed is not None else None,
        "objective": run.objective, "bound": run.bound, "counties_done": run.counties_done,
        "counties_total": run.counties_total, "solver_status": run.solver_status,
        "cancel_requested": run.cancel_requested, "finished": not run.live,
        "error": run_error_text(run), "time_limit_s": run.time_limit_s,
    }


def run_error_text(run: SolveRun) -> str:
    """The run's failure in the reader's language ("" when it did not fail)."""
    if run.status != RunStatus.FAILED:
        return ""
    if run.error == WORKER_LOST:
        return _("求解进程已停止响应（可能已被终止），本次求解记为失败。可以重新求解。")
    return _("求解失败：%(error)s", error=run.error)


# ----------------------------------------------------------------------------------------- dispatch


def _dispatch(app, run_ids: list[int]) -> None:
    url = app.config.get("REDIS_URL")
    for run_id in run_ids:
        if url:
            enqueue_rq(app, run_id)
        else:
            thread = threading.Thread(target=_thread_main, args=(app, run_id), name=f"solve-run-{run_id}",
                                      daemon=True)
            thread.start()
            for old_id in [k for k, (_, t) in _THREADS.items() if not t.is_alive()]:
                _THREADS.pop(old_id, None)  # ended threads are forgotten (their outcome is on the row)
            _THREADS[run_id] = (app, thread)


#: Background threads of this process by run id, with the application they run for (in tests several
#: applications, each with its own database, live in one process and reuse run ids).
_THREADS: dict[int, tuple[Any, threading.Thread]] = {}


def _thread_of(run_id: int) -> threading.Thread | None:
    entry = _THREADS.get(run_id)
    if entry is None or not has_app_context() or entry[0] is not current_app._get_current_object():
        return None
    return entry[1]


def wait_for_thread(run_id: int, timeout: float = 120) -> bool:
    """Wait until a run dispatched to a background thread (thread mode) has ended; True when it has.
    A run with no thread known to this process is waited for on its row (up to ``timeout``)."""
    deadline = time.monotonic() + timeout
    thread = _thread_of(run_id)
    if thread is not None:
        thread.join(timeout)
        return not thread.is_alive()
    while True:
        with db.engine.connect() as conn:
            status = conn.scalar(select(SolveRun.status).where(SolveRun.id == run_id))
        if status not in (RunStatus.QUEUED, RunStatus.RUNNING) or time.monotonic() >= deadline:
            return status not in (RunStatus.QUEUED, RunStatus.RUNNING)
        time.sleep(0.1)


def _thread_main(app, run_id: int) -> None:
    with app.app_context():
        try:
            execute_run(run_id)
        except Exception as exc:
            log.exception("solve run %s: the background thread failed", run_id)
            _record_failure(run_id, exc, (RunStatus.QUEUED, RunStatus.RUNNING))
        finally:
            db.session.remove()


def _record_failure(run_id: int, exc: BaseException, from_states: tuple[RunStatus, ...]) -> None:
    message = f"{type(exc).__name__}: {exc}"[:2000] or type(exc).__name__
    for attempt in range(5):
        try:
            with db.engine.begin() as conn:
                conn.execute(update(SolveRun).where(SolveRun.id == run_id, SolveRun.status.in_(from_states))
                             .values(status=RunStatus.FAILED, error=message, finished_at=utcnow()))
            return
        except Exception:
            log.warning("solve run %s: failure not recorded (attempt %s)", run_id, attempt + 1, exc_info=True)
            time.sleep(0.5)


def redis_connection(app=None):
    """A Redis connection from ``REDIS_URL``."""
    from redis import Redis

    app = app or current_app
    return Redis.from_url(app.config["REDIS_URL"])


def queue(app=None):
    """The RQ queue of rotation solves (name: ``ROTATION_QUEUE``)."""
    from rq import Queue

    app = app or current_app
    return Queue(app.config.get("ROTATION_QUEUE", "rotation"), connection=redis_connection(app))


def enqueue_rq(app, run_id: int) -> str:
    """Put one run on the RQ queue; the job id is stored with the run."""
    with app.app_context():
        run = db.session.get(SolveRun, run_id)
        timeout = int(run.time_limit_s * 2 + 120) if run else 600
        job = queue(app).enqueue_call("teachers.rotation.jobs.rq_job", args=(run_id,), timeout=timeout,
                                      result_ttl=3600, failure_ttl=86400, job_id=f"solve-run-{run_id}-{int(time.time())}")
        with db.engine.begin() as conn:
            conn.execute(update(SolveRun).where(SolveRun.id == run_id).values(job_id=job.id))
        db.session.remove()
        return job.id


def rq_job(run_id: int) -> str:
    """The RQ entry point (runs inside ``flask rotation worker``'s application context)."""
    if not has_app_context():
        raise RuntimeError("rotation jobs run inside `flask rotation worker`")
    try:
        return execute_run(run_id)
    finally:
        db.session.remove()


def run_worker(*, burst: bool = False) -> None:
    """Work the rotation queue (``flask rotation worker``), in the current application context. A
    simple (non-forking) worker: the job runs in this process, so killing the process stops the
    heartbeat and the run is reaped as failed."""
    from rq import SimpleWorker

    reap_stale_runs()
    db.session.commit()
    q = queue()
    SimpleWorker([q], connection=q.connection).work(burst=burst)


@sa.event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:
    run_ids = session.info.pop(_DISPATCH_KEY, None)
    if run_ids and has_app_context():
        _dispatch(current_app._get_current_object(), run_ids)


@sa.event.listens_for(Session, "after_rollback")
def _after_rollback(session) -> None:
    if not session.in_transaction():
        session.info.pop(_DISPATCH_KEY, None)


# ---------------------------------------------------------------------------------------- execution


def execute_run(run_id: int) -> str:
    """Run one solve to its end and record the outcome on the row: succeeded (the plan), cancelled
    (the best plan when stopped on request) or failed (the message). Returns the final status. A run
    that is not queued (cancelled meanwhile, or taken by another worker) is left alone."""
    engine = db.engine
    heartbeat_s = float(current_app.config.get("ROTATION_HEARTBEAT_S", 5))
    for attempt in range(50):  # the requesting transaction may still be committing: wait up to ~5 s for the row
        now = utcnow()
        with engine.begin() as conn:
            taken = conn.execute(update(SolveRun).where(SolveRun.id == run_id, SolveRun.status == RunStatus.QUEUED)
                                 .values(status=RunStatus.RUNNING, started_at=now, heartbeat_at=now)).rowcount
            if taken == 1:
                row = conn.execute(select(SolveRun.instance, SolveRun.time_limit_s)
                                   .where(SolveRun.id == run_id)).one()
                break
            status = conn.scalar(select(SolveRun.status).where(SolveRun.id == run_id))
        if status is not None and status != RunStatus.QUEUED:
            return "skipped"  # cancelled meanwhile, or taken by another worker
        time.sleep(0.1 if attempt < 49 else 0)
    else:
        return "skipped"
    instance, limit = row.instance, row.time_limit_s
    stop = threading.Event()
    last_poll = [0.0, False]

    def beat() -> None:
        while not stop.wait(heartbeat_s):
            try:
                with engine.begin() as conn:
                    conn.execute(update(SolveRun).where(SolveRun.id == run_id).values(heartbeat_at=utcnow()))
            except Exception:
                log.warning("solve run %s: heartbeat not written", run_id, exc_info=True)

    def on_progress(elapsed, objective, bound, done, total, status) -> None:
        try:
            with engine.begin() as conn:
                conn.execute(update(SolveRun).where(SolveRun.id == run_id).values(
                    elapsed_s=elapsed, objective=objective, bound=bound, counties_done=done,
                    counties_total=total, solver_status=status, heartbeat_at=utcnow()))
        except Exception:
            log.warning("solve run %s: progress not written", run_id, exc_info=True)

    def should_stop() -> bool:
        if time.monotonic() - last_poll[0] >= 0.4:
            last_poll[0] = time.monotonic()
            try:
                with engine.connect() as conn:
                    last_poll[1] = bool(conn.scalar(select(SolveRun.cancel_requested).where(SolveRun.id == run_id)))
            except Exception:
                log.warning("solve run %s: cancel flag not read", run_id, exc_info=True)
        return last_poll[1]

    beater = threading.Thread(target=beat, name=f"solve-run-{run_id}-heartbeat", daemon=True)
    beater.start()
    try:
        plan = adapter.solve_instance(instance, time_limit_s=limit, lang="zh", on_progress=on_progress,
                                      should_stop=should_stop)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the run, never left "running"
        stop.set()
        message = f"{type(exc).__name__}: {exc}"[:2000] or type(exc).__name__
        with engine.begin() as conn:
            conn.execute(update(SolveRun).where(SolveRun.id == run_id, SolveRun.status == RunStatus.RUNNING)
                         .values(status=RunStatus.FAILED, error=message, finished_at=utcnow()))
        _tell_requester(run_id, RunStatus.FAILED)
        return RunStatus.FAILED.value
    stop.set()
    cancelled = should_stop() or bool(last_poll[1])
    final = RunStatus.CANCELLED if cancelled else RunStatus.SUCCEEDED
    objective = _objective(plan)
    with engine.begin() as conn:
        conn.execute(update(SolveRun).where(SolveRun.id == run_id, SolveRun.status == RunStatus.RUNNING).values(
            status=final, plan=plan, finished_at=utcnow(), solver_status=plan.get("status", ""),
            objective=objective if objective is not None else SolveRun.objective))
    _tell_requester(run_id, final)
    return final.value


def _tell_requester(run_id: int, status: RunStatus) -> None:
    """A notice to whoever asked for the solve (best effort: the run's outcome is already recorded)."""
    from teachers.notifications.services import notify

    try:
        run = db.session.get(SolveRun, run_id)
        if run is not None and run.requested_by_id:
            notify([run.requested_by_id], "rotation.solve_done", object_type="solve_run", object_id=run_id,
                   params={"round_id": run.round_id, "status": status.value})
            db.session.commit()
    except Exception:
        db.session.rollback()
        log.warning("solve run %s: requester not notified", run_id, exc_info=True)


def _objective(plan: dict[str, Any]) -> float | None:
    """Σ CV² after: the solver's own figure when it gives one, else summed from the metrics."""
    solver_value = (plan.get("solver") or {}).get("objective")
    if isinstance(solver_value, (int, float)):
        return float(solver_value)
    after = (plan.get("metrics") or {}).get("after") or {}
    total = 0.0
    found = False
    for stages in after.values():
        for indicators in stages.values():
            for cv in indicators.values():
                total += float(cv) ** 2
                found = True
    return round(total, 6) if found else None


def reap_stale_runs(now: datetime | None = None) -> int:
    """Mark failed (``worker_lost``) every running solve whose heartbeat is older than
    ``ROTATION_STALE_AFTER_S``, and every queued one older than that which no worker can still
    take (thread mode: its thread is gone; RQ: its job failed or vanished). Returns how many.
    Writes in the caller's session (the caller commits; a GET view polling progress commits too)."""
    stale_s = float(current_app.config.get("ROTATION_STALE_AFTER_S", 60))
    now = now or datetime.now(UTC)
    limit = now - timedelta(seconds=stale_s)
    reaped = 0
    conn = db.session
    reaped += conn.execute(update(SolveRun).where(
        SolveRun.status == RunStatus.RUNNING, SolveRun.heartbeat_at < limit
    ).values(status=RunStatus.FAILED, error=WORKER_LOST, finished_at=now)
        .execution_options(synchronize_session=False)).rowcount
    queued = conn.execute(select(SolveRun.id, SolveRun.job_id).where(
        SolveRun.status == RunStatus.QUEUED, SolveRun.created_at < limit)).all()
    for run_id, job_id in queued:
        if _queued_job_alive(run_id, job_id):
            continue
        reaped += conn.execute(update(SolveRun).where(SolveRun.id == run_id, SolveRun.status == RunStatus.QUEUED)
                               .values(status=RunStatus.FAILED, error=WORKER_LOST, finished_at=now)
                               .execution_options(synchronize_session=False)).rowcount
    if reaped:
        db.session.expire_all()
    return reaped


def _queued_job_alive(run_id: int, job_id: str) -> bool:
    if not current_app.config.get("REDIS_URL"):
        thread = _thread_of(run_id)
        return thread is not None and thread.is_alive()
    if not job_id:
        return True  # being enqueued right now
    try:
        from rq.job import Job

        status = Job.fetch(job_id, connection=redis_connection()).get_status()
    except Exception:  # noqa: BLE001 - no such job (expired, flushed): nobody will take the run
        return False
    return str(getattr(status, "value", status)) in ("queued", "started", "deferred", "scheduled")


def round_for_run(run: SolveRun) -> RotationRound:
    """The run's round."""
    return db.session.get(RotationRound, run.round_id)
