"""Configuration, one class per environment, every value read from the environment.

`APP_ENV` picks the class (development, production, testing); the variables are those of
API.md. Paths default to the Flask instance folder so that `make run` needs nothing set.
"""
import math
import os
import secrets
import string
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
    return os.environ.get("SECRET_KEY") or _generated_once("secret_key")


def _generated_once(name: str) -> str:
    """A random key kept in the instance folder under `name`, made on first use."""
    path = INSTANCE_DIR / name
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


# Keys published somewhere (old compose default, examples, tests): whoever knows one can forge a session.
KNOWN_SECRET_KEYS = frozenset({
    "change-me-in-production", "change-me", "changeme", "change_me", "changethis", "test-secret", "test", "dev",
    "development", "secret", "secret-key", "secret_key", "your-secret-key", "super-secret", "supersecret",
    "default", "example", "password", "flask", "awards",
})
SECRET_KEY_MIN_BITS = 256
# The keys that must be strong outside development: the session signer and the history chain's signer.
STRONG_KEYS = ("SECRET_KEY", "HISTORY_KEY")


def how_to_make(name: str) -> str:
    return (f"Make one with `python -c 'import secrets; print(secrets.token_hex(32))'` and put it in the "
            f"environment (with docker compose: a line {name}=... in the .env file next to docker-compose.yml).")


def _capacity_bits(key: str) -> float:
    """The most randomness a key of this length can hold, given the kinds of characters it uses."""
    if set(key) <= set(string.hexdigits):
        return len(key) * 4
    alphabet = sum(len(kind) for kind in (string.digits, string.ascii_lowercase, string.ascii_uppercase)
                   if any(c in kind for c in key))
    if any(not (c.isascii() and c.isalnum()) for c in key):
        alphabet += 32
    return len(key) * math.log2(alphabet)


def _repetitive(key: str) -> bool:
    """A pattern, not noise: in a random key almost every run of three characters is new."""
    runs = [key[i:i + 3] for i in range(len(key) - 2)]
    return len(set(runs)) < 0.75 * len(runs)


def key_problem(name: str, key: str | None) -> str | None:
    """Why this key must not sign anything, or None when it is strong enough (32 random bytes or more)."""
    if not key:
        return f"{name} is not set."
    if key.strip().casefold() in KNOWN_SECRET_KEYS:
        return f"{name} is a published default: whoever knows it can forge what it signs."
    if _capacity_bits(key) < SECRET_KEY_MIN_BITS or _repetitive(key):
        return f"{name} is too weak: it needs at least 32 random bytes (64 hexadecimal characters)."
    return None


class InsecureConfiguration(RuntimeError):
    """A setting that would leave the deployment open; the app does not start with it."""


def require_strong_keys(config) -> None:
    if not config.get("REQUIRE_STRONG_KEYS", True):
        return
    for name in STRONG_KEYS:
        problem = key_problem(name, config.get(name))
        if problem:
            raise InsecureConfiguration(f"{problem} {how_to_make(name)}")


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
    # The key the history chain is signed with (HMAC), kept outside the database; generated once into the
    # instance folder except in production, where it must be set. Retired keys, separated by commas, still
    # verify the rows they signed (see `flask history rekey`).
    HISTORY_KEY = property(lambda self: os.environ.get("HISTORY_KEY") or _generated_once("history_key"))
    HISTORY_KEYS_OLD = property(lambda self: os.environ.get("HISTORY_KEYS_OLD", ""))
    SQLALCHEMY_DATABASE_URI = property(lambda self: _database_url())
    REDIS_URL = property(lambda self: os.environ.get("REDIS_URL") or None)
    UPLOAD_DIR = property(lambda self: os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads")))
    # Where documents and export files are kept (workflow/storage.py): empty for the local folders UPLOAD_DIR and
    # EXPORT_DIR, or s3://BUCKET[/PREFIX]?endpoint=URL for an S3-compatible store that every node shares, whose
    # keys are these two (or, when they are empty, the usual AWS variables and files).
    STORAGE_URL = property(lambda self: os.environ.get("STORAGE_URL") or None)
    STORAGE_ACCESS_KEY = property(lambda self: os.environ.get("STORAGE_ACCESS_KEY") or None)
    STORAGE_SECRET_KEY = property(lambda self: os.environ.get("STORAGE_SECRET_KEY") or None)
    MAIL_DIR = property(lambda self: os.environ.get("MAIL_DIR", str(INSTANCE_DIR / "mail")))
    MAX_UPLOAD_MB = property(lambda self: int(os.environ.get("MAX_UPLOAD_MB", "20")))
    MAX_CONTENT_LENGTH = property(lambda self: (self.MAX_UPLOAD_MB + 1) * 1024 * 1024)
    MAX_DOCUMENTS_PER_DOSSIER = property(lambda self: int(os.environ.get("MAX_DOCUMENTS_PER_DOSSIER", "20")))
    # Spreadsheet imports: nominations per file; rows of a sheet read, empty ones too; cells read in the
    # workbook; uncompressed size of any one part of the file. Past any of them the file is refused.
    IMPORT_MAX_ROWS = property(lambda self: int(os.environ.get("IMPORT_MAX_ROWS", "1000")))
    IMPORT_MAX_SHEET_ROWS = property(lambda self: int(os.environ.get("IMPORT_MAX_SHEET_ROWS", "5000")))
    IMPORT_MAX_CELLS = property(lambda self: int(os.environ.get("IMPORT_MAX_CELLS", "50000")))
    IMPORT_MAX_PART_MB = property(lambda self: int(os.environ.get("IMPORT_MAX_PART_MB", "10")))
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
    # Daily reminders: drafts when the submission deadline is at most this many working days away, returned
    # dossiers when their due date is (DOMAIN.md: 3 and 2).
    REMINDER_DEADLINE_WORKING_DAYS = property(lambda self: int(os.environ.get("REMINDER_DEADLINE_WORKING_DAYS", "3")))
    REMINDER_RETURN_WORKING_DAYS = property(lambda self: int(os.environ.get("REMINDER_RETURN_WORKING_DAYS", "2")))

    # The folder of the procedure files (*.yaml) the app runs; every file is checked at start-up.
    PROCEDURES_DIR = property(lambda self: os.environ.get("PROCEDURES_DIR", str(BASE_DIR / "workflow" / "procedures")))
    # Honours-list exports: where background exports are written, and the size above which they go to a job.
    EXPORT_DIR = property(lambda self: os.environ.get("EXPORT_DIR", str(INSTANCE_DIR / "exports")))
    EXPORT_ASYNC_ROWS = property(lambda self: int(os.environ.get("EXPORT_ASYNC_ROWS", "2000")))
    HONOURS_LIST_PLACE = property(lambda self: os.environ.get("HONOURS_LIST_PLACE", "Hà Nội"))
    # Who may read /metrics: with a token, whoever sends it as a Bearer token; without, only the same machine.
    METRICS_TOKEN = property(lambda self: os.environ.get("METRICS_TOKEN") or None)
    # Outside development and tests the app refuses to start unless its keys are strong (config.key_problem).
    REQUIRE_STRONG_KEYS = True
    # How many reverse proxies in front of the app set X-Forwarded-For/-Proto; 0: the headers are ignored.
    TRUSTED_PROXIES = property(lambda self: int(os.environ.get("TRUSTED_PROXIES", "0")))
    # Strict-Transport-Security max-age; 0 sends no header.
    HSTS_SECONDS = 0
    # Failed sign-ins: per account and address (locks out a guesser), per account from anywhere (slower,
    # so an attacker at one address cannot lock the owner out), per address (one address trying many accounts).
    LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS = property(
        lambda self: os.environ.get("LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS", "5 per 15 minutes"))
    LOGIN_LIMIT_PER_ACCOUNT = property(lambda self: os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "50 per hour"))
    LOGIN_LIMIT_PER_ADDRESS = property(lambda self: os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "20 per 15 minutes"))
    # Public disclosure: the longest comment anyone may send, and how many comments one address may send.
    DISCLOSURE_COMMENT_MAX_CHARS = property(lambda self: int(os.environ.get("DISCLOSURE_COMMENT_MAX_CHARS", "2000")))
    DISCLOSURE_COMMENT_LIMIT = property(lambda self: os.environ.get("DISCLOSURE_COMMENT_LIMIT", "5 per hour"))
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
    REQUIRE_STRONG_KEYS = False
    # The embedded default serves plain http on 127.0.0.1, where a Secure cookie would be dropped.
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False


class ProductionConfig(Config):
    ENV_NAME = "production"
    # Never a key generated into one container's instance folder: every process must share the operator's key.
    SECRET_KEY = property(lambda self: os.environ.get("SECRET_KEY") or None)
    HSTS_SECONDS = property(lambda self: int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600))))
    # Required too: a key generated beside the application would be lost with its container, and with it
    # the means to verify the history.
    HISTORY_KEY = property(lambda self: os.environ.get("HISTORY_KEY", ""))


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    REQUIRE_STRONG_KEYS = False
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False


CONFIGS = {c.ENV_NAME: c for c in (DevelopmentConfig, ProductionConfig, TestingConfig)}


def config_for(name: str | None = None) -> Config:
    return CONFIGS[name or os.environ.get("APP_ENV", "development")]()
