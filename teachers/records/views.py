"""Schools and teachers (placeholder until the records blueprint lands)."""
from flask import Blueprint

bp = Blueprint("records", __name__)


@bp.route("/schools")
def school_list():
    return ""


@bp.route("/teachers")
def teacher_list():
    return ""


@bp.route("/teachers/<int:teacher_id>")
def teacher_detail(teacher_id: int):
    return ""
