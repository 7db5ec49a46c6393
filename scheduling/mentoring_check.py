"""An independent check of a mentor-pairing plan (scheduling/mentoring.py), written apart from the
model: standard library only, no ortools, and none of the model's helpers — the rules are read again
from the problem and every pair and count is re-derived.

``check(problem, plan)`` returns a list of (code, text) violations; empty means the plan keeps every
rule: M1 backbone level, M2 stage, M3 subject (or related, when allowed), M4 school or district,
M5 capacity, M6 one mentor per mentee and none of their own; UNKNOWN for a name not in the problem;
MAX when a mentee left alone had a lawful mentor with room (the plan could pair more).
"""

from __future__ import annotations

from collections import Counter

_LEVELS = ["none", "school", "county", "city", "province"]


def _subject_ok(problem, mentee, mentor) -> bool:
    if mentee.subject == mentor.subject:
        return True
    if not problem.allow_related:
        return False
    return any({mentee.subject, mentor.subject} <= set(group) for group in problem.related)


def _breaks(problem, mentee, mentor) -> list[str]:
    codes = []
    floor = max(1, _LEVELS.index(problem.min_backbone))
    if _LEVELS.index(mentor.backbone) < floor:
        codes.append("M1")
    if mentee.stage != mentor.stage:
        codes.append("M2")
    if not _subject_ok(problem, mentee, mentor):
        codes.append("M3")
    same_district = bool(mentor.district) and mentor.district == mentee.district
    if mentee.school != mentor.school and not same_district:
        codes.append("M4")
    if mentee.id == mentor.id:
        codes.append("M6")
    return codes


def check(problem, plan) -> list[tuple[str, str]]:
    mentors = {m.id: m for m in problem.mentors}
    mentees = {e.id: e for e in problem.mentees}
    out: list[tuple[str, str]] = []
    seen = Counter(e for e, _m in plan.pairs)
    for mentee_id, n in seen.items():
        if n > 1:
            out.append(("M6", f"{mentee_id} has {n} mentors"))
    load = Counter(m for _e, m in plan.pairs)
    for mentee_id, mentor_id in plan.pairs:
        if mentee_id not in mentees or mentor_id not in mentors:
            out.append(("UNKNOWN", f"{mentee_id} → {mentor_id}"))
            continue
        for code in _breaks(problem, mentees[mentee_id], mentors[mentor_id]):
            out.append((code, f"{mentee_id} → {mentor_id}"))
    for mentor_id, n in load.items():
        if mentor_id in mentors and mentors[mentor_id].current + n > problem.max_mentees:
            out.append(("M5", f"{mentor_id} would have {mentors[mentor_id].current + n} mentees"))
    alone = [e for e in problem.mentees if e.id not in seen]
    for mentee in alone:
        if mentee.id not in plan.unpaired:
            out.append(("UNKNOWN", f"{mentee.id} is neither paired nor explained"))
        for mentor in problem.mentors:
            room = problem.max_mentees - mentor.current - load.get(mentor.id, 0)
            if room > 0 and not _breaks(problem, mentee, mentor):
                out.append(("MAX", f"{mentee.id} could be paired with {mentor.id}"))
                break
    return out
