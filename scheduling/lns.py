"""Large-neighbourhood search for counties too big for one CP-SAT model in the time limit.

Measured on the district instance (300 schools, ~10,700 teachers, 3,100 movable): the whole model
(37,000 move literals even with 12 destinations per teacher) spends ~18 s in presolve and then
finds nothing better than the greedy start within a minute on two cores. So large counties are
improved by repeatedly solving a small exact sub-model instead:

- pick a neighbourhood of ``size`` schools (half chosen among the schools furthest from the county
  mean of a random indicator, half at random);
- free every move between two schools of the neighbourhood (all admissible destinations there, not
  only the pruned ones), let each current move that touches the neighbourhood be kept or dropped, and
  fix every other current move;
- build the same model (``scheduling.model.build_model``: all rules, exact objective) for that
  sub-problem and minimise ``LEX × balance + burden/1000`` with the current plan as hint;
- keep the answer when the exact Σ CV² (then the burden) is better.

Every accepted plan keeps all rules because the sub-model contains all of them, with the fixed
moves as constants.
"""

from __future__ import annotations

import random
import time
from dataclasses import replace

from scheduling import rules
from scheduling.model import CountyData, admissible, build_model, move_cost


def plan_value(data: CountyData, plan: set[tuple[str, str]]) -> tuple[float, int]:
    """(exact Σ CV² over the county's groups, burden) of a plan."""
    teacher = data.teacher
    total = 0.0
    for g in data.groups:
        counts = dict(g.before)
        for tid, dest in plan:
            t = teacher[tid]
            if t.stage != g.stage or not rules.indicator_flags(t)[g.indicator]:
                continue
            if t.school in counts:
                counts[t.school] -= 1
            if dest in counts:
                counts[dest] += 1
        cv = rules.cv_from_counts([g.pupils[s] for s in g.schools], [counts[s] for s in g.schools])
        total += cv * cv
    paired = {(a, b) for a, b in data.problem.options.pairs} | {(b, a) for a, b in data.problem.options.pairs}
    burden = sum(move_cost(data, teacher[tid], dest, paired) for tid, dest in plan)
    return total, burden


def _neighbourhood(data: CountyData, plan: set[tuple[str, str]], rng: random.Random, size: int) -> set[str]:
    schools = [s.id for s in data.schools]
    chosen: set[str] = set()
    if data.groups:
        g = rng.choice(data.groups)
        counts = dict(g.before)
        teacher = data.teacher
        for tid, dest in plan:
            t = teacher[tid]
            if t.stage == g.stage and rules.indicator_flags(t)[g.indicator]:
                if t.school in counts:
                    counts[t.school] -= 1
                if dest in counts:
                    counts[dest] += 1
        mean = sum(counts.values()) / max(1, g.total_pupils)
        far = sorted(g.schools, key=lambda s: -abs(counts[s] / g.pupils[s] - mean) * g.pupils[s] ** 0.5)
        pool = far[: size * 2]
        chosen.update(rng.sample(pool, min(len(pool), size // 2)))
    rest = [s for s in schools if s not in chosen]
    chosen.update(rng.sample(rest, min(len(rest), size - len(chosen))))
    return chosen


def _sub_data(data: CountyData, plan: set[tuple[str, str]], area: set[str]) -> tuple[CountyData, set]:
    """The county with only the neighbourhood's moves free; returns it and the moves to fix."""
    current = dict(plan)
    options = data.problem.options
    closed = set(options.forbid_schools)
    forbidden = {(p.teacher, p.to) for p in options.forbid_moves}
    by_id = data.school
    destinations: dict[str, list[str]] = {}
    fixed = set()
    movable = []
    for t in data.movable:
        if t.school in area:
            dests = [
                d
                for d in area
                if d not in closed and (t.id, d) not in forbidden and admissible(t, by_id[t.school], by_id[d])
            ]
            if t.id in current and current[t.id] not in dests:
                dests.append(current[t.id])
        elif t.id in current:
            dests = [current[t.id]]
            if current[t.id] not in area:
                fixed.add((t.id, current[t.id]))
        else:
            continue
        if dests:
            destinations[t.id] = sorted(dests)
            movable.append(t)
    return replace(data, movable=movable, destinations=destinations, distance=data.distance), fixed


def improve(
    data: CountyData,
    plan: set[tuple[str, str]],
    *,
    deadline: float,
    workers: int,
    seed: int,
    size: int = 10,
    step_s: float = 1.5,
    deterministic_time: float | None = None,
    control=None,
) -> tuple[set[tuple[str, str]], dict]:
    """Improve a valid plan until ``deadline``; returns the best plan and counters.

    With one worker and ``deterministic_time``, each sub-solve stops on deterministic time and the
    number of neighbourhoods is fixed in advance, so the result does not depend on the clock (unless
    the wall-clock deadline comes first). ``control`` (``scheduling.solve.Control``) receives each
    improvement and ends the search when the caller asks it to stop."""
    from scheduling._cpsat import cp_model
    from scheduling.solve import _hint_plan, _solve_watched

    rng = random.Random(seed)
    best = set(plan)
    best_value = plan_value(data, best)
    stats = {"iterations": 0, "accepted": 0, "start": best_value[0]}
    deterministic = workers == 1 and deterministic_time is not None
    max_iterations = max(1, int(deterministic_time / step_s)) if deterministic else None
    # a step needs its sub-model built and hinted before it searches: none is started in the last second
    while time.monotonic() + 1.0 < deadline and (max_iterations is None or stats["iterations"] < max_iterations):
        if control is not None and control.stopped:
            break
        area = _neighbourhood(data, best, rng, size)
        sub, fixed = _sub_data(data, best, area)
        built = build_model(sub)
        for key in fixed:
            built.model.add(built.x[key] == 1)
        # burden in thousandths keeps LEX × balance inside 64 bits; it only breaks ties here
        costs = [c // 1000 for c in _costs(built, sub)]
        lex = sum(abs(c) for c in costs) + 1
        built.model.minimize(lex * built.balance + cp_model.LinearExpr.weighted_sum(list(built.x.values()), costs))
        hint_s = 0.5 if deterministic else min(0.5, max(0.05, (deadline - time.monotonic() - 0.3) / 3))
        _hint_plan(built, {key: 1 for key in built.x if key in best}, seconds=hint_s, deterministic=deterministic)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = seed + stats["iterations"]
        if deterministic:
            solver.parameters.interleave_search = False
            solver.parameters.max_deterministic_time = step_s / 2
            solver.parameters.max_time_in_seconds = max(0.1, deadline - time.monotonic() - 0.3)
        else:
            solver.parameters.max_time_in_seconds = max(0.1, min(step_s, deadline - time.monotonic() - 0.3))
        status = _solve_watched(solver, built.model, control)
        stats["iterations"] += 1
        # neighbourhoods solved to optimality grow, those that time out shrink
        size = min(size + 2, 40) if status == cp_model.OPTIMAL else max(6, size - 1)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        candidate = {key for key, var in built.x.items() if solver.boolean_value(var)}
        candidate |= {(t, d) for t, d in best if t not in sub.destinations}
        value = plan_value(data, candidate)
        if value[0] < best_value[0] - 1e-12 or (value[0] <= best_value[0] + 1e-12 and value[1] < best_value[1]):
            best, best_value = candidate, value
            stats["accepted"] += 1
            if control is not None:
                control.report(data.county, best_value[0])
    stats["end"] = best_value[0]
    return best, stats


def _costs(built, sub: CountyData) -> list[int]:
    paired = {(a, b) for a, b in sub.problem.options.pairs} | {(b, a) for a, b in sub.problem.options.pairs}
    teacher = sub.teacher
    return [move_cost(sub, teacher[tid], dest, paired) for tid, dest in built.x]
