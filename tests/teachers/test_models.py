"""Model invariants held by the database itself (CHECK, UNIQUE, foreign keys), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError

from teachers.extensions import db
from teachers.models import Assignment, AssignmentKind, Role, SchoolKind, Stage, User
from tests import factories as f


def _fails(statement_or_callable):
    with pytest.raises((IntegrityError, StatementError)):
        if callable(statement_or_callable):
            statement_or_callable()
        else:
            db.session.execute(text(statement_or_callable))
        db.session.flush()
    db.session.rollback()


def test_a_principal_account_needs_a_school_and_a_teacher_account_a_record(app):
    db.session.add(User(username="p", password_hash="x", role=Role.PRINCIPAL))
    _fails(db.session.flush)
    db.session.add(User(username="t", password_hash="x", role=Role.TEACHER))
    _fails(db.session.flush)


def test_enums_are_checked_by_the_database(app):
    county = f.county()
    school = f.school(county)
    db.session.commit()
    _fails(f"UPDATE school SET area = 'city' WHERE id = {school.id}")
    _fails(f"UPDATE school SET kind = 'university' WHERE id = {school.id}")


def test_pupils_and_quota_cannot_be_negative(app):
    school = f.school(f.county())
    db.session.commit()
    _fails(f"UPDATE school SET pupils_primary = -1 WHERE id = {school.id}")
    _fails(f"UPDATE school SET staffing_quota = -5 WHERE id = {school.id}")


def test_staff_numbers_and_id_numbers_are_unique(app):
    school = f.school(f.county())
    first = f.teacher(school, staff_no="LJ0001")
    db.session.commit()
    _fails(lambda: f.teacher(school, staff_no="LJ0001"))
    _fails(lambda: f.teacher(school, id_number=first.id_number))


def test_an_assignment_cannot_end_before_it_starts(app):
    school = f.school(f.county())
    teacher = f.teacher(school)
    db.session.commit()
    db.session.add(Assignment(teacher_id=teacher.id, school_id=school.id, kind=AssignmentKind.TRANSFER,
                              start_date=date(2020, 9, 1), end_date=date(2020, 8, 31)))
    _fails(db.session.flush)


def test_foreign_keys_are_enforced(app):
    school = f.school(f.county())
    teacher = f.teacher(school)
    db.session.commit()
    _fails(f"UPDATE teacher SET working_school_id = 999999 WHERE id = {teacher.id}")


def test_school_stages_and_pupils(app):
    nine_year = f.school(f.county(), kind=SchoolKind.NINE_YEAR, pupils_primary=300, pupils_junior=120)
    assert nine_year.stages == (Stage.PRIMARY, Stage.JUNIOR)
    assert nine_year.pupils("junior") == 120 and nine_year.total_pupils == 420


def test_timestamps_come_back_in_utc(app):
    school = f.school(f.county())
    db.session.commit()
    db.session.expire_all()
    assert school.created_at.tzinfo is not None
    assert school.created_at.utcoffset() == UTC.utcoffset(None)
