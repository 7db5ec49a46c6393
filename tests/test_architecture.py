"""The one rule of direction (README.md, "What is here"), checked on the source itself:
app.py → teachers/ → scheduling/, the solver reached only through teachers/rotation/adapter.py."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def top(name: str) -> str:
    return name.split(".")[0]


def test_nothing_imports_app():
    offenders = [str(p.relative_to(ROOT)) for folder in ("teachers", "scheduling", "migrations")
                 for p in (ROOT / folder).rglob("*.py") if "app" in {top(m) for m in imported_modules(p)}]
    assert offenders == []


def test_scheduling_imports_only_stdlib_and_ortools():
    allowed = set(sys.stdlib_module_names) | {"ortools", "scheduling"}
    offenders = {str(p.relative_to(ROOT)): sorted({top(m) for m in imported_modules(p)} - allowed)
                 for p in (ROOT / "scheduling").rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_web_app_reaches_the_solver_only_through_the_adapter():
    adapter = ROOT / "teachers" / "rotation" / "adapter.py"
    users = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "teachers").rglob("*.py")
                   if "scheduling" in {top(m) for m in imported_modules(p)})
    assert users == [str(adapter.relative_to(ROOT))]


def test_models_never_import_flask():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "teachers" / "models").rglob("*.py")
                 if {top(m) for m in imported_modules(p)} & {"flask", "flask_login", "flask_babel", "flask_wtf"}]
    assert offenders == []


def _writes_assignment_rows(path: Path) -> list[int]:
    """Lines that build an ``Assignment`` row, or, in a module that imports ``Assignment``, set an
    ``end_date`` (closing a row)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    imports_it = any(isinstance(n, ast.ImportFrom) and any(a.name == "Assignment" for a in n.names)
                     for n in ast.walk(tree))
    lines = []
    for node in ast.walk(tree):
        builds = isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and (
            node.func.id == "Assignment"
            or (node.func.id in {"insert", "_bulk"} and node.args and isinstance(node.args[0], ast.Name)
                and node.args[0].id == "Assignment"))
        closes = imports_it and isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Attribute) and t.attr == "end_date" for t in node.targets)
        if builds or closes:
            lines.append(node.lineno)
    return lines


def test_one_writer_of_where_a_teacher_works():
    """The assignment history (任职经历) is the one record of where a teacher works, and only
    teachers/records/placements.py writes it (the form, the import and the carry-out call it). The demo
    seeder is the one exception: it writes years of invented past in bulk, checked by its own tests."""
    writer = ROOT / "teachers" / "records" / "placements.py"
    seeder = ROOT / "teachers" / "demo.py"
    assert _writes_assignment_rows(writer), "the writer itself must be recognised by this check"
    assert _writes_assignment_rows(seeder), "the demo's bulk rows must be recognised by this check"
    offenders = {str(p.relative_to(ROOT)): _writes_assignment_rows(p) for p in (ROOT / "teachers").rglob("*.py")
                 if p not in (writer, seeder)}
    assert {k: v for k, v in offenders.items() if v} == {}
