"""Property: for random small instances, every plan that solve() returns passes the independent checker."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduling import check, rules
from scheduling.problem import BACKBONE_LEVELS, Options, PinnedMove, Policy, Problem, School, Teacher
from scheduling.solve import solve

SUBJECTS = ("语文", "数学", "英语", "体育", "音乐", "美术")


@st.composite
def problems(draw) -> Problem:
    n_schools = draw(st.integers(2, 7))
    counties = draw(st.sampled_from([("A",), ("A", "B")]))
    schools = []
    for i in range(n_schools):
        primary = draw(st.sampled_from([0, 30, 80, 200, 600]))
        junior = draw(st.sampled_from([0, 0, 60, 300])) if primary else draw(st.sampled_from([60, 300]))
        schools.append(
            School(
                id=f"S{i}",
                name=f"school {i}",
                area=draw(st.sampled_from(["urban", "town", "rural"])),
                county=counties[i % len(counties)],
                students={"primary": primary, "junior": junior},
                required_subjects=tuple(draw(st.lists(st.sampled_from(SUBJECTS), max_size=3, unique=True))),
                location=(126.9 + draw(st.floats(0, 0.5)), 41.8 + draw(st.floats(0, 0.5))),
            )
        )
    teachers = []
    for s in schools:
        stages = [stage for stage in ("primary", "junior") if s.students[stage]]
        for _ in range(draw(st.integers(3, 11))):
            wishes = draw(st.lists(st.sampled_from([x.id for x in schools]), max_size=2, unique=True))
            teachers.append(
                Teacher(
                    id=f"T{len(teachers)}",
                    school=s.id,
                    stage=draw(st.sampled_from(stages)),
                    subject=draw(st.sampled_from(SUBJECTS)),
                    gender=draw(st.sampled_from("MF")),
                    birth_year=draw(st.integers(1968, 2003)),
                    years_at_school=draw(st.integers(0, 15)),
                    backbone=draw(st.sampled_from(BACKBONE_LEVELS)),
                    above_required_degree=draw(st.booleans()),
                    exempt=draw(st.booleans().filter(lambda _: True)) and draw(st.booleans()),
                    wishes=tuple(wishes),
                )
            )
    policy = Policy(
        min_years_at_school=draw(st.sampled_from([3, 6])),
        rotation_share=draw(st.sampled_from([0.05, 0.1, 0.2])),
        max_rotation_share=draw(st.sampled_from([None, 0.3, 0.5])),
        backbone_share=draw(st.sampled_from([0, 0.2])),
        retirement_age={"M": 60, "F": 55},
        retirement_buffer_years=3,
        headcount_band=0.1,
        max_outflow_share=draw(st.sampled_from([0.2, 0.4])),
        cv_limit=draw(st.sampled_from([None, {"primary": 0.5, "junior": 0.45}])),
        backbone_share_base=draw(st.sampled_from(["moves", "eligible"])),
    )
    options = Options()
    eligible = [t for t in teachers if rules.exclusion_reason(t, policy, 2027) is None]
    if eligible and draw(st.integers(0, 3)) == 0:
        t = draw(st.sampled_from(eligible))
        origin = next(s for s in schools if s.id == t.school)
        dests = [
            s.id for s in schools if s.county == origin.county and s.area != origin.area and s.students[t.stage] > 0
        ]
        if dests:
            others = draw(st.lists(st.sampled_from([x.id for x in teachers]), max_size=2, unique=True))
            options = Options(
                pin=(PinnedMove(t.id, draw(st.sampled_from(dests))),),
                forbid_teachers=tuple(i for i in others if i != t.id),
            )
    return Problem("random", 2027, policy, tuple(schools), tuple(teachers), options)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(problems())
def test_every_returned_plan_passes_the_checker(problem):
    result = solve(problem, time_limit_s=1, workers=1, seed=0)
    assert result.status in ("optimal", "feasible", "infeasible", "unknown")
    assert result.excluded == rules.excluded(problem)
    if result.status in ("optimal", "feasible"):
        assert check.validate(problem, result.moves) == []
        assert {m.teacher for m in result.moves}.isdisjoint(result.stays)
    elif result.status == "infeasible":
        assert result.infeasibility and all(isinstance(line, str) and line for line in result.infeasibility)
        assert result.moves == ()
