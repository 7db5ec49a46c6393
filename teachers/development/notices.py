"""How teacher development's notifications read (worded at display time, in the reader's language).

To-dos and who closes them: training records (principal verifies, HR confirms, the teacher resubmits a
rejected one), achievements (the principal verifies), growth plans (the principal comments on new goals
or progress), mentoring logs (the mentor countersigns), the guidance sign-off once the mentoring years
have passed (the principal), re-evaluations due (HR)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from teachers.notifications.services import register_kind


def _record_url(n) -> str:
    return url_for("development.training_record", record_id=n.object_id)


def _teacher_page(n) -> str | None:
    teacher_id = (n.params or {}).get("teacher_id")
    return url_for("development.teacher_development", teacher_id=int(teacher_id)) if teacher_id else None


def _pair_page(n) -> str | None:
    pair_id = n.object_id if n.object_type == "mentor_pair" else (n.params or {}).get("pair_id")
    return url_for("development.mentoring_pair", pair_id=int(pair_id)) if pair_id else None


def register() -> None:
    register_kind("training.to_verify", url=_record_url,
                  text=lambda p: _("待审核：%(teacher)s 申报的培训“%(title)s”", **p))
    register_kind("training.to_confirm", url=_record_url,
                  text=lambda p: _("待确认：%(teacher)s 的培训“%(title)s”（学校已审核）", **p))
    register_kind("training.rejected", url=_record_url,
                  text=lambda p: _("培训“%(title)s”被退回：%(reason)s。请修改后重新提交。", **p))
    register_kind("training.confirmed", url=_record_url,
                  text=lambda p: _("培训“%(title)s”已确认，学时已计入。", **p))
    register_kind("tier.review_due", url=lambda n: url_for("development.teacher_development", teacher_id=n.object_id),
                  text=lambda p: _("到期复评：%(teacher)s 的梯队层级或荣誉", **p))
    register_kind("achievement.to_verify", url=_teacher_page,
                  text=lambda p: _("待审核：%(teacher)s 登记的成果“%(title)s”", **p))
    register_kind("achievement.rejected", url=_teacher_page,
                  text=lambda p: _("成果“%(title)s”被退回：%(reason)s", **p))
    register_kind("growth.to_comment", url=_teacher_page,
                  text=lambda p: _("待点评：%(teacher)s 的成长规划有新内容", **p))
    register_kind("growth.commented", url=_teacher_page,
                  text=lambda p: _("校长点评了你的成长规划。"))
    register_kind("mentoring.to_countersign", url=_pair_page,
                  text=lambda p: _("待签字：%(mentee)s %(day)s 的带教记录", **p))
    register_kind("mentoring.to_sign_off", url=_pair_page,
                  text=lambda p: _("待签字：%(mentee)s 的跟踪指导已满%(years)d年，请签字结束", **p))
