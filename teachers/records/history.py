"""Years at the current school and accumulated rural service, derived from a teacher's assignment rows.

Pure functions: no database, no Flask. They take rows as ``Period`` values, as tuples
``(school_id, kind, start, end)`` or as objects with ``school_id``, ``kind``, ``start_date`` and
``end_date`` (the ``Assignment`` model), so a test can write a history by hand.

The rules, precisely:

* A row covers the days ``start`` to ``end`` *inclusive*; an open row (``end`` None) runs up to,
  but not including, ``today``. Rows that start after ``today`` are ignored, and a row's end is
  clipped to ``today``. So a teacher who arrived on 2018-09-01 has exactly 6.0 years on 2024-09-01,
  and a posting from 2015-09-01 to 2018-08-31 is exactly 3.0 years.
* Where rows overlap, the teacher is taken to be working at the school of the covering
  EXCHANGE row if there is one (an exchange posting is laid over the home placement, which under
  县管校聘 may stay open), otherwise at the school of the covering row that started last.
  Days covered by no row are gaps in the record (a leave, a missing line): they belong to no school.
* ``years_at_current_school``: the latest stretch of days at the school that is not interrupted by
  a day at another school. Gaps do not interrupt it (a leave is not a move). It is measured from the
  first day of that stretch to its last day (today when the stretch is still going on). A day at any
  other school — a transfer, or an exchange posting elsewhere — ends the earlier stretch, so after
  an exchange the count restarts at the return. 0 when the teacher's latest recorded day is at
  another school, or there are no rows.
* ``rural_service_years``: the days at schools whose area is rural, each day counted once however many
  rows cover it, summed over the separate stretches.
* Years are calendar years: whole anniversaries plus the fraction of the year in progress, so
  thresholds such as "满6年" hold on the anniversary itself regardless of leap days.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

EXCHANGE = "exchange"
RURAL = "rural"


@dataclass(frozen=True)
class Period:
    school_id: int
    kind: str
    start: date
    end: date | None = None  # inclusive; None = still open


def as_period(row: Any) -> Period:
    """A Period from a Period, a 4-tuple or an object shaped like ``Assignment``."""
    if isinstance(row, Period):
        return row
    if isinstance(row, tuple):
        school_id, kind, start, end = row
    else:
        school_id, kind, start, end = row.school_id, row.kind, row.start_date, row.end_date
    return Period(school_id, getattr(kind, "value", kind), start, end)


def years_between(start: date, end: date) -> float:
    """Calendar years from ``start`` to ``end`` (exclusive): completed anniversaries plus a fraction."""
    if end <= start:
        return 0.0
    years = end.year - start.year
    if _anniversary(start, years) > end:
        years -= 1
    last = _anniversary(start, years)
    following = _anniversary(start, years + 1)
    return years + (end - last).days / (following - last).days


def _anniversary(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February in a common year
        return date(start.year + years, 3, 1)


def timeline(assignments: Iterable[Any], today: date) -> list[tuple[date, date, int | None]]:
    """Consecutive segments ``(first_day, day_after_last, school_id or None)`` up to ``today``."""
    periods = []
    for index, row in enumerate(assignments):
        p = as_period(row)
        if p.start >= today:
            continue
        stop = today if p.end is None else min(p.end + timedelta(days=1), today)
        if stop > p.start:
            periods.append((p, stop, index))
    if not periods:
        return []
    cuts = sorted({p.start for p, _, _ in periods} | {stop for _, stop, _ in periods})
    segments: list[tuple[date, date, int | None]] = []
    for left, right in pairwise(cuts):
        covering = [(p.kind == EXCHANGE, p.start, index, p.school_id)
                    for p, stop, index in periods if p.start <= left < stop]
        school = max(covering)[3] if covering else None
        if segments and segments[-1][2] == school and segments[-1][1] == left:
            segments[-1] = (segments[-1][0], right, school)
        else:
            segments.append((left, right, school))
    return segments


def current_run(assignments: Iterable[Any], school_id: int, today: date) -> tuple[date, date] | None:
    """First day and day-after-last of the latest uninterrupted stretch at ``school_id``, or None."""
    segments = timeline(assignments, today)
    while segments and segments[-1][2] is None:
        segments.pop()  # the record ends before today: measure to its last day
    if not segments or segments[-1][2] != school_id:
        return None
    run_end = segments[-1][1]
    run_start = segments[-1][0]
    for first, _after, school in reversed(segments):
        if school is None:
            continue
        if school != school_id:
            break
        run_start = first
    return run_start, run_end


def years_at_current_school(assignments: Iterable[Any], school_id: int, today: date) -> float:
    """Years in the latest uninterrupted stretch at ``school_id`` (see the module docstring)."""
    run = current_run(assignments, school_id, today)
    return years_between(*run) if run else 0.0


def rural_service_years(assignments: Iterable[Any], area_of: Mapping[int, Any] | Callable[[int], Any],
                        today: date) -> float:
    """Years worked at rural schools, overlapping rows counted once. ``area_of`` maps school id to area."""
    lookup = area_of.get if isinstance(area_of, Mapping) else area_of
    total = 0.0
    for first, after, school in timeline(assignments, today):
        if school is not None and getattr(lookup(school), "value", lookup(school)) == RURAL:
            total += years_between(first, after)
    return total


def placement_on(assignments: Iterable[Any], day: date) -> tuple[int | None, bool]:
    """(working school id, on exchange) on ``day`` by the same rule as ``timeline``: a covering
    EXCHANGE row wins, otherwise the covering row that started last; (None, False) when no row
    covers the day."""
    covering = []
    for index, row in enumerate(assignments):
        p = as_period(row)
        if p.start <= day and (p.end is None or p.end >= day):
            covering.append((p.kind == EXCHANGE, p.start, index, p.school_id))
    if not covering:
        return None, False
    best = max(covering)
    return best[3], best[0]
