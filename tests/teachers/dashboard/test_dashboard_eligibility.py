"""rotation_eligibility: E1–E3 under the county's effective policy, and the minimums derived from it."""

from datetime import date

from teachers.dashboard.services import rotation_eligibility
from teachers.extensions import db
from teachers.models import Area, Assignment, AssignmentKind, Backbone, Gender, SchoolKind, Stage, TeacherStatus
from teachers.records import placements
from tests import factories as f

YEAR = 2027


def build_county():
    """Three eligible teachers and one failing each of E1, E2, E3 (evaluated for 2027)."""
    c = f.county("临江市")
    urban = f.school(c, "建国小学", area=Area.URBAN)
    rural = f.school(c, "六道沟小学", area=Area.RURAL)
    people = {
        "ok1": f.teacher(urban, "甲", service_start=date(2010, 9, 1), backbone=Backbone.COUNTY),
        "ok2": f.teacher(urban, "乙", service_start=date(2015, 9, 1)),
        # Hired 2021-09-01: exactly 6 years on 2027-09-01 (the anniversary counts).
        "ok3": f.teacher(rural, "丙", service_start=date(2021, 9, 1), birth=date(1976, 5, 1)),
        "e1": f.teacher(rural, "丁", service_start=date(2023, 9, 1)),
        "e2": f.teacher(urban, "戊", service_start=date(2010, 9, 1), rotation_exempt=True,
                        rotation_exempt_reason="孕期"),
        # A man born 1970 is 57 in 2027: 60 − 3 = 57 is the first year without rotation.
        "e3": f.teacher(urban, "己", service_start=date(2000, 9, 1), birth=date(1970, 1, 1), gender=Gender.MALE),
    }
    return c, urban, rural, people


def test_three_eligible_with_reasons(app):
    c, _urban, rural, p = build_county()
    result = rotation_eligibility(c, YEAR)
    assert set(result.eligible) == {p["ok1"].id, p["ok2"].id, p["ok3"].id}
    assert result.excluded == {p["e1"].id: "E1", p["e2"].id: "E2", p["e3"].id: "E3"}
    assert result.eligible[p["ok3"].id] == rural.id
    assert result.eligible_backbone == 1
    assert result.min_moves == 1  # ceil(10 % of 3)
    assert result.max_moves == 1  # max(1, floor(15 % of 3))
    assert result.backbone_min == 1  # ceil(20 % of 1 move)
    assert result.excluded_by_rule() == {"E1": 1, "E2": 1, "E3": 1}


def test_county_policy_changes_the_outcome(app):
    c, _urban, _rural, p = build_county()
    c.policy = {"min_years_at_school": 3, "rotation_share": 0.5, "backbone_share_base": "eligible"}
    db.session.flush()
    result = rotation_eligibility(c, YEAR)
    assert p["e1"].id in result.eligible  # 4 years ≥ 3
    assert result.count == 4
    assert result.min_moves == 2  # ceil(0.5 × 4)
    assert result.backbone_min == 1  # ceil(0.2 × 4 eligible)


def test_one_year_earlier_the_anniversary_is_not_reached(app):
    c, _urban, _rural, p = build_county()
    result = rotation_eligibility(c, YEAR - 1)
    assert result.excluded[p["ok3"].id] == "E1"  # 5 years in 2026


def test_statuses_that_cannot_move_are_e2(app):
    c = f.county()
    s = f.school(c)
    for status in (TeacherStatus.SICK_LEAVE, TeacherStatus.MATERNITY_LEAVE, TeacherStatus.SECONDED):
        f.teacher(s, service_start=date(2005, 9, 1), status=status)
    # 交流中 comes from the one record of where a teacher works: an exchange posting to another school.
    away = f.teacher(f.school(c, area=Area.RURAL), service_start=date(2005, 9, 1))
    placements.start_exchange(away, s.id, date(YEAR - 7, 9, 1))  # long enough there that E1 holds
    assert away.status == TeacherStatus.ON_EXCHANGE and away.on_exchange
    retired = f.teacher(s, service_start=date(2005, 9, 1), status=TeacherStatus.RETIRED)
    senior = f.teacher(f.school(c, kind=SchoolKind.SENIOR, pupils_primary=0, pupils_senior=800),
                       stage=Stage.SENIOR, service_start=date(2005, 9, 1))
    active = f.teacher(s, service_start=date(2005, 9, 1))
    result = rotation_eligibility(c, YEAR)
    assert list(result.eligible) == [active.id]
    assert result.excluded_by_rule() == {"E1": 0, "E2": 4, "E3": 0}
    # Retired teachers and senior-high teachers are outside compulsory-education rotation altogether.
    assert retired.id not in result.excluded and senior.id not in result.excluded


def test_years_count_at_the_working_school_only(app):
    """A teacher posted on exchange to another school has no years there yet, whatever their hire date."""
    c = f.county()
    home = f.school(c, area=Area.URBAN)
    host = f.school(c, area=Area.RURAL)
    moved = f.teacher(home, service_start=date(2005, 9, 1), working=host)
    db.session.add(Assignment(teacher_id=moved.id, school_id=host.id, kind=AssignmentKind.EXCHANGE,
                              start_date=date(2025, 9, 1)))
    no_history = f.teacher(home, service_start=date(2005, 9, 1), history=False)
    db.session.flush()
    result = rotation_eligibility(c, YEAR)
    assert result.excluded == {moved.id: "E1", no_history.id: "E1"}


def test_other_counties_are_not_counted(app):
    c, *_ = build_county()
    other = f.county("白山市")
    f.teacher(f.school(other), service_start=date(2000, 9, 1))
    assert rotation_eligibility(c, YEAR).count == 3
    assert rotation_eligibility(other, YEAR).count == 1


def test_the_next_rotation_year_turns_on_1_september():
    from teachers.rotation.adapter import next_rotation_year

    assert next_rotation_year(date(2026, 8, 31)) == 2026
    assert next_rotation_year(date(2026, 9, 1)) == 2027
    assert next_rotation_year(date(2026, 11, 28)) == 2027
