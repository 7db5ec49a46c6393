"""Tests of scheduling.io: round trips and error messages that name the field or the JSON position."""

import copy
import io as stdio
import json

import pytest
from rotation_factories import move, one_rule_county, pin

from scheduling.io import (
    dump_plan,
    dump_problem,
    load_plan,
    load_problem,
    problem_from_dict,
    problem_to_dict,
    result_from_dict,
    result_to_dict,
)
from scheduling.problem import DEFAULT_COUNTY, Options, ProblemError, RotationResult


@pytest.fixture(scope="module")
def generated(make_instance):
    """A small generated two-county instance, as parsed JSON."""
    return make_instance.make_instance(12, 2, 7)


def _options() -> Options:
    return Options(
        pin=(pin("u2", "R1"),),
        forbid_moves=(pin("u3", "T1"),),
        forbid_teachers=("t4",),
        forbid_schools=("U2",),
        max_backbone_loss={"U1": 1},
        pairs=(("U1", "R1"),),
    )


def test_problem_round_trip_through_dict_and_file(tmp_path):
    problem = one_rule_county(options=_options(), policy_overrides={"cv_limit": {"primary": 0.5}})
    assert problem_from_dict(problem_to_dict(problem)) == problem
    path = tmp_path / "instance.json"
    dump_problem(problem, path)
    assert load_problem(path) == problem
    assert "体育" in path.read_text(encoding="utf-8")  # Chinese stays readable, not \\u-escaped


def test_generated_instance_round_trip(generated):
    problem = problem_from_dict(generated)
    assert len(problem.teachers) == len(generated["teachers"])
    assert problem.schools[0].location == tuple(generated["schools"][0]["location"])
    assert problem.policy.cv_limit == {"primary": 0.5, "junior": 0.45}
    assert problem_from_dict(json.loads(json.dumps(problem_to_dict(problem)))) == problem


def test_optional_fields_take_their_defaults(generated):
    d = copy.deepcopy(generated)
    for field in ("max_rotation_share", "cv_limit", "time_limit_s"):
        del d["policy"][field]
    for s in d["schools"]:
        for field in ("county", "location", "required_subjects"):
            del s[field]
    for t in d["teachers"]:
        del t["wishes"]
    problem = problem_from_dict(d)
    assert problem.policy.max_rotation_share is None and problem.policy.cv_limit is None
    assert problem.policy.time_limit_s == 30.0 and problem.policy.backbone_share_base == "moves"
    assert {s.county for s in problem.schools} == {DEFAULT_COUNTY}
    assert all(s.location is None and s.required_subjects == () for s in problem.schools)


def test_null_optional_fields_are_absent(generated):
    d = copy.deepcopy(generated)
    d["policy"]["max_rotation_share"] = None
    d["policy"]["cv_limit"] = None
    problem = problem_from_dict(d)
    assert problem.policy.max_rotation_share is None and problem.policy.cv_limit is None


def test_options_are_read(generated):
    problem = one_rule_county()
    d = problem_to_dict(problem)
    d["options"] = {
        "pin": [{"teacher": "u2", "to": "R1"}],
        "forbid_moves": [{"teacher": "u3", "to": "T1"}],
        "forbid_teachers": ["t4"],
        "forbid_schools": ["U2"],
        "max_backbone_loss": {"U1": 1},
        "pairs": [["U1", "R1"]],
    }
    d["policy"]["backbone_share_base"] = "eligible"
    parsed = problem_from_dict(d)
    assert parsed.options == _options()
    assert parsed.policy.backbone_share_base == "eligible"


def test_plan_round_trip(tmp_path):
    result = RotationResult(
        status="feasible",
        moves=(move("u1", "U1", "R1"), move("r1", "R1", "U1")),
        excluded={"x": "E1"},
        metrics={"before": {"C": {"primary": {"L1": 0.1, "L2": 0.2, "L3": 0.3}}}},
        solver={"wall_s": 1.5, "workers": 2},
        infeasibility=(),
        stays={"u2": "not needed"},
        compliance={"C": {"H3": {"ok": True}}},
    )
    assert result_from_dict(result_to_dict(result)) == result
    path = tmp_path / "plan.json"
    dump_plan(result, path)
    assert load_plan(path) == result
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "rotation-plan/1"
    assert data["moves"][0] == {"teacher": "u1", "from": "U1", "to": "R1", "reasons": []}


def test_plan_from_open_file():
    text = '{"format": "rotation-plan/1", "status": "unknown", "moves": []}'
    assert load_plan(stdio.StringIO(text)) == RotationResult(status="unknown")


# --------------------------------------------------------------------------- errors


def _error(d) -> str:
    with pytest.raises(ProblemError) as info:
        problem_from_dict(d)
    return str(info.value)


def test_malformed_json_reports_line_and_column():
    text = '{\n  "format": "rotation-instance/1",\n  "name": "x",,\n}'
    with pytest.raises(ProblemError) as info:
        load_problem(stdio.StringIO(text))
    assert str(info.value).startswith("line 3, column 15: invalid JSON")


def test_wrong_type_names_the_field(generated):
    d = copy.deepcopy(generated)
    d["teachers"][17]["birth_year"] = "abc"
    assert _error(d) == "teachers[17].birth_year: expected an integer, got 'abc'"
    d = copy.deepcopy(generated)
    d["teachers"][2]["exempt"] = "no"
    assert _error(d) == "teachers[2].exempt: expected true or false, got 'no'"
    d = copy.deepcopy(generated)
    d["policy"]["rotation_share"] = True
    assert _error(d) == "policy.rotation_share: expected a number, got True"
    d = copy.deepcopy(generated)
    d["schools"][3]["students"]["junior"] = 12.5
    assert _error(d) == "schools[3].students.junior: expected an integer, got 12.5"
    d = copy.deepcopy(generated)
    d["schools"] = {}
    assert _error(d) == "schools: expected a list, got an object"


def test_missing_field_is_named(generated):
    d = copy.deepcopy(generated)
    del d["teachers"][4]["gender"]
    assert _error(d) == "teachers[4].gender: missing required field"
    d = copy.deepcopy(generated)
    del d["policy"]["retirement_age"]
    assert _error(d) == "policy.retirement_age: missing required field"


def test_missing_or_wrong_format(generated):
    d = copy.deepcopy(generated)
    del d["format"]
    assert _error(d) == "format: missing required field"
    d["format"] = "rotation-plan/1"
    assert _error(d) == "format: expected 'rotation-instance/1', got 'rotation-plan/1'"
    with pytest.raises(ProblemError, match="format"):
        result_from_dict({"format": "rotation-instance/1", "status": "optimal", "moves": []})


def test_contract_violations_from_the_dataclasses_propagate(generated):
    d = copy.deepcopy(generated)
    d["teachers"][0]["school"] = "NOWHERE"
    assert "unknown school 'NOWHERE'" in _error(d)
    d = copy.deepcopy(generated)
    d["schools"][0]["area"] = "suburb"
    assert ".area" in _error(d)


def test_bad_plan_fields_are_named():
    with pytest.raises(ProblemError, match=r"^moves\[1\]\.to: missing required field$"):
        result_from_dict(
            {
                "format": "rotation-plan/1",
                "status": "optimal",
                "moves": [{"teacher": "a", "from": "A", "to": "B"}, {"teacher": "b", "from": "A"}],
            }
        )
    with pytest.raises(ProblemError, match="^status: must be one of"):
        result_from_dict({"format": "rotation-plan/1", "status": "done", "moves": []})


def test_unreadable_file_and_top_level(tmp_path):
    with pytest.raises(ProblemError, match="cannot read"):
        load_problem(tmp_path / "missing.json")
    with pytest.raises(ProblemError, match=r"^\(top level\): expected an object, got a list$"):
        load_problem(stdio.StringIO("[1, 2]"))
