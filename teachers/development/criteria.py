"""The tier criteria (梯队条件), as pure rules: a teacher's facts and the county's settings in, the
next tier and each criterion (met or not, with what the teacher has and what it needs) out.

- 新任教师 → 青年教师: years of service, and the two years of guidance signed off by the principal
  (when the teacher was mentored);
- 青年教师 or 未入梯队 → 教学骨干, 教学骨干 → 学科带头人: years of service, confirmed training hours in
  the current cycle, verified achievements at or above a level, and a backbone recognition at or
  above a level (from the honours).
A teacher who meets every criterion of the next tier is listed for promotion; re-evaluation falls
due ``tier_review_years`` after the latest award of 教学骨干 or 学科带头人.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

LEVELS = ("school", "county", "city", "province", "national")
BACKBONES = ("none", "school", "county", "city", "province")

NEXT = {"new": "young", "young": "backbone", "none": "backbone", "backbone": "leader"}


@dataclass(frozen=True)
class Facts:
    tier: str
    tier_since: date | None
    years: float  # years of service
    hours: float  # confirmed hours in the current cycle (after caps)
    achievements: Mapping[str, int] = field(default_factory=dict)  # verified achievements per level
    backbone: str = "none"
    guidance_signed_off: bool = False
    mentored: bool = False


@dataclass(frozen=True)
class Criterion:
    key: str  # years, guidance, hours, achievements, backbone
    met: bool
    have: Any
    need: Any


@dataclass(frozen=True)
class Evaluation:
    tier: str
    next_tier: str | None
    criteria: tuple[Criterion, ...]
    review_due: bool

    @property
    def eligible(self) -> bool:
        return self.next_tier is not None and all(c.met for c in self.criteria)

    @property
    def missing(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if not c.met)


def achievements_at_least(counts: Mapping[str, int], level: str) -> int:
    floor = LEVELS.index(level)
    return sum(n for lv, n in counts.items() if lv in LEVELS and LEVELS.index(lv) >= floor)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def evaluate(facts: Facts, values: Mapping[str, Any], today: date) -> Evaluation:
    target = NEXT.get(facts.tier)
    criteria: list[Criterion] = []
    if target == "young":
        need = float(values["tier_young_min_years"])
        criteria.append(Criterion("years", facts.years >= need, round(facts.years, 1), need))
        if facts.mentored:
            criteria.append(Criterion("guidance", facts.guidance_signed_off, facts.guidance_signed_off, True))
    elif target in ("backbone", "leader"):
        prefix = f"tier_{target}_"
        need_years = float(values[prefix + "min_years"])
        need_hours = float(values[prefix + "min_hours"])
        need_count = int(values[prefix + "min_achievements"])
        level = str(values[prefix + "achievement_level"])
        honour = str(values[prefix + "honour"])
        have_count = achievements_at_least(facts.achievements, level)
        criteria += [
            Criterion("years", facts.years >= need_years, round(facts.years, 1), need_years),
            Criterion("hours", facts.hours >= need_hours, facts.hours, need_hours),
            Criterion("achievements", have_count >= need_count, have_count, (need_count, level)),
            Criterion("backbone", BACKBONES.index(facts.backbone) >= BACKBONES.index(honour), facts.backbone,
                      honour),
        ]
    review_due = (facts.tier in ("backbone", "leader") and facts.tier_since is not None
                  and _add_years(facts.tier_since, int(values["tier_review_years"])) <= today)
    return Evaluation(facts.tier, target, tuple(criteria), review_due)
