"""Small builders for test data: each adds to the session, flushes and returns the object."""

from __future__ import annotations

import itertools
from datetime import date

from teachers.auth.services import hash_password
from teachers.extensions import db
from teachers.models import (
    Area,
    Assignment,
    AssignmentKind,
    Backbone,
    County,
    Degree,
    Gender,
    Role,
    School,
    SchoolKind,
    Stage,
    Teacher,
    User,
)
from teachers.records import idcard

PASSWORD = "Demo@2027"
_seq = itertools.count(1)
_password_hash: str | None = None


def _hash() -> str:
    global _password_hash
    _password_hash = _password_hash or hash_password(PASSWORD)
    return _password_hash


def id_number_for(birth: date, serial: int = 123) -> str:
    """A valid 18-digit 身份证号 (GB 11643 check digit) for a birth date."""
    body = f"220621{birth:%Y%m%d}{serial % 1000:03d}"
    return body + idcard.check_char(body)


def county(name: str = "临江市", code: str | None = None, **kw) -> County:
    obj = County(name=name, code=code or f"C{next(_seq)}", **kw)
    db.session.add(obj)
    db.session.flush()
    return obj


def school(county_obj: County, name: str | None = None, *, area: Area = Area.URBAN,
           kind: SchoolKind = SchoolKind.PRIMARY, pupils_primary: int = 600, pupils_junior: int = 0, **kw) -> School:
    n = next(_seq)
    obj = School(code=kw.pop("code", f"S{n:04d}"), name=name or f"测试第{n}小学", county_id=county_obj.id, area=area,
                 kind=kind, pupils_primary=pupils_primary, pupils_junior=pupils_junior, **kw)
    db.session.add(obj)
    db.session.flush()
    return obj


def teacher(school_obj: School, name: str | None = None, *, birth: date = date(1985, 3, 14),
            service_start: date = date(2008, 9, 1), stage: Stage = Stage.PRIMARY, subject: str = "数学",
            gender: Gender = Gender.FEMALE, degree: Degree = Degree.BACHELOR, backbone: Backbone = Backbone.NONE,
            working: School | None = None, history: bool = True, **kw) -> Teacher:
    n = next(_seq)
    obj = Teacher(
        staff_no=kw.pop("staff_no", f"T{n:06d}"), name=name or f"教师{n}", gender=gender, birth_date=birth,
        id_number=kw.pop("id_number", id_number_for(birth, n)), service_start=service_start,
        personnel_school_id=school_obj.id, working_school_id=(working or school_obj).id, stage=stage,
        subject=subject, degree=degree, backbone=backbone, **kw,
    )
    db.session.add(obj)
    db.session.flush()
    if history:
        db.session.add(Assignment(teacher_id=obj.id, school_id=school_obj.id, kind=AssignmentKind.HIRE,
                                  start_date=service_start))
        db.session.flush()
    return obj


def user(username: str, role: Role, *, school_obj: School | None = None, teacher_obj: Teacher | None = None,
         county_obj: County | None = None, active: bool = True) -> User:
    obj = User(username=username, display_name=username, password_hash=_hash(), role=role,
               school_id=school_obj.id if school_obj else None, teacher_id=teacher_obj.id if teacher_obj else None,
               county_id=county_obj.id if county_obj else None, active=active)
    db.session.add(obj)
    db.session.flush()
    return obj
