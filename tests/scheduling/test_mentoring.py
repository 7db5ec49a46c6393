"""The mentor-pairing model: for each rule one case it allows and one it must refuse, every plan
checked by the independent checker; then the objective's order and the explanations."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scheduling.mentoring import Mentee, Mentor, MentoringProblem, solve
from scheduling.mentoring_check import check

NEW = Mentee("N1", school="S1", district="D1", stage="primary", subject="数学")
GOOD = Mentor("M1", school="S1", district="D1", stage="primary", subject="数学", backbone="school")


def run(problem):
    plan = solve(problem)
    assert check(problem, plan) == [], plan
    return plan


@pytest.mark.parametrize(("rule", "allowed", "refused", "options"), [
    ("M1", replace(GOOD, backbone="county"), replace(GOOD, backbone="none"), {}),
    ("M1", replace(GOOD, backbone="city"), replace(GOOD, backbone="school"), {"min_backbone": "city"}),
    ("M2", GOOD, replace(GOOD, stage="junior"), {}),
    ("M3", GOOD, replace(GOOD, subject="语文"), {}),
    ("M3", replace(GOOD, subject="物理"), replace(GOOD, subject="语文"),
     {"allow_related": True, "related": (frozenset({"数学", "物理"}),)}),
    ("M4", replace(GOOD, school="S2"), replace(GOOD, school="S2", district="D2"), {}),
    ("M5", replace(GOOD, current=1), replace(GOOD, current=2), {}),
])
def test_each_rule_allows_and_refuses(rule, allowed, refused, options):
    ok = run(MentoringProblem(mentors=(allowed,), mentees=(NEW,), **options))
    assert ok.pairs == (("N1", "M1"),) and ok.unpaired == {}
    bad = run(MentoringProblem(mentors=(refused,), mentees=(NEW,), **options))
    assert bad.pairs == () and bad.unpaired == {"N1": rule}
    assert bad.status == "infeasible"


def test_m6_one_mentor_each_and_never_oneself():
    two = (GOOD, replace(GOOD, id="M2"))
    plan = run(MentoringProblem(mentors=two, mentees=(NEW,)))
    assert len(plan.pairs) == 1
    self_pair = MentoringProblem(mentors=(replace(GOOD, id="N1"),), mentees=(NEW,))
    assert run(self_pair).unpaired == {"N1": "M6"}


def test_capacity_is_shared_and_as_many_as_possible_are_paired():
    mentees = tuple(replace(NEW, id=f"N{i}") for i in range(1, 4))
    plan = run(MentoringProblem(mentors=(GOOD,), mentees=mentees, max_mentees=2))
    assert len(plan.pairs) == 2 and list(plan.unpaired.values()) == ["M5"]
    # A mentor only the third can use is kept for them.
    other = replace(GOOD, id="M2", subject="语文")
    mentees = (*mentees[:2], replace(mentees[2], subject="语文"))
    plan = run(MentoringProblem(mentors=(GOOD, other), mentees=mentees, max_mentees=2))
    assert len(plan.pairs) == 3 and plan.unpaired == {}


def test_prefers_same_school_then_spreads_the_load():
    near = GOOD
    far = replace(GOOD, id="M2", school="S9")
    plan = run(MentoringProblem(mentors=(far, near), mentees=(NEW,)))
    assert plan.pairs == (("N1", "M1"),)
    mentees = (NEW, replace(NEW, id="N2"))
    twins = (GOOD, replace(GOOD, id="M2"))
    plan = run(MentoringProblem(mentors=twins, mentees=mentees, max_mentees=2))
    assert sorted(m for _e, m in plan.pairs) == ["M1", "M2"]  # one each, not two for one mentor


def test_the_checker_catches_broken_plans():
    from scheduling.mentoring import MentoringPlan

    problem = MentoringProblem(mentors=(replace(GOOD, stage="junior"), replace(GOOD, id="M2")), mentees=(NEW,))
    bad = MentoringPlan("optimal", (("N1", "M1"),), {})
    assert [code for code, _ in check(problem, bad)] == ["M2"]
    lazy = MentoringPlan("optimal", (), {"N1": "M5"})
    assert [code for code, _ in check(problem, lazy)] == ["MAX"]
    over = MentoringPlan("optimal", (("N1", "M2"),), {})
    assert check(replace(problem, mentors=(replace(GOOD, id="M2", current=2),)), over)[0][0] == "M5"
    assert check(problem, MentoringPlan("optimal", (("N1", "X"),), {}))[0][0] == "UNKNOWN"


def test_a_county_sized_instance_is_paired_and_checked():
    import random

    rnd = random.Random(7)
    subjects = ["语文", "数学", "英语", "体育", "音乐"]
    mentors = tuple(Mentor(f"M{i}", f"S{i % 30}", f"D{i % 6}", "primary", rnd.choice(subjects),
                           rnd.choice(["school", "county", "city"])) for i in range(300))
    mentees = tuple(Mentee(f"N{i}", f"S{rnd.randrange(30)}", f"D{rnd.randrange(6)}", "primary",
                           rnd.choice(subjects)) for i in range(60))
    plan = run(MentoringProblem(mentors=mentors, mentees=mentees))
    assert plan.status == "optimal" and len(plan.pairs) + len(plan.unpaired) == 60


def test_the_checker_is_independent_of_the_model():
    """The checker reads the rules again itself: it imports nothing from the model, nor ortools."""
    import ast
    from pathlib import Path

    import scheduling.mentoring_check as checker

    tree = ast.parse(Path(checker.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(a.name for a in node.names)
    assert not {m for m in imported if m.startswith(("scheduling", "ortools"))}, imported
