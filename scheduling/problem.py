"""The solver's vocabulary: frozen dataclasses for a rotation instance and its plan.

Mirrors ``rotation-instance/1`` and ``rotation-plan/1`` (docs/solver/formats.md).
Invariants are checked in ``__post_init__`` so that a malformed problem fails where it is
built, with a message that names the offending field; ``scheduling.io`` turns JSON into these.
Standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

AREAS = ("urban", "town", "rural")
STAGES = ("primary", "junior")
BACKBONE_LEVELS = ("none", "school", "county", "city", "province")
#: "Backbone" in the rules means county level or higher (县级以上骨干).
BACKBONE_COUNTED = frozenset({"county", "city", "province"})
#: Subjects that make a PE/art teacher (体育、艺术专任教师) for indicator L3.
PE_ART_SUBJECTS = frozenset({"体育", "音乐", "美术"})
GENDERS = ("M", "F")
DEFAULT_COUNTY = "default"
STATUSES = ("optimal", "feasible", "infeasible", "unknown")


class ProblemError(ValueError):
    """An instance that breaks the contract; ``field`` names where (e.g. ``teachers[3].stage``)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _require(condition: bool, field_name: str, message: str) -> None:
    if not condition:
        raise ProblemError(field_name, message)


@dataclass(frozen=True)
class Policy:
    """Policy numbers for one round. The solver has no defaults of its own: every number comes in here."""

    min_years_at_school: int
    rotation_share: float
    backbone_share: float
    retirement_age: Mapping[str, int]
    retirement_buffer_years: int
    headcount_band: float
    max_outflow_share: float
    max_rotation_share: float | None = None
    cv_limit: Mapping[str, float] | None = None
    time_limit_s: float = 30.0
    #: Base of H4: "moves" (national opinion: share of movers) or "eligible" (Anhui: share of eligible).
    backbone_share_base: str = "moves"

    def __post_init__(self) -> None:
        _require(self.min_years_at_school >= 0, "policy.min_years_at_school", "must be >= 0")
        for name in ("rotation_share", "backbone_share", "headcount_band", "max_outflow_share"):
            value = getattr(self, name)
            _require(0 <= value <= 1, f"policy.{name}", f"must be between 0 and 1, got {value}")
        if self.max_rotation_share is not None:
            _require(0 <= self.max_rotation_share <= 1, "policy.max_rotation_share", "must be between 0 and 1")
        _require(set(self.retirement_age) >= set(GENDERS), "policy.retirement_age", "needs M and F")
        _require(self.retirement_buffer_years >= 0, "policy.retirement_buffer_years", "must be >= 0")
        if self.cv_limit is not None:
            for stage, limit in self.cv_limit.items():
                _require(stage in STAGES, f"policy.cv_limit.{stage}", f"stage must be one of {STAGES}")
                _require(limit > 0, f"policy.cv_limit.{stage}", "must be > 0")
        _require(self.time_limit_s > 0, "policy.time_limit_s", "must be > 0")
        _require(self.backbone_share_base in ("moves", "eligible"), "policy.backbone_share_base",
                 "must be 'moves' or 'eligible'")


@dataclass(frozen=True)
class School:
    id: str
    name: str
    area: str
    students: Mapping[str, int]
    county: str = DEFAULT_COUNTY
    required_subjects: tuple[str, ...] = ()
    location: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        _require(bool(self.id), "schools[].id", "must not be empty")
        _require(self.area in AREAS, f"schools[{self.id}].area", f"must be one of {AREAS}, got {self.area!r}")
        for stage, pupils in self.students.items():
            _require(stage in STAGES, f"schools[{self.id}].students.{stage}", f"stage must be one of {STAGES}")
            _require(pupils >= 0, f"schools[{self.id}].students.{stage}", "must be >= 0")

    def pupils(self, stage: str) -> int:
        return int(self.students.get(stage, 0))


@dataclass(frozen=True)
class Teacher:
    id: str
    school: str
    stage: str
    subject: str
    gender: str
    birth_year: int
    years_at_school: int
    backbone: str = "none"
    above_required_degree: bool = False
    exempt: bool = False
    on_exchange: bool = False
    wishes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        where = f"teachers[{self.id}]"
        _require(bool(self.id), "teachers[].id", "must not be empty")
        _require(self.stage in STAGES, f"{where}.stage", f"must be one of {STAGES}, got {self.stage!r}")
        _require(self.gender in GENDERS, f"{where}.gender", f"must be one of {GENDERS}, got {self.gender!r}")
        _require(self.backbone in BACKBONE_LEVELS, f"{where}.backbone",
                 f"must be one of {BACKBONE_LEVELS}, got {self.backbone!r}")
        _require(self.years_at_school >= 0, f"{where}.years_at_school", "must be >= 0")

    @property
    def is_backbone(self) -> bool:
        return self.backbone in BACKBONE_COUNTED

    @property
    def is_pe_art(self) -> bool:
        return self.subject in PE_ART_SUBJECTS


@dataclass(frozen=True)
class PinnedMove:
    teacher: str
    to: str


@dataclass(frozen=True)
class Options:
    """What HR asks of one solve beyond the policy (optional ``options`` object of the instance).

    - ``pin``: these moves must be in the plan;
    - ``forbid_moves``: these (teacher, destination) pairs must not be;
    - ``forbid_teachers``: these teachers stay;
    - ``forbid_schools``: these schools neither send nor receive;
    - ``max_backbone_loss``: school id → most backbone teachers it may send;
    - ``pairs``: paired schools (大学区, 对口支援); moves between them are preferred, not required.
    """

    pin: tuple[PinnedMove, ...] = ()
    forbid_moves: tuple[PinnedMove, ...] = ()
    forbid_teachers: tuple[str, ...] = ()
    forbid_schools: tuple[str, ...] = ()
    max_backbone_loss: Mapping[str, int] = field(default_factory=dict)
    pairs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Problem:
    name: str
    year: int
    policy: Policy
    schools: tuple[School, ...]
    teachers: tuple[Teacher, ...]
    options: Options = field(default_factory=Options)

    def __post_init__(self) -> None:
        school_ids = [s.id for s in self.schools]
        dup = _first_duplicate(school_ids)
        _require(dup is None, f"schools[{dup}].id", "duplicate school id")
        teacher_ids = [t.id for t in self.teachers]
        dup = _first_duplicate(teacher_ids)
        _require(dup is None, f"teachers[{dup}].id", "duplicate teacher id")
        known = set(school_ids)
        for t in self.teachers:
            _require(t.school in known, f"teachers[{t.id}].school", f"unknown school {t.school!r}")
            for w in t.wishes:
                _require(w in known, f"teachers[{t.id}].wishes", f"unknown school {w!r}")
        teachers = set(teacher_ids)
        for i, p in enumerate(self.options.pin):
            _require(p.teacher in teachers, f"options.pin[{i}].teacher", f"unknown teacher {p.teacher!r}")
            _require(p.to in known, f"options.pin[{i}].to", f"unknown school {p.to!r}")
        for i, p in enumerate(self.options.forbid_moves):
            _require(p.teacher in teachers, f"options.forbid_moves[{i}].teacher", f"unknown teacher {p.teacher!r}")
            _require(p.to in known, f"options.forbid_moves[{i}].to", f"unknown school {p.to!r}")
        for t in self.options.forbid_teachers:
            _require(t in teachers, "options.forbid_teachers", f"unknown teacher {t!r}")
        for s in self.options.forbid_schools:
            _require(s in known, "options.forbid_schools", f"unknown school {s!r}")
        for s, cap in self.options.max_backbone_loss.items():
            _require(s in known, "options.max_backbone_loss", f"unknown school {s!r}")
            _require(cap >= 0, f"options.max_backbone_loss.{s}", "must be >= 0")
        for i, (a, b) in enumerate(self.options.pairs):
            _require(a in known and b in known, f"options.pairs[{i}]", f"unknown school in pair ({a!r}, {b!r})")


@dataclass(frozen=True)
class Move:
    """One exchange. ``reasons`` are sentences for people; ``facts`` the same reasons as small JSON-ready
    dicts for programs that word them themselves (``{"rule": "E1", "years": 9, "required": 6}``,
    ``{"indicator": "L2", "school": "LJ-P07", "before": 0.31, "after": 0.52}``, ``{"wish": 1}``, ``{"km": 12.3}``)."""

    teacher: str
    from_school: str
    to_school: str
    reasons: tuple[str, ...] = ()
    facts: tuple[Mapping[str, object], ...] = field(default=(), hash=False)


@dataclass(frozen=True)
class RotationResult:
    """A ``rotation-plan/1``. ``metrics`` is {"before"|"after": {county: {stage: {"L1".."L3": cv}}}}."""

    status: str
    moves: tuple[Move, ...] = ()
    excluded: Mapping[str, str] = field(default_factory=dict)
    metrics: Mapping[str, Mapping] = field(default_factory=dict)
    solver: Mapping[str, object] = field(default_factory=dict)
    infeasibility: tuple[str, ...] = ()
    #: Extensions allowed within /1: why each eligible teacher stays, per-school before/after, H3–H8 numbers.
    stays: Mapping[str, str] = field(default_factory=dict)
    schools: Mapping[str, Mapping] = field(default_factory=dict)
    compliance: Mapping[str, Mapping] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _require(self.status in STATUSES, "status", f"must be one of {STATUSES}, got {self.status!r}")


def _first_duplicate(items: list[str]) -> str | None:
    seen: set[str] = set()
    for item in items:
        if item in seen:
            return item
        seen.add(item)
    return None
