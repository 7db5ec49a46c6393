"""The seeded demo county: counts, named schools, valid identities, realistic shapes, accounts.

The county is seeded once for the module (seeding is the slow part); every test here only reads.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from teachers import policy
from teachers.demo import REFERENCE_DATE, seed_demo
from teachers.extensions import db
from teachers.models import (
    Area,
    Assignment,
    AssignmentKind,
    Backbone,
    County,
    Honour,
    Role,
    School,
    SchoolKind,
    Stage,
    Teacher,
    TeacherStatus,
    Tier,
    User,
)
from teachers.models.development import BACKBONE_KINDS
from teachers.records import history as history_rules
from tests.conftest import _truncate_all, login, make_app

# Written out here, not imported, so a slip in the model's table cannot hide a slip in the seed.
STAGES_OF_KIND = {
    SchoolKind.PRIMARY: {Stage.PRIMARY}, SchoolKind.JUNIOR: {Stage.JUNIOR},
    SchoolKind.NINE_YEAR: {Stage.PRIMARY, Stage.JUNIOR}, SchoolKind.SENIOR: {Stage.SENIOR},
    SchoolKind.VOCATIONAL: {Stage.VOCATIONAL}, SchoolKind.KINDERGARTEN: {Stage.PRESCHOOL},
}
SUBDISTRICTS = {"大栗子街道", "建国街道", "新市街道", "兴隆街道", "森工街道", "大湖街道"}
TOWNS = {"花山镇", "六道沟镇", "苇沙河镇", "闹枝镇", "四道沟镇", "蚂蚁河镇", "错草乡"}


@pytest.fixture(scope="module")
def seeded(database_template, tmp_path_factory):
    app = make_app(database_template, tmp_path_factory.mktemp("demo_county"))
    with app.app_context():
        summary = seed_demo()
        db.session.commit()
        db.session.remove()
    yield app, summary
    with app.app_context():
        if isinstance(database_template, str):
            _truncate_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def context(seeded):
    """A fresh application context per test, so no logged-in user or session leaks between tests."""
    with seeded[0].app_context():
        yield
        db.session.remove()


@pytest.fixture
def summary(seeded):
    return seeded[1]


def _id_number_valid(value: str) -> bool:
    """GB 11643-1999: weights 2^(17-i) mod 11 over the first 17 digits; check = (12 - sum mod 11) mod 11."""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    total = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(value[:17]))
    check = (12 - total % 11) % 11
    return value[17] == ("X" if check == 10 else str(check))


def _full_years(start: date, end: date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def test_counts_county_and_named_schools(summary):
    county = db.session.scalars(select(County)).one()
    assert (county.name, county.code, county.prefecture, county.province) == ("临江市", "220681", "白山市", "吉林省")
    assert county.policy == {"training_cycle_start_year": 2025}  # defaults, but a cycle that began in 2025
    schools = db.session.scalars(select(School)).all()
    regular = [s for s in schools if not s.is_teaching_point]
    points = [s for s in schools if s.is_teaching_point]
    assert 22 <= len(regular) <= 28
    assert 12 <= len(points) <= 18
    teachers = db.session.scalar(select(func.count(Teacher.id)))
    assert 900 <= teachers <= 1500
    assert summary["teachers"] == teachers and summary["schools"] == len(schools)
    assert summary["assignments"] == db.session.scalar(select(func.count(Assignment.id)))
    assert summary["users"] == db.session.scalar(select(func.count(User.id)))

    by_name = {s.name: s for s in schools}
    first = next(s for n, s in by_name.items() if "第一中学" in n)
    assert first.kind == SchoolKind.SENIOR and first.area == Area.URBAN
    for part in ("第二中学", "光华中学", "建国小学", "职业技术学校"):
        assert any(part in n for n in by_name), part
    assert {s.subdistrict for s in schools} == SUBDISTRICTS | TOWNS
    assert {s.kind for s in regular} >= {SchoolKind.PRIMARY, SchoolKind.JUNIOR, SchoolKind.NINE_YEAR,
                                        SchoolKind.SENIOR, SchoolKind.VOCATIONAL}
    for s in schools:
        assert re.fullmatch(r"[A-Za-z0-9-]{3,16}", s.code), s.code
        assert 126.3 < s.longitude < 127.5 and 41.4 < s.latitude < 42.3
        assert s.principal_name and s.school_district
        assert s.total_pupils > 0 and s.staffing_quota > 0
        if s.subdistrict in SUBDISTRICTS:
            assert s.area == Area.URBAN, s.name
        if s.is_teaching_point:
            central = s.central_school
            assert central is not None and not central.is_teaching_point and central.subdistrict == s.subdistrict
            assert s.area == Area.RURAL and s.kind == SchoolKind.PRIMARY and 5 <= s.pupils_primary <= 60
        elif s.subdistrict.endswith("镇") and "中心" in s.name:
            assert s.area == Area.TOWN, s.name
    # Staffing quota follows the ratio of the area: a big city primary school gets pupils/19 posts.
    jianguo = next(s for n, s in by_name.items() if "建国小学" in n)
    assert jianguo.staffing_quota == -(-jianguo.pupils_primary // 19)


def test_every_id_number_is_valid_and_matches_the_person(seeded):
    rows = db.session.execute(select(Teacher.id_number, Teacher.birth_date, Teacher.gender)).all()
    assert len({r.id_number for r in rows}) == len(rows)
    for number, birth, gender in rows:
        assert _id_number_valid(number), number
        assert number[:6] == "220681"
        assert number[6:14] == birth.strftime("%Y%m%d")
        assert int(number[16]) % 2 == (1 if gender.value == "M" else 0)
    assert not _id_number_valid("220681198001010011")  # the checker itself can say no


def test_stage_subject_and_dates_are_consistent(seeded):
    teachers = db.session.scalars(select(Teacher)).all()
    for t in teachers:
        assert t.stage in STAGES_OF_KIND[t.personnel_school.kind], t.staff_no
        assert t.stage in STAGES_OF_KIND[t.working_school.kind], t.staff_no
        assert t.subject and t.subject not in t.other_subjects
        assert 20 <= _full_years(t.birth_date, t.service_start) <= 25, t.staff_no
        assert t.service_start <= REFERENCE_DATE
        service = _full_years(t.service_start, REFERENCE_DATE)
        assert (t.tier == Tier.NEW) == (service <= 2), t.staff_no
        if 3 <= service <= 5:
            assert t.tier == Tier.YOUNG
        if t.tier == Tier.LEADER:
            assert t.backbone in (Backbone.COUNTY, Backbone.CITY, Backbone.PROVINCE)
        if t.tier == Tier.BACKBONE:
            assert t.backbone != Backbone.NONE, t.staff_no
        if t.tier == Tier.NONE:
            assert service > 5 and t.backbone == Backbone.NONE, t.staff_no
        # The backbone level is derived from honours, each recognised after the start of service.
        recognised = db.session.scalars(select(Honour.recognised_on).where(
            Honour.teacher_id == t.id, Honour.kind.in_(BACKBONE_KINDS))).all()
        assert (t.backbone == Backbone.NONE) == (not recognised)
        assert all(t.service_start < day < REFERENCE_DATE for day in recognised), t.staff_no
        if t.rotation_exempt:
            assert t.rotation_exempt_reason
    senior_subjects = {t.subject for t in teachers if t.stage == Stage.SENIOR}
    assert {"物理", "化学", "生物", "历史", "地理", "政治"} <= senior_subjects
    women = Counter((t.stage, t.gender.value) for t in teachers)
    assert women[(Stage.PRIMARY, "F")] > 2 * women[(Stage.PRIMARY, "M")]
    assert any(t.other_subjects for t in teachers if t.working_school.area == Area.RURAL)
    statuses = Counter(t.status for t in teachers)
    assert statuses[TeacherStatus.ACTIVE] > 0.85 * len(teachers)
    for status in (TeacherStatus.SICK_LEAVE, TeacherStatus.MATERNITY_LEAVE, TeacherStatus.SECONDED,
                   TeacherStatus.ON_EXCHANGE):
        assert statuses[status] >= 3, status
    assert 5 <= sum(t.rotation_exempt for t in teachers) <= 0.1 * len(teachers)


def test_urban_schools_are_richer_than_rural(seeded):
    values = policy.effective({})
    share: dict[Area, dict[str, float]] = {}
    for area in (Area.URBAN, Area.RURAL):
        teachers = db.session.scalars(
            select(Teacher).join(School, Teacher.personnel_school_id == School.id)
            .where(School.area == area, Teacher.stage.in_([Stage.PRIMARY, Stage.JUNIOR]))).all()
        primary = [t for t in teachers if t.stage == Stage.PRIMARY]
        share[area] = {
            "backbone": sum(t.backbone in (Backbone.COUNTY, Backbone.CITY, Backbone.PROVINCE)
                            for t in teachers) / len(teachers),
            # Indicator L1 for primary schools (the only stage villages teach): above the required degree.
            "l1_primary": sum(policy.above_required_degree(t.degree.value, "primary", values)
                              for t in primary) / len(primary),
            "bachelor": sum(t.degree.value in ("bachelor", "master", "doctor") for t in teachers) / len(teachers),
        }
    assert share[Area.URBAN]["backbone"] > 2 * share[Area.RURAL]["backbone"]
    assert share[Area.URBAN]["l1_primary"] > share[Area.RURAL]["l1_primary"] + 0.1
    assert share[Area.URBAN]["bachelor"] > share[Area.RURAL]["bachelor"] + 0.3
    urban_size = db.session.scalar(select(func.avg(School.pupils_primary)).where(
        School.area == Area.URBAN, School.kind == SchoolKind.PRIMARY))
    rural_size = db.session.scalar(select(func.avg(School.pupils_primary)).where(
        School.area == Area.RURAL, School.kind == SchoolKind.PRIMARY))
    assert urban_size > 4 * rural_size


def test_assignment_history_explains_the_current_schools(seeded):
    teachers = {t.id: t for t in db.session.scalars(select(Teacher))}
    rows: dict[int, list[Assignment]] = {}
    for a in db.session.scalars(select(Assignment).order_by(Assignment.teacher_id, Assignment.start_date)):
        rows.setdefault(a.teacher_id, []).append(a)
    assert rows.keys() == teachers.keys()
    long_here = 0
    for tid, history in rows.items():
        t = teachers[tid]
        assert history[0].kind == AssignmentKind.HIRE and history[0].start_date == t.service_start
        assert [a.kind for a in history].count(AssignmentKind.HIRE) == 1
        home = [a for a in history if a.kind != AssignmentKind.EXCHANGE or a.end_date is not None]
        for before, after in itertools.pairwise(home):
            assert before.end_date is not None and (after.start_date - before.end_date).days == 1
            if after.kind == AssignmentKind.RETURN:
                assert before.kind == AssignmentKind.EXCHANGE and after.school_id != before.school_id
        # The home placement is open at the personnel school; an exchange posting is laid over it.
        assert home[-1].end_date is None and home[-1].school_id == t.personnel_school_id
        running = [a for a in history if a.kind == AssignmentKind.EXCHANGE and a.end_date is None]
        if t.status == TeacherStatus.ON_EXCHANGE:
            assert len(running) == 1 and running[0].school_id == t.working_school_id != t.personnel_school_id
            assert running[0].start_date > home[-1].start_date
            assert _full_years(home[-1].start_date, running[0].start_date) >= 6
        else:
            assert not running and t.working_school_id == t.personnel_school_id
            years = history_rules.years_at_current_school(history, t.personnel_school_id, REFERENCE_DATE)
            long_here += years >= 6
    assert 0.35 <= long_here / len(teachers) <= 0.50
    kinds = Counter(a.kind for history in rows.values() for a in history)
    assert kinds[AssignmentKind.TRANSFER] > 100 and kinds[AssignmentKind.RETURN] > 10
    # Rural service accrues from the rows: some teachers who work in town now started in a village.
    area = dict(db.session.execute(select(School.id, School.area)).all())
    town_with_rural_past = [t for t in teachers.values() if t.personnel_school.area != Area.RURAL
                            and history_rules.rural_service_years(rows[t.id], area, REFERENCE_DATE) >= 1]
    assert len(town_with_rural_past) > 50


def test_accounts_roles_and_scopes(seeded):
    users = {u.username: u for u in db.session.scalars(select(User))}
    county = db.session.scalars(select(County)).one()
    assert users["admin"].role == Role.ADMIN
    assert (users["hr"].role, users["hr"].county_id) == (Role.HR, county.id)
    assert (users["inspector"].role, users["inspector"].county_id) == (Role.INSPECTOR, county.id)
    for school in db.session.scalars(select(School)):
        principal = users[f"principal-{school.code}"]
        assert principal.role == Role.PRINCIPAL and principal.school_id == school.id
        assert principal.display_name == school.principal_name
    for t in db.session.scalars(select(Teacher)):
        account = users[t.staff_no]
        assert (account.role, account.teacher_id, account.display_name) == (Role.TEACHER, t.id, t.name)
    hashes = {u.password_hash for u in users.values()}
    assert len(hashes) == 1 and check_password_hash(hashes.pop(), "Demo@2027")
    assert all(u.active for u in users.values())


@pytest.mark.parametrize("username", ["hr", "principal-LJ-P01", "principal-LJ-T01", "first-teacher"])
def test_demo_accounts_log_in(seeded, username):
    app = seeded[0]
    if username == "first-teacher":
        username = db.session.scalar(select(User.username).where(User.role == Role.TEACHER).order_by(User.id))
    client = app.test_client()
    assert login(client, username, "wrong-password").status_code == 200
    response = login(client, username)
    assert response.status_code == 302
    assert "/login" not in response.headers["Location"]
    # Logged in now: the login page sends the user on.
    assert client.get("/login").status_code == 302


# ------------------------------------------------------------------------------ teacher development


def test_catalogue_has_every_level_and_mode_with_enrolments_and_completions(summary):
    from teachers.models import DeliveryMode, Enrolment, Programme, ProgrammeLevel, TrainingRecord, TrainingSource

    programmes = db.session.scalars(select(Programme)).all()
    assert summary["programmes"] == len(programmes) and summary["enrolments"] == db.session.scalar(
        select(func.count(Enrolment.id)))
    assert {p.level for p in programmes} == set(ProgrammeLevel)
    assert {p.mode for p in programmes} == set(DeliveryMode)
    assert any(p.credits and p.hours is None for p in programmes)  # a provider that counts in credits
    assert all(p.provider and p.target and p.end_on >= p.start_on for p in programmes)
    enrolled = Counter(db.session.scalars(select(Enrolment.programme_id)))
    past = [p for p in programmes if p.end_on < REFERENCE_DATE]
    future = [p for p in programmes if p.start_on > REFERENCE_DATE]
    assert past and future and all(enrolled[p.id] for p in programmes)
    assert all(p.capacity is None or enrolled[p.id] <= p.capacity for p in programmes)
    assert any(p.capacity and enrolled[p.id] == p.capacity for p in future)  # one is already full
    for e in db.session.scalars(select(Enrolment)):
        p, t = e.programme, e.teacher
        assert t.service_start <= p.start_on
        record = db.session.scalar(select(TrainingRecord).where(TrainingRecord.programme_id == p.id,
                                                                TrainingRecord.teacher_id == t.id))
        if e.completed_on is None:
            assert record is None
        else:  # completion created the record, which then went through the usual review
            assert p.end_on <= e.completed_on <= REFERENCE_DATE
            assert record.source == TrainingSource.PROGRAMME and (record.hours, record.credits) == (p.hours, p.credits)
    # One programme has ended and waits for HR to mark completion; future ones have nobody completed.
    assert any(enrolled[p.id] and not any(e.completed_on for e in db.session.scalars(
        select(Enrolment).where(Enrolment.programme_id == p.id))) for p in past)
    assert not db.session.scalar(select(Enrolment.id).where(
        Enrolment.programme_id.in_([p.id for p in future]), Enrolment.completed_on.is_not(None)))


def test_young_teachers_have_growth_plans_and_a_few_do_not(summary):
    from teachers.development import growth
    from teachers.models import GrowthPlan

    young = db.session.scalars(select(Teacher).where(Teacher.tier == Tier.YOUNG,
                                                     Teacher.status != TeacherStatus.RETIRED)).all()
    plans = {p.teacher_id: p for p in db.session.scalars(select(GrowthPlan))}
    assert set(plans) <= {t.id for t in young}
    missing = [t for t in young if t.id not in plans]
    assert 3 <= len(missing) <= len(young) // 10
    assert summary["young_without_plan"] == len(missing) and summary["growth_plans"] == len(plans)
    hr = db.session.scalar(select(User).where(User.username == "hr"))
    assert {t.id for t in growth.without_plan(hr, None)} == {t.id for t in missing}
    for t_id, plan in plans.items():
        teacher = db.session.get(Teacher, t_id)
        assert plan.goals and teacher.subject in plan.goals
        days = [e.entry_on for e in plan.entries]
        assert days == sorted(days) and all(_add(teacher.service_start, 2) < d < REFERENCE_DATE for d in days)
    assert sum(bool(p.entries) for p in plans.values()) > len(plans) * 0.8
    commented = sum(bool(p.principal_comment) for p in plans.values())
    assert len(plans) * 0.5 < commented < len(plans)


def _add(day: date, years: int) -> date:
    return day.replace(year=day.year + years) if (day.month, day.day) != (2, 29) else day.replace(
        year=day.year + years, day=28)


def _open(kind: str):
    from teachers.models import Notification

    return db.session.scalars(select(Notification).where(Notification.kind == kind, Notification.todo.is_(True),
                                                         Notification.done_at.is_(None))).all()


def test_development_todos_wait_for_the_right_people(seeded):
    from teachers.models import Achievement, GrowthPlan, MentorLog, MentorPair, ReviewState

    users = {u.id: u for u in db.session.scalars(select(User))}
    principal_of = {u.school_id: u.id for u in users.values() if u.role == Role.PRINCIPAL}
    account_of = {u.teacher_id: u.id for u in users.values() if u.role == Role.TEACHER}

    waiting = db.session.scalars(select(Achievement).where(Achievement.state == ReviewState.SUBMITTED)).all()
    todos = _open("achievement.to_verify")
    assert waiting and {(n.object_id, n.user_id) for n in todos} == {
        (a.id, principal_of[a.teacher.working_school_id]) for a in waiting}

    uncommented = db.session.scalars(select(GrowthPlan).where(GrowthPlan.principal_comment == "")).all()
    assert uncommented and {(n.object_id, n.user_id) for n in _open("growth.to_comment")} == {
        (p.id, principal_of[p.teacher.working_school_id]) for p in uncommented}

    unsigned = db.session.scalars(select(MentorLog).where(MentorLog.countersigned_at.is_(None))).all()
    assert unsigned and {(n.object_id, n.user_id) for n in _open("mentoring.to_countersign")} == {
        (log.id, account_of[db.session.get(MentorPair, log.pair_id).mentor_id]) for log in unsigned}

    due = [p for p in db.session.scalars(select(MentorPair).where(MentorPair.end_on.is_(None)))
           if _add(p.start_on, 2) <= REFERENCE_DATE]
    assert due and {(n.object_id, n.user_id) for n in _open("mentoring.to_sign_off")} == {
        (p.id, principal_of[p.mentee.working_school_id]) for p in due}
    signed = db.session.scalars(select(MentorPair).where(MentorPair.signed_off_on.is_not(None))).all()
    assert signed and all(p.signed_off_by_id == principal_of[p.mentee.working_school_id] for p in signed)
