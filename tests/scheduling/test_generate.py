"""The project's own instance generator: deterministic, valid, shaped as documented, options honoured."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest
from rotation_factories import REPO_ROOT

from scheduling import rules
from scheduling.generate import NATIONAL_POLICY, SIZES, STRICT_POLICY, make_instance
from scheduling.io import problem_from_dict


def test_same_arguments_same_instance_other_seed_other_instance():
    assert make_instance(30, 2, 5) == make_instance(30, 2, 5)
    assert make_instance(30, 2, 5) != make_instance(30, 2, 6)


def test_instances_read_back_under_the_contract():
    for n_schools, n_counties in [(1, 1), (3, 1), (17, 4), (40, 1)]:
        data = make_instance(n_schools, n_counties, 3)
        problem = problem_from_dict(data)
        assert len(problem.schools) == n_schools
        assert len(rules.counties(problem)) == n_counties
        assert data["format"] == "rotation-instance/1"


def test_named_sizes_and_their_shape():
    assert SIZES == {"county": (40, 1), "prefecture": (240, 6), "district": (300, 1)}
    data = make_instance(*SIZES["county"], 1)
    areas = Counter(s["area"] for s in data["schools"])
    assert areas["rural"] > areas["town"] > areas["urban"] > 0
    by_area: dict[str, list[int]] = {}
    backbone: dict[str, list[bool]] = {}
    area_of = {s["id"]: s["area"] for s in data["schools"]}
    for s in data["schools"]:
        by_area.setdefault(s["area"], []).append(s["students"]["primary"] + s["students"]["junior"])
    for t in data["teachers"]:
        backbone.setdefault(area_of[t["school"]], []).append(t["backbone"] in ("county", "city", "province"))
    # county-town schools are larger and richer in backbone teachers than village schools
    assert min(by_area["urban"]) > max(p for p in by_area["rural"])
    share = {a: sum(v) / len(v) for a, v in backbone.items()}
    assert share["urban"] > 2 * share["rural"]


def test_teaching_points_option_counts_small_schools():
    def points(share: float) -> int:
        data = make_instance(200, 1, 2, teaching_points=share)
        return sum(1 for s in data["schools"] if 0 < s["students"]["primary"] < rules.MIN_PUPILS_FOR_INDICATOR)

    assert points(0.0) == 0
    assert points(0.6) > points(0.25) > 0


def test_policies_change_the_numbers_not_the_people():
    national, strict = make_instance(20, 1, 4), make_instance(20, 1, 4, policy="strict")
    assert national["teachers"] == strict["teachers"] and national["schools"] == strict["schools"]
    assert {k: national["policy"][k] for k in NATIONAL_POLICY} == dict(NATIONAL_POLICY)
    assert {k: strict["policy"][k] for k in STRICT_POLICY} == dict(STRICT_POLICY)
    custom = make_instance(20, 1, 4, policy={"rotation_share": 0.2})
    assert custom["policy"]["rotation_share"] == 0.2
    with pytest.raises(ValueError):
        make_instance(20, 1, 4, policy="lenient")
    with pytest.raises(TypeError):
        make_instance(20, 1, 4, colour="red")


def test_wishes_are_admissible_destinations():
    data = make_instance(40, 2, 8)
    school = {s["id"]: s for s in data["schools"]}
    wished = 0
    for t in data["teachers"]:
        for w in t["wishes"]:
            wished += 1
            home, dest = school[t["school"]], school[w]
            assert dest["county"] == home["county"] and dest["area"] != home["area"]
            assert dest["students"][t["stage"]] > 0
        assert len(t["wishes"]) == len(set(t["wishes"])) <= 3
    assert wished > 0


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scheduling", "generate", *args], capture_output=True, text=True, cwd=REPO_ROOT, check=False
    )


def test_command_line_writes_the_instance(tmp_path):
    out = tmp_path / "x.json"
    done = _cli("custom", "--schools", "12", "--counties", "2", "--seed", "7", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text(encoding="utf-8")) == make_instance(12, 2, 7)
    assert "12 所学校" in done.stdout


def test_command_line_bad_sizes_answer_in_words(tmp_path):
    done = _cli("custom", "-o", str(tmp_path / "x.json"))
    assert done.returncode == 2 and "--schools" in done.stderr
    done = _cli("custom", "--schools", "2", "--counties", "5", "-o", str(tmp_path / "x.json"), "--lang", "en")
    assert done.returncode == 2 and "cannot generate" in done.stderr
    assert not (tmp_path / "x.json").exists()
