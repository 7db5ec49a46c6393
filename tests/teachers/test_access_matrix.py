"""The access-control matrix: every route × every role, and anonymous visitors everywhere.

A principal acts only within their school, a teacher only on their own record, the inspector reads
and changes nothing, HR manages records, admin manages accounts. Objects outside one's scope answer
404 (their existence is not revealed); whole areas a role may not enter answer 403.
"""

from __future__ import annotations

from datetime import date

import pytest

from teachers.extensions import db
from teachers.models import (
    Achievement,
    AchievementKind,
    Backbone,
    DeliveryMode,
    Enrolment,
    Honour,
    Level,
    MentorLog,
    MentorPair,
    Programme,
    ProgrammeLevel,
    Role,
    School,
    Teacher,
    TrainingState,
)
from tests import factories as f
from tests.conftest import login

ROLES = ("admin", "hr", "inspector", "principal", "teacher")
#: The prefecture HR (scope 白山市: the world's county and 长白县, not 远县 of 通化市) answers as the county HR
#: everywhere, except where 长白县's objects are reached.
PREFECTURE_HR = "hr-pref"
PREFECTURE_HR_ANSWERS = {"/training/programmes/{PX}": 200}


@pytest.fixture
def world(app, tmp_path):
    app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    county = f.county(prefecture="白山市")
    school_a = f.school(county, "甲校")
    school_b = f.school(county, "乙校")
    teacher_a = f.teacher(school_a, "教师甲")
    teacher_b = f.teacher(school_b, "教师乙")
    f.user("admin", Role.ADMIN)
    f.user("hr", Role.HR, county_obj=county)
    f.user("inspector", Role.INSPECTOR, county_obj=county)
    f.user("principal", Role.PRINCIPAL, school_obj=school_a)
    f.user("teacher", Role.TEACHER, teacher_obj=teacher_a)
    other = f.user("someone", Role.HR, county_obj=county)
    f.user(PREFECTURE_HR, Role.HR, prefecture="白山市")
    # Teacher development: a rejected record of teacher A (so A may correct it) and a record of B, with evidence.
    evidence_a = f.evidence_file(b"%PDF-1.4 a", "甲的证书.pdf")
    evidence_b = f.evidence_file(b"%PDF-1.4 b", "乙的证书.pdf")
    record_a = f.training_record(teacher_a, state=TrainingState.REJECTED, evidence=evidence_a)
    record_b = f.training_record(teacher_b, evidence=evidence_b)
    # Mentoring: teacher A is mentored at school A, teacher B at school B; a log in each pair.
    pair_a = MentorPair(mentee_id=teacher_a.id, mentor_id=f.teacher(school_a, "导师甲", backbone=Backbone.COUNTY).id,
                        start_on=date(2025, 9, 1))
    pair_b = MentorPair(mentee_id=teacher_b.id, mentor_id=f.teacher(school_b, "导师乙", backbone=Backbone.COUNTY).id,
                        start_on=date(2025, 9, 1))
    db.session.add_all([pair_a, pair_b])
    db.session.flush()
    log_a = MentorLog(pair_id=pair_a.id, log_on=date(2025, 10, 1), text="听课")
    log_b = MentorLog(pair_id=pair_b.id, log_on=date(2025, 10, 1), text="听课")
    db.session.add_all([log_a, log_b])
    ach_a = Achievement(teacher_id=teacher_a.id, kind=AchievementKind.PAPER, level=Level.COUNTY, title="论文甲",
                        achieved_on=date(2024, 5, 1))
    ach_b = Achievement(teacher_id=teacher_b.id, kind=AchievementKind.PAPER, level=Level.COUNTY, title="论文乙",
                        achieved_on=date(2024, 5, 1))
    db.session.add_all([ach_a, ach_b])
    honour_a = f.honour(teacher_a, Level.SCHOOL)
    honour_b = f.honour(teacher_b, Level.SCHOOL)
    other_county = f.county("长白县", prefecture="白山市")
    honour_x = f.honour(f.teacher(f.school(other_county, "外县学校"), "外县教师"), Level.SCHOOL)
    programme = Programme(county_id=county.id, title="县培", level=ProgrammeLevel.COUNTY, mode=DeliveryMode.IN_PERSON,
                          hours=8, provider="进修学校", start_on=date(2025, 5, 1), end_on=date(2025, 5, 1))
    programme_x = Programme(county_id=other_county.id, title="外县培训", level=ProgrammeLevel.COUNTY,
                            mode=DeliveryMode.IN_PERSON, hours=8, provider="外县", start_on=date(2025, 5, 1),
                            end_on=date(2025, 5, 1))
    db.session.add_all([programme, programme_x])
    rnd, run = _round(county, school_a)
    far = f.county("远县", prefecture="通化市")
    far_round, far_run = _round(far, f.school(far, "远校"))
    far_other = f.school(far, "远村校")
    from teachers.models import Answer, Decision, MoveState, RotationMove, RoundRule, RuleKind, SchoolPair
    from teachers.models._types import utcnow

    done = {"state": MoveState.CONFIRMED, "sending_decision": Decision.APPROVED,
            "receiving_decision": Decision.APPROVED, "answer": Answer.ACKNOWLEDGED, "facts": [],
            "sending_at": utcnow(), "receiving_at": utcnow(), "answered_at": utcnow(),
            "sending_by_id": other.id, "receiving_by_id": other.id}

    far_teacher = f.teacher(db.session.scalars(db.select(School).where(School.county_id == far.id)).first(), "远师")
    move = RotationMove(round_id=rnd.id, run_id=run.id, teacher_id=teacher_a.id, from_school_id=school_a.id,
                        to_school_id=school_b.id, **done)
    far_move = RotationMove(round_id=far_round.id, run_id=far_run.id, teacher_id=far_teacher.id,
                            from_school_id=far_teacher.working_school_id, to_school_id=far_other.id, **done)
    db.session.add_all([move, far_move])
    rule = RoundRule(round_id=rnd.id, kind=RuleKind.EXCLUDE, teacher_id=teacher_a.id, reason="病假")
    pair = SchoolPair(county_id=county.id, lead_school_id=school_a.id, member_school_id=school_b.id)
    db.session.add_all([rule, pair])
    db.session.commit()
    return {"A": school_a.id, "B": school_b.id, "tA": teacher_a.id, "tB": teacher_b.id, "u": other.id,
            "R": rnd.id, "R2": far_round.id, "run": run.id, "run2": far_run.id, "rule": rule.id, "pair": pair.id,
            "mv": move.id, "mv2": far_move.id,
            "rA": record_a.id, "rB": record_b.id, "eA": evidence_a.id, "eB": evidence_b.id,
            "pA": pair_a.id, "pB": pair_b.id, "lA": log_a.id, "lB": log_b.id, "aA": ach_a.id, "aB": ach_b.id,
            "hA": honour_a.id, "hB": honour_b.id, "hX": honour_x.id, "P": programme.id, "PX": programme_x.id}


def _round(county, school):
    """A round in its wish stage with one finished solve (rows made directly: the matrix is about access)."""
    from datetime import date, timedelta

    from teachers import policy
    from teachers.models import RotationRound, RoundState, RunStatus, SolveRun

    d = date(2027, 5, 1)
    windows = {}
    for i, w in enumerate(("wish", "decision", "answer", "notice")):
        windows[f"{w}_opens"] = d + timedelta(days=10 * i)
        windows[f"{w}_closes"] = d + timedelta(days=10 * i + 8)
    rnd = RotationRound(county_id=county.id, year=2027, state=RoundState.WISHES, settings=policy.effective({}),
                        start_date=date(2027, 9, 1), **windows)
    db.session.add(rnd)
    db.session.flush()
    run = SolveRun(round_id=rnd.id, county_id=county.id, status=RunStatus.SUCCEEDED, instance={"format": "x"},
                   plan={"format": "rotation-plan/1", "status": "feasible", "moves": []}, time_limit_s=10)
    db.session.add(run)
    db.session.flush()
    return rnd, run


# route template → expected GET status per role (admin, hr, inspector, principal, teacher)
GET_MATRIX = {
    "/": (200, 200, 200, 200, 200),
    "/schools": (200, 200, 200, 302, 403),
    "/schools/{A}": (200, 200, 200, 200, 403),
    "/schools/{B}": (200, 200, 200, 404, 403),
    "/schools/new": (403, 200, 403, 403, 403),
    "/schools/{A}/edit": (403, 200, 403, 403, 403),
    "/teachers": (200, 200, 200, 200, 302),
    "/teachers/{tA}": (200, 200, 200, 200, 200),
    "/teachers/{tB}": (200, 200, 200, 404, 404),
    "/teachers/new": (403, 200, 403, 403, 403),
    "/teachers/{tA}/edit": (403, 200, 403, 403, 403),
    "/admin/users": (200, 403, 403, 403, 403),
    "/admin/users/new": (200, 403, 403, 403, 403),
    "/admin/users/{u}/edit": (200, 403, 403, 403, 403),
    "/admin/settings": (200, 200, 200, 403, 403),
    "/admin/audit": (200, 403, 200, 403, 403),
    "/password": (200, 200, 200, 200, 200),
    # Teacher development: training records, progress, certificate, evidence, the development page.
    "/training": (302, 302, 302, 302, 302),
    "/training/new": (403, 403, 403, 403, 200),
    "/training/review": (403, 200, 403, 200, 403),
    "/training/overview": (200, 200, 200, 200, 403),
    "/training/records/{rA}": (200, 200, 200, 200, 200),
    "/training/records/{rB}": (200, 200, 200, 404, 404),
    "/training/records/{rA}/edit": (403, 403, 403, 403, 200),
    "/training/records/{rB}/edit": (403, 403, 403, 403, 404),
    "/training/records/{rA}/confirm": (405, 405, 405, 405, 405),
    "/teachers/{tA}/training": (200, 200, 200, 200, 200),
    "/teachers/{tB}/training": (200, 200, 200, 404, 404),
    "/teachers/{tA}/training/certificate": (200, 200, 200, 200, 200),
    "/teachers/{tB}/training/certificate": (200, 200, 200, 404, 404),
    "/teachers/{tA}/development": (200, 200, 200, 200, 200),
    "/teachers/{tB}/development": (200, 200, 200, 404, 404),
    "/evidence/{eA}": (200, 200, 200, 200, 200),
    "/evidence/{eB}": (200, 200, 200, 404, 404),
    "/development/tiers": (200, 200, 200, 200, 403),
    "/development/tiers/decide": (405, 405, 405, 405, 405),
    "/development/pyramid": (200, 200, 200, 200, 403),
    "/development/mentoring": (200, 200, 200, 200, 200),
    "/development/mentoring/propose": (405, 405, 405, 405, 405),
    "/development/mentoring/pairs": (405, 405, 405, 405, 405),
    "/development/mentoring/{pA}": (200, 200, 200, 200, 200),
    "/development/mentoring/{pB}": (200, 200, 200, 404, 404),
    "/development/mentoring/{pA}/logs": (405, 405, 405, 405, 405),
    "/development/mentoring/logs/{lA}/countersign": (405, 405, 405, 405, 405),
    "/development/achievements/new": (405, 405, 405, 405, 405),
    "/development/achievements/{aA}/verify": (405, 405, 405, 405, 405),
    "/teachers/{tA}/honours": (405, 405, 405, 405, 405),
    "/development/honours/{hA}/end": (405, 405, 405, 405, 405),
    "/development/growth-plans": (200, 200, 200, 200, 403),
    "/development/growth-plan/goals": (405, 405, 405, 405, 405),
    "/teachers/{tA}/growth-plan/comment": (405, 405, 405, 405, 405),
    "/training/programmes": (200, 200, 200, 200, 200),
    "/training/programmes/new": (403, 200, 403, 403, 403),
    "/training/programmes/{P}": (200, 200, 200, 200, 200),
    "/training/programmes/{PX}": (200, 404, 404, 404, 404),
    "/training/programmes/{P}/complete": (405, 405, 405, 405, 405),
    "/inbox": (200, 200, 200, 200, 200),
    "/rotation": (200, 200, 200, 200, 200),
    "/rotation/new": (403, 200, 403, 403, 403),
    "/rotation/prefecture-solve": (405, 405, 405, 405, 405),
    "/rotation/pairs": (200, 200, 200, 403, 403),
    "/rotation/{R}": (200, 200, 200, 200, 302),
    "/rotation/{R2}": (200, 404, 404, 404, 404),
    "/rotation/{R}/edit": (403, 200, 403, 403, 403),
    "/rotation/{R2}/edit": (403, 404, 403, 403, 403),
    "/rotation/{R}/wishes": (403, 403, 403, 403, 200),
    "/rotation/{R2}/wishes": (403, 403, 403, 403, 404),
    "/rotation/runs/{run}": (200, 200, 200, 403, 403),
    "/rotation/runs/{run2}": (200, 404, 404, 403, 403),
    "/rotation/runs/{run}/status": (200, 200, 200, 403, 403),
    "/rotation/runs/{run2}/status": (200, 404, 404, 403, 403),
    "/rotation/runs/{run}/instance.json": (200, 200, 200, 403, 403),
    "/rotation/runs/{run}/plan.json": (200, 200, 200, 403, 403),
    "/rotation/runs/{run2}/plan.json": (200, 404, 404, 403, 403),
    "/rotation/{R}/moves": (200, 200, 200, 200, 200),
    "/rotation/{R2}/moves": (200, 404, 404, 404, 404),
    "/rotation/moves/{mv}": (200, 200, 200, 200, 200),
    "/rotation/moves/{mv2}": (200, 404, 404, 404, 404),
    "/rotation/moves/{mv}/letter": (200, 200, 200, 200, 200),
    "/rotation/moves/{mv2}/letter": (200, 404, 404, 404, 404),
    "/rotation/{R}/notice-list": (200, 200, 200, 403, 403),
    "/rotation/{R2}/notice-list": (200, 404, 404, 404, 404),
    "/rotation/{R}/final-list.xlsx": (200, 200, 200, 403, 403),
    "/rotation/{R2}/final-list.xlsx": (200, 404, 404, 404, 404),
    # Exports (teachers/io): as the page they come from; a role without the page 403, another county's object 404.
    "/export/teachers.xlsx": (200, 200, 200, 200, 403),
    "/export/teachers.csv": (200, 200, 200, 200, 403),
    "/export/national.xlsx": (200, 200, 200, 200, 403),
    "/export/national.csv": (200, 200, 200, 200, 403),
    "/export/schools.xlsx": (200, 200, 200, 403, 403),
    "/export/schools.csv": (200, 200, 200, 403, 403),
    "/export/training.xlsx": (200, 200, 200, 200, 403),
    "/export/training.csv": (200, 200, 200, 200, 403),
    "/export/rotation/{R}/final-list.xlsx": (200, 200, 200, 403, 403),
    "/export/rotation/{R}/final-list.csv": (200, 200, 200, 403, 403),
    "/export/rotation/{R2}/final-list.csv": (200, 404, 404, 403, 403),
    "/export/rotation/runs/{run}/plan.xlsx": (200, 200, 200, 403, 403),
    "/export/rotation/runs/{run}/plan.csv": (200, 200, 200, 403, 403),
    "/export/rotation/runs/{run2}/plan.csv": (200, 404, 404, 403, 403),
    # Imports (teachers/io): HR and admin only (an HR user's rows may only name schools of their county).
    "/import/teachers": (200, 200, 403, 403, 403),
    "/import/schools": (200, 200, 403, 403, 403),
    "/import/teachers/template.xlsx": (200, 200, 403, 403, 403),
    "/import/schools/template.xlsx": (200, 200, 403, 403, 403),
    "/import/training": (200, 200, 403, 403, 403),
    "/import/training/template.xlsx": (200, 200, 403, 403, 403),
}

IMPORT_RULES = {
    "/import/<any(teachers, schools, training):kind>", "/import/<any(teachers, schools, training):kind>/confirm",
    "/import/<any(teachers, schools, training):kind>/template.xlsx",
}

EXPORT_RULES = {
    "/export/teachers.<any(xlsx, csv):fmt>", "/export/national.<any(xlsx, csv):fmt>",
    "/export/schools.<any(xlsx, csv):fmt>", "/export/training.<any(xlsx, csv):fmt>",
    "/export/rotation/<int:round_id>/final-list.<any(xlsx, csv):fmt>",
    "/export/rotation/runs/<int:run_id>/plan.<any(xlsx, csv):fmt>",
}

# state changes a role may not make: POST answers 403 and nothing changes
FORBIDDEN_POSTS = [
    ("inspector", "/schools/new"), ("principal", "/schools/new"), ("admin", "/schools/new"),
    ("inspector", "/schools/{A}/edit"), ("principal", "/schools/{A}/edit"),
    ("inspector", "/teachers/new"), ("principal", "/teachers/{tA}/edit"), ("teacher", "/teachers/{tA}/edit"),
    ("hr", "/admin/users/new"), ("inspector", "/admin/users/{u}/edit"), ("principal", "/admin/users/{u}/password"),
    ("hr", "/admin/settings"), ("inspector", "/admin/settings"), ("teacher", "/admin/settings"),
    ("principal", "/training/new"), ("hr", "/training/new"), ("inspector", "/training/new"),
    ("teacher", "/training/records/{rA}/verify"), ("teacher", "/training/records/{rA}/confirm"),
    ("inspector", "/training/records/{rA}/confirm"), ("inspector", "/training/records/{rA}/reject"),
    ("principal", "/training/records/{rA}/confirm"), ("hr", "/training/records/{rA}/verify"),
    ("admin", "/training/records/{rA}/confirm"), ("hr", "/training/records/{rA}/edit"),
    ("inspector", "/development/tiers/decide"), ("principal", "/development/tiers/decide"),
    ("teacher", "/development/tiers/decide"), ("admin", "/development/tiers/decide"),
    ("inspector", "/development/mentoring/propose"), ("principal", "/development/mentoring/propose"),
    ("principal", "/development/mentoring/pairs"), ("teacher", "/development/mentoring/pairs"),
    ("teacher", "/development/mentoring/{pA}/end"), ("principal", "/development/mentoring/{pA}/end"),
    ("inspector", "/development/mentoring/{pA}/sign-off"), ("hr", "/development/mentoring/{pA}/sign-off"),
    ("teacher", "/development/mentoring/logs/{lA}/countersign"),
    ("inspector", "/teachers/{tA}/honours"), ("principal", "/teachers/{tA}/honours"), ("teacher", "/teachers/{tA}/honours"),
    ("teacher", "/development/honours/{hA}/end"), ("inspector", "/development/honours/{hA}/end"),
    ("hr", "/development/achievements/{aA}/verify"), ("teacher", "/development/achievements/{aA}/verify"),
    ("inspector", "/development/achievements/{aA}/reject"), ("principal", "/development/achievements/new"),
    ("hr", "/development/achievements/new"),
    ("hr", "/development/growth-plan/goals"), ("principal", "/development/growth-plan/entries"),
    ("hr", "/teachers/{tA}/growth-plan/comment"), ("teacher", "/teachers/{tA}/growth-plan/comment"),
    ("principal", "/training/programmes/new"), ("teacher", "/training/programmes/new"),
    ("inspector", "/training/programmes/new"), ("teacher", "/training/programmes/{P}/complete"),
    ("principal", "/training/programmes/{P}/complete"), ("inspector", "/training/programmes/{P}/enrol-school"),
    ("hr", "/training/programmes/{P}/enrol"),
    (PREFECTURE_HR, "/admin/users/new"), (PREFECTURE_HR, "/admin/settings"), (PREFECTURE_HR, "/training/new"),
    ("inspector", "/import/teachers"), ("principal", "/import/teachers/confirm"), ("teacher", "/import/schools"),
    ("inspector", "/import/schools/confirm"), ("principal", "/import/training"), ("teacher", "/import/training/confirm"),
]

# object routes tried with another school's or another teacher's record: 404, nothing changes
OUT_OF_SCOPE_POSTS = [
    ("principal", "/training/records/{rB}/verify"), ("principal", "/training/records/{rB}/reject"),
    ("teacher", "/training/records/{rB}/edit"),
    ("principal", "/development/mentoring/{pB}/sign-off"), ("teacher", "/development/mentoring/logs/{lB}/countersign"),
    ("teacher", "/development/mentoring/{pB}/logs"),
    ("principal", "/development/achievements/{aB}/verify"), ("hr", "/development/honours/{hX}/end"),
    ("hr", "/training/programmes/{PX}/complete"), ("teacher", "/training/programmes/{PX}/enrol"),
    (PREFECTURE_HR, "/rotation/{R2}/cancel"), (PREFECTURE_HR, "/rotation/{R2}/open-wishes"),
    (PREFECTURE_HR, "/rotation/runs/{run2}/cancel"),
]


# rotation state changes a role may not make: 403 (a role without the right) and nothing changes
ROTATION_POSTS = [
    ("inspector", "/rotation/{R}/open-wishes"), ("principal", "/rotation/{R}/close-wishes"),
    ("teacher", "/rotation/{R}/cancel"), ("inspector", "/rotation/{R}/solve"), ("admin", "/rotation/{R}/solve"),
    ("principal", "/rotation/runs/{run}/cancel"), ("teacher", "/rotation/{R}/rules"),
    ("inspector", "/rotation/rules/{rule}/delete"), ("principal", "/rotation/pairs/{pair}/delete"),
    ("inspector", "/rotation/moves/{mv}/decide"), ("hr", "/rotation/moves/{mv}/decide"),
    ("hr", "/rotation/moves/{mv}/answer"), ("principal", "/rotation/moves/{mv}/answer"),
    ("teacher", "/rotation/moves/{mv}/rule"), ("principal", "/rotation/moves/{mv}/rule"),
    ("principal", "/rotation/{R}/publish"), ("inspector", "/rotation/{R}/notice"), ("teacher", "/rotation/{R}/confirm"),
    ("principal", "/rotation/{R}/replacements"), ("inspector", "/rotation/{R}/publish-replacements"),
    ("inspector", "/rotation/prefecture-solve"), ("admin", "/rotation/prefecture-solve"),
    ("principal", "/rotation/prefecture-solve"),
]


@pytest.mark.parametrize("role, template", ROTATION_POSTS)
def test_rotation_state_changes_refused(client, world, role, template):
    from teachers.models import RotationRound, RoundRule, SchoolPair, SolveRun

    assert login(client, role).status_code == 302
    path = template.format(**world)
    response = client.post(path, data={"reason": "x", "kind": "exclude", "teacher": "T1"})
    assert response.status_code == 403, (path, response.status_code)
    db.session.expire_all()
    assert db.session.get(RotationRound, world["R"]).state.value == "wishes"
    assert db.session.query(SolveRun).count() == 2
    assert db.session.query(RoundRule).count() == 1 and db.session.query(SchoolPair).count() == 1
    from teachers.models import RotationMove

    assert {m.state.value for m in db.session.query(RotationMove)} == {"confirmed"}
    assert {(m.sending_reason, m.receiving_reason, m.answer_reason, m.ruling)
            for m in db.session.query(RotationMove)} == {("", "", "", None)}


def test_every_route_is_in_the_matrix(app):
    """A new route must be added here, with its answer for every role."""
    rules = {r.rule for r in app.url_map.iter_rules() if r.endpoint != "static"}
    covered = {path.replace("{A}", "<int:school_id>").replace("{B}", "<int:school_id>")
               .replace("{tA}", "<int:teacher_id>").replace("{tB}", "<int:teacher_id>")
               .replace("{u}", "<int:user_id>").replace("{R}", "<int:round_id>").replace("{R2}", "<int:round_id>")
               .replace("{run}", "<int:run_id>").replace("{run2}", "<int:run_id>")
               .replace("{mv}", "<int:move_id>").replace("{mv2}", "<int:move_id>")
               .replace("{rA}", "<int:record_id>").replace("{rB}", "<int:record_id>")
               .replace("{eA}", "<int:evidence_id>").replace("{eB}", "<int:evidence_id>")
               .replace("{pA}", "<int:pair_id>").replace("{pB}", "<int:pair_id>").replace("{lA}", "<int:log_id>")
               .replace("{aA}", "<int:achievement_id>").replace("{hA}", "<int:honour_id>")
               .replace("{PX}", "<int:programme_id>").replace("{P}", "<int:programme_id>")
               for path in GET_MATRIX if not path.startswith(("/export/", "/import/"))}
    covered |= EXPORT_RULES  # each in GET_MATRIX above, in both formats
    covered |= IMPORT_RULES  # in GET_MATRIX above for both kinds; confirm in FORBIDDEN_POSTS
    covered.discard("/development/achievements/<int:achievement_id>/verify")
    covered.discard("/development/growth-plan/goals")
    covered.discard("/training/programmes/<int:programme_id>/complete")
    covered.add("/training/programmes/<int:programme_id>/<any(enrol, 'enrol-school', complete):action>")
    covered.add("/development/growth-plan/<any(goals, entries):what>")
    covered.add("/development/achievements/<int:achievement_id>/<any(verify, reject):action>")
    covered.discard("/development/mentoring/<int:pair_id>/logs")
    covered.add("/development/mentoring/<int:pair_id>/<any(logs, 'sign-off', end):action>")
    covered.discard("/training/records/<int:record_id>/confirm")
    covered.add("/training/records/<int:record_id>/<any(verify, confirm, reject):action>")
    covered |= {path.replace("{R}", "<int:round_id>").replace("{run}", "<int:run_id>")
                .replace("{rule}", "<int:rule_id>").replace("{pair}", "<int:pair_id>").replace("{mv}", "<int:move_id>")
                for _role, path in ROTATION_POSTS}
    covered |= {"/login", "/logout", "/lang/<code>", "/admin/users/<int:user_id>/password",
                "/inbox/<int:notification_id>/open", "/inbox/read-all"}  # own rows only: test_inbox_views
    assert rules - covered == set()


@pytest.mark.parametrize("role_index, role", [*enumerate(ROLES), (ROLES.index("hr"), PREFECTURE_HR)])
def test_get_matrix(client, world, role_index, role):
    assert login(client, role).status_code == 302
    answers = PREFECTURE_HR_ANSWERS if role == PREFECTURE_HR else {}
    wrong = {}
    for template, expected in GET_MATRIX.items():
        path = template.format(**world)
        status = client.get(path).status_code
        want = answers.get(template, expected[role_index])
        if status != want:
            wrong[path] = (status, want)
    assert wrong == {}


@pytest.mark.parametrize("role, template", FORBIDDEN_POSTS)
def test_forbidden_state_changes(client, world, role, template):
    assert login(client, role).status_code == 302
    before = (db.session.query(School).count(), db.session.query(Teacher).count())
    response = client.post(template.format(**world), data={"name": "改名", "role": "admin", "password": "Xx#12345678"})
    assert response.status_code == 403
    db.session.expire_all()
    assert (db.session.query(School).count(), db.session.query(Teacher).count()) == before
    assert db.session.get(School, world["A"]).name == "甲校"


@pytest.mark.parametrize("role, template", OUT_OF_SCOPE_POSTS)
def test_out_of_scope_state_changes(client, world, role, template):
    from teachers.models import TrainingRecord

    assert login(client, role).status_code == 302
    response = client.post(template.format(**world), data={"reason": "x", "title": "改名", "log_on": "2025-10-02",
                                                           "text": "越权记录"})
    assert response.status_code == 404
    db.session.expire_all()
    record = db.session.get(TrainingRecord, world["rB"])
    assert (record.state, record.title) == (TrainingState.SUBMITTED, "县级教师培训")
    assert db.session.query(MentorLog).count() == 2
    assert db.session.get(MentorPair, world["pB"]).end_on is None
    assert db.session.get(Achievement, world["aB"]).state.value == "submitted"
    assert db.session.get(Honour, world["hX"]).ended_on is None
    assert db.session.query(Enrolment).count() == 0


def test_anonymous_visitors_are_sent_to_login(client, world):
    for template in [*GET_MATRIX, "/admin/users/{u}/password"]:
        path = template.format(**world)
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            if response.status_code == 405:
                continue
            assert response.status_code == 302 and "/login" in response.headers["Location"], (method, path)
    assert client.post("/logout").status_code == 302
