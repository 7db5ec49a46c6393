"""Tests of scheduling.rules: eligibility, exact share arithmetic and the difference coefficient."""

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rotation_factories import move, one_rule_county, policy, school, teacher

from scheduling import rules
from scheduling.problem import Problem

YEAR = 2027


# --------------------------------------------------------------------------- eligibility


def test_e1_boundary_exactly_min_years_is_eligible():
    p = policy(min_years_at_school=6)
    assert rules.exclusion_reason(teacher("a", "S", years=6), p, YEAR) is None
    assert rules.exclusion_reason(teacher("a", "S", years=5), p, YEAR) == "E1"


def test_exclusion_text_gives_the_rule_and_its_numbers():
    p = policy(min_years_at_school=6)
    assert rules.exclusion_text(teacher("a", "S", years=4), p, YEAR) == "E1: 4 years at the school, 6 required"
    assert rules.exclusion_text(teacher("a", "S", on_exchange=True), p, YEAR) == "E2: already on an exchange"
    assert rules.exclusion_text(teacher("a", "S"), p, YEAR) == "eligible"


def test_e2_exempt_or_on_exchange():
    p = policy()
    assert rules.exclusion_reason(teacher("a", "S", exempt=True), p, YEAR) == "E2"
    assert rules.exclusion_reason(teacher("a", "S", on_exchange=True), p, YEAR) == "E2"


@pytest.mark.parametrize(("gender", "limit"), [("M", 60 - 3), ("F", 55 - 3)])
def test_e3_boundary_at_exact_age(gender, limit):
    p = policy()
    at_limit = teacher("a", "S", gender=gender, birth_year=YEAR - limit)
    just_under = teacher("b", "S", gender=gender, birth_year=YEAR - limit + 1)
    assert rules.exclusion_reason(at_limit, p, YEAR) == "E3"
    assert rules.exclusion_reason(just_under, p, YEAR) is None


def test_first_failed_rule_is_reported_in_order():
    p = policy()
    old_new_exempt = teacher("a", "S", years=1, exempt=True, birth_year=1950)
    old_exempt = teacher("b", "S", exempt=True, birth_year=1950)
    assert rules.exclusion_reason(old_new_exempt, p, YEAR) == "E1"
    assert rules.exclusion_reason(old_exempt, p, YEAR) == "E2"


def test_excluded_and_eligible_partition_the_teachers():
    problem = one_rule_county()
    assert rules.excluded(problem) == {"x": "E1"}
    assert rules.eligible_ids(problem) == {t.id for t in problem.teachers} - {"x"}
    assert rules.eligible_by_county(problem) == {"C": 14, "O": 0}


# --------------------------------------------------------------------------- exact arithmetic


def test_ceil_and_floor_ignore_float_noise():
    assert math.ceil(0.07 * 100) == 8  # the noise this guards against
    assert rules.ceil_share(0.07, 100) == 7
    assert math.floor(0.35 * 180) == 62
    assert rules.floor_share(0.35, 180) == 63
    assert rules.ceil_share(0.1, 30) == 3
    assert 0.29 * 100 < 29
    assert rules.floor_share(0.29, 100) == 29
    assert rules.ceil_share(0.1, 31) == 4
    assert rules.floor_share(0.15, 19) == 2


def test_exact_share_reads_the_written_decimal():
    assert rules.exact_share(0.1) == Fraction(1, 10)
    assert rules.exact_share(3) == 3


def test_round_half_up_differs_from_bankers_round():
    assert round(2.5) == 2
    assert rules.round_half_up(2.5) == 3
    assert rules.round_half_up(0.5) == 1
    assert rules.round_half_up(1.49) == 1
    assert rules.round_half_up(Fraction(7, 2)) == 4


@pytest.mark.parametrize(
    ("now", "band", "expected"),
    [
        (25, 0.1, (22, 28)),
        (15, 0.1, (13, 17)),
        (5, 0.1, (4, 6)),
        (3, 0.1, (2, 4)),
        (0, 0.1, (-1, 1)),
        (40, 0.1, (36, 44)),
    ],
)
def test_headcount_bounds(now, band, expected):
    assert rules.headcount_bounds(now, band) == expected


@pytest.mark.parametrize(
    ("now", "share", "expected"), [(4, 0.2, 1), (10, 0.2, 2), (14, 0.2, 2), (0, 0.2, 1), (100, 0.29, 29)]
)
def test_max_outflow(now, share, expected):
    assert rules.max_outflow(now, share) == expected


def test_move_bounds():
    assert rules.move_bounds(30, 0.1, 0.15) == (3, 4)
    assert rules.move_bounds(14, 0.1, None) == (2, None)
    assert rules.move_bounds(5, 0.1, 0.15) == (1, 1)  # floor(0.75) = 0 is lifted to the minimum
    assert rules.move_bounds(0, 0.1, 0.15) == (0, 0)


def test_backbone_needed_by_base():
    assert rules.backbone_needed(moves=11, eligible=300, share=0.2, base="moves") == 3
    assert rules.backbone_needed(moves=10, eligible=300, share=0.2, base="moves") == 2
    assert rules.backbone_needed(moves=10, eligible=30, share=0.1, base="eligible") == 3
    with pytest.raises(ValueError):
        rules.backbone_needed(moves=1, eligible=1, share=0.2, base="teachers")


# --------------------------------------------------------------------------- placements and counts


def test_apply_moves_and_headcounts():
    problem = one_rule_county()
    placement = rules.apply_moves(
        problem, [move("u1", "U1", "R1"), move("ghost", "U1", "R1"), move("u2", "U1", "NOWHERE")]
    )
    assert placement["u1"] == "R1"
    assert placement["u2"] == "U1"
    assert "ghost" not in placement
    counts = rules.headcounts(problem, placement)
    assert counts["U1"] == 4 and counts["R1"] == 6 and counts["U2"] == 0


def test_counts_by_school_follow_the_placement():
    problem = one_rule_county()
    before = rules.counts_by_school(problem, rules.initial_placement(problem))
    assert before["U1"]["primary"] == {"L1": 0, "L2": 1, "L3": 1, "teachers": 5}
    assert before["U1"]["junior"] == {"L1": 0, "L2": 0, "L3": 0, "teachers": 0}
    after = rules.counts_by_school(problem, rules.apply_moves(problem, [move("u1", "U1", "T1")]))
    assert after["U1"]["primary"]["L2"] == 0
    assert after["T1"]["primary"] == {"L1": 0, "L2": 1, "L3": 0, "teachers": 6}


def test_county_of_defaults():
    problem = one_rule_county()
    assert rules.county_of(problem)["O1"] == "O"
    assert rules.counties(problem) == ["C", "O"]


# --------------------------------------------------------------------------- difference coefficient


def test_cv_from_counts_matches_hand_computation():
    # x = (1, 2) per 100 pupils, P = 300, mean = 5/3, S² = (1/3)(2/3)² + (2/3)(1/3)² = 2/9.
    expected = math.sqrt(2 / 9) / (5 / 3)
    assert rules.cv_from_counts([100, 200], [1, 4]) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(math.sqrt(2) / 5)


def test_cv_is_zero_for_equal_ratios_and_for_zero_mean():
    assert rules.cv_from_counts([100, 200, 50], [2, 4, 1]) == pytest.approx(0.0, abs=1e-12)
    assert rules.cv_from_counts([100, 200], [0, 0]) == 0.0


def test_cv_rejects_bad_input():
    with pytest.raises(ValueError):
        rules.cv_from_counts([100], [1, 2])
    with pytest.raises(ValueError):
        rules.cv_from_counts([100, 0], [1, 0])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(50, 3000), st.integers(0, 60)), min_size=2, max_size=8))
def test_cv_is_non_negative_and_scale_free(rows):
    pupils = [p for p, _ in rows]
    counts = [c for _, c in rows]
    cv = rules.cv_from_counts(pupils, counts)
    assert cv >= 0
    assert rules.cv_from_counts([2 * p for p in pupils], [2 * c for c in counts]) == pytest.approx(cv, abs=1e-9)


def _two_school_problem(pupils_a: int, pupils_b: int, pupils_c: int = 0) -> Problem:
    schools = [school("A", "urban", primary=pupils_a), school("B", "rural", primary=pupils_b)]
    if pupils_c:
        schools.append(school("D", "town", primary=pupils_c))
    teachers = [teacher("a", "A", backbone="county", degree=True), teacher("b", "B", subject="美术")]
    return Problem(name="t", year=YEAR, policy=policy(), schools=tuple(schools), teachers=tuple(teachers))


def test_schools_under_50_pupils_are_left_out():
    with_small = _two_school_problem(100, 200, pupils_c=49)
    without = _two_school_problem(100, 200)
    placement = rules.initial_placement(with_small)
    assert rules.indicator_schools(with_small) == {"C": {"primary": ("A", "B")}}
    assert rules.coefficients(with_small, placement) == rules.coefficients(without, placement)
    at_fifty = _two_school_problem(100, 200, pupils_c=50)
    assert rules.indicator_schools(at_fifty) == {"C": {"primary": ("A", "B", "D")}}


def test_fewer_than_two_schools_give_no_coefficient():
    problem = _two_school_problem(100, 49)
    assert rules.indicator_schools(problem) == {"C": {}}
    assert rules.coefficients(problem, rules.initial_placement(problem)) == {"C": {}}


def test_coefficients_per_indicator():
    problem = _two_school_problem(100, 300)
    cv = rules.coefficients(problem, rules.initial_placement(problem))["C"]["primary"]
    # L1 and L2: only A (1 per 100 pupils, B 0); L3: only B. Same spread, weights swapped.
    assert cv["L1"] == pytest.approx(rules.cv_from_counts([100, 300], [1, 0]))
    assert cv["L2"] == cv["L1"]
    assert cv["L3"] == pytest.approx(rules.cv_from_counts([100, 300], [0, 1]))
    assert set(cv) == set(rules.INDICATORS)


def test_coefficients_are_per_county(make_instance):
    from scheduling.io import problem_from_dict

    problem = problem_from_dict(make_instance.make_instance(24, 2, 3))
    values = rules.coefficients(problem, rules.initial_placement(problem))
    assert set(values) == set(rules.counties(problem))
    assert len(values) == 2
