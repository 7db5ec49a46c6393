"""Independent check of a plan: every hard rule of rotation-io.md, recomputed from the instance and the moves.

Nothing the plan claims (metrics, excluded, compliance) is trusted: eligibility, headcounts and
difference coefficients are recomputed from the instance and the bare list of moves.

Independence: the checker shares no rule arithmetic with the solver. It shares the file reader
(``scheduling.io``, ``scheduling.problem``: the instance as data) and the wording
(``scheduling.messages``); every number of the rules — eligibility, the H3–H6 bounds, the indicator
flags, the 50-pupil line and the difference coefficient — is computed below, from the contract
(docs/solver/rules.md), in its own way (decimal arithmetic where the solver's ``scheduling.rules``
uses fractions), so that a wrong rule on one side is caught by the other. A test
(tests/scheduling/test_check_independence.py) keeps it so. No solver is needed (no ortools here).

Rule codes in ``Violation.rule``:

- ``H1`` the mover exists, is eligible (E1–E3), moves at most once and from the instance school;
- ``H2`` the move joins two different area classes, the destination exists and has pupils in the
  teacher's stage, and both schools are in the same county (a cross-county move is reported as H2:
  it is a destination the teacher may not take, like a same-area one);
- ``H3``–``H8`` per county and school, exactly as the contract states;
- ``PIN``, ``FORBID``, ``BACKBONE_CAP`` for the HR ``options`` of the instance.

A teacher counts as moved when the moves put them at a school other than their instance school.
"""

from __future__ import annotations

import math
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from os import PathLike
from typing import Any, TextIO

from scheduling.io import load_plan, load_problem
from scheduling.messages import (
    area_name,
    check_lang,
    exclusion_sentence,
    percent,
    school_labels,
    stage_name,
    status_name,
    text,
)
from scheduling.problem import STAGES, Move, Problem, ProblemError, RotationResult, School, Teacher

#: Tolerance for H8 comparisons of floating-point coefficients.
CV_TOLERANCE = 1e-9
#: A claimed coefficient further than this from the recomputed one is noted (plans may round to 2 decimals).
CLAIM_TOLERANCE = 0.005
#: Exit codes of ``run_check``.
EXIT_OK, EXIT_VIOLATIONS, EXIT_UNREADABLE, EXIT_NO_PLAN = 0, 1, 2, 3


@dataclass(frozen=True)
class Violation:
    """One broken rule: its code, the county it concerns (None when unknown) and what is wrong, with numbers."""

    rule: str
    county: str | None
    message: str

    def __str__(self) -> str:
        where = f" [{self.county}]" if self.county else ""
        return f"{self.rule}{where} {self.message}"


# --------------------------------------------------------------------------- the contract's arithmetic, own copy

#: The indicators and who counts for them (contract: L1 degree above the requirement, L2 backbone of
#: county level or higher, L3 PE and art teachers).
INDICATORS = ("L1", "L2", "L3")
_BACKBONE = frozenset({"county", "city", "province"})
_PE_ART = frozenset({"体育", "音乐", "美术"})
#: Schools with fewer pupils than this in a stage stay out of that stage's coefficient.
_COUNTED_FROM = 50


def _decimal(share: float) -> Decimal:
    """The share as the decimal it was written as (``0.1`` → Decimal('0.1'))."""
    return Decimal(repr(float(share)))


def _times(share: float, count: int, rounding: str) -> int:
    return int((_decimal(share) * count).to_integral_value(rounding=rounding))


def eligibility_code(teacher: Teacher, policy, year: int) -> str | None:
    """E1, E2 or E3 — the first eligibility condition the teacher fails — or None."""
    if not teacher.years_at_school >= policy.min_years_at_school:
        return "E1"
    if teacher.exempt or teacher.on_exchange:
        return "E2"
    age = year - teacher.birth_year
    if not age < policy.retirement_age[teacher.gender] - policy.retirement_buffer_years:
        return "E3"
    return None


def h3_bounds(eligible: int, share: float, max_share: float | None) -> tuple[int, int | None]:
    """H3: at least ceil(share × eligible) moves; at most max(that, floor(max_share × eligible))."""
    low = _times(share, eligible, ROUND_CEILING)
    return low, None if max_share is None else max(low, _times(max_share, eligible, ROUND_FLOOR))


def h4_needed(moves: int, eligible: int, share: float, base: str) -> int:
    """H4: backbone movers needed — ceil(share × moves), or ceil(share × eligible) where the base is eligible."""
    return _times(share, moves if base == "moves" else eligible, ROUND_CEILING)


def h5_band(now: int, band: float) -> tuple[int, int]:
    """H5: now ± max(1, round(band × now)), halves rounded up."""
    slack = max(1, _times(band, now, ROUND_HALF_UP))
    return now - slack, now + slack


def h6_cap(now: int, share: float) -> int:
    """H6: at most max(1, floor(share × now)) teachers leave a school."""
    return max(1, _times(share, now, ROUND_FLOOR))


def counts_for(teacher: Teacher) -> dict[str, bool]:
    return {
        "L1": bool(teacher.above_required_degree),
        "L2": teacher.backbone in _BACKBONE,
        "L3": teacher.subject in _PE_ART,
    }


def difference_coefficient(pupils: list[int], counts: list[int]) -> float:
    """Pupil-weighted CV of counts per 100 pupils: x_i = 100 c_i / p_i, mean = Σ p_i x_i / P,
    S² = Σ (p_i / P)(x_i − mean)², CV = S / mean (0 when the mean is 0)."""
    total = sum(pupils)
    rates = [100.0 * c / p for c, p in zip(counts, pupils, strict=True)]
    mean = math.fsum(p * x for p, x in zip(pupils, rates, strict=True)) / total
    if mean == 0:
        return 0.0
    spread = math.fsum(p / total * (x - mean) ** 2 for p, x in zip(pupils, rates, strict=True))
    return math.sqrt(spread) / mean


def _counties(problem: Problem) -> list[str]:
    seen: dict[str, None] = {}
    for s in problem.schools:
        seen.setdefault(s.county, None)
    return list(seen)


def _coefficients(problem: Problem, where: Mapping[str, str]) -> dict[str, dict[str, dict[str, float]]]:
    """{county: {stage: {indicator: CV}}} with teachers placed by ``where`` (teacher id → school)."""
    tally: dict[tuple[str, str, str], int] = Counter()
    for t in problem.teachers:
        for indicator, yes in counts_for(t).items():
            if yes:
                tally[(where[t.id], t.stage, indicator)] += 1
    result: dict[str, dict[str, dict[str, float]]] = {county: {} for county in _counties(problem)}
    for county, stages in result.items():
        for stage in STAGES:
            counted = [s for s in problem.schools if s.county == county and s.pupils(stage) >= _COUNTED_FROM]
            if len(counted) < 2:
                continue
            pupils = [s.pupils(stage) for s in counted]
            stages[stage] = {
                ind: difference_coefficient(pupils, [tally[(s.id, stage, ind)] for s in counted]) for ind in INDICATORS
            }
    return result


def _placed(problem: Problem, moves: Iterable[Move]) -> dict[str, str]:
    """Teacher id → school after the moves (the last move of a teacher wins; unknown ids are skipped)."""
    where = {t.id: t.school for t in problem.teachers}
    known = {s.id for s in problem.schools}
    for m in moves:
        if m.teacher in where and m.to_school in known:
            where[m.teacher] = m.to_school
    return where


def _heads(problem: Problem, where: Mapping[str, str]) -> Counter[str]:
    heads: Counter[str] = Counter({s.id: 0 for s in problem.schools})
    heads.update(where.values())
    return heads


# --------------------------------------------------------------------------- shared facts


@dataclass(frozen=True)
class _Facts:
    """Everything the rules need, computed once from the problem and the moves."""

    problem: Problem
    moves: tuple[Move, ...]
    teachers: Mapping[str, Teacher]
    schools: Mapping[str, School]
    county: Mapping[str, str]  # school id → county
    eligible: frozenset[str]
    before: Mapping[str, str]  # teacher id → school, before
    after: Mapping[str, str]  # teacher id → school, after

    @classmethod
    def build(cls, problem: Problem, moves: Iterable[Move]) -> _Facts:
        moves = tuple(moves)
        return cls(
            problem=problem,
            moves=moves,
            teachers={t.id: t for t in problem.teachers},
            schools={s.id: s for s in problem.schools},
            county={s.id: s.county for s in problem.schools},
            eligible=frozenset(
                t.id for t in problem.teachers if eligibility_code(t, problem.policy, problem.year) is None
            ),
            before={t.id: t.school for t in problem.teachers},
            after=_placed(problem, moves),
        )

    def movers(self) -> list[Teacher]:
        """Teachers whom the moves put somewhere other than their instance school."""
        return [t for t in self.problem.teachers if self.after[t.id] != t.school]

    def county_of_teacher(self, teacher_id: str) -> str | None:
        teacher = self.teachers.get(teacher_id)
        return None if teacher is None else self.county[teacher.school]


def _moves_of(plan: RotationResult | Iterable[Move]) -> tuple[Move, ...]:
    return tuple(plan.moves) if isinstance(plan, RotationResult) else tuple(plan)


class _Labels(dict):
    """School id → label in the checker's language (name and id in Chinese); unknown ids as they are."""

    def __missing__(self, key: str) -> str:
        return key


def _labels(facts: _Facts, lang: str) -> _Labels:
    return _Labels(school_labels(facts.problem.schools, lang, with_id=True))


# --------------------------------------------------------------------------- H1, H2: each move


def _check_moves(facts: _Facts, lang: str = "en") -> list[Violation]:
    """H1 and H2 for every move of the plan."""
    found: list[Violation] = []
    labels = _labels(facts, lang)
    counts = Counter(m.teacher for m in facts.moves)
    reported_twice: set[str] = set()
    for number, move in enumerate(facts.moves, start=1):
        teacher = facts.teachers.get(move.teacher)
        if teacher is None:
            found.append(
                Violation(
                    "H1",
                    facts.county.get(move.from_school),
                    text("chk.H1.unknown", lang, number=number, teacher=move.teacher),
                )
            )
            continue
        county = facts.county[teacher.school]
        if teacher.id not in facts.eligible:
            code = eligibility_code(teacher, facts.problem.policy, facts.problem.year)
            why = exclusion_sentence(code, teacher, facts.problem.policy, facts.problem.year, lang)
            found.append(Violation("H1", county, text("chk.H1.ineligible", lang, teacher=teacher.id, why=why)))
        if counts[teacher.id] > 1 and teacher.id not in reported_twice:
            reported_twice.add(teacher.id)
            found.append(
                Violation("H1", county, text("chk.H1.twice", lang, teacher=teacher.id, count=counts[teacher.id]))
            )
        if move.from_school != teacher.school:
            found.append(
                Violation(
                    "H1",
                    county,
                    text(
                        "chk.H1.origin",
                        lang,
                        teacher=teacher.id,
                        origin=labels[move.from_school],
                        school=labels[teacher.school],
                    ),
                )
            )
        found.extend(_check_destination(facts, teacher, move.to_school, lang, labels))
    return found


def _check_destination(
    facts: _Facts, teacher: Teacher, to_id: str, lang: str = "en", labels: Mapping[str, str] | None = None
) -> list[Violation]:
    """H2 for one teacher moving from their instance school to ``to_id``."""
    labels = labels if labels is not None else _labels(facts, lang)
    county = facts.county[teacher.school]
    origin = facts.schools[teacher.school]
    destination = facts.schools.get(to_id)
    if destination is None:
        return [Violation("H2", county, text("chk.H2.unknown", lang, teacher=teacher.id, dest=to_id))]
    where = {"teacher": teacher.id, "origin": labels[origin.id], "dest": labels[destination.id]}
    found = []
    if destination.county != origin.county:
        found.append(
            Violation(
                "H2",
                county,
                text("chk.H2.county", lang, **where, origin_county=origin.county, dest_county=destination.county),
            )
        )
    if destination.area == origin.area:
        found.append(Violation("H2", county, text("chk.H2.area", lang, **where, area=area_name(origin.area, lang))))
    if destination.pupils(teacher.stage) <= 0:
        found.append(
            Violation(
                "H2",
                county,
                text(
                    "chk.H2.stage",
                    lang,
                    teacher=teacher.id,
                    dest=labels[destination.id],
                    stage=stage_name(teacher.stage, lang),
                ),
            )
        )
    return found


# --------------------------------------------------------------------------- H3–H8: per county and school


def _compliance(facts: _Facts) -> dict[str, dict[str, dict[str, Any]]]:
    """H3–H8 with their numbers, per county (see ``compliance``)."""
    problem, policy = facts.problem, facts.problem.policy
    movers = facts.movers()
    eligible_per_county = Counter(facts.county[facts.teachers[t].school] for t in facts.eligible)
    moves_per_county = Counter(facts.county[t.school] for t in movers)
    backbone_per_county = Counter(facts.county[t.school] for t in movers if counts_for(t)["L2"])
    now = _heads(problem, facts.before)
    later = _heads(problem, facts.after)
    sent = Counter(t.school for t in movers)
    before_cv = _coefficients(problem, facts.before)
    after_cv = _coefficients(problem, facts.after)

    report: dict[str, dict[str, dict[str, Any]]] = {}
    for county in _counties(problem):
        eligible, moves = eligible_per_county[county], moves_per_county[county]
        fewest, most = h3_bounds(eligible, policy.rotation_share, policy.max_rotation_share)
        needed = h4_needed(moves, eligible, policy.backbone_share, policy.backbone_share_base)
        schools = [s for s in problem.schools if s.county == county]
        report[county] = {
            "H3": {
                "eligible": eligible,
                "moves": moves,
                "min": fewest,
                "max": most,
                "ok": moves >= fewest and (most is None or moves <= most),
            },
            "H4": {
                "backbone_movers": backbone_per_county[county],
                "needed": needed,
                "share": policy.backbone_share,
                "base": policy.backbone_share_base,
                "ok": backbone_per_county[county] >= needed,
            },
            "H5": _headcount_report(schools, now, later, policy.headcount_band),
            "H6": _outflow_report(schools, now, sent, policy.max_outflow_share),
            "H7": _subject_report(facts, schools),
            "H8": _balance_report(before_cv.get(county, {}), after_cv.get(county, {}), policy.cv_limit),
        }
    return report


def _headcount_report(
    schools: list[School], now: Mapping[str, int], later: Mapping[str, int], band: float
) -> dict[str, Any]:
    outside = []
    for school in schools:
        low, high = h5_band(now[school.id], band)
        if not low <= later[school.id] <= high:
            outside.append(
                {"school": school.id, "now": now[school.id], "after": later[school.id], "min": low, "max": high}
            )
    return {"ok": not outside, "schools": len(schools), "outside": outside}


def _outflow_report(
    schools: list[School], now: Mapping[str, int], sent: Mapping[str, int], share: float
) -> dict[str, Any]:
    over = []
    for school in schools:
        cap = h6_cap(now[school.id], share)
        if sent.get(school.id, 0) > cap:
            over.append({"school": school.id, "now": now[school.id], "sent": sent[school.id], "max": cap})
    return {"ok": not over, "schools": len(schools), "over": over}


def _subject_report(facts: _Facts, schools: list[School]) -> dict[str, Any]:
    ids = {s.id for s in schools}
    before: dict[str, Counter[str]] = defaultdict(Counter)
    after: dict[str, Counter[str]] = defaultdict(Counter)
    for teacher in facts.problem.teachers:
        if facts.before[teacher.id] in ids:
            before[facts.before[teacher.id]][teacher.subject] += 1
        if facts.after[teacher.id] in ids:
            after[facts.after[teacher.id]][teacher.subject] += 1
    checked, lost = 0, []
    for school in schools:
        for subject in school.required_subjects:
            if before[school.id][subject] >= 1:
                checked += 1
                if after[school.id][subject] < 1:
                    lost.append({"school": school.id, "subject": subject, "before": before[school.id][subject]})
    return {"ok": not lost, "checked": checked, "lost": lost}


def _balance_report(
    before: Mapping[str, Mapping[str, float]],
    after: Mapping[str, Mapping[str, float]],
    limits: Mapping[str, float] | None,
) -> dict[str, Any]:
    if limits is None:
        return {"ok": True, "applies": False, "indicators": []}
    rows = []
    for stage in STAGES:
        if stage not in limits or stage not in after:
            continue
        limit = limits[stage]
        for indicator in INDICATORS:
            cv_before, cv_after = before[stage][indicator], after[stage][indicator]
            ok = cv_after <= limit + CV_TOLERANCE or (cv_before > limit and cv_after <= cv_before + CV_TOLERANCE)
            rows.append(
                {
                    "stage": stage,
                    "indicator": indicator,
                    "before": cv_before,
                    "after": cv_after,
                    "limit": limit,
                    "ok": ok,
                }
            )
    return {"ok": all(row["ok"] for row in rows), "applies": True, "indicators": rows}


def _compliance_violations(
    facts: _Facts, report: Mapping[str, Mapping[str, Mapping[str, Any]]], lang: str = "en"
) -> list[Violation]:
    """Words, with the numbers, for every failed entry of the compliance report."""
    policy = facts.problem.policy
    labels = _labels(facts, lang)
    found: list[Violation] = []
    for county, rules_ in report.items():
        h3 = rules_["H3"]
        counts = {"moves": h3["moves"], "min": h3["min"], "eligible": h3["eligible"]}
        if h3["moves"] < h3["min"]:
            found.append(
                Violation("H3", county, text("chk.H3.min", lang, **counts, share=percent(policy.rotation_share)))
            )
        elif h3["max"] is not None and h3["moves"] > h3["max"]:
            share = percent(policy.max_rotation_share or 0)
            found.append(Violation("H3", county, text("chk.H3.max", lang, **counts, max=h3["max"], share=share)))
        h4 = rules_["H4"]
        if not h4["ok"]:
            numbers = {"backbone": h4["backbone_movers"], "needed": h4["needed"], "share": percent(h4["share"])}
            message = (
                text("chk.H4.moves", lang, **numbers, moves=h3["moves"])
                if h4["base"] == "moves"
                else text("chk.H4.eligible", lang, **numbers, eligible=h3["eligible"])
            )
            found.append(Violation("H4", county, message))
        for row in rules_["H5"]["outside"]:
            found.append(
                Violation(
                    "H5",
                    county,
                    text(
                        "chk.H5",
                        lang,
                        school=labels[row["school"]],
                        after=row["after"],
                        min=row["min"],
                        max=row["max"],
                        now=row["now"],
                        share=percent(policy.headcount_band),
                    ),
                )
            )
        for row in rules_["H6"]["over"]:
            found.append(
                Violation(
                    "H6",
                    county,
                    text(
                        "chk.H6",
                        lang,
                        school=labels[row["school"]],
                        sent=row["sent"],
                        now=row["now"],
                        max=row["max"],
                        share=percent(policy.max_outflow_share),
                    ),
                )
            )
        for row in rules_["H7"]["lost"]:
            found.append(
                Violation(
                    "H7",
                    county,
                    text("chk.H7", lang, school=labels[row["school"]], before=row["before"], subject=row["subject"]),
                )
            )
        for row in rules_["H8"]["indicators"]:
            if row["ok"]:
                continue
            key = "chk.H8.worse" if row["before"] > row["limit"] else "chk.H8.rises"
            values = {k: row[k] for k in ("indicator", "before", "after", "limit")}
            found.append(Violation("H8", county, text(key, lang, stage=stage_name(row["stage"], lang), **values)))
    return found


# --------------------------------------------------------------------------- HR options


def _option_violations(facts: _Facts, lang: str = "en") -> list[Violation]:
    """PIN, FORBID and BACKBONE_CAP: what HR asked of this solve in the instance's ``options``."""
    options = facts.problem.options
    labels = _labels(facts, lang)
    found: list[Violation] = []
    made = {(m.teacher, m.to_school) for m in facts.moves}
    for pin in options.pin:
        if (pin.teacher, pin.to) not in made:
            found.append(
                Violation(
                    "PIN",
                    facts.county_of_teacher(pin.teacher),
                    text("chk.PIN", lang, teacher=pin.teacher, dest=labels[pin.to]),
                )
            )
    for banned in options.forbid_moves:
        if (banned.teacher, banned.to) in made:
            found.append(
                Violation(
                    "FORBID",
                    facts.county_of_teacher(banned.teacher),
                    text("chk.FORBID.move", lang, teacher=banned.teacher, dest=labels[banned.to]),
                )
            )
    moved = {m.teacher for m in facts.moves}
    for teacher_id in options.forbid_teachers:
        if teacher_id in moved:
            found.append(
                Violation(
                    "FORBID",
                    facts.county_of_teacher(teacher_id),
                    text("chk.FORBID.teacher", lang, teacher=teacher_id),
                )
            )
    closed = set(options.forbid_schools)
    for move in facts.moves:
        origin = facts.before.get(move.teacher, move.from_school)
        for school in dict.fromkeys(s for s in (origin, move.from_school, move.to_school) if s in closed):
            found.append(
                Violation(
                    "FORBID",
                    facts.county.get(school),
                    text(
                        "chk.FORBID.school",
                        lang,
                        school=labels[school],
                        teacher=move.teacher,
                        origin=labels[move.from_school],
                        dest=labels[move.to_school],
                    ),
                )
            )
    backbone_sent = Counter(t.school for t in facts.movers() if counts_for(t)["L2"])
    for school, cap in options.max_backbone_loss.items():
        if backbone_sent[school] > cap:
            found.append(
                Violation(
                    "BACKBONE_CAP",
                    facts.county.get(school),
                    text("chk.BACKBONE_CAP", lang, school=labels[school], sent=backbone_sent[school], cap=cap),
                )
            )
    return found


# --------------------------------------------------------------------------- public API


def validate(problem: Problem, plan: RotationResult | Iterable[Move], lang: str = "en") -> list[Violation]:
    """Every hard rule (H1–H8) and HR option the plan's moves break; empty when the plan is valid.

    ``plan`` is a ``RotationResult`` or just its moves; only the moves are read. The messages are in
    ``lang`` ("en" or "zh"); ``Violation.rule`` and ``county`` are the same in both.
    """
    check_lang(lang)
    facts = _Facts.build(problem, _moves_of(plan))
    return _violations(facts, _compliance(facts), lang)


def _violations(facts: _Facts, report: Mapping[str, Mapping[str, Mapping[str, Any]]], lang: str) -> list[Violation]:
    return [
        *_check_moves(facts, lang),
        *_compliance_violations(facts, report, lang),
        *_option_violations(facts, lang),
    ]


def metrics(problem: Problem, moves: Iterable[Move]) -> dict[str, dict[str, dict[str, dict[str, float]]]]:
    """Difference coefficients before and after ``moves``: {"before"|"after": {county: {stage: {"L1".."L3": cv}}}}."""
    return {
        "before": _coefficients(problem, {t.id: t.school for t in problem.teachers}),
        "after": _coefficients(problem, _placed(problem, moves)),
    }


def compliance(problem: Problem, moves: Iterable[Move]) -> dict[str, dict[str, dict[str, Any]]]:
    """H3–H8 with their numbers per county — the plan's ``compliance`` extension. JSON-ready.

    ``{county: {"H3": {"eligible", "moves", "min", "max", "ok"},
    "H4": {"backbone_movers", "needed", "share", "base", "ok"},
    "H5": {"ok", "schools", "outside": [{"school", "now", "after", "min", "max"}]},
    "H6": {"ok", "schools", "over": [{"school", "now", "sent", "max"}]},
    "H7": {"ok", "checked", "lost": [{"school", "subject", "before"}]},
    "H8": {"ok", "applies", "indicators": [{"stage", "indicator", "before", "after", "limit", "ok"}]}}}``
    (``max`` of H3 is None when ``max_rotation_share`` is not given).
    """
    return _compliance(_Facts.build(problem, moves))


# --------------------------------------------------------------------------- report for the command line


def run_check(
    instance_path: str | PathLike[str],
    plan_path: str | PathLike[str],
    out: TextIO | None = None,
    lang: str = "en",
) -> int:
    """Check a plan file against an instance file and write a report for a person to ``out`` (stdout).

    The report, in ``lang`` ("en" or "zh"), lists the violations one per line with their rule codes,
    then the difference coefficients before → after per county, stage and indicator, then the H3–H8
    summary per county.

    Exit codes:
    - 0 the plan is ``optimal`` or ``feasible`` and breaks no rule;
    - 1 the plan is ``optimal`` or ``feasible`` and breaks at least one rule;
    - 2 either file is unreadable (the message names the field, or the JSON line and column);
    - 3 the plan's status is ``infeasible`` or ``unknown``: there is no plan to accept. Its
      status and explanation are printed, and whatever moves it holds are still checked and
      reported, but the violations do not change the exit code.
    """
    check_lang(lang)
    out = sys.stdout if out is None else out
    try:
        problem = load_problem(instance_path)
    except ProblemError as exc:
        out.write(text("rep.cannot_read_instance", lang, path=instance_path, error=exc) + "\n")
        return EXIT_UNREADABLE
    try:
        plan = load_plan(plan_path)
    except ProblemError as exc:
        out.write(text("rep.cannot_read_plan", lang, path=plan_path, error=exc) + "\n")
        return EXIT_UNREADABLE

    facts = _Facts.build(problem, plan.moves)
    report = _compliance(facts)
    violations = _violations(facts, report, lang)
    has_plan = plan.status in ("optimal", "feasible")
    status = status_name(plan.status, lang)

    out.write(
        text(
            "rep.instance",
            lang,
            name=problem.name,
            schools=len(problem.schools),
            teachers=len(problem.teachers),
            counties=len(report),
        )
        + "\n"
    )
    out.write(text("rep.plan", lang, status=status, moves=len(plan.moves)) + "\n")
    if not has_plan:
        for line in plan.infeasibility:
            out.write(f"  {line}\n")
    summary = text("rep.violations", lang, count=len(violations)) if violations else text("rep.violations_none", lang)
    out.write(f"\n{summary}\n")
    for violation in violations:
        out.write(f"  {violation}\n")
    _write_metrics(out, metrics(problem, plan.moves), lang)
    _write_compliance(out, report, lang)
    for note in _claims_that_differ(problem, plan, lang):
        out.write(text("rep.note", lang, note=note) + "\n")

    if not has_plan:
        out.write("\n" + text("rep.result.no_plan", lang, status=status) + "\n")
        return EXIT_NO_PLAN
    result = text("rep.result.violations", lang, count=len(violations)) if violations else text("rep.result.ok", lang)
    out.write(f"\n{result}\n")
    return EXIT_VIOLATIONS if violations else EXIT_OK


def _write_metrics(
    out: TextIO, values: Mapping[str, Mapping[str, Mapping[str, Mapping[str, float]]]], lang: str = "en"
) -> None:
    out.write("\n" + text("rep.metrics", lang) + "\n")
    for county, stages in values["after"].items():
        if not stages:
            out.write("  " + text("rep.no_coefficient", lang, county=county) + "\n")
        for stage, after in stages.items():
            before = values["before"][county][stage]
            cells = "  ".join(
                text("rep.metrics_cell", lang, indicator=ind, before=before[ind], after=after[ind])
                for ind in INDICATORS
            )
            row = text("rep.metrics_row", lang, county=county, stage=stage_name(stage, lang), cells=cells)
            out.write(f"  {row}\n")


def _write_compliance(out: TextIO, report: Mapping[str, Mapping[str, Mapping[str, Any]]], lang: str = "en") -> None:
    out.write("\n" + text("rep.compliance", lang) + "\n")
    for county, r in report.items():
        h3, h4 = r["H3"], r["H4"]
        maximum = text("rep.H3.no_max", lang) if h3["max"] is None else text("rep.H3.max", lang, max=h3["max"])
        h8 = (
            text(
                "rep.H8",
                lang,
                count=sum(not row["ok"] for row in r["H8"]["indicators"]),
                total=len(r["H8"]["indicators"]),
            )
            if r["H8"]["applies"]
            else text("rep.H8.none", lang)
        )
        lines = {
            "H3": text("rep.H3", lang, moves=h3["moves"], min=h3["min"], maximum=maximum, eligible=h3["eligible"]),
            "H4": text("rep.H4", lang, backbone=h4["backbone_movers"], needed=h4["needed"]),
            "H5": text("rep.H5", lang, count=len(r["H5"]["outside"]), schools=r["H5"]["schools"]),
            "H6": text("rep.H6", lang, count=len(r["H6"]["over"]), schools=r["H6"]["schools"]),
            "H7": text("rep.H7", lang, count=len(r["H7"]["lost"]), checked=r["H7"]["checked"]),
            "H8": h8,
        }
        ok, failed = text("rep.ok", lang), text("rep.failed", lang)
        out.write("  " + text("rep.county", lang, county=county) + "\n")
        out.writelines(f"    {rule} {ok if r[rule]['ok'] else failed} {line}\n" for rule, line in lines.items())


def _claims_that_differ(problem: Problem, plan: RotationResult, lang: str = "en") -> list[str]:
    """Where the plan's own ``excluded`` or ``metrics`` disagree with the recomputation (informational only)."""
    notes = []
    actual_excluded = {
        t.id: code for t in problem.teachers if (code := eligibility_code(t, problem.policy, problem.year)) is not None
    }
    if plan.excluded and dict(plan.excluded) != actual_excluded:
        wrong = sorted(set(plan.excluded.items()) ^ set(actual_excluded.items()))
        notes.append(text("rep.note.excluded", lang, count=len(wrong), first=wrong[0][0]))
    recomputed = metrics(problem, plan.moves)
    for when, counties in recomputed.items():
        for county, stages in counties.items():
            for stage, values in stages.items():
                for indicator, value in values.items():
                    claim = _dig(plan.metrics, when, county, stage, indicator)
                    if isinstance(claim, int | float) and abs(claim - value) > CLAIM_TOLERANCE:
                        notes.append(
                            text(
                                "rep.note.claim",
                                lang,
                                when=text(f"when.{when}", lang),
                                county=county,
                                stage=stage_name(stage, lang),
                                indicator=indicator,
                                claim=claim,
                                value=value,
                            )
                        )
    return notes


def _dig(data: object, *keys: str) -> object:
    """``data[k1][k2]…`` through nested mappings, or None where a level is missing or not a mapping."""
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data
