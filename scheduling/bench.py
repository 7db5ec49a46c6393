"""``python -m scheduling bench``: generate instances, solve them, check the plans, print a table.

Instances come from ``shared/bench/make_instance.py`` beside the repository (county ~40 schools,
prefecture 6 counties, district one county of 300 schools). Each size runs in a fresh interpreter
so that its peak resident memory (``resource.getrusage``) is its own. The instance and the plan
are written to ``--out`` so that ``python -m scheduling check`` can be run on them afterwards.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

SIZES = ("county", "prefecture", "district")
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "make_instance.py"


def _generator():
    if not SHARED.exists():
        return None
    spec = importlib.util.spec_from_file_location("make_instance", SHARED)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_bench(args: argparse.Namespace) -> int:
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        print(f"--sizes: unknown size {unknown[0]!r}; choose from {', '.join(SIZES)}", file=sys.stderr)
        return 2
    if _generator() is None:
        print(f"the instance generator is missing: {SHARED} (shared/ must sit beside the repository)", file=sys.stderr)
        return 2
    if args.one:
        print(json.dumps(_run_one(sizes[0], args), ensure_ascii=False))
        return 0
    rows = []
    for size in sizes:
        command = [
            sys.executable,
            "-m",
            "scheduling",
            "bench",
            "--one",
            "--sizes",
            size,
            "--seed",
            str(args.seed),
            "--out",
            args.out,
        ]
        if args.time_limit is not None:
            command += ["--time-limit", str(args.time_limit)]
        if args.workers is not None:
            command += ["--workers", str(args.workers)]
        # bandit B603 waived: runs this interpreter on the project's own module, an argument list, no shell.
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # nosec B603
        if done.returncode != 0:
            print(f"{size}: failed\n{done.stderr}", file=sys.stderr)
            continue
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        _print_rows(rows[-1:], header=len(rows) == 1)
    return 0 if all(r["violations"] == 0 for r in rows) and len(rows) == len(sizes) else 1


def _print_rows(rows: list[dict], header: bool) -> None:
    columns = (
        "size",
        "counties",
        "schools",
        "teachers",
        "status",
        "moves",
        "sum_cv2",
        "max_cv",
        "limit_s",
        "wall_s",
        "rss_mb",
        "violations",
    )
    if header:
        print("  ".join(f"{c:>16}" if c in ("sum_cv2", "max_cv") else f"{c:>10}" for c in columns))
    for r in rows:
        cells = []
        for c in columns:
            width = 16 if c in ("sum_cv2", "max_cv") else 10
            cells.append(f"{r[c]!s:>{width}}")
        print("  ".join(cells), flush=True)


def _run_one(size: str, args: argparse.Namespace) -> dict:
    import resource

    from scheduling import check, rules
    from scheduling.io import dump_plan, dump_problem, problem_from_dict
    from scheduling.solve import solve

    generator = _generator()
    n_schools, n_counties = generator.SIZES[size]
    problem = problem_from_dict(generator.make_instance(n_schools, n_counties, args.seed))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    dump_problem(problem, out / f"{size}.json")
    limit = args.time_limit if args.time_limit is not None else problem.policy.time_limit_s
    started = time.monotonic()
    result = solve(problem, time_limit_s=limit, workers=args.workers, seed=args.seed)
    dump_plan(result, out / f"{size}-plan.json")
    wall = time.monotonic() - started
    violations = check.validate(problem, result.moves) if result.status in ("optimal", "feasible") else []
    metrics = check.metrics(problem, result.moves)

    def summary(which: str) -> tuple[float, float]:
        values = [v for stages in metrics[which].values() for inds in stages.values() for v in inds.values()]
        return sum(v * v for v in values), max(values, default=0.0)

    (sum_before, max_before), (sum_after, max_after) = summary("before"), summary("after")
    return {
        "size": size,
        "counties": len(rules.counties(problem)),
        "schools": len(problem.schools),
        "teachers": len(problem.teachers),
        "status": result.status,
        "moves": len(result.moves),
        "sum_cv2": f"{sum_before:.3f}→{sum_after:.3f}",
        "max_cv": f"{max_before:.3f}→{max_after:.3f}",
        "limit_s": limit,
        "wall_s": round(wall, 1),
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "violations": len(violations),
    }
