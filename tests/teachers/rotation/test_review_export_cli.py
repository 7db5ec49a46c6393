"""Review data, the Excel final list, the dashboard figures and the command line."""

from __future__ import annotations

import json
from datetime import timedelta
from io import BytesIO

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import select

from scheduling import check, io
from teachers.errors import DomainError, PermissionDenied
from teachers.extensions import db
from teachers.models import AuditEvent, RotationRound, RunStatus, SolveRun
from teachers.rotation import dashboard, decisions, export, jobs, review
from tests.teachers.rotation.conftest import TODAY
from tests.teachers.rotation.test_workflow import solved_round


def test_review_reads_in_the_readers_language(small):
    _rnd, run, _ = solved_round(small)
    with force_locale("zh"):
        data = review.review(small.hr, run.id)
    assert data["moves"] and data["coefficients"]["primary"]["L1"]["limit"] == 0.5
    zh_reasons = data["moves"][0].reasons
    assert zh_reasons[0].startswith("E1") and "乡村" in " ".join(zh_reasons)
    with force_locale("en"):
        en = review.review(small.hr, run.id)["moves"][0].reasons
    assert len(en) == len(zh_reasons) and en != zh_reasons
    assert not any("\u4e00" <= ch <= "\u9fff" for r in en[:2] for ch in r)  # no Chinese in the English reasons
    assert set(data["schools"]) == {s.code for s in small.schools}
    assert data["compliance"]
    staff = data["moves"][0].staff_no
    found = review.lookup(small.hr, run.id, staff)
    assert found[0]["outcome"] == "moves"
    stayer = next(t for t in small.teachers if t.staff_no not in {m.staff_no for m in data["moves"]})
    assert review.lookup(small.hr, run.id, stayer.staff_no)[0]["outcome"] in ("stays", "excluded")
    with pytest.raises(DomainError):
        review.lookup(small.hr, run.id, " ")


def test_compare_two_solutions(small):
    rnd, run, _ = solved_round(small, wishes=False)
    moves = run.plan["moves"]
    from teachers.models import Teacher

    t = db.session.scalar(select(Teacher).where(Teacher.staff_no == moves[0]["teacher"]))
    from teachers.rotation import services

    services.add_rule(small.hr, rnd.id, "forbid", t.id,
                      next(s.id for s in small.schools if s.code == moves[0]["to"]))
    second = jobs.request_solve(small.hr, rnd.id, time_limit_s=5)
    db.session.commit()
    assert jobs.wait_for_thread(second.id, 60)
    db.session.expire_all()
    result = review.compare(small.hr, run.id, second.id)
    assert result["a"] == run.id and result["b"] == second.id
    b_moves = {m["teacher"]: m["to"] for m in db.session.get(SolveRun, second.id).plan["moves"]}
    assert b_moves.get(moves[0]["teacher"]) != moves[0]["to"]
    assert result["removed"] or result["changed"]
    assert set(result["coefficients"]) == {"a", "b"}


def _carried_round(small):
    rnd, run, _ = solved_round(small, wishes=False)
    moves = decisions.publish(small.hr, rnd.id, run.id)
    for m in moves:
        decisions.decide(small.principal_of(m.from_school_id), m.id, True, today=rnd.decision_opens)
        decisions.decide(small.principal_of(m.to_school_id), m.id, True, today=rnd.decision_opens)
        decisions.answer(small.teacher_users[m.teacher_id], m.id, True, today=rnd.answer_opens)
    return rnd, run, moves


def test_excel_final_list_has_chinese_headers_and_masked_ids(small):
    rnd, _run, moves = _carried_round(small)
    data = export.final_list_xlsx(small.hr, rnd.id)
    ws = load_workbook(BytesIO(data)).active
    assert [c.value for c in ws[2]] == list(export.HEADERS)
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) == len(moves)
    ids = {m.teacher.id_number for m in moves}
    for row in rows:
        assert row[4] not in ids and "*" in row[4]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "rotation.export"))
    with pytest.raises(PermissionDenied):
        export.final_list_xlsx(small.principal_of(small.schools[0].id), rnd.id)


def test_dashboard_figures(small):
    _rnd, _run, moves = _carried_round(small)
    data = dashboard.rotation_dashboard(small.hr)
    year = data["years"][0]
    assert year["moves"] == len(moves) and year["eligible"] > 0
    assert year["share"] == round(len(moves) / year["eligible"], 4) and year["share_target"] == 0.10
    rows = {r["school_id"]: r for r in data["current"]["schools"]}
    assert sum(r["sending"] for r in rows.values()) == len(moves)
    assert sum(r["eligible"] for r in rows.values()) == year["eligible"]
    assert sum(r["backbone_before"] for r in rows.values()) == sum(r["backbone_after"] for r in rows.values())
    assert all("primary" in r["indicators"] for r in rows.values())


def test_cli_open_solve_export_carry_out(app, small, tmp_path):
    runner = app.test_cli_runner()
    db.session.commit()
    result = runner.invoke(args=["rotation", "open", "--year", "2027", "--county", small.county.name,
                                 "--today", "2027-05-10"])
    assert result.exit_code == 0, result.output
    round_id = int(result.output.strip().splitlines()[-1])
    result = runner.invoke(args=["rotation", "solve", str(round_id), "--time-limit", "5"])
    assert result.exit_code == 0, result.output
    assert "succeeded" in result.output
    instance, plan = tmp_path / "i.json", tmp_path / "p.json"
    result = runner.invoke(args=["rotation", "export", str(round_id), "--instance", str(instance), "--plan", str(plan)])
    assert result.exit_code == 0, result.output
    problem = io.load_problem(instance)
    assert check.validate(problem, io.load_plan(plan)) == []
    assert json.loads(plan.read_text(encoding="utf-8"))["format"] == "rotation-plan/1"
    result = runner.invoke(args=["rotation", "open", "--year", "2027", "--county", small.county.name])
    assert result.exit_code != 0 and "2027" in result.output  # a second live round is refused
    db.session.expire_all()
    rnd = db.session.get(RotationRound, round_id)
    run = db.session.scalar(select(SolveRun).where(SolveRun.round_id == round_id,
                                                   SolveRun.status == RunStatus.SUCCEEDED))
    moves = decisions.publish(small.hr, rnd.id, run.id)
    for m in moves:
        decisions.decide(small.principal_of(m.from_school_id), m.id, True, today=rnd.decision_opens)
        decisions.decide(small.principal_of(m.to_school_id), m.id, True, today=rnd.decision_opens)
        decisions.answer(small.teacher_users[m.teacher_id], m.id, True, today=rnd.answer_opens)
    decisions.start_notice(small.hr, rnd.id, today=rnd.notice_opens)
    decisions.confirm(small.hr, rnd.id, today=rnd.notice_closes + timedelta(days=1))
    db.session.commit()
    on = rnd.start_date.isoformat()
    first = runner.invoke(args=["rotation", "carry-out", "--on", on])
    assert first.exit_code == 0 and f"started {len(moves)}" in first.output, first.output
    second = runner.invoke(args=["rotation", "carry-out", "--on", on])
    assert "started 0, returned 0, rounds done 0" in second.output


def test_an_infeasible_round_explains_why_and_what_to_change(small):
    from teachers.rotation import services

    rnd = services.open_round(small.hr, small.county.id, 2027, {"rotation_share": 0.9, "max_rotation_share": 0.9},
                              today=TODAY)
    services.open_wishes(small.hr, rnd.id)
    services.close_wishes(small.hr, rnd.id)
    run = jobs.request_solve(small.hr, rnd.id, time_limit_s=5)
    db.session.commit()
    assert jobs.wait_for_thread(run.id, 60)
    db.session.expire_all()
    with force_locale("zh"):
        data = review.review(small.hr, run.id)
    assert data["solver_status"] == "infeasible"
    assert data["infeasibility"] and any(ch.isdigit() for ch in " ".join(data["infeasibility"]))
    assert data["hint"].startswith("可调整的设置")
    with pytest.raises(DomainError):
        decisions.publish(small.hr, rnd.id, run.id)
