"""The home page: one dashboard per role (county, school or personal)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, render_template
from flask_babel import get_timezone
from flask_login import current_user, login_required

from teachers.auth.permissions import has_permission
from teachers.dashboard import services
from teachers.errors import NotFound, PermissionDenied
from teachers.rotation.adapter import next_rotation_year
from teachers.web import int_arg

bp = Blueprint("dashboard", __name__)


def _year() -> int:
    """The year of the next rotation, or ``?year=`` when a plausible one is asked for.

    Postings take effect on 1 September, so from September on the bureau plans next year's round.
    """
    year = int_arg("year", minimum=2000, maximum=2100)
    if year is not None:
        return year
    return next_rotation_year(datetime.now(get_timezone()).date())


@bp.route("/")
@login_required
def index():
    year = _year()
    try:
        if has_permission(current_user, "dashboard.county"):
            data = services.county_summary(current_user, int_arg("county"), year)
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
