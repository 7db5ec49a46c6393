"""The training catalogue: programmes, enrolment by teachers and by HR for a school, capacity, and the
organiser's one-step completion creating records that then go through verification."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from teachers.development import catalogue, training
from teachers.errors import DomainError, PermissionDenied
from teachers.extensions import db
from teachers.models import Enrolment, Programme, TrainingRecord, TrainingSource, TrainingState
from tests import factories as f
from tests.conftest import login
from tests.teachers.development.conftest import LAST_YEAR, TODAY


def data(**over):
    base = {"title": "临江市小学数学县级培训", "level": "county", "mode": "in_person", "hours": "24", "credits": "",
            "provider": "临江市教师进修学校", "start_on": date(LAST_YEAR, 5, 1), "end_on": date(LAST_YEAR, 5, 3),
            "target": "全县小学数学教师", "capacity": "3"}
    base.update(over)
    return base


def test_publish_enrol_complete_verify_confirm(world):
    w = world
    p = catalogue.create(w.hr, None, data())
    with pytest.raises(DomainError, match="已结束"):
        catalogue.enrol_self(w.ua, p.id, TODAY)
    p.end_on = TODAY + timedelta(days=10)  # still open
    catalogue.enrol_self(w.ua, p.id, TODAY)
    with pytest.raises(DomainError, match="已报名"):
        catalogue.enrol_self(w.ua, p.id, TODAY)
    f.teacher(w.a, "王刚")
    f.teacher(w.a, "赵丽")
    f.teacher(w.a, "孙强")
    # 3 seats, 1 taken: the school's 3 other teachers do not fit, and none is enrolled.
    with pytest.raises(DomainError, match="名额不足"):
        catalogue.enrol_school(w.hr, p.id, w.a.id, "", TODAY)
    db.session.rollback()


def test_group_enrolment_and_completion(world):
    w = world
    p = catalogue.create(w.hr, None, data(capacity="5", end_on=TODAY, start_on=TODAY - timedelta(days=2)))
    f.teacher(w.a, "王刚")
    rows = catalogue.enrol_school(w.hr, p.id, w.a.id, "", TODAY)
    assert len(rows) == 2
    with pytest.raises(PermissionDenied):
        catalogue.complete(w.pa, p.id, [r.id for r in rows], TODAY)
    records = catalogue.complete(w.hr, p.id, [r.id for r in rows], TODAY)
    db.session.commit()
    assert [(r.source, r.state, r.hours) for r in records] == [(TrainingSource.PROGRAMME, TrainingState.SUBMITTED, 24)] * 2
    with pytest.raises(DomainError, match="已认定结业"):
        catalogue.complete(w.hr, p.id, [rows[0].id], TODAY)
    db.session.rollback()
    mine = next(r for r in records if r.teacher_id == w.ta.id)
    training.act(w.pa, mine.id, "verify")
    training.act(w.hr, mine.id, "confirm")
    db.session.commit()
    assert training.progress_of(w.ta, TODAY).counted == 24


def test_completion_waits_for_the_end_and_bad_programmes_are_refused(world):
    w = world
    p = catalogue.create(w.hr, None, data(end_on=TODAY + timedelta(days=5), start_on=TODAY))
    e = catalogue.enrol_self(w.ua, p.id, TODAY)
    db.session.commit()
    with pytest.raises(DomainError, match="结束后"):
        catalogue.complete(w.hr, p.id, [e.id], TODAY)
    for over, field in [({"hours": "", "credits": ""}, "hours"), ({"hours": "8", "credits": "1"}, "hours"),
                        ({"title": ""}, "title"), ({"end_on": date(LAST_YEAR, 4, 1)}, "end_on"),
                        ({"capacity": "0"}, "capacity"), ({"capacity": "x"}, "capacity"), ({"level": "moon"}, "level")]:
        with pytest.raises(DomainError) as info:
            catalogue.create(w.hr, None, data(**over))
        assert info.value.field == field, over
    with pytest.raises(PermissionDenied):
        catalogue.create(w.pa, None, data())
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 1


def _row(page: str, pid: int) -> list[str]:
    """The cells (as text) of the programme's row in the catalogue list."""
    import re

    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", page, re.DOTALL) if f"/training/programmes/{pid}\"" in r)
    return [re.sub(r"<[^>]+>|\s+", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]


def test_pages(app, client, world):
    login(client, "hr")
    resp = client.post("/training/programmes/new", data={**data(), "start_on": TODAY.isoformat(),
                                                         "end_on": TODAY.isoformat(), "hours": "6"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    pid = int(resp.headers["Location"].rsplit("/", 1)[-1])
    teacher = app.test_client()
    login(teacher, "teacher")
    assert "临江市小学数学县级培训" in teacher.get("/training/programmes").get_data(as_text=True)
    resp = teacher.post(f"/training/programmes/{pid}/enrol", follow_redirects=True)
    assert "已报名" in resp.get_data(as_text=True)
    eid = db.session.scalar(select(Enrolment.id))
    resp = client.post(f"/training/programmes/{pid}/complete", data={"enrolment_ids": [str(eid)]}, follow_redirects=True)
    assert "已认定 1 位学员结业" in resp.get_data(as_text=True)
    assert db.session.scalar(select(TrainingRecord.programme_id)) == pid
    # The list counts who enrolled and who completed; a full programme offers no enrolment.
    row = _row(client.get("/training/programmes").get_data(as_text=True), pid)
    assert row[-2:] == ["1", "1"]
    db.session.get(Programme, pid).capacity = 1
    db.session.get(Programme, pid).end_on = TODAY + timedelta(days=30)
    db.session.commit()
    other = app.test_client()
    login(other, "teacher-b")
    page = other.get("/training/programmes").get_data(as_text=True)
    assert _row(page, pid)[-1] == "名额已满"
    bad = client.post("/training/programmes/new", data={**data(), "hours": "", "credits": ""})
    assert bad.status_code == 400 and "只填一项" in bad.get_data(as_text=True)
