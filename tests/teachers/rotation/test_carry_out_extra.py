"""Extension at term end (by HR, with a reason) and cancelling a round withdraws its open moves."""

from __future__ import annotations

from datetime import timedelta

import pytest

from teachers.errors import DomainError
from teachers.extensions import db
from teachers.models import MoveState, RoundState
from teachers.notifications import services as notes
from teachers.rotation import carryout, decisions, services
from tests.teachers.rotation.test_workflow import solved_round


def _confirmed(small):
    rnd, run, _ = solved_round(small, wishes=False)
    moves = decisions.publish(small.hr, rnd.id, run.id)
    for m in moves:
        decisions.decide(small.principal_of(m.from_school_id), m.id, True, today=rnd.decision_opens)
        decisions.decide(small.principal_of(m.to_school_id), m.id, True, today=rnd.decision_opens)
        decisions.answer(small.teacher_users[m.teacher_id], m.id, True, today=rnd.answer_opens)
    decisions.start_notice(small.hr, rnd.id, today=rnd.notice_opens)
    decisions.confirm(small.hr, rnd.id, today=rnd.notice_closes + timedelta(days=1))
    return rnd, moves


def test_extension_moves_the_return(small):
    rnd, moves = _confirmed(small)
    carryout.carry_out(on=rnd.start_date)
    move = moves[0]
    db.session.refresh(move)
    first_end = move.term_ends
    assert first_end == rnd.start_date.replace(year=rnd.start_date.year + rnd.term_years) - timedelta(days=1)
    with pytest.raises(DomainError):
        carryout.extend_exchange(small.hr, move.id, 1, "")
    with pytest.raises(DomainError):
        carryout.extend_exchange(small.hr, move.id, 4, "学校需要")
    carryout.extend_exchange(small.hr, move.id, 1, "接收学校毕业班需要")
    assert move.term_ends == first_end.replace(year=first_end.year + 1)
    assert move.id not in carryout.carry_out(on=first_end + timedelta(days=1)).returned
    assert move.id in carryout.carry_out(on=move.term_ends + timedelta(days=1)).returned
    db.session.refresh(move)
    assert move.state == MoveState.RETURNED
    with pytest.raises(DomainError):
        carryout.extend_exchange(small.hr, move.id, 1, "再延")


def test_cancel_withdraws_open_moves_and_closes_todos(small):
    rnd, run, _ = solved_round(small, wishes=False)
    moves = decisions.publish(small.hr, rnd.id, run.id)
    principal = small.principal_of(moves[0].from_school_id)
    assert notes.open_todo_count(principal) > 0
    with pytest.raises(DomainError):
        services.cancel_round(small.hr, rnd.id, "")
    services.cancel_round(small.hr, rnd.id, "上级要求暂停")
    db.session.refresh(rnd)
    assert rnd.state == RoundState.CANCELLED
    for m in moves:
        db.session.refresh(m)
        assert m.state == MoveState.WITHDRAWN
    assert notes.open_todo_count(principal) == 0
    # a cancelled round frees the county and year for a new one
    services.open_round(small.hr, small.county.id, rnd.year, today=rnd.wish_opens)
