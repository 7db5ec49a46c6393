"""The one notification service: notices and to-dos, read in the reader's language."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from teachers.errors import NotFound
from teachers.extensions import db
from teachers.models import Notification, Role
from teachers.notifications import services as notes
from tests import factories as f


@pytest.fixture
def people(app):
    c = f.county()
    s = f.school(c)
    return f.user("hr-n", Role.HR, county_obj=c), f.user("pr-n", Role.PRINCIPAL, school_obj=s)


@pytest.fixture(autouse=True)
def kinds():
    notes.register_kind("test.move_proposed", text=lambda p: gettext("“%(name)s”的取值无效。", name=p["name"]),
                        url=lambda n: f"/moves/{n.object_id}")
    yield


def test_notify_stores_kind_and_params_and_renders_in_the_readers_language(people):
    hr, principal = people
    rows = notes.notify([hr, principal, hr.id], "test.move_proposed", object_type="move", object_id=7,
                        params={"name": "张三"}, todo=True)
    assert sorted(r.user_id for r in rows) == sorted([hr.id, principal.id])  # duplicate dropped
    with force_locale("zh"):
        assert notes.render(rows[0]) == ("“张三”的取值无效。", "/moves/7")
    with force_locale("en"):
        text, _ = notes.render(rows[0])
        assert text == "Invalid value for “张三”."


def test_unregistered_kind_is_refused(people):
    with pytest.raises(ValueError):
        notes.notify(people[0], "no.such.kind", object_type="move", object_id=1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_todos_open_until_closed_and_counts_follow(people):
    hr, principal = people
    notes.notify([hr, principal], "test.move_proposed", object_type="move", object_id=1, params={"name": "a"},
                 todo=True)
    notes.notify(hr, "test.move_proposed", object_type="move", object_id=2, params={"name": "b"})
    assert notes.open_todo_count(hr) == 1 and notes.open_todo_count(principal) == 1
    assert notes.unread_count(hr) == 2

    assert notes.close_todos("test.move_proposed", object_type="move", object_id=1, users=[principal]) == 1
    assert notes.open_todo_count(principal) == 0 and notes.open_todo_count(hr) == 1
    assert notes.close_todos("test.move_proposed", object_type="move", object_id=1) == 1
    assert notes.close_todos("test.move_proposed", object_type="move", object_id=1) == 0
    assert notes.open_todo_count(hr) == 0
    assert notes.inbox(hr, todo_only=True).total == 0
    assert notes.inbox(hr).total == 2


def test_inbox_pages_newest_first_and_only_own(people):
    hr, principal = people
    for i in range(5):
        notes.notify(hr, "test.move_proposed", object_type="move", object_id=i, params={"name": str(i)})
    notes.notify(principal, "test.move_proposed", object_type="move", object_id=99, params={"name": "x"})
    first = notes.inbox(hr, page=1, per_page=2)
    assert first.total == 5 and first.pages == 3 and first.has_next and not first.has_prev
    assert [n.object_id for n in first.items] == [4, 3]
    assert [n.object_id for n in notes.inbox(hr, page=3, per_page=2).items] == [0]
    assert all(n.user_id == hr.id for n in notes.inbox(hr, per_page=100).items)


def test_mark_read_own_only(people):
    hr, principal = people
    (row,) = notes.notify(hr, "test.move_proposed", object_type="move", object_id=1, params={"name": "a"})
    with pytest.raises(NotFound):
        notes.mark_read(principal, row.id)
    assert notes.unread_count(hr) == 1
    notes.mark_read(hr, row.id)
    notes.mark_read(hr, row.id)
    assert notes.unread_count(hr) == 0
    notes.notify(hr, "test.move_proposed", object_type="move", object_id=2, params={"name": "b"})
    notes.notify(hr, "test.move_proposed", object_type="move", object_id=3, params={"name": "c"})
    assert notes.mark_all_read(hr) == 2 and notes.unread_count(hr) == 0


def test_database_refuses_a_done_notice_that_is_not_a_todo(people):
    hr, _ = people
    db.session.add(Notification(user_id=hr.id, kind="x", object_type="move", object_id=1, params={},
                                todo=False, done_at=sa.func.now()))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_unknown_kind_renders_without_failing(people):
    hr, _ = people
    row = Notification(user_id=hr.id, kind="gone.kind", object_type="x", object_id=1, params={})
    text, url = notes.render(row)
    assert "gone.kind" in text and url is None
