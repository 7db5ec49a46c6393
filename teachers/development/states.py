"""The training record's workflow in one place: states, the transitions between them, and who may
make each. The states are backed by a CHECK constraint (teachers/models/development.py).

    submitted ──verify (principal)──▶ verified ──confirm (HR)──▶ confirmed
        │                               │
        └──reject (principal)──▶ rejected ◀──reject (HR)──┘
    rejected ──resubmit (teacher)──▶ submitted

In a county with one approval step (setting ``training_approval_steps`` = 1) the principal's
verification confirms the record at once (submitted ──verify──▶ confirmed).
Only confirmed records count toward the cycle.
"""

from __future__ import annotations

from teachers.models import Role, TrainingState

S = TrainingState

#: (state, action) → next state, for a two-step county.
TRANSITIONS: dict[tuple[TrainingState, str], TrainingState] = {
    (S.SUBMITTED, "verify"): S.VERIFIED,
    (S.SUBMITTED, "reject"): S.REJECTED,
    (S.VERIFIED, "confirm"): S.CONFIRMED,
    (S.VERIFIED, "reject"): S.REJECTED,
    (S.REJECTED, "resubmit"): S.SUBMITTED,
}

#: The role that makes each action (the service checks scope on top).
ACTORS: dict[str, frozenset[Role]] = {
    "verify": frozenset({Role.PRINCIPAL}),
    "confirm": frozenset({Role.HR}),
    "reject": frozenset({Role.PRINCIPAL, Role.HR}),
    "resubmit": frozenset({Role.TEACHER}),
}

#: Which rejections each role may make: the principal rejects what waits for them, HR what waits for HR.
REJECTABLE: dict[Role, frozenset[TrainingState]] = {
    Role.PRINCIPAL: frozenset({S.SUBMITTED}),
    Role.HR: frozenset({S.VERIFIED}),
}

COUNTED = frozenset({S.CONFIRMED})
OPEN = frozenset({S.SUBMITTED, S.VERIFIED})


def next_state(state: TrainingState, action: str, *, steps: int = 2) -> TrainingState | None:
    """The state ``action`` leads to from ``state``, or None when it is not allowed there."""
    target = TRANSITIONS.get((state, action))
    if target == S.VERIFIED and steps == 1:
        return S.CONFIRMED
    return target
