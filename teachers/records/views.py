"""Schools and teachers: lists, detail pages and HR's create/edit forms, all scoped to the acting user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from teachers.auth.permissions import can, require, shown_id_number
from teachers.errors import DomainError, NotFound, PermissionDenied
from teachers.extensions import db
from teachers.models import Role
from teachers.records import services
from teachers.records.forms import (
    SchoolFilterForm,
    SchoolForm,
    TeacherFilterForm,
    TeacherForm,
    looks_like_id_number,
)
from teachers.web import refuse

bp = Blueprint("records", __name__)


def _fetch(fn: Callable, *args: Any) -> Any:
    """Call a service read, turning scope refusals into 403/404."""
    try:
        return fn(current_user, *args)
    except PermissionDenied:
        abort(403)
    except NotFound:
        abort(404)


# ---------------------------------------------------------------------------------------------- schools


@bp.route("/schools")
@require("school.view")
def school_list():
    if current_user.role == Role.PRINCIPAL:
        return redirect(url_for(".school_detail", school_id=current_user.school_id))
    form = SchoolFilterForm.build(current_user, request.args)
    rows = services.list_schools(current_user, area=form.value("area"), kind=form.value("kind"),
                                 subdistrict=form.value("subdistrict"), q=form.value("q"))
    totals = {
        "schools": len(rows),
        "working": sum(r.working for r in rows),
        "pupils": sum(r.pupils for r in rows),
        "quota": sum(r.school.staffing_quota for r in rows),
    }
    return render_template("records/school_list.html", form=form, rows=rows, totals=totals)


@bp.route("/schools/<int:school_id>")
@require("school.view")
def school_detail(school_id: int):
    overview = _fetch(services.school_overview, school_id)
    return render_template("records/school_detail.html", o=overview, school=overview.school)


@bp.route("/schools/new", methods=["GET", "POST"])
@require("school.edit")
def school_new():
    form = SchoolForm.build(current_user)
    if form.validate_on_submit():
        try:
            school = services.create_school(current_user, form.to_input())
        except DomainError as exc:
            refuse(form, exc)
            return render_template("records/school_form.html", form=form, school=None), 400
        db.session.commit()
        flash(_("已新增学校：%(name)s", name=school.name), "success")
        return redirect(url_for(".school_detail", school_id=school.id))
    return render_template("records/school_form.html", form=form, school=None), (400 if form.errors else 200)


@bp.route("/schools/<int:school_id>/edit", methods=["GET", "POST"])
@require("school.edit")
def school_edit(school_id: int):
    school = _fetch(services.get_school, school_id)
    form = SchoolForm.build(current_user, school)
    if form.validate_on_submit():
        try:
            services.update_school(current_user, school, form.to_input())
        except DomainError as exc:
            refuse(form, exc)
            return render_template("records/school_form.html", form=form, school=school), 400
        db.session.commit()
        flash(_("学校信息已保存。"), "success")
        return redirect(url_for(".school_detail", school_id=school.id))
    return render_template("records/school_form.html", form=form, school=school), (400 if form.errors else 200)


# ---------------------------------------------------------------------------------------------- teachers


@bp.route("/teachers", methods=["GET", "POST"])
@require("teacher.view")
def teacher_list():
    """The search box posts (with CSRF), so an ID number typed in it never appears in a URL or an access log:
    other searches redirect to the bookmarkable GET; an ID-number search is answered directly."""
    if current_user.role == Role.TEACHER:
        return redirect(url_for(".teacher_detail", teacher_id=current_user.teacher_id))
    if request.method == "GET" and looks_like_id_number(request.args.get("q", "")):
        flash(_("为保护个人信息，身份证号请在搜索框中输入查询，不要写在网址中。"), "warning")
        return redirect(url_for(".teacher_list", **{k: v for k, v in request.args.items() if k != "q"}))
    form = TeacherFilterForm.build(current_user, request.form if request.method == "POST" else request.args)
    if request.method == "POST" and not form.errors and not looks_like_id_number(form.value("q") or ""):
        return redirect(url_for(".teacher_list", **form.args()), code=303)
    result = services.list_teachers(
        current_user, form.value("q"), filters=form.filters(), sort=form.value("sort") or "staff_no",
        descending=form.value("dir") == "desc", page=form.value("page") or 1,
        page_size=current_app.config.get("PAGE_SIZE", 50),
    )
    return render_template("records/teacher_list.html", form=form, result=result, shown_id_number=shown_id_number)


@bp.route("/teachers/<int:teacher_id>")
@require("teacher.view")
def teacher_detail(teacher_id: int):
    teacher, facts = _fetch(services.teacher_detail, teacher_id, None, str(get_locale() or "zh"))
    return render_template("records/teacher_detail.html", teacher=teacher, facts=facts,
                           id_number=shown_id_number(current_user, teacher),
                           may_edit=can(current_user, "teacher.edit", teacher))


@bp.route("/teachers/new", methods=["GET", "POST"])
@require("teacher.edit")
def teacher_new():
    form = TeacherForm.build(current_user)
    if form.validate_on_submit():
        try:
            teacher = services.create_teacher(current_user, form.to_input())
        except DomainError as exc:
            refuse(form, exc)
            return render_template("records/teacher_form.html", form=form, teacher=None), 400
        db.session.commit()
        flash(_("已新增教师：%(name)s", name=teacher.name), "success")
        return redirect(url_for(".teacher_detail", teacher_id=teacher.id))
    return render_template("records/teacher_form.html", form=form, teacher=None), (400 if form.errors else 200)


@bp.route("/teachers/<int:teacher_id>/edit", methods=["GET", "POST"])
@require("teacher.edit")
def teacher_edit(teacher_id: int):
    teacher = _fetch(services.get_teacher, teacher_id)
    if not can(current_user, "teacher.edit", teacher):
        abort(404)
    form = TeacherForm.build(current_user, teacher)
    if form.validate_on_submit():
        try:
            services.update_teacher(current_user, teacher, form.to_input())
        except DomainError as exc:
            refuse(form, exc)
            return render_template("records/teacher_form.html", form=form, teacher=teacher), 400
        db.session.commit()
        flash(_("教师档案已保存。"), "success")
        return redirect(url_for(".teacher_detail", teacher_id=teacher.id))
    return render_template("records/teacher_form.html", form=form, teacher=teacher), (400 if form.errors else 200)
