"""The adapter reads a county's assignment history in one query of plain rows (the dashboard's and a
round's speed); every solver teacher it builds must equal the one built from the ORM collection."""

from __future__ import annotations

from datetime import date

from teachers import policy as policy_defaults
from teachers.extensions import db
from teachers.models import Teacher
from teachers.records import placements
from teachers.rotation import adapter


def test_bulk_history_builds_the_same_solver_teachers_as_the_orm_collection(small):
    movers = small.teachers[:3]
    away = small.schools[-1]
    placements.start_exchange(movers[0], away.id, date(2024, 9, 1))  # on exchange now
    placements.start_exchange(movers[1], away.id, date(2020, 9, 1))
    placements.end_exchange(movers[1], date(2022, 7, 31))  # came back: years restart
    db.session.commit()

    on = date(2027, 9, 1)
    problem = adapter.county_problem(small.county, 2027, on=on)
    values = policy_defaults.effective(small.county.policy)
    by_staff = {t.staff_no: t for t in db.session.scalars(db.select(Teacher))}
    assert len(problem.teachers) >= 10
    for solver_teacher in problem.teachers:
        t = by_staff[solver_teacher.id]
        assert adapter._solver_teacher(t, solver_teacher.school, values, on) == solver_teacher
    flags = {t.id: t.on_exchange for t in problem.teachers}
    assert flags[movers[0].staff_no] is True and flags[movers[1].staff_no] is False
    years = {t.id: t.years_at_school for t in problem.teachers}
    assert years[movers[1].staff_no] == 5  # 2022-08 … 2027-09 back at home, not since first hire
