"""The yardstick: a plain, direct CP-SAT model of the rotation, kept simple on purpose.

One boolean per movable teacher and admissible destination; H1–H8 and the HR options as linear
constraints on them; per county, stage, indicator and counted school an integer count ``c`` with the
term ``(c − μ·p)² / (p·P·μ²)`` written as the maximum of its secants between consecutive integers,
with the county mean ``μ`` held at its value before the moves. The term is exact when no move
changes the county total of the indicator (a move across the 50-pupil line does); the plan is scored
on the exact objective afterwards. Counties are solved one after the other, each with the whole
budget share of its size. No hint, no search tuning: CP-SAT's defaults.

    python -m benchmarks.direct_model INSTANCE.json [--time-limit S] [--workers N]

It reads the instance with the project's reader and gathers eligibility, destinations and bands with
``scheduling.model.county_data`` (the facts, not the model); the plan is checked by ``scheduling.check``.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from fractions import Fraction

from ortools.sat.python import cp_model

from scheduling import rules
from scheduling.model import county_data
from scheduling.problem import Move, Problem

SCALE = 10**6


def solve_county(problem: Problem, county: str, seconds: float, workers: int) -> tuple[str, list[Move], float | None]:
    """(status, moves, proven lower bound of the fixed-μ objective) for one county."""
    data = county_data(problem, county)
    teacher = data.teacher
    m = cp_model.CpModel()
    x = {(t.id, d): m.new_bool_var("") for t in data.movable for d in data.destinations.get(t.id, ())}
    by_teacher, out, into = defaultdict(list), defaultdict(list), defaultdict(list)
    for (tid, d), v in x.items():
        by_teacher[tid].append(v)
        out[teacher[tid].school].append(v)
        into[d].append(v)
    for vs in by_teacher.values():  # H1
        m.add_at_most_one(vs)
    moves = sum(x.values())
    m.add(moves >= data.fewest)  # H3
    if data.most is not None:
        m.add(moves <= data.most)
    policy = problem.policy
    backbone = sum(v for (tid, _), v in x.items() if teacher[tid].is_backbone)  # H4
    if policy.backbone_share_base == "eligible":
        m.add(backbone >= data.backbone_needed(0))
    else:
        share = Fraction(repr(float(policy.backbone_share)))
        m.add(share.denominator * backbone >= share.numerator * moves)
    for s in data.schools:  # H5, H6
        low, high = data.band[s.id]
        after = data.headcount[s.id] - sum(out[s.id]) + sum(into[s.id])
        m.add(after >= low)
        m.add(after <= high)
        m.add(sum(out[s.id]) <= data.outflow_cap[s.id])
    gone, come, backbone_out = defaultdict(list), defaultdict(list), defaultdict(list)
    for (tid, d), v in x.items():
        t = teacher[tid]
        gone[(t.school, t.subject)].append(v)
        come[(d, t.subject)].append(v)
        if t.is_backbone:
            backbone_out[t.school].append(v)
    for s in data.schools:  # H7
        for subject in s.required_subjects:
            now = data.subjects[s.id].get(subject, 0)
            if now:
                m.add(now - sum(gone[(s.id, subject)]) + sum(come[(s.id, subject)]) >= 1)
    for tid, d in data.pins.items():  # options
        if (tid, d) in x:
            m.add(x[(tid, d)] == 1)
    for s, cap in problem.options.max_backbone_loss.items():
        m.add(sum(backbone_out[s]) <= cap)
    terms = []
    limits = policy.cv_limit or {}
    for g in data.groups:
        P, T0 = g.total_pupils, g.total_before
        if T0 == 0:
            continue
        mu = Fraction(T0, P)
        group_terms = []
        flows_at = defaultdict(list)
        for (tid, d), v in x.items():
            if _counts(teacher[tid], g):
                flows_at[d].append((v, +1))
                flows_at[teacher[tid].school].append((v, -1))
        for s in g.schools:
            p, c0 = g.pupils[s], g.before[s]
            flows = flows_at[s]
            low = c0 - sum(1 for _, k in flows if k < 0)
            high = c0 + sum(1 for _, k in flows if k > 0)

            def f(c: int, p: int = p, mu: Fraction = mu, P: int = P) -> int:  # SCALE × (c − μp)² / (p P μ²)
                return math.floor(SCALE * (c - mu * p) ** 2 / (p * P * mu * mu))

            if low == high:
                group_terms.append(f(c0))
                continue
            c = m.new_int_var(low, high, "")
            m.add(c == c0 + sum(k * v for v, k in flows))
            y = m.new_int_var(min(f(k) for k in range(low, high + 1)), max(f(low), f(high)), "")
            for k in range(low, high):  # secant between k and k + 1
                m.add(y >= f(k) + (f(k + 1) - f(k)) * (c - k))
            group_terms.append(y)
        if g.stage in limits:  # H8 on the fixed-μ coefficient (exact when the total does not change)
            before = P * g.q_before / (T0 * T0) - 1
            bound = max(Fraction(repr(float(limits[g.stage]))) ** 2, before)
            m.add(sum(group_terms) <= math.floor(SCALE * bound))
        terms += group_terms
    m.minimize(sum(terms))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, seconds)
    solver.parameters.num_workers = workers
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return ("infeasible" if status == cp_model.INFEASIBLE else "unknown"), [], None
    chosen = [Move(tid, teacher[tid].school, d) for (tid, d), v in x.items() if solver.boolean_value(v)]
    name = "optimal" if status == cp_model.OPTIMAL else "feasible"
    return name, chosen, solver.best_objective_bound / SCALE


def _counts(t, g) -> bool:
    return t.stage == g.stage and rules.indicator_flags(t)[g.indicator]


def solve(problem: Problem, time_limit_s: float, workers: int = 2) -> dict:
    """Solve every county in turn; the plan's Σ CV² is exact (recomputed from the moves)."""
    from scheduling import check

    start = time.monotonic()
    counties = rules.counties(problem)
    size = defaultdict(int)
    where = rules.county_of(problem)
    for t in problem.teachers:
        size[where[t.school]] += 1
    statuses, moves, bounds = [], [], []
    for i, county in enumerate(counties):
        left = time_limit_s - (time.monotonic() - start)
        share = size[county] / max(1, sum(size[c] for c in counties[i:]))
        status, found, bound = solve_county(problem, county, left * share, workers)
        statuses.append(status)
        moves += found
        bounds.append(bound)
    worst = max(statuses, key=["optimal", "feasible", "unknown", "infeasible"].index)
    after = check.metrics(problem, moves)["after"]
    objective = sum(v * v for st in after.values() for ind in st.values() for v in ind.values())
    has_plan = worst in ("optimal", "feasible")
    return {
        "status": worst,
        "moves": moves,
        "objective": objective if has_plan else None,
        "bound": sum(bounds) if has_plan and all(b is not None for b in bounds) else None,
        "counties_optimal": statuses.count("optimal"),
        "counties": len(counties),
        "wall_s": time.monotonic() - start,
    }


if __name__ == "__main__":
    import argparse

    from scheduling.io import load_problem

    parser = argparse.ArgumentParser(description="direct reference model (yardstick)")
    parser.add_argument("instance")
    parser.add_argument("--time-limit", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    result = solve(load_problem(args.instance), args.time_limit, args.workers)
    print({k: v for k, v in result.items() if k != "moves"}, len(result["moves"]), "moves")
