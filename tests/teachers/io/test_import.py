"""Imports: every kind of bad input names its row and column and writes nothing; clean files are written in
one transaction with one audit row; the command prints the same messages and exits non-zero; an export
imported back in update mode changes nothing."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

import pytest
from flask_babel import force_locale
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from teachers.extensions import db
from teachers.io import exports, imports, writer
from teachers.io.reader import detect_format
from teachers.models import Assignment, AuditEvent, Role, School, SchoolKind, Teacher, TeacherStatus
from tests import factories as f

TODAY = date(2026, 9, 1)
HEADERS = ["工号", "姓名", "性别", "身份证号", "出生日期", "联系电话", "学段", "学科", "兼教学科", "职称", "学历",
           "人事学校代码", "任教学校代码", "入职日期", "参加工作日期", "在岗状态"]
MAN = f.id_number_for(date(1990, 5, 6), 11)  # odd sequence digit: a man
WOMAN = f.id_number_for(date(1992, 7, 8), 12)
WOMAN_X = next(n for n in (f.id_number_for(date(1988, 1, 2), s) for s in range(0, 999, 2)) if n.endswith("X"))


def good_rows() -> list[list]:
    return [
        ["T9001", "张三", "男", MAN, "1990-05-06", "13812345678", "小学", "数学", "科学", "一级教师", "本科",
         "LJ-A", "", "2012-09-01", "2012-09-01", "在岗"],
        ["T9002", "李四", "女", WOMAN, "1992-07-08", "", "小学", "语文", "", "二级教师", "大专",
         "LJ-A", "LJ-B", "2015-09-01", "2015-09-01", "在岗"],
        ["T9003", "王五", "女", WOMAN_X, "1988-01-02", "", "小学", "英语", "", "高级教师", "硕士研究生",
         "LJ-B", "", "2011-09-01", "2011-09-01", "在岗"],
    ]


def xlsx(rows: list[list], headers: list = HEADERS, *, extra=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "教师"
    ws.append(headers)
    for row in rows:
        ws.append(row)
    if extra:
        extra(wb, ws)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], encoding: str, headers: list = HEADERS) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows([headers, *rows])
    return text.getvalue().encode(encoding)


@pytest.fixture
def world(app):
    c = f.county("临江市")
    a = f.school(c, "甲校", code="LJ-A")
    b = f.school(c, "乙校", code="LJ-B")
    other = f.county("长白县")
    far = f.school(other, "外县学校", code="CB-X")
    existing = f.teacher(a, "老教师", staff_no="T0001")
    admin = f.user("admin", Role.ADMIN)
    hr = f.user("hr", Role.HR, county_obj=c)
    principal = f.user("principal", Role.PRINCIPAL, school_obj=a)
    db.session.commit()
    return {"county": c, "a": a, "b": b, "far": far, "existing": existing, "admin": admin, "hr": hr,
            "principal": principal}


def teachers_count() -> int:
    return db.session.scalar(select(func.count(Teacher.id)))


def problems(result) -> list[tuple[int | None, str | None, str]]:
    return [(i.row, i.column, i.message) for i in result.issues]


def only(result, row: int | None, column: str | None, fragment: str) -> None:
    """The preview has a problem at exactly this cell whose message holds ``fragment``, and nothing was written."""
    found = problems(result)
    assert any(r == row and c == column and fragment in m for r, c, m in found), found
    assert not result.ok


def rejected(world, data: bytes, row, column, fragment, *, update=False, name="f.xlsx"):
    before = teachers_count()
    result = imports.preview(world["hr"], "teachers", data, name, update=update, today=TODAY)
    only(result, row, column, fragment)
    with pytest.raises(imports.DomainError):
        imports.apply(world["hr"], "teachers", data, name, update=update, today=TODAY)
    db.session.rollback()
    assert teachers_count() == before
    return result


# ------------------------------------------------------------------------------------------ clean files


def test_clean_xlsx_is_written_in_one_batch_with_history_and_one_audit_row(world):
    data = xlsx(good_rows())
    result = imports.apply(world["hr"], "teachers", data, "教师.xlsx", today=TODAY)
    db.session.commit()
    assert result.ok and len(result.creates) == 3
    t = db.session.scalar(select(Teacher).where(Teacher.staff_no == "T9002"))
    assert t.working_school_id == world["b"].id and t.personnel_school_id == world["a"].id
    assert t.status.value == "on_exchange"
    kinds = sorted(a.kind.value for a in db.session.scalars(select(Assignment).where(Assignment.teacher_id == t.id)))
    assert kinds == ["exchange", "hire"]
    w = db.session.scalar(select(Teacher).where(Teacher.staff_no == "T9003"))
    assert w.id_number.endswith("X") and w.title.value == "senior" and w.degree.value == "master"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import.teachers"))
    assert event.summary["created"] == 3 and event.summary["file"] == "教师.xlsx"
    assert event.summary["sha256"] == imports.sha256(data) and len(event.summary["sha256"]) == 64


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_bom_and_gbk_is_detected(world, encoding):
    data = csv_bytes(good_rows(), encoding)
    result = imports.preview(world["hr"], "teachers", data, "t.csv", today=TODAY)
    assert result.ok, problems(result)
    assert result.table.encoding == {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gbk": "gb18030"}[encoding]
    assert [c.name for c in result.creates] == ["张三", "李四", "王五"]


def test_header_variants_integer_staff_numbers_and_excel_serial_dates(world):
    headers = ["教职工号", "姓名", "性别", "公民身份号码", "出生年月日", "手机号", "任教学段", "主教学科", "兼教学科",
               "专业技术职务", "最高学历", "人事关系学校代码", "任教学校代码", "到校时间", "参加工作时间*", "状态"]
    rows = good_rows()
    rows[0][0] = 9001  # a staff number typed as a number
    rows[0][4] = 32999  # an Excel serial date: 1990-05-06
    rows[0][14] = datetime(2012, 9, 1)
    data = xlsx(rows, headers)
    result = imports.apply(world["hr"], "teachers", data, "t.xlsx", today=TODAY)
    assert result.ok
    t = db.session.scalar(select(Teacher).where(Teacher.staff_no == "9001"))
    assert t.birth_date == date(1990, 5, 6) and t.service_start == date(2012, 9, 1)


def test_a_workbook_as_another_program_writes_it_inline_strings(world):
    """Some office programs write text as inline strings (no shared-strings part): read the same."""
    cols = "ABCDEFGHIJKLMNOP"

    def cell(ref, value):
        if isinstance(value, (int, float)):
            return f'<c r="{ref}"><v>{value}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'

    body = "".join(f'<row r="{r}">' + "".join(cell(f"{cols[i]}{r}", v) for i, v in enumerate(row) if v != "")
                   + "</row>" for r, row in enumerate([HEADERS, *good_rows()], start=1))
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    result = imports.preview(world["hr"], "teachers", buffer.getvalue(), "wps.xlsx", today=TODAY)
    assert result.ok, problems(result)
    assert len(result.creates) == 3


# ------------------------------------------------------------------------------------------ bad input


def with_cell(row: int, column: str, value):
    """The good rows with one cell (spreadsheet row ``row`` ≥ 2, column letter) replaced."""
    rows = good_rows()
    rows[row - 2][HEADERS.index(HEADERS["ABCDEFGHIJKLMNOP".index(column)])] = value
    return rows


BAD_CELLS = [
    pytest.param(2, "D", MAN[:17] + str((int(MAN[17]) + 1) % 10) if MAN[17] != "X" else MAN[:17] + "0", "校验位",
                 id="bad-check-digit"),
    pytest.param(2, "D", f.id_number_for(date(1990, 5, 7), 11), "出生日期", id="id-disagrees-with-birth"),
    pytest.param(3, "D", f.id_number_for(date(1992, 7, 8), 13), "性别", id="id-disagrees-with-gender"),
    pytest.param(2, "D", float(MAN[:17] + "0"), "科学计数", id="id-in-scientific-notation"),
    pytest.param(2, "D", "1.10105E+17", "科学计数", id="id-as-scientific-text"),
    pytest.param(4, "D", WOMAN_X[:17], "X", id="id-lost-its-x"),
    pytest.param(2, "L", "NOPE", "找不到学校代码", id="unknown-school-code"),
    pytest.param(2, "L", "CB-X", "不在您管理的县域", id="school-of-another-county"),
    pytest.param(3, "A", "T0001", "已存在", id="staff-number-in-database"),
    pytest.param(2, "E", "1990-02-30", "有效日期", id="impossible-date"),
    pytest.param(2, "E", "2031-01-01", "晚于今天", id="future-date"),
    pytest.param(2, "O", "1995-01-01", "未满16周岁", id="service-before-sixteen"),
    pytest.param(2, "H", "炼金术", "未知学科", id="unknown-subject"),
    pytest.param(2, "J", "特级大师", "不是有效的选项", id="unknown-title"),
    pytest.param(2, "K", "幼稚园", "不是有效的选项", id="unknown-degree"),
    pytest.param(2, "G", "大学", "不是有效的选项", id="unknown-stage"),
    pytest.param(2, "B", "", "请填写", id="missing-name"),
    pytest.param(2, "L", "", "请填写", id="missing-school-code"),
    pytest.param(3, "B", "=A1&\"x\"", "公式", id="formula-as-text"),
]


@pytest.mark.parametrize("row,column,value,fragment", BAD_CELLS)
def test_bad_cell_is_named_by_row_and_column_and_nothing_is_written(world, row, column, value, fragment):
    rejected(world, xlsx(with_cell(row, column, value)), row, column, fragment)


@pytest.mark.parametrize("row,column,value,fragment", BAD_CELLS[:3] + BAD_CELLS[6:8])
def test_bad_cells_in_a_gbk_csv(world, row, column, value, fragment):
    rejected(world, csv_bytes(with_cell(row, column, value), "gbk"), row, column, fragment, name="t.csv")


def test_formula_cell_in_xlsx(world):
    def formula(wb, ws):
        ws["H3"] = "=CONCATENATE(\"语\",\"文\")"
    rejected(world, xlsx(good_rows(), extra=formula), 3, "H", "公式")


def test_staff_number_twice_in_the_file(world):
    rows = good_rows()
    rows[2][0] = rows[0][0]
    result = rejected(world, xlsx(rows), 4, "A", "重复")
    only(result, 2, "A", "第4行")


def test_merged_header(world):
    def merge(wb, ws):
        ws.merge_cells("A1:B1")
    rejected(world, xlsx(good_rows(), extra=merge), 1, "A", "合并单元格")


def test_extra_sheet_with_data(world):
    def second(wb, ws):
        wb.create_sheet("备注")["A1"] = "另一张表"
    rejected(world, xlsx(good_rows(), extra=second), None, None, "2个含数据的工作表")


def test_empty_files(world):
    rejected(world, b"", None, None, "空")
    rejected(world, xlsx([]), 1, None, "没有数据行")
    rejected(world, "\ufeff".encode() + "工号,姓名\r\n".encode(), 1, None, "缺少必填列", name="t.csv")


def test_missing_required_column(world):
    headers = [h for h in HEADERS if h != "学历"]
    rows = [[v for h, v in zip(HEADERS, r, strict=True) if h != "学历"] for r in good_rows()]
    rejected(world, xlsx(rows, headers), 1, None, "学历")


def test_old_xls_and_undecodable_csv(world):
    rejected(world, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, None, None, ".xls", name="t.xls")
    rejected(world, "工号,姓名\r\n".encode("utf-16-le") + b"\xff\xfe\xff", None, None, "编码", name="t.csv")


def test_every_problem_of_a_file_is_listed_at_once(world):
    rows = good_rows()
    rows[0][3] = "1.10105E+17"
    rows[1][11] = "NOPE"
    rows[2][7] = "炼金术"
    result = rejected(world, xlsx(rows), 2, "D", "科学计数")
    only(result, 3, "L", "找不到")
    only(result, 4, "H", "未知学科")


def test_principal_may_not_import(world):
    with pytest.raises(imports.PermissionDenied):
        imports.preview(world["principal"], "teachers", xlsx(good_rows()), "t.xlsx", today=TODAY)


def test_format_detection():
    assert detect_format(xlsx([])) == "xlsx"
    assert detect_format("a,b".encode("gbk")) == "csv"


# ------------------------------------------------------------------------------------------ update mode


def test_update_by_staff_number_shows_and_writes_the_changes(world):
    t = world["existing"]
    rows = [[t.staff_no, t.name, "女", t.id_number, t.birth_date.isoformat(), "13800000000", "小学", "数学", "",
             "高级教师", "本科", "LJ-A", "", "", t.service_start.isoformat(), "在岗"]]
    data = xlsx(rows)
    refused = imports.preview(world["hr"], "teachers", data, "u.xlsx", today=TODAY)
    only(refused, 2, "A", "已存在")
    result = imports.preview(world["hr"], "teachers", data, "u.xlsx", update=True, today=TODAY)
    assert result.ok, problems(result)
    (change,) = result.updates
    assert change.fields["联系电话"] == ("", "13800000000") and change.fields["职称"] == ("未定级", "高级教师")
    imports.apply(world["hr"], "teachers", data, "u.xlsx", update=True, today=TODAY)
    db.session.commit()
    db.session.refresh(t)
    assert t.phone == "13800000000" and t.title.value == "senior"


def test_round_trip_export_then_import_in_update_mode_changes_nothing(world):
    a = world["a"]
    f.teacher(a, "=HYPERLINK(\"x\")", phone="+8613812345678")
    f.teacher(a, "交流者", working=world["b"], status=TeacherStatus.ON_EXCHANGE)
    db.session.commit()
    for fmt in ("xlsx", "csv"):
        export = exports.teachers(world["hr"], today=TODAY)
        data = writer.render(export.sheet, fmt)
        result = imports.preview(world["hr"], "teachers", data, f"export.{fmt}", update=True, today=TODAY)
        assert result.ok, problems(result)
        assert not result.updates and not result.creates, [c.fields for c in result.updates]
        assert result.unchanged == 3
    with force_locale("en"):  # an export made in English: English headers and labels
        data = writer.render(exports.teachers(world["hr"], today=TODAY).sheet, "xlsx")
    assert load_workbook(io.BytesIO(data)).active["A1"].value == "Staff number"
    result = imports.preview(world["hr"], "teachers", data, "export-en.xlsx", update=True, today=TODAY)
    assert result.ok, problems(result)
    assert not result.updates and result.unchanged == 3


# ------------------------------------------------------------------------------------------ schools


def test_schools_import_and_its_problems(world):
    headers = ["学校代码", "学校名称", "所属县域", "城乡类别", "办学类型", "小学在校生数", "初中在校生数", "教学点", "所属中心校代码"]
    rows = [["LJ-C", "丙校", "临江市", "乡村", "小学", 300, 0, "否", ""],
            ["LJ-D", "丁教学点", "", "乡村", "小学", 20, 0, "是", "LJ-C"]]
    wb = Workbook()
    wb.active.append(headers)
    for r in rows:
        wb.active.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    result = imports.apply(world["hr"], "schools", buffer.getvalue(), "s.xlsx", today=TODAY)
    db.session.commit()
    assert result.ok and len(result.creates) == 2
    point = db.session.scalar(select(School).where(School.code == "LJ-D"))
    assert point.is_teaching_point and point.central_school.code == "LJ-C"
    bad = [["LJ-E", "戊校", "长白县", "乡村", "小学", 300, 10, "否", ""]]
    wb = Workbook()
    wb.active.append(headers)
    wb.active.append(bad[0])
    buffer = io.BytesIO()
    wb.save(buffer)
    result = imports.preview(world["hr"], "schools", buffer.getvalue(), "s.xlsx", today=TODAY)
    only(result, 2, "C", "本县域")
    only(result, 2, "G", "应为0")
    assert db.session.scalar(select(func.count(School.id)).where(School.code == "LJ-E")) == 0
    assert SchoolKind.PRIMARY


# ------------------------------------------------------------------------------------------ command line


def test_command_prints_row_and_column_and_exits_non_zero(world, app, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx(with_cell(2, "D", "1.10105E+17")))
    runner = app.test_cli_runner()
    before = teachers_count()
    result = runner.invoke(args=["import", "teachers", str(path)])
    assert result.exit_code == 1
    assert "第2行 D列（身份证号）" in result.output and "科学计数" in result.output
    assert teachers_count() == before
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(good_rows(), "gbk"))
    dry = runner.invoke(args=["import", "teachers", str(good), "--dry-run"])
    assert dry.exit_code == 0 and teachers_count() == before
    done = runner.invoke(args=["import", "teachers", str(good)])
    assert done.exit_code == 0, done.output
    assert teachers_count() == before + 3
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import.teachers"))
    assert event.actor_username.startswith("cli:") and event.summary["encoding"] == "gb18030"
    again = runner.invoke(args=["import", "teachers", str(good)])
    assert again.exit_code == 1 and "已存在" in again.output
    assert load_workbook  # (imported for fixture readers)


def test_row_numbers_survive_blank_rows_and_control_characters_are_refused(world):
    rows = good_rows()
    rows[2][1] = "王\u202e五"  # a right-to-left override in a name
    rows.insert(1, [None] * len(HEADERS))  # a blank row 3: the third teacher is on row 5
    rejected(world, xlsx(rows), 5, "B", "不允许的字符")
    rejected(world, csv_bytes([[v or "" for v in r] for r in rows], "utf-8-sig"), 5, "B", "不允许的字符", name="t.csv")


# ------------------------------------------------------------------------------------------ training


def training_file(rows) -> bytes:
    return xlsx(rows, ["工号", "姓名", "培训名称", "培训级别", "主办单位", "开始日期", "结束日期", "学时"])


def test_training_records_are_imported_confirmed_and_bad_rows_named(world):
    from teachers.models import TrainingRecord, TrainingSource, TrainingState

    t = world["existing"]
    good = [[t.staff_no, t.name, "县级骨干教师培训", "县培", "县教师进修学校", date(2026, 3, 2), date(2026, 3, 3), 12]]
    result = imports.apply(world["hr"], "training", training_file(good), "学时.xlsx", today=TODAY)
    db.session.commit()
    assert result.ok and len(result.creates) == 1
    record = db.session.scalar(select(TrainingRecord).where(TrainingRecord.teacher_id == t.id))
    assert (record.source, record.state, record.hours) == (TrainingSource.IMPORT, TrainingState.CONFIRMED, 12)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import.training")).summary["created"] == 1
    bad = [
        [t.staff_no, t.name, "县级骨干教师培训", "县培", "县教师进修学校", date(2026, 3, 2), date(2026, 3, 3), 12],  # again
        ["NOBODY", "", "某培训", "县培", "进修学校", date(2026, 3, 2), date(2026, 3, 2), 4],
        [t.staff_no, "别人", "另一培训", "县培", "进修学校", date(2026, 3, 5), date(2026, 3, 5), 4],
        [t.staff_no, t.name, "第三培训", "宇宙培", "进修学校", date(2026, 3, 5), date(2026, 3, 5), 4],
        [t.staff_no, t.name, "第四培训", "县培", "进修学校", date(2026, 3, 6), date(2026, 3, 6), 40],
    ]
    before = db.session.scalar(select(func.count(TrainingRecord.id)))
    result = imports.preview(world["hr"], "training", training_file(bad), "bad.xlsx", today=TODAY)
    only(result, 2, "C", "重复申报")
    only(result, 3, "A", "找不到工号")
    only(result, 4, "B", "不一致")
    only(result, 5, "D", "不是有效的选项")
    only(result, 6, "H", "学时过多")
    with pytest.raises(imports.DomainError):
        imports.apply(world["hr"], "training", training_file(bad), "bad.xlsx", today=TODAY)
    db.session.rollback()
    assert db.session.scalar(select(func.count(TrainingRecord.id))) == before


def test_command_update_mode_prints_each_change_and_refuses_a_bad_kind(world, app, tmp_path):
    t = world["existing"]
    rows = [[t.staff_no, t.name, "女", t.id_number, t.birth_date.isoformat(), "13800000000", "小学", "数学", "",
             "未定级", "本科", "LJ-A", "", "", t.service_start.isoformat(), "在岗"]]
    path = tmp_path / "update.xlsx"
    path.write_bytes(xlsx(rows))
    runner = app.test_cli_runner()
    done = runner.invoke(args=["import", "teachers", str(path), "--update"])
    assert done.exit_code == 0, done.output
    assert f"第2行 {t.staff_no} {t.name} 将更新：联系电话：— → 13800000000" in done.output
    db.session.expire_all()
    assert db.session.get(Teacher, t.id).phone == "13800000000"
    wrong = runner.invoke(args=["import", "pupils", str(path)])
    assert wrong.exit_code == 1 and "请指定导入内容" in wrong.output
    missing = runner.invoke(args=["import", "teachers", str(tmp_path / "nope.xlsx")])
    assert missing.exit_code == 1 and "无法读取文件" in missing.output
