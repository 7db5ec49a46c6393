"""Mentor pairing (师徒结对) for a county's new teachers: a small pure model (stdlib + ortools).

Rules (each a code the checker in scheduling/mentoring_check.py re-derives on its own):

- M1 the mentor is a backbone teacher at or above ``min_backbone`` (校级骨干 by default);
- M2 same stage (学段);
- M3 same subject, or a related one when ``allow_related`` (groups in ``related``);
- M4 same school, or the same school district (学区);
- M5 a mentor has at most ``max_mentees`` mentees, counting those already paired (``current``);
- M6 a mentee has at most one mentor; nobody mentors themselves.

Why CP-SAT assignment and not a stable matching: stable matching (Gale–Shapley) needs each side to
rank the other, and neither new teachers nor mentors state preferences here — the bureau wants as
many new teachers as possible paired under hard rules, then the best pairs. That is a capacitated
assignment with a weighted objective, which CP-SAT (already the project's solver) solves to
optimality in well under a second for a county (tens of mentees, hundreds of mentors). The
objective, lexicographically: first the number of mentees paired, then the quality of the pairs
(same school over same district, same subject over related, higher backbone level), then an even
load (fewer mentors with two mentees). Mentees left without a mentor are explained: which rule left
them without any candidate, or that every candidate is at capacity.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

BACKBONE_ORDER = ("none", "school", "county", "city", "province")


@dataclass(frozen=True)
class Mentor:
    id: str
    school: str
    district: str
    stage: str
    subject: str
    backbone: str
    current: int = 0  # mentees already paired with this mentor


@dataclass(frozen=True)
class Mentee:
    id: str
    school: str
    district: str
    stage: str
    subject: str


@dataclass(frozen=True)
class MentoringProblem:
    mentors: tuple[Mentor, ...]
    mentees: tuple[Mentee, ...]
    max_mentees: int = 2
    min_backbone: str = "school"
    allow_related: bool = False
    related: tuple[frozenset[str], ...] = ()


@dataclass(frozen=True)
class MentoringPlan:
    status: str  # "optimal", "feasible", "infeasible" (nothing to pair) or "unknown"
    pairs: tuple[tuple[str, str], ...]  # (mentee, mentor)
    unpaired: dict[str, str] = field(default_factory=dict)  # mentee → the rule code that left them alone


def subjects_match(a: str, b: str, problem: MentoringProblem) -> str | None:
    """'same', 'related' or None."""
    if a == b:
        return "same"
    if problem.allow_related and any(a in group and b in group for group in problem.related):
        return "related"
    return None


def failed_rule(mentee: Mentee, mentor: Mentor, problem: MentoringProblem) -> str | None:
    """The first rule (M1–M4, M6) the pair breaks, or None when it is allowed (M5 is a capacity)."""
    if mentor.id == mentee.id:
        return "M6"
    if BACKBONE_ORDER.index(mentor.backbone) < max(1, BACKBONE_ORDER.index(problem.min_backbone)):
        return "M1"
    if mentor.stage != mentee.stage:
        return "M2"
    if subjects_match(mentee.subject, mentor.subject, problem) is None:
        return "M3"
    if mentor.school != mentee.school and (not mentor.district or mentor.district != mentee.district):
        return "M4"
    return None


def pair_score(mentee: Mentee, mentor: Mentor, problem: MentoringProblem) -> int:
    """Quality of an allowed pair (higher is better)."""
    score = 0
    score += 40 if mentor.school == mentee.school else 0
    score += 20 if subjects_match(mentee.subject, mentor.subject, problem) == "same" else 0
    score += 5 * BACKBONE_ORDER.index(mentor.backbone)
    return score


def _explain(mentee: Mentee, problem: MentoringProblem, capacity: dict[str, int]) -> str:
    """Why a mentee got no mentor: M5 when allowed mentors exist but are full, else the rule that
    eliminated the last candidates (the one reached furthest in the M1–M4 order)."""
    reached = []
    for mentor in problem.mentors:
        rule = failed_rule(mentee, mentor, problem)
        if rule is None:
            if capacity[mentor.id] <= 0:
                reached.append("M5")
            else:
                return "M5"  # allowed with room, but the room went to others
        else:
            reached.append(rule)
    order = ("M6", "M1", "M2", "M3", "M4", "M5")
    return max(reached, key=order.index) if reached else "M1"


def solve(problem: MentoringProblem, *, time_limit_s: float = 10.0, workers: int = 1) -> MentoringPlan:
    from scheduling._cpsat import cp_model

    capacity = {m.id: max(0, problem.max_mentees - m.current) for m in problem.mentors}
    allowed = [(e, m) for e in problem.mentees for m in problem.mentors
               if failed_rule(e, m, problem) is None and capacity[m.id] > 0]
    if not allowed:
        return MentoringPlan("infeasible" if problem.mentees else "optimal", (),
                             {e.id: _explain(e, problem, capacity) for e in problem.mentees})
    model = cp_model.CpModel()
    x = {(e.id, m.id): model.new_bool_var(f"x_{e.id}_{m.id}") for e, m in allowed}
    by_mentee: dict[str, list] = {}
    by_mentor: dict[str, list] = {}
    for (e, m) in allowed:
        by_mentee.setdefault(e.id, []).append(x[e.id, m.id])
        by_mentor.setdefault(m.id, []).append(x[e.id, m.id])
    for vars_ in by_mentee.values():
        model.add(sum(vars_) <= 1)  # M6
    second = {}
    for mentor_id, vars_ in by_mentor.items():
        model.add(sum(vars_) <= capacity[mentor_id])  # M5
        # "loaded": the mentor ends with two or more mentees in all (counted to spread the load).
        load = next(m.current for m in problem.mentors if m.id == mentor_id)
        if capacity[mentor_id] >= 1:
            second[mentor_id] = model.new_bool_var(f"load_{mentor_id}")
            model.add(sum(vars_) + load <= 1 + problem.max_mentees * second[mentor_id])
    # Lexicographic weights: one more pair outweighs any quality, one quality point outweighs any load.
    quality = sum(pair_score(e, m, problem) * x[e.id, m.id] for e, m in allowed)
    w_quality = len(second) + 1
    best_quality = sum(max(pair_score(e, m, problem) for e2, m in allowed if e2.id == e.id)
                       for e in problem.mentees if e.id in by_mentee)
    w_pair = (best_quality + 1) * w_quality
    model.maximize(w_pair * sum(x.values()) + w_quality * quality - sum(second.values()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit_s)
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = 0
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return MentoringPlan("unknown", (), {e.id: "M5" for e in problem.mentees})
    pairs = tuple(sorted((e.id, m.id) for e, m in allowed if solver.value(x[e.id, m.id])))
    used = {}
    for _e, m in pairs:
        used[m] = used.get(m, 0) + 1
    left = {mid: capacity[mid] - used.get(mid, 0) for mid in capacity}
    paired_ids = {e for e, _m in pairs}
    unpaired = {e.id: _explain(e, problem, left) for e in problem.mentees if e.id not in paired_ids}
    return MentoringPlan("optimal" if status == cp_model.OPTIMAL else "feasible", pairs, unpaired)


def related_groups(groups: Iterable[Iterable[str]]) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(g) for g in groups)
