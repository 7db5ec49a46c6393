"""Pure rotation solver and checker: standard library and ortools only (enforced by tests/test_architecture.py and tests/scheduling/test_purity.py).

``solve(problem, *, time_limit_s=None, workers=None, seed=0, lang="en") -> RotationResult`` proposes the
year's exchanges; ``scheduling.check.validate`` checks any plan without the solver. Every sentence either
writes is in ``lang`` ("zh" or "en", table in ``scheduling.messages``). ``solve`` is loaded on
first use so that ``import scheduling.check`` (and the web app's imports) never pull in ortools.
"""

from scheduling.problem import (
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

__all__ = [
    "Move",
    "Options",
    "PinnedMove",
    "Policy",
    "Problem",
    "ProblemError",
    "RotationResult",
    "School",
    "Teacher",
    "solve",
]


def __getattr__(name: str):
    if name == "solve":
        from scheduling.solve import solve

        return solve
    raise AttributeError(f"module 'scheduling' has no attribute {name!r}")
