"""The class model (``scheduling.aggregate``): the same optimum as the per-teacher model, plans that pass
the independent checker, and a way back to named teachers that gives the flows it was given."""

from __future__ import annotations

import pytest
from ortools.sat.python import cp_model

from scheduling import check, generate, rules
from scheduling.aggregate import add_wishes, aggregate, counts_of, disaggregate, h7_binding
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


def _problem(n, seed, options):
    return problem_from_dict(generate.make_instance(n, 1, seed, **options))


def _optimum(built):
    built.model.minimize(built.balance)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.max_time_in_seconds = 60
    status = solver.solve(built.model)
    assert status == cp_model.OPTIMAL, solver.status_name(status)
    return solver


def _moves(data, plan):
    return [Move(tid, data.teacher[tid].school, dest) for tid, dest in sorted(plan)]


@pytest.mark.parametrize(("n", "seed", "options"), CASES)
def test_class_model_has_the_per_teacher_optimum_and_its_plans_pass_the_checker(n, seed, options):
    problem = _problem(n, seed, options)
    (county,) = rules.counties(problem)
    data = county_data(problem, county)
    per_teacher = build_model(data, fixed_mean=True, exact_totals=True)
    solver = _optimum(per_teacher)
    named = {key for key, var in per_teacher.x.items() if solver.value(var)}

    agg = aggregate(data)
    assert agg.classes < len([t for t in data.movable if data.destinations.get(t.id)])  # something was merged
    by_class = build_model(agg.data, fixed_mean=True, exact_totals=True)
    solver2 = _optimum(by_class)
    assert solver2.objective_value == solver.objective_value  # the same optimum, to the unit
    plan = disaggregate(agg, {key: solver2.value(var) for key, var in by_class.x.items() if solver2.value(var)})
    assert check.validate(problem, _moves(data, plan)) == []
    assert plan_value(data, plan)[0] == pytest.approx(plan_value(data, named)[0], abs=1e-6)


def test_classes_hold_interchangeable_teachers_and_pins_stay_alone():
    problem = _problem(12, 2, {"policy": "strict"})
    (county,) = rules.counties(problem)
    data = county_data(problem, county)
    # pin the first movable teacher with a destination
    tid = next(t.id for t in data.movable if data.destinations.get(t.id))
    data.pins[tid] = data.destinations[tid][0]
    agg = aggregate(data)
    assert agg.members[agg.unit_of[tid]] == (tid,)
    binding = h7_binding(data)
    teacher = data.teacher
    for members in agg.members.values():
        first = teacher[members[0]]
        for other in (teacher[m] for m in members):
            assert (other.school, other.stage) == (first.school, first.stage)
            assert rules.indicator_flags(other) == rules.indicator_flags(first)
            assert data.destinations[other.id] == data.destinations[first.id]
            if other.subject != first.subject:  # mixed subjects only where H7 cannot bind
                for t in (other, first):
                    assert (t.school, t.subject) not in binding
                    assert not any((d, t.subject) in binding for d in data.destinations[t.id])


def test_disaggregate_gives_back_the_flows_and_sends_wishers_first():
    problem = _problem(10, 1, {})
    (county,) = rules.counties(problem)
    data = county_data(problem, county)
    agg = aggregate(data)
    uid, members = next((u, m) for u, m in agg.members.items() if len(m) >= 3)
    dests = agg.data.destinations[uid]
    flows = {(uid, dests[0]): 2, (uid, dests[-1]): 1}
    plan = disaggregate(agg, flows)
    assert counts_of(agg, plan) == flows
    assert len({tid for tid, _ in plan}) == 3 and {tid for tid, _ in plan} <= set(members)
    chosen = (members[-1], dests[-1])
    plan = disaggregate(agg, flows, {chosen})
    assert chosen in plan and counts_of(agg, plan) == flows


def test_wish_literals_are_bounded_by_the_class_flow():
    problem = _problem(10, 1, {})
    (county,) = rules.counties(problem)
    data = county_data(problem, county)
    agg = aggregate(data)
    built = build_model(agg.data, fixed_mean=True, exact_totals=True)
    _bonus, wishes = add_wishes(built, agg)
    assert wishes, "the generated county has wishers in classes of two or more"
    (tid, dest), w = next(iter(wishes.items()))
    built.model.add(w == 1)
    built.model.add(built.x[(agg.unit_of[tid], dest)] == 0)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    assert solver.solve(built.model) == cp_model.INFEASIBLE
