"""Rotation exports through the shared writer: a run's plan and a round's final list, in both formats."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from teachers.extensions import db
from teachers.io import exports, writer
from teachers.models import AuditEvent
from teachers.rotation import export as rotation_export
from tests.teachers.rotation.conftest import small  # noqa: F401  (the fixture)
from tests.teachers.rotation.test_review_export_cli import _carried_round
from tests.teachers.rotation.test_workflow import solved_round


def test_plan_export_lists_the_runs_moves(small):  # noqa: F811
    _rnd, run, _ = solved_round(small, wishes=False)
    export = exports.plan(small.hr, run.id)
    ws = load_workbook(io.BytesIO(writer.render(export.sheet, "xlsx"))).active
    assert [c.value for c in ws[1]][:4] == ["工号", "姓名", "交出学校代码", "交出学校"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert sorted(r[0] for r in rows) == sorted(m["teacher"] for m in run.plan["moves"])
    assert all(r[-1] for r in rows)  # every move has its reasons
    exports.record(small.hr, export, "xlsx")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.plan"))
    assert event.summary["rows"] == len(rows) and event.object_id == str(run.id)


def test_final_list_in_both_formats_masked_for_everyone(small):  # noqa: F811
    rnd, _run, moves = _carried_round(small)
    data = rotation_export.final_list_xlsx(small.hr, rnd.id)
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.freeze_panes == "A3" and ws["E3"].number_format == "@"
    export = exports.final_list(small.inspector, rnd.id)
    text = writer.render(export.sheet, "csv").decode("utf-8-sig")
    ids = {m.teacher.id_number for m in moves}
    assert text.splitlines()[1].split(",") == list(rotation_export.HEADERS)
    assert not any(i in text for i in ids) and len(text.splitlines()) == len(moves) + 2
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "rotation.export")).all()
    assert [e.summary["rows"] for e in events] == [len(moves)]
