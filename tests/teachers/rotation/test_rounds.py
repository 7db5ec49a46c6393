"""Opening rounds, settings and windows, pairs, wishes, pins/forbids/exclusions: what is accepted
and every refusal (a clear message naming the field, nothing saved)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from teachers.errors import DomainError, NotFound, PermissionDenied
from teachers.extensions import db
from teachers.models import Area, RotationRound, RoundRule, Wish
from teachers.rotation import adapter, decisions, services
from tests import factories as f
from tests.teachers.rotation.conftest import TODAY, build_small_county


def _rounds() -> int:
    return db.session.scalar(select(func.count()).select_from(RotationRound))


def test_open_round_snapshots_the_county_settings_and_default_windows(small):
    small.county.policy = {"min_years_at_school": 5, "solver_time_limit_s": 5}
    rnd = services.open_round(small.hr, small.county.id, 2027, today=TODAY)
    assert rnd.settings["min_years_at_school"] == 5 and rnd.settings["rotation_share"] == 0.10
    assert rnd.settings["max_wishes"] == 3 and rnd.max_wishes == 3 and rnd.term_years == 3
    assert rnd.wish_opens == TODAY and rnd.wish_closes < rnd.decision_opens < rnd.answer_opens < rnd.notice_opens
    assert services.working_days(rnd.notice_opens, rnd.notice_closes) >= 5
    assert rnd.start_date == date(2027, 9, 1)
    small.county.policy = {"min_years_at_school": 9}
    assert rnd.settings["min_years_at_school"] == 5  # a snapshot, not a reference
    rows = {r.key: r for r in services.setting_rows(rnd.settings)}
    assert rows["required_degree_primary"].verified is False and "未经核实" in rows["required_degree_primary"].source
    with force_locale("en"):
        rows_en = {r.key: r for r in services.setting_rows(rnd.settings)}
        assert rows_en["rotation_share"].label == "Minimum yearly rotation share of eligible"


BAD = [
    ({"rotation_share": 1.5}, "rotation_share"),
    ({"rotation_share": -0.1}, "rotation_share"),
    ({"max_rotation_share": 0.05}, "max_rotation_share"),
    ({"term_years": 0}, "term_years"),
    ({"term_years": 4}, "term_years"),
    ({"wish_closes": "2027-05-01"}, "wish_closes"),  # before it opens
    ({"decision_opens": "2027-05-20"}, "decision_opens"),  # overlaps the wish window
    ({"notice_closes": "2027-06-08"}, "notice_closes"),  # shorter than 5 working days
    ({"start_date": "2027-06-10"}, "start_date"),  # before the notice ends
    ({"start_date": "not a date"}, "start_date"),
]


@pytest.mark.parametrize(("data", "field"), BAD)
def test_bad_settings_are_refused_naming_the_field(small, data, field):
    with pytest.raises(DomainError) as err:
        services.open_round(small.hr, small.county.id, 2027, data, today=TODAY)
    assert err.value.field == field and err.value.message
    assert _rounds() == 0


def test_a_second_live_round_and_a_county_without_eligible_teachers_are_refused(small):
    services.open_round(small.hr, small.county.id, 2027, today=TODAY)
    with pytest.raises(DomainError):
        services.open_round(small.hr, small.county.id, 2027, today=TODAY)
    empty = f.county("空县")
    f.school(empty, area=Area.URBAN)
    empty_hr = f.user("hr-empty", small.hr.role, county_obj=empty)
    with pytest.raises(DomainError) as err:
        services.open_round(empty_hr, empty.id, 2027, today=TODAY)
    assert "空县" in err.value.message and _rounds() == 1


def test_scope_and_roles(small):
    other = build_small_county("外县")
    with pytest.raises(NotFound):
        services.open_round(small.hr, other.county.id, 2027, today=TODAY)
    with pytest.raises(PermissionDenied):
        services.open_round(small.inspector, small.county.id, 2027, today=TODAY)
    rnd = services.open_round(small.hr, small.county.id, 2027, today=TODAY)
    assert services.get_round(small.inspector, rnd.id) == rnd
    with pytest.raises(NotFound):
        services.get_round(other.hr, rnd.id)
    with pytest.raises(NotFound):
        services.get_round(other.principal_of(other.schools[0].id), rnd.id)
    with pytest.raises(PermissionDenied):
        services.update_round(small.inspector, rnd.id, {"term_years": 2})


def prefecture_manager(prefecture: str = "白山市"):
    """An HR account scoped to a prefecture: it manages rotation in every county of it."""
    from teachers.models import Role

    return f.user(f"hr-{prefecture}", Role.HR, prefecture=prefecture)


def test_prefecture_opens_one_round_per_county_or_none(app):
    a = build_small_county("甲县")
    b = build_small_county("乙县")
    a.county.prefecture = b.county.prefecture = "白山市"
    boss = prefecture_manager()
    rounds = services.open_prefecture_rounds(boss, "白山市", 2027, today=TODAY)
    assert sorted(r.county_id for r in rounds) == sorted([a.county.id, b.county.id])
    with pytest.raises(DomainError):
        services.open_prefecture_rounds(boss, "白山市", 2027, today=TODAY)  # both exist now
    assert _rounds() == 2


def test_update_round_in_draft_only_for_settings(small):
    rnd = services.open_round(small.hr, small.county.id, 2027, today=TODAY)
    services.update_round(small.hr, rnd.id, {"rotation_share": 0.12, "term_years": 2})
    assert rnd.settings["rotation_share"] == 0.12 and rnd.term_years == 2
    with pytest.raises(DomainError):
        services.update_round(small.hr, rnd.id, {"rotation_share": 2})
    assert rnd.settings["rotation_share"] == 0.12
    services.open_wishes(small.hr, rnd.id)
    with pytest.raises(DomainError):
        services.update_round(small.hr, rnd.id, {"rotation_share": 0.11})
    services.update_round(small.hr, rnd.id, {"term_years": 1})
    assert rnd.term_years == 1


def test_wishes_within_the_rules_and_the_window(small):
    rnd = services.open_round(small.hr, small.county.id, 2027, today=TODAY)
    teacher = small.teachers[0]  # urban, long-serving
    user = small.teacher_users[teacher.id]
    with pytest.raises(DomainError):
        services.save_wishes(user, rnd.id, [small.schools[2].id], today=TODAY)  # draft: window not open
    services.open_wishes(small.hr, rnd.id)
    status = services.wish_status(user, rnd.id, today=TODAY)
    assert status.eligible and status.window_open and status.reason.startswith("E1")
    assert {s.area for s in status.allowed} == {Area.RURAL}  # urban → rural only (H2)
    with force_locale("en"):
        assert "E1" in services.wish_status(user, rnd.id, today=TODAY).reason
        assert services.wish_status(user, rnd.id, today=TODAY).reason != status.reason
    same_area = small.schools[1]
    with pytest.raises(DomainError) as err:
        services.save_wishes(user, rnd.id, [small.schools[2].id, same_area.id], today=TODAY)
    assert err.value.field == "wish_2"
    with pytest.raises(DomainError):
        services.save_wishes(user, rnd.id, [small.schools[2].id, small.schools[2].id], today=TODAY)
    with pytest.raises(DomainError):
        services.save_wishes(user, rnd.id, [small.schools[2].id], today=rnd.wish_closes + timedelta(days=1))
    assert db.session.scalar(select(func.count()).select_from(Wish)) == 0
    services.save_wishes(user, rnd.id, [small.schools[3].id, small.schools[2].id], today=TODAY)
    assert [s.id for s in services.wish_status(user, rnd.id, today=TODAY).wishes] == [small.schools[3].id,
                                                                                      small.schools[2].id]
    progress = services.wish_progress(small.hr, rnd.id)
    assert progress["answered"] == 1 and progress["wishes"] == 2 and progress["eligible"] > 1
    problem = adapter.round_problem(rnd)
    t = next(t for t in problem.teachers if t.id == teacher.staff_no)
    assert t.wishes == (small.schools[3].code, small.schools[2].code)


def test_a_teacher_not_eligible_sees_why(small):
    newcomer = f.teacher(small.schools[0], service_start=date(2024, 9, 1))
    user = f.user("newcomer", small.hr.role.__class__("teacher"), teacher_obj=newcomer)
    rnd = services.open_round(small.hr, small.county.id, 2027, today=TODAY)
    services.open_wishes(small.hr, rnd.id)
    status = services.wish_status(user, rnd.id, today=TODAY)
    assert not status.eligible and status.reason.startswith("E1") and not status.allowed
    with pytest.raises(DomainError):
        services.save_wishes(user, rnd.id, [small.schools[2].id], today=TODAY)


def test_pins_forbids_exclusions(small):
    rnd = services.open_round(small.hr, small.county.id, 2027, today=TODAY)
    t = small.teachers[0]
    with pytest.raises(DomainError) as err:
        services.add_rule(small.hr, rnd.id, "pin", t.id, small.schools[1].id)  # urban → urban breaks H2
    assert "H2" in err.value.message
    pin = services.add_rule(small.hr, rnd.id, "pin", t.id, small.schools[2].id)
    with pytest.raises(DomainError):
        services.add_rule(small.hr, rnd.id, "exclude", t.id, reason="病休")  # already pinned
    services.add_rule(small.hr, rnd.id, "forbid", small.teachers[1].id, small.schools[2].id)
    with pytest.raises(DomainError):
        services.add_rule(small.hr, rnd.id, "exclude", small.teachers[2].id)  # no reason
    services.add_rule(small.hr, rnd.id, "exclude", small.teachers[2].id, reason="家庭困难")
    options = adapter.round_problem(rnd).options
    assert [(p.teacher, p.to) for p in options.pin] == [(t.staff_no, small.schools[2].code)]
    assert [(p.teacher, p.to) for p in options.forbid_moves] == [(small.teachers[1].staff_no, small.schools[2].code)]
    assert options.forbid_teachers == (small.teachers[2].staff_no,)
    services.remove_rule(small.hr, pin.id)
    assert db.session.scalar(select(func.count()).select_from(RoundRule)) == 2


def test_pairs_reach_the_instance_when_preferred(small):
    services.add_school_pair(small.hr, small.schools[0].id, small.schools[2].id, "第一学区")
    with pytest.raises(DomainError):
        services.add_school_pair(small.hr, small.schools[0].id, small.schools[1].id)  # both urban
    with pytest.raises(DomainError):
        services.add_school_pair(small.hr, small.schools[2].id, small.schools[0].id)  # already paired
    rnd = services.open_round(small.hr, small.county.id, 2027, {"prefer_pairs": "0"}, today=TODAY)
    assert adapter.round_problem(rnd).options.pairs == ()
    services.update_round(small.hr, rnd.id, {"prefer_pairs": True})
    assert adapter.round_problem(rnd).options.pairs == ((small.schools[0].code, small.schools[2].code),)


def test_decisions_outside_the_window_or_without_the_right(small):
    from tests.teachers.rotation.test_workflow import solved_round

    rnd, run, _ = solved_round(small, wishes=False)
    move = decisions.publish(small.hr, rnd.id, run.id)[0]
    sender = small.principal_of(move.from_school_id)
    with pytest.raises(DomainError):
        decisions.decide(sender, move.id, True, today=rnd.decision_closes + timedelta(days=1))
    with pytest.raises(DomainError) as err:
        decisions.decide(sender, move.id, False, "", today=rnd.decision_opens)
    assert err.value.field == "reason"
    outsider = next(u for sid, u in small.principals.items() if sid not in (move.from_school_id, move.to_school_id))
    with pytest.raises(NotFound):
        decisions.decide(outsider, move.id, True, today=rnd.decision_opens)
    with pytest.raises(PermissionDenied):
        decisions.decide(small.hr, move.id, True, today=rnd.decision_opens)
    teacher_user = small.teacher_users[move.teacher_id]
    with pytest.raises(DomainError):  # not yet approved by both principals
        decisions.answer(teacher_user, move.id, True, today=rnd.answer_opens)
    other_teacher = next(u for tid, u in small.teacher_users.items() if tid != move.teacher_id)
    with pytest.raises(NotFound):
        decisions.get_move(other_teacher, move.id)
    assert [m.id for m in decisions.list_moves(teacher_user, rnd.id)] == [move.id]
    assert all(move.from_school_id == sender.school_id or m.to_school_id == sender.school_id
               for m in decisions.list_moves(sender, rnd.id))
    assert move in decisions.my_todo_moves(sender)
    with pytest.raises(DomainError):
        decisions.start_notice(small.hr, rnd.id, today=rnd.notice_opens)  # moves still wait


def test_objection_ruled_by_hr(small):
    from tests.teachers.rotation.test_workflow import solved_round

    rnd, run, _ = solved_round(small, wishes=False)
    move = decisions.publish(small.hr, rnd.id, run.id)[0]
    decisions.decide(small.principal_of(move.from_school_id), move.id, True, today=rnd.decision_opens)
    decisions.decide(small.principal_of(move.to_school_id), move.id, True, today=rnd.decision_opens)
    user = small.teacher_users[move.teacher_id]
    with pytest.raises(DomainError):
        decisions.answer(user, move.id, False, "", today=rnd.answer_opens)
    decisions.answer(user, move.id, False, "需照顾患病父母", today=rnd.answer_opens)
    assert move in decisions.my_todo_moves(small.hr)
    with pytest.raises(DomainError):
        decisions.rule_objection(small.hr, move.id, True, "")
    decisions.rule_objection(small.hr, move.id, True, "情况属实")
    db.session.refresh(move)
    assert move.state.value == "upheld" and move.ruling.value == "upheld"
    assert move not in decisions.my_todo_moves(small.hr)


def test_receiving_principal_may_read_the_incoming_teachers_record(small):
    from teachers.auth.permissions import teacher_filter, teacher_in_scope
    from teachers.models import Teacher
    from tests.teachers.rotation.test_workflow import solved_round

    rnd, run, _ = solved_round(small, wishes=False)
    move = decisions.publish(small.hr, rnd.id, run.id)[0]
    receiving = small.principal_of(move.to_school_id)
    outsider = next(u for sid, u in small.principals.items() if sid not in (move.from_school_id, move.to_school_id))
    assert teacher_in_scope(receiving, move.teacher) and not teacher_in_scope(outsider, move.teacher)
    visible = set(db.session.scalars(select(Teacher.id).where(teacher_filter(receiving))))
    assert move.teacher_id in visible
    assert move.teacher_id not in set(db.session.scalars(select(Teacher.id).where(teacher_filter(outsider))))
    decisions.decide(receiving, move.id, False, "编制已满", today=rnd.decision_opens)
    assert not teacher_in_scope(receiving, db.session.get(Teacher, move.teacher_id))
