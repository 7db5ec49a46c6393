"""The solver package stays pure: no web framework, and a checker that works without ortools."""

import ast
import json
import subprocess
import sys

from rotation_factories import REPO_ROOT

PROBE = """
import importlib, importlib.util, json, sys
import scheduling, scheduling.check, scheduling.io, scheduling.rules
check_loaded_ortools = any(name == "ortools" or name.startswith("ortools.") for name in sys.modules)
if importlib.util.find_spec("scheduling.solve") is not None:
    importlib.import_module("scheduling.solve")
print(json.dumps({"check_loaded_ortools": check_loaded_ortools,
                  "web": sorted(m for m in ("flask", "sqlalchemy") if m in sys.modules)}))
"""


def test_scheduling_imports_no_web_framework_and_check_needs_no_ortools():
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=REPO_ROOT, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["web"] == []
    assert result["check_loaded_ortools"] is False


def test_checker_modules_import_only_the_standard_library_and_scheduling():
    allowed = set(sys.stdlib_module_names) | {"scheduling", "__future__"}
    for name in ("check.py", "io.py", "rules.py"):
        tree = ast.parse((REPO_ROOT / "scheduling" / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots = {node.module.split(".")[0]}
            else:
                continue
            assert roots <= allowed, f"{name} imports {roots - allowed}"


CPSAT_PROBE = """
import json, sys
from scheduling._cpsat import cp_model
loaded_pandas = "pandas" in sys.modules
model = cp_model.CpModel()
x = model.new_int_var(0, 3, "x")
model.maximize(x)
solver = cp_model.CpSolver()
optimal = solver.solve(model) == cp_model.OPTIMAL and solver.value(x) == 3
import pandas as pd  # the real one, and cp_model's pandas helpers reach it
series = model.new_bool_var_series("b", pd.Index([1, 2]))
print(json.dumps({"loaded_pandas": loaded_pandas, "optimal": optimal, "series": len(series),
                  "real": type(sys.modules["pandas"]).__name__ == "module"}))
"""


def test_solver_loads_cp_model_without_pandas_and_the_pandas_helpers_still_work():
    done = subprocess.run(
        [sys.executable, "-c", CPSAT_PROBE], capture_output=True, text=True, cwd=REPO_ROOT, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"loaded_pandas": False, "optimal": True, "series": 2, "real": True}
