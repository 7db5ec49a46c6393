"""Upload → preview → confirm routes of the imports (``/import/…``): thin over ``teachers.io.imports``.

HR and administrators only (``records.import``); an HR user's rows may only name schools of their own
county (checked by the import). The uploaded file is kept between preview and confirm under
``instance/imports/`` (``IMPORT_DIR``), named by the uploader's id and the file's SHA-256, so the
confirmation imports exactly the file that was previewed and no one else's; it is removed once
imported, or a day after the preview when it never is. Every form posts with CSRF.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField
from wtforms.validators import Length, Optional

from teachers import clock
from teachers.auth.permissions import require
from teachers.errors import DomainError, PermissionDenied
from teachers.extensions import db
from teachers.forms import Form
from teachers.io import imports, writer

bp = Blueprint("io_import", __name__, url_prefix="/import")
KIND = "<any(teachers, schools, training):kind>"
TITLES = {"teachers": _l("导入教师"), "schools": _l("导入学校"), "training": _l("导入培训学时")}
BACK = {"teachers": "records.teacher_list", "schools": "records.school_list",
        "training": "development.training_overview"}
_SHA = re.compile(r"[0-9a-f]{64}")


class UploadForm(Form):
    file = FileField(_l("文件（.xlsx 或 .csv）"))
    update = BooleanField(_l("按工号/学校代码更新已有记录（不勾选：只新增）"))


class ConfirmForm(Form):
    sha256 = HiddenField(validators=[Length(min=64, max=64)])
    filename = HiddenField(validators=[Optional(), Length(max=200)])
    update = HiddenField(validators=[Optional(), Length(max=1)])


#: Uploads previewed but never confirmed are removed after this long.
KEEP_SECONDS = 24 * 3600


def _folder() -> Path:
    folder = Path(current_app.config.get("IMPORT_DIR") or Path(current_app.instance_path) / "imports")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sweep() -> None:
    """Remove uploads previewed more than ``KEEP_SECONDS`` ago and never confirmed."""
    limit = time.time() - KEEP_SECONDS
    for path in _folder().glob("*.upload"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass


def _stored(sha: str) -> Path:
    if not _SHA.fullmatch(sha or ""):
        abort(400)
    return _folder() / f"{current_user.id}-{sha}.upload"


def _page(kind: str, form: UploadForm, preview: imports.Preview | None = None, confirm: ConfirmForm | None = None,
          status: int = 200):
    return render_template("io/import.html", kind=kind, title=TITLES[kind], form=form, preview=preview,
                           confirm=confirm), status


@bp.route(f"/{KIND}", methods=["GET", "POST"])
@require("records.import")
def upload(kind: str):
    form = UploadForm()
    if not form.validate_on_submit():
        return _page(kind, form, status=400 if form.errors else 200)
    upload_file = form.file.data
    data = upload_file.read() if upload_file else b""
    name = (getattr(upload_file, "filename", "") or "upload")[-200:]
    try:
        result = imports.preview(current_user, kind, data, name, update=form.update.data, today=clock.today())
    except PermissionDenied:
        abort(403)
    finally:
        db.session.rollback()  # a preview writes nothing
    confirm = None
    if result.ok:
        _sweep()
        _stored(result.sha256).write_bytes(data)
        confirm = ConfirmForm(formdata=None, sha256=result.sha256, filename=name, update="1" if form.update.data else "")
    return _page(kind, form, result, confirm)  # a file with problems is a result too: the list of them


@bp.route(f"/{KIND}/confirm", methods=["POST"])
@require("records.import")
def confirm(kind: str):
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    path = _stored(form.sha256.data)
    if not path.exists():
        flash(_("上传的文件已失效，请重新上传。"), "error")
        return redirect(url_for(".upload", kind=kind))
    data = path.read_bytes()
    update = form.update.data == "1"
    try:
        result = imports.apply(current_user, kind, data, form.filename.data or "upload", update=update,
                               today=clock.today())
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".upload", kind=kind))
    db.session.commit()
    path.unlink(missing_ok=True)
    flash(_("已导入：新增%(created)d，更新%(updated)d，无变化%(unchanged)d。", created=len(result.creates),
            updated=len(result.updates), unchanged=result.unchanged), "success")
    return redirect(url_for(BACK[kind]))


@bp.route(f"/{KIND}/template.xlsx")
@require("records.import")
def template(kind: str):
    data = imports.template(kind)
    name = {"teachers": _("教师导入模板"), "schools": _("学校导入模板"), "training": _("培训学时导入模板")}[kind]
    return Response(data, mimetype=writer.MIMETYPES["xlsx"], headers={
        "Content-Disposition": f"attachment; filename=\"{kind}-template.xlsx\"; filename*=UTF-8''{quote(name)}.xlsx"})
