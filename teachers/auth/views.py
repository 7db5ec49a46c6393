"""Login, logout and password change."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from teachers import audit
from teachers.auth import services
from teachers.auth.forms import LoginForm, PasswordForm
from teachers.auth.sessions import end_session, start_session
from teachers.errors import DomainError
from teachers.extensions import db

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    # Browsers read "/\\evil.example" as "//evil.example" and drop tabs and newlines, so those are refused too.
    if target and "\\" not in target and not any(ord(c) < 32 for c in target):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.username.data, form.password.data)
        except services.LoginRefused as exc:
            db.session.commit()  # keep the failure count and any lockout
            form.password.errors.append(exc.message)
            return render_template("auth/login.html", form=form), 200
        lang = session.get("lang")
        session.clear()  # a fresh session at login: nothing carried over from before
        start_session(user, ip=audit.client_address(), user_agent=request.user_agent.string or "")
        audit.record(user, "auth.login", user)
        db.session.commit()
        login_user(user)
        session.permanent = True
        if user.locale or lang:
            session["lang"] = user.locale or lang
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    end_session(current_user.session_token)
    audit.record(current_user, "auth.logout", current_user)
    db.session.commit()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang  # the language is the reader's, not the account's
    flash(_("您已安全退出。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data,
                                     keep_token=current_user.session_token)
        except DomainError as exc:
            if isinstance(exc, services.PasswordAttemptRefused):
                db.session.commit()  # keep the count of wrong current passwords (and any lock)
            else:
                db.session.rollback()
            getattr(form, exc.field or "password").errors.append(exc.message)
            return render_template("auth/password.html", form=form), 400
        db.session.commit()
        flash(_("密码已修改，其他设备上的登录已失效。"), "success")
        return redirect(url_for("dashboard.index"))
    return render_template("auth/password.html", form=form), (400 if form.errors else 200)
