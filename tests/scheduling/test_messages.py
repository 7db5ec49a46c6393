"""Chinese and English texts of the solver and the checker (scheduling.messages and the ``lang`` parameters)."""

from __future__ import annotations

import io as stdio
import json
import re
import string
import subprocess
import sys
from dataclasses import replace

import pytest
from rotation_factories import REPO_ROOT, make_instance_module, move, one_rule_county, pin, teacher, valid_moves

from scheduling import check, messages, rules
from scheduling.io import dump_plan, dump_problem, problem_from_dict, result_from_dict, result_to_dict
from scheduling.problem import Move, Options, Problem, RotationResult
from scheduling.solve import solve

#: A Latin word of four letters or more: English that should have been Chinese.
ENGLISH_WORD = re.compile(r"[A-Za-z]{4,}")
CJK = re.compile(r"[\u4e00-\u9fff]")
RULE_CODE = re.compile(r"\b(?:E[1-3]|H[1-8]|L[1-3])\b")


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def english_words(line: str, ids: set[str]) -> list[str]:
    for identifier in sorted(ids, key=len, reverse=True):
        line = line.replace(identifier, "")
    return ENGLISH_WORD.findall(line)


def with_chinese_names(problem: Problem) -> Problem:
    schools = tuple(replace(s, name=f"{s.id}校") for s in problem.schools)
    return Problem(problem.name, problem.year, problem.policy, schools, problem.teachers, problem.options)


# --------------------------------------------------------------------------- the table


def test_every_message_has_both_languages_with_the_same_fields():
    assert messages.MESSAGES
    for key, entry in messages.MESSAGES.items():
        assert set(messages.LANGS) <= set(entry), key
        assert set(entry) <= {"zh", "en", "en_one", "count"}, key
        expected = fields(entry["zh"])
        for variant in ("en", "en_one"):
            if variant in entry:
                assert fields(entry[variant]) == expected, f"{key} {variant}"
        if "count" in entry:
            assert entry["count"] in expected, key
        for lang in messages.LANGS:
            assert entry[lang] or key == "join.sentence" and lang == "zh", key


def test_rule_codes_lead_in_both_languages():
    for key, entry in messages.MESSAGES.items():
        codes = {lang: RULE_CODE.match(entry[lang]) for lang in messages.LANGS}
        assert bool(codes["zh"]) == bool(codes["en"]), key
        if codes["zh"]:
            assert codes["zh"].group() == codes["en"].group(), key


def test_text_and_number_helpers():
    assert messages.text("excl.E1", "zh", years=4, required=6) == "E1：在本校任教 4 年，需满 6 年"
    assert messages.text("reason.wish", "zh", rank=1) == "志愿第 1 位"
    assert messages.text("reason.km", "zh", km=messages.km(12.34)) == "距离 12.3 公里"
    assert messages.text("inf.H3-min", "en", fewest=1, share="10%", eligible=7).startswith("H3 needs at least 1 move (")
    assert messages.text("inf.H3-min", "en", fewest=2, share="10%", eligible=17).startswith("H3 needs at least 2 moves")
    assert messages.percent(0.1) == "10%" and messages.percent(0.125) == "12.5%"
    assert messages.per100(0.3149) == "0.31" and messages.km(12.345) == "12.3"
    assert messages.span(3, None) == "3" and messages.span(3, 7) == "3–7"
    assert messages.area_name("rural", "zh") == "乡村" and messages.stage_name("junior", "zh") == "初中"
    with pytest.raises(ValueError, match="lang"):
        messages.text("excl.eligible", "fr")


def test_school_labels_use_names_in_chinese_and_ids_where_ambiguous():
    problem = one_rule_county()
    assert messages.school_labels(problem.schools, "en") == {s.id: s.id for s in problem.schools}
    schools = [
        replace(problem.schools[0], name="实验小学"),
        replace(problem.schools[1], name="实验小学"),
        replace(problem.schools[2], name="建国小学"),
    ]
    labels = messages.school_labels(schools, "zh")
    assert labels == {"U1": "实验小学（U1）", "U2": "实验小学（U2）", "R1": "建国小学"}
    assert messages.school_labels(schools[2:], "zh", with_id=True) == {"R1": "建国小学（R1）"}


# --------------------------------------------------------------------------- eligibility and the checker


def test_exclusion_text_in_both_languages():
    p = one_rule_county().policy
    young = teacher("a", "S", years=4)
    old = teacher("b", "S", birth_year=1970)
    assert rules.exclusion_text(young, p, 2027) == "E1: 4 years at the school, 6 required"  # English stays the default
    assert rules.exclusion_text(young, p, 2027, "zh") == "E1：在本校任教 4 年，需满 6 年"
    assert rules.exclusion_text(old, p, 2027, "zh").startswith("E3：2027 年满 57 岁")
    assert rules.exclusion_text(teacher("c", "S", exempt=True), p, 2027, "zh").startswith("E2：")


@pytest.mark.parametrize(
    "moves",
    [
        [*valid_moves(), move("x", "T1", "R1")],  # H1
        [move("u1", "U1", "U2"), move("r1", "R1", "U1")],  # H2
        [move("u1", "U1", "R1"), move("u2", "U1", "R1"), move("t1", "T1", "R1")],  # H5, H6, H4
        [move("u5", "U1", "R1"), move("r1", "R1", "U1")],  # H7, H4
    ],
)
def test_violations_have_the_same_codes_in_chinese(moves):
    problem = with_chinese_names(one_rule_county())
    en = check.validate(problem, moves)
    zh = check.validate(problem, moves, lang="zh")
    assert en and [(v.rule, v.county) for v in zh] == [(v.rule, v.county) for v in en]
    ids = {t.id for t in problem.teachers} | {s.id for s in problem.schools}
    for violation in zh:
        assert CJK.search(violation.message), violation
        assert not english_words(violation.message, ids), violation


def test_violation_messages_in_chinese_read_naturally():
    problem = with_chinese_names(one_rule_county())
    [h1] = check.validate(problem, [*valid_moves(), move("x", "T1", "R1")], lang="zh")
    assert h1.message == "x 不符合交流条件（E1：在本校任教 2 年，需满 6 年）"
    [h3] = check.validate(problem, [move("u1", "U1", "R1")], lang="zh")
    assert h3.message.startswith("交流 1 人，至少需要 2 人（14 名符合条件教师的 10%")
    found = check.validate(problem, [move("u1", "U1", "R1"), move("u2", "U1", "R1")], lang="zh")
    assert any(v.rule == "H6" and v.message.startswith("U1校（U1）派出 2 人") for v in found)


def test_run_check_report_in_chinese(tmp_path):
    instance, plan = tmp_path / "instance.json", tmp_path / "plan.json"
    dump_problem(with_chinese_names(one_rule_county()), instance)
    dump_plan(RotationResult(status="optimal", moves=(move("u1", "U1", "R1"),)), plan)
    out = stdio.StringIO()
    assert check.run_check(instance, plan, out=out, lang="zh") == check.EXIT_VIOLATIONS
    report = out.getvalue()
    for line in (
        "方案：状态 最优，交流 1 人",
        "违规：",
        "H3 [C] 交流 1 人",
        "差异系数（交流前 → 交流后）：",
        "合规情况：",
        "H3 不符合",
        "H5 符合",
        "结论：1 处违规",
    ):
        assert line in report, line
    ids = {"U1", "U2", "R1", "T1", "J1", "O1"}
    assert not english_words(report, ids | {str(instance), str(plan), "one rule"})  # the instance name is data


# --------------------------------------------------------------------------- the solver


@pytest.fixture(scope="module")
def generated() -> Problem:
    return problem_from_dict(make_instance_module().make_instance(8, 1, 2))


@pytest.fixture(scope="module")
def both(generated):
    return {lang: solve(generated, time_limit_s=3, workers=1, seed=7, lang=lang) for lang in ("en", "zh")}


def test_chinese_plan_has_no_english_words(generated, both):
    zh = both["zh"]
    assert zh.status in ("optimal", "feasible") and zh.moves
    assert zh.solver["lang"] == "zh" and both["en"].solver["lang"] == "en"
    ids = {s.id for s in generated.schools} | {t.id for t in generated.teachers}
    for m in zh.moves:
        assert m.reasons[0].startswith("E1–E3 均符合：")
        for reason in m.reasons:
            assert not english_words(reason, ids), reason
    for tid, reason in zh.stays.items():
        assert not english_words(reason, ids), (tid, reason)
    for tid, code in zh.excluded.items():
        assert zh.stays[tid].startswith(code + "：")


def test_both_languages_explain_the_same_moves_alike(both):
    en, zh = both["en"], both["zh"]
    assert [(m.teacher, m.to_school) for m in en.moves] == [(m.teacher, m.to_school) for m in zh.moves]
    for a, b in zip(en.moves, zh.moves, strict=True):
        assert a.facts == b.facts and len(a.facts) == len(a.reasons) == len(b.reasons)
        assert [RULE_CODE.match(r) and RULE_CODE.match(r).group() for r in a.reasons] == [
            RULE_CODE.match(r) and RULE_CODE.match(r).group() for r in b.reasons
        ]
        assert a.reasons[0].startswith("E1–E3 met") and a.reasons[-1].endswith(" km")
        assert b.reasons[-1].startswith("距离 ") and b.reasons[-1].endswith(" 公里")
        assert a.facts[0]["rule"] == "E1-E3" and "km" in a.facts[-1]
    assert en.stays.keys() == zh.stays.keys()


def test_facts_round_trip_and_are_omitted_when_empty():
    facts = ({"rule": "E1-E3", "years": 9, "required": 6, "age": 46}, {"wish": 1}, {"km": 12.3})
    result = RotationResult(status="optimal", moves=(Move("a", "U1", "R1", ("wish 1",), facts), Move("b", "R1", "U1")))
    data = json.loads(json.dumps(result_to_dict(result)))
    assert data["moves"][0]["facts"] == [dict(f) for f in facts]
    assert "facts" not in data["moves"][1]
    back = result_from_dict(data)
    assert back.moves[0].facts == facts and back.moves[1].facts == ()
    assert len({back.moves[0], back.moves[1]}) == 2  # moves stay hashable


@pytest.mark.parametrize(
    "problem",
    [
        one_rule_county(policy_overrides={"rotation_share": 0.3}),  # H3 × H6, by arithmetic
        one_rule_county(policy_overrides={"backbone_share": 1.0, "rotation_share": 0.2}),  # H4
        one_rule_county(options=Options(pin=(pin("u5", "R1"),))),  # H7 × pins, by the solver
        one_rule_county(options=Options(pin=(pin("x", "U1"),))),  # H1 with E1
        one_rule_county(options=Options(pin=(pin("u1", "U2"),))),  # H2
    ],
)
def test_infeasibility_names_the_same_rules_in_chinese(problem):
    problem = with_chinese_names(problem)
    en = solve(problem, time_limit_s=3, workers=1, lang="en")
    zh = solve(problem, time_limit_s=3, workers=1, lang="zh")
    assert en.status == zh.status == "infeasible"
    codes = [sorted(set(RULE_CODE.findall(" ".join(r.infeasibility)))) for r in (en, zh)]
    assert codes[0] and codes[0] == codes[1]
    ids = {s.id for s in problem.schools} | {t.id for t in problem.teachers}
    for line in zh.infeasibility:
        assert CJK.search(line) and not english_words(line, ids), line


# --------------------------------------------------------------------------- the command line


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scheduling", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=60,
        check=False,
    )


def test_command_line_speaks_chinese_by_default_and_english_on_request(generated, tmp_path):
    instance, plan = tmp_path / "instance.json", tmp_path / "plan.json"
    dump_problem(generated, instance)
    done = run("solve", str(instance), "-o", str(plan), "--time-limit", "2", "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert "状态" in done.stdout
    data = json.loads(plan.read_text(encoding="utf-8"))
    assert data["solver"]["lang"] == "zh"
    assert data["moves"] and all(m["reasons"][0].startswith("E1–E3 均符合") for m in data["moves"])
    assert all(m["facts"] for m in data["moves"])

    checked = run("check", str(instance), str(plan), "--lang", "zh")
    assert checked.returncode == 0, checked.stdout
    assert "合规情况：" in checked.stdout and "结论：通过，所有硬性规则均满足" in checked.stdout

    english = run("check", str(instance), str(plan), "--lang", "en")
    assert english.returncode == 0 and "every hard rule holds" in english.stdout
    assert run("check", str(instance), str(plan), "--lang", "fr").returncode != 0
