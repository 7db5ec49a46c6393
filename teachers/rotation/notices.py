"""How the rotation workflow's notifications read (registered with the one notification service).

Kinds (object → params):

- ``rotation.wishes_open`` (rotation_round; year, closes) — to-do for each eligible teacher;
- ``rotation.move_decide`` (rotation_move; teacher, from_school, to_school, closes) — to-do for the
  sending and the receiving principal;
- ``rotation.move_answer`` (rotation_move; to_school, closes) — to-do for the teacher;
- ``rotation.objection`` (rotation_move; teacher, reason) — to-do for HR of the county;
- ``rotation.move_changed`` (rotation_move; state) — notice to the people of a move when it changes;
- ``rotation.round_changed`` (rotation_round; year, state) — notice to HR when a round moves on;
- ``rotation.solve_done`` (solve_run; round_id, status) — notice to whoever asked for a solve.

Links use the rotation blueprint's endpoints ``rotation.round_detail``, ``rotation.wishes``,
``rotation.run_detail`` and ``rotation.move_detail`` when they exist; before the pages exist a notice simply has no link.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from teachers.notifications.services import register_kind


def _url(endpoint: str, **values) -> str | None:
    try:
        return url_for(endpoint, **values)
    except (BuildError, RuntimeError):
        return None


def _state(value: str) -> str:
    from teachers.labels import label
    from teachers.models import MoveState, RoundState

    for cls in (MoveState, RoundState):
        try:
            return label(cls(value))
        except ValueError:
            continue
    return value


def register() -> None:
    """Register every rotation kind (idempotent)."""
    register_kind("rotation.wishes_open",
                  text=lambda p: _("%(year)s 年交流轮岗志愿填报已开始，请在 %(closes)s 前填报。", year=p.get("year"),
                                   closes=p.get("closes")),
                  url=lambda n: _url("rotation.wishes", round_id=n.object_id))
    register_kind("rotation.move_decide",
                  text=lambda p: _("请审批：%(teacher)s 从 %(from_school)s 交流到 %(to_school)s（%(closes)s 前）。",
                                   teacher=p.get("teacher"), from_school=p.get("from_school"),
                                   to_school=p.get("to_school"), closes=p.get("closes")),
                  url=lambda n: _url("rotation.move_detail", move_id=n.object_id))
    register_kind("rotation.move_answer",
                  text=lambda p: _("您被安排交流到 %(to_school)s：请在 %(closes)s 前确认或提出异议。",
                                   to_school=p.get("to_school"), closes=p.get("closes")),
                  url=lambda n: _url("rotation.move_detail", move_id=n.object_id))
    register_kind("rotation.objection",
                  text=lambda p: _("%(teacher)s 对交流安排提出异议，待裁决：%(reason)s", teacher=p.get("teacher"),
                                   reason=p.get("reason")),
                  url=lambda n: _url("rotation.move_detail", move_id=n.object_id))
    register_kind("rotation.move_changed",
                  text=lambda p: _("%(teacher)s 的交流安排状态变为：%(state)s", teacher=p.get("teacher"),
                                   state=_state(p.get("state", ""))),
                  url=lambda n: _url("rotation.move_detail", move_id=n.object_id))
    register_kind("rotation.round_changed",
                  text=lambda p: _("%(year)s 年交流轮次进入：%(state)s", year=p.get("year"),
                                   state=_state(p.get("state", ""))),
                  url=lambda n: _url("rotation.round_detail", round_id=n.object_id))
    register_kind("rotation.solve_done",
                  text=lambda p: _("交流方案求解已结束：%(status)s", status=_run_status(p.get("status", ""))),
                  url=lambda n: _url("rotation.run_detail", run_id=n.object_id))


def _run_status(value: str) -> str:
    from teachers.labels import label
    from teachers.models import RunStatus

    try:
        return label(RunStatus(value))
    except ValueError:
        return value


register()
