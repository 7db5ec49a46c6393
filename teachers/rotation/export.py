"""The final list of a round as an Excel workbook (openpyxl): Chinese headers, ID numbers masked
with the project's masking helper, audited as an export."""

from __future__ import annotations

from io import BytesIO

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy import select

from teachers import audit
from teachers.auth.permissions import has_permission, mask_id_number
from teachers.errors import DomainError, PermissionDenied
from teachers.extensions import db
from teachers.labels import label
from teachers.models import MoveState, RotationMove, Teacher, User
from teachers.rotation.services import get_round

#: Moves on the final list (公示名单 during the notice, then the confirmed list).
FINAL_STATES = (MoveState.ACCEPTED, MoveState.CONFIRMED, MoveState.CARRIED_OUT, MoveState.RETURNED)
HEADERS = ("序号", "工号", "姓名", "性别", "身份证号", "学段", "任教学科", "人事关系所在学校", "交出学校",
           "接收学校", "交流期限（年）", "交流开始日期", "状态")


def final_moves(user: User, round_id: int) -> list[RotationMove]:
    """The moves of the round's final list (accepted, confirmed, carried out or returned), by staff number."""
    rnd = get_round(user, round_id)
    return list(db.session.scalars(
        select(RotationMove).join(Teacher, Teacher.id == RotationMove.teacher_id)
        .where(RotationMove.round_id == rnd.id, RotationMove.state.in_(FINAL_STATES)).order_by(Teacher.staff_no)))


def final_list_xlsx(user: User, round_id: int) -> bytes:
    """The final list as .xlsx bytes (Chinese headers, masked ID numbers). HR, inspectors and admins
    in scope; audited (``rotation.export``). Refused when the list is empty."""
    if not has_permission(user, "rotation.view"):
        raise PermissionDenied(_("您没有权限进行此操作。"))
    rnd = get_round(user, round_id)
    moves = final_moves(user, rnd.id)
    if not moves:
        raise DomainError(_("本轮还没有可导出的名单。"))
    wb = Workbook()
    ws = wb.active
    ws.title = "交流名单"
    ws.append([f"{rnd.county.name} {rnd.year} 年义务教育学校教师交流轮岗名单"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(list(HEADERS))
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for i, m in enumerate(moves, start=1):
        t = m.teacher
        ws.append([i, t.staff_no, t.name, str(label(t.gender)), mask_id_number(t.id_number), str(label(t.stage)),
                   t.subject, t.personnel_school.name, m.from_school.name, m.to_school.name, rnd.term_years,
                   rnd.start_date.isoformat(), str(label(m.state))])
    for column, width in zip("ABCDEFGHIJKLM", (6, 12, 10, 6, 22, 8, 10, 22, 22, 22, 12, 14, 12), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A3"
    buffer = BytesIO()
    wb.save(buffer)
    audit.record(user, "rotation.export", rnd, {"rows": len(moves), "format": "xlsx"})
    return buffer.getvalue()
