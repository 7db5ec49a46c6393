"""Import in chromium, on the demo county: HR downloads the template, uploads a file with a bad ID number
and sees the problem named by row and column (nothing written), then uploads the corrected file, sees
what will be created, confirms, and finds the new teacher in the list. Any console error, page error,
failed request or 4xx/5xx answer fails the walk (see conftest)."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook, load_workbook

from tests.browser.conftest import log_in
from tests.factories import id_number_for

HEADERS = ["工号", "姓名", "性别", "身份证号", "出生日期", "学段", "学科", "职称", "学历", "人事学校代码", "参加工作日期"]


def _school_code(live_server) -> str:
    from sqlalchemy import select

    from teachers.extensions import db
    from teachers.models import School, SchoolKind

    with live_server.app.app_context():
        return db.session.scalar(select(School.code).where(School.kind == SchoolKind.PRIMARY,
                                                           School.active.is_(True)).order_by(School.code).limit(1))


def _file(path, code: str, number: str):
    wb = Workbook()
    wb.active.append(HEADERS)
    wb.active.append(["BR2026001", "浏览器导入", "男", number, date(1990, 5, 6), "小学", "数学", "一级教师", "本科", code,
                      date(2013, 9, 1)])
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def test_hr_previews_problems_then_imports(live_server, page, tmp_path):
    code = _school_code(live_server)
    live_server.app.config["IMPORT_DIR"] = str(tmp_path / "imports")
    log_in(page, "hr")
    page.goto("/teachers")
    page.click("#import-teachers")
    link = page.get_attribute("#download-template", "href")
    answer = page.request.get(link)  # (a clicked download aborts the navigation, which the watcher counts)
    assert answer.status == 200
    template = load_workbook(io.BytesIO(answer.body()))
    assert template.active["A1"].value == "工号" and template.active.data_validations.dataValidation

    good = id_number_for(date(1990, 5, 6), 11)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    page.set_input_files("input[name=file]", str(_file(tmp_path / "bad.xlsx", code, bad)))
    page.click("#import-preview")
    row = page.locator("#import-problems tbody tr").first
    assert row.locator("td").nth(0).inner_text() == "2"
    assert "D" in row.locator("td").nth(1).inner_text() and "身份证号" in row.locator("td").nth(1).inner_text()
    assert "校验位" in row.locator("td").nth(2).inner_text()
    assert page.locator("#import-confirm").count() == 0

    page.set_input_files("input[name=file]", str(_file(tmp_path / "good.xlsx", code, good)))
    page.click("#import-preview")
    assert "BR2026001" in page.inner_text("#import-creates")
    page.click("#import-confirm-button")
    page.wait_for_load_state("networkidle")
    assert "已导入：新增1" in page.inner_text("main")
    page.fill("input[name=q]", "BR2026001")
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state("networkidle")
    assert "浏览器导入" in page.inner_text("main")
