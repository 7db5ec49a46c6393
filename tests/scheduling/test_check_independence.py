"""The checker and the solver each compute every rule from the contract, in their own code.

Each rule's arithmetic is proved twice against numbers worked out by hand from the contract
(docs/solver/rules.md): once in the solver's ``scheduling.rules``, once in the checker's own
functions in ``scheduling.check``. A source test keeps the checker from importing the solver's rules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from rotation_factories import policy, teacher

from scheduling import check, rules

CHECK_SOURCE = Path(check.__file__).read_text(encoding="utf-8")


def test_checker_does_not_import_the_solvers_rule_arithmetic():
    tree = ast.parse(CHECK_SOURCE)
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
            imported.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            imported.update(a.name for a in node.names)
    allowed = {"scheduling.io", "scheduling.messages", "scheduling.problem"}
    ours = {m for m in imported if m.startswith("scheduling")}
    assert {m.rsplit(".", 1)[0] if m not in allowed else m for m in ours} <= allowed, ours
    for forbidden in ("scheduling.rules", "scheduling.model", "scheduling.greedy", "ortools"):
        assert forbidden not in imported
    # nor the problem module's rule shortcuts
    assert ".is_backbone" not in CHECK_SOURCE and ".is_pe_art" not in CHECK_SOURCE


# (eligible, rotation_share, max_share) → (fewest, most), worked by hand:
# ceil(0.1 × 30) = 3 (not 4 from 3.0000000000000004), max(3, floor(0.15 × 30) = 4)
H3_CASES = [
    ((30, 0.10, 0.15), (3, 4)),
    ((31, 0.10, 0.15), (4, 4)),
    ((7, 0.10, 0.12), (1, 1)),
    ((0, 0.10, 0.15), (0, 0)),
    ((100, 0.10, None), (10, None)),
    ((10, 0.7, 0.7), (7, 7)),
]


@pytest.mark.parametrize(("args", "expected"), H3_CASES)
def test_h3_bounds_twice(args, expected):
    assert rules.move_bounds(*args) == expected
    assert check.h3_bounds(*args) == expected


# (moves, eligible, share, base) → backbone movers needed
H4_CASES = [
    ((10, 100, 0.20, "moves"), 2),
    ((11, 100, 0.20, "moves"), 3),
    ((15, 100, 0.30, "moves"), 5),  # 4.5 → 5 (ceil)
    ((10, 100, 0.20, "eligible"), 20),
    ((0, 7, 0.20, "moves"), 0),
]


@pytest.mark.parametrize(("args", "expected"), H4_CASES)
def test_h4_needed_twice(args, expected):
    assert rules.backbone_needed(*args) == expected
    assert check.h4_needed(*args) == expected


# (now, band) → (low, high): now ± max(1, round-half-up(band × now))
H5_CASES = [
    ((45, 0.10), (40, 50)),  # 4.5 → 5, not banker's 4
    ((35, 0.10), (31, 39)),  # 3.5 → 4
    ((5, 0.10), (4, 6)),  # 0.5 → 1
    ((3, 0.10), (2, 4)),  # 0.3 → 0, at least 1
    ((120, 0.08), (110, 130)),  # 9.6 → 10
]


@pytest.mark.parametrize(("args", "expected"), H5_CASES)
def test_h5_band_twice(args, expected):
    assert rules.headcount_bounds(*args) == expected
    assert check.h5_band(*args) == expected


# (now, share) → cap: max(1, floor(share × now))
H6_CASES = [((10, 0.20), 2), ((14, 0.20), 2), ((4, 0.20), 1), ((35, 0.20), 7), ((100, 0.15), 15)]


@pytest.mark.parametrize(("args", "expected"), H6_CASES)
def test_h6_cap_twice(args, expected):
    assert rules.max_outflow(*args) == expected
    assert check.h6_cap(*args) == expected


ELIGIBILITY_CASES = [
    ({"years": 6}, None),  # exactly the minimum
    ({"years": 5}, "E1"),
    ({"exempt": True}, "E2"),
    ({"on_exchange": True}, "E2"),
    ({"years": 2, "exempt": True}, "E1"),  # the first failed rule is reported
    ({"gender": "F", "birth_year": 2027 - 51}, None),  # 51 < 55 − 3
    ({"gender": "F", "birth_year": 2027 - 52}, "E3"),  # 52 is not < 52
    ({"gender": "M", "birth_year": 2027 - 56}, None),
    ({"gender": "M", "birth_year": 2027 - 57}, "E3"),
]


@pytest.mark.parametrize(("fields", "expected"), ELIGIBILITY_CASES)
def test_eligibility_twice(fields, expected):
    t = teacher("a", "S", **fields)
    p = policy()
    assert rules.exclusion_reason(t, p, 2027) == expected
    assert check.eligibility_code(t, p, 2027) == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"degree": True}, {"L1": True, "L2": False, "L3": False}),
        ({"backbone": "county"}, {"L1": False, "L2": True, "L3": False}),
        ({"backbone": "school"}, {"L1": False, "L2": False, "L3": False}),  # school level is not counted
        ({"backbone": "province", "subject": "音乐"}, {"L1": False, "L2": True, "L3": True}),
        ({"subject": "科学"}, {"L1": False, "L2": False, "L3": False}),
    ],
)
def test_indicator_flags_twice(fields, expected):
    t = teacher("a", "S", **fields)
    assert rules.indicator_flags(t) == expected
    assert check.counts_for(t) == expected


# Worked by hand: pupils 100 and 300, counts 1 and 1 → x = 1.0 and 0.333…, P = 400, mean = 0.5,
# S² = 0.25·0.25 + 0.75·(1/6)² = 1/12, CV = sqrt(1/12)/0.5 = 0.57735…
CV_CASES = [
    (([100, 300], [1, 1]), (1 / 12) ** 0.5 / 0.5),
    (([100, 100], [2, 2]), 0.0),  # equal rates
    (([80, 120], [0, 0]), 0.0),  # mean 0 → defined as 0
    (([50, 50, 100], [1, 0, 1]), ((0.25 * 1 + 0.25 * 1 + 0.5 * 0) ** 0.5) / 1.0),
]


@pytest.mark.parametrize(("args", "expected"), CV_CASES)
def test_difference_coefficient_twice(args, expected):
    assert rules.cv_from_counts(*args) == pytest.approx(expected, abs=1e-12)
    assert check.difference_coefficient(*args) == pytest.approx(expected, abs=1e-12)


def test_the_50_pupil_line_twice():
    from rotation_factories import one_rule_county, school

    from scheduling.problem import Problem

    base = one_rule_county()
    schools = (*base.schools, school("TP", "rural", primary=49), school("TQ", "rural", primary=50))
    problem = Problem(base.name, base.year, base.policy, schools, base.teachers)
    solver_counted = set(rules.indicator_schools(problem)["C"]["primary"])
    checker = check._coefficients(problem, {t.id: t.school for t in problem.teachers})
    assert "TQ" in solver_counted and "TP" not in solver_counted
    assert checker["C"]["primary"] == pytest.approx(rules.coefficients(problem, rules.initial_placement(problem))["C"]["primary"])
