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
from scheduling.messages import area_name, join, percent, school_labels, stage_name, text
from scheduling.model import CountyData, admissible


def _pin_conflicts(data: CountyData, lang: str) -> list[str]:
    problem = data.problem
    options = problem.options
    schools = {s.id: s for s in problem.schools}
    labels = school_labels(problem.schools, lang)
    teacher = data.teacher
    found = []
    seen: dict[str, str] = {}
    for pin in options.pin:
        if pin.teacher not in teacher:
            continue
        t = teacher[pin.teacher]
        origin, dest = schools[t.school], schools[pin.to]
        head = {"teacher": t.id, "dest": labels[pin.to]}
        if pin.teacher in seen and seen[pin.teacher] != pin.to:
            found.append(text("inf.pin.twice", lang, **head, other=labels[seen[pin.teacher]]))
        seen[pin.teacher] = pin.to
        if pin.teacher in data.excluded:
            why = rules.exclusion_text(t, problem.policy, problem.year, lang)
            found.append(text("inf.pin.ineligible", lang, **head, why=why))
        elif dest.county != origin.county:
            found.append(text("inf.pin.county", lang, **head, dest_county=dest.county, origin_county=origin.county))
        elif not admissible(t, origin, dest):
            why = (
                text("inf.pin.why_own", lang)
                if dest.id == origin.id
                else text("inf.pin.why_same_area", lang, area=area_name(origin.area, lang))
                if dest.area == origin.area
                else text("inf.pin.why_no_stage", lang, dest=labels[pin.to], stage=stage_name(t.stage, lang))
            )
            found.append(text("inf.pin.h2", lang, **head, why=why))
        elif pin.teacher in options.forbid_teachers:
            found.append(text("inf.pin.forbidden_teacher", lang, **head))
        elif t.school in options.forbid_schools or pin.to in options.forbid_schools:
            closed = t.school if t.school in options.forbid_schools else pin.to
            found.append(text("inf.pin.closed", lang, **head, closed=labels[closed]))
        elif any(f.teacher == t.id and f.to == pin.to for f in options.forbid_moves):
            found.append(text("inf.pin.forbidden_move", lang, **head))
    pinned = len({p.teacher for p in options.pin if p.teacher in teacher})
    if data.most is not None and pinned > data.most:
        found.append(
            text(
                "inf.pin.too_many",
                lang,
                pinned=pinned,
                most=data.most,
                share=percent(problem.policy.max_rotation_share or 0),
                eligible=len(data.eligible),
            )
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


def precheck(data: CountyData, lang: str = "en") -> list[str]:
    """Conflicts visible by arithmetic alone, as sentences in ``lang``; empty when none is found."""
    found = _pin_conflicts(data, lang)
    if found:
        return found
    policy = data.problem.policy
    eligible = len(data.eligible)
    with_dest = sum(1 for t in data.movable if data.destinations.get(t.id))
    capacity = sum(leaving_capacity(data).values())
    need = text("inf.need", lang, fewest=data.fewest, share=percent(policy.rotation_share), eligible=eligible)
    if data.fewest > with_dest:
        barred = len(data.eligible) - len(data.movable)
        extra = text("inf.no_destination.barred", lang, count=barred) if barred else ""
        return [text("inf.no_destination", lang, need=need, count=with_dest, extra=extra)]
    if data.fewest > capacity:
        return [text("inf.h6_capacity", lang, need=need, capacity=capacity, share=percent(policy.max_outflow_share))]
    found = _area_capacity(data, need, lang)
    if found:
        return found
    backbone_cap = sum(leaving_capacity(data, backbone_only=True).values())
    backbone_total = sum(1 for t in data.eligible if t.is_backbone)
    needed = data.backbone_needed(data.fewest)
    if needed > backbone_cap:
        where = ""
        if backbone_cap < backbone_total:
            where = text("inf.h4_where.h6_hr" if data.problem.options.max_backbone_loss else "inf.h4_where.h6", lang)
        numbers = {
            "needed": needed,
            "share": percent(policy.backbone_share),
            "capacity": backbone_cap,
            "total": backbone_total,
            "where": where,
        }
        if policy.backbone_share_base == "moves":
            return [text("inf.h4_moves", lang, fewest=data.fewest, **numbers)]
        return [text("inf.h4_eligible", lang, eligible=eligible, **numbers)]
    return []


_AREAS = ("urban", "town", "rural")


def _area_capacity(data: CountyData, need: str, lang: str) -> list[str]:
    """H2 × H5 × H6: every move has its two ends in two different area classes, so the moves are at
    most what the smaller classes can send and receive within their bands and outflow caps."""
    out_max = leaving_capacity(data)
    capacity = dict.fromkeys(_AREAS, 0)
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
    names = text("join.and", lang, first=area_name(others[0], lang), second=area_name(others[1], lang))
    return [
        text(
            "inf.area_capacity",
            lang,
            need=need,
            small=schools[others[0]] + schools[others[1]],
            names=names,
            most=most,
            large=schools[largest],
            total=len(data.schools),
            largest=area_name(largest, lang),
        )
    ]


def sentence(data: CountyData, rule: str, lang: str = "en") -> str:
    """One rule of a conflicting set, in words in ``lang``, with this county's numbers."""
    policy = data.problem.policy
    eligible = len(data.eligible)
    if rule == "H3-min":
        return text("inf.H3-min", lang, fewest=data.fewest, share=percent(policy.rotation_share), eligible=eligible)
    if rule == "H3-max":
        return text(
            "inf.H3-max", lang, most=data.most, share=percent(policy.max_rotation_share or 0), eligible=eligible
        )
    if rule == "H4":
        movable = sum(1 for t in data.movable if t.is_backbone and data.destinations.get(t.id))
        share = percent(policy.backbone_share)
        if policy.backbone_share_base == "moves":
            return text("inf.H4.moves", lang, share=share, movable=movable)
        return text("inf.H4.eligible", lang, share=share, eligible=eligible, movable=movable)
    if rule == "H5":
        tight = sum(1 for s, (low, high) in data.band.items() if high - data.headcount[s] <= 1)
        return text("inf.H5", lang, share=percent(policy.headcount_band), tight=tight, total=len(data.schools))
    if rule == "H6":
        capacity = sum(leaving_capacity(data).values())
        return text("inf.H6", lang, share=percent(policy.max_outflow_share), capacity=capacity)
    if rule == "H7":
        labels = school_labels(data.problem.schools, lang)
        alone = []
        for s in data.schools:
            for subject in s.required_subjects:
                now = data.subjects[s.id].get(subject, 0)
                movable = sum(1 for t in data.movable if t.school == s.id and t.subject == subject)
                if now and movable == now:
                    alone.append(text("inf.H7.item", lang, school=labels[s.id], subject=subject))
        example = text("inf.H7.example", lang, items=join(alone[:3], lang)) if alone else ""
        return text("inf.H7", lang, count=len(alone), example=example)
    if rule == "H8":
        parts = []
        limits = policy.cv_limit or {}
        for g in data.groups:
            if g.stage not in limits:
                continue
            cv = rules.cv_from_counts([g.pupils[s] for s in g.schools], [g.before[s] for s in g.schools])
            parts.append(text("inf.H8.today", lang, stage=stage_name(g.stage, lang), indicator=g.indicator, cv=cv))
        limit_text = join(
            (text("inf.H8.limit", lang, stage=stage_name(stage, lang), limit=value) for stage, value in limits.items()),
            lang,
        )
        return text("inf.H8", lang, limits=limit_text, today=join(parts, lang, "semi"))
    if rule == "pin":
        labels = school_labels(data.problem.schools, lang)
        pins = [text("inf.pin.item", lang, teacher=tid, dest=labels[dest]) for tid, dest in data.pins.items()]
        return text("inf.pin", lang, count=len(pins), items=join(pins[:5], lang), more=" …" if len(pins) > 5 else "")
    if rule == "backbone-cap":
        labels = school_labels(data.problem.schools, lang)
        caps = [
            text("inf.backbone-cap.item", lang, school=labels[s], cap=c)
            for s, c in data.problem.options.max_backbone_loss.items()
            if s in data.band
        ]
        return text("inf.backbone-cap", lang, items=join(caps[:5], lang))
    return rule


def diagnose(
    problem, county: str, *, time_limit_s: float = 5.0, data: CountyData | None = None, lang: str = "en"
) -> list[str]:
    """An irreducible set of conflicting rules for an infeasible county, one sentence each, in ``lang``.

    Returns an empty list when the county turns out feasible without pruning (the caller re-solves).
    """
    from scheduling._cpsat import cp_model
    from scheduling.model import RULES, build_model, county_data

    deadline = time.monotonic() + time_limit_s
    data = data or county_data(problem, county)
    found = precheck(data, lang)
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
                text(
                    "inf.not_narrowed",
                    lang,
                    sentences=join((sentence(data, r, lang) for r in core), lang, "sentence"),
                )
            ]
        )
    for rule in list(core):
        if len(core) == 1 or time.monotonic() > deadline:
            break
        trial_rules = [r for r in core if r != rule]
        if infeasible(trial_rules):
            core = trial_rules
    return [sentence(data, r, lang) for r in RULES if r in core]
