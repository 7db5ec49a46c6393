"""The five-year continuing-education cycle (继续教育周期), as pure arithmetic.

No database and no Flask: plain values in, a ``Progress`` out, tested alone (like
records/history.py). The rules come from the county's settings (``CycleRules.from_policy``):

- cycles run ``cycle_years`` long from ``start_year`` (and every ``cycle_years`` before and after);
- a teacher needs ``required_hours`` per cycle, or ``probation_hours`` while in probation;
- credits (学分) count as ``hours_per_credit`` hours each;
- hours at some levels are capped per cycle (school-based 校本研修, cluster 片区, and online training
  across levels); items are taken in date order and an item counts only up to what its caps leave;
- each year of the cycle wants at least ``yearly_minimum`` counted hours: a year already over
  (before ``today``'s year, from the start of service) that fell short is listed in ``short_years``.

Only counted items (approved records) make progress; ``pending_hours`` shows what waits for approval.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

#: Levels whose hours are capped per cycle, and the setting holding each cap.
CAPPED_LEVELS = {"school": "training_cap_school", "cluster": "training_cap_cluster"}


@dataclass(frozen=True)
class CycleRules:
    required_hours: float
    probation_hours: float
    cycle_years: int
    start_year: int
    yearly_minimum: float
    hours_per_credit: float
    level_caps: Mapping[str, float] = field(default_factory=dict)
    online_cap: float | None = None

    @classmethod
    def from_policy(cls, values: Mapping[str, Any]) -> CycleRules:
        return cls(
            required_hours=float(values["training_hours_per_cycle"]),
            probation_hours=float(values["training_hours_probation"]),
            cycle_years=int(values["training_cycle_years"]),
            start_year=int(values["training_cycle_start_year"]),
            yearly_minimum=float(values["training_yearly_minimum"]),
            hours_per_credit=float(values["training_hours_per_credit"]),
            level_caps={level: float(values[key]) for level, key in CAPPED_LEVELS.items()},
            online_cap=float(values["training_cap_online"]),
        )


@dataclass(frozen=True)
class Item:
    """One training: its hours or credits, level, mode and date; ``counted`` once approved."""

    day: date
    level: str
    hours: float | None = None
    credits: float | None = None
    online: bool = False
    counted: bool = True
    key: Any = None


@dataclass(frozen=True)
class Cycle:
    first_year: int
    last_year: int

    @property
    def start(self) -> date:
        return date(self.first_year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.last_year, 12, 31)

    def __contains__(self, day: date) -> bool:
        return self.first_year <= day.year <= self.last_year

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)


@dataclass(frozen=True)
class Progress:
    cycle: Cycle
    required: float
    counted: float  # approved hours after caps
    pending: float  # hours awaiting approval (before caps)
    capped_off: float  # approved hours the caps did not count
    by_level: dict[str, float]  # counted hours per level
    by_year: dict[int, float]  # counted hours per calendar year of the cycle
    short_years: tuple[int, ...]  # finished years below the yearly minimum
    counted_by_key: dict[Any, float]  # counted hours per item key

    @property
    def missing(self) -> float:
        return max(0.0, round(self.required - self.counted, 2))

    @property
    def complete(self) -> bool:
        return self.missing == 0 and not self.short_years

    @property
    def percent(self) -> int:
        if self.required <= 0:
            return 100
        return min(100, int(self.counted * 100 // self.required))


def cycle_of(day: date, rules: CycleRules) -> Cycle:
    """The cycle holding ``day``: cycles tile the years from ``start_year`` in steps of ``cycle_years``."""
    offset = (day.year - rules.start_year) // rules.cycle_years
    first = rules.start_year + offset * rules.cycle_years
    return Cycle(first, first + rules.cycle_years - 1)


def item_hours(item: Item, rules: CycleRules) -> float:
    """Hours an item gives: its hours, or its credits converted."""
    if item.hours is not None:
        return float(item.hours)
    if item.credits is not None:
        return round(float(item.credits) * rules.hours_per_credit, 2)
    return 0.0


def progress(items: Iterable[Item], rules: CycleRules, *, today: date, probation: bool = False,
             cycle: Cycle | None = None, since: date | None = None) -> Progress:
    """A teacher's progress in ``cycle`` (by default the one holding ``today``); years before ``since``
    (the start of service) are not held against the yearly minimum."""
    cycle = cycle or cycle_of(today, rules)
    inside = sorted((i for i in items if i.day in cycle), key=lambda i: (i.day, str(i.key)))
    left = dict(rules.level_caps)
    online_left = rules.online_cap
    counted = pending = capped_off = 0.0
    by_level: dict[str, float] = {}
    by_year: dict[int, float] = dict.fromkeys(cycle.years, 0.0)
    by_key: dict[Any, float] = {}
    for item in inside:
        hours = item_hours(item, rules)
        if not item.counted:
            pending += hours
            continue
        allowed = hours
        if item.level in left:
            allowed = min(allowed, left[item.level])
        if item.online and online_left is not None:
            allowed = min(allowed, online_left)
        allowed = max(0.0, allowed)
        if item.level in left:
            left[item.level] -= allowed
        if item.online and online_left is not None:
            online_left -= allowed
        counted += allowed
        capped_off += hours - allowed
        by_level[item.level] = by_level.get(item.level, 0.0) + allowed
        by_year[item.day.year] += allowed
        by_key[item.key] = allowed
    first_due = since.year if since is not None else cycle.first_year
    short = tuple(y for y in cycle.years
                  if first_due <= y < today.year and by_year[y] < rules.yearly_minimum)
    return Progress(
        cycle=cycle,
        required=rules.probation_hours if probation else rules.required_hours,
        counted=round(counted, 2), pending=round(pending, 2), capped_off=round(capped_off, 2),
        by_level={k: round(v, 2) for k, v in by_level.items()},
        by_year={k: round(v, 2) for k, v in by_year.items()},
        short_years=short, counted_by_key=by_key,
    )
