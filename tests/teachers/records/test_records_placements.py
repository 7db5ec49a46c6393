"""One record of where a teacher works: the assignment history. 交流中 is derived from it (the
hybrid ``Teacher.on_exchange``), the status cannot claim an exchange the history does not hold (a
CHECK constraint), and the placement service writes exchanges and returns."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from teachers.errors import DomainError
from teachers.extensions import db
from teachers.models import Area, AssignmentKind, Role, Teacher, TeacherStatus
from teachers.records import placements, services
from tests import factories as f


def test_exchange_and_return_through_the_one_writer(app):
    c = f.county()
    home, host = f.school(c, area=Area.URBAN), f.school(c, area=Area.RURAL)
    t = f.teacher(home, service_start=date(2010, 9, 1))
    assert not t.on_exchange and t.status == TeacherStatus.ACTIVE
    placements.start_exchange(t, host.id, date(2027, 9, 1))
    assert (t.working_school_id, t.personnel_school_id, t.status) == (host.id, home.id, TeacherStatus.ON_EXCHANGE)
    assert t.on_exchange
    assert db.session.scalars(select(Teacher.id).where(Teacher.on_exchange)).all() == [t.id]
    back = placements.end_exchange(t, date(2030, 8, 31))
    assert back.kind == AssignmentKind.RETURN and back.start_date == date(2030, 9, 1)
    assert (t.working_school_id, t.status, t.on_exchange) == (home.id, TeacherStatus.ACTIVE, False)
    assert db.session.scalars(select(Teacher.id).where(Teacher.on_exchange)).all() == []
    assert placements.end_exchange(t, date(2031, 1, 1)) is None


def test_database_refuses_on_exchange_at_the_personnel_school(app):
    c = f.county()
    s = f.school(c)
    t = f.teacher(s)
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(sa.text("UPDATE teacher SET status = 'on_exchange' WHERE id = :id"), {"id": t.id})


def test_records_form_derives_the_status_from_the_placement(app):
    c = f.county()
    home, host = f.school(c, area=Area.URBAN), f.school(c, area=Area.RURAL)
    hr = f.user("hr-place", Role.HR, county_obj=c)
    t = f.teacher(home, service_start=date(2010, 9, 1))
    with pytest.raises(DomainError) as err:
        services.update_teacher(hr, t, {"status": "on_exchange"}, today=date(2027, 9, 1))
    assert err.value.field == "status"
    services.update_teacher(hr, t, {"working_school_id": host.id, "effective_date": "2027-09-01"},
                            today=date(2027, 9, 1))
    assert t.status == TeacherStatus.ON_EXCHANGE and t.on_exchange
    services.update_teacher(hr, t, {"working_school_id": home.id, "effective_date": "2029-09-01"},
                            today=date(2029, 9, 1))
    assert t.status == TeacherStatus.ACTIVE and not t.on_exchange
