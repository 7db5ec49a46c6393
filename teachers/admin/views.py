"""Administration pages: accounts, county policy settings and the audit trail."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from teachers.admin import services
from teachers.admin.forms import AuditFilterForm, PasswordResetForm, UserCreateForm, UserEditForm, UserFilterForm
from teachers.auth.permissions import has_permission, require
from teachers.errors import DomainError, NotFound, PermissionDenied
from teachers.extensions import db
from teachers.models import Role
from teachers.web import int_arg, refuse

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: Service fields that the form shows under another name.
FIELD_ALIASES = {"teacher_id": "staff_no"}

#: Names of the audited actions (every action the code records; tests/teachers/admin/test_admin_audit.py
#: finds them in the source). An unknown action is shown as stored.
ACTION_LABELS = {
    "auth.login": _l("登录"), "auth.logout": _l("退出"), "auth.lockout": _l("账号锁定"),
    "auth.password_changed": _l("修改密码"),
    "auth.password_lockout": _l("修改密码锁定"), "user.created": _l("新建账号"), "user.updated": _l("修改账号"),
    "user.role_changed": _l("变更角色"), "user.deactivated": _l("停用账号"), "user.password_reset": _l("重置密码"),
    "settings.changed": _l("修改政策参数"), "demo.seeded": _l("载入演示数据"),
    "school.create": _l("新建学校"), "school.update": _l("修改学校"),
    "teacher.create": _l("新建教师"), "teacher.update": _l("修改教师档案"),
    "export.teachers": _l("导出教师名单"), "export.national": _l("导出全国系统格式"), "export.schools": _l("导出学校名单"),
    "export.training": _l("导出培训学时"), "export.plan": _l("导出交流方案"), "rotation.export": _l("导出交流名单"),
    "rotation.round.open": _l("开启交流轮次"), "rotation.round.update": _l("修改交流轮次"),
    "rotation.round.open_wishes": _l("开始志愿填报"), "rotation.round.close_wishes": _l("结束志愿填报"),
    "rotation.round.cancel": _l("取消交流轮次"), "rotation.round.carried_out": _l("交流轮次执行完毕"),
    "rotation.wishes.save": _l("教师保存志愿"), "rotation.rule.pin": _l("锁定交流"), "rotation.rule.forbid": _l("禁止交流"),
    "rotation.rule.exclude": _l("本轮排除教师"), "rotation.rule.remove": _l("删除求解规则"),
    "rotation.pair.add": _l("新增结对学校"), "rotation.pair.remove": _l("删除结对学校"),
    "rotation.solve.request": _l("请求求解"), "rotation.solve.cancel": _l("取消求解"),
    "rotation.publish": _l("发布交流方案"), "rotation.publish_replacements": _l("发布替补交流"),
    "rotation.move.decide": _l("校长审批交流"), "rotation.move.answer": _l("教师确认或提出异议"),
    "rotation.move.rule": _l("人事科裁决异议"), "rotation.notice.start": _l("开始公示"),
    "rotation.confirm": _l("确认交流名单"), "rotation.move.carry_out": _l("交流到岗"),
    "rotation.move.extend": _l("延长交流期"), "rotation.move.return": _l("交流期满返回"),
    "training.verify": _l("学校审核培训学时"), "training.confirm": _l("人事科确认培训学时"),
    "training.reject": _l("退回培训记录"), "achievement.verify": _l("审核通过成果"), "achievement.reject": _l("退回成果"),
    "honour.add": _l("登记荣誉"), "honour.end": _l("终止荣誉"), "tier.award": _l("认定梯队层级"),
    "mentoring.pair": _l("建立师徒结对"), "mentoring.end": _l("结束师徒结对"), "mentoring.sign_off": _l("师徒结对考核通过"),
    "programme.create": _l("新建培训项目"), "programme.enrol_group": _l("批量报名培训"),
    "programme.complete": _l("培训项目结业"),
}

#: What an audited object is (its table), by name.
OBJECT_LABELS = {
    "county": _l("县（市、区）"), "prefecture": _l("地级市"), "school": _l("学校"), "teacher": _l("教师"),
    "user_account": _l("账号"), "export": _l("导出"), "rotation_round": _l("交流轮次"), "rotation_move": _l("交流"),
    "solve_run": _l("求解"), "school_pair": _l("学校结对"), "training_record": _l("培训记录"), "programme": _l("培训项目"),
    "enrolment": _l("培训报名"), "achievement": _l("成果"), "honour": _l("荣誉"), "tier_award": _l("梯队认定"),
    "mentor_pair": _l("师徒结对"), "mentor_log": _l("带教记录"), "growth_plan": _l("成长规划"),
}


def _locale() -> str:
    return str(get_locale() or "zh")


def _page() -> int:
    return int_arg("page", 1)


def _args(form) -> dict[str, Any]:
    """The filter values to keep in pager links."""
    return {k: v for k, v in request.args.items() if k != "page" and v}


# --------------------------------------------------------------------------- accounts


def _fill_choices(form: UserEditForm) -> None:
    form.school_id.choices = [(None, _("（不适用）"))] + services.school_choices()
    form.county_id.choices = [(None, _("（全部县市区）"))] + services.county_choices()
    form.prefecture.choices = [("", _("（不适用）"))] + [(p, p) for p in services.prefecture_choices()]


@bp.route("/users")
@require("user.manage")
def user_list():
    form = UserFilterForm(request.args)
    form.validate()
    stmt = services.list_users(current_user, role=form.role.data or None, q=form.q.data or None)
    page = db.paginate(stmt, page=_page(), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("admin/users.html", form=form, page=page, args=_args(form))


@bp.route("/users/new", methods=["GET", "POST"])
@require("user.manage")
def user_new():
    form = UserCreateForm()
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            user = services.create_account(
                current_user, username=form.username.data, display_name=form.display_name.data or "",
                password=form.password.data, role=Role(form.role.data), school_id=form.school_id.data,
                staff_no=form.staff_no.data, county_id=form.county_id.data, prefecture=form.prefecture.data,
            )
        except DomainError as exc:
            refuse(form, exc, fallback="username", aliases=FIELD_ALIASES)
            return render_template("admin/user_form.html", form=form, user=None), 400
        db.session.commit()
        flash(_("已创建账号 %(u)s。", u=user.username), "success")
        return redirect(url_for("admin.user_list"))
    return render_template("admin/user_form.html", form=form, user=None), (400 if form.errors else 200)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@require("user.manage")
def user_edit(user_id: int):
    try:
        user = services.get_user(current_user, user_id)
    except NotFound:
        abort(404)
    form = UserEditForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.role.data = user.role.value
        form.staff_no.data = user.teacher.staff_no if user.teacher else ""
    _fill_choices(form)
    reset = PasswordResetForm(prefix="reset")
    if form.validate_on_submit():
        try:
            services.update_account(
                current_user, user, display_name=form.display_name.data or "", role=Role(form.role.data),
                active=form.active.data, school_id=form.school_id.data, staff_no=form.staff_no.data,
                county_id=form.county_id.data, prefecture=form.prefecture.data,
            )
        except DomainError as exc:
            refuse(form, exc, fallback="role", aliases=FIELD_ALIASES)
            return render_template("admin/user_form.html", form=form, user=user, reset=reset), 400
        db.session.commit()
        flash(_("已保存账号 %(u)s。", u=user.username), "success")
        return redirect(url_for("admin.user_list"))
    status = 400 if form.errors else 200
    return render_template("admin/user_form.html", form=form, user=user, reset=reset), status


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@require("user.manage")
def user_password(user_id: int):
    try:
        user = services.get_user(current_user, user_id)
    except NotFound:
        abort(404)
    reset = PasswordResetForm(prefix="reset")
    if reset.validate_on_submit():
        try:
            services.reset_account_password(current_user, user, reset.password.data)
        except DomainError as exc:
            refuse(reset, exc, fallback="password", aliases=FIELD_ALIASES)
        else:
            db.session.commit()
            flash(_("已重置 %(u)s 的密码，该账号的所有登录已失效。", u=user.username), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    form = UserEditForm(obj=user)
    form.role.data = user.role.value
    form.staff_no.data = user.teacher.staff_no if user.teacher else ""
    _fill_choices(form)
    return render_template("admin/user_form.html", form=form, user=user, reset=reset), 400


# --------------------------------------------------------------------------- policy settings


def _settings_county():
    try:
        return services.settings_county(current_user, int_arg("county"))
    except PermissionDenied:
        abort(403)
    except NotFound:
        abort(404)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    # settings.view (HR, inspector) reads; settings.manage (admin) also saves. The service checks both.
    county = _settings_county()
    if county is None:
        return render_template("admin/settings.html", county=None, counties=[], rows=[], errors={},
                               submitted={}, can_edit=False)
    can_edit = has_permission(current_user, "settings.manage")
    errors: dict[str, str] = {}
    submitted: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        if not can_edit:
            abort(403)
        submitted = request.form.to_dict()
        try:
            diff = services.save_settings(current_user, county, submitted, _locale())
        except PermissionDenied:
            abort(403)
        except NotFound:
            abort(404)
        except DomainError as exc:
            db.session.rollback()
            errors[exc.field or ""] = exc.message
            status = 400
        else:
            db.session.commit()
            if diff:
                flash(ngettext("已保存 %(n)d 项政策参数。", "已保存 %(n)d 项政策参数。", len(diff), n=len(diff)), "success")
            else:
                flash(_("没有参数发生变化。"), "info")
            return redirect(url_for("admin.settings", county=county.id))
    rows = services.settings_rows(county, _locale())
    return render_template("admin/settings.html", county=county, counties=services.settings_counties(current_user),
                           rows=rows, errors=errors, submitted=submitted, can_edit=can_edit), status


# --------------------------------------------------------------------------- audit trail


def _summary_text(summary: dict[str, Any]) -> str:
    return json.dumps(summary, ensure_ascii=False, sort_keys=True, default=str) if summary else ""


@bp.route("/audit")
@require("audit.view")
def audit_log():
    form = AuditFilterForm(request.args)
    actions = services.audit_actions(current_user)
    form.action.choices = [("", _("全部"))] + [(a, f"{ACTION_LABELS[a]} ({a})" if a in ACTION_LABELS else a)
                                               for a in actions]
    form.object_type.choices = [("", _("全部"))] + [(t, OBJECT_LABELS.get(t, t))
                                                    for t in services.audit_object_types(current_user)]
    form.validate()
    # A malformed date is shown at its field and ignored, rather than failing the page.
    stmt = services.audit_query(
        current_user, action=form.action.data or None, actor_name=form.actor.data or None,
        date_from=None if form.date_from.errors else form.date_from.data,
        date_to=None if form.date_to.errors else form.date_to.data,
        object_type=form.object_type.data or None, object_id=form.object_id.data or None,
    )
    page = db.paginate(stmt, page=_page(), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("admin/audit.html", form=form, page=page, args=_args(form), labels=ACTION_LABELS,
                           objects=OBJECT_LABELS, summary_text=_summary_text)
