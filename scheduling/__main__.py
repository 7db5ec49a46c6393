"""Command line: ``python -m scheduling solve|check|generate|bench`` (formats in docs/solver/formats.md).

    python -m scheduling solve INSTANCE.json -o PLAN.json [--time-limit S] [--workers N] [--seed K] [--lang zh|en]
    python -m scheduling check INSTANCE.json PLAN.json [--lang zh|en]
    python -m scheduling generate county|prefecture|district|custom -o INSTANCE.json [--seed K] [--policy strict]
    python -m scheduling bench [--sizes county,prefecture,district] [--time-limit S] [--workers N] [--long]

``solve`` always writes a plan (optimal, feasible, infeasible with its explanation, or unknown) and
exits 0; it exits 2 only when the instance cannot be read, naming the field or JSON line.
``--lang`` chooses the language of every sentence written (plan reasons, report, messages):
Chinese (``zh``, the default at the command line) or English (``en``); ``--help`` and argparse's
own errors follow it too.
"""

from __future__ import annotations

import argparse
import sys
import time

from scheduling.messages import LANGS, text

EXIT_UNREADABLE = 2
#: People at a terminal read Chinese first; the library's default stays English.
CLI_LANG = "zh"


def _lang_of(argv: list[str]) -> str:
    """The ``--lang`` asked for on the command line (read before parsing, so ``--help`` follows it)."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in LANGS:
            return argv[i + 1]
        if arg.startswith("--lang=") and arg.split("=", 1)[1] in LANGS:
            return arg.split("=", 1)[1]
    return CLI_LANG


class _Parser(argparse.ArgumentParser):
    """argparse with its own words (usage, errors, the help option) in the chosen language."""

    lang = CLI_LANG

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(EXIT_UNREADABLE, text("cli.usage_error", self.lang, prog=self.prog, error=message) + "\n")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _lang_of(argv)
    original = argparse._
    if lang == "zh":
        from scheduling.messages import ARGPARSE_ZH

        argparse._ = lambda words: ARGPARSE_ZH.get(words, original(words))
    try:
        return _main(argv, lang)
    finally:
        argparse._ = original


def _main(argv: list[str], lang: str) -> int:
    started = time.monotonic()
    _Parser.lang = lang

    def say(key: str) -> str:
        return text(key, lang)

    parser = _Parser(prog="python -m scheduling", description=say("cli.description"), add_help=False)
    parser.add_argument("-h", "--help", action="help", help=say("cli.help"))
    commands = parser.add_subparsers(dest="command", required=True, title=say("cli.commands"), parser_class=_Parser)
    language = {"choices": LANGS, "default": CLI_LANG, "help": say("cli.lang")}
    p_solve = commands.add_parser("solve", help=say("cli.solve"), description=say("cli.solve"), add_help=False)
    p_solve.add_argument("-h", "--help", action="help", help=say("cli.help"))
    p_solve.add_argument("instance", help=say("cli.instance"))
    p_solve.add_argument("-o", "--output", required=True, help=say("cli.output"))
    p_solve.add_argument("--time-limit", type=float, default=None, help=say("cli.time_limit"))
    p_solve.add_argument("--workers", type=int, default=None, help=say("cli.workers"))
    p_solve.add_argument("--seed", type=int, default=0, help=say("cli.seed"))
    p_solve.add_argument("--lang", **language)
    p_check = commands.add_parser("check", help=say("cli.check"), description=say("cli.check"), add_help=False)
    p_check.add_argument("-h", "--help", action="help", help=say("cli.help"))
    p_check.add_argument("instance", help=say("cli.instance"))
    p_check.add_argument("plan", help=say("cli.plan"))
    p_check.add_argument("--lang", **language)
    from scheduling.generate import add_arguments, run_generate

    p_generate = commands.add_parser("generate", help=say("cli.generate"), description=say("cli.generate"),
                                     add_help=False)
    p_generate.add_argument("-h", "--help", action="help", help=say("cli.help"))
    add_arguments(p_generate, say)
    p_generate.add_argument("--lang", **language)
    p_bench = commands.add_parser("bench", help=say("cli.bench"), description=say("cli.bench"), add_help=False)
    p_bench.add_argument("-h", "--help", action="help", help=say("cli.help"))
    p_bench.add_argument("--sizes", default="county,prefecture,district", help=say("cli.bench.sizes"))
    p_bench.add_argument("--time-limit", type=float, default=None, help=say("cli.time_limit"))
    p_bench.add_argument("--workers", type=int, default=None, help=say("cli.bench.workers"))
    p_bench.add_argument("--seed", type=int, default=1, help=say("gen.seed"))
    p_bench.add_argument("--long", action="store_true", help=say("cli.bench.long"))
    p_bench.add_argument("--out", default="benchmarks/out", help=say("cli.bench.out"))
    p_bench.add_argument("--one", choices=("solver", "direct"), help=argparse.SUPPRESS)
    p_bench.add_argument("--lang", **language)
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
