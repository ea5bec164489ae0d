"""The Flask application factory."""
from __future__ import annotations

import logging
import time
from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_babel import Babel, Domain, get_locale
from flask_login import current_user
from flask_migrate import Migrate
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError, OperationalError
from flask_babel import refresh as refresh_locale

from config import INSTANCE_DIR, config_for, require_strong_keys
from logs import configure_logging
from tasks.celery_app import celery_init_app
from tasks.dispatch import install_notice_dispatch
from web.input_guard import install_input_guard


from web.bounds import install_bounds
from web.metrics import install_metrics
from web.request_ids import install_request_ids
from workflow.models import db
from workflow.procedure import Catalogue, ProcedureError, catalogue, install, load_directory
from workflow.procedure_use import missing_procedures
from workflow.storage import parse_storage_url

PROJECT_DIR = Path(__file__).resolve().parent.parent
LOCALES = ("vi", "en")



class ProcedureDomain(Domain):
    """The catalogue's translations plus the labels of the procedure files, which carry their own Vietnamese:
    a state or event label is translated from the file that declares it, not from the .po catalogue."""

    def get_translations(self):
        translations = super().get_translations()
        loaded = catalogue()
        if getattr(translations, "procedure_labels_of", None) is not loaded and hasattr(translations, "_catalog"):
            translations._catalog.update(loaded.label_translations(str(get_locale() or "vi")))
            translations.procedure_labels_of = loaded
        return translations


class ProcedureBabel(Babel):
    @property
    def domain_instance(self):
        if not hasattr(self, "_procedure_domain"):
            self._procedure_domain = ProcedureDomain(domain=self.domain)
        return self._procedure_domain


babel = ProcedureBabel()
migrate = Migrate()


def create_app(config_name: str | None = None, **overrides) -> Flask:
    app = Flask(__name__, instance_path=str(INSTANCE_DIR), instance_relative_config=True)
    install_bounds(app)
    app.config.from_object(config_for(config_name))
    app.config.update(overrides)
    require_strong_keys(app.config)
    if app.config.get("STORAGE_URL"):
        parse_storage_url(app.config["STORAGE_URL"])  # a mistyped store stops the start, not the first upload
    app.json.ensure_ascii = False  # Vietnamese text as is, in UTF-8
    app.json.sort_keys = False
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if "MAX_UPLOAD_MB" in overrides and "MAX_CONTENT_LENGTH" not in overrides:
        # The request cap follows the upload limit given here, as it follows the MAX_UPLOAD_MB variable.
        app.config["MAX_CONTENT_LENGTH"] = (app.config["MAX_UPLOAD_MB"] + 1) * 1024 * 1024
    configure_logging(logging.INFO)
    # The state machine would log two lines per transition; the history already records each one.
    logging.getLogger("transitions").setLevel(logging.WARNING)

    procedures = load_directory(app.config["PROCEDURES_DIR"])  # a faulty procedure file stops the start here
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_DIR / "migrations"), render_as_batch=True)
    babel.init_app(app, locale_selector=_locale_selector(app))
    # Flask-Babel keeps the chosen language in the app context, which a request shares when one is
    # already pushed (tests, scripts): choose it afresh for every request.
    install_request_ids(app)
    install_metrics(app)
    app.before_request(refresh_locale)
    install_input_guard(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _configure_sqlite(db.engine)
        else:
            _test_idle_connections(db.engine)
        _require_procedures_in_use(app, procedures)
    install(procedures)
    celery_init_app(app)
    install_notice_dispatch(app)

    from web.api import init_api
    from web.cli import register_cli
    from web.errors import register_error_handlers
    from web.exports import exports_page
    from web.formatting import register_filters
    from web.health import health
    from web.pages import init_pages

    register_error_handlers(app)
    register_filters(app)
    init_api(app)
    app.register_blueprint(health)
    app.register_blueprint(exports_page)
    init_pages(app)
    register_cli(app)
    return app


def _locale_selector(app: Flask):
    default = app.config["BABEL_DEFAULT_LOCALE"]

    def selector() -> str:
        if not has_request_context():  # a job or a command: the organisation's language
            return default
        if request.path.startswith("/api/"):
            return request.accept_languages.best_match(LOCALES, default=default)
        chosen = session.get("locale")
        if chosen in LOCALES:
            return chosen
        if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
            return current_user.locale
        return default

    return selector


IDLE_SECONDS_BEFORE_TEST = 10.0


def _test_idle_connections(engine) -> None:
    """Test a pooled connection before use when it has been idle for a while.

    A database restart or a firewall may have cut it meanwhile; a bad one is replaced before the
    request sees it. Connections in constant use are not tested: a test on every checkout (SQLAlchemy's
    pool_pre_ping) costs a round trip to the server per transaction.
    """

    @event.listens_for(engine, "checkin")
    def on_checkin(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection, record, _proxy):
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < IDLE_SECONDS_BEFORE_TEST:
            return
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
            dbapi_connection.rollback()
        except Exception as error:  # noqa: BLE001 - whatever broke it, the pool takes a fresh connection
            raise DisconnectionError() from error


def _configure_sqlite(engine) -> None:
    """WAL, a busy timeout, and BEGIN IMMEDIATE so that read-then-write transactions queue, never fail."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _require_procedures_in_use(app: Flask, procedures: Catalogue) -> None:
    """Refuse to start without a procedure version that running dossiers move on, or that award types follow."""
    try:
        missing = missing_procedures(procedures)
    except OperationalError as error:  # the database is not up yet: the app starts, and says so
        app.logger.warning("The procedures in use could not be checked: %s", error.orig)
        return
    finally:
        # A prefork Celery worker or a preloading gunicorn forks after this: a pooled connection opened
        # here would be shared by the children, whose statements would then interleave on one socket.
        db.session.remove()
        db.engine.dispose()
    if missing:
        raise ProcedureError([(app.config["PROCEDURES_DIR"], 0, fault) for fault in missing])
