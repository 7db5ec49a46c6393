"""Interchangeable teachers as one integer flow: the county model by classes, not by names.

Σ CV², H8 and every hard rule depend on a teacher only through their school, stage, indicator flags
(L1 degree, L2 backbone — also what H4 and the backbone cap count —, L3 PE/art), their admissible
destinations and, for H7, their subject where H7 can bind. Teachers who agree on all of these are
*interchangeable*: any plan stays valid and keeps its Σ CV² when two of them swap places. So the
model gets one integer variable ``y[class, d] ∈ 0..n`` (how many of the class's ``n`` teachers go
to ``d``) instead of ``n`` booleans per destination, built by the same ``scheduling.model`` code
(``CountyData.multiplicity``).

- **Exactness.** The classes are the quotient of the per-teacher model by a symmetry of every
  constraint and of the objective, so both have the same optimum; every integer solution of the
  class model is the image of per-teacher plans with the same Σ CV², and ``disaggregate`` builds
  one (tests: the same optimum as the per-teacher model on generated counties, every plan checked).
- **H7.** The subject is part of the class only where H7 can bind — a (school, subject) whose
  movable teachers of that subject are all its teachers of that subject —, for the teachers who
  could leave or reach such a school. Elsewhere subjects are mixed inside a class; the model's
  H7 then uses the set of binding pairs computed from the named teachers (``h7_binding``).
- **Pins** and teachers with a forbidden move keep classes of their own (the key holds the
  destination set, so the latter only join teachers with the same set).
- **Burden** (stage C: wishes, pairs, distance, fewest moves): the class model's move costs are
  per class and destination; wishes belong to people, so ``add_wishes`` adds one boolean per
  wisher and wished destination of a class, ``w[t, d] ≤`` the flow (``Σ_t∈class w[t, d] ≤ y``,
  ``Σ_d w[t, d] ≤ 1``): a b-matching, exact since the class's teachers are interchangeable
  otherwise. ``disaggregate`` sends those wishers first.

Standard library and OR-Tools only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from scheduling import rules
from scheduling.model import WISH_BONUS, CountyData


@dataclass
class Aggregation:
    """A county's class model data and the way back to named teachers."""

    data: CountyData  # the aggregated county: ``movable`` holds one representative per class
    original: CountyData
    members: dict[str, tuple[str, ...]]  # class id → its teachers, sorted by id
    unit_of: dict[str, str]  # teacher id → class id

    @property
    def classes(self) -> int:
        return len(self.members)


def h7_binding(data: CountyData) -> set[tuple[str, str]]:
    """(school, subject) pairs where H7 can bind: the school must keep the subject and every one of its
    teachers of that subject could leave (has an admissible destination)."""
    leavers: dict[tuple[str, str], int] = defaultdict(int)
    for t in data.movable:
        if data.destinations.get(t.id):
            leavers[(t.school, t.subject)] += 1
    binding = set()
    for s in data.schools:
        for subject in s.required_subjects:
            now = data.subjects[s.id].get(subject, 0)
            if now and leavers[(s.id, subject)] >= now:
                binding.add((s.id, subject))
    return binding


def aggregate(data: CountyData) -> Aggregation:
    """Group a county's movable teachers into classes of interchangeable teachers (see the module)."""
    binding = h7_binding(data)
    pinned = set(data.pins)
    groups: dict[tuple, list] = defaultdict(list)
    for t in data.movable:
        dests = tuple(data.destinations.get(t.id, ()))
        if not dests:
            continue
        if t.id in pinned:
            key: tuple = ("pin", t.id)
        else:
            relevant = (t.school, t.subject) in binding or any((d, t.subject) in binding for d in dests)
            flags = tuple(rules.indicator_flags(t)[i] for i in rules.INDICATORS)
            key = (t.school, t.stage, flags, t.subject if relevant else None, dests)
        groups[key].append(t)
    members: dict[str, tuple[str, ...]] = {}
    unit_of: dict[str, str] = {}
    movable, destinations, multiplicity = [], {}, {}
    # classes in the order of their first teacher: deterministic for a given instance
    for teachers in sorted(groups.values(), key=lambda ts: min(t.id for t in ts)):
        teachers = sorted(teachers, key=lambda t: t.id)
        first = teachers[0]
        if len(teachers) == 1:
            uid, rep = first.id, first
        else:
            uid = f"{first.id}+{len(teachers) - 1}"
            # the subject of a mixed class is one that cannot bind anywhere it could go (see h7_binding)
            rep = replace(first, id=uid, wishes=())
            multiplicity[uid] = len(teachers)
        members[uid] = tuple(t.id for t in teachers)
        for t in teachers:
            unit_of[t.id] = uid
        movable.append(rep)
        destinations[uid] = list(data.destinations[first.id])
    moved = {t.id for t in data.movable}
    agg = replace(
        data,
        teachers=movable + [t for t in data.teachers if t.id not in moved],
        movable=movable,
        destinations=destinations,
        multiplicity=multiplicity,
        h7_binding=binding,
        distance=data.distance,
    )
    return Aggregation(agg, data, members, unit_of)


def counts_of(agg: Aggregation, plan: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The class flows of a per-teacher plan: (class, destination) → teachers."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for tid, dest in plan:
        uid = agg.unit_of.get(tid)
        if uid is not None:
            counts[(uid, dest)] += 1
    return dict(counts)


def disaggregate(
    agg: Aggregation, counts: dict[tuple[str, str], int], wished: set[tuple[str, str]] | frozenset = frozenset()
) -> set[tuple[str, str]]:
    """Named moves for class flows: first the (teacher, destination) pairs of ``wished`` (the burden
    stage's matching), then, destination by destination, teachers who wish it (by rank), then by id."""
    teacher = agg.original.teacher
    plan: set[tuple[str, str]] = set()
    by_unit: dict[str, dict[str, int]] = defaultdict(dict)
    for (uid, dest), n in counts.items():
        if n > 0:
            by_unit[uid][dest] = n
    for uid, flows in sorted(by_unit.items()):
        free = list(agg.members[uid])
        need = dict(flows)
        for tid in list(free):
            for dest in list(need):
                if need[dest] > 0 and (tid, dest) in wished:
                    plan.add((tid, dest))
                    need[dest] -= 1
                    free.remove(tid)
                    break
        for dest in sorted(need):
            ranked = sorted(
                free,
                key=lambda tid, dest=dest: (
                    teacher[tid].wishes.index(dest) if dest in teacher[tid].wishes else len(WISH_BONUS) + 9,
                    tid,
                ),
            )
            for tid in ranked[: need[dest]]:
                plan.add((tid, dest))
                free.remove(tid)
    return plan


def add_wishes(built, agg: Aggregation):
    """Wish literals for the burden stage of a class model: returns (wish bonus expression, literals).

    One boolean ``w[t, d]`` per teacher of a class of two or more and wished destination of the
    class; the bonus is the one ``scheduling.model.move_cost`` gives a named teacher's move."""
    from scheduling._cpsat import cp_model

    model = built.model
    teacher = agg.original.teacher
    literals: dict[tuple[str, str], cp_model.IntVar] = {}
    bonus_terms, bonus_coefs = [], []
    per_flow: dict[tuple[str, str], list] = defaultdict(list)
    for uid, tids in agg.members.items():
        if len(tids) < 2:
            continue
        dests = set(agg.data.destinations[uid])
        for tid in tids:
            mine = []
            for rank, dest in enumerate(teacher[tid].wishes):
                if dest not in dests or (uid, dest) not in built.x:
                    continue
                w = model.new_bool_var(f"w[{tid},{dest}]")
                literals[(tid, dest)] = w
                mine.append(w)
                per_flow[(uid, dest)].append(w)
                bonus_terms.append(w)
                bonus_coefs.append(WISH_BONUS[min(rank, len(WISH_BONUS) - 1)])
            if len(mine) > 1:
                model.add_at_most_one(mine)
    for key, ws in per_flow.items():
        model.add(cp_model.LinearExpr.sum(ws) <= built.x[key])
    return cp_model.LinearExpr.weighted_sum(bonus_terms, bonus_coefs), literals
