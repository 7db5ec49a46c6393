"""Download routes of the exports (``/export/…``): thin over ``teachers.io.exports``.

Every route checks role and scope through the export services (403 for a role without the page, 404
for an object outside scope), writes the file with ``teachers.io.writer``, audits it and commits the
audit row. The teacher exports accept POST (with CSRF) as well as GET, so the list's search box — which
posts, to keep an ID number out of URLs and logs — is honoured too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from teachers import clock
from teachers.errors import DomainError, NotFound, PermissionDenied
from teachers.extensions import db
from teachers.io import exports, writer
from teachers.records.forms import SchoolFilterForm, TeacherFilterForm, looks_like_id_number

bp = Blueprint("io_export", __name__, url_prefix="/export")
FMT = "<any(xlsx, csv):fmt>"


def _build(fn: Callable[..., exports.Export], *args: Any, back: str, **kwargs: Any) -> exports.Export | Response:
    try:
        return fn(current_user, *args, **kwargs)
    except PermissionDenied:
        abort(403)
    except NotFound:
        abort(404)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)


def _download(export: exports.Export | Response, fmt: str) -> Response:
    if isinstance(export, Response):
        return export
    data = writer.render(export.sheet, fmt)
    exports.record(current_user, export, fmt)
    db.session.commit()  # the export's audit row
    name = f"{export.filename}.{fmt}"
    current_app.logger.info("export %s: %d rows as %s", export.kind, export.sheet.written, fmt)
    return Response(data, mimetype=writer.MIMETYPES[fmt], headers={
        "Content-Disposition": f"attachment; filename=\"{export.kind}.{fmt}\"; filename*=UTF-8''{quote(name)}"})


def _teacher_filters() -> tuple[str | None, dict[str, Any], TeacherFilterForm]:
    form = TeacherFilterForm.build(current_user, request.form if request.method == "POST" else request.args)
    return form.value("q"), form.filters(), form


def _id_number_in_url() -> Response | None:
    """An ID number in the query string is refused as the list page refuses it (it would reach the access
    log): back to the list without it, with the same message."""
    if request.method == "GET" and looks_like_id_number(request.args.get("q", "")):
        flash(_("为保护个人信息，身份证号请在搜索框中输入查询，不要写在网址中。"), "warning")
        return redirect(url_for("records.teacher_list", **{k: v for k, v in request.args.items() if k != "q"}))
    return None


@bp.route(f"/teachers.{FMT}", methods=["GET", "POST"])
@login_required
def teachers(fmt: str):
    if (refused := _id_number_in_url()) is not None:
        return refused
    q, filters, form = _teacher_filters()
    export = _build(exports.teachers, q, filters, sort=form.value("sort") or "staff_no",
                    descending=form.value("dir") == "desc", today=clock.today(), back=url_for("records.teacher_list"))
    return _download(export, fmt)


@bp.route(f"/national.{FMT}", methods=["GET", "POST"])
@login_required
def national(fmt: str):
    if (refused := _id_number_in_url()) is not None:
        return refused
    q, filters, _form = _teacher_filters()
    export = _build(exports.national_layout, q, filters, today=clock.today(), back=url_for("records.teacher_list"))
    return _download(export, fmt)


@bp.route(f"/schools.{FMT}")
@login_required
def schools(fmt: str):
    form = SchoolFilterForm.build(current_user, request.args)
    export = _build(exports.schools, area=form.value("area"), kind=form.value("kind"),
                    subdistrict=form.value("subdistrict"), q=form.value("q"), back=url_for("records.school_list"))
    return _download(export, fmt)


@bp.route(f"/training.{FMT}")
@login_required
def training(fmt: str):
    export = _build(exports.training, clock.today(), back=url_for("development.training_overview"))
    return _download(export, fmt)


@bp.route(f"/rotation/<int:round_id>/final-list.{FMT}")
@login_required
def final_list(round_id: int, fmt: str):
    export = _build(exports.final_list, round_id, back=url_for("rotation.round_detail", round_id=round_id))
    return _download(export, fmt)


@bp.route(f"/rotation/runs/<int:run_id>/plan.{FMT}")
@login_required
def plan(run_id: int, fmt: str):
    export = _build(exports.plan, run_id, back=url_for("rotation.round_list"))
    return _download(export, fmt)
