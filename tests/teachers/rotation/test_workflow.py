"""The whole chain at service level: open → wishes → solve (thread) → publish → principals →
teacher → notice → confirm → carry-out on the start date (injected clock), and idempotence."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from teachers.errors import DomainError
from teachers.extensions import db
from teachers.models import (
    AssignmentKind,
    AuditEvent,
    MoveState,
    Notification,
    RotationMove,
    RoundState,
    SolveRun,
    Teacher,
    TeacherStatus,
)
from teachers.notifications import services as notes
from teachers.records.history import years_at_current_school
from teachers.rotation import adapter, carryout, decisions, jobs, services
from teachers.rotation.states import StaleState
from tests.teachers.rotation.conftest import TODAY


def solved_round(small, *, wishes: bool = True):
    """A round of the small county, wishes entered by one eligible teacher, solved and succeeded."""
    rnd = services.open_round(small.hr, small.county.id, 2027, today=TODAY)
    services.open_wishes(small.hr, rnd.id)
    wisher = None
    if wishes:
        for t in small.teachers:
            status = services.wish_status(small.teacher_users[t.id], rnd.id, today=TODAY)
            if status.eligible and status.allowed:
                wisher = t
                services.save_wishes(small.teacher_users[t.id], rnd.id, [status.allowed[0].id], today=TODAY)
                break
    services.close_wishes(small.hr, rnd.id)
    run = jobs.request_solve(small.hr, rnd.id, time_limit_s=5)
    db.session.commit()
    assert jobs.wait_for_thread(run.id, 60)
    db.session.expire_all()
    run = db.session.get(SolveRun, run.id)
    assert run.status.value == "succeeded", run.error
    return rnd, run, wisher


def test_full_chain_to_carry_out(small):
    rnd, run, wisher = solved_round(small)
    assert adapter.check_plan(run.instance, run.plan) == []
    assert any(t["wishes"] for t in run.instance["teachers"] if t["id"] == wisher.staff_no)

    moves = decisions.publish(small.hr, rnd.id, run.id)
    assert moves and db.session.get(type(rnd), rnd.id).state == RoundState.DECISIONS
    move = moves[0]
    sending, receiving = small.principal_of(move.from_school_id), small.principal_of(move.to_school_id)
    assert notes.open_todo_count(sending) >= 1 and notes.open_todo_count(receiving) >= 1
    day = rnd.decision_opens
    for m in moves:
        decisions.decide(small.principal_of(m.from_school_id), m.id, True, today=day)
        decisions.decide(small.principal_of(m.to_school_id), m.id, True, today=day)
    assert notes.open_todo_count(sending) == 0
    for m in moves:
        db.session.refresh(m)
        assert m.state == MoveState.PENDING_TEACHER
        user = small.teacher_users[m.teacher_id]
        assert notes.open_todo_count(user) == 1
        decisions.answer(user, m.id, True, today=rnd.answer_opens)
        assert notes.open_todo_count(user) == 0
    decisions.start_notice(small.hr, rnd.id, today=rnd.notice_opens)
    with pytest.raises(DomainError):
        decisions.confirm(small.hr, rnd.id, today=rnd.notice_closes)  # the notice is not over
    confirmed = decisions.confirm(small.hr, rnd.id, today=rnd.notice_closes + timedelta(days=1))
    assert len(confirmed) == len(moves)

    before_start = carryout.carry_out(on=rnd.start_date - timedelta(days=1))
    assert not before_start.changed
    first = carryout.carry_out(on=rnd.start_date)
    assert sorted(first.started) == sorted(m.id for m in moves) and first.rounds_done == [rnd.id]
    db.session.commit()
    counts = (db.session.scalar(select(func.count()).select_from(AuditEvent)),
              db.session.scalar(select(func.count()).select_from(Notification)))
    second = carryout.carry_out(on=rnd.start_date)
    assert not second.changed
    assert counts == (db.session.scalar(select(func.count()).select_from(AuditEvent)),
                      db.session.scalar(select(func.count()).select_from(Notification)))

    teacher = db.session.get(Teacher, move.teacher_id)
    db.session.refresh(teacher)
    assert teacher.working_school_id == move.to_school_id
    assert teacher.personnel_school_id == move.from_school_id
    assert teacher.status == TeacherStatus.ON_EXCHANGE
    assert teacher.assignments[-1].kind == AssignmentKind.EXCHANGE
    assert teacher.assignments[-1].start_date == rnd.start_date
    # next year's eligibility accounts for it: years at the current school restart
    assert years_at_current_school(teacher.assignments, teacher.working_school_id,
                                   rnd.start_date + timedelta(days=365)) < 1.01

    # the term ends: a return is recorded once
    db.session.refresh(move)
    after_term = move.term_ends + timedelta(days=1)
    back = carryout.carry_out(on=after_term)
    assert move.id in back.returned
    assert not carryout.carry_out(on=after_term).changed
    db.session.refresh(teacher)
    assert teacher.working_school_id == teacher.personnel_school_id
    assert teacher.status == TeacherStatus.ACTIVE
    assert teacher.assignments[-1].kind == AssignmentKind.RETURN


def test_rejection_then_replacement(small):
    rnd, run, _ = solved_round(small, wishes=False)
    moves = decisions.publish(small.hr, rnd.id, run.id)
    day = rnd.decision_opens
    target = moves[0]
    decisions.decide(small.principal_of(target.from_school_id), target.id, False, "本校缺数学教师", today=day)
    db.session.refresh(target)
    assert target.state == MoveState.REJECTED
    with pytest.raises(DomainError):
        decisions.decide(small.principal_of(target.to_school_id), target.id, True, today=day)
    replacement = decisions.request_replacements(small.hr, rnd.id, time_limit_s=5)
    db.session.commit()
    assert jobs.wait_for_thread(replacement.id, 60)
    db.session.expire_all()
    replacement = db.session.get(SolveRun, replacement.id)
    assert replacement.status.value == "succeeded", replacement.error
    forbidden = (target.teacher.staff_no, target.to_school.code)
    assert all((m["teacher"], m["to"]) != forbidden for m in replacement.plan["moves"])
    pinned = {(m.teacher.staff_no, m.to_school.code) for m in moves[1:]}
    assert pinned <= {(m["teacher"], m["to"]) for m in replacement.plan["moves"]}
    new = decisions.publish_replacements(small.hr, rnd.id, replacement.id)
    assert all(m.state == MoveState.PENDING_PRINCIPALS for m in new)
    live = db.session.scalars(select(RotationMove).where(RotationMove.round_id == rnd.id,
                                                         RotationMove.state != MoveState.REJECTED)).all()
    assert len({m.teacher_id for m in live}) == len(live)


def test_second_decision_on_the_same_side_is_stale(small):
    rnd, run, _ = solved_round(small, wishes=False)
    move = decisions.publish(small.hr, rnd.id, run.id)[0]
    principal = small.principal_of(move.from_school_id)
    decisions.decide(principal, move.id, True, today=rnd.decision_opens)
    with pytest.raises(StaleState):
        decisions.decide(principal, move.id, False, "改变主意", today=rnd.decision_opens)
