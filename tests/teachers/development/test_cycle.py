"""The five-year cycle arithmetic, against cycles computed by hand."""

from __future__ import annotations

from datetime import date

import pytest

from teachers import policy
from teachers.development.cycle import Cycle, CycleRules, Item, cycle_of, item_hours, progress

RULES = CycleRules(required_hours=360, probation_hours=120, cycle_years=5, start_year=2026, yearly_minimum=24,
                   hours_per_credit=10, level_caps={"school": 180, "cluster": 180}, online_cap=240)


def test_rules_come_from_the_policy_defaults():
    rules = CycleRules.from_policy(policy.DEFAULTS)
    assert (rules.required_hours, rules.probation_hours, rules.cycle_years) == (360, 120, 5)
    assert rules.level_caps == {"school": 180, "cluster": 180}


@pytest.mark.parametrize(("day", "first", "last"), [
    (date(2026, 1, 1), 2026, 2030), (date(2030, 12, 31), 2026, 2030), (date(2031, 1, 1), 2031, 2035),
    (date(2025, 6, 1), 2021, 2025), (date(2019, 3, 1), 2016, 2020),
])
def test_cycles_tile_the_years(day, first, last):
    assert cycle_of(day, RULES) == Cycle(first, last)


def test_credits_convert_at_the_county_rate():
    assert item_hours(Item(date(2026, 5, 1), "county", credits=2.5), RULES) == 25
    assert item_hours(Item(date(2026, 5, 1), "county", hours=16), RULES) == 16


def test_hand_computed_cycle_with_caps_pending_and_short_years():
    # 2026: county 40 h, school 100 h → 140 h. 2027: school 100 h (only 80 left under the 180 cap),
    # online provincial 30 credits = 300 h (only 240 under the online cap). 2028: nothing counted, but
    # 12 h submitted and waiting. Today is 2029-03-01: 2028 is over and short (0 < 24); 2029 is not over.
    items = [
        Item(date(2026, 4, 1), "county", hours=40, key="a"),
        Item(date(2026, 10, 1), "school", hours=100, key="b"),
        Item(date(2027, 3, 1), "school", hours=100, key="c"),
        Item(date(2027, 6, 1), "provincial", credits=30, online=True, key="d"),
        Item(date(2028, 5, 1), "county", hours=12, counted=False, key="e"),
        Item(date(2025, 12, 31), "county", hours=50, key="previous cycle"),
    ]
    p = progress(items, RULES, today=date(2029, 3, 1))
    assert p.cycle == Cycle(2026, 2030)
    assert p.counted == 40 + 100 + 80 + 240  # 460
    assert p.capped_off == 20 + 60
    assert p.pending == 12
    assert p.by_level == {"county": 40, "school": 180, "provincial": 240}
    assert p.by_year == {2026: 140, 2027: 320, 2028: 0, 2029: 0, 2030: 0}
    assert p.short_years == (2028,)
    assert p.missing == 0 and not p.complete  # enough hours, but a short year
    assert p.counted_by_key["c"] == 80 and "previous cycle" not in p.counted_by_key
    assert p.percent == 100


def test_missing_hours_and_percent():
    items = [Item(date(2026, 3, 1), "county", hours=90), Item(date(2027, 3, 1), "city", hours=45)]
    p = progress(items, RULES, today=date(2027, 12, 1))
    assert (p.counted, p.missing, p.percent, p.short_years) == (135, 225, 37, ())
    assert not p.complete


def test_probation_needs_120_hours_and_years_before_service_are_not_short():
    items = [Item(date(2028, 10, 1), "county", hours=60), Item(date(2029, 4, 1), "school", hours=60)]
    p = progress(items, RULES, today=date(2029, 9, 1), probation=True, since=date(2028, 9, 1))
    assert (p.required, p.counted, p.missing, p.short_years) == (120, 120, 0, ())
    assert p.complete
    # Without the start of service 2026 and 2027 would be held against the teacher.
    assert progress(items, RULES, today=date(2029, 9, 1)).short_years == (2026, 2027)


def test_caps_take_items_in_date_order():
    late_first = [Item(date(2026, 9, 1), "school", hours=150, key="late"),
                  Item(date(2026, 3, 1), "school", hours=150, key="early")]
    p = progress(late_first, RULES, today=date(2026, 12, 1))
    assert p.counted_by_key == {"early": 150, "late": 30}
