"""Language switch: Chinese first, English second; the choice is kept in the session and on the account."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, session, url_for
from flask_login import current_user

from teachers.extensions import db

bp = Blueprint("i18n", __name__)


@bp.route("/lang/<code>", methods=["POST"])
def switch(code: str):
    if code not in ("zh", "en"):
        abort(404)
    session["lang"] = code
    if current_user.is_authenticated:
        current_user.locale = code
        db.session.commit()
    target = request.form.get("next") or ""
    # "/\\host" and control characters are read by browsers as another host (as in auth.views._safe_next).
    if not target.startswith("/") or target.startswith("//") or "\\" in target or any(ord(c) < 32 for c in target):
        target = url_for("dashboard.index")
    return redirect(target)
