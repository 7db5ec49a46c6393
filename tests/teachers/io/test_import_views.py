"""The import's pages: upload → preview → confirm; the stored file is the uploader's own; county scope; a
school export imports back unchanged."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from teachers.extensions import db
from teachers.io import exports, imports, writer
from teachers.models import AuditEvent, Role, School, Teacher, User
from tests import factories as f
from tests.conftest import login
from tests.teachers.io.test_import import good_rows, xlsx

TODAY = date(2026, 9, 1)


@pytest.fixture
def world(app, tmp_path):
    app.config["IMPORT_DIR"] = str(tmp_path / "imports")
    c = f.county("临江市")
    f.school(c, "甲校", code="LJ-A")
    f.school(c, "乙校", code="LJ-B")
    other = f.county("长白县")
    f.school(other, "外县学校", code="CB-X")
    f.user("hr", Role.HR, county_obj=c)
    f.user("hr2", Role.HR, county_obj=other)
    f.user("admin", Role.ADMIN)
    db.session.commit()
    return {"tmp": tmp_path}


def count() -> int:
    return db.session.scalar(select(func.count(Teacher.id)))


def _upload(client, data: bytes, name="教师.xlsx", update=False):
    form = {"file": (io.BytesIO(data), name)}
    if update:
        form["update"] = "y"
    return client.post("/import/teachers", data=form, content_type="multipart/form-data")


def test_upload_preview_confirm(client, world):
    assert login(client, "hr").status_code == 302
    data = xlsx(good_rows())
    page = _upload(client, data)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "T9001" in html and 'id="import-confirm"' in html
    assert count() == 0  # a preview writes nothing
    sha = imports.sha256(data)
    answer = client.post("/import/teachers/confirm", data={"sha256": sha, "filename": "教师.xlsx", "update": ""})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/teachers")
    assert count() == 3
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import.teachers"))
    assert event.summary["sha256"] == sha and event.actor_username == "hr"
    assert not list((world["tmp"] / "imports").iterdir())  # the stored file is gone once imported


def test_problems_are_listed_and_there_is_no_confirm(client, world):
    assert login(client, "hr").status_code == 302
    rows = good_rows()
    rows[0][11] = "CB-X"  # a school of another county
    html = _upload(client, xlsx(rows)).get_data(as_text=True)
    assert "不在您管理的县域内" in html and 'id="import-problems"' in html and 'id="import-confirm"' not in html
    assert "<td>2</td><td>L（人事学校代码）</td>" in html
    assert count() == 0


def test_another_users_upload_cannot_be_confirmed(client, world):
    assert login(client, "hr").status_code == 302
    data = xlsx(good_rows())
    _upload(client, data)
    client.post("/logout")
    assert login(client, "hr2").status_code == 302
    answer = client.post("/import/teachers/confirm", data={"sha256": imports.sha256(data), "filename": "x", "update": ""})
    assert answer.status_code == 302 and "/import/teachers" in answer.headers["Location"]
    assert count() == 0
    assert client.post("/import/teachers/confirm", data={"sha256": "../../etc", "filename": "x"}).status_code == 400


def test_templates_download(client, world):
    from openpyxl import load_workbook

    assert login(client, "admin").status_code == 302
    for kind, first in (("teachers", "工号"), ("schools", "学校代码"), ("training", "工号")):
        answer = client.get(f"/import/{kind}/template.xlsx")
        assert answer.status_code == 200
        book = load_workbook(io.BytesIO(answer.data))
        assert book.active["A1"].value == first and book.active.data_validations.dataValidation
        assert book["_lists"].sheet_state == "hidden"
        # the template itself reads cleanly (its example row names a school that may not exist)
        table = imports.read(answer.data, imports.SPECS[kind])
        assert not table.issues and len(table.rows) == 1


def test_school_export_imports_back_unchanged(app, world):
    hr = db.session.scalar(select(User).where(User.username == "hr"))
    for fmt in ("xlsx", "csv"):
        data = writer.render(exports.schools(hr).sheet, fmt)
        result = imports.preview(hr, "schools", data, f"schools.{fmt}", update=True, today=TODAY)
        assert result.ok, [i.text() for i in result.issues]
        assert not result.updates and not result.creates and result.unchanged == 2
    assert db.session.scalar(select(func.count(School.id))) == 3


def test_unconfirmed_uploads_are_swept_after_a_day(client, world):
    import os
    import time

    folder = world["tmp"] / "imports"
    folder.mkdir()
    old = folder / f"1-{'a' * 64}.upload"
    old.write_bytes(b"x")
    os.utime(old, (time.time() - 2 * 86400, time.time() - 2 * 86400))
    assert login(client, "hr").status_code == 302
    _upload(client, xlsx(good_rows()))
    assert not old.exists() and len(list(folder.iterdir())) == 1
