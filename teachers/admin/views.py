"""Accounts, settings and audit (placeholder until the admin blueprint lands)."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users")
def user_list():
    return ""


@bp.route("/settings")
def settings():
    return ""


@bp.route("/audit")
def audit_log():
    return ""
