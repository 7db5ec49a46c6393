"""The tier criteria as pure rules: each criterion met and missed, and re-evaluation."""

from __future__ import annotations

from datetime import date

import pytest

from teachers import policy
from teachers.development.criteria import Facts, achievements_at_least, evaluate

V = policy.DEFAULTS
TODAY = date(2027, 6, 1)


def facts(**over) -> Facts:
    base = {"tier": "young", "tier_since": date(2020, 9, 1), "years": 8.0, "hours": 150.0,
                "achievements": {"county": 2}, "backbone": "school"}
    base.update(over)
    return Facts(**base)


def test_a_young_teacher_meeting_everything_may_become_a_backbone():
    ev = evaluate(facts(), V, TODAY)
    assert (ev.next_tier, ev.eligible, ev.missing) == ("backbone", True, ())


@pytest.mark.parametrize(("over", "key"), [
    ({"years": 5.9}, "years"),
    ({"hours": 119.5}, "hours"),
    ({"achievements": {"county": 1, "school": 5}}, "achievements"),  # school level is below county
    ({"backbone": "none"}, "backbone"),
])
def test_each_backbone_criterion_can_be_missed(over, key):
    ev = evaluate(facts(**over), V, TODAY)
    assert not ev.eligible and [c.key for c in ev.missing] == [key]


def test_leader_criteria_are_stricter():
    ok = facts(tier="backbone", years=15, hours=260, achievements={"city": 3, "province": 1}, backbone="city")
    assert evaluate(ok, V, TODAY).eligible
    county_only = facts(tier="backbone", years=15, hours=260, achievements={"city": 4}, backbone="county")
    assert [c.key for c in evaluate(county_only, V, TODAY).missing] == ["backbone"]


def test_new_teacher_needs_two_years_and_the_signed_off_guidance():
    assert evaluate(facts(tier="new", years=2.1, mentored=True, guidance_signed_off=True), V, TODAY).eligible
    missing = evaluate(facts(tier="new", years=2.1, mentored=True, guidance_signed_off=False), V, TODAY).missing
    assert [c.key for c in missing] == ["guidance"]
    assert [c.key for c in evaluate(facts(tier="new", years=1.5), V, TODAY).missing] == ["years"]


def test_settings_change_the_criteria():
    values = {**V, "tier_backbone_min_hours": 200, "tier_backbone_honour": "county"}
    assert [c.key for c in evaluate(facts(), values, TODAY).missing] == ["hours", "backbone"]


def test_a_leader_has_no_next_tier_and_re_evaluation_falls_due():
    ev = evaluate(facts(tier="leader", tier_since=date(2024, 6, 1)), V, TODAY)
    assert (ev.next_tier, ev.eligible, ev.review_due) == (None, False, True)  # 3 years on 2027-06-01
    assert not evaluate(facts(tier="leader", tier_since=date(2024, 6, 2)), V, TODAY).review_due


def test_achievements_count_at_or_above_a_level():
    assert achievements_at_least({"school": 3, "county": 1, "city": 2, "national": 1}, "county") == 4
