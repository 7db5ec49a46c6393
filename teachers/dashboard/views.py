"""The home page: one dashboard per role (county, school or personal)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, render_template, request
from flask_babel import get_timezone
from flask_login import current_user, login_required

from teachers.auth.permissions import has_permission
from teachers.dashboard import services
from teachers.errors import NotFound, PermissionDenied
from teachers.rotation.adapter import next_rotation_year

bp = Blueprint("dashboard", __name__)


def _year() -> int:
    """The year of the next rotation, or ``?year=`` when a plausible one is asked for.

    Postings take effect on 1 September, so from September on the bureau plans next year's round.
    """
    year = request.args.get("year", type=int)
    if year is not None and 2000 <= year <= 2100:
        return year
    return next_rotation_year(datetime.now(get_timezone()).date())


@bp.route("/")
@login_required
def index():
    year = _year()
    try:
        if has_permission(current_user, "dashboard.county"):
            data = services.county_summary(current_user, request.args.get("county", type=int), year)
            return render_template("dashboard/county.html", **data)
        if has_permission(current_user, "dashboard.school"):
            return render_template("dashboard/school.html", **services.school_summary(current_user, year))
        if has_permission(current_user, "dashboard.self"):
            return render_template("dashboard/self.html", **services.self_summary(current_user, year))
    except NotFound:
        abort(404)
    except PermissionDenied:
        abort(403)
    abort(403)
