"""Seeding the demo county: deterministic output, refusal to touch a database that holds data, the CLI."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from sqlalchemy import func, select

from teachers import demo, policy
from teachers.demo import DatabaseNotEmpty, generate, seed_demo
from teachers.extensions import db
from teachers.models import Area, Assignment, County, School, Stage, Teacher, User
from tests import factories as f

COUNTED = (County, School, Teacher, User, Assignment)


def _counts() -> dict[str, int]:
    return {m.__name__: db.session.scalar(select(func.count(m.id))) for m in COUNTED}


def _digest() -> str:
    rows = db.session.execute(
        select(Teacher.staff_no, Teacher.name, Teacher.id_number, School.code, Teacher.birth_date,
               Teacher.backbone, Teacher.status)
        .join(School, Teacher.personnel_school_id == School.id).order_by(Teacher.staff_no)).all()
    assert rows
    return hashlib.sha256(repr([tuple(str(v) for v in r) for r in rows]).encode()).hexdigest()


def test_id_number_helper_follows_gb11643():
    # The worked example of GB 11643-1999.
    assert demo.id_number("110105", date(1949, 12, 31), 2) == "11010519491231002X"
    assert demo.id_number("220681", date(1980, 1, 1), 1) == "220681198001010015"  # 205 mod 11 = 7


def test_staffing_quota_follows_the_policy_standard():
    # Since 2014 every area uses the city standard (primary 1:19, junior 1:13.5, senior 1:12.5).
    assert demo.staffing_quota(Area.URBAN, {Stage.PRIMARY: 190}) == 10
    assert demo.staffing_quota(Area.RURAL, {Stage.PRIMARY: 231}) == 13
    assert demo.staffing_quota(Area.TOWN, {Stage.PRIMARY: 210, Stage.JUNIOR: 160}) == 12 + 12
    assert demo.staffing_quota(Area.URBAN, {Stage.SENIOR: 125}) == 10


def test_staffing_quota_uses_the_county_settings():
    # A county that keeps the 2001 rural standard (1:23) gets fewer posts.
    values = {**policy.DEFAULTS, "pupils_per_staff_primary_rural": 23}
    assert demo.staffing_quota(Area.RURAL, {Stage.PRIMARY: 231}, values) == 11


def test_generation_does_not_depend_on_the_seed_run():
    first, second = generate(), generate()
    key = [(t.staff_no, t.name, t.id_number, t.school, t.birth_date, t.backbone) for t in first.teachers]
    assert key == [(t.staff_no, t.name, t.id_number, t.school, t.birth_date, t.backbone) for t in second.teachers]
    other = generate(seed=demo.DEMO_SEED + 1)
    assert [t.id_number for t in other.teachers] != [t.id_number for t in first.teachers]


def test_seeding_two_fresh_databases_gives_the_same_county(app):
    seed_demo()
    first = _digest()
    db.session.rollback()  # back to a fresh, empty database (the seed only flushed)
    assert _counts() == dict.fromkeys(_counts(), 0)
    seed_demo()
    assert _digest() == first


def test_refuses_a_database_with_data_and_the_cli_reports_it(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "seed-demo:" in result.output and "teachers" in result.output
    seeded = _counts()
    assert seeded["Teacher"] >= 900

    with pytest.raises(DatabaseNotEmpty) as info:
        seed_demo()
    assert "空数据库" in str(info.value) and "empty database" in str(info.value)
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code != 0 and "空数据库" in again.output
    polite = runner.invoke(args=["seed-demo", "--if-empty"])
    assert polite.exit_code == 0 and "nothing done" in polite.output
    db.session.rollback()
    assert _counts() == seeded


@pytest.mark.parametrize("existing", ["user", "county"])
def test_refuses_when_any_single_row_exists(app, existing):
    if existing == "user":
        from teachers.models import Role

        f.user("someone", Role.ADMIN)
    else:
        f.county(name="某县", code="999999")
    db.session.commit()
    before = _counts()
    with pytest.raises(DatabaseNotEmpty):
        seed_demo()
    assert _counts() == before
