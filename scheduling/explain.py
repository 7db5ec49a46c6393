"""Explanations of a plan: why each teacher moves or stays, what it does to each school, and compliance.

``assemble`` merges the per-county outcomes of ``scheduling.solve`` into a ``RotationResult``:
moves with their reasons (eligibility, area classes, the indicators the move changes at which
school and by how much, wish rank, distance, HR pins and pairs), the ``stays`` extension (a reason
for every teacher who does not move, eligible or excluded), the per-school before/after figures
and the H3–H8 compliance summary computed by the independent checker.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from scheduling import rules
from scheduling.model import distance_km
from scheduling.problem import Move, Problem, RotationResult, Teacher


def _per_100(count: int, pupils: int) -> float:
    return 100 * count / pupils if pupils else 0.0


def assemble(problem: Problem, outcomes: list, *, workers: int, seed: int, wall_s: float) -> RotationResult:
    """One ``RotationResult`` from the counties' outcomes (see ``scheduling.solve.CountyOutcome``)."""
    import ortools

    from scheduling import check
    from scheduling.solve import worst_status

    status = worst_status([o.status for o in outcomes])
    several = len(outcomes) > 1
    has_plan = status in ("optimal", "feasible")
    moves_raw = [m for o in outcomes for m in o.moves] if has_plan else []
    infeasibility = []
    for o in outcomes:
        if o.status == "infeasible":
            infeasibility += [f"{o.county}: {line}" if several else line for line in o.infeasibility]
    bare = [Move(t, a, b) for t, a, b in moves_raw]
    placement = rules.apply_moves(problem, bare)
    before = rules.counts_by_school(problem, rules.initial_placement(problem))
    after = rules.counts_by_school(problem, placement)
    metrics = check.metrics(problem, bare)
    teachers = {t.id: t for t in problem.teachers}
    moves = tuple(
        Move(m.teacher, m.from_school, m.to_school, tuple(move_reasons(problem, teachers[m.teacher], m, before, after)))
        for m in bare
    )
    objective = sum(v * v for stages in metrics["after"].values() for inds in stages.values() for v in inds.values())
    bounds = [o.bound for o in outcomes if o.bound is not None]
    bound = None
    if has_plan and len(bounds) == len(outcomes):
        # a county bound is in the model's units; its gap to the model objective carries over to the true one
        slack = sum((o.objective or 0) - (o.bound or 0) for o in outcomes)
        bound = max(0.0, objective - slack)
    gap = None if bound is None else (0.0 if objective <= 1e-12 else max(0.0, (objective - bound) / objective))
    solver = {
        "wall_s": round(wall_s, 3),
        "objective": round(objective, 6) if has_plan else None,
        "bound": None if bound is None else round(bound, 6),
        "gap": None if gap is None else round(gap, 6),
        "workers": workers,
        "seed": seed,
        "ortools": ortools.__version__,
        "counties": {
            o.county: {
                "status": o.status,
                "wall_s": round(o.wall_s, 3),
                "moves": len(o.moves),
                **({"notes": o.notes} if o.notes else {}),
            }
            for o in outcomes
        },
    }
    return RotationResult(
        status=status,
        moves=moves,
        excluded=rules.excluded(problem),
        metrics=metrics,
        solver=solver,
        infeasibility=tuple(infeasibility),
        stays=stay_reasons(problem, bare, outcomes) if has_plan else {},
        schools=school_figures(problem, bare, before, after),
        compliance=check.compliance(problem, bare) if has_plan else {},
    )


def move_reasons(problem: Problem, teacher: Teacher, move: Move, before: dict, after: dict) -> list[str]:
    """Why this teacher and this destination, in short sentences with the numbers."""
    schools = {s.id: s for s in problem.schools}
    origin, dest = schools[move.from_school], schools[move.to_school]
    policy = problem.policy
    reasons = [
        (
            f"E1–E3 met: {teacher.years_at_school} years at the school (≥ {policy.min_years_at_school}), "
            f"aged {problem.year - teacher.birth_year}"
        ),
        f"{origin.area} → {dest.area} (two-way exchange)",
    ]
    flags = rules.indicator_flags(teacher)
    stage = teacher.stage
    for indicator, counted in flags.items():
        if not counted:
            continue
        for school in (dest, origin):
            pupils = school.pupils(stage)
            if pupils < rules.MIN_PUPILS_FOR_INDICATOR:
                continue
            b = _per_100(before[school.id][stage][indicator], pupils)
            a = _per_100(after[school.id][stage][indicator], pupils)
            reasons.append(f"{indicator} at {school.id}: {b:.2f} → {a:.2f} per 100 pupils")
    if not any(flags.values()):
        reasons.append("counts towards H3's minimum and the headcount balance (no L1–L3 indicator)")
    if teacher.is_backbone:
        reasons.append(f"backbone ({teacher.backbone}): counts towards H4")
    if any(p.teacher == teacher.id and p.to == dest.id for p in problem.options.pin):
        reasons.append("pinned by HR")
    if (origin.id, dest.id) in problem.options.pairs or (dest.id, origin.id) in problem.options.pairs:
        reasons.append("paired schools")
    if dest.id in teacher.wishes:
        reasons.append(f"wish {teacher.wishes.index(dest.id) + 1}")
    elif teacher.wishes:
        reasons.append(f"not among the teacher's {len(teacher.wishes)} wishes")
    else:
        reasons.append("no wishes given")
    km = distance_km(origin, dest)
    if km is not None:
        reasons.append(f"{km:.1f} km")
    return reasons


def stay_reasons(problem: Problem, moves: list[Move], outcomes: list) -> dict[str, str]:
    """A reason for every teacher who does not move: the exclusion rule, an HR option or a binding rule."""
    policy = problem.policy
    options = problem.options
    schools = {s.id: s for s in problem.schools}
    moved = {m.teacher for m in moves}
    sent = Counter(m.from_school for m in moves)
    teachers = {t.id: t for t in problem.teachers}
    backbone_sent = Counter(m.from_school for m in moves if teachers[m.teacher].is_backbone)
    headcount = rules.headcounts(problem)
    subject_after: Counter = Counter()
    placement = rules.apply_moves(problem, moves)
    for tid, school in placement.items():
        subject_after[(school, teachers[tid].subject)] += 1
    by_county = Counter(schools[m.from_school].county for m in moves)
    eligible = rules.eligible_by_county(problem)
    reasons = {}
    cache: dict = {}
    for t in problem.teachers:
        if t.id in moved:
            continue
        if rules.exclusion_reason(t, policy, problem.year):
            reasons[t.id] = rules.exclusion_text(t, problem.policy, problem.year)
            continue
        origin = schools[t.school]
        cap = rules.max_outflow(headcount[t.school], policy.max_outflow_share)
        if t.id in options.forbid_teachers:
            reasons[t.id] = "HR: may not move this round"
        elif t.school in options.forbid_schools:
            reasons[t.id] = f"HR: {t.school} takes no part in exchanges this round"
        elif not _has_destination(t, origin, problem, cache):
            reasons[t.id] = f"H2: no school of another area class in the county teaches {t.stage}"
        elif sent[t.school] >= cap:
            reasons[t.id] = f"H6: {t.school} already sends {sent[t.school]}, its most ({cap})"
        elif t.subject in origin.required_subjects and subject_after[(t.school, t.subject)] <= 1:
            reasons[t.id] = f"H7: {t.school}'s only remaining {t.subject} teacher ({t.subject} is required)"
        elif (
            t.is_backbone
            and t.school in options.max_backbone_loss
            and backbone_sent[t.school] >= options.max_backbone_loss[t.school]
        ):
            reasons[t.id] = f"HR: {t.school} may lose at most {options.max_backbone_loss[t.school]} backbone teachers"
        else:
            county = origin.county
            fewest, most = rules.move_bounds(eligible[county], policy.rotation_share, policy.max_rotation_share)
            reasons[t.id] = (
                f"not needed: {by_county[county]} moves already meet H3 ({fewest}"
                f"{'' if most is None else f'–{most}'}) and H4, and other movers balance the "
                f"indicators better or at lower cost"
            )
    return reasons


def _has_destination(t: Teacher, origin, problem: Problem, cache: dict) -> bool:
    from scheduling.model import admissible

    key = (origin.id, t.stage)
    if key not in cache:
        cache[key] = any(admissible(t, origin, d) and d.county == origin.county for d in problem.schools)
    return cache[key]


def school_figures(problem: Problem, moves: list[Move], before: dict, after: dict) -> dict[str, dict[str, Any]]:
    """Per school: headcount, teachers sent and received, and L1–L3 per 100 pupils before and after."""
    sent = Counter(m.from_school for m in moves)
    received = Counter(m.to_school for m in moves)
    now = rules.headcounts(problem)
    later = rules.headcounts(problem, rules.apply_moves(problem, moves))
    figures = {}
    for s in problem.schools:
        entry: dict[str, Any] = {
            "county": s.county,
            "area": s.area,
            "headcount": {"before": now[s.id], "after": later[s.id]},
            "sent": sent[s.id],
            "received": received[s.id],
        }
        for stage in ("primary", "junior"):
            pupils = s.pupils(stage)
            if pupils <= 0:
                continue
            entry[stage] = {"pupils": pupils, "counted": pupils >= rules.MIN_PUPILS_FOR_INDICATOR}
            for indicator in rules.INDICATORS:
                entry[stage][indicator] = {
                    "before": round(_per_100(before[s.id][stage][indicator], pupils), 3),
                    "after": round(_per_100(after[s.id][stage][indicator], pupils), 3),
                }
        figures[s.id] = entry
    return figures
