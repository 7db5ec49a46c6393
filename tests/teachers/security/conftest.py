"""A small two-county world for the security tests: every role, a teacher with a known ID number."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from teachers.extensions import db
from teachers.models import Role
from tests import factories as f

BIRTH = date(1978, 10, 3)


@pytest.fixture
def sworld(app):
    w = SimpleNamespace()
    w.county = f.county("临江市", code="220681")
    w.other_county = f.county("抚松县", code="220621")
    w.school = f.school(w.county, "建国小学", code="LJ-P01")
    w.other_school = f.school(w.other_county, "抚松小学", code="FS-P01")
    w.teacher = f.teacher(w.school, "王丽", staff_no="LJ0001", birth=BIRTH,
                          id_number=f.id_number_for(BIRTH, 910), phone="13804391234")
    w.other_teacher = f.teacher(w.other_school, "李强", staff_no="FS0001")
    w.admin = f.user("admin", Role.ADMIN)
    w.hr = f.user("hr", Role.HR, county_obj=w.county)
    w.inspector = f.user("inspector", Role.INSPECTOR, county_obj=w.county)
    w.principal = f.user("principal", Role.PRINCIPAL, school_obj=w.school)
    w.own = f.user("LJ0001", Role.TEACHER, teacher_obj=w.teacher)
    db.session.commit()
    return w
