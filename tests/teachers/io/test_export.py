"""Exports: the shared writer's rules (headers, frozen pane, text-typed IDs, widths, neutralisation, BOM),
masking per role, filters and scope as on the page, refusals, and an audit row per export."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from teachers.extensions import db
from teachers.io import exports, writer
from teachers.io.writer import Column, Sheet
from teachers.models import AuditEvent, Role, SchoolKind, Stage, TrainingState
from tests import factories as f
from tests.conftest import login

FORMULAS = ['=HYPERLINK("http://ev.il","点")', "+1", "-2+3", "@SUM(A1)"]


@pytest.fixture
def county(app):
    c = f.county("临江市")
    a = f.school(c, "甲校", code="LJ-A")
    b = f.school(c, "乙校", code="LJ-B", kind=SchoolKind.JUNIOR,
                 pupils_primary=0, pupils_junior=500)
    plain = [f.teacher(a, f"甲{i}", phone="13812345678") for i in range(3)]
    junior = [f.teacher(b, f"乙{i}", stage=Stage.JUNIOR, phone="13900001111") for i in range(2)]
    tricky = [f.teacher(a, name, phone="+8613812345678") for name in FORMULAS]
    other = f.county("长白县")
    far = f.teacher(f.school(other, "外县学校", code="CB-X"), "外县教师")
    f.user("admin", Role.ADMIN)
    f.user("hr", Role.HR, county_obj=c)
    f.user("inspector", Role.INSPECTOR, county_obj=c)
    f.user("principal", Role.PRINCIPAL, school_obj=a)
    f.user("teacher", Role.TEACHER, teacher_obj=plain[0])
    f.user("hr2", Role.HR, county_obj=other)
    f.training_record(plain[0], state=TrainingState.CONFIRMED, hours=40, start=date(2026, 3, 1))
    db.session.commit()
    return {"a": a, "b": b, "plain": plain, "junior": junior, "tricky": tricky, "far": far}


def _sheet(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def _rows(ws, first: int = 2) -> list[tuple]:
    return list(ws.iter_rows(min_row=first, values_only=True))


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _get(client, who: str, path: str, **kw):
    assert login(client, who).status_code == 302
    return client.get(path, **kw)


# ------------------------------------------------------------------------------------------ the writer


def test_writer_neutralises_formulas_in_xlsx_and_csv():
    sheet = lambda: Sheet("表", [Column("姓名"), Column("身份证号", text=True), Column("数")],
                          [[v, "220621198503141234", 3] for v in [*FORMULAS, "\tx", "\rx", "正常"]])
    ws = _sheet(writer.render(sheet(), "xlsx"))
    cells = [row[0] for row in ws.iter_rows(min_row=2)]
    # (XML reads a carriage return back as a line feed; what matters is the apostrophe before it)
    assert [c.value for c in cells] == ["'" + v for v in [*FORMULAS, "\tx", "\nx"]] + ["正常"]
    assert all(c.data_type == "s" for c in cells)  # never a formula cell
    assert [r[2] for r in _rows(ws)] == [3] * 7  # numbers stay numbers, unprefixed
    rows = _csv(writer.render(sheet(), "csv"))
    assert [r[0] for r in rows[1:]] == ["'" + v for v in [*FORMULAS, "\tx", "\rx"]] + ["正常"]
    assert rows[0] == ["姓名", "身份证号", "数"]


def test_writer_header_frozen_widths_and_text_columns():
    sheet = Sheet("表", [Column("工号", text=True), Column("学校名称"), Column("日期")],
                  [["007", "临江市第一实验小学教育集团", date(2020, 9, 1)]])
    ws = _sheet(writer.render(sheet, "xlsx"))
    assert [c.value for c in ws[1]] == ["工号", "学校名称", "日期"] and ws[1][0].font.b
    assert ws.freeze_panes == "A2"
    cell = ws["A2"]
    assert (cell.value, cell.data_type, cell.number_format) == ("007", "s", "@")
    assert ws.column_dimensions["B"].width >= 26 > ws.column_dimensions["A"].width >= writer.MIN_WIDTH
    assert ws["C2"].value.date() == date(2020, 9, 1)


# ------------------------------------------------------------------------------------------ teachers


def test_teacher_export_full_for_hr_masked_for_principal_and_inspector(client, county):
    t = county["plain"][1]
    hr = _sheet(_get(client, "hr", "/export/teachers.xlsx").data)
    headers = [c.value for c in hr[1]]
    assert headers[:5] == ["工号", "姓名", "性别", "身份证号", "出生日期"]
    assert "人事学校代码" in headers and "任教学校代码" in headers and "参加工作日期" in headers
    assert hr.freeze_panes == "A2"
    row = next(r for r in hr.iter_rows(min_row=2) if r[0].value == t.staff_no)
    assert row[3].value == t.id_number and row[3].data_type == "s" and row[3].number_format == "@"
    assert row[4].value.date() == t.birth_date
    phone = row[headers.index("联系电话")]
    assert phone.value == "13812345678" and phone.number_format == "@"
    assert all(hr.column_dimensions[col].width for col in "ABCDE")
    for who in ("principal", "inspector"):
        client.post("/logout")
        ws = _sheet(_get(client, who, "/export/teachers.xlsx").data)
        row = next(r for r in _rows(ws) if r[0] == t.staff_no)
        assert row[3] != t.id_number and "*" in row[3] and row[3][-4:] == t.id_number[-4:]
        assert row[4] == str(t.birth_date.year)  # the year only, never the full date
    assert row[headers.index("联系电话")] == "138****5678"  # inspector: masked phone


def test_teacher_export_neutralises_names_in_xlsx_and_csv(client, county):
    ws = _sheet(_get(client, "hr", "/export/teachers.xlsx").data)
    names = {r[1].value: r[1] for r in ws.iter_rows(min_row=2)}
    for v in FORMULAS:
        assert names["'" + v].data_type == "s"
    phones = [r[5].value for r in ws.iter_rows(min_row=2) if r[1].value.startswith("'")]
    assert phones == ["'+8613812345678"] * len(FORMULAS)
    rows = _csv(client.get("/export/teachers.csv").data)
    assert {"'" + v for v in FORMULAS} <= {r[1] for r in rows[1:]}
    assert not any(r[1].startswith(tuple("=+-@")) for r in rows[1:])


def test_teacher_export_honours_filters_and_scope(client, county):
    ws = _sheet(_get(client, "hr", "/export/teachers.xlsx?stage=junior").data)
    assert sorted(r[0] for r in _rows(ws)) == sorted(t.staff_no for t in county["junior"])
    # the search box posts; an ID number searched there is honoured without appearing in the URL
    wanted = county["plain"][2]
    rows = _csv(client.post("/export/teachers.csv", data={"q": wanted.id_number}).data)
    assert [r[0] for r in rows[1:]] == [wanted.staff_no]
    everyone = {r[0] for r in _rows(_sheet(client.get("/export/teachers.xlsx").data))}
    assert county["far"].staff_no not in everyone
    assert len(everyone) == len(county["plain"]) + len(county["junior"]) + len(county["tricky"])
    # the principal's export holds their school's teachers only
    client.post("/logout")
    mine = {r[0] for r in _rows(_sheet(_get(client, "principal", "/export/teachers.xlsx").data))}
    assert mine == {t.staff_no for t in county["plain"] + county["tricky"]}


def test_filtered_export_equals_the_list_page(client, county, app):
    from teachers.models import User
    from teachers.records import services

    hr = db.session.scalar(select(User).where(User.username == "hr"))
    page = services.list_teachers(hr, filters={"school": county["b"].id}, page_size=500)
    rows = _rows(_sheet(_get(client, "hr", f"/export/teachers.xlsx?school={county['b'].id}").data))
    assert [r[0] for r in rows] == [i.teacher.staff_no for i in page.items]


def _export_form(html: str) -> tuple[str, dict[str, str]]:
    """The list page's export form: its action and the hidden fields it posts."""
    form = re.search(r'<form method="post" action="([^"]+)"[^>]*id="teacher-export">(.*?)</form>', html, re.DOTALL)
    assert form, "the list page has its export form"
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2)))
    return form.group(1), fields


def _page_staff_numbers(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>\s*<td>([^<]+)</td>", body)


@pytest.mark.parametrize("query", ["stage=junior", "sort=name&dir=desc", "subject=数学&sort=birth_date",
                                   "area=bogus&sort=name"])
def test_the_list_pages_export_button_posts_exactly_what_the_page_shows(client, county, query):
    """Render the list with filters and an order, post its export form as the browser would: the export
    holds the page's rows in the page's order (an invalid filter is dropped on both)."""
    page = _get(client, "hr", f"/teachers?{query}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    action, fields = _export_form(html)
    assert action == "/export/teachers.xlsx" and "csrf_token" in fields
    shown = _page_staff_numbers(html)
    assert shown, html[:200]
    rows = _rows(_sheet(client.post(action, data=fields).data))
    assert [r[0] for r in rows] == shown


def test_an_id_number_search_on_the_page_is_posted_by_its_export_button(client, county):
    wanted = county["junior"][1]
    assert login(client, "hr").status_code == 302
    page = client.post("/teachers", data={"q": wanted.id_number})  # answered directly, never redirected
    assert page.status_code == 200
    action, fields = _export_form(page.get_data(as_text=True))
    assert fields["q"] == wanted.id_number
    rows = _rows(_sheet(client.post(action, data=fields).data))
    assert [r[0] for r in rows] == [wanted.staff_no]


def test_an_id_number_in_the_export_url_is_refused_like_on_the_list(client, county):
    wanted = county["plain"][0]
    for kind in ("teachers", "national"):
        response = _get(client, "hr", f"/export/{kind}.xlsx?q={wanted.id_number}&stage=primary")
        assert response.status_code == 302 and wanted.id_number not in response.location
        assert "/teachers" in response.location and "stage=primary" in response.location
        client.post("/logout")
    exported = select(db.func.count(AuditEvent.id)).where(AuditEvent.action.startswith("export."))
    assert db.session.scalar(exported) == 0


def test_teacher_role_refused_and_audit_rows_written(client, county):
    assert _get(client, "teacher", "/export/teachers.xlsx").status_code == 403
    assert client.get("/export/national.csv").status_code == 403
    client.post("/logout")
    exported = select(db.func.count(AuditEvent.id)).where(AuditEvent.action.startswith("export."))
    assert db.session.scalar(exported) == 0  # refusals leave no export row
    assert _get(client, "hr", "/export/teachers.csv?stage=junior").status_code == 200
    db.session.expire_all()
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert db.session.scalar(exported) == 1
    assert event.action == "export.teachers" and event.actor_username == "hr"
    assert event.summary["rows"] == 2 and event.summary["format"] == "csv"
    assert event.summary["filters"]["stage"] == "junior" and event.summary["masked"] is False


def test_searched_id_number_is_masked_in_the_audit_row(client, county):
    wanted = county["plain"][0]
    _get(client, "hr", "/export/teachers.xlsx")
    client.post("/export/teachers.xlsx", data={"q": wanted.id_number})
    db.session.expire_all()
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert event.summary["rows"] == 1 and wanted.id_number not in str(event.summary)


# ------------------------------------------------------------------------------------------ schools, training


def test_school_export_filters_scope_and_refusals(client, county):
    ws = _sheet(_get(client, "hr", "/export/schools.xlsx").data)
    assert [c.value for c in ws[1]][:3] == ["学校代码", "学校名称", "所属县域"] and ws.freeze_panes == "A2"
    codes = [r[0] for r in _rows(ws)]
    assert sorted(codes) == ["LJ-A", "LJ-B"] and ws["A2"].number_format == "@"
    rows = _csv(client.get("/export/schools.csv?kind=junior").data)
    assert [r[0] for r in rows[1:]] == ["LJ-B"]
    client.post("/logout")
    assert _get(client, "principal", "/export/schools.xlsx").status_code == 403
    client.post("/logout")
    assert [r[0] for r in _rows(_sheet(_get(client, "hr2", "/export/schools.xlsx").data))] == ["CB-X"]


def test_training_export_hours_against_required(client, county):
    ws = _sheet(_get(client, "hr", "/export/training.xlsx").data)
    headers = [c.value for c in ws[1]]
    assert headers[:2] == ["工号", "姓名"] and "应修学时" in headers and "进度落后" in headers
    rows = {r[0]: dict(zip(headers, r, strict=True)) for r in _rows(ws)}
    done = rows[county["plain"][0].staff_no]
    assert done["已确认学时"] == 40 and done["还差学时"] == done["应修学时"] - 40 and done["进度落后"] == "是"
    assert county["far"].staff_no not in rows
    client.post("/logout")
    mine = _csv(_get(client, "principal", "/export/training.csv").data)
    assert {r[0] for r in mine[1:]} == {t.staff_no for t in county["plain"] + county["tricky"]}
    client.post("/logout")
    assert _get(client, "teacher", "/export/training.xlsx").status_code == 403


# ------------------------------------------------------------------------------------------ national layout


def test_national_layout_names_codes_and_masking(client, county):
    t = county["plain"][0]
    ws = _sheet(_get(client, "hr", "/export/national.xlsx").data)
    headers = [c.value for c in ws[1]]
    assert headers[:8] == ["学校标识码", "学校名称", "教职工号", "姓名", "性别", "国籍/地区", "身份证件类型", "身份证件号"]
    row = dict(zip(headers, next(r for r in _rows(ws) if r[2] == t.staff_no), strict=True))
    assert (row["性别"], row["国籍/地区"], row["身份证件类型"]) == ("2-女", "156-中国", "1-居民身份证")
    assert row["身份证件号"] == t.id_number and row["最高学历"] == "21-大学本科毕业"
    assert row["参加工作年月"] == t.service_start.strftime("%Y-%m")
    client.post("/logout")
    ws = _sheet(_get(client, "inspector", "/export/national.xlsx").data)
    row = dict(zip(headers, next(r for r in _rows(ws) if r[2] == t.staff_no), strict=True))
    assert "*" in row["身份证件号"] and row["出生日期"] == str(t.birth_date.year)


# ------------------------------------------------------------------------------------------ command line


def test_cli_exports_and_refuses_bad_arguments(app, county, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "教师.xlsx"
    result = runner.invoke(args=["export", "teachers", "-o", str(out), "--county", "临江市"])
    assert result.exit_code == 0, result.output
    staff = {r[0] for r in _rows(_sheet(out.read_bytes()))}
    assert county["far"].staff_no not in staff and county["plain"][0].staff_no in staff
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert event.action == "export.teachers" and event.actor_username.startswith("cli:")
    assert event.summary["rows"] == len(staff) and event.summary["filters"]["county"] == "临江市"
    csv_out = tmp_path / "schools.csv"
    assert runner.invoke(args=["export", "schools", "-o", str(csv_out)]).exit_code == 0
    assert {r[0] for r in _csv(csv_out.read_bytes())[1:]} == {"LJ-A", "LJ-B", "CB-X"}
    bad = runner.invoke(args=["export", "teachers", "-o", str(out), "--county", "无此县"])
    assert bad.exit_code != 0 and "找不到县" in bad.output
    bad = runner.invoke(args=["export", "training", "-o", str(tmp_path / "no" / "x.xlsx")])
    assert bad.exit_code != 0 and "无法写入" in bad.output and not (tmp_path / "no").exists()
    bad = runner.invoke(args=["export", "national", "-o", str(tmp_path / "x.xlsx"), "--format", "pdf"])
    assert bad.exit_code != 0 and "xlsx 或 csv" in bad.output and not (tmp_path / "x.xlsx").exists()
    bad = runner.invoke(args=["export", "teacher", "-o", str(tmp_path / "x.xlsx")])
    assert bad.exit_code == 1 and "导出内容“teacher”无效" in bad.output and "schools" in bad.output
    bad = runner.invoke(args=["export"])
    assert bad.exit_code == 1 and "请指定导出内容" in bad.output
    bad = runner.invoke(args=["export", "teachers"])
    assert bad.exit_code == 1 and "-o" in bad.output and "请用" in bad.output
    bad = runner.invoke(args=["export", "schools", "-o", str(tmp_path)])
    assert bad.exit_code == 1 and "无法写入" in bad.output
    assert not (tmp_path / "x.xlsx").exists()
    assert db.session.scalar(select(db.func.count(AuditEvent.id)).where(AuditEvent.action.startswith("export."))) == 2


def test_exports_module_lists_every_kind():
    assert set(exports.KINDS) >= {"teachers", "schools", "training", "national", "plan", "final_list"}


@pytest.mark.parametrize("name", ["培训学时完成情况", "Training hours: completion", "a/b\\c?d*e[f]g", "'quoted'",
                                  ":::", "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三"])
def test_writer_makes_any_sheet_name_a_title_excel_accepts(name):
    """A translated sheet name may hold characters Excel refuses in a title ([]:*?/\\, 31 at most)."""
    title = writer.sheet_title(name)
    assert title and len(title) <= 31 and not re.search(r"[\[\]:*?/\\]", title) and title[0] != "'" != title[-1]
    ws = _sheet(writer.render(Sheet(name, [Column("甲")], [["1"]]), "xlsx"))
    assert ws.title == title


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("what", ["teachers", "schools", "training", "national"])
def test_every_export_downloads_in_either_language(client, county, lang, what):
    """Each export's workbook is written in the reader's language, whatever its sheet name holds."""
    assert login(client, "hr").status_code == 302
    client.post(f"/lang/{lang}", data={"next": "/"})
    response = client.get(f"/export/{what}.xlsx")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert "spreadsheetml" in response.headers["Content-Type"]
    assert _sheet(response.data).max_row >= 1
