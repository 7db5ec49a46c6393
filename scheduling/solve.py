"""Solve a rotation problem: county by county, in parallel where cores allow, then merge and explain.

Each county is independent (moves never leave it and every share is per county), so a prefecture
is split and its counties solved concurrently in threads (CP-SAT releases the GIL). The time budget
is shared out by size among the counties still waiting; 12 % of the limit is kept for building the
plan's explanations and writing it.

Per county:

1. cheap arithmetic pre-checks (``scheduling.infeasibility.precheck``) — a conflict there is
   reported at once, with the numbers;
2. a greedy plan (``scheduling.greedy``) that keeps every rule where it can; it is the hint, the
   start of the neighbourhood search and the fallback when the search finds nothing in time;
3. small counties (at most ``LNS_ABOVE`` teacher–destination pairs): one exact model
   (``scheduling.model``), stage 1 minimises Σ CV², stage 2 (lexicographic) keeps Σ CV² at the value
   found and minimises the teachers' burden — moves above the minimum, wishes not honoured, distance;
4. larger counties: the model by kinds (``scheduling.transport``, ``_solve_large``): a restriction
   for the plan and a relaxation for a proven lower bound, side by side; with little time left,
   large-neighbourhood search from the greedy plan (``scheduling.lns``), each step an exact
   sub-model of ~10–40 schools minimising ``LEX × Σ CV² + burden``;
5. on infeasibility, ``scheduling.infeasibility.diagnose`` finds a minimal conflicting set of rules.

Counties that are not pruned are modelled by classes of interchangeable teachers
(``scheduling.aggregate``: one integer flow per class and destination, the same optimum), then
named again; measured 2026-12-02 (bench, load ≤ 1.1): county proved in 3.0 s instead of 4.2 s,
prefecture 6 of 6 counties proved in 11.9 s instead of 5 of 6 in 57 s.

What was measured (2 cores, ``bench``): on the 40-school county (1,493 teachers, 8,800 pairs) the
whole model improved the greedy Σ CV² 0.196 → 0.191 in 30 s, the neighbourhood search 0.200 → 0.185;
on the 300-school district the whole model (even pruned to 12 destinations per teacher: 37,000
literals) spent 18 s in presolve and found nothing better than the greedy start in 60 s, while the
neighbourhood search went 0.382 → 0.317. The LP bound of the exact objective is weak (fractional
moves balance perfectly), so optimality is proved only on small counties.

Reproducibility: with ``workers=1`` the search is single-threaded with a fixed seed, no interleaving,
and stops on a deterministic-time budget, so two runs give the same moves.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from scheduling import rules
from scheduling.problem import Problem, RotationResult

#: Teacher–destination pairs above which the greedy start and the search keep only ``MAX_DESTINATIONS``
#: per teacher (``PRUNE_ABOVE``).
#: Teacher–destination pairs above which the exact model is not built (neighbourhood search instead).
EXACT_ABOVE = 40_000
PRUNE_ABOVE = 60_000
#: Share of a county's time given to the fixed-mean model (stage A).
FIXED_SHARE = 0.9
#: Share of a county's time for the plain fixed-mean model before the exact one, where a total can change.
SURROGATE_SHARE = 0.4
#: Most of the time limit the exact model gets after the fixed-mean model was proved optimal.
POLISH_SHARE = 0.1
MAX_DESTINATIONS = 12
#: Large counties, two threads: least time left (s) after the relaxation without H7 is proved for the
#: exact kind model (H8 left out: still a relaxation, so its bound is a bound too) from its plan.
#: Measured on the district (18:05–18:13, load 1–5, one thread): the relaxation proved 0.20557 within
#: the minute; the exact model's bound reached 0.2103 in 25 s from a hint. Giving the restriction only
#: 40 % of its thread instead (the exact model after it) gave a plan of 0.2242–0.2468 against 0.2145.
EXACT_AFTER_S = 8.0
#: Large counties: least time left (s) for the kind models (``scheduling.transport``); with less, the
#: neighbourhood search alone. Measured on the district (load 3.9): with 6 s left after the greedy plan
#: neither kind model found a plan and building them in threads made ``--time-limit 10`` end at 11.05 s.
KINDS_MIN_S = 12.0
#: Most of the time limit the burden stage (fewest moves, wishes, distance at the proved Σ CV²) gets:
#: measured on the generated county, it took 2.6 s by names and 6 s by classes to prove its own optimum,
#: after a 1.7 s proof of Σ CV² (with CP-SAT's presolve). Without presolve (``PRESOLVE``), 2026-12-03 on
#: the county seed 1: its LP needed ~0.5 s before the first improvement (2 % of 30 s mostly kept the
#: hinted plan, burden 47,929,509; 3.5 % reached 47,649,225). With every count held at the proved plan's
#: (``_burden_objective``; a restriction, Σ CV² unchanged by construction), measured the same day on the
#: 16 unseen counties against the stage without it given 20 %: the same burden on all 16, proved on 16
#: in 0.14–0.77 s (without: proved on 15, in 0.54–5.3 s). Tried and dropped: the stage beside the proof,
#: one thread each: the proof lost its second thread and took up to 9 s instead of 1.7 s.
BURDEN_SHARE = 0.035
#: Solve counties by classes of interchangeable teachers (``scheduling.aggregate``), not by names.
AGGREGATE = True
#: Where a total can change, the plain fixed-mean model first, then the exact one from its plan.
SURROGATE_FIRST = True
#: CP-SAT presolve in the county models (stages A–C: the fixed-mean model, the exact-totals model, the
#: burden stage). Off: CP-SAT's presolve took 0.5–0.7 s of each solve on the county and rewrote the
#: secant rows (overlap extraction, dominance) into a model whose search found the optimum later.
#: Measured 2026-12-03 13:20–13:33 on the 16 unseen counties (seeds 1–4 × default, strict, teaching
#: points 0.6 and 0; 2 workers, 30 s, one run each, load 0.3–2): with presolve (probing level 1) 11 of 16
#: proved, in 3.1–21.5 s; without it in the exact-totals model only, 16 of 16 in 1.7–13.9 s; without it in
#: all three stages, 16 of 16 in 1.7–4.0 s (median 2.5 s); the burden stage (then 2 % of the limit), which
#: with presolve ended ``unknown`` (presolve used its whole 0.6 s), proved its own optimum on 9 of 16.
PRESOLVE = False
#: CP-SAT threads per county when counties run side by side. Measured on the prefecture (6 counties,
#: 2 cores, 60 s): two counties at a time with one thread each gave Σ CV² 1.340, one at a time with
#: two threads 1.355.
WORKERS_PER_COUNTY = 1
#: With one worker (deterministic time budgets), the wall clock stops a county only after this many
#: times its limit: a guard against a runaway, never reached on a sane machine.
WALL_SAFETY = 10.0
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


@dataclass(frozen=True)
class Progress:
    """How a running solve stands, for ``solve(on_progress=…)``.

    ``objective`` is the best Σ CV² after found so far, summed over the counties that have a solution
    (None before any has one); ``bound`` the sum of the counties' proven lower bounds when every county
    has one; ``status`` is "running" until the last call, which carries the final status."""

    elapsed_s: float
    objective: float | None
    bound: float | None
    counties_done: int
    counties_total: int
    status: str


#: Least time between two progress calls (the final call always comes).
PROGRESS_EVERY_S = 0.5
#: How often ``should_stop`` is polled.
STOP_POLL_S = 0.2


class Control:
    """What the counties' searches share with the caller: progress figures, the stop request, live solvers.

    A watcher thread polls ``should_stop`` every ``STOP_POLL_S`` and, once it says stop, sets ``stopped``
    and interrupts every CP-SAT search in progress (``CpSolver.stop_search``); the searches then return
    their best solution so far. Progress reports from the search threads are throttled here."""

    def __init__(
        self,
        counties: list[str],
        on_progress: Callable[[Progress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ):
        self.start = time.monotonic()
        self.counties = list(counties)
        self.on_progress = on_progress
        self.should_stop = should_stop
        self.objective: dict[str, float] = {}
        self.bound: dict[str, float] = {}
        self.done: set[str] = set()
        self.solvers: set = set()
        self.lock = threading.Lock()
        self.last_sent = float("-inf")
        self._stop = threading.Event()
        self._finished = threading.Event()
        self._watcher: threading.Thread | None = None
        if should_stop is not None or on_progress is not None:
            self._watcher = threading.Thread(target=self._watch, name="solve-watcher", daemon=True)
            self._watcher.start()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def _watch(self) -> None:
        while not self._finished.wait(STOP_POLL_S):
            if self.should_stop is not None and not self._stop.is_set():
                try:
                    asked = bool(self.should_stop())
                except Exception:  # noqa: BLE001 — a failing poll must not kill the solve
                    asked = False
                if asked:
                    self.request_stop()
            self._emit(force=False)

    def request_stop(self) -> None:
        self._stop.set()
        with self.lock:
            solvers = list(self.solvers)
        for solver in solvers:
            solver.stop_search()

    def attach(self, solver) -> None:
        with self.lock:
            self.solvers.add(solver)
        if self.stopped:
            solver.stop_search()

    def detach(self, solver) -> None:
        with self.lock:
            self.solvers.discard(solver)

    def report(self, county: str, objective: float | None = None, bound: float | None = None) -> None:
        """A county's best objective so far (never rises) and its proven bound (never falls)."""
        with self.lock:
            if objective is not None:
                self.objective[county] = min(objective, self.objective.get(county, objective))
            if bound is not None:
                self.bound[county] = max(bound, self.bound.get(county, bound))
        self._emit(force=False)

    def county_done(self, county: str) -> None:
        with self.lock:
            self.done.add(county)
        self._emit(force=False)

    def snapshot(self, status: str = "running") -> Progress:
        with self.lock:
            objective = sum(self.objective.values()) if self.objective else None
            bound = sum(self.bound.values()) if self.bound and len(self.bound) == len(self.counties) else None
            return Progress(
                elapsed_s=time.monotonic() - self.start,
                objective=objective,
                bound=bound,
                counties_done=len(self.done),
                counties_total=len(self.counties),
                status=status,
            )

    def _emit(self, force: bool) -> None:
        if self.on_progress is None:
            return
        with self.lock:
            now = time.monotonic()
            if not force and now - self.last_sent < PROGRESS_EVERY_S:
                return
            self.last_sent = now
        self.on_progress(self.snapshot())

    def finish(self, status: str, objective: float | None, bound: float | None) -> None:
        """Stop the watcher and send the final progress (with the plan's exact objective and bound)."""
        self._finished.set()
        if self._watcher is not None:
            self._watcher.join()
        if self.on_progress is not None:
            with self.lock:
                self.done.update(self.counties)
            snap = self.snapshot(status)
            self.on_progress(
                Progress(snap.elapsed_s, objective, bound, snap.counties_done, snap.counties_total, status)
            )


def objective_callback(control: Control | None, county: str, scale: float, offset: float = 0.0):
    """A CP-SAT solution callback that reports each new solution's objective (model units / ``scale``);
    None when nobody listens (a callback costs a little at every solution)."""
    from scheduling._cpsat import cp_model

    if control is None or control.on_progress is None:
        return None

    class _Callback(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            if control is not None:
                control.report(county, self.objective_value / scale + offset, self.best_objective_bound / scale + offset)

    return _Callback()


def default_workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def solve(
    problem: Problem,
    *,
    time_limit_s: float | None = None,
    workers: int | None = None,
    seed: int = 0,
    lang: str = "en",
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> RotationResult:
    """Propose the year's exchanges for every county of ``problem``; never raises on a hard instance.

    ``on_progress(Progress)`` is called from solver threads at most about twice a second and once at
    the end; ``should_stop()`` is polled about five times a second, and once it returns True the solve
    ends promptly with the best plan found so far (status "feasible" or "unknown", with a note).

    ``time_limit_s`` defaults to ``problem.policy.time_limit_s``; the answer comes within it (plus the
    time to write it). ``workers`` is the total number of CP-SAT threads (default: the cores, up to 8).
    ``lang`` ("en" or "zh") is the language of every sentence of the plan (reasons, stays,
    infeasibility, notes); it is recorded as ``solver["lang"]``. Rule codes lead in both.
    """
    from scheduling import explain
    from scheduling.messages import check_lang

    check_lang(lang)

    start = time.monotonic()
    limit = float(time_limit_s if time_limit_s is not None else problem.policy.time_limit_s)
    workers = max(1, int(workers or default_workers()))
    deadline = start + limit * (1 - RESERVE)
    counties = rules.counties(problem)
    sizes = {c: 0 for c in counties}
    where = rules.county_of(problem)
    for t in problem.teachers:
        sizes[where[t.school]] += 1
    concurrency = max(1, min(len(counties), workers // WORKERS_PER_COUNTY))
    per_county_workers = max(1, workers // concurrency)
    scheduler = _Budget(deadline, sizes, concurrency, limit * (1 - RESERVE))
    control = Control(counties, on_progress, should_stop)

    def run(county: str) -> CountyOutcome:
        from scheduling.messages import text

        if control.stopped:
            outcome = CountyOutcome(county, "unknown", notes=[text("note.stopped", lang)])
        else:
            budget, det_budget = scheduler.take(county)
            outcome = solve_county(
                problem,
                county,
                time_limit_s=budget,
                workers=per_county_workers,
                seed=seed,
                deterministic_time=det_budget if workers == 1 else None,
                lang=lang,
                control=control,
            )
            if control.stopped and not any(n == text("note.stopped", lang) for n in outcome.notes):
                outcome.notes.append(text("note.stopped", lang))
        control.county_done(county)
        return outcome

    try:
        if concurrency == 1:
            outcomes = [run(c) for c in counties]
        else:
            with ThreadPoolExecutor(max_workers=concurrency) as pool:
                outcomes = list(pool.map(run, counties))
        result = explain.assemble(
            problem, outcomes, workers=workers, seed=seed, wall_s=time.monotonic() - start, lang=lang
        )
    except BaseException:
        control.finish("unknown", None, None)
        raise
    objective = None
    if result.status in ("optimal", "feasible"):  # unrounded, as the progress reports were
        after = result.metrics.get("after", {})
        objective = sum(v * v for stages in after.values() for inds in stages.values() for v in inds.values())
    control.finish(result.status, objective, result.solver.get("bound"))
    return result


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


def solve_county(
    problem: Problem,
    county: str,
    *,
    time_limit_s: float,
    workers: int,
    seed: int,
    deterministic_time: float | None = None,
    lang: str = "en",
    control: Control | None = None,
) -> CountyOutcome:
    """Solve one county within ``time_limit_s`` seconds of wall time; sentences and notes in ``lang``.

    ``control`` (from ``solve``) receives progress and may stop the search early.

    Stages: greedy plan → fixed-mean model (tight LP, ``FIXED_SHARE`` of the time) → the exact model
    hinted with the best plan so far (counties up to ``EXACT_ABOVE`` pairs) or neighbourhood search
    (larger ones) → when Σ CV² is proved optimal and time is left, the least burden at that Σ CV²."""
    from scheduling import greedy, infeasibility
    from scheduling._cpsat import cp_model
    from scheduling.aggregate import aggregate, counts_of, disaggregate
    from scheduling.lns import plan_value
    from scheduling.messages import text
    from scheduling.model import SCALE, build_model, county_data, exact_lower_bound

    start = time.monotonic()
    # With one worker and a deterministic budget every stop and every stage decision is made on
    # deterministic time (never on the clock), so two runs give the same plan under any load; the
    # wall clock then only bounds a runaway (``WALL_SAFETY`` × the limit).
    deterministic = workers == 1 and deterministic_time is not None
    deadline = start + time_limit_s * (WALL_SAFETY if deterministic else 1.0)
    full = county_data(problem, county)
    pairs = sum(len(d) for d in full.destinations.values())
    data = county_data(problem, county, max_destinations=MAX_DESTINATIONS) if pairs > PRUNE_ABOVE else full
    conflicts = infeasibility.precheck(data, lang)
    if conflicts:
        return CountyOutcome(county, "infeasible", infeasibility=conflicts, wall_s=time.monotonic() - start)

    def det(share: float) -> float | None:
        return deterministic_time * share if deterministic_time else None

    def params(solver: cp_model.CpSolver, seconds: float, det_budget: float | None) -> None:
        solver.parameters.max_time_in_seconds = max(0.05, deadline - time.monotonic() if deterministic else seconds)
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = seed
        solver.parameters.relative_gap_limit = 1e-4
        solver.parameters.cp_model_presolve = PRESOLVE
        if workers == 1:
            solver.parameters.interleave_search = False
            if det_budget is not None:
                solver.parameters.max_deterministic_time = max(0.05, det_budget)

    best: set | None = None
    best_value = (float("inf"), 0)
    proved = None  # (model, solver) that proved the best plan's Σ CV² optimal
    surrogate_optimal = False
    exact_model = False

    def offer(plan: set | None) -> None:
        nonlocal best, best_value
        if plan is None or not greedy.is_valid(data if plan <= _pairs(data) else full, plan):
            return
        value = plan_value(full, plan)
        if value < best_value:
            best, best_value = set(plan), value
            if control is not None:
                control.report(county, value[0])

    outcome = CountyOutcome(county, "unknown")
    offer(greedy.greedy_plan(data) or None)

    # Stage A: the fixed-mean model (every rule exact, objective a tight convex surrogate). Not on
    # pruned counties: measured on the 300-school district (31,000 literals even pruned) it found
    # no solution in 22 s, while the neighbourhood search improves from the first second.
    # The class model (``scheduling.aggregate``): interchangeable teachers as one integer flow, the
    # same optimum with fewer variables and no symmetry between them.
    agg = aggregate(data) if AGGREGATE and not data.pruned else None

    def hint(built, plan: set) -> None:
        values = counts_of(agg, plan) if agg is not None else dict.fromkeys(plan, 1)
        _hint_plan(built, values, seconds=min(1.0, 0.05 * time_limit_s), deterministic=deterministic)

    def least_burden(built, values: list[int], ceiling: int, seconds: float) -> set | None:
        """Stage C on a model not solved before: Σ CV² at most ``ceiling`` (model units), least burden,
        from the complete solution ``values`` (proto order); the named plan found, or None."""
        wishes = _burden_objective(built, agg, values, ceiling)
        solver2 = cp_model.CpSolver()
        params(solver2, seconds, det((1 - FIXED_SHARE) * 0.2))
        if _solve_watched(solver2, built.model, control) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        return read(built, solver2, wishes)

    def read(built, solver, wishes: dict | None = None) -> set:
        """The named plan of a solved model; ``wishes`` (the burden stage's literals) say which wishers go."""
        if agg is None:
            return {key for key, var in built.x.items() if solver.value(var)}
        flows = {key: solver.value(var) for key, var in built.x.items() if solver.value(var)}
        return disaggregate(agg, flows, {key for key, w in (wishes or {}).items() if solver.value(w)})

    model_data = agg.data if agg is not None else data
    if not _stopped(control) and not data.pruned and SURROGATE_FIRST:
        surrogate = build_model(model_data, fixed_mean=True)
        if any(not t.exact for t in surrogate.group_terms.values()):
            # a total can change: the plain fixed-mean model first finds good plans fast (measured:
            # the exact model spends its time finding the optimum), then the exact one starts from it
            if best is not None:
                hint(surrogate, best)
            surrogate.model.minimize(surrogate.balance)
            solver = cp_model.CpSolver()
            params(solver, (deadline - time.monotonic()) * SURROGATE_SHARE, det(SURROGATE_SHARE))
            if _solve_watched(solver, surrogate.model, control) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                offer(read(surrogate, solver))
    if not _stopped(control) and not data.pruned:
        fixed = build_model(model_data, fixed_mean=True, exact_totals=True)
        if best is not None:
            hint(fixed, best)
        fixed.model.minimize(fixed.balance)
        solver = cp_model.CpSolver()
        # every group's term is exact (the fixed mean where no total can change, the per-total
        # correction elsewhere): the model's optimum is the exact optimum and it gets the whole budget
        exact_model = not data.pruned and all(t.exact for t in fixed.group_terms.values())
        share = 1.0 if exact_model else FIXED_SHARE
        params(solver, (deadline - time.monotonic()) * share, det(share * (1 - SURROGATE_SHARE)))
        status = _solve_watched(solver, fixed.model, control)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = read(fixed, solver)
            offer(found)
            # no move can change any total: the surrogate is the exact objective, so optimal means optimal
            surrogate_optimal = status == cp_model.OPTIMAL
            if exact_model and status == cp_model.OPTIMAL and greedy.is_valid(data, found):
                value = plan_value(full, found)
                # the proved plan (or one equal to it up to the model's rounding, under 1e-6)
                if value[0] <= best_value[0] + 1e-6:
                    best, best_value = found, value
                    proved = (fixed, solver)
            if not data.pruned:
                # exact terms are bounded as they are; the others through the worst total (step 4)
                outcome.bound = exact_lower_bound(fixed.group_terms, solver.best_objective_bound / SCALE)
                if control is not None:
                    control.report(county, bound=outcome.bound)
        elif status == cp_model.INFEASIBLE and not data.pruned:
            left = max(0.5, deadline - time.monotonic())
            outcome.infeasibility = infeasibility.diagnose(problem, county, time_limit_s=left, lang=lang)
            if outcome.infeasibility:
                outcome.status = "infeasible"
                outcome.wall_s = time.monotonic() - start
                return outcome

    if best is None:
        if data.pruned:
            outcome.notes.append(text("note.pruned_no_plan", lang))
        outcome.wall_s = time.monotonic() - start
        return outcome

    # Stage B, large counties: neighbourhood search on the exact objective from the best plan.
    if pairs > EXACT_ABOVE:
        if _stopped(control):
            outcome.status = "feasible"
            outcome.objective = best_value[0]
            outcome.moves = [(tid, full.teacher[tid].school, d) for tid, d in sorted(best)]
            outcome.wall_s = time.monotonic() - start
            return outcome
        return _solve_large(
            full,
            best,
            start=start,
            deadline=deadline,
            workers=workers,
            seed=seed,
            deterministic_time=det(1 - FIXED_SHARE),
            lang=lang,
            control=control,
        )

    # Stage B, other counties: the exact model, hinted with the best plan, proves or improves it.
    # (only with time left: building the exact model alone takes a noticeable share of a short limit)
    if (
        proved is None
        and not exact_model
        and not _stopped(control)
        and (deterministic or deadline - time.monotonic() > 0.15 * time_limit_s)
    ):
        built = build_model(full)
        _hint_plan(built, dict.fromkeys(best, 1), seconds=min(1.0, 0.05 * time_limit_s), deterministic=deterministic)
        built.model.minimize(built.balance)
        solver = cp_model.CpSolver()
        # after a proved surrogate the exact model only polishes (measured: it rarely proves more)
        seconds = (deadline - time.monotonic()) * 0.8
        if surrogate_optimal:
            seconds = min(seconds, POLISH_SHARE * time_limit_s)
        params(solver, seconds, det((1 - FIXED_SHARE) * 0.8))
        status = _solve_watched(solver, built.model, control, objective_callback(control, county, SCALE))
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = {key for key, var in built.x.items() if solver.boolean_value(var)}
            offer(found)
            if status == cp_model.OPTIMAL and best == found:
                proved = (built, solver)
                agg = None  # the per-teacher model proved it: its burden stage is per teacher
            outcome.bound = max(outcome.bound or 0.0, solver.best_objective_bound / SCALE)
    chosen = best
    stage1_optimal = proved is not None
    # Stage C: the same Σ CV² (or better), least burden (fewer extra moves, wishes, distance).
    remaining = deadline - time.monotonic()
    if proved is not None and (deterministic or remaining > 0.2) and not _stopped(control):
        model_, solver = proved
        outcome.bound = best_value[0]
        # best effort (Σ CV² is already proved): a short, fixed share of the limit
        seconds = min(remaining, BURDEN_SHARE * time_limit_s)
        polished = least_burden(model_, list(solver.response_proto.solution), round(solver.objective_value), seconds)
        if polished is not None and greedy.is_valid(full, polished) and plan_value(full, polished)[0] <= best_value[0] + 1e-9:
            chosen = polished
    outcome.status = "optimal" if stage1_optimal else "feasible"
    outcome.objective = plan_value(full, chosen)[0]
    if outcome.bound is not None:
        outcome.bound = min(outcome.bound, outcome.objective)
    outcome.moves = [(tid, full.teacher[tid].school, d) for tid, d in sorted(chosen)]
    outcome.wall_s = time.monotonic() - start
    return outcome


def _pairs(data) -> set[tuple[str, str]]:
    return {(tid, d) for tid, dests in data.destinations.items() for d in dests}


def _stopped(control: Control | None) -> bool:
    return control is not None and control.stopped


def _solve_large(
    full,
    plan,
    *,
    start: float,
    deadline: float,
    workers: int,
    seed: int,
    deterministic_time: float | None,
    lang: str = "en",
    control: Control | None = None,
) -> CountyOutcome:
    """A large county by kinds (``scheduling.transport``), from the greedy plan on pruned destinations.

    Two CP-SAT searches side by side, one thread each (or one after the other on one thread):
    the kind model with H7 kept at the origin only (a restriction: its plans keep every rule but H8,
    which is checked) for the plan, and the kind model without H7 (a relaxation) for a proven
    lower bound of the exact Σ CV² of every plan; both with ``linearization_level`` 2. The
    neighbourhood search (``scheduling.lns``) remains for whatever time neither used.

    Measured 2026-12-02 on the generated district (300 schools, 8,772 teachers, seed 1, one thread
    each, 20 s, load 3–4): the restriction Σ CV² 0.2145 (valid), the relaxation 0.2057 (breaks H7 at
    13 schools) with a bound of 0.2054, so a gap of 4.2 %; before, 60 s of neighbourhood search
    gave 0.3165 and no bound, and the greedy plan on every destination 0.2326 (5 s). With
    ``linearization_level`` 1 the relaxation found only 0.577 in 30 s (bound 0.2006); the exact kind
    model (subjects split at both ends: 26,069 variables) found no plan in 30 s."""
    from scheduling import greedy, transport
    from scheduling._cpsat import cp_model
    from scheduling.lns import plan_value
    from scheduling.messages import text

    best, best_value = set(plan), plan_value(full, plan)
    found: dict[str, dict] = {}

    class _Report(cp_model.CpSolverSolutionCallback):
        """Each plan's objective to the caller (never the restriction's bound: it bounds nothing)."""

        def on_solution_callback(self) -> None:
            if control is not None:
                control.report(full.county, self.objective_value / transport.SCALE)

    def search(h7: str, threads: int, until: float, det_budget: float | None, hint: set | None = None) -> None:
        built = transport.build(full, h7=h7)
        if until - time.monotonic() < 0.3 or _stopped(control):
            return
        if hint is not None:
            _hint_plan(
                built,
                built.values_of(hint),
                seconds=min(2.0, 0.1 * (until - time.monotonic())),
                deterministic=det_budget is not None,
            )
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = threads
        solver.parameters.random_seed = seed
        solver.parameters.linearization_level = 2
        solver.parameters.relative_gap_limit = 1e-4
        solver.parameters.max_time_in_seconds = max(0.1, until - time.monotonic())
        if det_budget is not None:
            solver.parameters.interleave_search = False
            solver.parameters.max_deterministic_time = max(0.1, det_budget)
        callback = _Report() if h7 == "origin" and control is not None and control.on_progress else None
        status = _solve_watched(solver, built.model, control, callback)
        result = {"status": status, "variables": len(built.model.proto.variables)}
        # without H8 (and, for "none", H7) the kind model is a relaxation: its bound bounds every plan
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.UNKNOWN) and h7 in ("none", "exact"):
            result["bound"] = transport.bound_value(solver.best_objective_bound)
            if control is not None:
                control.report(full.county, bound=result["bound"])
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            result["plan"] = built.plan_from(solver.value)
        found[h7] = result

    room = deadline - time.monotonic() >= KINDS_MIN_S
    if room and workers >= 2 and not _stopped(control):

        def bounds() -> None:
            search("none", 1, deadline, None)
            relaxed = found.get("none", {}).get("plan")
            # the relaxation proved before the deadline: the exact kind model (a relaxation of H8 only)
            # from its plan, for a higher bound and perhaps a plan
            if relaxed is not None and deadline - time.monotonic() > EXACT_AFTER_S and not _stopped(control):
                search("exact", 1, deadline, None, hint=relaxed)

        thread = threading.Thread(target=bounds, daemon=True)
        thread.start()
        search("origin", workers - 1, deadline, None)
        thread.join()
    elif room and not _stopped(control):
        share = None if deterministic_time is None else deterministic_time / 2
        search("origin", workers, time.monotonic() + (deadline - time.monotonic()) / 2, share)
        search("none", workers, deadline, share)
    source = None
    for h7 in ("origin", "exact", "none"):
        candidate = found.get(h7, {}).get("plan")
        if candidate is not None and greedy.is_valid(full, candidate):
            value = plan_value(full, candidate)
            if value < best_value:
                best, best_value, source = candidate, value, h7
    if source is None and deadline - time.monotonic() > 1.0 and not _stopped(control):
        outcome = _solve_by_lns(
            full,
            best,
            start=start,
            deadline=deadline,
            workers=workers,
            seed=seed,
            deterministic_time=deterministic_time,
            lang=lang,
            control=control,
        )
    else:
        outcome = CountyOutcome(full.county, "feasible", objective=best_value[0])
        outcome.moves = [(tid, full.teacher[tid].school, d) for tid, d in sorted(best)]
    bounds = [found[h7]["bound"] for h7 in ("none", "exact") if "bound" in found.get(h7, {})]
    bound = max(bounds) if bounds else None
    if bound is not None and outcome.objective is not None:
        outcome.bound = min(bound, outcome.objective)
        if outcome.objective - bound <= 1e-6:  # the relaxation's bound meets the plan: proved
            outcome.status = "optimal"
        if source is not None:
            outcome.notes.append(
                text(
                    "note.kinds",
                    lang,
                    variables=found[source]["variables"],
                    objective=outcome.objective,
                    bound=outcome.bound,
                )
            )
    outcome.wall_s = time.monotonic() - start
    return outcome


def _solve_by_lns(
    data,
    plan,
    *,
    start: float,
    deadline: float,
    workers: int,
    seed: int,
    deterministic_time: float | None,
    lang: str = "en",
    control: Control | None = None,
) -> CountyOutcome:
    from scheduling import lns
    from scheduling.greedy import is_valid
    from scheduling.messages import text

    best, stats = lns.improve(
        data,
        plan,
        deadline=deadline,
        workers=workers,
        seed=seed,
        deterministic_time=deterministic_time,
        control=control,
    )
    if best != plan and not is_valid(data, best):  # never expected: every step keeps all rules
        best, stats["end"] = plan, stats["start"]
    outcome = CountyOutcome(data.county, "feasible", objective=stats["end"])
    outcome.moves = [(tid, data.teacher[tid].school, d) for tid, d in sorted(best)]
    outcome.notes.append(
        text("note.lns", lang, start=stats["start"], iterations=stats["iterations"], accepted=stats["accepted"])
    )
    outcome.wall_s = time.monotonic() - start
    return outcome


def _solve_watched(solver, model, control: Control | None, callback=None) -> int:
    """``solver.solve(model)`` that the caller's stop request can interrupt."""
    if control is None:
        return solver.solve(model, callback) if callback is not None else solver.solve(model)
    control.attach(solver)
    try:
        if control.stopped:
            from scheduling._cpsat import cp_model

            return cp_model.UNKNOWN
        return solver.solve(model, callback) if callback is not None else solver.solve(model)
    finally:
        control.detach(solver)


def _burden_objective(built, agg, values: list[int], ceiling: int) -> dict:
    """Turn a built county model (classes when ``agg`` is given) into its burden stage: Σ CV² at most
    ``ceiling`` (model units) and every school's counts as in ``values``; minimise the burden (less the
    wishes honoured, by person for classes), hinted with the complete solution ``values`` (proto order)
    and the wishers it sends. Returns the wish literals ((teacher, destination) → literal; none without
    classes)."""
    from scheduling.aggregate import add_wishes, disaggregate

    _hint_values(built.model, values)
    built.model.add(built.balance <= ceiling)
    # a restriction: every count at its value in ``values``. Σ CV² is a function of the counts alone, so
    # every plan of the stage keeps it, and the LP is left with moves and wishes only (see BURDEN_SHARE)
    for term in built.group_terms.values():
        for count in term.counts:
            built.model.add(count == values[count.index])
    burden, wishes = built.burden, {}
    if agg is not None:  # wishes belong to people: a b-matching of wishers inside the class flows
        bonus, wishes = add_wishes(built, agg)
        burden = burden - bonus
        # complete the hint with the wishers the flows would send (as ``disaggregate`` names them):
        # CP-SAT then starts from the plan instead of searching for a first solution
        named = disaggregate(agg, {key: values[var.index] for key, var in built.x.items() if values[var.index]})
        for key, w in wishes.items():
            built.model.add_hint(w, 1 if key in named else 0)
    built.model.minimize(burden)
    return wishes


def _hint_values(model, values: list[int]) -> None:
    """Hint every variable of ``model`` in proto order (a complete solution): written to the proto in
    two calls, not one ``add_hint`` per variable (0.1 s on the county's three models)."""
    model.clear_hints()
    hint = model.proto.solution_hint
    hint.vars.extend(range(len(values)))
    hint.values.extend(int(v) for v in values)


def _hint_plan(built, plan: dict[tuple[str, str], int], seconds: float, deterministic: bool = False) -> None:
    """Hint a whole solution: the plan's moves (move variable → value: 1 for a named teacher's move,
    the number of teachers for a class flow), and every auxiliary variable they imply.

    A hint of the move variables alone leaves CP-SAT to complete the counts, z terms and selectors,
    which it often fails to do; a short solve with the moves fixed fills them in."""
    from scheduling._cpsat import cp_model

    hint = built.model.proto.solution_hint
    hint.vars.extend(var.index for var in built.x.values())
    hint.values.extend(plan.get(key, 0) for key in built.x)
    if not plan:
        return
    fixed = built.model.clone()
    for key, var in built.x.items():
        fixed.add(fixed.get_int_var_from_proto_index(var.index) == plan.get(key, 0))
    fixed.minimize(built.balance)
    fixed.clear_hints()
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    if deterministic:  # the same hint under any load
        solver.parameters.max_deterministic_time = max(0.1, seconds)
        solver.parameters.max_time_in_seconds = max(0.1, seconds) * WALL_SAFETY
    else:
        solver.parameters.max_time_in_seconds = max(0.1, seconds)
    if solver.solve(fixed) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        _hint_values(built.model, list(solver.response_proto.solution))


def worst_status(statuses: list[str]) -> str:
    return max(statuses, key=lambda s: _SEVERITY[s]) if statuses else "optimal"
