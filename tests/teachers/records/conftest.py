"""A small county for the records tests: two counties, four schools, five teachers, one user per role."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from teachers.extensions import db
from teachers.models import Area, Assignment, AssignmentKind, Backbone, Role, SchoolKind, Stage, Tier
from tests import factories as f


@pytest.fixture(autouse=True)
def request_context(request):
    """Services translate their messages, and the app's locale selector reads the session: give them a request.

    Pure tests (ID numbers, history) use no app and get none.
    """
    if "app" not in request.fixturenames:
        yield
        return
    with request.getfixturevalue("app").test_request_context():
        yield


@pytest.fixture
def world(app):
    w = SimpleNamespace()
    w.county = f.county("临江市")
    w.other_county = f.county("长白县")
    w.a = f.school(w.county, "临江市第一小学", area=Area.URBAN, subdistrict="建国街道", staffing_quota=40)
    w.b = f.school(w.county, "花山镇中心小学", area=Area.RURAL, subdistrict="花山镇", staffing_quota=20)
    w.j = f.school(w.county, "临江市第二中学", area=Area.URBAN, kind=SchoolKind.JUNIOR, pupils_primary=0,
                   pupils_junior=500, subdistrict="建国街道")
    w.x = f.school(w.other_county, "长白县实验小学", area=Area.TOWN)
    w.t1 = f.teacher(w.a, "张晓明", staff_no="LJ0001", birth=date(1985, 3, 14), service_start=date(2008, 9, 1),
                     subject="数学", tier=Tier.BACKBONE, backbone=Backbone.COUNTY)
    w.t2 = f.teacher(w.b, "李红", staff_no="LJ0002", birth=date(1990, 6, 1), service_start=date(2012, 9, 1),
                     subject="语文")
    # Personnel relation at A, on exchange at rural B since 2022-09-01.
    w.t3 = f.teacher(w.a, "王刚", staff_no="LJ0003", birth=date(1980, 1, 20), service_start=date(2003, 9, 1),
                     subject="体育", working=w.b)
    db.session.add(Assignment(teacher_id=w.t3.id, school_id=w.b.id, kind=AssignmentKind.EXCHANGE,
                              start_date=date(2022, 9, 1)))
    w.t4 = f.teacher(w.j, "赵敏", staff_no="LJ0004", birth=date(1995, 11, 30), service_start=date(2018, 9, 1),
                     stage=Stage.JUNIOR, subject="英语")
    w.tx = f.teacher(w.x, "孙强", staff_no="CB0001", birth=date(1988, 8, 8), service_start=date(2010, 9, 1))
    w.hr = f.user("hr", Role.HR, county_obj=w.county)
    w.hr2 = f.user("hr2", Role.HR, county_obj=w.other_county)
    w.admin = f.user("admin", Role.ADMIN)
    w.inspector = f.user("inspector", Role.INSPECTOR, county_obj=w.county)
    w.principal = f.user("principal", Role.PRINCIPAL, school_obj=w.a, county_obj=w.county)
    w.principal_b = f.user("principal_b", Role.PRINCIPAL, school_obj=w.b, county_obj=w.county)
    w.me = f.user("teacher1", Role.TEACHER, teacher_obj=w.t1, county_obj=w.county)
    db.session.commit()
    return w
