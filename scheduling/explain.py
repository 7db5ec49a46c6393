"""Explanations of a plan: why each teacher moves or stays, what it does to each school, and compliance.

``assemble`` merges the per-county outcomes of ``scheduling.solve`` into a ``RotationResult``:
moves with their reasons (eligibility, area classes, the indicators the move changes at which
school and by how much, wish rank, distance, HR pins and pairs), the ``stays`` extension (a reason
for every teacher who does not move, eligible or excluded), the per-school before/after figures
and the H3–H8 compliance summary computed by the independent checker.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from scheduling import messages, rules
from scheduling.messages import text
from scheduling.model import distance_km
from scheduling.problem import Move, Problem, RotationResult, Teacher


def _per_100(count: int, pupils: int) -> float:
    return 100 * count / pupils if pupils else 0.0


def assemble(
    problem: Problem, outcomes: list, *, workers: int, seed: int, wall_s: float, lang: str = "en"
) -> RotationResult:
    """One ``RotationResult`` from the counties' outcomes (see ``scheduling.solve.CountyOutcome``).

    Every sentence (reasons, stays, infeasibility) is in ``lang``; the outcomes' infeasibility
    sentences and notes must already be in it.
    """
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
            infeasibility += [
                text("inf.county", lang, county=o.county, line=line) if several else line for line in o.infeasibility
            ]
    bare = [Move(t, a, b) for t, a, b in moves_raw]
    placement = rules.apply_moves(problem, bare)
    before = rules.counts_by_school(problem, rules.initial_placement(problem))
    after = rules.counts_by_school(problem, placement)
    metrics = check.metrics(problem, bare)
    teachers = {t.id: t for t in problem.teachers}
    labels = messages.school_labels(problem.schools, lang)
    moves = []
    for m in bare:
        pairs = _move_explanation(problem, teachers[m.teacher], m, before, after, lang, labels)
        reasons = tuple(reason for reason, _ in pairs)
        moves.append(Move(m.teacher, m.from_school, m.to_school, reasons, tuple(fact for _, fact in pairs)))
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
        # floored, not rounded: a bound written 5e-7 too high would no longer be a bound
        "bound": None if bound is None else math.floor(bound * 1e6) / 1e6,
        "gap": None if gap is None else round(gap, 6),
        "workers": workers,
        "seed": seed,
        "ortools": ortools.__version__,
        "lang": lang,
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
        moves=tuple(moves),
        excluded=rules.excluded(problem),
        metrics=metrics,
        solver=solver,
        infeasibility=tuple(infeasibility),
        stays=stay_reasons(problem, bare, outcomes, lang) if has_plan else {},
        schools=school_figures(problem, bare, before, after),
        compliance=check.compliance(problem, bare) if has_plan else {},
    )


def move_reasons(
    problem: Problem, teacher: Teacher, move: Move, before: dict, after: dict, lang: str = "en"
) -> list[str]:
    """Why this teacher and this destination, in short sentences with the numbers."""
    return [reason for reason, _ in _move_explanation(problem, teacher, move, before, after, lang)]


def move_facts(problem: Problem, teacher: Teacher, move: Move, before: dict, after: dict) -> list[dict[str, Any]]:
    """The reasons of ``move_reasons`` as small dicts, one per reason and in the same order."""
    return [fact for _, fact in _move_explanation(problem, teacher, move, before, after, "en")]


def _move_explanation(
    problem: Problem,
    teacher: Teacher,
    move: Move,
    before: dict,
    after: dict,
    lang: str,
    labels: dict[str, str] | None = None,
) -> list[tuple[str, dict[str, Any]]]:
    """(sentence in ``lang``, fact) pairs: eligibility, areas, indicators, backbone, HR, wish, distance."""
    schools = {s.id: s for s in problem.schools}
    labels = labels if labels is not None else messages.school_labels(problem.schools, lang)
    origin, dest = schools[move.from_school], schools[move.to_school]
    policy = problem.policy
    age = problem.year - teacher.birth_year
    out: list[tuple[str, dict[str, Any]]] = [
        (
            text("reason.eligible", lang, years=teacher.years_at_school, required=policy.min_years_at_school, age=age),
            {"rule": "E1-E3", "years": teacher.years_at_school, "required": policy.min_years_at_school, "age": age},
        ),
        (
            text(
                "reason.areas",
                lang,
                origin=messages.area_name(origin.area, lang),
                dest=messages.area_name(dest.area, lang),
            ),
            {"rule": "H2", "from_area": origin.area, "to_area": dest.area},
        ),
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
            out.append(
                (
                    text(
                        f"reason.{indicator}",
                        lang,
                        school=labels[school.id],
                        before=messages.per100(b),
                        after=messages.per100(a),
                    ),
                    {"indicator": indicator, "school": school.id, "before": round(b, 2), "after": round(a, 2)},
                )
            )
    if not any(flags.values()):
        out.append((text("reason.no_indicator", lang), {"rule": "H3"}))
    if teacher.is_backbone:
        out.append(
            (
                text("reason.backbone", lang, level=messages.backbone_name(teacher.backbone, lang)),
                {"rule": "H4", "backbone": teacher.backbone},
            )
        )
    if any(p.teacher == teacher.id and p.to == dest.id for p in problem.options.pin):
        out.append((text("reason.pinned", lang), {"pinned": True}))
    if (origin.id, dest.id) in problem.options.pairs or (dest.id, origin.id) in problem.options.pairs:
        out.append((text("reason.paired", lang), {"paired": True}))
    if dest.id in teacher.wishes:
        rank = teacher.wishes.index(dest.id) + 1
        out.append((text("reason.wish", lang, rank=rank), {"wish": rank}))
    elif teacher.wishes:
        count = len(teacher.wishes)
        out.append((text("reason.not_wished", lang, count=count), {"wish": None, "wishes": count}))
    else:
        out.append((text("reason.no_wishes", lang), {"wishes": 0}))
    distance = distance_km(origin, dest)
    if distance is not None:
        out.append((text("reason.km", lang, km=messages.km(distance)), {"km": round(distance, 1)}))
    return out


def stay_reasons(problem: Problem, moves: list[Move], outcomes: list, lang: str = "en") -> dict[str, str]:
    """A reason for every teacher who does not move: the exclusion rule, an HR option or a binding rule."""
    policy = problem.policy
    options = problem.options
    schools = {s.id: s for s in problem.schools}
    labels = messages.school_labels(problem.schools, lang)
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
            reasons[t.id] = rules.exclusion_text(t, problem.policy, problem.year, lang)
            continue
        origin = schools[t.school]
        label = labels[t.school]
        cap = rules.max_outflow(headcount[t.school], policy.max_outflow_share)
        if t.id in options.forbid_teachers:
            reasons[t.id] = text("stay.hr_teacher", lang)
        elif t.school in options.forbid_schools:
            reasons[t.id] = text("stay.hr_school", lang, school=label)
        elif not _has_destination(t, origin, problem, cache):
            reasons[t.id] = text("stay.H2", lang, stage=messages.stage_name(t.stage, lang))
        elif sent[t.school] >= cap:
            reasons[t.id] = text("stay.H6", lang, school=label, sent=sent[t.school], cap=cap)
        elif t.subject in origin.required_subjects and subject_after[(t.school, t.subject)] <= 1:
            reasons[t.id] = text("stay.H7", lang, school=label, subject=t.subject)
        elif (
            t.is_backbone
            and t.school in options.max_backbone_loss
            and backbone_sent[t.school] >= options.max_backbone_loss[t.school]
        ):
            reasons[t.id] = text("stay.hr_backbone", lang, school=label, cap=options.max_backbone_loss[t.school])
        else:
            county = origin.county
            fewest, most = rules.move_bounds(eligible[county], policy.rotation_share, policy.max_rotation_share)
            reasons[t.id] = text("stay.not_needed", lang, moves=by_county[county], bounds=messages.span(fewest, most))
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
