"""Solve a rotation problem: county by county, in parallel where cores allow, then merge and explain.

Each county is independent (moves never leave it and every share is per county), so a prefecture
is split and its counties solved concurrently in threads (CP-SAT releases the GIL). The time budget
is shared out by size among the counties still waiting; 10 % of the limit is kept for building the
plan's explanations and writing it.

Per county:

1. cheap arithmetic pre-checks (``scheduling.infeasibility.precheck``) — a conflict there is
   reported at once, with the numbers;
2. a greedy plan (``scheduling.greedy``) that keeps every rule where it can; it is the solver's
   hint and the fallback when the search finds nothing better in time;
3. stage 1: minimise Σ CV² (exact, ``scheduling.model``); stage 2 (lexicographic): keep Σ CV² at
   the value found and minimise the teachers' burden — moves above the minimum, wishes not
   honoured, distance (weights in ``scheduling.model``);
4. on infeasibility, ``scheduling.infeasibility.diagnose`` finds a minimal conflicting set of rules.

Large counties (more than ``PRUNE_ABOVE`` teacher–destination pairs) keep only ``MAX_DESTINATIONS``
destinations per teacher (wishes, pins and paired schools always stay).

Reproducibility: with ``workers=1`` the search is single-threaded with a fixed seed, no interleaving,
and stops on a deterministic-time budget, so two runs give the same moves.
"""

from __future__ import annotations

import math
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from scheduling import rules
from scheduling.problem import Move, Problem, RotationResult

#: Teacher–destination pairs above which destinations are pruned, and how many are kept per teacher.
PRUNE_ABOVE = 60_000
MAX_DESTINATIONS = 12
#: Share of the time limit kept for explanations and writing the plan.
RESERVE = 0.12
#: Worst first: the overall status is the worst county's.
_SEVERITY = {"infeasible": 3, "unknown": 2, "feasible": 1, "optimal": 0}


@dataclass
class CountyOutcome:
    county: str
    status: str
    moves: list[tuple[str, str, str]] = field(default_factory=list)  # teacher, from, to
    infeasibility: list[str] = field(default_factory=list)
    objective: float | None = None  # Σ CV² after, stage 1 (model units / SCALE)
    bound: float | None = None
    wall_s: float = 0.0
    notes: list[str] = field(default_factory=list)


def default_workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def solve(problem: Problem, *, time_limit_s: float | None = None, workers: int | None = None,
          seed: int = 0) -> RotationResult:
    """Propose the year's exchanges for every county of ``problem``; never raises on a hard instance.

    ``time_limit_s`` defaults to ``problem.policy.time_limit_s``; the answer comes within it (plus the
    time to write it). ``workers`` is the total number of CP-SAT threads (default: the cores, up to 8).
    """
    from scheduling import explain

    start = time.monotonic()
    limit = float(time_limit_s if time_limit_s is not None else problem.policy.time_limit_s)
    workers = max(1, int(workers or default_workers()))
    deadline = start + limit * (1 - RESERVE)
    counties = rules.counties(problem)
    sizes = {c: 0 for c in counties}
    where = rules.county_of(problem)
    for t in problem.teachers:
        sizes[where[t.school]] += 1
    concurrency = max(1, min(len(counties), workers // 2 if workers >= 4 else 1))
    per_county_workers = max(1, workers // concurrency)
    scheduler = _Budget(deadline, sizes, concurrency, limit * (1 - RESERVE))

    def run(county: str) -> CountyOutcome:
        budget, det_budget = scheduler.take(county)
        return solve_county(problem, county, time_limit_s=budget, workers=per_county_workers, seed=seed,
                            deterministic_time=det_budget if workers == 1 else None)

    if concurrency == 1:
        outcomes = [run(c) for c in counties]
    else:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            outcomes = list(pool.map(run, counties))
    return explain.assemble(problem, outcomes, workers=workers, seed=seed, wall_s=time.monotonic() - start)


class _Budget:
    """Shares the remaining time among counties still waiting, in proportion to their teachers."""

    def __init__(self, deadline: float, sizes: dict[str, int], concurrency: int, total: float):
        self.deadline = deadline
        self.waiting = dict(sizes)
        self.sizes = dict(sizes)
        self.concurrency = concurrency
        self.total = total
        self.lock = threading.Lock()

    def take(self, county: str) -> tuple[float, float]:
        with self.lock:
            remaining = max(0.0, self.deadline - time.monotonic())
            weight = max(1, self.waiting.pop(county, 1))
            rest = sum(max(1, w) for w in self.waiting.values()) + weight
            share = min(1.0, self.concurrency * weight / rest)
            everyone = sum(max(1, w) for w in self.sizes.values())
            # the deterministic budget depends on sizes only, never on the clock
            return max(0.05, remaining * share), max(0.05, self.total * max(1, self.sizes[county]) / everyone)


def solve_county(problem: Problem, county: str, *, time_limit_s: float, workers: int, seed: int,
                 deterministic_time: float | None = None) -> CountyOutcome:
    """Solve one county within ``time_limit_s`` seconds of wall time."""
    from ortools.sat.python import cp_model

    from scheduling import greedy, infeasibility
    from scheduling.model import SCALE, build_model, county_data

    start = time.monotonic()
    deadline = start + time_limit_s
    data = county_data(problem, county)
    pairs = sum(len(d) for d in data.destinations.values())
    if pairs > PRUNE_ABOVE:
        data = county_data(problem, county, max_destinations=MAX_DESTINATIONS)
    conflicts = infeasibility.precheck(data)
    if conflicts:
        return CountyOutcome(county, "infeasible", infeasibility=conflicts, wall_s=time.monotonic() - start)

    built = build_model(data)
    start_plan = greedy.greedy_plan(data)
    _hint_plan(built, start_plan, seconds=min(2.0, 0.1 * time_limit_s))

    def params(solver: cp_model.CpSolver, seconds: float, det: float | None) -> None:
        solver.parameters.max_time_in_seconds = max(0.05, seconds)
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = seed
        solver.parameters.relative_gap_limit = 1e-4
        if workers == 1:
            solver.parameters.interleave_search = False
            if det is not None:
                solver.parameters.max_deterministic_time = max(0.05, det)

    built.model.minimize(built.balance)
    solver = cp_model.CpSolver()
    remaining = deadline - time.monotonic()
    params(solver, remaining * 0.65, deterministic_time * 0.65 if deterministic_time else None)
    status = solver.solve(built.model)
    outcome = CountyOutcome(county, "unknown")
    if status == cp_model.INFEASIBLE:
        left = max(0.5, deadline - time.monotonic())
        outcome.status = "infeasible"
        outcome.infeasibility = infeasibility.diagnose(problem, county, time_limit_s=left)
        outcome.wall_s = time.monotonic() - start
        return outcome
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if start_plan and greedy.is_valid(data, start_plan):
            outcome.status = "feasible"
            outcome.moves = [(tid, data.teacher[tid].school, d) for tid, d in sorted(start_plan)]
            outcome.notes.append("search found no plan in time; the greedy plan is returned")
        outcome.wall_s = time.monotonic() - start
        return outcome

    chosen = [key for key, var in built.x.items() if solver.boolean_value(var)]
    stage1_optimal = status == cp_model.OPTIMAL
    best_balance = round(solver.objective_value)
    outcome.objective = solver.objective_value / SCALE
    outcome.bound = solver.best_objective_bound / SCALE

    # Stage 2: same balance (or better), least burden.
    remaining = deadline - time.monotonic()
    stage2_optimal = False
    if remaining > 0.2 and built.x:
        _hint_values(built.model, list(solver.response_proto.solution))
        built.model.add(built.balance <= best_balance)
        built.model.minimize(built.burden)
        solver2 = cp_model.CpSolver()
        params(solver2, remaining, deterministic_time * 0.35 if deterministic_time else None)
        status2 = solver2.solve(built.model)
        if status2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            chosen = [key for key, var in built.x.items() if solver2.boolean_value(var)]
            stage2_optimal = status2 == cp_model.OPTIMAL
    outcome.status = "optimal" if stage1_optimal and (stage2_optimal or not built.x) else "feasible"
    outcome.moves = [(tid, data.teacher[tid].school, d) for tid, d in sorted(chosen)]
    if data.pruned:
        outcome.notes.append(f"destinations pruned to {MAX_DESTINATIONS} per teacher")
        if outcome.status == "optimal":
            outcome.status = "feasible"  # optimal only among the kept destinations
    outcome.wall_s = time.monotonic() - start
    return outcome


def _hint_values(model, values: list[int]) -> None:
    model.clear_hints()
    for index, value in enumerate(values):
        model.add_hint(model.get_int_var_from_proto_index(index), value)


def _hint_plan(built, plan: set[tuple[str, str]], seconds: float) -> None:
    """Hint a whole solution: the plan's moves, and every auxiliary variable they imply.

    A hint of the move variables alone leaves CP-SAT to complete the counts, z terms and selectors,
    which it often fails to do; a short solve with the moves fixed fills them in."""
    from ortools.sat.python import cp_model

    for key, var in built.x.items():
        built.model.add_hint(var, 1 if key in plan else 0)
    if not plan:
        return
    fixed = built.model.clone()
    for key, var in built.x.items():
        fixed.add(fixed.get_int_var_from_proto_index(var.index) == (1 if key in plan else 0))
    fixed.minimize(built.balance)
    fixed.clear_hints()
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = max(0.1, seconds)
    if solver.solve(fixed) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        _hint_values(built.model, list(solver.response_proto.solution))


def worst_status(statuses: list[str]) -> str:
    return max(statuses, key=lambda s: _SEVERITY[s]) if statuses else "optimal"


def to_moves(outcomes: list[CountyOutcome]) -> tuple[Move, ...]:
    return tuple(Move(t, a, b) for o in outcomes for (t, a, b) in o.moves)


def ceil_seconds(x: float) -> float:
    return math.ceil(x * 100) / 100
