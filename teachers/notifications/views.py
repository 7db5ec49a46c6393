"""The inbox: what waits for the signed-in user (to-dos) and what changed (notices).

Thin views over ``teachers.notifications.services``; every route serves only the signed-in
user's own rows (another user's notification id is a 404). The top-bar count and the dashboard's
to-do list come from the context processor below, so every page shows them.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from teachers.errors import NotFound
from teachers.extensions import db
from teachers.notifications import services
from teachers.web import int_arg

bp = Blueprint("notifications", __name__, url_prefix="/inbox")

#: How many open to-dos a dashboard lists before linking to the inbox.
DASHBOARD_TODOS = 8


def _entries(items):
    out = []
    for n in items:
        text, url = services.render(n)
        out.append({"n": n, "text": text, "url": url})
    return out


@bp.app_context_processor
def inbox_context():
    def todo_count() -> int:
        if not current_user.is_authenticated:
            return 0
        return services.open_todo_count(current_user)

    def todo_entries(limit: int = DASHBOARD_TODOS):
        if not current_user.is_authenticated:
            return []
        return _entries(services.inbox(current_user, per_page=limit, todo_only=True).items)

    return {"inbox_todo_count": todo_count, "inbox_todos": todo_entries}


@bp.route("")
@login_required
def index():
    todo_only = request.args.get("show") == "todo"
    page = services.inbox(current_user, page=int_arg("page", 1) or 1, todo_only=todo_only)
    return render_template(
        "notifications/inbox.html",
        page=page,
        entries=_entries(page.items),
        todo_only=todo_only,
        todo_count=services.open_todo_count(current_user),
        unread=services.unread_count(current_user),
    )


def _safe(url: str | None) -> str:
    """Only links inside this app are followed (a notice's URL is built by the app, but be sure)."""
    if not url:
        return url_for("notifications.index")
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/"):
        return url_for("notifications.index")
    return url


@bp.route("/<int:notification_id>/open", methods=["POST"])
@login_required
def open_notice(notification_id: int):
    """Mark one of the user's notices read and go where it leads."""
    try:
        row = services.mark_read(current_user, notification_id)
    except NotFound:
        abort(404)
    _text, url = services.render(row)
    db.session.commit()
    return redirect(_safe(url))


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():
    n = services.mark_all_read(current_user)
    db.session.commit()
    flash(_("已将 %(n)d 条通知标为已读。", n=n), "success")
    return redirect(url_for("notifications.index"))
