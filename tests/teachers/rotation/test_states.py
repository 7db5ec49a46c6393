"""The state machines: every transition in the table is reachable only from its states, and every
state outside them is refused; the database backs the states with CHECK constraints."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import update

from teachers.extensions import db
from teachers.models import MoveState, RotationMove, RotationRound, RoundState, RunStatus, SolveRun
from teachers.rotation import services, states
from teachers.rotation.states import InvalidTransition, StaleState
from tests.teachers.rotation.conftest import TODAY


@pytest.fixture
def rnd(small):
    return services.open_round(small.hr, small.county.id, 2027, today=TODAY)


def _force(model, obj, **values):
    db.session.execute(update(model).where(model.id == obj.id).values(**values)
                       .execution_options(synchronize_session=False))
    db.session.expire(obj)


@pytest.mark.parametrize("action", sorted(states.ROUND_TRANSITIONS))
def test_round_transition_from_every_state(rnd, action):
    allowed, target = states.ROUND_TRANSITIONS[action]
    for state in RoundState:
        _force(RotationRound, rnd, state=state)
        if state in allowed:
            assert states.advance_round(rnd, action) == target
            assert rnd.state == target
        else:
            with pytest.raises(InvalidTransition):
                states.advance_round(rnd, action)
            assert rnd.state == state


def _move(small, rnd):
    run = SolveRun(round_id=rnd.id, county_id=rnd.county_id, instance={}, time_limit_s=5,
                   status=RunStatus.SUCCEEDED, plan={"moves": []})
    db.session.add(run)
    db.session.flush()
    move = RotationMove(round_id=rnd.id, run_id=run.id, teacher_id=small.teachers[0].id,
                        from_school_id=small.schools[0].id, to_school_id=small.schools[2].id)
    db.session.add(move)
    db.session.flush()
    return move


@pytest.mark.parametrize("action", sorted(states.MOVE_TRANSITIONS))
def test_move_transition_from_every_state(small, rnd, action):
    move = _move(small, rnd)
    uid = small.hr.id
    _force(RotationMove, move, sending_decision="approved", sending_by_id=uid, receiving_decision="approved",
           receiving_by_id=uid, answer="objected", answer_reason="x", ruling="upheld")
    allowed, target = states.MOVE_TRANSITIONS[action]
    from teachers.models import Assignment, AssignmentKind

    a = Assignment(teacher_id=move.teacher_id, school_id=move.to_school_id, kind=AssignmentKind.EXCHANGE,
                   start_date=rnd.start_date)
    db.session.add(a)
    db.session.flush()
    _force(RotationMove, move, assignment_id=a.id)
    for state in MoveState:
        if state == MoveState.REJECTED or (state == MoveState.PENDING_PRINCIPALS and target == MoveState.REJECTED):
            extra = {"sending_decision": "rejected", "sending_reason": "r"}
        else:
            extra = {"sending_decision": "approved"}
        _force(RotationMove, move, state=state, **extra)
        if state in allowed:
            assert states.advance_move(move, action) == target
        else:
            with pytest.raises(InvalidTransition):
                states.advance_move(move, action)


def test_compare_and_set_loses_to_a_concurrent_change(rnd):
    stale = db.session.get(RotationRound, rnd.id)
    assert stale.state == RoundState.DRAFT
    # somebody else moves the round on behind this object's back
    db.session.execute(update(RotationRound).where(RotationRound.id == rnd.id).values(state=RoundState.WISHES)
                       .execution_options(synchronize_session=False))
    with pytest.raises(StaleState):
        states.advance_round(stale, "open_wishes")


def test_database_refuses_an_unknown_state_and_unsigned_decisions(small, rnd):
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(sa.text("UPDATE rotation_round SET state = 'nonsense' WHERE id = :id"), {"id": rnd.id})
    move = _move(small, rnd)
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(sa.text("UPDATE rotation_move SET state = 'pending_teacher' WHERE id = :id"),
                           {"id": move.id})  # not approved by both principals
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(sa.text("UPDATE rotation_move SET sending_decision = 'rejected', "
                                   "sending_by_id = :u WHERE id = :id"), {"id": move.id, "u": small.hr.id})


def test_only_one_live_solve_per_round_in_the_database(small, rnd):
    db.session.add(SolveRun(round_id=rnd.id, county_id=rnd.county_id, instance={}, time_limit_s=5))
    db.session.flush()
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.add(SolveRun(round_id=rnd.id, county_id=rnd.county_id, instance={}, time_limit_s=5,
                                status=RunStatus.RUNNING))
        db.session.flush()
