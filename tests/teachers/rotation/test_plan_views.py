"""Presenting a rotation-plan/1 plan: reasons worded from facts in the reader's language, figures,
compliance, chart data and the comparison of two plans."""

from __future__ import annotations

import json

from flask import render_template_string
from flask_babel import force_locale

from teachers.rotation.views import compare_plans, present_plan

PLAN = {
    "format": "rotation-plan/1",
    "status": "feasible",
    "moves": [
        {"teacher": "T1", "from": "S-U", "to": "S-R",
         "reasons": ["E1–E3 met: 9 years at the school (≥ 6), aged 40", "urban → rural (two-way exchange)",
                     "L2 at S-R: 0.31 → 0.52 per 100 pupils", "wish 1", "12.0 km"],
         "facts": [{"rule": "E1-E3", "years": 9, "required": 6, "age": 40},
                   {"rule": "H2", "from_area": "urban", "to_area": "rural"},
                   {"indicator": "L2", "school": "S-R", "before": 0.31, "after": 0.52},
                   {"rule": "H4", "backbone": "county"}, {"pinned": True}, {"wish": 1}, {"km": 12.0}]},
        {"teacher": "T2", "from": "S-R", "to": "S-U", "reasons": ["…"],
         "facts": [{"rule": "H3"}, {"wish": None, "wishes": 2}]},
    ],
    "excluded": {"T3": "E1: 3 years at the school, 6 required"},
    "stays": {"T4": "H6: S-U already sends 1, its most (1)", "T5": "not needed: 2 moves already meet H3 (2–3) and H4"},
    "metrics": {"before": {"临江市": {"primary": {"L1": 0.41, "L2": 0.77, "L3": 0.52}}},
                "after": {"临江市": {"primary": {"L1": 0.33, "L2": 0.45, "L3": 0.40}}}},
    "schools": {
        "S-U": {"county": "临江市", "area": "urban", "headcount": {"before": 10, "after": 10}, "sent": 1, "received": 1,
                "primary": {"pupils": 600, "counted": True, "L1": {"before": 5.0, "after": 4.8},
                            "L2": {"before": 1.2, "after": 1.0}, "L3": {"before": 0.5, "after": 0.5}}},
        "S-R": {"county": "临江市", "area": "rural", "headcount": {"before": 5, "after": 5}, "sent": 1, "received": 1,
                "primary": {"pupils": 190, "counted": True, "L1": {"before": 2.0, "after": 2.5},
                            "L2": {"before": 0.31, "after": 0.52}, "L3": {"before": 0.0, "after": 0.0}}},
    },
    "compliance": {"临江市": {
        "H3": {"eligible": 12, "moves": 2, "min": 2, "max": 3, "ok": True},
        "H4": {"backbone_movers": 1, "needed": 1, "share": 0.2, "base": "moves", "ok": True},
        "H5": {"ok": True, "schools": 2, "outside": []}, "H6": {"ok": True, "schools": 2, "over": []},
        "H7": {"ok": True, "checked": 4, "lost": []},
        "H8": {"ok": True, "applies": True, "indicators": [
            {"stage": "primary", "indicator": "L2", "before": 0.77, "after": 0.45, "limit": 0.5, "ok": True}]}}},
    "solver": {"wall_s": 1.5, "objective": 0.5, "lang": "en"},
    "infeasibility": [],
}
NAMES = {"S-U": "城区一小", "S-R": "乡村小学"}
TEACHERS = {"T1": "张老师", "T2": "李老师", "T3": "王老师", "T4": "赵老师", "T5": "钱老师"}


def test_reasons_are_worded_from_facts_in_chinese_for_a_chinese_reader(app):
    with app.test_request_context(), force_locale("zh"):
        view = present_plan(PLAN, schools=NAMES, teachers=TEACHERS)
    first = view["moves"][0]
    assert first["teacher_name"] == "张老师" and first["to_name"] == "乡村小学"
    assert first["reasons"][0] == "E1–E3 均符合：在本校任教 9 年（需满 6 年），40 岁"
    assert first["reasons"][1] == "城区 → 乡村（双向交流）"
    assert "乡村小学" in first["reasons"][2] and "0.31 → 0.52" in first["reasons"][2]
    assert "县级骨干" in first["reasons"][3]
    assert first["reasons"][4:] == ["人事部门指定", "志愿第 1 位", "距离 12.0 公里"]
    assert first["wish"] == 1 and first["km"] == 12.0
    assert view["moves"][1]["reasons"][1] == "不在本人填报的 2 个志愿中"
    # no English sentence of the plan reaches a Chinese reader
    text = json.dumps(view, ensure_ascii=False)
    for english in ("years at the school", "two-way", "per 100 pupils", "already sends", "not needed"):
        assert english not in text
    assert view["stays"][0]["reason"].startswith("H6：") and view["excluded"][0]["reason"].startswith("E1：")


def test_an_english_reader_gets_english_and_the_plans_own_sentences_when_they_match(app):
    with app.test_request_context(), force_locale("en"):
        view = present_plan(PLAN, schools=NAMES, teachers=TEACHERS)
    assert view["moves"][0]["reasons"][1] == "Urban → Rural (two-way exchange)"
    assert view["stays"][0]["reason"] == PLAN["stays"]["T4"]
    assert "E1" in view["excluded"][0]["reason"]


def test_compliance_and_chart_data(app):
    with app.test_request_context(), force_locale("zh"):
        view = present_plan(PLAN, schools=NAMES, teachers=TEACHERS)
    [box] = view["compliance"]
    rules = [i["rule"] for i in box["items"]]
    assert rules == ["H3", "H4", "H5", "H6", "H7", "H8"]
    assert "交流 2 人，允许 2–3 人" in box["items"][0]["text"]
    assert "0.77 → 0.45（限值 0.50）" in box["items"][-1]["text"]
    cv = view["chart"]["cv"]
    assert [c["label"] for c in cv] == ["小学 L1", "小学 L2", "小学 L3"]
    assert cv[1] == {"label": "小学 L2", "before": 0.77, "after": 0.45, "limit": 0.5}
    series = view["chart"]["schools"]["primary:L2"]
    assert series["schools"] == ["乡村小学", "城区一小"] and series["after"] == [0.52, 1.0]


def test_macros_render_the_plan(app):
    with app.test_request_context(), force_locale("zh"):
        view = present_plan(PLAN, schools=NAMES, teachers=TEACHERS)
        html = render_template_string(
            '{% import "rotation/_plan.html" as p %}{{ p.summary(view) }}{{ p.move_table(view) }}'
            '{{ p.school_table(view) }}{{ p.compliance(view) }}{{ p.charts(view) }}{{ p.lookup(view, "赵", "/x") }}',
            view=view)
    assert "张老师" in html and "乡村小学" in html and "志愿第 1 位" in html
    assert 'id="plan-chart-data"' in html and 'type="application/json"' in html
    assert "<script>" not in html  # CSP: no inline script
    assert "赵老师" in html and "H6：" in html and "李老师" not in html.split('id="plan-lookup"')[1]


def test_comparing_two_plans(app):
    other = json.loads(json.dumps(PLAN))
    other["moves"][1]["to"] = "S-X"
    other["moves"].append({"teacher": "T9", "from": "S-U", "to": "S-R", "facts": []})
    other["moves"].pop(0)
    other["solver"]["objective"] = 0.4
    other["metrics"]["after"]["临江市"]["primary"]["L2"] = 0.40
    with app.test_request_context(), force_locale("zh"):
        cmp = compare_plans(PLAN, other, schools=NAMES, teachers=TEACHERS)
    assert [r["teacher"] for r in cmp["added"]] == ["T9"]
    assert [r["teacher"] for r in cmp["removed"]] == ["T1"]
    assert [(r["teacher"], r["a"], r["b"]) for r in cmp["changed"]] == [("T2", "城区一小", "S-X")]
    assert cmp["objective"] == (0.5, 0.4) and cmp["moves"] == (2, 2)
    l2 = next(i for i in cmp["indicators"] if i["label"] == "小学 L2")
    assert round(l2["delta"], 2) == -0.05


def test_an_infeasible_plan_says_why_and_what_to_change(app):
    plan = {**PLAN, "status": "infeasible", "moves": [],
            "infeasibility": ["H3 需要至少交流 18 人（235 名符合条件教师的 10%）"],
            "solver": {"lang": "zh"}}
    with app.test_request_context(), force_locale("zh"):
        view = present_plan(plan)
    [s] = view["infeasibility"]
    assert s["text"].startswith("H3") and not s["foreign"] and "交流比例" in s["advice"]
    assert view["status_label"] == "无可行方案"
