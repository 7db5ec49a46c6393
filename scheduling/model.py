"""The CP-SAT model of one county's rotation: one ``add_*`` function per rule, then the objectives.

``CountyData`` gathers what the rules need for one county (eligible teachers, admissible
destinations, headcount bands, the schools that enter each difference coefficient …) using
``scheduling.rules`` for every piece of arithmetic, so that the model and ``scheduling.check``
round alike. ``build_model`` turns it into a ``CpModel`` with one boolean ``x[t, d]`` per
eligible teacher ``t`` and admissible destination ``d``.

The balance objective is exact (up to a stated rounding, below), not a proxy. For a county,
stage and indicator with counted schools ``i`` (pupils ``p_i``, count ``c_i``, ``P = Σ p_i``,
``T = Σ c_i``) the pupil-weighted coefficient satisfies

    CV² = Σ (p_i/P)(100 c_i/p_i − 100 T/P)² / (100 T/P)² = (P / T²) · Σ c_i²/p_i − 1.

``c_i²/p_i`` is convex in the integer ``c_i``; the chords between consecutive integers
``(2k+1)·c − k(k+1)`` meet ``c²`` at every integer, so ``p_i · z_i ≥ SCALE·(chord_k(c_i) − c0_i²)``
for all ``k`` makes the smallest feasible ``z_i`` equal ``ceil(SCALE·(c_i² − c0_i²)/p_i)``.
Moves into or out of teaching points (< 50 pupils, outside the coefficient) change ``T``; where
that can happen the model enumerates the possible totals with one selector literal per value
(``T = T0 + v``) and writes the coefficient for each, so it stays exact. Each group's
``CV²·SCALE`` is an integer variable ``cv2 ≥ ceil((P·(SCALE·Q0 + Σ z_i) − SCALE·T²) / T²)``;
the objective is their sum. Rounding: every ``z_i`` and each ``cv2`` rounds up by less than one
unit, so the objective overstates Σ CV² by less than ``(1 + Σ_i P/T²) / SCALE`` per group —
about 1e-5 on the benchmark counties. The H8 bounds are written on the rounded-up ``z``, so
they hold for the exact values (conservative by the same margin, never violated).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from fractions import Fraction

from scheduling import rules
from scheduling._cpsat import cp_model
from scheduling.problem import Options, Problem, School, Teacher

#: Units of the balance objective per unit of CV² (and of Σ c²/p in the ``z`` variables).
SCALE = 10**7

#: Rule switches: every hard rule family that the infeasibility diagnosis may switch off.
RULES = ("H3-min", "H3-max", "H4", "H5", "H6", "H7", "H8", "pin", "backbone-cap")

#: Burden weights of the second, lexicographic stage (after the balance objective is fixed):
#: an extra move always costs more than any wish or distance can gain.
MOVE_COST = 1_000_000
WISH_BONUS = (30_000, 20_000, 10_000)  # wish 1, 2, 3 (later wishes get the last value)
PAIR_BONUS = 5_000  # destination paired with the origin (大学区, 对口支援)
COST_PER_KM = 10  # distance costs less than any wish
MAX_DISTANCE_COST = 9_000


def distance_km(a: School, b: School) -> float | None:
    """Great-circle distance between two schools in kilometres, or None when a location is missing."""
    if a.location is None or b.location is None:
        return None
    lon1, lat1, lon2, lat2 = map(math.radians, (*a.location, *b.location))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


@dataclass
class Group:
    """One difference coefficient: a county, stage and indicator with at least two counted schools."""

    stage: str
    indicator: str
    schools: tuple[str, ...]
    pupils: dict[str, int]
    before: dict[str, int]  # count per counted school before the moves

    @property
    def total_pupils(self) -> int:
        return sum(self.pupils.values())

    @property
    def total_before(self) -> int:
        return sum(self.before.values())

    @property
    def q_before(self) -> Fraction:
        return sum((Fraction(c * c, self.pupils[s]) for s, c in self.before.items()), Fraction(0))

    @property
    def key(self) -> str:
        return f"{self.stage}/{self.indicator}"


@dataclass
class CountyData:
    """Everything the rules need about one county, computed once with ``scheduling.rules``."""

    problem: Problem
    county: str
    schools: list[School]
    teachers: list[Teacher]
    excluded: dict[str, str]  # teacher id → E1/E2/E3
    eligible: list[Teacher]
    movable: list[Teacher]  # eligible, not forbidden, at a school that may send
    destinations: dict[str, list[str]]  # teacher id → admissible destinations (H2 and HR options)
    admissible_count: dict[str, int]  # teacher id → number before pruning
    headcount: dict[str, int]
    band: dict[str, tuple[int, int]]
    outflow_cap: dict[str, int]
    fewest: int
    most: int | None
    groups: list[Group]
    pins: dict[str, str]  # teacher id → destination (only this county's)
    subjects: dict[str, dict[str, int]]  # school → subject → teachers now
    pruned: bool = False
    distance: dict[tuple[str, str], float | None] = field(default_factory=dict)
    #: aggregated counties (``scheduling.aggregate``): move "teacher" id → how many interchangeable
    #: teachers it stands for; its variables are then integers 0..n instead of booleans
    multiplicity: dict[str, int] = field(default_factory=dict)
    #: aggregated counties: the (school, subject) pairs where H7 can bind, from the named teachers
    #: (a mixed class's subject is a stand-in and must not decide it); None: decide from the variables
    h7_binding: set[tuple[str, str]] | None = None

    def n(self, tid: str) -> int:
        """How many teachers the move id stands for (1 for a named teacher)."""
        return self.multiplicity.get(tid, 1)

    @property
    def school(self) -> dict[str, School]:
        return {s.id: s for s in self.schools}

    @property
    def teacher(self) -> dict[str, Teacher]:
        return {t.id: t for t in self.teachers}

    def km(self, a: str, b: str) -> float | None:
        key = (a, b) if a <= b else (b, a)
        if key not in self.distance:
            schools = self.school
            self.distance[key] = distance_km(schools[a], schools[b])
        return self.distance[key]

    def backbone_needed(self, moves: int) -> int:
        policy = self.problem.policy
        return rules.backbone_needed(moves, len(self.eligible), policy.backbone_share, policy.backbone_share_base)


def county_problem(problem: Problem, county: str) -> Problem:
    """The part of ``problem`` that concerns one county, as a problem of its own (for the checker)."""
    schools = tuple(s for s in problem.schools if s.county == county)
    ids = {s.id for s in schools}
    teachers = tuple(
        t if all(w in ids for w in t.wishes) else replace(t, wishes=tuple(w for w in t.wishes if w in ids))
        for t in problem.teachers
        if t.school in ids
    )
    here = {t.id for t in teachers}
    o = problem.options
    options = Options(
        pin=tuple(p for p in o.pin if p.teacher in here and p.to in ids),
        forbid_moves=tuple(p for p in o.forbid_moves if p.teacher in here and p.to in ids),
        forbid_teachers=tuple(t for t in o.forbid_teachers if t in here),
        forbid_schools=tuple(s for s in o.forbid_schools if s in ids),
        max_backbone_loss={s: c for s, c in o.max_backbone_loss.items() if s in ids},
        pairs=tuple((a, b) for a, b in o.pairs if a in ids and b in ids),
    )
    return Problem(problem.name, problem.year, problem.policy, schools, teachers, options)


def admissible(teacher: Teacher, origin: School, dest: School) -> bool:
    """H2: another area class, pupils in the teacher's stage (and not the same school)."""
    return dest.id != origin.id and dest.area != origin.area and dest.pupils(teacher.stage) > 0


def county_data(problem: Problem, county: str, *, max_destinations: int | None = None) -> CountyData:
    """Gather one county's facts; with ``max_destinations``, keep only that many destinations per teacher.

    Pruning keeps every wish, pin and paired school, then the destinations where the teacher helps
    the coefficients most (at today's counts) and the nearest ones, half and half.
    """
    policy = problem.policy
    options = problem.options
    schools = [s for s in problem.schools if s.county == county]
    by_id = {s.id: s for s in schools}
    teachers = [t for t in problem.teachers if t.school in by_id]
    excluded = {}
    for t in teachers:
        reason = rules.exclusion_reason(t, policy, problem.year)
        if reason is not None:
            excluded[t.id] = reason
    eligible = [t for t in teachers if t.id not in excluded]
    headcount = {s.id: 0 for s in schools}
    subjects: dict[str, dict[str, int]] = {s.id: defaultdict(int) for s in schools}
    for t in teachers:
        headcount[t.school] += 1
        subjects[t.school][t.subject] += 1
    forbid_teachers = set(options.forbid_teachers)
    forbid_schools = set(options.forbid_schools)
    forbid_moves = {(p.teacher, p.to) for p in options.forbid_moves}
    movable = [t for t in eligible if t.id not in forbid_teachers and t.school not in forbid_schools]
    here = {t.id for t in teachers}
    pins = {p.teacher: p.to for p in options.pin if p.teacher in here}
    fewest, most = rules.move_bounds(len(eligible), policy.rotation_share, policy.max_rotation_share)
    groups = _groups(problem, county, teachers)
    data = CountyData(
        problem=problem,
        county=county,
        schools=schools,
        teachers=teachers,
        excluded=excluded,
        eligible=eligible,
        movable=movable,
        destinations={},
        admissible_count={},
        headcount=headcount,
        band={s: rules.headcount_bounds(n, policy.headcount_band) for s, n in headcount.items()},
        outflow_cap={s: rules.max_outflow(n, policy.max_outflow_share) for s, n in headcount.items()},
        fewest=fewest,
        most=most,
        groups=groups,
        pins=pins,
        subjects={s: dict(v) for s, v in subjects.items()},
    )
    paired = defaultdict(set)
    for a, b in options.pairs:
        paired[a].add(b)
        paired[b].add(a)
    cache: dict = {}
    for t in movable:
        origin = by_id[t.school]
        dests = [
            d.id
            for d in schools
            if admissible(t, origin, d) and d.id not in forbid_schools and (t.id, d.id) not in forbid_moves
        ]
        data.admissible_count[t.id] = len(dests)
        if max_destinations is not None and len(dests) > max_destinations:
            dests = _prune(data, t, dests, max_destinations, paired[t.school], cache)
            data.pruned = True
        data.destinations[t.id] = dests
    return data


def _groups(problem: Problem, county: str, teachers: list[Teacher]) -> list[Group]:
    counted = rules.indicator_schools(problem).get(county, {})
    school = {s.id: s for s in problem.schools}
    groups = []
    for stage, ids in counted.items():
        for indicator in rules.INDICATORS:
            before = dict.fromkeys(ids, 0)
            for t in teachers:
                if t.stage == stage and t.school in before and rules.indicator_flags(t)[indicator]:
                    before[t.school] += 1
            groups.append(Group(stage, indicator, tuple(ids), {i: school[i].pupils(stage) for i in ids}, before))
    return groups


def marginal_gain(data: CountyData, teacher: Teacher, origin: str, dest: str) -> float:
    """Change in Σ CV² if ``teacher`` alone moved from ``origin`` to ``dest`` at today's counts (T fixed)."""
    flags = rules.indicator_flags(teacher)
    gain = 0.0
    for g in data.groups:
        if g.stage != teacher.stage or not flags[g.indicator] or g.total_before == 0:
            continue
        weight = g.total_pupils / g.total_before**2
        if dest in g.pupils:
            gain += weight * (2 * g.before[dest] + 1) / g.pupils[dest]
        if origin in g.pupils:
            gain -= weight * (2 * g.before[origin] - 1) / g.pupils[origin]
    return gain


def _arrival_gain(data: CountyData, stage: str, flags: tuple, dest: str, cache: dict) -> float:
    """The destination's share of ``marginal_gain``: the change of Σ CV² as one teacher arrives at today's counts."""
    key = ("gain", stage, flags, dest)
    if key not in cache:
        gain = 0.0
        for g in data.groups:
            if g.stage != stage or not flags[rules.INDICATORS.index(g.indicator)] or g.total_before == 0:
                continue
            if dest in g.pupils:
                gain += g.total_pupils / g.total_before**2 * (2 * g.before[dest] + 1) / g.pupils[dest]
        cache[key] = gain
    return cache[key]


def _prune(
    data: CountyData, t: Teacher, dests: list[str], k: int, paired: set[str], cache: dict | None = None
) -> list[str]:
    keep = [d for d in dests if d in t.wishes or d in paired or data.pins.get(t.id) == d]
    cache = {} if cache is None else cache
    # the ranking depends only on the origin, the stage and the indicator flags (and the destination set);
    # the origin's share of the marginal gain is the same for every destination, so destinations are
    # ranked by their own share, computed once per stage, flags and school (measured on the 300-school
    # district under load 4: pruning took 3.8 s with the whole gain per teacher kind and destination)
    flags = tuple(rules.indicator_flags(t).values())
    key = (t.school, t.stage, flags, tuple(dests))
    if key not in cache:
        near_key = ("near", t.school, tuple(dests))
        if near_key not in cache:
            cache[near_key] = sorted(dests, key=lambda d: (data.km(t.school, d) or 0.0, d))
        cache[key] = (
            sorted(dests, key=lambda d: (_arrival_gain(data, t.stage, flags, d, cache), d)),
            cache[near_key],
        )
    best = [d for d in cache[key][0] if d not in keep]
    near = [d for d in cache[key][1] if d not in keep]
    chosen = dict.fromkeys(keep)
    for a, b in zip(best, near):
        if len(chosen) >= max(k, len(keep)):
            break
        chosen.setdefault(a)
        if len(chosen) < k:
            chosen.setdefault(b)
    return [d for d in dests if d in chosen]


# --------------------------------------------------------------------------- the model


def exact_lower_bound(terms: dict[str, GroupTerm], fixed_bound: float) -> float:
    """A proven lower bound of the exact Σ CV² from a proven lower bound of the fixed-mean objective.

    With S = Σ (c − μ₀p)²/p and δ = T − T0, a group's exact CV² is (P·S − δ²)/T² while its fixed-mean
    term is F = P·S/T0². For T in [T0 − down, T0 + up]: CV² ≥ ρ·F − η with ρ = (T0/(T0 + up))² and
    η = max(down, up)²/(T0 − down)². Summing, Σ CV² ≥ min ρ · ΣF − Σ η ≥ min ρ · fixed_bound − Σ η."""
    rho, eta = 1.0, 0.0
    for term in terms.values():
        down, up = term.reach
        t0 = term.group.total_before
        if term.exact or t0 == 0 or (down == 0 and up == 0):
            continue
        if t0 - down <= 0:
            return 0.0
        rho = min(rho, (t0 / (t0 + up)) ** 2)
        eta += max(down, up) ** 2 / (t0 - down) ** 2
    return max(0.0, rho * fixed_bound - eta)


@dataclass
class RotationModel:
    """A built model with handles to its variables and objectives."""

    model: cp_model.CpModel
    data: CountyData
    x: dict[tuple[str, str], cp_model.IntVar]
    switches: dict[str, cp_model.IntVar]  # rule → enforcement literal (empty unless ``relaxable``)
    moves: cp_model.LinearExpr
    balance: cp_model.LinearExpr  # Σ over groups of SCALE × CV² after
    burden: cp_model.LinearExpr
    balance_terms: dict[str, cp_model.IntVar] = field(default_factory=dict)
    unpinnable: list[str] = field(default_factory=list)  # pinned teachers without a variable
    group_terms: dict[str, GroupTerm] = field(default_factory=dict)


def build_model(
    data: CountyData, *, relaxable: bool = False, fixed_mean: bool = False, exact_totals: bool = False
) -> RotationModel:
    """The CP-SAT model of one county. With ``relaxable``, each rule family gets its own switch literal.

    Without it the rules are unconditional (the normal solve); with it, ``switches[rule]`` enforces
    the rule, so that the infeasibility diagnosis can solve under assumptions.
    """
    model = cp_model.CpModel()
    switches = {rule: model.new_bool_var(rule) for rule in RULES} if relaxable else {}
    x = add_h2_two_way_exchange(model, data)
    add_h1_eligible_once(model, data, x)
    moves = cp_model.LinearExpr.sum(list(x.values()))
    add_h3_rotation_share(model, data, moves, switches)
    add_h4_backbone_share(model, data, x, moves, switches)
    outflow, inflow = _flows(data, x)
    add_h5_headcount_band(model, data, outflow, inflow, switches)
    add_h6_outflow_cap(model, data, outflow, switches)
    add_h7_required_subjects(model, data, x, switches)
    balance, terms = add_balance_objective_terms(
        model, data, x, tight=not relaxable, fixed_mean=fixed_mean, exact_totals=exact_totals
    )
    add_h8_balance_limit(model, data, terms, switches, fixed_mean=fixed_mean)
    unpinnable = add_options_pins(model, data, x, switches)
    add_options_backbone_cap(model, data, x, switches)
    burden = burden_expression(data, x, moves)
    cv_terms = {key: t.cv2 for key, t in terms.items()}
    built = RotationModel(model, data, x, switches, moves, balance, burden, cv_terms, unpinnable)
    built.group_terms = terms
    return built


def _enforce(constraint: cp_model.Constraint, switches: dict[str, cp_model.IntVar], rule: str) -> None:
    if switches:
        constraint.only_enforce_if(switches[rule])


def _reach(variables: list) -> int:
    """Most the sum of these move variables can be (their upper bounds: 1 each for named teachers)."""
    return sum(_upper(v) for v in variables)


def _flows(data: CountyData, x: dict) -> tuple[dict[str, list], dict[str, list]]:
    outflow: dict[str, list] = {s.id: [] for s in data.schools}
    inflow: dict[str, list] = {s.id: [] for s in data.schools}
    origin = {t.id: t.school for t in data.teachers}
    for (tid, dest), var in x.items():
        outflow[origin[tid]].append(var)
        inflow[dest].append(var)
    return outflow, inflow


def add_h2_two_way_exchange(model: cp_model.CpModel, data: CountyData) -> dict[tuple[str, str], cp_model.IntVar]:
    """H2 — every move joins two different area classes (城区↔镇区↔乡村) and the receiving school
    teaches the teacher's stage. The rule is built into the variables: a move variable exists only
    for an admissible (teacher, destination) pair, which also leaves out HR's forbidden moves,
    teachers and schools and, for very large counties, destinations pruned as hopeless."""
    x = {}
    for t in data.movable:
        n = data.n(t.id)
        for d in data.destinations.get(t.id, ()):
            x[(t.id, d)] = model.new_bool_var(f"x[{t.id},{d}]") if n == 1 else model.new_int_var(0, n, f"x[{t.id},{d}]")
    return x


def add_h1_eligible_once(model: cp_model.CpModel, data: CountyData, x: dict) -> None:
    """H1 — only eligible teachers (E1–E3) move, each at most once, from the school where they work now.
    Ineligible teachers have no move variable at all; each eligible one picks at most one destination."""
    per_teacher: dict[str, list] = defaultdict(list)
    for (tid, _), var in x.items():
        per_teacher[tid].append(var)
    for tid, variables in per_teacher.items():
        n = data.n(tid)
        if n > 1:  # an aggregated class: at most its n teachers move, in all
            model.add(cp_model.LinearExpr.sum(variables) <= n)
        elif len(variables) > 1:
            model.add_at_most_one(variables)


def add_h3_rotation_share(model: cp_model.CpModel, data: CountyData, moves, switches: dict) -> None:
    """H3 — at least ``rotation_share`` (e.g. 10 %) of the county's eligible teachers rotate this year,
    and at most ``max_rotation_share`` (e.g. 15 %) of them when the bureau sets a cap."""
    _enforce(model.add(moves >= data.fewest), switches, "H3-min")
    if data.most is not None:
        _enforce(model.add(moves <= data.most), switches, "H3-max")


def add_h4_backbone_share(model: cp_model.CpModel, data: CountyData, x: dict, moves, switches: dict) -> None:
    """H4 — county-level-or-higher backbone teachers (县级以上骨干) make up at least ``backbone_share``
    (e.g. 20 %) of the movers (or of the eligible teachers, where the province counts it that way).

    ``ceil(a/b × m) ≤ B`` is the same as ``b·B ≥ a·m`` for integers, with the share read as the decimal
    written (as ``rules.backbone_needed`` does), so the linear form agrees with the checker exactly."""
    teacher = data.teacher
    backbone = cp_model.LinearExpr.sum([v for (tid, _), v in x.items() if teacher[tid].is_backbone])
    policy = data.problem.policy
    if policy.backbone_share_base == "eligible":
        _enforce(model.add(backbone >= data.backbone_needed(0)), switches, "H4")
        return
    share = Fraction(repr(float(policy.backbone_share)))
    _enforce(model.add(share.denominator * backbone >= share.numerator * moves), switches, "H4")


def add_h5_headcount_band(
    model: cp_model.CpModel, data: CountyData, outflow: dict, inflow: dict, switches: dict
) -> None:
    """H5 — after the exchange every school keeps a headcount within ``now ± max(1, round(band × now))``
    (e.g. ±10 %): a school may not be emptied nor flooded."""
    for s in data.schools:
        if not outflow[s.id] and not inflow[s.id]:
            continue
        low, high = data.band[s.id]
        now = data.headcount[s.id]
        after = now - cp_model.LinearExpr.sum(outflow[s.id]) + cp_model.LinearExpr.sum(inflow[s.id])
        if now - _reach(outflow[s.id]) < low:
            _enforce(model.add(after >= low), switches, "H5")
        if now + _reach(inflow[s.id]) > high:
            _enforce(model.add(after <= high), switches, "H5")


def add_h6_outflow_cap(model: cp_model.CpModel, data: CountyData, outflow: dict, switches: dict) -> None:
    """H6 — no school sends more than ``max(1, floor(max_outflow_share × now))`` teachers (e.g. 20 %)."""
    for s in data.schools:
        if _reach(outflow[s.id]) > data.outflow_cap[s.id]:
            _enforce(model.add(cp_model.LinearExpr.sum(outflow[s.id]) <= data.outflow_cap[s.id]), switches, "H6")


def add_h7_required_subjects(model: cp_model.CpModel, data: CountyData, x: dict, switches: dict) -> None:
    """H7 — a school that has at least one teacher of a subject it must teach (``required_subjects``)
    still has at least one after the exchange: those who stay plus those who arrive."""
    teacher = data.teacher
    leaving: dict[tuple[str, str], list] = defaultdict(list)
    leavers: dict[tuple[str, str], set] = defaultdict(set)
    arriving: dict[tuple[str, str], list] = defaultdict(list)
    for (tid, dest), var in x.items():
        t = teacher[tid]
        leaving[(t.school, t.subject)].append(var)
        leavers[(t.school, t.subject)].add(tid)
        arriving[(dest, t.subject)].append(var)
    for s in data.schools:
        for subject in s.required_subjects:
            now = data.subjects[s.id].get(subject, 0)
            out = leaving.get((s.id, subject), [])
            if data.h7_binding is not None:
                if (s.id, subject) not in data.h7_binding:
                    continue
            elif now == 0 or sum(data.n(tid) for tid in leavers.get((s.id, subject), ())) < now:
                continue
            after = now - cp_model.LinearExpr.sum(out) + cp_model.LinearExpr.sum(arriving.get((s.id, subject), []))
            _enforce(model.add(after >= 1), switches, "H7")


@dataclass
class GroupTerm:
    """The model's view of one coefficient: counts, the exact-at-integers z terms, and SCALE × CV²."""

    group: Group
    z: list[cp_model.IntVar]
    cv2: cp_model.IntVar
    #: total T = T0 + v → selector literal; a single entry {T0: None} when T cannot change
    totals: dict[int, cp_model.IntVar | None]
    #: (most the total T can fall, most it can rise) through moves across the 50-pupil line
    reach: tuple[int, int] = (0, 0)
    #: the term is SCALE × the exact CV² (up to rounding) whatever the total: a fixed-mean term whose
    #: total cannot change, or one written per possible total (``_exact_total``)
    exact: bool = False
    #: the group's count variables (one per school some move reaches): the term, like every term, is
    #: a function of the counts alone (totals are their sums)
    counts: list = field(default_factory=list)


def add_balance_objective_terms(
    model: cp_model.CpModel,
    data: CountyData,
    x: dict,
    tight: bool = True,
    fixed_mean: bool = False,
    exact_totals: bool = False,
) -> tuple[cp_model.LinearExpr, dict[str, GroupTerm]]:
    """Objective L1–L3: Σ over stages and indicators of the squared pupil-weighted difference coefficient.

    Exact at integer counts (see the module docstring); returns the objective and the per-group terms
    that H8 bounds. With ``tight`` the count domains use the H5 band and H6 cap (fewer chords); the
    relaxable model must not, or switching H5/H6 off would not switch them off."""
    teacher = data.teacher
    keys = {var.index: key for key, var in x.items()}
    terms: dict[str, GroupTerm] = {}
    for g in data.groups:
        into: dict[str, list] = defaultdict(list)
        out_of: dict[str, list] = defaultdict(list)
        cross_in, cross_out = [], []  # flows that raise / lower the counted total T
        for (tid, dest), var in x.items():
            t = teacher[tid]
            if t.stage != g.stage or not rules.indicator_flags(t)[g.indicator]:
                continue
            a_in, d_in = t.school in g.pupils, dest in g.pupils
            if a_in:
                out_of[t.school].append(var)
            if d_in:
                into[dest].append(var)
            if a_in != d_in:
                (cross_in if d_in else cross_out).append(var)
        zs, count_vars = [], []
        counts: list[tuple[str, cp_model.IntVar, int, int]] = []  # fixed mean: school, count, low, high
        for s in g.schools:
            if not into[s] and not out_of[s]:
                continue
            c0, p = g.before[s], g.pupils[s]
            leavers = sum(data.n(tid) for tid in {keys[v.index][0] for v in out_of[s]})
            arrivals = sum(data.n(tid) for tid in {keys[v.index][0] for v in into[s]})
            low, high = c0 - leavers, c0 + arrivals
            if tight:
                low = c0 - min(leavers, data.outflow_cap[s])
                high = c0 + min(arrivals, data.band[s][1] - data.headcount[s] + data.outflow_cap[s])
            count = model.new_int_var(low, high, f"c[{g.key},{s}]")
            model.add(count == c0 + cp_model.LinearExpr.sum(into[s]) - cp_model.LinearExpr.sum(out_of[s]))
            count_vars.append(count)
            if low == high:
                continue
            if fixed_mean:
                counts.append((s, count, low, high))
                continue
            z = model.new_int_var(
                _ceil_div(SCALE * (low * low - c0 * c0), p),
                _ceil_div(SCALE * (high * high - c0 * c0), p),
                f"z[{g.key},{s}]",
            )
            for k in range(low, high):
                model.add(p * z >= SCALE * ((2 * k + 1) * count - k * (k + 1) - c0 * c0))
            zs.append(z)
        outside = [s.id for s in data.schools if s.id not in g.pupils]
        max_in = sum(data.outflow_cap[u] for u in outside) if tight else _reach(cross_in)
        max_out = (
            sum(data.band[u][1] - data.headcount[u] + data.outflow_cap[u] for u in outside)
            if tight
            else _reach(cross_out)
        )
        if fixed_mean:
            into_points = {keys[v.index][1] for v in cross_out}
            from_points = {teacher[keys[v.index][0]].school for v in cross_in}
            cap_in = sum(data.band[u][1] - data.headcount[u] + data.outflow_cap[u] for u in into_points)
            cap_out = sum(data.outflow_cap[u] for u in from_points)
            most = data.most if data.most is not None else _reach(list(x.values()))
            down = min(sum(data.n(tid) for tid in {keys[v.index][0] for v in cross_out}), cap_in, most)
            up = min(sum(data.n(tid) for tid in {keys[v.index][0] for v in cross_in}), cap_out, most)
            if g.total_before:
                zs = [_fixed_mean_school(model, g, s, count, low, high) for s, count, low, high in counts]
            surrogate = _fixed_mean_total(model, g, zs)
            if not (down or up):
                terms[g.key] = GroupTerm(g, zs, surrogate, {g.total_before: None}, (0, 0), exact=True)
            elif exact_totals and g.total_before - down > 0:
                delta = cp_model.LinearExpr.sum(cross_in) - cp_model.LinearExpr.sum(cross_out)
                cv2 = _exact_from_fixed_mean(model, g, surrogate, delta, down, up)
                terms[g.key] = GroupTerm(g, zs, cv2, {g.total_before: None}, (down, up), exact=True)
            else:
                terms[g.key] = GroupTerm(g, zs, surrogate, {g.total_before: None}, (down, up))
        else:
            terms[g.key] = _cv2_term(model, g, zs, cross_in, cross_out, max_in, max_out)
        terms[g.key].counts = count_vars
    balance = cp_model.LinearExpr.sum([t.cv2 for t in terms.values()])
    return balance, terms


def _ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


def _fixed_mean_value(g: Group, school: str, c: int) -> int:
    """SCALE × (c − μ₀p)² / (p·P·μ₀²), rounded down, with μ₀ = T0/P the county mean before the moves."""
    P, T0, p = g.total_pupils, g.total_before, g.pupils[school]
    # (c − T0·p/P)² / (p·P·T0²/P²) = (P·c − T0·p)² / (p·P·T0²)
    return (SCALE * (P * c - T0 * p) ** 2) // (p * P * T0 * T0)


def _fixed_mean_school(model: cp_model.CpModel, g: Group, school: str, count, low: int, high: int):
    """One school's share of the fixed-mean coefficient: the maximum of its secants between integers.

    Σ over a group's schools equals SCALE × CV² (up to rounding) when the total T does not change; when
    moves cross the 50-pupil line it is a convex surrogate (the mean is held at its value before). The
    coefficients stay small, so CP-SAT's LP keeps every secant and its relaxation is tight."""
    values = [_fixed_mean_value(g, school, k) for k in range(low, high + 1)]
    y = model.new_int_var(min(values), max(values), f"y[{g.key},{school}]")
    for k in range(low, high):
        step = values[k + 1 - low] - values[k - low]
        model.add(y >= values[k - low] + step * (count - k))
    return y


#: Fixed-point factor of the exact correction (``_exact_from_fixed_mean``): its coefficients round
#: down by under 1/EXACT_FACTOR of the surrogate, i.e. below 1e-6 of Σ CV².
EXACT_FACTOR = 10**5


def _exact_from_fixed_mean(model: cp_model.CpModel, g: Group, surrogate, delta, down: int, up: int):
    """SCALE × the exact CV² of a group whose counted total T = T0 + δ can change, from its fixed-mean term F.

    With S = Σ (c − μ₀p)²/p the exact coefficient is (P·S − δ²)/T², the fixed-mean term P·S/T0², so
    CV² = r(δ)·F − e(δ) with r(δ) = T0²/(T0 + δ)² and e(δ) = δ²/(T0 + δ)²: linear in F once δ is known.
    One literal ``b_v`` per possible δ = v (exactly one, Σ v·b_v = δ), ``w_v = b_v·F`` (exact at
    integers: ``w_v ≥ F`` if ``b_v`` where r > 1, ``w_v ≤ F`` and ``w_v = 0`` unless ``b_v`` where
    r < 1), and ``D·cv2 ≥ D·F + Σ_v ⌊D·(r_v − 1)⌋·w_v − ⌈D·SCALE·e_v⌉·b_v`` with D = EXACT_FACTOR.
    Every coefficient rounds towards a lower value, so the model's objective and bound are proven
    lower bounds of the exact Σ CV² (by under 1e-6), and equal to it at the plan up to that rounding."""
    T0 = g.total_before
    high = _upper(surrogate)
    D = EXACT_FACTOR
    selectors, pieces = [], []
    for v in range(-down, up + 1):
        b = model.new_bool_var(f"T[{g.key}]={T0 + v}")
        selectors.append((v, b))
        T = T0 + v
        pieces.append((-_ceil_div(D * SCALE * v * v, T * T), b))
        if v == 0:
            continue
        coef = (D * (T0 * T0 - T * T)) // (T * T)  # ⌊D·(r_v − 1)⌋
        w = model.new_int_var(0, high, f"w[{g.key},{T}]")
        if coef > 0:  # δ < 0: r > 1, w must not fall below F when b_v
            model.add(w >= surrogate).only_enforce_if(b)
        else:  # δ > 0: r < 1, w must not exceed F, nor 0 unless b_v
            model.add(w <= surrogate)
            model.add(w == 0).only_enforce_if(~b)
        pieces.append((coef, w))
    model.add_exactly_one([b for _, b in selectors])
    model.add(delta == cp_model.LinearExpr.weighted_sum([b for _, b in selectors], [v for v, _ in selectors]))
    cv2 = model.new_int_var(0, _ceil_div(high * T0 * T0, (T0 - down) ** 2) + 1, f"cv2[{g.key}]")
    model.add(
        D * cv2 >= D * surrogate + cp_model.LinearExpr.weighted_sum([t for _, t in pieces], [c for c, _ in pieces])
    )
    return cv2


def _upper(var) -> int:
    return int(var.domain.max())  # (5 µs through ``var.proto.domain``: 0.14 s on the county)


def _fixed_mean_total(model: cp_model.CpModel, g: Group, ys: list):
    """SCALE × the fixed-mean coefficient of a group: its schools' terms, constants for the unmoved ones."""
    moved = {v.name.split(",", 1)[1][:-1] for v in ys}
    constant = sum(_fixed_mean_value(g, s, g.before[s]) for s in g.schools if s not in moved) if g.total_before else 0
    most = sum(_upper(y) for y in ys) + constant
    total = model.new_int_var(0, max(most, constant), f"cv2~[{g.key}]")
    model.add(total == cp_model.LinearExpr.sum(ys) + constant)
    return total


def _cv2_term(
    model: cp_model.CpModel, g: Group, zs: list, cross_in: list, cross_out: list, max_in: int = 0, max_out: int = 0
) -> GroupTerm:
    """SCALE × CV² of one group: ``T²·cv2 ≥ P·(SCALE·Q0 + Σz) − SCALE·T²`` for each possible total T.

    ``max_in``/``max_out`` bound how far T can rise/fall (teaching points send and receive only a few)."""
    P, T0, Q0 = g.total_pupils, g.total_before, g.q_before
    z_sum = cp_model.LinearExpr.sum(zs)
    upper = SCALE * (P // min(g.pupils.values()) + 1)
    cv2 = model.new_int_var(0, upper, f"cv2[{g.key}]")
    if not cross_in and not cross_out:
        if T0 > 0 and zs:
            model.add(T0 * T0 * cv2 >= P * z_sum + math.floor(P * SCALE * Q0 - SCALE * T0 * T0))
        elif T0 > 0:
            model.add(cv2 >= _ceil_div(math.floor(P * SCALE * Q0 - SCALE * T0 * T0), T0 * T0))
        return GroupTerm(g, zs, cv2, {T0: None})
    delta = cp_model.LinearExpr.sum(cross_in) - cp_model.LinearExpr.sum(cross_out)
    totals: dict[int, cp_model.IntVar] = {}
    for v in range(-min(_reach(cross_out), max_out), min(_reach(cross_in), max_in) + 1):
        total = T0 + v
        if total < 0:
            continue
        totals[total] = model.new_bool_var(f"T[{g.key}]={total}")
    model.add_exactly_one(totals.values())
    model.add(delta == cp_model.LinearExpr.weighted_sum(list(totals.values()), [t - T0 for t in totals]))
    for total, sel in totals.items():
        if total == 0:
            model.add(cv2 >= 0).only_enforce_if(sel)
        else:
            model.add(
                total * total * cv2 >= P * z_sum + math.floor(P * SCALE * Q0 - SCALE * total * total)
            ).only_enforce_if(sel)
    return GroupTerm(g, zs, cv2, totals)


def add_h8_balance_limit(
    model: cp_model.CpModel, data: CountyData, terms: dict[str, GroupTerm], switches: dict, fixed_mean: bool = False
) -> None:
    """H8 — each balance indicator L1–L3 of each stage ends at or under the county's limit (差异系数,
    e.g. 0.50 primary, 0.45 junior), or, where it is already above the limit, does not get worse.

    With the total T fixed the coefficient is a function of Σ c²/p, so the rule is a linear bound on
    the rounded-up z terms: Σ z ≤ floor(SCALE·(B·T²/P − Q0)) with B = limit² + 1, or B = CV²_before + 1."""
    limits = data.problem.policy.cv_limit
    if not limits:
        return
    for term in terms.values():
        g = term.group
        if g.stage not in limits or not (term.z or (fixed_mean and term.reach != (0, 0))):
            continue
        P, T0, Q0 = g.total_pupils, g.total_before, g.q_before
        limit = Fraction(repr(float(limits[g.stage])))
        before_sq = P * Q0 / (T0 * T0) - 1 if T0 > 0 else Fraction(0)
        bound_sq = max(limit * limit, before_sq)
        if fixed_mean:  # on the surrogate: exact when T does not change; plans are checked afterwards
            model.add(term.cv2 <= math.floor(SCALE * bound_sq))
            continue
        z_sum = cp_model.LinearExpr.sum(term.z)
        for total, sel in term.totals.items():
            if total == 0:
                continue
            rhs = math.floor(SCALE * ((bound_sq + 1) * total * total / P - Q0))
            ct = model.add(z_sum <= rhs)
            literals = [lit for lit in (sel, switches.get("H8")) if lit is not None]
            if literals:
                ct.only_enforce_if(literals)


def add_options_pins(model: cp_model.CpModel, data: CountyData, x: dict, switches: dict) -> list[str]:
    """HR option — a pinned move (this teacher goes to that school) is in the plan.
    Returns pinned teachers for whom the move is impossible (not eligible, forbidden or not admissible)."""
    impossible = []
    for tid, dest in data.pins.items():
        var = x.get((tid, dest))
        if var is None:
            impossible.append(tid)
            continue
        _enforce(model.add(var == 1), switches, "pin")
    return impossible


def add_options_backbone_cap(model: cp_model.CpModel, data: CountyData, x: dict, switches: dict) -> None:
    """HR option — a school sends at most ``max_backbone_loss[school]`` backbone teachers."""
    caps = data.problem.options.max_backbone_loss
    teacher = data.teacher
    for s in data.schools:
        if s.id not in caps:
            continue
        leaving = [v for (tid, _), v in x.items() if teacher[tid].school == s.id and teacher[tid].is_backbone]
        if _reach(leaving) > caps[s.id]:
            _enforce(model.add(cp_model.LinearExpr.sum(leaving) <= caps[s.id]), switches, "backbone-cap")


def move_cost(data: CountyData, t: Teacher, dest: str, paired: set[tuple[str, str]]) -> int:
    """Burden of one move: MOVE_COST, minus a wish bonus by rank and a pair bonus, plus distance."""
    cost = MOVE_COST
    if dest in t.wishes:
        cost -= WISH_BONUS[min(t.wishes.index(dest), len(WISH_BONUS) - 1)]
    if (t.school, dest) in paired:
        cost -= PAIR_BONUS
    km = data.km(t.school, dest)
    if km is not None:
        cost += min(MAX_DISTANCE_COST, round(km * COST_PER_KM))
    return cost


def burden_expression(data: CountyData, x: dict, moves) -> cp_model.LinearExpr:
    """Teachers' burden (second stage): moves above the minimum, wishes not honoured, kilometres."""
    paired = set()
    for a, b in data.problem.options.pairs:
        paired.update({(a, b), (b, a)})
    teacher = data.teacher
    keys = list(x)
    return cp_model.LinearExpr.weighted_sum(
        [x[k] for k in keys], [move_cost(data, teacher[k[0]], k[1], paired) for k in keys]
    )
