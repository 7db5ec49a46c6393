"""``python -m scheduling solve|check|bench`` end to end, in a fresh interpreter as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from rotation_factories import REPO_ROOT, make_instance_module

from scheduling import check
from scheduling.io import dump_problem, load_plan, load_problem, problem_from_dict


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scheduling", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "instance.json"
    dump_problem(problem_from_dict(make_instance_module().make_instance(10, 1, 3)), path)
    return path


def test_solve_writes_a_plan_that_check_accepts(instance, tmp_path):
    plan = tmp_path / "plan.json"
    # no wall-clock assertion here: the time limit is tested once, in test_solve.test_time_limit_is_kept
    done = run(
        "solve", str(instance), "-o", str(plan), "--time-limit", "3", "--workers", "2", "--seed", "1", "--lang", "en"
    )
    assert done.returncode == 0, done.stderr
    assert "status" in done.stdout
    data = json.loads(plan.read_text(encoding="utf-8"))
    assert data["format"] == "rotation-plan/1"
    assert data["status"] in ("optimal", "feasible")
    assert {"wall_s", "objective", "bound", "gap", "workers", "seed", "ortools"} <= set(data["solver"])
    assert data["solver"]["seed"] == 1 and data["solver"]["workers"] == 2
    assert all(m["reasons"] for m in data["moves"])
    assert check.validate(load_problem(instance), load_plan(plan)) == []
    checked = run("check", str(instance), str(plan), "--lang", "en")
    assert checked.returncode == 0, checked.stdout
    assert "every hard rule holds" in checked.stdout


def test_infeasible_instance_still_writes_a_plan_and_exits_0(tmp_path):
    data = make_instance_module().make_instance(10, 1, 4)
    for school in data["schools"][1:]:
        school["area"] = data["schools"][0]["area"]  # one area class: H2 leaves no move for H3
    instance, plan = tmp_path / "instance.json", tmp_path / "plan.json"
    instance.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    done = run("solve", str(instance), "-o", str(plan), "--time-limit", "3")
    assert done.returncode == 0, done.stderr
    written = json.loads(plan.read_text(encoding="utf-8"))
    assert written["status"] == "infeasible"
    assert any("H3" in line and "H2" in line for line in written["infeasibility"])
    assert "Traceback" not in done.stderr
    assert run("check", str(instance), str(plan)).returncode == 3


def test_unreadable_input_exits_non_zero_naming_the_field(instance, tmp_path):
    data = json.loads(instance.read_text(encoding="utf-8"))
    data["teachers"][3]["birth_year"] = "abc"
    broken, plan = tmp_path / "broken.json", tmp_path / "plan.json"
    broken.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    done = run("solve", str(broken), "-o", str(plan))
    assert done.returncode != 0
    assert "teachers[3].birth_year" in done.stderr
    assert "Traceback" not in done.stderr
    assert not plan.exists()


def test_invalid_json_names_the_line(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "rotation-instance/1",\n "name": }', encoding="utf-8")
    done = run("solve", str(broken), "-o", str(tmp_path / "plan.json"))
    assert done.returncode != 0
    assert "line 2" in done.stderr


def test_bench_rejects_an_unknown_size():
    done = run("bench", "--sizes", "galaxy")
    assert done.returncode != 0 and "galaxy" in done.stderr


# --------------------------------------------------------------------------- languages of the command line


def test_help_reads_in_chinese_by_default_and_in_english_on_request():
    zh = run("solve", "--help")
    assert zh.returncode == 0
    assert "用法" in zh.stdout and "写出方案的文件" in zh.stdout and "显示本帮助并退出" in zh.stdout
    en = run("solve", "--help", "--lang", "en")
    assert en.returncode == 0
    assert "usage:" in en.stdout and "where to write the plan" in en.stdout
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en.stdout.replace("交流轮岗", ""))


def test_argument_errors_in_the_chosen_language():
    zh = run("solve")
    assert zh.returncode == 2 and "缺少必填参数" in zh.stderr and "instance" in zh.stderr
    en = run("solve", "--lang", "en")
    assert en.returncode == 2 and "the following arguments are required" in en.stderr
    bad = run("bench", "--sizes", "galaxy", "--lang", "en")
    assert bad.returncode == 2 and "unknown instance 'galaxy'" in bad.stderr


def test_bench_prints_both_solvers_side_by_side_and_every_plan_passes_check(tmp_path):
    out = tmp_path / "bench"
    done = run("bench", "--sizes", "county-none", "--time-limit", "3", "--workers", "1", "--out", str(out),
               timeout=240)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any("本求解器" in line for line in lines) and any("参考模型" in line for line in lines)
    assert any("比值" in line for line in lines)
    rows = [line.split() for line in lines if line.strip().startswith("county-none")]
    assert len(rows) == 2 and all(row[-1] == "0" for row in rows)  # no violation, either side
    problem = load_problem(out / "county-none.json")
    plan = load_plan(out / "county-none-plan.json")
    assert check.validate(problem, plan.moves) == []
