"""Why a county has no plan: the smallest set of rules found in conflict, in a bureau officer's words.

Two steps:

1. ``precheck`` — arithmetic that needs no solver and names the numbers: impossible pins, H3's
   minimum against the teachers who can leave at all (eligible, with an admissible destination, under
   each school's H6 cap), H4's backbone movers against the backbone teachers who can leave.
2. ``diagnose`` — when the solver proves the county infeasible anyway, the model is rebuilt with one
   switch literal per rule family and shrunk by deletion — switch one rule off, re-solve, leave it
   off if still infeasible — to an irreducible conflicting set. The switches are fixed by
   constraints, not passed as assumptions: measured on a generated 10-school county, solving under
   assumptions (which limits presolve) could not prove in 10 s what presolve proves in 0.1 s.

Each rule of the set becomes one sentence with the county's numbers. H1 and H2 are always on (they
define the move variables), so the sentences mention them where they limit who can move.
"""

from __future__ import annotations

import time
from collections import defaultdict

from scheduling import rules
from scheduling.model import CountyData, admissible


def _n(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _pct(share: float) -> str:
    return f"{share * 100:g} %"


def _pin_conflicts(data: CountyData) -> list[str]:
    problem = data.problem
    options = problem.options
    schools = {s.id: s for s in problem.schools}
    teacher = data.teacher
    found = []
    seen: dict[str, str] = {}
    for pin in options.pin:
        if pin.teacher not in teacher:
            continue
        t = teacher[pin.teacher]
        origin, dest = schools[t.school], schools[pin.to]
        head = f"HR pins {t.id} to {pin.to}, but"
        if pin.teacher in seen and seen[pin.teacher] != pin.to:
            found.append(f"{head} also to {seen[pin.teacher]}: H1 lets a teacher move at most once.")
        seen[pin.teacher] = pin.to
        if pin.teacher in data.excluded:
            found.append(
                f"{head} H1 lets only eligible teachers move and {t.id} is not eligible "
                f"({rules.exclusion_text(t, data.problem.policy, data.problem.year)})."
            )
        elif dest.county != origin.county:
            found.append(
                f"{head} {pin.to} is in {dest.county} and {t.id} works in {origin.county}: "
                f"H2 keeps moves inside the county."
            )
        elif not admissible(t, origin, dest):
            why = (
                "it is the teacher's own school"
                if dest.id == origin.id
                else f"both schools are {origin.area}"
                if dest.area == origin.area
                else f"{pin.to} has no {t.stage} pupils"
            )
            found.append(
                f"{head} H2 requires a move between two area classes to a school teaching the teacher's stage: {why}."
            )
        elif pin.teacher in options.forbid_teachers:
            found.append(f"{head} HR also forbids {t.id} to move this round.")
        elif t.school in options.forbid_schools or pin.to in options.forbid_schools:
            closed = t.school if t.school in options.forbid_schools else pin.to
            found.append(f"{head} HR also closes {closed} to exchanges this round.")
        elif any(f.teacher == t.id and f.to == pin.to for f in options.forbid_moves):
            found.append(f"{head} HR also forbids exactly this move.")
    pinned = len({p.teacher for p in options.pin if p.teacher in teacher})
    if data.most is not None and pinned > data.most:
        found.append(
            f"HR pins {_n(pinned, 'move')}, but H3 allows at most {data.most} "
            f"({_pct(data.problem.policy.max_rotation_share or 0)} of {len(data.eligible)} eligible)."
        )
    return found


def leaving_capacity(data: CountyData, backbone_only: bool = False) -> dict[str, int]:
    """Per school, the most teachers who can leave: movable, with a destination, under H6 (and the HR cap)."""
    can = defaultdict(int)
    for t in data.movable:
        if data.destinations.get(t.id) and (t.is_backbone or not backbone_only):
            can[t.school] += 1
    caps = data.problem.options.max_backbone_loss
    result = {}
    for school, n in can.items():
        limit = data.outflow_cap[school]
        if backbone_only and school in caps:
            limit = min(limit, caps[school])
        result[school] = min(n, limit)
    return result


def precheck(data: CountyData) -> list[str]:
    """Conflicts visible by arithmetic alone, as sentences; empty when none is found."""
    found = _pin_conflicts(data)
    if found:
        return found
    policy = data.problem.policy
    eligible = len(data.eligible)
    with_dest = sum(1 for t in data.movable if data.destinations.get(t.id))
    capacity = sum(leaving_capacity(data).values())
    need = (
        f"H3 needs at least {_n(data.fewest, 'move')} ({_pct(policy.rotation_share)} of {eligible} eligible teachers)"
    )
    if data.fewest > with_dest:
        barred = len(data.eligible) - len(data.movable)
        extra = f"; HR options keep {barred} more at home" if barred else ""
        return [
            (
                f"{need}, but only {with_dest} eligible teachers have a school they may go to "
                f"(H2: another area class in the county, with pupils in their stage{extra})."
            )
        ]
    if data.fewest > capacity:
        return [
            (
                f"{need}, but H6 lets the schools send at most {capacity} of their eligible teachers in all "
                f"(each school at most {_pct(policy.max_outflow_share)} of its staff, at least 1)."
            )
        ]
    found = _area_capacity(data, need)
    if found:
        return found
    backbone_cap = sum(leaving_capacity(data, backbone_only=True).values())
    backbone_total = sum(1 for t in data.eligible if t.is_backbone)
    needed = data.backbone_needed(data.fewest)
    if needed > backbone_cap:
        base = (
            f"{_pct(policy.backbone_share)} of at least {data.fewest} moves"
            if policy.backbone_share_base == "moves"
            else f"{_pct(policy.backbone_share)} of {eligible} eligible"
        )
        limits = []
        if backbone_cap < backbone_total:
            limits.append(
                "within each school's H6 outflow cap"
                + (" and HR's backbone caps" if data.problem.options.max_backbone_loss else "")
            )
        where = f" ({'; '.join(limits)})" if limits else ""
        rule = "H4 and H3 need" if policy.backbone_share_base == "moves" else "H4 needs"
        return [
            (
                f"{rule} at least {needed} backbone movers ({base}); only {backbone_cap} eligible backbone "
                f"teachers can move{where}, of {backbone_total} eligible backbone teachers."
            )
        ]
    return []


_AREA_NAMES = {"urban": "urban (城区)", "town": "town (镇区)", "rural": "rural (乡村)"}


def _area_capacity(data: CountyData, need: str) -> list[str]:
    """H2 × H5 × H6: every move has its two ends in two different area classes, so the moves are at
    most what the smaller classes can send and receive within their bands and outflow caps."""
    out_max = leaving_capacity(data)
    capacity = dict.fromkeys(_AREA_NAMES, 0)
    schools = defaultdict(int)
    for s in data.schools:
        sends = out_max.get(s.id, 0)
        capacity[s.area] += sends + (data.band[s.id][1] - data.headcount[s.id]) + sends
        schools[s.area] += 1
    total = sum(capacity.values())
    largest = max(capacity, key=capacity.get)
    others = [a for a in capacity if a != largest]
    most = min(total // 2, capacity[others[0]] + capacity[others[1]])
    if data.fewest <= most:
        return []
    names = " and ".join(_AREA_NAMES[a].split()[0] for a in others)
    return [
        (
            f"{need}, but every move joins two different area classes (H2), and the "
            f"{schools[others[0]] + schools[others[1]]} {names} schools can take part in at most {most} moves "
            f"in all within their headcount bands (H5) and outflow caps (H6); {schools[largest]} of the "
            f"{len(data.schools)} schools are {largest}."
        )
    ]


def sentence(data: CountyData, rule: str) -> str:
    """One rule of a conflicting set, in words, with this county's numbers."""
    policy = data.problem.policy
    eligible = len(data.eligible)
    if rule == "H3-min":
        return (
            f"H3 needs at least {_n(data.fewest, 'move')} ({_pct(policy.rotation_share)} of {eligible} "
            f"eligible teachers, rounded up)."
        )
    if rule == "H3-max":
        return (
            f"H3 allows at most {_n(data.most, 'move')} ({_pct(policy.max_rotation_share or 0)} of {eligible} "
            f"eligible teachers, rounded down)."
        )
    if rule == "H4":
        movable = sum(1 for t in data.movable if t.is_backbone and data.destinations.get(t.id))
        base = "of the movers" if policy.backbone_share_base == "moves" else f"of the {eligible} eligible"
        return (
            f"H4 needs backbone teachers (county level or above) to be at least {_pct(policy.backbone_share)} "
            f"{base}; {movable} eligible backbone teachers can move."
        )
    if rule == "H5":
        tight = sum(1 for s, (low, high) in data.band.items() if high - data.headcount[s] <= 1)
        return (
            f"H5 keeps every school's headcount within ±{_pct(policy.headcount_band)} of today "
            f"(at least ±1); {tight} of {len(data.schools)} schools may gain or lose only one teacher."
        )
    if rule == "H6":
        capacity = sum(leaving_capacity(data).values())
        return (
            f"H6 lets each school send at most {_pct(policy.max_outflow_share)} of its teachers (at least 1): "
            f"{capacity} eligible teachers in all can leave their schools."
        )
    if rule == "H7":
        alone = []
        for s in data.schools:
            for subject in s.required_subjects:
                now = data.subjects[s.id].get(subject, 0)
                movable = sum(1 for t in data.movable if t.school == s.id and t.subject == subject)
                if now and movable == now:
                    alone.append(f"{s.id} {subject}")
        example = f" (e.g. {', '.join(alone[:3])})" if alone else ""
        return (
            f"H7 keeps at least one teacher of each required subject at every school that has one; "
            f"at {_n(len(alone), 'school subject')} every such teacher is eligible to move{example}."
        )
    if rule == "H8":
        parts = []
        limits = policy.cv_limit or {}
        for g in data.groups:
            if g.stage not in limits:
                continue
            cv = rules.cv_from_counts([g.pupils[s] for s in g.schools], [g.before[s] for s in g.schools])
            parts.append(f"{g.stage} {g.indicator} {cv:.2f}")
        limit_text = ", ".join(f"{stage} {value:g}" for stage, value in limits.items())
        return (
            f"H8 keeps each difference coefficient at or under its limit ({limit_text}), or no worse where it "
            f"is above already; today: {'; '.join(parts)}."
        )
    if rule == "pin":
        pins = [f"{tid} → {dest}" for tid, dest in data.pins.items()]
        return f"HR pins {_n(len(pins), 'move')}: {', '.join(pins[:5])}{' …' if len(pins) > 5 else ''}."
    if rule == "backbone-cap":
        caps = [f"{s} at most {c}" for s, c in data.problem.options.max_backbone_loss.items() if s in data.band]
        return f"HR caps the backbone teachers some schools may lose: {', '.join(caps[:5])}."
    return rule


def diagnose(problem, county: str, *, time_limit_s: float = 5.0, data: CountyData | None = None) -> list[str]:
    """An irreducible set of conflicting rules for an infeasible county, one sentence each.

    Returns an empty list when the county turns out feasible without pruning (the caller re-solves).
    """
    from ortools.sat.python import cp_model

    from scheduling.model import RULES, build_model, county_data

    deadline = time.monotonic() + time_limit_s
    data = data or county_data(problem, county)
    found = precheck(data)
    if found:
        return found
    built = build_model(data, relaxable=True)
    switches = built.switches

    def infeasible(active: list[str]) -> bool | None:
        # switches fixed by constraints rather than assumptions, so that presolve can do its full work
        trial = built.model.clone()
        for rule, literal in switches.items():
            trial.add(trial.get_bool_var_from_proto_index(literal.index) == (1 if rule in active else 0))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = max(0.1, (deadline - time.monotonic()) / 2)
        status = solver.solve(trial)
        if status == cp_model.INFEASIBLE:
            return True
        return False if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None

    core = [r for r in RULES if r in switches]
    verdict = infeasible(core)
    if verdict is not True:
        return (
            []
            if verdict is False
            else [
                "The rules could not all be met, but the conflict could not be narrowed down in time: "
                + " ".join(sentence(data, r) for r in core)
            ]
        )
    for rule in list(core):
        if len(core) == 1 or time.monotonic() > deadline:
            break
        trial_rules = [r for r in core if r != rule]
        if infeasible(trial_rules):
            core = trial_rules
    return [sentence(data, r) for r in RULES if r in core]
