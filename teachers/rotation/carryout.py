"""Carrying a confirmed round out (``flask rotation carry-out [--on DATE]``, for a daily scheduler).

On or after the start date each confirmed move becomes an exchange: an EXCHANGE assignment at the
receiving school from the start date (the personnel school stays, 县管校聘), so the working school
and status 交流中 follow and rural service accumulates from the history. After the term (the day
before the start date plus ``term_years``, or later when HR extended it) a return is recorded.
Idempotent: each step is a state change of the move (compare-and-set), so a second run on the same
day finds nothing to do. The clock is injected (``on``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from teachers import audit, clock
from teachers.errors import DomainError, NotFound
from teachers.extensions import db
from teachers.models import MoveState, RotationMove, RotationRound, RoundState, User
from teachers.notifications.services import notify
from teachers.records import placements
from teachers.rotation.states import advance_move, advance_round


@dataclass
class CarryOutSummary:
    """What one run of carry-out did."""

    on: date
    started: list[int] = field(default_factory=list)  # move ids now carried out
    returned: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (move id, why)
    rounds_done: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.started or self.returned or self.rounds_done)


def term_end(start: date, years: int) -> date:
    """The last day of a term of ``years`` starting on ``start``."""
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:
        anniversary = date(start.year + years, 3, 1)
    return anniversary - timedelta(days=1)


def carry_out(on: date | None = None, actor: User | None = None) -> CarryOutSummary:
    """Start the exchanges of every confirmed round whose start date has come, and record the return
    of every exchange whose term has ended (see the module docstring). Flushes; the caller commits."""
    from teachers.rotation.decisions import _people

    day = clock.today(on)
    summary = CarryOutSummary(on=day)
    rounds = db.session.scalars(select(RotationRound).where(RotationRound.state == RoundState.CONFIRMED,
                                                            RotationRound.start_date <= day)
                                .order_by(RotationRound.id)).all()
    for rnd in rounds:
        moves = db.session.scalars(select(RotationMove).where(RotationMove.round_id == rnd.id,
                                                              RotationMove.state == MoveState.CONFIRMED)
                                   .order_by(RotationMove.id)).all()
        for move in moves:
            teacher = move.teacher
            if teacher.working_school_id != move.from_school_id:
                summary.skipped.append((move.id, "teacher no longer works at the sending school"))
                continue
            row = placements.start_exchange(teacher, move.to_school_id, rnd.start_date,
                                            note=f"{rnd.year}年城乡教师交流轮岗")
            advance_move(move, "carry_out", assignment_id=row.id, term_ends=term_end(rnd.start_date, rnd.term_years))
            audit.record(actor, "rotation.move.carry_out", move, {"teacher": teacher.staff_no, "on": day.isoformat(),
                                                                  "to": move.to_school_id},
                         actor_username=None if actor else "system")
            notify(_people(move), "rotation.move_changed", object_type="rotation_move", object_id=move.id,
                   params={"teacher": teacher.name, "state": MoveState.CARRIED_OUT.value})
            summary.started.append(move.id)
        skipped = {move_id for move_id, _why in summary.skipped}
        if not any(m.id in skipped for m in moves):  # a skipped move keeps the round open for a later run
            advance_round(rnd, "carry_out")
            audit.record(actor, "rotation.round.carried_out", rnd, {"on": day.isoformat()},
                         actor_username=None if actor else "system")
            summary.rounds_done.append(rnd.id)
    ending = db.session.scalars(select(RotationMove).where(RotationMove.state == MoveState.CARRIED_OUT,
                                                           RotationMove.term_ends < day)
                                .order_by(RotationMove.id)).all()
    for move in ending:
        back = placements.end_exchange(move.teacher, move.term_ends, note="交流期满返回")
        if back is None:
            summary.skipped.append((move.id, "no open exchange to end"))
            continue
        advance_move(move, "return")
        audit.record(actor, "rotation.move.return", move, {"teacher": move.teacher.staff_no,
                                                           "last_day": move.term_ends.isoformat()},
                     actor_username=None if actor else "system")
        summary.returned.append(move.id)
    return summary


def extend_exchange(actor: User, move_id: int, years: int, reason: str) -> RotationMove:
    """HR extends a running exchange by 1–3 years, with a reason (audited)."""
    from teachers.rotation.services import get_round_for_manage

    move = db.session.get(RotationMove, int(move_id))
    if move is None:
        raise NotFound(_("找不到该交流安排。"))
    get_round_for_manage(actor, move.round_id)
    if move.state != MoveState.CARRIED_OUT or move.term_ends is None:
        raise DomainError(_("只有正在进行的交流可以延期。"))
    try:
        years = int(years)
    except (TypeError, ValueError):
        raise DomainError(_("延期应为 1 至 3 年。"), field="years") from None
    if not 1 <= years <= 3:
        raise DomainError(_("延期应为 1 至 3 年。"), field="years")
    reason = (reason or "").strip()[:200]
    if not reason:
        raise DomainError(_("请填写延期原因。"), field="reason")
    before = move.term_ends
    move.term_ends = term_end(before + timedelta(days=1), years)
    db.session.flush()
    audit.record(actor, "rotation.move.extend", move, {"years": years, "reason": reason,
                                                       "term_ends": [before.isoformat(), move.term_ends.isoformat()]})
    return move
