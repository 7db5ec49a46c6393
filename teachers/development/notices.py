"""How teacher development's notifications read (worded at display time, in the reader's language)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from teachers.notifications.services import register_kind


def _record_url(n) -> str:
    return url_for("development.training_record", record_id=n.object_id)


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
