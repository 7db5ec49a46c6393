"""Command line: ``python -m scheduling solve|check|bench`` (contract in shared/spec/rotation-io.md).

    python -m scheduling solve INSTANCE.json -o PLAN.json [--time-limit S] [--workers N] [--seed K] [--lang zh|en]
    python -m scheduling check INSTANCE.json PLAN.json [--lang zh|en]
    python -m scheduling bench [--sizes county,prefecture,district] [--time-limit S] [--workers N]

``solve`` always writes a plan (optimal, feasible, infeasible with its explanation, or unknown) and
exits 0; it exits 2 only when the instance cannot be read, naming the field or JSON line.
``--lang`` chooses the language of every sentence written (plan reasons, report, messages):
Chinese (``zh``, the default at the command line) or English (``en``).
"""

from __future__ import annotations

import argparse
import sys
import time

from scheduling.messages import LANGS, text

EXIT_UNREADABLE = 2
#: People at a terminal read Chinese first; the library's default stays English.
CLI_LANG = "zh"


def main(argv: list[str] | None = None) -> int:
    started = time.monotonic()
    parser = argparse.ArgumentParser(prog="python -m scheduling", description="Teacher rotation solver (交流轮岗).")
    commands = parser.add_subparsers(dest="command", required=True)
    p_solve = commands.add_parser("solve", help="propose a rotation plan for an instance")
    p_solve.add_argument("instance")
    p_solve.add_argument("-o", "--output", required=True, help="where to write the plan (rotation-plan/1)")
    p_solve.add_argument("--time-limit", type=float, default=None, help="seconds (default: policy.time_limit_s)")
    p_solve.add_argument("--workers", type=int, default=None, help="CP-SAT threads (default: cores, up to 8)")
    p_solve.add_argument("--seed", type=int, default=0)
    p_solve.add_argument("--lang", choices=LANGS, default=CLI_LANG, help="language of the plan's sentences")
    p_check = commands.add_parser("check", help="check a plan against its instance (exit 0 = every rule holds)")
    p_check.add_argument("instance")
    p_check.add_argument("plan")
    p_check.add_argument("--lang", choices=LANGS, default=CLI_LANG, help="language of the report")
    from scheduling.generate import add_arguments, run_generate

    p_generate = commands.add_parser("generate", help="make a synthetic instance (rotation-instance/1)")
    add_arguments(p_generate, lambda key: text(key, CLI_LANG))
    p_generate.add_argument("--lang", choices=LANGS, default=CLI_LANG, help="language of the messages")
    p_bench = commands.add_parser("bench", help="generate instances, solve, check and print a table")
    p_bench.add_argument("--sizes", default="county,prefecture", help="comma list of county, prefecture, district")
    p_bench.add_argument("--time-limit", type=float, default=None)
    p_bench.add_argument("--workers", type=int, default=None)
    p_bench.add_argument("--seed", type=int, default=1)
    p_bench.add_argument("--out", default="benchmarks/out", help="folder for the generated instances and plans")
    p_bench.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.command == "check":
        from scheduling.check import run_check

        return run_check(args.instance, args.plan, lang=args.lang)
    if args.command == "generate":
        return run_generate(args, args.lang)
    if args.command == "bench":
        from scheduling.bench import run_bench

        return run_bench(args)
    return _solve(args, started)


def _solve(args: argparse.Namespace, started: float) -> int:
    from scheduling.io import dump_plan, load_problem
    from scheduling.messages import status_name
    from scheduling.problem import ProblemError, RotationResult

    lang = args.lang
    try:
        problem = load_problem(args.instance)
    except ProblemError as exc:
        print(text("rep.cannot_read_instance", lang, path=args.instance, error=exc), file=sys.stderr)
        return EXIT_UNREADABLE
    limit = args.time_limit if args.time_limit is not None else problem.policy.time_limit_s
    if limit <= 0:
        print(text("cli.bad_time_limit", lang, limit=limit), file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        from scheduling.solve import solve

        # the limit covers reading and writing too
        result = solve(
            problem,
            time_limit_s=max(0.1, limit - (time.monotonic() - started)),
            workers=args.workers,
            seed=args.seed,
            lang=lang,
        )
    except Exception as exc:  # noqa: BLE001 — the contract: always a plan, never a stack trace
        result = RotationResult(status="unknown", solver={"error": f"{type(exc).__name__}: {exc}", "lang": lang})
        print(text("cli.solver_error", lang, error=exc), file=sys.stderr)
    try:
        dump_plan(result, args.output)
    except OSError as exc:
        print(text("cli.cannot_write", lang, path=args.output, error=exc), file=sys.stderr)
        return EXIT_UNREADABLE
    objective = result.solver.get("objective")
    print(
        text(
            "cli.summary",
            lang,
            path=args.output,
            status=status_name(result.status, lang),
            moves=len(result.moves),
            objective="" if objective is None else text("cli.objective", lang, objective=objective),
            seconds=time.monotonic() - started,
        )
    )
    for line in result.infeasibility:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
