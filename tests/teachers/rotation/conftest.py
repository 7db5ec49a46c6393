"""A small county for the rotation workflow: two urban and two rural primary schools with enough
long-serving teachers that a round is feasible, and the people who act in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from teachers.extensions import db
from teachers.models import Area, Backbone, County, Degree, Role, School, Teacher, User
from tests import factories as f

SUBJECTS = ["语文", "数学", "英语", "体育", "音乐", "美术", "语文", "数学", "科学", "语文"]
TODAY = date(2027, 5, 10)


@dataclass
class SmallCounty:
    county: County
    schools: list[School]
    teachers: list[Teacher]
    hr: User
    inspector: User
    principals: dict[int, User]  # school id → principal
    teacher_users: dict[int, User]  # teacher id → account

    def school(self, area: Area) -> School:
        return next(s for s in self.schools if s.area == area)

    def principal_of(self, school_id: int) -> User:
        return self.principals[school_id]


def build_small_county(name: str = "小县", per_school: int = 10) -> SmallCounty:
    c = f.county(name, policy={"solver_time_limit_s": 5})
    schools = [
        f.school(c, f"{name}城一小", area=Area.URBAN, pupils_primary=600, longitude=126.0, latitude=41.0),
        f.school(c, f"{name}城二小", area=Area.URBAN, pupils_primary=500, longitude=126.1, latitude=41.0),
        f.school(c, f"{name}甲村小", area=Area.RURAL, pupils_primary=300, longitude=126.3, latitude=41.2),
        f.school(c, f"{name}乙村小", area=Area.RURAL, pupils_primary=250, longitude=126.4, latitude=41.3),
    ]
    teachers = []
    for si, s in enumerate(schools):
        for i in range(per_school):
            urban = s.area == Area.URBAN
            teachers.append(f.teacher(
                s, subject=SUBJECTS[i % len(SUBJECTS)], birth=date(1980 + (i % 8), 3, 1),
                service_start=date(2010 + (i % 3), 9, 1),
                backbone=Backbone.COUNTY if (urban and i % 3 == 0) or (not urban and i == 0) else Backbone.NONE,
                degree=Degree.MASTER if urban and i % 2 == 0 else Degree.BACHELOR,
            ))
    hr = f.user(f"hr-{name}", Role.HR, county_obj=c)
    inspector = f.user(f"insp-{name}", Role.INSPECTOR, county_obj=c)
    principals = {s.id: f.user(f"pr-{name}-{s.code}", Role.PRINCIPAL, school_obj=s) for s in schools}
    teacher_users = {t.id: f.user(t.staff_no, Role.TEACHER, teacher_obj=t) for t in teachers}
    db.session.flush()
    return SmallCounty(c, schools, teachers, hr, inspector, principals, teacher_users)


@pytest.fixture
def small(app) -> SmallCounty:
    return build_small_county()
