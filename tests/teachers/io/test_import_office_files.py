"""Files saved by another office program: real LibreOffice Calc output (``fixtures/make_fixtures.py`` records
how each was made; the tests only read the committed bytes). The project's own template filled with three
teachers and saved by LibreOffice as .xlsx previews clean and imports; the same with one bad ID check digit
names row 2, column D and writes nothing; LibreOffice's GBK CSV is decoded; its .ods is refused by name."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from teachers.extensions import db
from teachers.io import imports
from teachers.models import AuditEvent, Role, Teacher
from tests import factories as f

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = date(2026, 9, 1)
NAMES = ["张三", "李四", "王喆"]  # 喆 is in GBK, not in GB 2312


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def world(app):
    c = f.county("临江市")
    a = f.school(c, "甲校", code="LJ-A")
    b = f.school(c, "乙校", code="LJ-B")
    hr = f.user("hr", Role.HR, county_obj=c)
    db.session.commit()
    return {"a": a, "b": b, "hr": hr}


def teachers_count() -> int:
    return db.session.scalar(select(func.count(Teacher.id)))


def problems(result) -> list[tuple[int | None, str | None, str]]:
    return [(i.row, i.column, i.message) for i in result.issues]


def test_the_fixtures_really_were_saved_by_libreoffice():
    import zipfile

    for name in ("libreoffice_teachers.xlsx", "libreoffice_bad_id.xlsx"):
        with zipfile.ZipFile(FIXTURES / name) as archive:
            assert b"<Application>LibreOffice/" in archive.read("docProps/app.xml"), name
    with pytest.raises(UnicodeDecodeError):
        fixture("libreoffice_teachers_gbk.csv").decode("utf-8")


def test_the_template_saved_by_libreoffice_previews_clean_and_imports(world):
    data = fixture("libreoffice_teachers.xlsx")
    result = imports.preview(world["hr"], "teachers", data, "libreoffice_teachers.xlsx", today=TODAY)
    assert result.ok, problems(result)
    assert result.table.fmt == "xlsx"
    assert [c.name for c in result.creates] == NAMES
    assert teachers_count() == 0  # a preview writes nothing

    imports.apply(world["hr"], "teachers", data, "libreoffice_teachers.xlsx", today=TODAY)
    db.session.commit()
    rows = {t.staff_no: t for t in db.session.scalars(select(Teacher))}
    assert sorted(rows) == ["T9001", "T9002", "T9003"]
    first, second, third = rows["T9001"], rows["T9002"], rows["T9003"]
    assert first.name == "张三" and first.gender.value == "M" and first.birth_date == date(1990, 5, 6)
    assert first.id_number == f.id_number_for(date(1990, 5, 6), 11) and first.phone == "13812345678"
    assert first.service_start == date(2012, 9, 1) and first.personnel_school_id == world["a"].id
    assert second.gender.value == "F" and second.working_school_id == world["b"].id
    assert second.status.value == "on_exchange"
    assert third.name == "王喆" and third.id_number.endswith("X") and third.degree.value == "master"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import.teachers"))
    assert event.summary["created"] == 3 and event.summary["mode"] == "create"


def test_a_bad_check_digit_saved_by_libreoffice_names_row_2_column_d_and_writes_nothing(world):
    data = fixture("libreoffice_bad_id.xlsx")
    result = imports.preview(world["hr"], "teachers", data, "libreoffice_bad_id.xlsx", today=TODAY)
    assert not result.ok
    found = problems(result)
    assert len(found) == 1 and found[0][:2] == (2, "D") and "校验位" in found[0][2], found
    assert "身份证号" in result.issues[0].text()
    with pytest.raises(imports.DomainError):
        imports.apply(world["hr"], "teachers", data, "libreoffice_bad_id.xlsx", today=TODAY)
    db.session.rollback()
    assert teachers_count() == 0
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "import.teachers")) == 0


def test_a_gbk_csv_saved_by_libreoffice_is_decoded(world):
    data = fixture("libreoffice_teachers_gbk.csv")
    result = imports.preview(world["hr"], "teachers", data, "libreoffice_teachers_gbk.csv", today=TODAY)
    assert result.ok, problems(result)
    assert result.table.fmt == "csv" and result.table.encoding == "gb18030"
    assert [c.name for c in result.creates] == NAMES
    imports.apply(world["hr"], "teachers", data, "libreoffice_teachers_gbk.csv", today=TODAY)
    db.session.commit()
    assert sorted(db.session.scalars(select(Teacher.name))) == sorted(NAMES)


def test_an_ods_saved_by_libreoffice_is_refused_by_name_and_writes_nothing(world):
    data = fixture("libreoffice_teachers.ods")
    result = imports.preview(world["hr"], "teachers", data, "libreoffice_teachers.ods", today=TODAY)
    assert result.table.fmt == "ods" and not result.ok
    assert [(r, c) for r, c, _m in problems(result)] == [(None, None)]
    assert ".ods" in result.issues[0].message and ".xlsx" in result.issues[0].message
    with force_locale("en"):
        english = imports.preview(world["hr"], "teachers", data, "t.ods", today=TODAY).issues[0].message
    assert english.startswith("OpenDocument (.ods) files are not supported")
    with pytest.raises(imports.DomainError):
        imports.apply(world["hr"], "teachers", data, "libreoffice_teachers.ods", today=TODAY)
    db.session.rollback()
    assert teachers_count() == 0


def test_through_the_page_the_libreoffice_file_previews_and_confirms_and_the_ods_is_refused(client, app, world,
                                                                                         tmp_path):
    from tests.conftest import login
    from tests.teachers.io.test_import_views import _upload

    app.config["IMPORT_DIR"] = str(tmp_path / "imports")
    assert login(client, "hr").status_code == 302
    page = _upload(client, fixture("libreoffice_teachers.ods"), name="教师.ods")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "不支持 OpenDocument（.ods）文件" in html
    assert 'id="import-confirm"' not in html

    bad = _upload(client, fixture("libreoffice_bad_id.xlsx")).get_data(as_text=True)
    assert "<td>2</td><td>D（身份证号）</td>" in bad and 'id="import-confirm"' not in bad

    data = fixture("libreoffice_teachers.xlsx")
    html = _upload(client, data).get_data(as_text=True)
    assert 'id="import-confirm"' in html and "王喆" in html
    answer = client.post("/import/teachers/confirm",
                         data={"sha256": imports.sha256(data), "filename": "教师.xlsx", "update": ""})
    assert answer.status_code == 302
    assert teachers_count() == 3
