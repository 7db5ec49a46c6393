"""The bridge from the database to the pure solver: what it builds, and that a plan for the demo
county passes the independent checker."""

from __future__ import annotations

from datetime import date

from scheduling import check, rules
from scheduling.solve import solve
from teachers.demo import seed_demo
from teachers.extensions import db
from teachers.models import (
    Area,
    Assignment,
    AssignmentKind,
    Backbone,
    County,
    Degree,
    Gender,
    SchoolKind,
    Stage,
    TeacherStatus,
)
from teachers.rotation import adapter
from tests import factories as f


def _county_with_teachers():
    c = f.county("测试县", policy={"min_years_at_school": 5})
    town = f.school(c, "镇中心小学", area=Area.TOWN, pupils_primary=400, longitude=126.9, latitude=41.8)
    village = f.school(c, "村小", area=Area.RURAL, pupils_primary=80)
    senior = f.school(c, "一中", area=Area.URBAN, kind=SchoolKind.SENIOR, pupils_primary=0, pupils_senior=900)
    veteran = f.teacher(town, birth=date(1980, 5, 1), service_start=date(2015, 9, 1), backbone=Backbone.COUNTY,
                        degree=Degree.ASSOCIATE)
    newcomer = f.teacher(town, birth=date(1998, 5, 1), service_start=date(2023, 9, 1))
    near_retirement = f.teacher(village, birth=date(1975, 1, 1), gender=Gender.FEMALE,
                                service_start=date(1995, 9, 1), subject="体育")
    on_leave = f.teacher(village, birth=date(1990, 1, 1), service_start=date(2012, 9, 1),
                         status=TeacherStatus.MATERNITY_LEAVE)
    exchanged = f.teacher(town, birth=date(1985, 1, 1), service_start=date(2008, 9, 1), working=village,
                          status=TeacherStatus.ON_EXCHANGE)
    db.session.add(Assignment(teacher_id=exchanged.id, school_id=village.id, kind=AssignmentKind.EXCHANGE,
                              start_date=date(2025, 9, 1)))
    f.teacher(senior, stage=Stage.SENIOR, birth=date(1980, 1, 1))
    db.session.flush()
    return c, town, village, veteran, newcomer, near_retirement, on_leave, exchanged


def test_problem_maps_schools_teachers_and_county_policy(app):
    c, town, village, veteran, newcomer, near_retirement, on_leave, exchanged = _county_with_teachers()
    problem = adapter.county_problem(c, 2027)

    assert [s.id for s in problem.schools] == sorted([town.code, village.code])  # no senior high school
    assert problem.policy.min_years_at_school == 5  # the county's own setting, not the default
    assert problem.policy.cv_limit == {"primary": 0.50, "junior": 0.45}
    school = {s.id: s for s in problem.schools}
    assert school[town.code].area == "town" and school[town.code].location == (126.9, 41.8)
    assert school[village.code].students == {"primary": 80, "junior": 0}
    assert "体育" in school[village.code].required_subjects

    by_id = {t.id: t for t in problem.teachers}
    assert set(by_id) == {veteran.staff_no, newcomer.staff_no, near_retirement.staff_no, on_leave.staff_no,
                          exchanged.staff_no}
    v = by_id[veteran.staff_no]
    assert (v.school, v.years_at_school, v.backbone, v.above_required_degree) == (town.code, 12, "county", True)
    assert by_id[exchanged.staff_no].school == village.code  # counted where they work now
    assert by_id[exchanged.staff_no].years_at_school == 2

    excluded = rules.excluded(problem)
    assert veteran.staff_no not in excluded
    assert excluded[newcomer.staff_no] == "E1"
    assert excluded[on_leave.staff_no] == "E2"
    assert excluded[exchanged.staff_no] == "E1"  # two years at the host school fail E1 first
    assert excluded[near_retirement.staff_no] == "E3"  # 52 in 2027, women retire at 55, buffer 3


def test_outlook_uses_the_solver_rules(app):
    c, town, _village, veteran, newcomer, near_retirement, on_leave, exchanged = _county_with_teachers()
    outlook = adapter.rotation_outlook(c, 2027)
    assert outlook.eligible == {veteran.id: town.id}
    assert outlook.excluded == {newcomer.id: "E1", near_retirement.id: "E3", on_leave.id: "E2", exchanged.id: "E1"}
    assert (outlook.min_moves, outlook.max_moves, outlook.backbone_min, outlook.eligible_backbone) == (1, 1, 1, 1)


def test_a_plan_for_the_demo_county_keeps_every_rule(app):
    seed_demo()
    county = db.session.query(County).one()
    problem = adapter.county_problem(county, 2027)
    result = solve(problem, time_limit_s=10, workers=1, seed=0)
    assert result.status in ("optimal", "feasible")
    assert result.moves
    assert check.validate(problem, result) == []
    # Every teacher of the instance is either eligible or excluded with a code.
    assert len(rules.eligible_ids(problem)) + len(result.excluded) == len(problem.teachers)
