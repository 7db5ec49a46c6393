"""Development to-dos in the one inbox: each appears for the person who has to act (and nobody else),
counts in the top bar, leads to the page where it is done, and disappears once it is done.
(Training records' to-dos are covered in test_training.py, re-evaluations in test_tiers.py.)"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from teachers.development import achievements, growth, mentoring, notices
from teachers.extensions import db
from teachers.models import Backbone, Notification, Role, Tier
from teachers.notifications.services import open_todo_count, render
from tests import factories as f
from tests.conftest import login
from tests.teachers.development.conftest import TODAY

ACHIEVEMENT = {"kind": "paper", "level": "county", "title": "小学数学作业设计研究", "achieved_on": date(2023, 5, 6)}


def open_todos(user, kind: str) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.kind == kind, Notification.todo.is_(True),
        Notification.done_at.is_(None))))


@pytest.fixture
def w(world):
    notices.register()
    world.pa2 = f.user("principal-2", Role.PRINCIPAL, school_obj=world.a)  # a second head of school A
    db.session.commit()
    return world


def everyone(w):
    return [w.hr, w.hr2, w.inspector, w.admin, w.pa, w.pa2, w.pb, w.ua, w.ub]


def test_achievement_waits_for_the_principals_of_the_school_only(app, w):
    row = achievements.record(w.ua, ACHIEVEMENT, None, TODAY)
    db.session.commit()
    for u in everyone(w):
        assert len(open_todos(u, "achievement.to_verify")) == (1 if u in (w.pa, w.pa2) else 0), u.username
    assert open_todo_count(w.pa) == 1 and open_todo_count(w.pb) == 0
    with app.test_request_context():
        text, url = render(open_todos(w.pa, "achievement.to_verify")[0])
    assert "张晓明" in text and ACHIEVEMENT["title"] in text and url == f"/teachers/{w.ta.id}/development"
    with app.test_request_context(), force_locale("en"):  # worded when read, in the reader's language
        assert render(open_todos(w.pa, "achievement.to_verify")[0])[0].startswith("To verify: the achievement")

    achievements.review(w.pa2, row.id, False, "缺少刊物封面")
    db.session.commit()
    assert open_todos(w.pa, "achievement.to_verify") == [] and open_todos(w.pa2, "achievement.to_verify") == []
    # The teacher hears of the rejection and why (a notice, nothing to act on in the record itself).
    [notice] = db.session.scalars(select(Notification).where(Notification.kind == "achievement.rejected")).all()
    assert notice.user_id == w.ua.id and not notice.todo
    with app.test_request_context():
        assert "缺少刊物封面" in render(notice)[0]


def test_verifying_an_achievement_closes_the_todo(w):
    row = achievements.record(w.ua, ACHIEVEMENT, None, TODAY)
    achievements.review(w.pa, row.id, True)
    db.session.commit()
    assert open_todo_count(w.pa) == 0 and open_todo_count(w.pa2) == 0
    assert db.session.scalar(select(Notification.id).where(Notification.kind == "achievement.rejected")) is None


def test_growth_plan_asks_the_principal_for_a_comment_once_until_commented(app, w):
    f.award(w.ta, Tier.YOUNG, date(2024, 9, 1))
    plan = growth.save_goals(w.ua, "三年内上好县级公开课")
    growth.add_entry(w.ua, TODAY, "完成校级公开课", TODAY)
    growth.add_entry(w.ua, TODAY, "参加县级教研活动", TODAY)
    db.session.commit()
    for u in everyone(w):
        assert len(open_todos(u, "growth.to_comment")) == (1 if u in (w.pa, w.pa2) else 0), u.username
    with app.test_request_context():
        text, url = render(open_todos(w.pa, "growth.to_comment")[0])
    assert "张晓明" in text and url == f"/teachers/{w.ta.id}/development"

    growth.comment(w.pa, w.ta.id, "目标明确，继续努力")
    db.session.commit()
    assert open_todos(w.pa, "growth.to_comment") == [] and open_todos(w.pa2, "growth.to_comment") == []
    assert db.session.scalar(select(Notification.user_id).where(Notification.kind == "growth.commented")) == w.ua.id
    # New progress after the comment asks again.
    growth.add_entry(w.ua, TODAY, "县级公开课获好评", TODAY)
    db.session.commit()
    assert [n.object_id for n in open_todos(w.pa, "growth.to_comment")] == [plan.id]


@pytest.fixture
def pair(w):
    w.new = f.teacher(w.a, "新老师", service_start=TODAY - timedelta(days=800), tier=Tier.NEW)
    w.mentor = f.teacher(w.a, "骨干甲", backbone=Backbone.COUNTY, tier=Tier.BACKBONE)
    w.other_mentor = f.teacher(w.a, "骨干丙", backbone=Backbone.COUNTY, tier=Tier.BACKBONE)
    w.mentor_user = f.user("mentor", Role.TEACHER, teacher_obj=w.mentor)
    w.other_user = f.user("other-mentor", Role.TEACHER, teacher_obj=w.other_mentor)
    w.new_user = f.user("new", Role.TEACHER, teacher_obj=w.new)
    [p] = mentoring.create_pairs(w.hr, [(w.new.id, w.mentor.id)], TODAY - timedelta(days=365 * 2 + 5))
    db.session.commit()
    return p


def test_a_mentoring_log_waits_for_the_mentors_countersignature(app, w, pair):
    log = mentoring.add_log(w.new_user, pair.id, TODAY, "听导师示范课并评课", TODAY)
    db.session.commit()
    for u in [*everyone(w), w.new_user, w.other_user]:
        assert len(open_todos(u, "mentoring.to_countersign")) == 0, u.username
    [todo] = open_todos(w.mentor_user, "mentoring.to_countersign")
    assert open_todo_count(w.mentor_user) == 1
    with app.test_request_context():
        text, url = render(todo)
    assert "新老师" in text and TODAY.isoformat() in text and url == f"/development/mentoring/{pair.id}"

    mentoring.countersign(w.mentor_user, log.id)
    db.session.commit()
    assert open_todo_count(w.mentor_user) == 0


def test_guidance_due_for_sign_off_waits_for_the_principals_and_closes_on_sign_off(app, w, pair):
    young = f.teacher(w.a, "新老师二", service_start=TODAY - timedelta(days=100), tier=Tier.NEW)
    [recent] = mentoring.create_pairs(w.hr, [(young.id, w.other_mentor.id)], TODAY - timedelta(days=100))
    assert mentoring.remind_sign_offs(TODAY) == 1  # only the pair whose two years have passed
    assert mentoring.remind_sign_offs(TODAY) == 0  # reminding again opens nothing more
    db.session.commit()
    for u in [*everyone(w), w.mentor_user, w.new_user]:
        expected = [pair.id] if u in (w.pa, w.pa2) else []
        assert [n.object_id for n in open_todos(u, "mentoring.to_sign_off")] == expected, u.username
    with app.test_request_context():
        text, url = render(open_todos(w.pa, "mentoring.to_sign_off")[0])
    assert "新老师" in text and "2" in text and url == f"/development/mentoring/{pair.id}"
    assert recent.id not in {n.object_id for n in open_todos(w.pa, "mentoring.to_sign_off")}

    mentoring.sign_off(w.pa2, pair.id, TODAY)
    db.session.commit()
    assert open_todos(w.pa, "mentoring.to_sign_off") == [] and open_todos(w.pa2, "mentoring.to_sign_off") == []
    assert mentoring.remind_sign_offs(TODAY) == 0  # a signed-off pair is not reminded again


def test_ending_a_pair_closes_its_sign_off_todo(w, pair):
    mentoring.remind_sign_offs(TODAY)
    mentoring.end_pair(w.hr, pair.id, TODAY)
    db.session.commit()
    assert open_todos(w.pa, "mentoring.to_sign_off") == []


def test_the_daily_reminders_command_opens_sign_off_todos(app, w, pair):
    principal_id = w.pa.id
    result = app.test_cli_runner().invoke(args=["development-reminders"])
    assert result.exit_code == 0, result.output
    assert "1 mentoring sign-offs" in result.output
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == principal_id, Notification.kind == "mentoring.to_sign_off",
        Notification.done_at.is_(None))) == 1


def test_the_inbox_lists_the_todo_and_the_top_bar_counts_it(client, w):
    achievements.record(w.ua, ACHIEVEMENT, None, TODAY)
    db.session.commit()
    login(client, "principal")
    home = client.get("/").get_data(as_text=True)
    assert 'id="todo-count">1<' in home
    assert ACHIEVEMENT["title"] in client.get("/inbox?show=todo").get_data(as_text=True)
    assert ACHIEVEMENT["title"] in client.get("/training/review").get_data(as_text=True)  # and in the review list
    client.post("/logout")
    login(client, "principal-b")
    assert ACHIEVEMENT["title"] not in client.get("/inbox?show=todo").get_data(as_text=True)
    assert ACHIEVEMENT["title"] not in client.get("/training/review").get_data(as_text=True)
