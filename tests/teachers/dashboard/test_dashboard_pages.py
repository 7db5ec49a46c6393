"""The home page per role: county figures for HR/admin/inspector, the school for a principal, the self for a teacher."""

import re
from datetime import date

import pytest

from teachers.extensions import db
from teachers.models import Area, Backbone, Role, SchoolKind, Stage, TeacherStatus, Tier
from tests import factories as f
from tests.conftest import login
from tests.teachers.dashboard.test_dashboard_eligibility import build_county


def stat(page: str, name: str) -> int:
    match = re.search(rf'id="{name}">(\d+)<', page)
    assert match, name
    return int(match.group(1))


def cell(page: str, row_label: str) -> int:
    """The count beside a row label in one of the breakdown tables (first match)."""
    match = re.search(rf'<th scope="row">{row_label}</th><td class="num">(\d+)</td>', page)
    assert match, row_label
    return int(match.group(1))


@pytest.fixture
def county_data(app):
    c, _urban, _rural, people = build_county()
    town = f.school(c, "镇中学", area=Area.TOWN, kind=SchoolKind.JUNIOR, pupils_primary=0, pupils_junior=400)
    f.teacher(town, stage=Stage.JUNIOR, tier=Tier.LEADER, backbone=Backbone.PROVINCE)
    f.teacher(town, stage=Stage.JUNIOR, status=TeacherStatus.RETIRED)  # not counted as staff
    f.school(c, "停办小学", active=False)
    f.school(c, "教学点", area=Area.RURAL, is_teaching_point=True)
    f.user("hr", Role.HR, county_obj=c)
    f.user("admin", Role.ADMIN)
    f.user("inspector", Role.INSPECTOR, county_obj=c)
    db.session.commit()
    return c, people


def test_anonymous_is_sent_to_login(client):
    resp = client.get("/")
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


@pytest.mark.parametrize("username", ["hr", "admin", "inspector"])
def test_county_dashboard_numbers(client, county_data, username):
    login(client, username)
    page = client.get("/?year=2027").get_data(as_text=True)
    assert "临江市 教师队伍概况" in page
    assert stat(page, "stat-schools") == 4  # the closed school is left out; the teaching point counts
    assert stat(page, "stat-teachers") == 7  # six in build_county + one junior teacher (retired excluded)
    assert stat(page, "stat-eligible") == 4  # 甲 乙 丙 and the junior leader (hired 2008)
    assert stat(page, "stat-min-moves") == 1  # ceil(0.1 × 4)
    assert stat(page, "stat-backbone-min") == 1
    assert "其中县级以上骨干 2 人" in page
    assert re.search(r'id="excluded-e1">1<', page) and re.search(r'id="excluded-e3">1<', page)
    assert cell(page, "城区") == 1  # first table: schools by area
    assert cell(page, "省级骨干") == 1
    assert cell(page, "县级骨干") == 1
    assert cell(page, "学科带头人") == 1
    assert cell(page, "初中") == 1
    assert 'href="/teachers"' in page


def test_county_breakdown_by_area(app, client, county_data):
    from sqlalchemy import select

    from teachers.dashboard.services import county_summary
    from teachers.models import User

    hr = db.session.scalar(select(User).where(User.username == "hr"))
    data = county_summary(hr, None, 2027)
    assert dict(data["schools_by_area"]) == {Area.URBAN: 1, Area.TOWN: 1, Area.RURAL: 2}
    # urban: 甲 乙 戊 己; rural: 丙 丁; town: one serving junior teacher
    assert dict(data["teachers_by_area"]) == {Area.URBAN: 4, Area.TOWN: 1, Area.RURAL: 2}
    assert dict(data["teachers_by_stage"])[Stage.PRIMARY] == 6
    # The tier is the latest award: the leader has one, the six others none (未入梯队).
    assert dict(data["teachers_by_tier"]) == {Tier.NEW: 0, Tier.YOUNG: 0, Tier.BACKBONE: 0, Tier.LEADER: 1, Tier.NONE: 6}
    assert dict(data["backbone_by_level"]) == {Backbone.SCHOOL: 0, Backbone.COUNTY: 1, Backbone.CITY: 0,
                                               Backbone.PROVINCE: 1}


def test_hr_of_one_county_cannot_see_another(client, county_data):
    other = f.county("白山市")
    f.school(other)
    db.session.commit()
    login(client, "hr")
    assert client.get(f"/?county={other.id}").status_code == 404
    # the admin has no county of their own and gets a selector
    client.post("/logout")
    login(client, "admin")
    page = client.get(f"/?county={other.id}").get_data(as_text=True)
    assert "白山市 教师队伍概况" in page
    assert 'name="county"' in page


def test_principal_sees_own_school(client, app):
    _c, urban, rural, _people = build_county()
    guest = f.teacher(rural, "客", service_start=date(2010, 9, 1), working=urban, subject="英语")
    f.user("principal", Role.PRINCIPAL, school_obj=urban)
    db.session.commit()
    login(client, "principal")
    page = client.get("/?year=2027").get_data(as_text=True)
    assert "<h1>建国小学</h1>" in page
    assert re.search(r'id="headcount">5<', page)  # 甲 乙 戊 己 + the guest from 六道沟小学
    assert cell(page, "英语") == 1 and cell(page, "数学") == 4
    assert "交流到本校的教师（1）" in page and "客" in page and "六道沟小学" in page
    eligible = page[page.index('id="eligible"'):]
    assert "甲" in eligible and "乙" in eligible
    assert "丙" not in eligible  # eligible, but at another school
    assert "戊" not in eligible and "己" not in eligible
    assert "客" not in eligible  # no assignment row at the working school yet: E1
    assert guest.id  # the guest counts in the headcount


def test_principal_exchange_out(client, app):
    _c, urban, rural, _people = build_county()
    f.teacher(urban, "出", working=rural)
    f.user("principal2", Role.PRINCIPAL, school_obj=urban)
    db.session.commit()
    login(client, "principal2")
    page = client.get("/").get_data(as_text=True)
    assert "本校交流出去的教师（1）" in page and "出" in page


def test_teacher_sees_own_summary(client, app):
    _c, _urban, _rural, people = build_county()
    me = people["ok2"]
    f.award(me, Tier.YOUNG, date(2017, 9, 1))
    f.user("teacher", Role.TEACHER, teacher_obj=me)
    db.session.commit()
    login(client, "teacher")
    page = client.get("/").get_data(as_text=True)
    assert "乙 的档案概要" in page
    assert "青年教师" in page and "建国小学" in page
    years = float(re.search(r'id="years-at-school">([\d.]+) 年<', page).group(1))
    assert abs(years - (date.today() - date(2015, 9, 1)).days / 365.25) < 0.1
    assert f'href="/teachers/{me.id}"' in page
    assert "教师队伍概况" not in page


def test_school_summary_lists_only_the_stages_the_school_teaches(app):
    from teachers.dashboard.services import school_summary

    county = f.county()
    nine_year = f.school(county, kind=SchoolKind.NINE_YEAR, pupils_primary=300, pupils_junior=100)
    f.teacher(nine_year, stage=Stage.JUNIOR)
    principal = f.user("p-nine", Role.PRINCIPAL, school_obj=nine_year)
    data = school_summary(principal, 2027)
    assert data["by_stage"] == [(Stage.PRIMARY, 0), (Stage.JUNIOR, 1)]
