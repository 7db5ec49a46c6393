"""The one writer of where a teacher works (任职经历): exchanges start and end here.

The assignment history is the record; the teacher's ``working_school_id`` and the 交流中 status are
kept as what ``history.placement_on`` derives from it on the day of the change, written by this
service in the same flush, so an exchange never has to be kept in step by hand.
"""

from __future__ import annotations

from datetime import date, timedelta

from teachers.extensions import db
from teachers.models import Assignment, AssignmentKind, Teacher, TeacherStatus
from teachers.records.history import placement_on


def _sync(teacher: Teacher, day: date) -> None:
    db.session.flush()
    db.session.expire(teacher, ["assignments"])
    school_id, on_exchange = placement_on(teacher.assignments, day)
    if school_id is not None:
        teacher.working_school_id = school_id
    if on_exchange and teacher.status == TeacherStatus.ACTIVE:
        teacher.status = TeacherStatus.ON_EXCHANGE
    elif not on_exchange and teacher.status == TeacherStatus.ON_EXCHANGE:
        teacher.status = TeacherStatus.ACTIVE
    db.session.flush()


def open_exchange(teacher: Teacher) -> Assignment | None:
    """The teacher's open exchange row, if any."""
    return next((r for r in teacher.assignments if r.kind == AssignmentKind.EXCHANGE and r.end_date is None), None)


def start_exchange(teacher: Teacher, school_id: int, start: date, note: str = "") -> Assignment:
    """Open an exchange posting at ``school_id`` from ``start`` (the personnel school stays: 县管校聘);
    the working school and status follow. An open exchange elsewhere is closed the day before."""
    current = open_exchange(teacher)
    if current is not None:
        current.end_date = max(current.start_date, start - timedelta(days=1))
    row = Assignment(teacher_id=teacher.id, school_id=school_id, kind=AssignmentKind.EXCHANGE, start_date=start,
                     note=note[:200])
    db.session.add(row)
    _sync(teacher, start)
    return row


def end_exchange(teacher: Teacher, last_day: date, note: str = "") -> Assignment | None:
    """Close the open exchange on ``last_day`` and record the return to the personnel school the day
    after; the working school and status follow. None when no exchange is open."""
    current = open_exchange(teacher)
    if current is None:
        return None
    current.end_date = max(current.start_date, last_day)
    back = Assignment(teacher_id=teacher.id, school_id=teacher.personnel_school_id, kind=AssignmentKind.RETURN,
                      start_date=current.end_date + timedelta(days=1), note=note[:200])
    db.session.add(back)
    _sync(teacher, back.start_date)
    return back
