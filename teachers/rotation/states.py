"""The rotation workflow's state machines, in one place.

Rounds::

    draft ─open_wishes→ wishes ─close_wishes→ planning ─publish→ decisions ─start_notice→ notice
          ─confirm→ confirmed ─carry_out→ done;   any state before confirmed ─cancel→ cancelled

Moves (one per published exchange)::

    pending_principals ─both approve→ pending_teacher ─acknowledge→ accepted
                       ─a rejection→ rejected          ─object→ objected ─dismiss→ accepted
                                                                         ─uphold→ upheld
    accepted ─confirm→ confirmed ─carry_out→ carried_out ─return→ returned
    pending_principals | pending_teacher | objected | accepted ─withdraw→ withdrawn

Solve runs: queued → running → succeeded | failed | cancelled (queued may also fail or be cancelled).

Every change of state goes through ``advance_round`` / ``advance_move`` / ``advance_run``, which
issue a compare-and-set ``UPDATE … WHERE id = :id AND state = :expected`` and check the row count:
of two concurrent requests exactly one wins, the other gets ``StaleState`` (a ``DomainError``, so
views show it as a message). The database's CHECK constraints back the states themselves.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import update

from teachers.errors import DomainError
from teachers.extensions import db
from teachers.models import MoveState, RotationMove, RotationRound, RoundState, RunStatus, SolveRun

R, M, S = RoundState, MoveState, RunStatus

#: action → (states it may start from, state it leads to)
ROUND_TRANSITIONS: dict[str, tuple[frozenset[RoundState], RoundState]] = {
    "open_wishes": (frozenset({R.DRAFT}), R.WISHES),
    "close_wishes": (frozenset({R.WISHES}), R.PLANNING),
    "publish": (frozenset({R.PLANNING}), R.DECISIONS),
    "start_notice": (frozenset({R.DECISIONS}), R.NOTICE),
    "confirm": (frozenset({R.NOTICE}), R.CONFIRMED),
    "carry_out": (frozenset({R.CONFIRMED}), R.DONE),
    "cancel": (frozenset({R.DRAFT, R.WISHES, R.PLANNING, R.DECISIONS, R.NOTICE}), R.CANCELLED),
}

MOVE_TRANSITIONS: dict[str, tuple[frozenset[MoveState], MoveState]] = {
    "approve_both": (frozenset({M.PENDING_PRINCIPALS}), M.PENDING_TEACHER),
    "reject": (frozenset({M.PENDING_PRINCIPALS}), M.REJECTED),
    "acknowledge": (frozenset({M.PENDING_TEACHER}), M.ACCEPTED),
    "object": (frozenset({M.PENDING_TEACHER}), M.OBJECTED),
    "dismiss": (frozenset({M.OBJECTED}), M.ACCEPTED),
    "uphold": (frozenset({M.OBJECTED}), M.UPHELD),
    "confirm": (frozenset({M.ACCEPTED}), M.CONFIRMED),
    "carry_out": (frozenset({M.CONFIRMED}), M.CARRIED_OUT),
    "return": (frozenset({M.CARRIED_OUT}), M.RETURNED),
    "withdraw": (frozenset({M.PENDING_PRINCIPALS, M.PENDING_TEACHER, M.OBJECTED, M.ACCEPTED}), M.WITHDRAWN),
}

RUN_TRANSITIONS: dict[str, tuple[frozenset[RunStatus], RunStatus]] = {
    "start": (frozenset({S.QUEUED}), S.RUNNING),
    "succeed": (frozenset({S.RUNNING}), S.SUCCEEDED),
    "fail": (frozenset({S.QUEUED, S.RUNNING}), S.FAILED),
    "cancel": (frozenset({S.QUEUED, S.RUNNING}), S.CANCELLED),
}

#: Moves that still count (not rejected, upheld or withdrawn).
LIVE_MOVE_STATES = frozenset(set(MoveState) - {M.REJECTED, M.UPHELD, M.WITHDRAWN})
#: Moves awaiting somebody.
OPEN_MOVE_STATES = frozenset({M.PENDING_PRINCIPALS, M.PENDING_TEACHER, M.OBJECTED})


class StaleState(DomainError):
    """The object is no longer in the state the request expected (somebody else acted first)."""


class InvalidTransition(DomainError):
    """The action is not allowed from the object's current state."""


def _round_state_name(state: RoundState) -> str:
    from teachers.labels import label

    return label(state)


def _cas(model, obj, column: str, allowed: frozenset, target, values: dict[str, Any]) -> None:
    current = getattr(obj, column)
    if current not in allowed:
        raise InvalidTransition(_("当前状态下不能进行此操作。"))
    stmt = (update(model).where(model.id == obj.id, getattr(model, column) == current)
            .values({column: target, **values}).execution_options(synchronize_session=False))
    result = db.session.execute(stmt)
    if result.rowcount != 1:
        db.session.expire(obj)
        raise StaleState(_("该事项已被他人处理，页面已是旧的：请刷新后查看最新状态。"))
    db.session.expire(obj)


def check_round(rnd: RotationRound, action: str) -> None:
    """Raise InvalidTransition unless ``action`` is allowed from the round's current state."""
    allowed, _target = ROUND_TRANSITIONS[action]
    if rnd.state not in allowed:
        raise InvalidTransition(_("本轮当前处于“%(state)s”阶段，不能进行此操作。", state=_round_state_name(rnd.state)))


def advance_round(rnd: RotationRound, action: str, **values: Any) -> RoundState:
    """Move the round along ``action`` (compare-and-set on its state) and set ``values`` with it."""
    check_round(rnd, action)
    allowed, target = ROUND_TRANSITIONS[action]
    _cas(RotationRound, rnd, "state", allowed, target, values)
    return target


def advance_move(move: RotationMove, action: str, *, extra_where: tuple = (), **values: Any) -> MoveState:
    """Move one move along ``action`` (compare-and-set on its state, plus ``extra_where`` clauses)."""
    allowed, target = MOVE_TRANSITIONS[action]
    if move.state not in allowed:
        raise InvalidTransition(_("该交流当前状态下不能进行此操作。"))
    stmt = (update(RotationMove).where(RotationMove.id == move.id, RotationMove.state == move.state, *extra_where)
            .values(state=target, **values).execution_options(synchronize_session=False))
    if db.session.execute(stmt).rowcount != 1:
        db.session.expire(move)
        raise StaleState(_("该事项已被他人处理，页面已是旧的：请刷新后查看最新状态。"))
    db.session.expire(move)
    return target


def advance_run(run: SolveRun, action: str, **values: Any) -> RunStatus:
    """Move a solve run along ``action`` (compare-and-set on its status)."""
    allowed, target = RUN_TRANSITIONS[action]
    _cas(SolveRun, run, "status", allowed, target, values)
    return target
