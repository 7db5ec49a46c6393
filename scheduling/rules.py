"""The solver's arithmetic of the rotation rules (the independent checker has its own, in ``scheduling.check``).

Every number that ``rotation-io.md`` defines — eligibility (E1–E3), the move-count bounds (H3),
the backbone requirement (H4), the headcount band (H5), the outflow cap (H6) and the balance
indicators L1–L3 with their pupil-weighted difference coefficient — is computed here once, as
small pure functions used by ``scheduling.model``, ``greedy`` and ``explain``. ``scheduling.check``
recomputes every one of them in its own code, so a wrong rule here is caught there.

Shares are exact: ``0.1 × 30`` is 3, not 3.0000000000000004. A share is read as the decimal
it was written as (``Fraction(repr(share))``) before it is multiplied, so ``ceil``, ``floor``
and ``round`` see the number a bureau officer typed. Standard library only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from fractions import Fraction

from scheduling.messages import exclusion_sentence
from scheduling.problem import STAGES, Move, Policy, Problem, Teacher

#: The balance indicators moved by rotation (优质均衡 L1–L3).
INDICATORS = ("L1", "L2", "L3")
#: Schools (teaching points) with fewer pupils in a stage are left out of that stage's coefficient.
MIN_PUPILS_FOR_INDICATOR = 50
#: Eligibility rules in the order they are tried; the first that fails is reported.
ELIGIBILITY_RULES = ("E1", "E2", "E3")

Placement = Mapping[str, str]
"""Where each teacher works after the moves: teacher id → school id."""


# --------------------------------------------------------------------------- exact shares


def exact_share(value: float) -> Fraction:
    """The decimal a share was written as: ``0.1`` → 1/10 (not the binary float 0.1000000000000000055…).

    Use this wherever a share meets an integer (CP-SAT linear forms too), so solver and checker agree.
    """
    if isinstance(value, int):
        return Fraction(value)
    return Fraction(repr(float(value)))


def ceil_share(share: float, count: int) -> int:
    """``ceil(share × count)`` without float noise (``ceil_share(0.1, 30) == 3``)."""
    return math.ceil(exact_share(share) * count)


def floor_share(share: float, count: int) -> int:
    """``floor(share × count)`` without float noise (``floor_share(0.7, 10) == 7``)."""
    return math.floor(exact_share(share) * count)


def round_half_up(value: float | Fraction) -> int:
    """Round to the nearest integer, halves upwards (2.5 → 3), unlike Python's banker's ``round`` (2.5 → 2).

    The contract says "round" in the everyday sense; a float argument is read as its decimal.
    """
    exact = value if isinstance(value, Fraction) else exact_share(value)
    return math.floor(exact + Fraction(1, 2))


# --------------------------------------------------------------------------- eligibility (E1–E3)


def exclusion_reason(teacher: Teacher, policy: Policy, year: int) -> str | None:
    """The first eligibility rule the teacher fails in ``year`` ("E1", "E2" or "E3"), or None if eligible.

    - E1 ``years_at_school >= min_years_at_school``;
    - E2 not ``exempt`` and not ``on_exchange``;
    - E3 ``year - birth_year < retirement_age[gender] - retirement_buffer_years``.
    """
    if teacher.years_at_school < policy.min_years_at_school:
        return "E1"
    if teacher.exempt or teacher.on_exchange:
        return "E2"
    if year - teacher.birth_year >= policy.retirement_age[teacher.gender] - policy.retirement_buffer_years:
        return "E3"
    return None


def exclusion_text(teacher: Teacher, policy: Policy, year: int, lang: str = "en") -> str:
    """Why a teacher is not eligible in ``year``, in words with the numbers ("eligible" when they are).

    ``lang`` is "en" or "zh" (see ``scheduling.messages``); the rule code leads in both.
    """
    return exclusion_sentence(exclusion_reason(teacher, policy, year), teacher, policy, year, lang)


def excluded(problem: Problem) -> dict[str, str]:
    """Every teacher who may not rotate this round, with the first failed rule (the plan's ``excluded``)."""
    reasons: dict[str, str] = {}
    for teacher in problem.teachers:
        reason = exclusion_reason(teacher, problem.policy, problem.year)
        if reason is not None:
            reasons[teacher.id] = reason
    return reasons


def eligible_ids(problem: Problem) -> frozenset[str]:
    """Ids of the teachers who meet E1–E3. HR options (``forbid_teachers`` …) do not change eligibility."""
    return frozenset(t.id for t in problem.teachers if exclusion_reason(t, problem.policy, problem.year) is None)


def eligible_by_county(problem: Problem) -> dict[str, int]:
    """Number of eligible teachers per county (the base of H3 and, for Anhui-style rules, of H4)."""
    where = county_of(problem)
    counts = dict.fromkeys(counties(problem), 0)
    for t in problem.teachers:
        if exclusion_reason(t, problem.policy, problem.year) is None:
            counts[where[t.school]] += 1
    return counts


# --------------------------------------------------------------------------- counties and placements


def county_of(problem: Problem) -> dict[str, str]:
    """School id → county (schools without a county belong to ``"default"``)."""
    return {s.id: s.county for s in problem.schools}


def counties(problem: Problem) -> list[str]:
    """The counties of the instance, in the order their first school appears."""
    return list(dict.fromkeys(s.county for s in problem.schools))


def initial_placement(problem: Problem) -> dict[str, str]:
    """Where every teacher works before any move: teacher id → school id."""
    return {t.id: t.school for t in problem.teachers}


def apply_moves(problem: Problem, moves: Iterable[Move]) -> dict[str, str]:
    """Where every teacher works after ``moves``.

    Starts from each teacher's instance school and sets ``placement[move.teacher] = move.to_school``
    in order. Moves of unknown teachers or to unknown schools are skipped (the checker reports them
    as H1/H2); if a teacher moves twice, the last move wins (the checker reports H1).
    """
    placement = initial_placement(problem)
    schools = {s.id for s in problem.schools}
    for move in moves:
        if move.teacher in placement and move.to_school in schools:
            placement[move.teacher] = move.to_school
    return placement


def headcounts(problem: Problem, placement: Placement | None = None) -> dict[str, int]:
    """Teachers per school — all teachers, all stages, eligible or not (H5's and H6's "now")."""
    placement = initial_placement(problem) if placement is None else placement
    counts = {s.id: 0 for s in problem.schools}
    for school in placement.values():
        counts[school] += 1
    return counts


# --------------------------------------------------------------------------- H3–H6 arithmetic


def move_bounds(eligible: int, rotation_share: float, max_rotation_share: float | None) -> tuple[int, int | None]:
    """H3: (fewest, most) moves in a county with ``eligible`` eligible teachers; most is None when uncapped.

    fewest = ``ceil(rotation_share × eligible)``; most = ``max(fewest, floor(max_rotation_share × eligible))``.
    """
    fewest = ceil_share(rotation_share, eligible)
    if max_rotation_share is None:
        return fewest, None
    return fewest, max(fewest, floor_share(max_rotation_share, eligible))


def backbone_needed(moves: int, eligible: int, share: float, base: str) -> int:
    """H4: fewest backbone movers.

    ``ceil(share × moves)`` for base "moves" (national rule), ``ceil(share × eligible)`` for "eligible" (Anhui).
    """
    if base == "moves":
        return ceil_share(share, moves)
    if base == "eligible":
        return ceil_share(share, eligible)
    raise ValueError(f"backbone_share_base must be 'moves' or 'eligible', got {base!r}")


def headcount_bounds(now: int, band: float) -> tuple[int, int]:
    """H5: (lowest, highest) headcount after the moves for a school with ``now`` teachers.

    ``now ± max(1, round(band × now))``, rounding halves upwards (see ``round_half_up``).
    """
    slack = max(1, round_half_up(exact_share(band) * now))
    return now - slack, now + slack


def max_outflow(now: int, share: float) -> int:
    """H6: most teachers a school with ``now`` teachers may send: ``max(1, floor(share × now))``."""
    return max(1, floor_share(share, now))


# --------------------------------------------------------------------------- balance indicators L1–L3


def indicator_flags(teacher: Teacher) -> dict[str, bool]:
    """Which indicators a teacher counts towards: L1 above required degree, L2 backbone (county+), L3 PE/art."""
    return {"L1": teacher.above_required_degree, "L2": teacher.is_backbone, "L3": teacher.is_pe_art}


def counts_by_school(problem: Problem, placement: Placement) -> dict[str, dict[str, dict[str, int]]]:
    """{school: {stage: {"L1": n, "L2": n, "L3": n, "teachers": n}}} for every school and every stage.

    A teacher counts at the school ``placement`` puts them, in their own stage.
    """
    counts = {s.id: {stage: {"L1": 0, "L2": 0, "L3": 0, "teachers": 0} for stage in STAGES} for s in problem.schools}
    for teacher in problem.teachers:
        cell = counts[placement.get(teacher.id, teacher.school)][teacher.stage]
        cell["teachers"] += 1
        for indicator, counted in indicator_flags(teacher).items():
            if counted:
                cell[indicator] += 1
    return counts


def indicator_schools(problem: Problem) -> dict[str, dict[str, tuple[str, ...]]]:
    """{county: {stage: school ids}} of the schools that enter each coefficient.

    A school enters when it has at least ``MIN_PUPILS_FOR_INDICATOR`` pupils in the stage; a
    county and stage with fewer than two such schools has no coefficient and is left out.
    Every county appears, possibly with no stage.
    """
    groups: dict[str, dict[str, tuple[str, ...]]] = {county: {} for county in counties(problem)}
    for county, stages in groups.items():
        for stage in STAGES:
            ids = tuple(
                s.id for s in problem.schools if s.county == county and s.pupils(stage) >= MIN_PUPILS_FOR_INDICATOR
            )
            if len(ids) >= 2:
                stages[stage] = ids
    return groups


def cv_from_counts(pupils: list[int], counts: list[int]) -> float:
    """Pupil-weighted difference coefficient (差异系数) of ``counts`` per 100 ``pupils``.

    With ``x_i = counts_i × 100 / p_i`` and ``P = Σ p_i``: ``mean = Σ p_i x_i / P``,
    ``S² = Σ (p_i / P)(x_i − mean)²`` and ``CV = S / mean``. When ``mean`` is 0 (no school has
    any such teacher) every school is equal, so the coefficient is defined as 0.0.
    """
    if len(pupils) != len(counts):
        raise ValueError(f"{len(pupils)} pupil numbers but {len(counts)} counts")
    total = sum(pupils)
    if not pupils or total <= 0 or any(p <= 0 for p in pupils):
        raise ValueError("every school needs pupils > 0")
    mean = 100 * sum(counts) / total
    if mean == 0:
        return 0.0
    variance = sum((p / total) * (c * 100 / p - mean) ** 2 for p, c in zip(pupils, counts, strict=True))
    return math.sqrt(variance) / mean


def coefficients(problem: Problem, placement: Placement) -> dict[str, dict[str, dict[str, float]]]:
    """{county: {stage: {"L1": cv, "L2": cv, "L3": cv}}} for ``placement`` (the plan's ``metrics``)."""
    counts = counts_by_school(problem, placement)
    pupils = {s.id: s.pupils for s in problem.schools}
    result: dict[str, dict[str, dict[str, float]]] = {}
    for county, stages in indicator_schools(problem).items():
        result[county] = {}
        for stage, ids in stages.items():
            stage_pupils = [pupils[i](stage) for i in ids]
            result[county][stage] = {
                indicator: cv_from_counts(stage_pupils, [counts[i][stage][indicator] for i in ids])
                for indicator in INDICATORS
            }
    return result
