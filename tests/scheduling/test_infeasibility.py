"""The infeasibility explanation names the rules that truly conflict, with the numbers."""

from __future__ import annotations

import pytest
from rotation_factories import one_rule_county, pin, school, teacher
from test_model import degree_county, only_u1_eligible

from scheduling import check
from scheduling.infeasibility import diagnose
from scheduling.problem import Options, Problem
from scheduling.solve import solve


def explain(problem: Problem) -> list[str]:
    result = solve(problem, time_limit_s=3, workers=1)
    assert result.status == "infeasible"
    assert result.moves == ()
    assert result.infeasibility
    return list(result.infeasibility)


def rules_named(lines: list[str]) -> set[str]:
    return {
        code
        for code in ("H1", "H2", "H3", "H4", "H5", "H6", "H7", "H8", "pins", "caps")
        if any(code in line for line in lines)
    }


def test_h3_against_h6_with_numbers():
    lines = explain(one_rule_county(policy_overrides={"rotation_share": 0.3}))
    assert rules_named(lines) == {"H3", "H6"}
    assert "at least 5 moves" in lines[0] and "at most 3" in lines[0]


def test_h4_backbone_movers_with_numbers():
    lines = explain(one_rule_county(policy_overrides={"backbone_share": 1.0, "rotation_share": 0.2}))
    assert "H4" in lines[0]
    assert "at least 3 backbone movers" in lines[0] and "only 2 eligible backbone teachers" in lines[0]


def test_h5_conflict_found_by_the_solver():
    lines = explain(only_u1_eligible(rotation_share=0.4, max_outflow_share=1.0))
    assert rules_named(lines) == {"H3", "H5"}


def test_h7_conflict_with_a_pin():
    lines = explain(one_rule_county(options=Options(pin=(pin("u5", "R1"),))))
    assert rules_named(lines) == {"H7", "pins"}
    assert any("U1 体育" in line for line in lines)


def test_h8_conflict_with_a_pin():
    lines = explain(degree_county(forbid_r2=True))
    assert rules_named(lines) == {"H8", "pins"}


def test_pin_of_an_ineligible_teacher_names_h1_and_the_eligibility_rule():
    lines = explain(one_rule_county(options=Options(pin=(pin("x", "U1"),))))
    assert "H1" in lines[0] and "E1: 2 years at the school, 6 required" in lines[0]


def test_pin_to_the_same_area_class_names_h2():
    lines = explain(one_rule_county(options=Options(pin=(pin("u1", "U2"),))))
    assert "H2" in lines[0] and "both schools are urban" in lines[0]


def test_more_pins_than_h3_allows():
    options = Options(pin=(pin("u1", "R1"), pin("r1", "T1"), pin("t1", "U1")))
    lines = explain(one_rule_county(policy_overrides={"max_rotation_share": 0.15}, options=options))
    assert "H3 allows at most 2" in lines[0]


def test_backbone_cap_against_h4():
    problem = one_rule_county(policy_overrides={"backbone_share": 1.0}, options=Options(max_backbone_loss={"R1": 0}))
    lines = explain(problem)
    assert "H4" in lines[0] and "backbone caps" in lines[0]


def test_a_county_of_one_area_class_names_h2():
    base = one_rule_county()
    schools = tuple(school(s.id, "urban") if s.id in ("R1", "T1") else s for s in base.schools)
    lines = explain(Problem(base.name, base.year, base.policy, schools, base.teachers))
    assert "H2" in lines[0] and "H3" in lines[0]


def test_diagnosis_is_minimal():
    """Dropping any named rule makes the county feasible (checked by the solver, by deletion)."""
    problem = one_rule_county(options=Options(pin=(pin("u5", "R1"),)))
    lines = diagnose(problem, "C", time_limit_s=3)
    assert len(lines) == 2


def test_one_infeasible_county_makes_the_plan_infeasible_and_is_named():
    base = one_rule_county()
    other = (school("P1", "urban", county="P"), school("P2", "rural", county="P"))
    teachers = (*base.teachers, teacher("p1", "P1", years=1), teacher("p2", "P2", years=1), teacher("p3", "P1"))
    options = Options(pin=(pin("p1", "P2"),))
    result = solve(
        Problem(base.name, base.year, base.policy, base.schools + other, teachers, options), time_limit_s=3, workers=1
    )
    assert result.status == "infeasible"
    assert any(line.startswith("P: ") and "p1" in line for line in result.infeasibility)
    assert result.solver["counties"]["C"]["status"] in ("optimal", "feasible")


@pytest.mark.parametrize("share", [0.3, 0.5])
def test_infeasible_plans_still_carry_excluded_and_metrics(share):
    problem = one_rule_county(policy_overrides={"rotation_share": share})
    result = solve(problem, time_limit_s=2, workers=1)
    assert result.status == "infeasible"
    assert result.excluded == {"x": "E1"}
    assert set(result.metrics) == {"before", "after"}
    assert check.validate(problem, result.moves)  # no moves: H3 is broken, as the explanation says
