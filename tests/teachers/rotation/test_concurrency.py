"""Two people decide the same move at once: exactly one decision takes effect, the other gets a
clear domain error (never a database error) — real threads, each with its own application context
and connection, against the test database (SQLite file, or PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

import threading

from sqlalchemy import select

from teachers.errors import DomainError
from teachers.extensions import db
from teachers.models import AuditEvent, MoveState, Role, RotationMove, User
from teachers.rotation import decisions
from tests import factories as f
from tests.teachers.rotation.test_workflow import solved_round


def _race(app, calls):
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = [""] * len(calls)

    def worker(i, call):
        with app.app_context():
            try:
                barrier.wait(5)
                call()
                db.session.commit()
                outcomes[i] = "ok"
            except DomainError as exc:
                db.session.rollback()
                outcomes[i] = "refused:" + exc.message
            except Exception as exc:  # noqa: BLE001 - the test reports any other failure
                db.session.rollback()
                outcomes[i] = f"error:{type(exc).__name__}:{exc}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


def test_two_principals_of_one_school_decide_at_once(app, small):
    rnd, run, _ = solved_round(small, wishes=False)
    move = decisions.publish(small.hr, rnd.id, run.id)[0]
    school = move.from_school
    deputy = f.user("deputy-principal", Role.PRINCIPAL, school_obj=school)
    first = small.principal_of(school.id)
    move_id, day, first_id, deputy_id = move.id, rnd.decision_opens, first.id, deputy.id
    db.session.commit()

    def approve():
        decisions.decide(db.session.get(User, first_id), move_id, True, today=day)

    def reject():
        decisions.decide(db.session.get(User, deputy_id), move_id, False, "本校不同意", today=day)

    outcomes = _race(app, [approve, reject])
    assert sorted(o.split(":")[0] for o in outcomes) == ["ok", "refused"], outcomes
    db.session.expire_all()
    row = db.session.get(RotationMove, move_id)
    decided = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "rotation.move.decide",
                                                          AuditEvent.object_id == str(move_id))).all()
    assert len(decided) == 1
    if outcomes[0] == "ok":
        assert row.sending_decision.value == "approved" and row.state == MoveState.PENDING_PRINCIPALS
    else:
        assert row.sending_decision.value == "rejected" and row.state == MoveState.REJECTED


def test_teacher_answers_twice_at_once(app, small):
    rnd, run, _ = solved_round(small, wishes=False)
    move = decisions.publish(small.hr, rnd.id, run.id)[0]
    decisions.decide(small.principal_of(move.from_school_id), move.id, True, today=rnd.decision_opens)
    decisions.decide(small.principal_of(move.to_school_id), move.id, True, today=rnd.decision_opens)
    user_id, move_id, day = small.teacher_users[move.teacher_id].id, move.id, rnd.answer_opens
    db.session.commit()

    def ack():
        decisions.answer(db.session.get(User, user_id), move_id, True, today=day)

    def obj():
        decisions.answer(db.session.get(User, user_id), move_id, False, "家庭困难", today=day)

    outcomes = _race(app, [ack, obj])
    assert sorted(o.split(":")[0] for o in outcomes) == ["ok", "refused"], outcomes
