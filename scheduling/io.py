"""Read and write ``rotation-instance/1`` and ``rotation-plan/1`` JSON (docs/solver/formats.md).

Reading is strict: anything that breaks the contract raises ``ProblemError`` whose message names
the offending field (``teachers[17].birth_year: expected an integer, got 'abc'``) or, for broken
JSON, the line and column. Unknown fields are ignored, as the contract lets ``/1`` grow.
Standard library only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from typing import IO, Any, TypeVar

from scheduling.problem import (
    DEFAULT_COUNTY,
    Move,
    Options,
    PinnedMove,
    Policy,
    Problem,
    ProblemError,
    RotationResult,
    School,
    Teacher,
)

INSTANCE_FORMAT = "rotation-instance/1"
PLAN_FORMAT = "rotation-plan/1"

Source = str | os.PathLike[str] | IO[str]
"""A path, or a text file object already open."""

_T = TypeVar("_T")
_MISSING = object()


# --------------------------------------------------------------------------- typed field access


def _describe(value: object) -> str:
    """How a wrong value is shown in a message: JSON-ish and short."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _type_error(where: str, expected: str, value: object) -> ProblemError:
    return ProblemError(where, f"expected {expected}, got {_describe(value)}")


def _as_int(value: object, where: str) -> int:
    # bool is an int in Python but never a count in JSON; 6.0 from a spreadsheet export is accepted.
    if isinstance(value, bool):
        raise _type_error(where, "an integer", value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise _type_error(where, "an integer", value)


def _as_number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _type_error(where, "a number", value)
    return float(value)


def _as_str(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise _type_error(where, "a string", value)
    return value


def _as_bool(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise _type_error(where, "true or false", value)
    return value


def _as_object(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _type_error(where, "an object", value)
    return value


def _as_list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _type_error(where, "a list", value)
    return value


def _field(
    obj: Mapping[str, Any], key: str, where: str, convert: Callable[[object, str], _T], default: object = _MISSING
) -> _T:
    """``obj[key]`` converted; a missing key (or null, for optional fields) gives ``default`` or an error."""
    path = f"{where}.{key}" if where else key
    value = obj.get(key, _MISSING)
    if value is _MISSING or (value is None and default is not _MISSING):
        if default is _MISSING:
            raise ProblemError(path, "missing required field")
        return default  # type: ignore[return-value]
    return convert(value, path)


def _str_list(value: object, where: str) -> tuple[str, ...]:
    return tuple(_as_str(item, f"{where}[{i}]") for i, item in enumerate(_as_list(value, where)))


def _check_format(data: Mapping[str, Any], expected: str) -> None:
    found = _field(data, "format", "", _as_str)
    if found != expected:
        raise ProblemError("format", f"expected {expected!r}, got {found!r}")


# --------------------------------------------------------------------------- JSON files


def _read_json(source: Source) -> dict[str, Any]:
    """Parse a JSON object from a path or open file; every failure becomes a ``ProblemError``."""
    try:
        if isinstance(source, str | os.PathLike):
            name = os.fspath(source)
            with open(source, encoding="utf-8-sig") as f:
                text = f.read()
        else:
            name = str(getattr(source, "name", "input"))
            text = source.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ProblemError(name, f"cannot read: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProblemError(f"line {exc.lineno}, column {exc.colno}", f"invalid JSON: {exc.msg}") from exc
    return _as_object(data, "(top level)")


def _write_json(data: Mapping[str, Any], target: Source) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    if isinstance(target, str | os.PathLike):
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        target.write(text)


# --------------------------------------------------------------------------- instance


def _policy_from_dict(d: Mapping[str, Any]) -> Policy:
    retirement = _field(d, "retirement_age", "policy", _as_object)
    cv_limit = _field(d, "cv_limit", "policy", _as_object, None)
    return Policy(
        min_years_at_school=_field(d, "min_years_at_school", "policy", _as_int),
        rotation_share=_field(d, "rotation_share", "policy", _as_number),
        max_rotation_share=_field(d, "max_rotation_share", "policy", _as_number, None),
        backbone_share=_field(d, "backbone_share", "policy", _as_number),
        retirement_age={g: _as_int(v, f"policy.retirement_age.{g}") for g, v in retirement.items()},
        retirement_buffer_years=_field(d, "retirement_buffer_years", "policy", _as_int),
        headcount_band=_field(d, "headcount_band", "policy", _as_number),
        max_outflow_share=_field(d, "max_outflow_share", "policy", _as_number),
        cv_limit=None
        if cv_limit is None
        else {stage: _as_number(v, f"policy.cv_limit.{stage}") for stage, v in cv_limit.items()},
        time_limit_s=_field(d, "time_limit_s", "policy", _as_number, 30.0),
        backbone_share_base=_field(d, "backbone_share_base", "policy", _as_str, "moves"),
    )


def _location(value: object, where: str) -> tuple[float, float]:
    items = _as_list(value, where)
    if len(items) != 2:
        raise ProblemError(where, f"expected [longitude, latitude], got {len(items)} numbers")
    return _as_number(items[0], f"{where}[0]"), _as_number(items[1], f"{where}[1]")


def _school_from_dict(value: object, where: str) -> School:
    d = _as_object(value, where)
    students = _field(d, "students", where, _as_object)
    return School(
        id=_field(d, "id", where, _as_str),
        name=_field(d, "name", where, _as_str),
        county=_field(d, "county", where, _as_str, DEFAULT_COUNTY),
        area=_field(d, "area", where, _as_str),
        students={stage: _as_int(n, f"{where}.students.{stage}") for stage, n in students.items()},
        required_subjects=_field(d, "required_subjects", where, _str_list, ()),
        location=_field(d, "location", where, _location, None),
    )


def _teacher_from_dict(value: object, where: str) -> Teacher:
    d = _as_object(value, where)
    return Teacher(
        id=_field(d, "id", where, _as_str),
        school=_field(d, "school", where, _as_str),
        stage=_field(d, "stage", where, _as_str),
        subject=_field(d, "subject", where, _as_str),
        gender=_field(d, "gender", where, _as_str),
        birth_year=_field(d, "birth_year", where, _as_int),
        years_at_school=_field(d, "years_at_school", where, _as_int),
        backbone=_field(d, "backbone", where, _as_str),
        above_required_degree=_field(d, "above_required_degree", where, _as_bool),
        exempt=_field(d, "exempt", where, _as_bool),
        on_exchange=_field(d, "on_exchange", where, _as_bool),
        wishes=_field(d, "wishes", where, _str_list, ()),
    )


def _pinned_list(value: object, where: str) -> tuple[PinnedMove, ...]:
    moves = []
    for i, item in enumerate(_as_list(value, where)):
        d = _as_object(item, f"{where}[{i}]")
        moves.append(
            PinnedMove(
                teacher=_field(d, "teacher", f"{where}[{i}]", _as_str), to=_field(d, "to", f"{where}[{i}]", _as_str)
            )
        )
    return tuple(moves)


def _pairs(value: object, where: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for i, item in enumerate(_as_list(value, where)):
        pair = _str_list(item, f"{where}[{i}]")
        if len(pair) != 2:
            raise ProblemError(f"{where}[{i}]", f"expected two school ids, got {len(pair)}")
        pairs.append((pair[0], pair[1]))
    return tuple(pairs)


def _int_map(value: object, where: str) -> dict[str, int]:
    return {key: _as_int(v, f"{where}.{key}") for key, v in _as_object(value, where).items()}


def _options_from_dict(d: Mapping[str, Any]) -> Options:
    return Options(
        pin=_field(d, "pin", "options", _pinned_list, ()),
        forbid_moves=_field(d, "forbid_moves", "options", _pinned_list, ()),
        forbid_teachers=_field(d, "forbid_teachers", "options", _str_list, ()),
        forbid_schools=_field(d, "forbid_schools", "options", _str_list, ()),
        max_backbone_loss=_field(d, "max_backbone_loss", "options", _int_map, {}),
        pairs=_field(d, "pairs", "options", _pairs, ()),
    )


def problem_from_dict(d: Mapping[str, Any]) -> Problem:
    """Build a ``Problem`` from a parsed ``rotation-instance/1`` object; raises ``ProblemError``."""
    d = _as_object(d, "(top level)")
    _check_format(d, INSTANCE_FORMAT)
    schools = _field(d, "schools", "", _as_list)
    teachers = _field(d, "teachers", "", _as_list)
    return Problem(
        name=_field(d, "name", "", _as_str),
        year=_field(d, "year", "", _as_int),
        policy=_policy_from_dict(_field(d, "policy", "", _as_object)),
        schools=tuple(_school_from_dict(s, f"schools[{i}]") for i, s in enumerate(schools)),
        teachers=tuple(_teacher_from_dict(t, f"teachers[{i}]") for i, t in enumerate(teachers)),
        options=_options_from_dict(_field(d, "options", "", _as_object, {})),
    )


def _policy_to_dict(p: Policy) -> dict[str, Any]:
    d: dict[str, Any] = {
        "min_years_at_school": p.min_years_at_school,
        "rotation_share": p.rotation_share,
        "backbone_share": p.backbone_share,
        "retirement_age": dict(p.retirement_age),
        "retirement_buffer_years": p.retirement_buffer_years,
        "headcount_band": p.headcount_band,
        "max_outflow_share": p.max_outflow_share,
        "time_limit_s": p.time_limit_s,
        "backbone_share_base": p.backbone_share_base,
    }
    if p.max_rotation_share is not None:
        d["max_rotation_share"] = p.max_rotation_share
    if p.cv_limit is not None:
        d["cv_limit"] = dict(p.cv_limit)
    return d


def _school_to_dict(s: School) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": s.id,
        "name": s.name,
        "county": s.county,
        "area": s.area,
        "students": dict(s.students),
        "required_subjects": list(s.required_subjects),
    }
    if s.location is not None:
        d["location"] = list(s.location)
    return d


def _teacher_to_dict(t: Teacher) -> dict[str, Any]:
    return {
        "id": t.id,
        "school": t.school,
        "stage": t.stage,
        "subject": t.subject,
        "gender": t.gender,
        "birth_year": t.birth_year,
        "years_at_school": t.years_at_school,
        "backbone": t.backbone,
        "above_required_degree": t.above_required_degree,
        "exempt": t.exempt,
        "on_exchange": t.on_exchange,
        "wishes": list(t.wishes),
    }


def _options_to_dict(o: Options) -> dict[str, Any]:
    d: dict[str, Any] = {}
    if o.pin:
        d["pin"] = [{"teacher": p.teacher, "to": p.to} for p in o.pin]
    if o.forbid_moves:
        d["forbid_moves"] = [{"teacher": p.teacher, "to": p.to} for p in o.forbid_moves]
    if o.forbid_teachers:
        d["forbid_teachers"] = list(o.forbid_teachers)
    if o.forbid_schools:
        d["forbid_schools"] = list(o.forbid_schools)
    if o.max_backbone_loss:
        d["max_backbone_loss"] = dict(o.max_backbone_loss)
    if o.pairs:
        d["pairs"] = [list(pair) for pair in o.pairs]
    return d


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    """The ``rotation-instance/1`` object of ``problem`` (``options`` only when HR set any)."""
    d: dict[str, Any] = {
        "format": INSTANCE_FORMAT,
        "name": problem.name,
        "year": problem.year,
        "policy": _policy_to_dict(problem.policy),
        "schools": [_school_to_dict(s) for s in problem.schools],
        "teachers": [_teacher_to_dict(t) for t in problem.teachers],
    }
    options = _options_to_dict(problem.options)
    if options:
        d["options"] = options
    return d


def load_problem(source: Source) -> Problem:
    """Read a ``rotation-instance/1`` file (path or open text file); raises ``ProblemError``."""
    return problem_from_dict(_read_json(source))


def dump_problem(problem: Problem, target: Source) -> None:
    """Write ``problem`` as ``rotation-instance/1`` JSON (UTF-8, Chinese kept readable)."""
    _write_json(problem_to_dict(problem), target)


# --------------------------------------------------------------------------- plan


def _move_from_dict(value: object, where: str) -> Move:
    d = _as_object(value, where)
    return Move(
        teacher=_field(d, "teacher", where, _as_str),
        from_school=_field(d, "from", where, _as_str),
        to_school=_field(d, "to", where, _as_str),
        reasons=_field(d, "reasons", where, _str_list, ()),
        facts=_field(d, "facts", where, _facts, ()),
    )


def _facts(value: object, where: str) -> tuple[dict[str, Any], ...]:
    return tuple(_as_object(item, f"{where}[{i}]") for i, item in enumerate(_as_list(value, where)))


def result_from_dict(d: Mapping[str, Any]) -> RotationResult:
    """Build a ``RotationResult`` from a parsed ``rotation-plan/1`` object; raises ``ProblemError``.

    ``format``, ``status`` and ``moves`` are required; the other fields default to empty. Numbers
    the plan claims are read as they are — ``scheduling.check`` recomputes them and never trusts them.
    """
    d = _as_object(d, "(top level)")
    _check_format(d, PLAN_FORMAT)
    moves = _field(d, "moves", "", _as_list)
    excluded = _field(d, "excluded", "", _as_object, {})
    stays = _field(d, "stays", "", _as_object, {})
    return RotationResult(
        status=_field(d, "status", "", _as_str),
        moves=tuple(_move_from_dict(m, f"moves[{i}]") for i, m in enumerate(moves)),
        excluded={k: _as_str(v, f"excluded.{k}") for k, v in excluded.items()},
        metrics=_field(d, "metrics", "", _as_object, {}),
        solver=_field(d, "solver", "", _as_object, {}),
        infeasibility=_field(d, "infeasibility", "", _str_list, ()),
        stays={k: _as_str(v, f"stays.{k}") for k, v in stays.items()},
        schools=_field(d, "schools", "", _as_object, {}),
        compliance=_field(d, "compliance", "", _as_object, {}),
    )


def result_to_dict(result: RotationResult) -> dict[str, Any]:
    """The ``rotation-plan/1`` object of ``result``; the extensions appear only when filled."""
    d: dict[str, Any] = {
        "format": PLAN_FORMAT,
        "status": result.status,
        "moves": [_move_to_dict(m) for m in result.moves],
        "excluded": dict(result.excluded),
        "metrics": _plain(result.metrics),
        "solver": _plain(result.solver),
        "infeasibility": list(result.infeasibility),
    }
    for key in ("stays", "schools", "compliance"):
        value = getattr(result, key)
        if value:
            d[key] = _plain(value)
    return d


def _move_to_dict(move: Move) -> dict[str, Any]:
    d: dict[str, Any] = {
        "teacher": move.teacher,
        "from": move.from_school,
        "to": move.to_school,
        "reasons": list(move.reasons),
    }
    if move.facts:
        d["facts"] = _plain(move.facts)
    return d


def _plain(value: Any) -> Any:
    """Nested mappings and tuples as JSON-ready dicts and lists."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def load_plan(source: Source) -> RotationResult:
    """Read a ``rotation-plan/1`` file (path or open text file); raises ``ProblemError``."""
    return result_from_dict(_read_json(source))


def dump_plan(result: RotationResult, target: Source) -> None:
    """Write ``result`` as ``rotation-plan/1`` JSON (UTF-8, Chinese kept readable)."""
    _write_json(result_to_dict(result), target)
