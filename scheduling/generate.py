"""The project's own synthetic rotation instances (``rotation-instance/1``), for tests and benchmarks.

    python -m scheduling generate county -o county.json
    python -m scheduling generate prefecture --seed 2 -o prefecture.json
    python -m scheduling generate district --policy strict -o district.json
    python -m scheduling generate custom --schools 120 --counties 3 --teaching-points 0.3 -o x.json

``make_instance(n_schools, n_counties, seed, **options)`` returns the instance as a dict. The same
arguments always give the same instance (one ``random.Random`` seeded from all of them, no clock,
no hash of a set). Standard library only.

How the schools look (docs/solver/instances.md explains the choices):

- each county has about a fifth of its schools in the county town (城区), a third in townships
  (镇区) and the rest in villages (乡村); a share of the village schools are teaching points
  (教学点) with fewer than 50 pupils, which stay outside the balance indicators;
- a school is a primary school, a junior middle school or a nine-year school; pupils by area:
  town-centre schools are large, village schools small;
- staffing follows the pupil–teacher ratio of the stage with a floor for small schools; the
  county-town schools hold more backbone teachers (县级以上骨干), more teachers with a degree above
  the requirement and more PE/art specialists — the imbalance that rotation is meant to reduce;
- every teacher has an age, years at the school (geometric: many short stays, a few long ones),
  a gender, a subject and flags for exemption and current exchange; some state up to three wishes
  among the schools they may move to, nearer ones more often.

Options:

- ``policy``: ``"national"`` (the national guideline's numbers, the default), ``"strict"`` (a
  bureau that asks more: larger rotation and backbone shares, a tighter headcount band, tighter
  coefficient limits) or a dict of policy fields that replace the national ones;
- ``teaching_points``: share of village schools that are teaching points (default 0.25);
- ``year`` (default 2027), ``time_limit_s`` (default 30 up to 60 schools, else 60);
- ``wishes``: whether teachers state wishes (default True).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Mapping
from typing import Any

#: Named sizes: (schools, counties).
SIZES: Mapping[str, tuple[int, int]] = {"county": (40, 1), "prefecture": (240, 6), "district": (300, 1)}
POLICIES = ("national", "strict")

#: Policy numbers of the national guideline (see docs/policy.md for the sources).
NATIONAL_POLICY: Mapping[str, Any] = {
    "min_years_at_school": 6,
    "rotation_share": 0.10,
    "max_rotation_share": 0.15,
    "backbone_share": 0.20,
    "retirement_age": {"M": 60, "F": 55},
    "retirement_buffer_years": 3,
    "headcount_band": 0.10,
    "max_outflow_share": 0.20,
    "cv_limit": {"primary": 0.50, "junior": 0.45},
}
#: A bureau that asks more than the guideline (shares up, bands and limits tighter).
STRICT_POLICY: Mapping[str, Any] = {
    **NATIONAL_POLICY,
    "min_years_at_school": 5,
    "rotation_share": 0.12,
    "max_rotation_share": 0.16,
    "backbone_share": 0.30,
    "headcount_band": 0.08,
    "max_outflow_share": 0.15,
    "cv_limit": {"primary": 0.45, "junior": 0.40},
}

#: Fictional county names (not real places).
COUNTIES = ("青溪县", "松原县", "白石县", "柳河县", "云台县", "石门县", "安平县", "桃源县")
PLACES = ("东城", "西城", "南关", "北关", "中心", "河东", "河西", "新华")
VILLAGES = ("杨树", "石桥", "三岔", "马鞍", "双山", "红旗", "前进", "黄泥", "大川", "小河", "高岭", "沙坪")

#: Subjects and their weights per stage.
SUBJECTS: Mapping[str, Mapping[str, int]] = {
    "primary": {"语文": 28, "数学": 24, "英语": 9, "科学": 6, "道德与法治": 5, "信息技术": 3,
                "体育": 9, "音乐": 7, "美术": 6},
    "junior": {"语文": 14, "数学": 14, "英语": 13, "物理": 8, "化学": 6, "生物": 5, "历史": 6,
               "地理": 5, "道德与法治": 7, "信息技术": 2, "体育": 8, "音乐": 4, "美术": 4},
}
REQUIRED: Mapping[str, tuple[str, ...]] = {
    "primary": ("语文", "数学", "英语", "体育", "音乐", "美术"),
    "junior": ("语文", "数学", "英语", "物理", "化学", "体育", "音乐", "美术"),
}
#: Pupils per teacher by stage (national staffing standard, rounded).
PUPILS_PER_TEACHER: Mapping[str, float] = {"primary": 19.0, "junior": 13.5}
#: Pupil ranges per (area, stage); teaching points are drawn separately.
PUPILS: Mapping[str, Mapping[str, tuple[int, int]]] = {
    "urban": {"primary": (650, 2300), "junior": (450, 1500)},
    "town": {"primary": (180, 850), "junior": (150, 650)},
    "rural": {"primary": (55, 330), "junior": (60, 300)},
}
TEACHING_POINT_PUPILS = (6, 46)
#: Chance per teacher of each recognition, by area class of the school (urban rich, rural poor).
BACKBONE_RATES: Mapping[str, tuple[tuple[str, float], ...]] = {
    "urban": (("province", 0.025), ("city", 0.06), ("county", 0.12), ("school", 0.15)),
    "town": (("province", 0.008), ("city", 0.025), ("county", 0.07), ("school", 0.12)),
    "rural": (("province", 0.003), ("city", 0.01), ("county", 0.04), ("school", 0.10)),
}
DEGREE_RATE: Mapping[str, float] = {"urban": 0.85, "town": 0.65, "rural": 0.5}
#: Extra weight on PE/art subjects in the county town (specialists gather there).
PE_ART_BOOST: Mapping[str, float] = {"urban": 1.4, "town": 1.0, "rural": 0.6}


def make_instance(n_schools: int, n_counties: int = 1, seed: int = 1, **options: Any) -> dict:
    """A ``rotation-instance/1`` dict with ``n_schools`` schools spread over ``n_counties`` counties.

    Deterministic in all its arguments. See the module docstring for ``options``."""
    unknown = set(options) - {"policy", "teaching_points", "year", "time_limit_s", "wishes"}
    if unknown:
        raise TypeError(f"unknown option {min(unknown)!r}")
    if n_schools < 1 or n_counties < 1 or n_counties > n_schools:
        raise ValueError("need at least one school per county")
    policy_option = options.get("policy", "national")
    teaching_points = float(options.get("teaching_points", 0.25))
    if not 0 <= teaching_points <= 1:
        raise ValueError("teaching_points must be between 0 and 1")
    year = int(options.get("year", 2027))
    wishes = bool(options.get("wishes", True))
    policy = _policy(policy_option)
    policy["time_limit_s"] = options.get("time_limit_s", 30 if n_schools <= 60 else 60)

    label = policy_option if isinstance(policy_option, str) else "custom"
    # the policy does not enter the seed: the same schools and teachers under another policy
    rng = random.Random(f"rotation/{n_schools}/{n_counties}/{seed}/{teaching_points}/{year}")
    schools: list[dict] = []
    teachers: list[dict] = []
    base, extra = divmod(n_schools, n_counties)
    for c in range(n_counties):
        county = COUNTIES[c % len(COUNTIES)] + ("" if c < len(COUNTIES) else f"{c // len(COUNTIES) + 1}")
        centre = (112.0 + 0.7 * c, 34.0 + 0.4 * (c % 4))
        count = base + (1 if c < extra else 0)
        here = [_school(rng, county, c, i, centre, area, teaching_points) for i, area in enumerate(_areas(rng, count))]
        schools += here
        for s in here:
            teachers += _teachers(rng, s, year, len(teachers))
    if wishes:
        _add_wishes(rng, schools, teachers)
    name = f"生成算例 {n_schools} 所学校 {n_counties} 个县 种子 {seed}" + ("" if label == "national" else f" {label}")
    return {"format": "rotation-instance/1", "name": name, "year": year, "policy": policy,
            "schools": schools, "teachers": teachers}


def _policy(option: str | Mapping[str, Any]) -> dict:
    if isinstance(option, Mapping):
        unknown = set(option) - set(NATIONAL_POLICY) - {"backbone_share_base", "time_limit_s"}
        if unknown:
            raise ValueError(f"unknown policy field {min(unknown)!r}")
        return json.loads(json.dumps({**NATIONAL_POLICY, **option}))
    if option not in POLICIES:
        raise ValueError(f"policy must be one of {POLICIES} or a dict, got {option!r}")
    return json.loads(json.dumps(NATIONAL_POLICY if option == "national" else STRICT_POLICY))


def _areas(rng: random.Random, count: int) -> list[str]:
    """Area classes of a county's schools: about 20 % urban, 30 % town, the rest rural; each class present."""
    if count < 3:
        return ["urban", "rural", "town"][:count]
    urban = max(1, round(0.2 * count))
    town = max(1, round(0.3 * count))
    areas = ["urban"] * urban + ["town"] * town + ["rural"] * max(1, count - urban - town)
    areas = areas[:count]
    rng.shuffle(areas)
    return areas


def _school(rng: random.Random, county: str, c: int, index: int, centre, area: str, tp_share: float) -> dict:
    point = area == "rural" and rng.random() < tp_share
    if point:
        kind, stages = "教学点", ("primary",)
    else:
        kind, stages = rng.choices(
            [("小学", ("primary",)), ("初级中学", ("junior",)), ("九年一贯制学校", ("primary", "junior"))],
            weights=[6, 2, 2] if area != "urban" else [5, 3, 2],
        )[0]
    students = {"primary": 0, "junior": 0}
    for stage in stages:
        low, high = TEACHING_POINT_PUPILS if point else PUPILS[area][stage]
        # more small schools than large ones within a class
        students[stage] = int(low + (high - low) * rng.random() ** 1.3)
    radius = {"urban": 0.04, "town": 0.18, "rural": 0.4}[area]
    angle = rng.uniform(0, 2 * math.pi)
    distance = radius * math.sqrt(rng.random())
    place = rng.choice(PLACES) if area == "urban" else rng.choice(VILLAGES) + ("镇" if area == "town" else "村")
    return {
        "id": f"K{c + 1:02d}-{index + 1:03d}",
        "name": f"{county}{place}{kind}" + ("" if kind == "教学点" else f"（{index + 1}）"),
        "county": county,
        "area": area,
        "students": students,
        "required_subjects": sorted({j for stage in stages for j in REQUIRED[stage]}) if not point else [],
        "location": [round(centre[0] + distance * math.cos(angle), 4), round(centre[1] + distance * math.sin(angle), 4)],
    }


def _teachers(rng: random.Random, school: dict, year: int, start: int) -> list[dict]:
    area = school["area"]
    found = []
    for stage, pupils in school["students"].items():
        if pupils <= 0:
            continue
        floor = 2 if pupils < 50 else 5
        count = max(floor, round(pupils / PUPILS_PER_TEACHER[stage] * rng.uniform(0.9, 1.1)))
        weights = {j: w * (PE_ART_BOOST[area] if j in ("体育", "音乐", "美术") else 1.0)
                   for j, w in SUBJECTS[stage].items()}
        subjects = list(weights)
        for _ in range(count):
            age = rng.randint(23, 59)
            career = max(0, age - rng.randint(21, 24))
            years_here = min(career, int(rng.expovariate(1 / (8.5 if area == "urban" else 6.5))))
            draw, backbone = rng.random(), "none"
            for level, rate in BACKBONE_RATES[area]:
                if draw < rate:
                    backbone = level
                    break
                draw -= rate
            found.append({
                "id": f"J{start + len(found) + 1:06d}",
                "school": school["id"],
                "stage": stage,
                "subject": rng.choices(subjects, weights=[weights[j] for j in subjects])[0],
                "gender": "F" if rng.random() < 0.64 else "M",
                "birth_year": year - age,
                "years_at_school": years_here,
                "backbone": backbone,
                "above_required_degree": rng.random() < DEGREE_RATE[area],
                "exempt": rng.random() < 0.025,
                "on_exchange": rng.random() < 0.02,
                "wishes": [],
            })
    return found


def _add_wishes(rng: random.Random, schools: list[dict], teachers: list[dict]) -> None:
    """Up to three wishes per teacher among admissible schools of the county, nearer ones likelier."""
    by_id = {s["id"]: s for s in schools}
    by_county: dict[str, list[dict]] = {}
    for s in schools:
        by_county.setdefault(s["county"], []).append(s)
    for t in teachers:
        if rng.random() < 0.45:
            continue
        home = by_id[t["school"]]
        options = [s for s in by_county[home["county"]] if s["area"] != home["area"] and s["students"][t["stage"]] > 0]
        if not options:
            continue
        hx, hy = home["location"]
        weights = [1.0 / (0.02 + math.hypot(s["location"][0] - hx, s["location"][1] - hy)) for s in options]
        chosen: list[str] = []
        for _ in range(min(len(options), rng.randint(1, 3))):
            pick = rng.choices(range(len(options)), weights=weights)[0]
            if options[pick]["id"] not in chosen:
                chosen.append(options[pick]["id"])
        t["wishes"] = chosen


# --------------------------------------------------------------------------- command line


def add_arguments(parser: argparse.ArgumentParser, say) -> None:
    """The ``generate`` sub-command's arguments; ``say(key)`` gives the help text in the CLI's language."""
    parser.add_argument("size", choices=[*SIZES, "custom"], help=say("gen.size"))
    parser.add_argument("--schools", type=int, help=say("gen.schools"))
    parser.add_argument("--counties", type=int, default=1, help=say("gen.counties"))
    parser.add_argument("--seed", type=int, default=1, help=say("gen.seed"))
    parser.add_argument("--policy", choices=POLICIES, default="national", help=say("gen.policy"))
    parser.add_argument("--teaching-points", type=float, default=0.25, help=say("gen.teaching_points"))
    parser.add_argument("--year", type=int, default=2027, help=say("gen.year"))
    parser.add_argument("-o", "--output", required=True, help=say("gen.output"))


def run_generate(args: argparse.Namespace, lang: str) -> int:
    from scheduling.messages import text

    if args.size == "custom":
        if args.schools is None:
            print(text("gen.need_schools", lang), file=sys.stderr)
            return 2
        n_schools, n_counties = args.schools, args.counties
    else:
        n_schools, n_counties = SIZES[args.size]
    try:
        instance = make_instance(n_schools, n_counties, args.seed, policy=args.policy,
                                 teaching_points=args.teaching_points, year=args.year)
    except ValueError:
        print(text("gen.bad_sizes", lang, schools=n_schools, counties=n_counties,
                   share=args.teaching_points), file=sys.stderr)
        return 2
    try:
        with open(args.output, "w", encoding="utf-8") as f:
            json.dump(instance, f, ensure_ascii=False, indent=1)
    except OSError as exc:
        print(text("cli.cannot_write", lang, path=args.output, error=exc), file=sys.stderr)
        return 2
    print(text("gen.done", lang, path=args.output, schools=len(instance["schools"]),
               teachers=len(instance["teachers"]), counties=n_counties))
    return 0
