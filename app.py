"""Application factory: config → extensions → blueprints → CLI."""

from __future__ import annotations

from flask import Flask, has_request_context, render_template, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter

from teachers import config
from teachers.extensions import babel, csrf, db, login_manager, migrate


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    config.load(app, test_config)
    # Before any route is added: ids in URLs are bounded, so /teachers/99999999999999999999 is a 404.
    app.url_map.converters["int"] = BoundedIntConverter
    import teachers.guard  # noqa: F401  (registers the value guard on every flush)
    from teachers.logs import install_log_redaction

    install_log_redaction()

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path) + "/migrations", render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    _init_login(app)

    from teachers.admin.views import bp as admin_bp
    from teachers.auth.views import bp as auth_bp
    from teachers.dashboard.views import bp as dashboard_bp
    from teachers.development.views import bp as development_bp
    from teachers.i18n import bp as i18n_bp
    from teachers.io.export_views import bp as io_export_bp
    from teachers.io.import_views import bp as io_import_bp
    from teachers.notifications.views import bp as notifications_bp
    from teachers.records.views import bp as records_bp
    from teachers.rotation.views import bp as rotation_bp

    for blueprint in (auth_bp, dashboard_bp, records_bp, admin_bp, i18n_bp, development_bp, notifications_bp,
                      rotation_bp, io_export_bp, io_import_bp):
        app.register_blueprint(blueprint)

    from teachers.cli import register as register_cli

    register_cli(app)
    from teachers.rotation.cli import register as register_rotation_cli

    register_rotation_cli(app)
    from teachers.io.export_cli import register as register_export_cli

    register_export_cli(app)
    from teachers.io.import_cli import register as register_import_cli

    register_import_cli(app)
    _init_templates(app)
    _init_errors(app)
    _init_headers(app)
    return app


def _select_locale() -> str:
    if not has_request_context():
        return "zh"  # CLI commands and jobs speak Chinese first
    lang = session.get("lang")
    if lang in ("zh", "en"):
        return lang
    return "zh"


def _init_login(app: Flask) -> None:
    from teachers.auth.sessions import load_session_user

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"

    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("请先登录。")
    login_manager.user_loader(load_session_user)


def _init_templates(app: Flask) -> None:
    from teachers.auth.permissions import can, has_permission
    from teachers.labels import label, setting_value
    from teachers.masking import personal

    def personal_for_current_user(teacher):
        """``personal(teacher)`` in templates: what the current user may see of the teacher's personal data."""
        return personal(current_user, teacher)

    app.jinja_env.globals.update(can=can, has_permission=has_permission, label=label, setting_value=setting_value,
                                 personal=personal_for_current_user)

    @app.context_processor
    def inject_locale():
        from flask_babel import get_locale

        return {"current_locale": str(get_locale() or "zh")}


def _init_errors(app: Flask) -> None:
    def handler(code: int):
        def render(_error):
            db.session.rollback()
            return render_template("errors/error.html", code=code), code

        return render

    for code in (400, 403, 404, 405, 413, 500):
        app.register_error_handler(code, handler(code))

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return render_template("errors/error.html", code=400, csrf=True), 400


CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; "
       "form-action 'self'; base-uri 'none'; object-src 'none'")


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` as Werkzeug's, but only up to 2**31 - 1 (a database INTEGER): larger ids are 404s."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def _init_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CSP)
        if app.config.get("HSTS_SECONDS"):
            response.headers.setdefault("Strict-Transport-Security",
                                        f"max-age={int(app.config['HSTS_SECONDS'])}; includeSubDomains")
        if current_user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")
        response.vary.add("Cookie")
        return response



@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, _record) -> None:
    """SQLite checks foreign keys only when asked, per connection."""
    if dbapi_connection.__class__.__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
