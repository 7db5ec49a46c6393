"""The inbox pages, the top-bar count and the dashboard's to-do list."""

from __future__ import annotations

from teachers.extensions import db
from teachers.models import Notification, Role
from teachers.notifications import services as notes
from tests import factories as f
from tests.conftest import login


def _register():
    notes.register_kind("test.inbox_todo", text=lambda p: f"请审批 {p['name']} 的交流。",
                        url=lambda n: f"/teachers/{n.object_id}")
    notes.register_kind("test.inbox_evil", text=lambda p: "evil", url=lambda n: "https://example.invalid/x")


def _people(app):
    _register()
    county = f.county()
    school = f.school(county, "甲校")
    teacher = f.teacher(school, "教师甲")
    principal = f.user("principal", Role.PRINCIPAL, school_obj=school)
    other = f.user("other", Role.PRINCIPAL, school_obj=school)
    db.session.commit()
    return principal, other, teacher


def test_todo_shows_in_top_bar_dashboard_and_inbox_in_the_readers_language(app, client):
    principal, other, teacher = _people(app)
    notes.notify([principal], "test.inbox_todo", object_type="teacher", object_id=teacher.id,
                 params={"name": "教师甲"}, todo=True)
    notes.notify([other], "test.inbox_todo", object_type="teacher", object_id=teacher.id,
                 params={"name": "不该看到"}, todo=True)
    db.session.commit()
    login(client, "principal")
    home = client.get("/").get_data(as_text=True)
    assert 'id="todo-count">1<' in home
    assert "请审批 教师甲 的交流。" in home and "不该看到" not in home
    inbox = client.get("/inbox?show=todo").get_data(as_text=True)
    assert "请审批 教师甲 的交流。" in inbox and "不该看到" not in inbox


def test_opening_a_notice_marks_it_read_and_follows_its_link(app, client):
    principal, _other, teacher = _people(app)
    [n] = notes.notify([principal], "test.inbox_todo", object_type="teacher", object_id=teacher.id,
                       params={"name": "x"}, todo=True)
    db.session.commit()
    login(client, "principal")
    response = client.post(f"/inbox/{n.id}/open")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/teachers/{teacher.id}")
    db.session.expire_all()
    row = db.session.get(Notification, n.id)
    assert row.read_at is not None and row.done_at is None  # reading does not close a to-do
    # closing the to-do (as a service does) takes it off the count
    notes.close_todos("test.inbox_todo", object_type="teacher", object_id=teacher.id)
    db.session.commit()
    assert 'id="todo-count"' not in client.get("/").get_data(as_text=True)


def test_another_users_notice_is_404_and_stays_unread(app, client):
    _principal, other, teacher = _people(app)
    [n] = notes.notify([other], "test.inbox_todo", object_type="teacher", object_id=teacher.id, params={"name": "x"})
    db.session.commit()
    login(client, "principal")
    assert client.post(f"/inbox/{n.id}/open").status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, n.id).read_at is None


def test_a_link_leaving_the_app_is_not_followed(app, client):
    principal, _other, teacher = _people(app)
    [n] = notes.notify([principal], "test.inbox_evil", object_type="teacher", object_id=teacher.id)
    db.session.commit()
    login(client, "principal")
    response = client.post(f"/inbox/{n.id}/open")
    assert response.headers["Location"].endswith("/inbox")


def test_read_all(app, client):
    principal, other, teacher = _people(app)
    for _ in range(3):
        notes.notify([principal, other], "test.inbox_todo", object_type="teacher", object_id=teacher.id,
                     params={"name": "x"})
    db.session.commit()
    login(client, "principal")
    response = client.post("/inbox/read-all", follow_redirects=True)
    assert "已将 3 条通知标为已读。" in response.get_data(as_text=True)
    assert notes.unread_count(principal) == 0 and notes.unread_count(other) == 3


def test_inbox_pages(app, client):
    principal, _other, teacher = _people(app)
    for i in range(25):
        notes.notify([principal], "test.inbox_todo", object_type="teacher", object_id=teacher.id,
                     params={"name": f"第{i}位"})
    db.session.commit()
    login(client, "principal")
    first = client.get("/inbox").get_data(as_text=True)
    assert "第24位" in first and "第0位" not in first
    second = client.get("/inbox?page=2").get_data(as_text=True)
    assert "第0位" in second
