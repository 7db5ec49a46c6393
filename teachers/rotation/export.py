"""The final list of a round (公示名单, then the confirmed list) as a sheet for the shared writer
(``teachers.io.writer``: Chinese headers, widths, frozen header, text-typed ID numbers, formula
neutralisation), audited as an export.

The final list is the document posted for public notice, so its ID numbers are shown as the public
would see them: ``personal(None, teacher)`` — the one masking rule, for a viewer with no role — masks
them for every reader, HR included.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from teachers.auth.permissions import has_permission
from teachers.errors import DomainError, PermissionDenied
from teachers.extensions import db
from teachers.io.writer import Column, Sheet, render
from teachers.labels import label
from teachers.masking import personal
from teachers.models import MoveState, RotationMove, RotationRound, Teacher, User
from teachers.rotation.services import get_round

#: Moves on the final list (公示名单 during the notice, then the confirmed list).
FINAL_STATES = (MoveState.ACCEPTED, MoveState.CONFIRMED, MoveState.CARRIED_OUT, MoveState.RETURNED)
HEADERS = ("序号", "工号", "姓名", "性别", "身份证号", "学段", "任教学科", "人事关系所在学校", "交出学校",
           "接收学校", "交流期限（年）", "交流开始日期", "状态")
TEXT_HEADERS = {"工号", "身份证号"}


def final_moves(user: User, round_id: int) -> list[RotationMove]:
    """The moves of the round's final list (accepted, confirmed, carried out or returned), by staff number."""
    rnd = get_round(user, round_id)
    return list(db.session.scalars(
        select(RotationMove).join(Teacher, Teacher.id == RotationMove.teacher_id)
        .where(RotationMove.round_id == rnd.id, RotationMove.state.in_(FINAL_STATES)).order_by(Teacher.staff_no)))


def final_list_sheet(user: User, round_id: int) -> tuple[RotationRound, Sheet]:
    """The final list as a sheet (HR, inspectors and admins in scope). Refused when the list is empty."""
    if not has_permission(user, "rotation.view"):
        raise PermissionDenied(_("您没有权限进行此操作。"))
    rnd = get_round(user, round_id)
    moves = final_moves(user, rnd.id)
    if not moves:
        raise DomainError(_("本轮还没有可导出的名单。"))

    def rows() -> list[list[Any]]:
        out = []
        for i, m in enumerate(moves, start=1):
            t = m.teacher
            out.append([i, t.staff_no, t.name, label(t.gender), personal(None, t).id_number, label(t.stage),
                        t.subject, t.personnel_school.name, m.from_school.name, m.to_school.name, rnd.term_years,
                        rnd.start_date, label(m.state)])
        return out

    columns = [Column(h, text=h in TEXT_HEADERS) for h in HEADERS]
    caption = _("%(county)s %(year)d 年义务教育学校教师交流轮岗名单", county=rnd.county.name, year=rnd.year)
    return rnd, Sheet(_("交流名单"), columns, rows(), caption=caption)


def final_list_xlsx(user: User, round_id: int) -> bytes:
    """The final list as .xlsx bytes; audited like every export."""
    from teachers.io import exports

    export = exports.final_list(user, round_id)
    data = render(export.sheet, "xlsx")
    exports.record(user, export, "xlsx")
    return data
