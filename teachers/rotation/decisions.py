"""Decisions on a published plan: HR publishes a solve run's plan → each sending and receiving
principal approves or rejects each move touching their school (a rejection with a reason) → the
teacher acknowledges or objects (异议, with a reason) → HR rules on objections → public notice
(公示) → HR confirms the final list. Rejected and upheld moves can be replaced by a re-solve with
every other live move pinned; the replacements go through the same steps.

Order and windows are enforced here and in ``teachers.rotation.states`` (compare-and-set updates:
of two concurrent decisions on one move exactly one takes effect, the other gets ``StaleState``).
Every step is audited (who, when, why) and tells the people concerned (``notifications``).
Services flush, never commit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from teachers import audit, clock
from teachers.auth.permissions import county_clause, has_permission, users_reaching
from teachers.errors import DomainError, NotFound, PermissionDenied
from teachers.extensions import db
from teachers.models import (
    Answer,
    County,
    Decision,
    MoveState,
    Role,
    RotationMove,
    RotationRound,
    RoundState,
    Ruling,
    RunStatus,
    School,
    SolveRun,
    Teacher,
    User,
)
from teachers.models._types import utcnow
from teachers.notifications.services import close_todos, notify
from teachers.rotation import notices  # noqa: F401  (registers the notification kinds)
from teachers.rotation.states import (
    LIVE_MOVE_STATES,
    OPEN_MOVE_STATES,
    StaleState,
    advance_move,
    advance_round,
    check_round,
)

M = MoveState


# ------------------------------------------------------------------------------------------- people


def hr_users(county_id: int) -> list[User]:
    """Active HR accounts whose scope holds the county (its own and its prefecture's)."""
    county = db.session.get(County, county_id)
    if county is None:
        return []
    return list(db.session.scalars(select(User).where(User.role == Role.HR, User.active.is_(True),
                                                      users_reaching(county))))


def principals_of(school_id: int) -> list[User]:
    """Active principal accounts of a school."""
    return list(db.session.scalars(select(User).where(
        User.role == Role.PRINCIPAL, User.active.is_(True), User.school_id == school_id)))


def teacher_users(teacher_id: int) -> list[User]:
    """The teacher's own active account(s)."""
    return list(db.session.scalars(select(User).where(User.teacher_id == teacher_id, User.active.is_(True))))


def _people(move: RotationMove) -> list[User]:
    return principals_of(move.from_school_id) + principals_of(move.to_school_id) + teacher_users(move.teacher_id)


def _changed(move: RotationMove) -> None:
    db.session.refresh(move)
    notify(_people(move), "rotation.move_changed", object_type="rotation_move", object_id=move.id,
           params={"teacher": move.teacher.name, "state": move.state.value})


# -------------------------------------------------------------------------------------------- scope


def move_filter(user: User):
    """WHERE clause limiting ``RotationMove`` rows to the user's scope: HR/inspector/admin the
    counties of their scope (``county_clause``), a principal the moves leaving or entering their school, a teacher their own."""
    if user.role == Role.TEACHER:
        return RotationMove.teacher_id == (user.teacher_id or -1)
    if user.role == Role.PRINCIPAL:
        return or_(RotationMove.from_school_id == user.school_id, RotationMove.to_school_id == user.school_id)
    if not has_permission(user, "rotation.view"):
        return RotationMove.id == -1
    return RotationMove.round.has(RotationRound.county.has(county_clause(user)))


def get_move(user: User, move_id: int) -> RotationMove:
    """One move, if in the user's scope (NotFound otherwise)."""
    move = db.session.scalar(select(RotationMove).where(RotationMove.id == int(move_id), move_filter(user)))
    if move is None:
        raise NotFound(_("找不到该交流安排。"))
    return move


def list_moves(user: User, round_id: int | None = None, *, states: set[MoveState] | None = None
               ) -> list[RotationMove]:
    """Moves in the user's scope (of one round when given), by teacher's staff number."""
    stmt = select(RotationMove).join(Teacher, Teacher.id == RotationMove.teacher_id).where(move_filter(user))
    if round_id is not None:
        stmt = stmt.where(RotationMove.round_id == int(round_id))
    if states:
        stmt = stmt.where(RotationMove.state.in_(states))
    return list(db.session.scalars(stmt.order_by(Teacher.staff_no, RotationMove.id)))


def my_todo_moves(user: User) -> list[RotationMove]:
    """What waits for the user: a principal's undecided moves, a teacher's move to answer, HR's
    objections to rule on."""
    if user.role == Role.PRINCIPAL:
        return list(db.session.scalars(select(RotationMove).where(
            RotationMove.state == M.PENDING_PRINCIPALS,
            or_((RotationMove.from_school_id == user.school_id) & RotationMove.sending_decision.is_(None),
                (RotationMove.to_school_id == user.school_id) & RotationMove.receiving_decision.is_(None)))
            .order_by(RotationMove.id)))
    if user.role == Role.TEACHER:
        return list(db.session.scalars(select(RotationMove).where(
            RotationMove.teacher_id == (user.teacher_id or -1), RotationMove.state == M.PENDING_TEACHER)))
    if user.role == Role.HR:
        return list(db.session.scalars(select(RotationMove).where(move_filter(user), RotationMove.state == M.OBJECTED)
                                       .order_by(RotationMove.id)))
    return []


def _in_window(rnd: RotationRound, window: str, today: date) -> None:
    opens, closes = rnd.window(window)
    if not opens <= today <= closes:
        from teachers.rotation.services import window_label

        raise DomainError(_("“%(w)s”的时间为 %(a)s 至 %(b)s，现在不能办理。", w=window_label(window),
                            a=opens.isoformat(), b=closes.isoformat()))


# ------------------------------------------------------------------------------------------ publish


def _manage_round(actor: User, round_id: int) -> RotationRound:
    from teachers.rotation.services import get_round_for_manage

    return get_round_for_manage(actor, round_id)


def _create_moves(rnd: RotationRound, run: SolveRun, *, skip_teachers: set[int] = frozenset()) -> list[RotationMove]:
    plan = run.plan or {}
    staff = {t.staff_no: t for t in db.session.scalars(
        select(Teacher).where(Teacher.staff_no.in_([m["teacher"] for m in plan.get("moves", [])])))}
    schools = {s.code: s for s in db.session.scalars(select(School).where(School.county_id == rnd.county_id))}
    rows = []
    for m in plan.get("moves", []):
        teacher = staff.get(m["teacher"])
        if teacher is None or teacher.id in skip_teachers:
            continue
        facts = list(m.get("facts") or [])
        wish = next((f.get("wish") for f in facts if "wish" in f), None)
        km = next((f.get("km") for f in facts if "km" in f), None)
        rows.append(RotationMove(round_id=rnd.id, run_id=run.id, teacher_id=teacher.id,
                                 from_school_id=schools[m["from"]].id, to_school_id=schools[m["to"]].id,
                                 facts=facts, wish_rank=wish, km=km))
    db.session.add_all(rows)
    db.session.flush()
    return rows


def _ask_principals(rnd: RotationRound, moves: list[RotationMove]) -> None:
    for move in moves:
        db.session.refresh(move)
        params = {"teacher": move.teacher.name, "from_school": move.from_school.name,
                  "to_school": move.to_school.name, "closes": rnd.decision_closes.isoformat()}
        notify(principals_of(move.from_school_id) + principals_of(move.to_school_id), "rotation.move_decide",
               object_type="rotation_move", object_id=move.id, params=params, todo=True)


def _succeeded_run(rnd: RotationRound, run_id: int, purpose: str) -> SolveRun:
    run = db.session.get(SolveRun, int(run_id))
    if run is None or run.round_id != rnd.id:
        raise NotFound(_("找不到该求解记录。"))
    if run.status != RunStatus.SUCCEEDED or run.purpose != purpose:
        raise DomainError(_("只能发布已成功完成的求解方案。"))
    if (run.plan or {}).get("status") == "infeasible" or not (run.plan or {}).get("moves"):
        raise DomainError(_("该方案无解或没有交流安排，不能发布。"))
    return run


def publish(actor: User, round_id: int, run_id: int) -> list[RotationMove]:
    """HR publishes a solved plan (round ``planning`` → ``decisions``): one move row per exchange,
    each sending and receiving principal gets a to-do. Only a succeeded, feasible full solve."""
    rnd = _manage_round(actor, round_id)
    check_round(rnd, "publish")
    run = _succeeded_run(rnd, run_id, "full")
    advance_round(rnd, "publish", published_run_id=run.id)
    moves = _create_moves(rnd, run)
    _ask_principals(rnd, moves)
    audit.record(actor, "rotation.publish", rnd, {"run": run.id, "moves": len(moves)})
    return moves


# ---------------------------------------------------------------------------------------- principals


def decide(actor: User, move_id: int, approve: bool, reason: str = "", *, today: date | None = None) -> RotationMove:
    """A sending or receiving principal approves or rejects (reason required) a move touching their
    school, within the decision window. Exactly one of two concurrent decisions on the same side
    takes effect; the other raises StaleState. When both sides approved the teacher is asked; a
    rejection ends the move (HR may re-solve a replacement)."""
    if actor.role != Role.PRINCIPAL or not has_permission(actor, "rotation.decide"):
        raise PermissionDenied(_("只有交出或接收学校的校长可以审批。"))
    move = get_move(actor, move_id)
    rnd = move.round
    if rnd.state != RoundState.DECISIONS:
        raise DomainError(_("本轮当前不在审批阶段。"))
    _in_window(rnd, "decision", clock.today(today))
    reason = (reason or "").strip()[:200]
    if not approve and not reason:
        raise DomainError(_("不同意时请填写原因。"), field="reason")
    side = "sending" if move.from_school_id == actor.school_id else "receiving"
    decision = Decision.APPROVED if approve else Decision.REJECTED
    column = getattr(RotationMove, f"{side}_decision")
    result = db.session.execute(
        update(RotationMove).where(RotationMove.id == move.id, RotationMove.state == M.PENDING_PRINCIPALS,
                                   column.is_(None))
        .values({f"{side}_decision": decision, f"{side}_reason": reason, f"{side}_by_id": actor.id,
                 f"{side}_at": utcnow()}).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.expire(move)
        raise StaleState(_("这一交流已有审批结果（可能是他人刚刚处理），请刷新后查看。"))
    db.session.expire(move)
    audit.record(actor, "rotation.move.decide", move, {"side": side, "decision": decision.value, "reason": reason})
    close_todos("rotation.move_decide", object_type="rotation_move", object_id=move.id,
                users=principals_of(actor.school_id))
    if not approve:
        advance_move(move, "reject")
        close_todos("rotation.move_decide", object_type="rotation_move", object_id=move.id)
        _changed(move)
    elif move.sending_decision == Decision.APPROVED and move.receiving_decision == Decision.APPROVED:
        advance_move(move, "approve_both",
                     extra_where=(RotationMove.sending_decision == Decision.APPROVED,
                                  RotationMove.receiving_decision == Decision.APPROVED))
        notify(teacher_users(move.teacher_id), "rotation.move_answer", object_type="rotation_move",
               object_id=move.id, params={"to_school": move.to_school.name,
                                          "closes": rnd.answer_closes.isoformat()}, todo=True)
    return move


# ------------------------------------------------------------------------------------------ teachers


def answer(actor: User, move_id: int, acknowledge: bool, reason: str = "", *, today: date | None = None
           ) -> RotationMove:
    """The teacher acknowledges their move or files an objection (异议, reason required) within the
    answer window. An objection becomes a to-do for the county's HR."""
    if actor.role != Role.TEACHER or not has_permission(actor, "rotation.answer"):
        raise PermissionDenied(_("只有教师本人可以确认或提出异议。"))
    move = get_move(actor, move_id)
    rnd = move.round
    if rnd.state != RoundState.DECISIONS:
        raise DomainError(_("本轮当前不在确认阶段。"))
    _in_window(rnd, "answer", clock.today(today))
    reason = (reason or "").strip()[:200]
    if not acknowledge and not reason:
        raise DomainError(_("提出异议时请填写理由。"), field="reason")
    values: dict[str, Any] = {"answer": Answer.ACKNOWLEDGED if acknowledge else Answer.OBJECTED,
                              "answer_reason": reason, "answered_at": utcnow()}
    advance_move(move, "acknowledge" if acknowledge else "object", **values)
    audit.record(actor, "rotation.move.answer", move, {"answer": values["answer"].value, "reason": reason})
    close_todos("rotation.move_answer", object_type="rotation_move", object_id=move.id)
    if not acknowledge:
        notify(hr_users(rnd.county_id), "rotation.objection", object_type="rotation_move", object_id=move.id,
               params={"teacher": move.teacher.name, "reason": reason}, todo=True)
    _changed(move)
    return move


def rule_objection(actor: User, move_id: int, uphold: bool, reason: str) -> RotationMove:
    """HR rules on an objection: upheld (the move is dropped; a replacement may be re-solved) or
    dismissed (the move stands, accepted). A reason is required either way."""
    from teachers.rotation.services import get_round_for_manage

    move = db.session.get(RotationMove, int(move_id))
    if move is None:
        raise NotFound(_("找不到该交流安排。"))
    get_round_for_manage(actor, move.round_id)
    if move.round.state != RoundState.DECISIONS:
        raise DomainError(_("本轮当前不在裁决阶段。"))
    reason = (reason or "").strip()[:200]
    if not reason:
        raise DomainError(_("请填写裁决理由。"), field="reason")
    ruling = Ruling.UPHELD if uphold else Ruling.DISMISSED
    advance_move(move, "uphold" if uphold else "dismiss", ruling=ruling, ruling_reason=reason,
                 ruled_by_id=actor.id, ruled_at=utcnow())
    audit.record(actor, "rotation.move.rule", move, {"ruling": ruling.value, "reason": reason})
    close_todos("rotation.objection", object_type="rotation_move", object_id=move.id)
    _changed(move)
    return move


# --------------------------------------------------------------------------------- notice and confirm


def start_notice(actor: User, round_id: int, *, today: date | None = None) -> RotationRound:
    """decisions → notice (公示), once no move waits for a principal, a teacher or a ruling and the
    notice window has opened."""
    rnd = _manage_round(actor, round_id)
    check_round(rnd, "start_notice")
    waiting = db.session.scalar(select(RotationMove.id).where(RotationMove.round_id == rnd.id,
                                                              RotationMove.state.in_(OPEN_MOVE_STATES)).limit(1))
    if waiting:
        raise DomainError(_("还有交流安排在等待校长审批、教师确认或异议裁决，不能开始公示。"))
    day = clock.today(today)
    if day < rnd.notice_opens:
        raise DomainError(_("公示期从 %(d)s 开始。", d=rnd.notice_opens.isoformat()))
    if not db.session.scalar(select(RotationMove.id).where(RotationMove.round_id == rnd.id,
                                                           RotationMove.state == M.ACCEPTED).limit(1)):
        raise DomainError(_("没有可公示的交流安排。"))
    advance_round(rnd, "start_notice")
    audit.record(actor, "rotation.notice.start", rnd, {"on": day.isoformat()})
    notify(hr_users(rnd.county_id), "rotation.round_changed", object_type="rotation_round", object_id=rnd.id,
           params={"year": rnd.year, "state": RoundState.NOTICE.value})
    return rnd


def confirm(actor: User, round_id: int, *, today: date | None = None) -> list[RotationMove]:
    """notice → confirmed, after the notice window has closed: every accepted move becomes part of
    the final list (``confirmed``); it is carried out on the start date."""
    rnd = _manage_round(actor, round_id)
    check_round(rnd, "confirm")
    day = clock.today(today)
    if day <= rnd.notice_closes:
        raise DomainError(_("公示期至 %(d)s 结束，结束后才能确认名单。", d=rnd.notice_closes.isoformat()))
    moves = list(db.session.scalars(select(RotationMove).where(RotationMove.round_id == rnd.id,
                                                               RotationMove.state == M.ACCEPTED)))
    advance_round(rnd, "confirm")
    for move in moves:
        advance_move(move, "confirm")
        _changed(move)
    audit.record(actor, "rotation.confirm", rnd, {"moves": len(moves)})
    return moves


def withdraw_open_moves(rnd: RotationRound) -> int:
    """Withdraw every move of the round still waiting or accepted (the round is cancelled)."""
    moves = list(db.session.scalars(select(RotationMove).where(
        RotationMove.round_id == rnd.id,
        RotationMove.state.in_((M.PENDING_PRINCIPALS, M.PENDING_TEACHER, M.OBJECTED, M.ACCEPTED)))))
    for move in moves:
        advance_move(move, "withdraw")
        for kind in ("rotation.move_decide", "rotation.move_answer", "rotation.objection"):
            close_todos(kind, object_type="rotation_move", object_id=move.id)
    return len(moves)


# -------------------------------------------------------------------------------------- replacements


def replacement_basis(rnd: RotationRound) -> tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]:
    """(pins, forbids) for a re-solve of the round's dropped moves: every live move pinned, every
    rejected or upheld move forbidden (the teacher may still be proposed elsewhere)."""
    moves = list(db.session.scalars(select(RotationMove).where(RotationMove.round_id == rnd.id)))
    pins = tuple((m.teacher_id, m.to_school_id) for m in moves if m.state in LIVE_MOVE_STATES)
    forbids = tuple((m.teacher_id, m.to_school_id) for m in moves if m.state in (M.REJECTED, M.UPHELD))
    return pins, forbids


def request_replacements(actor: User, round_id: int, *, time_limit_s: float | None = None) -> SolveRun:
    """Re-solve the round with every live move pinned and the rejected/upheld moves forbidden
    (a job, like any solve). Refused when nothing was rejected or upheld."""
    from teachers.rotation import jobs

    rnd = _manage_round(actor, round_id)
    pins, forbids = replacement_basis(rnd)
    if not forbids:
        raise DomainError(_("没有被否决或异议成立的交流，无需重新求解。"))
    return jobs.request_solve(actor, rnd.id, time_limit_s=time_limit_s, extra_pins=pins, extra_forbids=forbids,
                              purpose="replace")


def publish_replacements(actor: User, round_id: int, run_id: int) -> list[RotationMove]:
    """Publish the new moves of a replacement solve (moves already live are kept as they are); the
    principals concerned are asked again."""
    rnd = _manage_round(actor, round_id)
    if rnd.state != RoundState.DECISIONS:
        raise DomainError(_("本轮当前不在审批阶段。"))
    run = _succeeded_run(rnd, run_id, "replace")
    live = set(db.session.scalars(select(RotationMove.teacher_id).where(
        RotationMove.round_id == rnd.id, RotationMove.state.in_(LIVE_MOVE_STATES))))
    moves = _create_moves(rnd, run, skip_teachers=live)
    if not moves:
        raise DomainError(_("重新求解没有产生新的交流安排。"))
    _ask_principals(rnd, moves)
    audit.record(actor, "rotation.publish_replacements", rnd, {"run": run.id, "moves": len(moves)})
    return moves
