"""One feasible and one infeasible case per rule family of the CP-SAT model (H1–H8, HR options).

Each case builds the county model with ``build_model`` and solves it; a feasible answer is checked
with the independent checker. The small county of ``rotation_factories.one_rule_county`` is the
base: U1 urban, R1 rural, T1 town with five teachers each (band ±1, outflow cap 1), 14 eligible.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from ortools.sat.python import cp_model
from rotation_factories import one_rule_county, pin, policy, school, teacher

from scheduling import check, rules
from scheduling.model import SCALE, build_model, county_data
from scheduling.problem import Move, Options, Problem


def solve_model(problem: Problem, county: str = "C", objective: bool = False) -> tuple[str, list[Move]]:
    data = county_data(problem, county)
    built = build_model(data)
    if objective:
        built.model.minimize(built.balance)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 5
    status = solver.solve(built.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return solver.status_name(status), []
    moves = [Move(t, data.teacher[t].school, d) for (t, d), v in built.x.items() if solver.boolean_value(v)]
    return "FEASIBLE", moves


def assert_feasible_and_valid(problem: Problem) -> list[Move]:
    status, moves = solve_model(problem)
    assert status == "FEASIBLE"
    assert check.validate(problem, moves) == []
    return moves


def with_teachers(problem: Problem, teachers, **policy_overrides) -> Problem:
    return Problem(
        problem.name,
        problem.year,
        policy(**policy_overrides) if policy_overrides else problem.policy,
        problem.schools,
        tuple(teachers),
        problem.options,
    )


# --------------------------------------------------------------------------- H1, H2: the move variables


def test_h1_only_eligible_teachers_get_move_variables_once():
    problem = one_rule_county()
    built = build_model(county_data(problem, "C"))
    movers = {t for t, _ in built.x}
    assert "x" not in movers  # E1: two years at the school
    assert movers == {t.id for t in problem.teachers if t.id != "x"}
    assert_feasible_and_valid(problem)


def test_h1_pinning_an_ineligible_teacher_is_infeasible():
    problem = one_rule_county(options=Options(pin=(pin("x", "U1"),)))
    assert build_model(county_data(problem, "C")).unpinnable == ["x"]


def test_h2_destinations_are_other_area_classes_with_pupils_in_the_stage():
    problem = one_rule_county()
    data = county_data(problem, "C")
    assert set(data.destinations["u1"]) == {"R1", "T1"}  # not U2 (urban), not J1 (junior only), not O1
    assert set(data.destinations["r1"]) == {"U1", "U2", "T1"}


def test_h2_a_county_of_one_area_class_cannot_rotate():
    base = one_rule_county()
    schools = tuple(s if s.id != "R1" and s.id != "T1" else school(s.id, "urban") for s in base.schools)
    problem = Problem(base.name, base.year, base.policy, schools, base.teachers)
    status, _ = solve_model(problem)
    assert status == "INFEASIBLE"


# --------------------------------------------------------------------------- H3 – H7


def test_h3_feasible_between_minimum_and_maximum():
    moves = assert_feasible_and_valid(one_rule_county())
    assert 2 <= len(moves) <= 7


def test_h3_minimum_above_what_the_schools_can_send_is_infeasible():
    problem = one_rule_county(policy_overrides={"rotation_share": 0.3})  # 5 moves; 3 schools send 1 each
    assert solve_model(problem)[0] == "INFEASIBLE"


def test_h3_maximum_below_pins_is_infeasible():
    options = Options(pin=(pin("u1", "R1"), pin("r1", "T1"), pin("t1", "U1")))
    problem = one_rule_county(policy_overrides={"max_rotation_share": 0.15}, options=options)  # at most 2
    assert solve_model(problem)[0] == "INFEASIBLE"
    relaxed = one_rule_county(policy_overrides={"max_rotation_share": 0.5}, options=options)
    assert_feasible_and_valid(relaxed)


def test_h4_linear_form_agrees_with_rules_backbone_needed():
    for share in (0.1, 0.2, 0.25, 0.3, 0.35, 0.5, 0.7, 1.0):
        exact = Fraction(repr(share))
        for moves in range(200):
            needed = rules.backbone_needed(moves, 0, share, "moves")
            # b·B ≥ a·m  ⇔  B ≥ needed, for every integer B
            assert all((exact.denominator * b >= exact.numerator * moves) == (b >= needed) for b in range(201))


def test_h4_feasible_and_infeasible():
    problem = one_rule_county(policy_overrides={"backbone_share": 1.0})  # 2 moves, both backbone: u1 and r1
    moves = assert_feasible_and_valid(problem)
    assert {m.teacher for m in moves} == {"u1", "r1"}
    too_many = one_rule_county(policy_overrides={"backbone_share": 1.0, "rotation_share": 0.2})  # 3 moves
    assert solve_model(too_many)[0] == "INFEASIBLE"


def only_u1_eligible(**policy_overrides) -> Problem:
    base = one_rule_county()
    teachers = [t if t.school == "U1" else teacher(t.id, t.school, years=2) for t in base.teachers]
    return with_teachers(base, teachers, **policy_overrides)


def test_h5_headcount_band():
    # U1 (5 teachers, band ±1) must send 2 when 40 % of its 5 eligible rotate and nobody can come back
    assert solve_model(only_u1_eligible(rotation_share=0.4, max_outflow_share=1.0))[0] == "INFEASIBLE"
    assert_feasible_and_valid(only_u1_eligible(rotation_share=0.2, max_outflow_share=1.0))


def test_h6_outflow_cap():
    wide_band = {"rotation_share": 0.4, "headcount_band": 0.5}
    assert solve_model(only_u1_eligible(**wide_band, max_outflow_share=0.2))[0] == "INFEASIBLE"
    assert_feasible_and_valid(only_u1_eligible(**wide_band, max_outflow_share=0.4))


def test_h7_required_subject():
    # u5 is U1's only 体育 teacher and 体育 is required at U1
    forced = one_rule_county(options=Options(pin=(pin("u5", "R1"),)))
    assert solve_model(forced)[0] == "INFEASIBLE"
    base = one_rule_county()
    teachers = [*base.teachers, teacher("r6", "R1", subject="体育", backbone="county")]
    schools = tuple(s if s.id != "R1" else school("R1", "rural") for s in base.schools)
    # a 体育 teacher arriving at U1 lets u5 leave
    problem = Problem(
        base.name, base.year, base.policy, schools, tuple(teachers), Options(pin=(pin("u5", "R1"), pin("r6", "U1")))
    )
    assert_feasible_and_valid(problem)


def degree_county(forbid_r2: bool, cv_limit=0.5) -> Problem:
    """U1 (200 pupils), R1 and T1 (100 each); degree holders u2 at U1 and r2 at R1: L1 CV 0.71."""
    base = one_rule_county()
    teachers = [
        teacher(
            t.id, t.school, degree=t.id in ("u2", "r2"), subject=t.subject, backbone=t.backbone, years=t.years_at_school
        )
        for t in base.teachers
    ]
    options = Options(pin=(pin("u2", "R1"),), forbid_teachers=("r2",) if forbid_r2 else ())
    limits = None if cv_limit is None else {"primary": cv_limit}
    return Problem(
        base.name, base.year, policy(cv_limit=limits, backbone_share=0.0), base.schools, tuple(teachers), options
    )


def test_h8_balance_limit():
    # moving u2 to R1 leaves U1 with no degree holder: L1 worsens from 0.71 (already above 0.5)
    assert solve_model(degree_county(forbid_r2=True))[0] == "INFEASIBLE"
    # unless r2 goes to U1 at the same time, which keeps L1 where it was
    moves = assert_feasible_and_valid(degree_county(forbid_r2=False))
    assert Move("r2", "R1", "U1") in moves


def test_h8_no_limit_means_no_constraint():
    assert_feasible_and_valid(degree_county(forbid_r2=True, cv_limit=None))


# --------------------------------------------------------------------------- HR options


def test_options_pin_forbid_and_backbone_cap():
    options = Options(
        pin=(pin("t1", "U1"),),
        forbid_teachers=("u1",),
        forbid_schools=("U2",),
        forbid_moves=(pin("r1", "T1"),),
        max_backbone_loss={"R1": 1},
    )
    moves = assert_feasible_and_valid(one_rule_county(policy_overrides={"backbone_share": 0.2}, options=options))
    assert Move("t1", "T1", "U1") in moves
    assert all(m.teacher != "u1" and m.to_school != "U2" for m in moves)


def test_options_backbone_cap_infeasible():
    # H4 with share 1.0 needs two backbone movers; HR lets R1 lose none
    problem = one_rule_county(policy_overrides={"backbone_share": 1.0}, options=Options(max_backbone_loss={"R1": 0}))
    assert solve_model(problem)[0] == "INFEASIBLE"


# --------------------------------------------------------------------------- the objective


def test_balance_objective_is_exact_at_integer_counts(make_instance):
    from scheduling.io import problem_from_dict

    problem = problem_from_dict(make_instance.make_instance(10, 1, 5))
    county = rules.counties(problem)[0]
    data = county_data(problem, county)
    built = build_model(data)
    built.model.minimize(built.balance)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 3
    assert solver.solve(built.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    chosen = {key for key, v in built.x.items() if solver.boolean_value(v)}
    moves = [Move(t, data.teacher[t].school, d) for t, d in chosen]
    # with the moves fixed, the smallest objective is the exact Σ CV² of those moves (up to rounding)
    for key, var in built.x.items():
        built.model.add(var == (1 if key in chosen else 0))
    assert solver.solve(built.model) == cp_model.OPTIMAL
    after = check.metrics(problem, moves)["after"][county]
    assert built.balance_terms
    for key, var in built.balance_terms.items():
        stage, indicator = key.split("/")
        assert solver.value(var) / SCALE == pytest.approx(after[stage][indicator] ** 2, abs=2e-5)


def test_exact_totals_model_is_the_exact_objective_at_a_plan_that_crosses_the_line(make_instance):
    """Where moves change a group's counted total, the exact-totals model's Σ CV² at a plan equals the
    exact coefficient recomputed from the counts (and is not the fixed-mean surrogate's value)."""
    from scheduling.io import problem_from_dict
    from scheduling.lns import plan_value

    problem = problem_from_dict(make_instance.make_instance(40, 1, 1))
    data = county_data(problem, rules.counties(problem)[0])
    built = build_model(data, fixed_mean=True, exact_totals=True)
    crossing = [t for t in built.group_terms.values() if t.reach != (0, 0)]
    assert crossing and all(t.exact for t in built.group_terms.values())
    # force a total to change: the group's "T = T0" literal is false
    proto = built.model.proto.variables
    names = {proto[i].name: built.model.get_int_var_from_proto_index(i) for i in range(len(proto))}
    term = crossing[0]
    built.model.add(names[f"T[{term.group.key}]={term.group.total_before}"] == 0)
    built.model.minimize(built.balance)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_deterministic_time = 5
    assert solver.solve(built.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    plan = {key for key, var in built.x.items() if solver.boolean_value(var)}
    moves = [Move(tid, data.teacher[tid].school, d) for tid, d in plan]
    assert check.validate(problem, moves) == []
    # the model's value at this plan: the same model with the moves fixed, at its minimum
    fixed = build_model(data, fixed_mean=True, exact_totals=True)
    for key, var in fixed.x.items():
        fixed.model.add(var == (1 if key in plan else 0))
    fixed.model.minimize(fixed.balance)
    again = cp_model.CpSolver()
    again.parameters.num_workers = 1
    assert again.solve(fixed.model) == cp_model.OPTIMAL
    exact = plan_value(data, plan)[0]
    assert abs(again.objective_value / SCALE - exact) < 1e-5
    surrogate = build_model(data, fixed_mean=True)
    for key, var in surrogate.x.items():
        surrogate.model.add(var == (1 if key in plan else 0))
    surrogate.model.minimize(surrogate.balance)
    third = cp_model.CpSolver()
    third.parameters.num_workers = 1
    assert third.solve(surrogate.model) == cp_model.OPTIMAL
    assert abs(third.objective_value / SCALE - exact) > 1e-5  # the correction matters at this plan
