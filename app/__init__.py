"""Mizan: Arabic news into a reviewed Arabic-English corpus.

`create_app` builds the Flask application: settings, extensions, the
database's engine options (app/database.py), blueprints by user task, error pages and the CLI.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from flask import Flask

from .config import (DefaultConfig, apply_cookie_settings, ensure_instance_config, instance_path_from_env,
                     settings_from_env)
from .database import engine_options
from .extensions import csrf, db, limiter, login_manager, migrate

__version__ = "0.1.0"

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    instance_path = Path(
        (test_config or {}).get("INSTANCE_PATH") or instance_path_from_env()
    ).resolve()
    app = Flask(__name__, instance_path=str(instance_path), instance_relative_config=True)
    app.config.from_object(DefaultConfig)
    if test_config is None:
        ensure_instance_config(instance_path)
        app.config.from_pyfile("config.py")
        app.config.update(settings_from_env(instance_path))
    else:
        instance_path.mkdir(parents=True, exist_ok=True)
        app.config.update(settings_from_env(instance_path))
        app.config.update(test_config)
    apply_cookie_settings(app.config)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["SQLALCHEMY_ENGINE_OPTIONS"], app.config)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError(f"SECRET_KEY missing: set it in {instance_path / 'config.py'}")

    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way to wrap its WSGI app
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    csrf.init_app(app)
    limiter.init_app(app)
    _init_login(app)
    from .security_headers import init_security_headers

    init_security_headers(app)

    from .api import init_api
    from .admin import bp as admin_bp
    from .auth import bp as auth_bp
    from .curate import bp as curate_bp
    from .export import bp as export_bp
    from .review import bp as review_bp

    from .forms import refuse_unusable_query_strings

    app.before_request(refuse_unusable_query_strings)
    app.register_blueprint(auth_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(export_bp, url_prefix="/export")
    app.register_blueprint(curate_bp, url_prefix="/curate")
    init_api(app)
    _serve_favicon(app)

    from .tasks import use_instance_queue

    use_instance_queue(app.instance_path)
    from .instance_files import secure_instance_folder

    secure_instance_folder(instance_path, app.config["SQLALCHEMY_DATABASE_URI"])  # nothing connected yet

    from .errors import register_error_handlers

    register_error_handlers(app)

    from .cli import register_cli

    register_cli(app)

    @app.context_processor
    def _inject_version():
        return {"mizan_version": __version__, "notifications_unread": _notifications_unread}

    app.add_template_filter(format_duration, "duration")
    from .dates import long_date, time_element

    app.add_template_filter(long_date, "long_date")  # one date format on every page (app/dates.py)
    app.add_template_filter(time_element, "time")
    _start_background_work_on_first_request(app)
    from .request_limits import init_request_limits

    init_request_limits(app)  # last: its check must run before every other hook
    return app


def _start_background_work_on_first_request(app: Flask) -> None:
    """When the server starts serving: build what suggestions and the QA glossary check need, and the
    translation memory's index, so the first suggestions or matches request does not pay for it (not in tests: they check at once), and start the
    export helper process (not in tests unless asked for). The CLI serves no request: neither happens."""
    warm_known_forms = bool(app.config.get("KNOWN_FORMS_RECHECK_SECONDS"))
    warm_memory = bool(app.config.get("TM_RECHECK_SECONDS"))
    start_export_helper = bool(app.config.get("EXPORT_HELPER"))
    if not (warm_known_forms or warm_memory or start_export_helper):
        return
    started: list[bool] = []

    @app.before_request
    def _start_once():
        if not started:
            started.append(True)
            if warm_known_forms:
                from .services.suggestions import rebuild_in_background

                rebuild_in_background()
            if warm_memory:  # the translation memory's index, likewise (services/translation_memory.py)
                from .services.translation_memory import build_in_background

                build_in_background()
            if start_export_helper:
                from .services.export import start_helper

                start_helper()


def _notifications_unread() -> int:
    """The bell's count in the header (base.html), asked for only by a page that shows it."""
    from flask_login import current_user

    from .services.notifications import unread_count

    from sqlalchemy.exc import SQLAlchemyError

    if not current_user.is_authenticated:
        return 0
    try:
        return unread_count(current_user)
    except SQLAlchemyError:  # an error page about the database itself: show the page, without the count
        from .extensions import db

        db.session.rollback()
        return 0


def format_duration(seconds: int | float | None) -> str:
    """'35 s', '4 min 05 s', '2 h 10 min': effort times for people."""
    total = int(seconds or 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def _init_login(app: Flask) -> None:
    from .auth.cookies import HttpsAwareSessionInterface, secure_cookies_over_https
    from .services import users as user_service

    app.session_interface = HttpsAwareSessionInterface()
    app.after_request(secure_cookies_over_https)  # registered before Flask-Login's: runs after it
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str):
        return user_service.user_for_session_id(session_id)
    # API tokens are checked by the API blueprint alone: they never open web pages.


def _serve_favicon(app: Flask) -> None:
    """Browsers ask for /favicon.ico on every page they did not get a <link rel="icon"> from (a JSON
    answer, a download): the icon in static, never a 404."""
    from flask import send_from_directory

    def favicon():
        return send_from_directory(app.static_folder or "static", "favicon.ico",
                                   mimetype="image/vnd.microsoft.icon", max_age=86400)

    app.add_url_rule("/favicon.ico", endpoint="favicon", view_func=favicon)
