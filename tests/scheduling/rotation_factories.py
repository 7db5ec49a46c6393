"""Small hand-built rotation problems for tests, and access to the project's instance generator.

Imported by the test modules of this folder (``from rotation_factories import ...``); the name is
unique so that it cannot clash with helpers of other test folders.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from scheduling import generate
from scheduling.problem import Move, Options, PinnedMove, Policy, Problem, School, Teacher

REPO_ROOT = Path(__file__).resolve().parents[2]


def make_instance_module() -> ModuleType:
    """The project's own generator, ``scheduling.generate`` (``make_instance(n_schools, n_counties, seed)``)."""
    return generate


def policy(**overrides: Any) -> Policy:
    """A policy with round, easy numbers; no ``cv_limit`` unless asked."""
    values: dict[str, Any] = {
        "min_years_at_school": 6,
        "rotation_share": 0.10,
        "max_rotation_share": 0.50,
        "backbone_share": 0.50,
        "retirement_age": {"M": 60, "F": 55},
        "retirement_buffer_years": 3,
        "headcount_band": 0.10,
        "max_outflow_share": 0.20,
        "cv_limit": None,
    }
    values.update(overrides)
    return Policy(**values)


def school(
    id: str,
    area: str = "urban",
    primary: int = 100,
    junior: int = 0,
    county: str = "C",
    required: tuple[str, ...] = (),
) -> School:
    return School(
        id=id,
        name=f"school {id}",
        area=area,
        county=county,
        students={"primary": primary, "junior": junior},
        required_subjects=required,
    )


def teacher(
    id: str,
    school: str,
    *,
    stage: str = "primary",
    subject: str = "数学",
    gender: str = "F",
    birth_year: int = 1985,
    years: int = 8,
    backbone: str = "none",
    degree: bool = False,
    exempt: bool = False,
    on_exchange: bool = False,
) -> Teacher:
    return Teacher(
        id=id,
        school=school,
        stage=stage,
        subject=subject,
        gender=gender,
        birth_year=birth_year,
        years_at_school=years,
        backbone=backbone,
        above_required_degree=degree,
        exempt=exempt,
        on_exchange=on_exchange,
    )


def move(teacher_id: str, from_school: str, to_school: str) -> Move:
    return Move(teacher=teacher_id, from_school=from_school, to_school=to_school)


def pin(teacher_id: str, to_school: str) -> PinnedMove:
    return PinnedMove(teacher=teacher_id, to=to_school)


def one_rule_county(*, policy_overrides: dict[str, Any] | None = None, options: Options | None = None) -> Problem:
    """A county built so that each check test can break exactly one rule.

    Schools of county "C": U1 urban (200 primary pupils, requires 体育), U2 urban, R1 rural and
    T1 town (100 primary pupils each), J1 rural junior-only; O1 is a rural school of county "O".
    U1, R1 and T1 have five teachers each (so every headcount band is ±1 and every outflow cap 1);
    U2, J1 and O1 have none. Eligible: u1–u5, r1–r5, t1–t4 (14): H3 asks 2 to 7 moves.
    Backbone: u1 and r1. u5 is U1's only 体育 teacher. x at T1 has 2 years at school (E1).
    ``valid_moves()`` is a plan that breaks nothing.
    """
    schools = (
        school("U1", "urban", primary=200, required=("体育",)),
        school("U2", "urban"),
        school("R1", "rural"),
        school("T1", "town"),
        school("J1", "rural", primary=0, junior=100),
        school("O1", "rural", county="O"),
    )
    teachers = (
        teacher("u1", "U1", backbone="county"),
        teacher("u2", "U1"),
        teacher("u3", "U1"),
        teacher("u4", "U1"),
        teacher("u5", "U1", subject="体育"),
        teacher("r1", "R1", backbone="city"),
        *(teacher(f"r{i}", "R1") for i in range(2, 6)),
        *(teacher(f"t{i}", "T1") for i in range(1, 5)),
        teacher("x", "T1", years=2),
    )
    return Problem(
        name="one rule",
        year=2027,
        policy=policy(**(policy_overrides or {})),
        schools=schools,
        teachers=teachers,
        options=options or Options(),
    )


def valid_moves() -> list[Move]:
    """The two-way swap of the two backbone teachers: valid for ``one_rule_county()``."""
    return [move("u1", "U1", "R1"), move("r1", "R1", "U1")]
