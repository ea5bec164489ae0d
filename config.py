"""Configuration, one class per environment, every value read from the environment.

`APP_ENV` picks the class (development, production, testing); the variables are those of
API.md. Paths default to the Flask instance folder so that `make run` needs nothing set.
"""
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance"))


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """The SECRET_KEY variable, or a key generated once and kept in the instance folder."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "sqlite:///instance/awards.sqlite3")
    # A relative SQLite path is taken from the project folder, wherever the command runs.
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and url != "sqlite:///:memory:":
        url = "sqlite:///" + str(BASE_DIR / url.removeprefix("sqlite:///"))
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


class Config:
    ENV_NAME = "base"
    SECRET_KEY = property(lambda self: _secret_key())
    SQLALCHEMY_DATABASE_URI = property(lambda self: _database_url())
    REDIS_URL = property(lambda self: os.environ.get("REDIS_URL") or None)
    UPLOAD_DIR = property(lambda self: os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads")))
    MAIL_DIR = property(lambda self: os.environ.get("MAIL_DIR", str(INSTANCE_DIR / "mail")))
    MAX_UPLOAD_MB = property(lambda self: int(os.environ.get("MAX_UPLOAD_MB", "20")))
    MAX_CONTENT_LENGTH = property(lambda self: (self.MAX_UPLOAD_MB + 1) * 1024 * 1024)
    SMTP_HOST = property(lambda self: os.environ.get("SMTP_HOST") or None)
    SMTP_PORT = property(lambda self: int(os.environ.get("SMTP_PORT", "25")))
    SMTP_USER = property(lambda self: os.environ.get("SMTP_USER") or None)
    SMTP_PASSWORD = property(lambda self: os.environ.get("SMTP_PASSWORD") or None)
    SMTP_STARTTLS = property(lambda self: _env_bool("SMTP_STARTTLS"))
    SMTP_TIMEOUT = property(lambda self: float(os.environ.get("SMTP_TIMEOUT", "30")))
    # Notice delivery (see tasks/jobs.py): retries back off from the base, doubling, up to the maximum.
    NOTICE_MAX_ATTEMPTS = property(lambda self: int(os.environ.get("NOTICE_MAX_ATTEMPTS", "5")))
    NOTICE_RETRY_BASE_SECONDS = property(lambda self: float(os.environ.get("NOTICE_RETRY_BASE_SECONDS", "30")))
    NOTICE_RETRY_MAX_SECONDS = property(lambda self: float(os.environ.get("NOTICE_RETRY_MAX_SECONDS", "600")))
    # Must exceed the longest possible send (SMTP_TIMEOUT per step), or a live claim would be taken over.
    NOTICE_STALE_CLAIM_SECONDS = property(lambda self: float(os.environ.get("NOTICE_STALE_CLAIM_SECONDS", "900")))
    MAIL_FROM = property(lambda self: os.environ.get("MAIL_FROM", "no-reply@localhost"))
    BABEL_DEFAULT_LOCALE = property(lambda self: os.environ.get("BABEL_DEFAULT_LOCALE", "vi"))
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    # Public address used in notice links; request-less jobs cannot guess it.
    BASE_URL = property(lambda self: os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"))
    # JSON bodies nested deeper than this are refused (400); the API's own bodies nest three levels at most.
    JSON_MAX_DEPTH = property(lambda self: int(os.environ.get("JSON_MAX_DEPTH", "32")))
    API_TOKEN_HOURS = property(lambda self: int(os.environ.get("API_TOKEN_HOURS", "12")))
    # "refuse" (the default) or "flag": whether acting on one's own unit's dossier is refused or only recorded.
    CONFLICT_OF_INTEREST = property(lambda self: os.environ.get("CONFLICT_OF_INTEREST", "refuse"))
    # Honours-list exports: where background exports are written, and the size above which they go to a job.
    EXPORT_DIR = property(lambda self: os.environ.get("EXPORT_DIR", str(INSTANCE_DIR / "exports")))
    EXPORT_ASYNC_ROWS = property(lambda self: int(os.environ.get("EXPORT_ASYNC_ROWS", "2000")))
    HONOURS_LIST_PLACE = property(lambda self: os.environ.get("HONOURS_LIST_PLACE", "Hà Nội"))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = True
    API_TITLE = "Award dossiers"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    # The embedded default serves plain http on 127.0.0.1, where a Secure cookie would be dropped.
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False


class ProductionConfig(Config):
    ENV_NAME = "production"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False


CONFIGS = {c.ENV_NAME: c for c in (DevelopmentConfig, ProductionConfig, TestingConfig)}


def config_for(name: str | None = None) -> Config:
    return CONFIGS[name or os.environ.get("APP_ENV", "development")]()
