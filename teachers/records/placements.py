"""The one writer of where a teacher works (任职经历): every assignment row is opened and closed here —
the hire, a transfer of the personnel school, an exchange posting and the return — whoever asks
(the teacher form, an import, the rotation carry-out). ``tests/test_architecture.py`` holds every
other module to it.

The assignment history is the record; the teacher's ``working_school_id`` and the 交流中 status are
kept as what ``history.placement_on`` derives from it on the day of the change, written by this
service in the same flush, so an exchange never has to be kept in step by hand.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import insert

from teachers import guard
from teachers.errors import DomainError
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


def hire_rows(teacher_id: int, school_id: int, start: date, *, working_school_id: int | None = None,
              posted: date | None = None) -> list[dict]:
    """The first rows of a new teacher, as column values: the HIRE at the personnel school ``school_id``
    from ``start`` and, when they work elsewhere (``working_school_id``), the EXCHANGE posting there from
    ``posted``."""
    rows = [{"teacher_id": teacher_id, "school_id": school_id, "kind": AssignmentKind.HIRE, "start_date": start}]
    if working_school_id is not None and working_school_id != school_id:
        rows.append({"teacher_id": teacher_id, "school_id": working_school_id, "kind": AssignmentKind.EXCHANGE,
                     "start_date": posted or start})
    return rows


def hire(teacher: Teacher, school_id: int, start: date, *, working_school_id: int | None = None,
         posted: date | None = None) -> list[Assignment]:
    """``hire_rows`` of one new teacher (the record form), written and the teacher's history reloaded."""
    rows = [Assignment(**values) for values in hire_rows(teacher.id, school_id, start,
                                                        working_school_id=working_school_id, posted=posted)]
    db.session.add_all(rows)
    db.session.flush()
    db.session.expire(teacher, ["assignments"])
    return rows


def hire_many(rows: list[dict]) -> None:
    """``hire_rows`` of many new teachers (an import) in one bulk insert, the flush's value guard applied
    to the rows first."""
    if rows:
        guard.check_values(Assignment, rows)
        db.session.execute(insert(Assignment), rows)


def relocate(teacher: Teacher, personnel_school_id: int, working_school_id: int, effective: date) -> list[Assignment]:
    """Close and open rows from ``effective`` so the history follows a new personnel school (a TRANSFER)
    and/or working school (an EXCHANGE posting, or a RETURN home); nothing when neither changes. The
    caller then sets the teacher's fields to the same values (the record form's edit)."""
    home_changed = personnel_school_id != teacher.personnel_school_id
    work_changed = working_school_id != teacher.working_school_id
    if not (home_changed or work_changed):
        return []
    rows = list(teacher.assignments)
    latest = max((r.start_date for r in rows), default=None)
    if latest is not None and effective <= latest:
        raise DomainError(_("生效日期应晚于最近一条任职记录的开始日期（%(d)s）。", d=latest.isoformat()),
                          field="effective_date")
    open_home = [r for r in rows if r.end_date is None and r.kind != AssignmentKind.EXCHANGE]
    open_away = [r for r in rows if r.end_date is None and r.kind == AssignmentKind.EXCHANGE]
    closing = effective - timedelta(days=1)
    opened: list[Assignment] = []

    def open_row(school_id: int, kind: AssignmentKind) -> None:
        opened.append(Assignment(teacher_id=teacher.id, school_id=school_id, kind=kind, start_date=effective))

    if home_changed:
        for row in open_home:
            row.end_date = closing
        open_row(personnel_school_id, AssignmentKind.TRANSFER)
    if working_school_id != personnel_school_id:
        keep = [r for r in open_away if r.school_id == working_school_id]
        for row in open_away:
            if row not in keep:
                row.end_date = closing
        if not keep:
            open_row(working_school_id, AssignmentKind.EXCHANGE)
    else:
        for row in open_away:
            row.end_date = closing
        if not home_changed:
            open_row(personnel_school_id, AssignmentKind.RETURN)
    db.session.add_all(opened)
    return opened


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
