"""The kind model (``scheduling.transport``): a relaxation of the county whose optimum is the class
model's wherever H8 does not bind, whose solutions decompose into plans that pass the independent
checker, and whose bound therefore bounds every plan."""

from __future__ import annotations

import pytest
from ortools.sat.python import cp_model

from scheduling import check, generate, greedy, rules, transport
from scheduling.aggregate import aggregate
from scheduling.io import problem_from_dict
from scheduling.lns import plan_value
from scheduling.model import build_model, county_data
from scheduling.problem import Move

CASES = [
    (10, 1, {}),
    (12, 2, {"policy": "strict"}),
    (12, 3, {"teaching_points": 0.6}),
    (10, 4, {"teaching_points": 0.0}),
]


def _data(n, seed, options):
    problem = problem_from_dict(generate.make_instance(n, 1, seed, **options))
    (county,) = rules.counties(problem)
    return problem, county_data(problem, county)


def _solve(model, first=False):
    solver = cp_model.CpSolver()
    solver.parameters.stop_after_first_solution = first
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.max_time_in_seconds = 60
    status = solver.solve(model)
    assert status in ((cp_model.OPTIMAL, cp_model.FEASIBLE) if first else (cp_model.OPTIMAL,)), solver.status_name(status)
    return solver


def _moves(data, plan):
    return [Move(tid, data.teacher[tid].school, dest) for tid, dest in sorted(plan)]


# (the strict case proves in 12 s; test_aggregate covers it for the class model)
@pytest.mark.parametrize(("n", "seed", "options"), [CASES[0], CASES[2], CASES[3]])
def test_kind_model_has_the_class_optimum_and_its_plans_pass_the_checker(n, seed, options):
    problem, data = _data(n, seed, options)
    by_class = build_model(aggregate(data).data, fixed_mean=True, exact_totals=True)
    by_class.model.minimize(by_class.balance)
    optimum = _solve(by_class.model).objective_value

    kinds = transport.build(data)
    solver = _solve(kinds.model)
    assert solver.objective_value <= optimum  # a relaxation (H8 left out): its bound bounds every plan
    plan = kinds.plan_from(solver.value)
    assert check.validate(problem, _moves(data, plan)) == []
    # here H8 does not bind, so it is the same optimum, and the plan's exact Σ CV² is it (rounding < 1e-6)
    assert solver.objective_value == optimum
    assert plan_value(data, plan)[0] == pytest.approx(optimum / 1e7, abs=1e-5)
    assert transport.bound_value(solver.best_objective_bound) <= plan_value(data, plan)[0]


@pytest.mark.parametrize(("n", "seed", "options"), CASES[:2])
def test_a_plan_goes_to_kinds_and_back_with_the_same_flows_and_value(n, seed, options):
    problem, data = _data(n, seed, options)
    plan = greedy.greedy_plan(data)
    assert plan
    kinds = transport.build(data)
    values = kinds.values_of(plan)
    by_key = {var.index: values.get(key, 0) for key, var in kinds.x.items()}
    again = kinds.plan_from(lambda var: by_key[var.index])
    assert kinds.values_of(again) == values
    assert check.validate(problem, _moves(data, again)) == []
    assert plan_value(data, again)[0] == pytest.approx(plan_value(data, plan)[0], abs=1e-12)


def test_a_pinned_teacher_is_a_kind_of_one_and_moves_where_pinned():
    _, data = _data(12, 2, {"policy": "strict"})
    tid = next(t.id for t in data.movable if data.destinations.get(t.id))
    data.pins[tid] = data.destinations[tid][-1]
    kinds = transport.build(data)
    assert kinds.members[kinds.class_of[tid]] == (tid,)
    plan = kinds.plan_from(_solve(kinds.model, first=True).value)
    assert (tid, data.pins[tid]) in plan


def test_h7_broken_names_the_school_and_subject_a_plan_leaves_without_its_teacher():
    _, data = _data(12, 2, {"policy": "strict"})
    school = {s.id: s for s in data.schools}
    lonely = next(
        t
        for t in data.movable
        if data.destinations.get(t.id)
        and t.subject in school[t.school].required_subjects
        and data.subjects[t.school][t.subject] == 1
    )
    dest = data.destinations[lonely.id][0]
    assert transport.h7_broken(data, {(lonely.id, dest)}) == {(lonely.school, lonely.subject)}
    assert transport.h7_broken(data, set()) == set()
