"""The county model by *kinds*: class flows aggregated over destinations, for large counties.

In the class model (``scheduling.aggregate``) a class of interchangeable teachers has one flow per
admissible destination: 232,000 flows on the 300-school district (1,642 classes × ~140 schools),
too many for CP-SAT to presolve in a minute (measured: 25 s of presolve, no bound, 839 MB). But a
teacher's admissible destinations (H2) depend only on the stage and the area class of the origin
(and HR's forbidden moves), and a flow's effect on every rule and every term of Σ CV² depends on
the origin only through its school's outflow and on the destination only through its inflow. So
the model splits each flow in two:

- ``u[class, area, counted]``: how many of a class (school, stage, indicator flags, subject where
  H7 can bind, destination set) leave for schools of an area class, counted or teaching point;
- ``v[kind, d]``: how many teachers of a *kind* (stage, flags, origin area, origin counted, subject
  where H7 can bind, destination set) arrive at school ``d``;
- per kind, area and counted-ness, ``Σ u = Σ v``.

**Exactness.** Within a kind every class has the same destinations, so each (kind, area, counted)
bucket is a complete transport problem: any ``u``, ``v`` with equal totals come from flows
``y[class, d]`` (``decompose``: north-west corner), and every plan gives such ``u``, ``v``. H1, H3,
H4, H5, H6, H7 (with subjects split exactly where they can bind, as in ``scheduling.aggregate``),
pins (a pinned teacher is a kind of one) and the backbone caps are written exactly on ``u``/``v``;
Σ CV² is the fixed-mean secant model with the exact per-total correction where a total can change
(``scheduling.model._exact_from_fixed_mean``), rounded down by under 10⁻⁶. H8 is **left out**: the
model is then a relaxation of the county (every plan is a point with an objective at most its exact
Σ CV²), so **CP-SAT's proven bound is a proven lower bound of the exact Σ CV² of every plan** —
pruned or not; decomposed plans are checked in full (H8 included) before they are used.
A group whose total could fall to 0 is left out of the objective (its CV² ≥ 0), which keeps it a
relaxation.

Measured 2026-12-02 on the generated district (300 schools, seed 1): 12,379 variables instead of
232,000 flows, built in 0.9 s; one CP-SAT thread found Σ CV² 0.2289 with a bound of 0.2003 in 40 s,
where the neighbourhood search on pruned destinations reached 0.3165 in 60 s (no bound).

Standard library and OR-Tools only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from scheduling import rules
from scheduling.aggregate import h7_binding
from scheduling.model import (
    SCALE,
    CountyData,
    _exact_from_fixed_mean,
    _fixed_mean_school,
    _fixed_mean_total,
    _upper,
)


@dataclass
class TransportModel:
    model: object  # cp_model.CpModel
    data: CountyData
    balance: object  # SCALE × Σ CV² (exact up to rounding down), H8 left out
    x: dict = field(default_factory=dict)  # every u and v variable (for hints)
    u: dict = field(default_factory=dict)  # (class, area, counted) → variable
    v: dict = field(default_factory=dict)  # (kind, d) → variable
    members: dict = field(default_factory=dict)  # class → teacher ids, sorted
    class_of: dict = field(default_factory=dict)  # teacher id → class
    kind_of: dict = field(default_factory=dict)  # class → kind
    dropped: list = field(default_factory=list)  # groups left out of the objective

    def values_of(self, plan: set[tuple[str, str]]) -> dict:
        """The u and v values of a named plan (for a hint): variable key → value."""
        counted = self._counted
        school = self._school
        values: dict = defaultdict(int)
        for tid, d in plan:
            c = self.class_of.get(tid)
            if c is None:
                continue
            stage = self.data.teacher[tid].stage
            values[("u", c, school[d].area, d in counted.get(stage, ()))] += 1
            values[("v", self.kind_of[c], d)] += 1
        return dict(values)

    def plan_from(self, value) -> set[tuple[str, str]]:
        """Named moves from a solution (``value``: variable → int), wishers first within a class."""
        buckets_u: dict[tuple, list] = defaultdict(list)
        for (c, area, inside), var in self.u.items():
            n = value(var)
            if n:
                buckets_u[(self.kind_of[c], area, inside)].append([c, n])
        counted = self._counted
        buckets_v: dict[tuple, list] = defaultdict(list)
        for (kind, d), var in self.v.items():
            n = value(var)
            if n:
                stage = kind[1] if kind[0] == "pin" else kind[0]
                buckets_v[(kind, self._school[d].area, d in counted.get(stage, ()))].append([d, n])
        counts: dict[tuple[str, str], int] = defaultdict(int)
        for key, sources in buckets_u.items():  # north-west corner: a complete bipartite transport
            sinks = sorted(buckets_v.get(key, []))
            k = 0
            for c, n in sorted(sources):
                while n > 0 and k < len(sinks):
                    take = min(n, sinks[k][1])
                    counts[(c, sinks[k][0])] += take
                    n -= take
                    sinks[k][1] -= take
                    if sinks[k][1] == 0:
                        k += 1
        return self._name(counts)

    def _name(self, counts: dict[tuple[str, str], int]) -> set[tuple[str, str]]:
        """Name the teachers of class flows. Classes may mix subjects (always where H7 cannot bind, and
        everywhere in the model without H7), so each leaver is chosen to keep every required subject
        at its school where possible (arrivals counted as they come), then by wish rank, then id."""
        teacher = self.data.teacher
        required = {s.id: set(s.required_subjects) for s in self.data.schools}
        left: dict[tuple[str, str], int] = defaultdict(int)
        for sid, subjects in self.data.subjects.items():
            for subject, n in subjects.items():
                left[(sid, subject)] = n
        by_class: dict[str, dict[str, int]] = defaultdict(dict)
        for (c, d), n in counts.items():
            if n > 0:
                by_class[c][d] = n
        plan: set[tuple[str, str]] = set()
        for c, flows in sorted(by_class.items()):
            free = list(self.members[c])
            for d, n in sorted(flows.items()):
                for _ in range(n):
                    def key(tid: str, d: str = d) -> tuple:
                        t = teacher[tid]
                        danger = t.subject in required[t.school] and left[(t.school, t.subject)] <= 1
                        rank = t.wishes.index(d) if d in t.wishes else len(t.wishes) + 9
                        return (danger, rank, tid)

                    tid = min(free, key=key)
                    free.remove(tid)
                    plan.add((tid, d))
                    left[(teacher[tid].school, teacher[tid].subject)] -= 1
                    left[(d, teacher[tid].subject)] += 1
        return plan

    @property
    def _school(self):
        return {s.id: s for s in self.data.schools}

    @property
    def _counted(self):
        return {g.stage: set(g.pupils) for g in self.data.groups}


def build(data: CountyData, *, h7: str = "exact", binding: set[tuple[str, str]] | None = None) -> TransportModel:
    """The kind model of one (unpruned) county; objective set to minimise ``balance``.

    ``h7``: "exact" (the module's model; subjects split wherever H7 can bind, at either end),
    "none" (no subject split, H7 left out: a smaller relaxation, for the bound; its plans may break
    H7), or "origin" (subjects split only at the schools where H7 can bind, whose teachers of the
    subject may not all leave, arrivals not counted: a restriction, so every plan keeps H7, but
    its bound is no bound). Measured on the district (seed 1, one thread each, 30 s, load 4–6):
    "exact" has 26,069 variables and found no plan; "none" 10,653, Σ CV² 0.2057, bound 0.2054."""
    from scheduling._cpsat import cp_model

    school_of = {s.id: s for s in data.schools}
    counted = {g.stage: set(g.pupils) for g in data.groups}
    if binding is None:
        binding = h7_binding(data) if h7 != "none" else set()
    pinned = data.pins
    groups: dict[tuple, list] = defaultdict(list)
    for t in data.movable:
        dests = tuple(data.destinations.get(t.id, ()))
        if not dests:
            continue
        flags = tuple(rules.indicator_flags(t)[i] for i in rules.INDICATORS)
        if t.id in pinned:
            if pinned[t.id] not in dests:
                continue  # an impossible pin: the model would be infeasible; the plan check reports it
            key: tuple = ("pin", t.stage, flags, t.id, (pinned[t.id],))
        else:
            relevant = (t.school, t.subject) in binding or (
                h7 == "exact" and any((d, t.subject) in binding for d in dests)
            )
            key = (t.school, t.stage, flags, t.subject if relevant else None, dests)
        groups[key].append(t)
    model = cp_model.CpModel()
    tm = TransportModel(model, data, 0)
    send: dict[tuple, list] = defaultdict(list)
    arrive: dict[tuple, list] = defaultdict(list)
    out: dict[str, list] = defaultdict(list)
    into: dict[str, list] = defaultdict(list)
    # (school, stage, flags, crossing the 50-pupil line?) → variables
    out_by: dict[tuple, list] = defaultdict(list)
    into_by: dict[tuple, list] = defaultdict(list)
    subject_out: dict[tuple, list] = defaultdict(list)  # (school, subject) → u where H7 binds
    subject_in: dict[tuple, list] = defaultdict(list)
    backbone_out: dict[str, list] = defaultdict(list)
    every, backbone = [], []
    size: dict[tuple, int] = defaultdict(int)  # (school, stage, flags) → movable teachers
    backbone_flag = rules.INDICATORS.index("L2")
    for key, teachers in sorted(groups.items(), key=lambda kv: min(t.id for t in kv[1])):
        teachers = sorted(teachers, key=lambda t: t.id)
        first = teachers[0]
        c = first.id if len(teachers) == 1 else f"{first.id}+{len(teachers) - 1}"
        tm.members[c] = tuple(t.id for t in teachers)
        for t in teachers:
            tm.class_of[t.id] = c
        n = len(teachers)
        school, stage, flags = first.school, first.stage, key[2]
        size[(school, stage, flags)] += n
        here = counted.get(stage, set())
        origin_in = school in here
        subject = first.subject if (key[0] != "pin" and key[3] is not None) else None
        if key[0] == "pin":
            kind: tuple = ("pin", stage, flags, first.id, key[4])
            subject = first.subject if (
                (school, first.subject) in binding or (key[4][0], first.subject) in binding
            ) else None
        else:
            # with H7 at the origin only, arrivals are not counted: kinds need no subject
            kind = (stage, flags, school_of[school].area, origin_in, subject if h7 == "exact" else None, key[4])
        tm.kind_of[c] = kind
        dests = key[4]
        mine = []
        for area, dest_in in sorted({(school_of[d].area, d in here) for d in dests}):
            var = model.new_int_var(0, n, f"u[{c},{area},{int(dest_in)}]")
            tm.u[(c, area, dest_in)] = var
            tm.x[("u", c, area, dest_in)] = var
            send[(kind, area, dest_in)].append(var)
            out[school].append(var)
            out_by[(school, stage, flags, origin_in != dest_in)].append(var)
            mine.append(var)
            if subject is not None:
                subject_out[(school, subject)].append(var)
            if flags[backbone_flag]:
                backbone.append(var)
                backbone_out[school].append(var)
            for d in dests:
                if school_of[d].area != area or (d in here) != dest_in or (kind, d) in tm.v:
                    continue
                room = data.band[d][1] - data.headcount[d] + data.outflow_cap[d]
                most = n if kind[0] == "pin" else room
                w = model.new_int_var(0, max(0, min(most, room)), f"v[{d}]")
                tm.v[(kind, d)] = w
                tm.x[("v", kind, d)] = w
                arrive[(kind, area, dest_in)].append(w)
                into[d].append(w)
                into_by[(d, stage, flags, origin_in != dest_in)].append(w)
                if subject is not None and h7 == "exact":
                    subject_in[(d, subject)].append(w)
        if key[0] == "pin":
            model.add(cp_model.LinearExpr.sum(mine) == 1)
        else:
            model.add(cp_model.LinearExpr.sum(mine) <= n)  # H1
        every += mine
    for key, cols in send.items():
        model.add(cp_model.LinearExpr.sum(cols) == cp_model.LinearExpr.sum(arrive[key]))
    moves = cp_model.LinearExpr.sum(every)
    model.add(moves >= data.fewest)  # H3
    if data.most is not None:
        model.add(moves <= data.most)
    policy = data.problem.policy
    if policy.backbone_share_base == "eligible":  # H4
        model.add(cp_model.LinearExpr.sum(backbone) >= data.backbone_needed(0))
    else:
        share = Fraction(repr(float(policy.backbone_share)))
        model.add(share.denominator * cp_model.LinearExpr.sum(backbone) >= share.numerator * moves)
    for s in data.schools:  # H5, H6, backbone cap
        if not out[s.id] and not into[s.id]:
            continue
        low, high = data.band[s.id]
        after = data.headcount[s.id] + cp_model.LinearExpr.sum(into[s.id]) - cp_model.LinearExpr.sum(out[s.id])
        model.add(after >= low)
        model.add(after <= high)
        if out[s.id]:
            model.add(cp_model.LinearExpr.sum(out[s.id]) <= data.outflow_cap[s.id])
        cap = data.problem.options.max_backbone_loss.get(s.id)
        if cap is not None and backbone_out[s.id]:
            model.add(cp_model.LinearExpr.sum(backbone_out[s.id]) <= cap)
    for s, subject in binding:  # H7, exact where it can bind
        now = data.subjects[s].get(subject, 0)
        model.add(
            now - cp_model.LinearExpr.sum(subject_out.get((s, subject), []))
            + cp_model.LinearExpr.sum(subject_in.get((s, subject), []))
            >= 1
        )
    most = data.most if data.most is not None else sum(size.values())
    terms = []
    for g in data.groups:
        if g.total_before == 0:
            continue
        i = rules.INDICATORS.index(g.indicator)
        flagged = {k[2] for k in size if k[1] == g.stage and k[2][i]}
        ys, cross_in, cross_out = [], [], []
        for sid in g.schools:
            leaving = [x for f in flagged for c in (False, True) for x in out_by.get((sid, g.stage, f, c), ())]
            arriving = [x for f in flagged for c in (False, True) for x in into_by.get((sid, g.stage, f, c), ())]
            cross_out += [x for f in flagged for x in out_by.get((sid, g.stage, f, True), ())]
            cross_in += [x for f in flagged for x in into_by.get((sid, g.stage, f, True), ())]
            if not leaving and not arriving:
                continue
            c0 = g.before[sid]
            leavers = sum(size.get((sid, g.stage, f), 0) for f in flagged)
            arrivals = sum(_upper(x) for x in arriving)
            low = c0 - min(leavers, data.outflow_cap[sid])
            high = c0 + min(arrivals, data.band[sid][1] - data.headcount[sid] + data.outflow_cap[sid])
            count = model.new_int_var(low, high, f"c[{g.key},{sid}]")
            model.add(count == c0 + cp_model.LinearExpr.sum(arriving) - cp_model.LinearExpr.sum(leaving))
            if low < high:
                ys.append(_fixed_mean_school(model, g, sid, count, low, high))
        surrogate = _fixed_mean_total(model, g, ys)
        # how far the counted total can fall / rise: teaching points receive and send only so many
        points = [s for s in data.schools if s.id not in g.pupils and s.pupils(g.stage) > 0]
        room = sum(max(0, data.band[p.id][1] - data.headcount[p.id] + data.outflow_cap[p.id]) for p in points)
        sending = {k[0] for k in size if k[1] == g.stage and k[2][i] and k[0] not in g.pupils}
        down = min(most, room, sum(_upper(x) for x in cross_out))
        up = min(most, sum(data.outflow_cap[p] for p in sending), sum(_upper(x) for x in cross_in))
        if not (down or up):
            terms.append(surrogate)
        elif g.total_before - down > 0:
            delta = cp_model.LinearExpr.sum(cross_in) - cp_model.LinearExpr.sum(cross_out)
            terms.append(_exact_from_fixed_mean(model, g, surrogate, delta, down, up))
        else:
            tm.dropped.append(g.key)
    tm.balance = cp_model.LinearExpr.sum(terms)
    model.minimize(tm.balance)
    return tm


def h7_broken(data: CountyData, plan: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """(school, subject) pairs where ``plan`` leaves a school without a required subject it had (H7)."""
    teacher = data.teacher
    change: dict[tuple[str, str], int] = defaultdict(int)
    for tid, d in plan:
        t = teacher[tid]
        change[(t.school, t.subject)] -= 1
        change[(d, t.subject)] += 1
    broken = set()
    for s in data.schools:
        for subject in s.required_subjects:
            now = data.subjects[s.id].get(subject, 0)
            if now and now + change.get((s.id, subject), 0) < 1:
                broken.add((s.id, subject))
    return broken


def bound_value(best_objective_bound: float) -> float:
    """Σ CV² units of a CP-SAT bound of ``TransportModel.balance``."""
    return max(0.0, best_objective_bound / SCALE - 1e-9)
