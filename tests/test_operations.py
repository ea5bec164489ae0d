"""Operations: the broker in /healthz, Flower in the compose stack, one structured log line per job."""
from __future__ import annotations

import json
import logging
from pathlib import Path
from types import SimpleNamespace

import yaml

from logs import JsonFormatter
from tests.conftest import make_app
from tests.delivery_support import RedisServer, restore_celery

PROJECT = Path(__file__).resolve().parent.parent


def test_healthz_reports_the_broker_down_and_up(postgres_url, tmp_path, app):
    broker = RedisServer(tmp_path).start()
    try:
        flask_app = make_app(tmp_path, postgres_url, REDIS_URL=broker.url)
        client = flask_app.test_client()
        assert client.get("/healthz").json["broker"] == "ok"
        broker.stop()
        down = client.get("/healthz")
        assert (down.status_code, down.json["broker"]) == (200, "down")
    finally:
        broker.stop()
        restore_celery(app)


def test_compose_stack_runs_flower_with_a_healthcheck_on_loopback_only():
    """The compose file as a whole is validated by docker-compose in test_deploy_files."""
    stack = yaml.safe_load((PROJECT / "docker-compose.yml").read_text())
    flower = stack["services"]["flower"]
    assert flower["command"][:4] == ["celery", "-A", "tasks", "flower"]
    assert "healthcheck" in flower and flower["ports"] == ["127.0.0.1:5555:5555"]


def test_each_job_logs_one_structured_line(factory, caplog, monkeypatch):
    from tasks import jobs

    readings = iter(range(1, 1000))
    # A clock that moves 1.5 s at each reading: a duration is a whole number of steps, in milliseconds.
    monkeypatch.setattr(jobs, "time", SimpleNamespace(monotonic=lambda: 1.5 * next(readings)))
    caplog.set_level(logging.INFO, logger="tasks.jobs")
    factory.user("office")
    factory.dossier("submitted")

    jobs.relay_pending_notices.delay()
    lines = [json.loads(JsonFormatter().format(record)) for record in caplog.records if record.name == "tasks.jobs"]
    relay = [line for line in lines if line["task"] == "relay_pending_notices"]
    assert len(relay) == 1
    assert relay[0]["outcome"] == {"sent": 1}
    assert relay[0]["duration_ms"] >= 1500 and relay[0]["duration_ms"] % 1500 == 0


def test_the_embedded_setup_relays_and_migrates_both_ways(sqlite_app, sqlite_factory):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import select

    from tasks.jobs import relay_pending_notices
    from workflow.models import Notice, db

    sqlite_factory.user("office")
    sqlite_factory.dossier("submitted")
    assert relay_pending_notices.delay().get() == 1
    assert set(db.session.scalars(select(Notice.status))) == {"sent"}
    db.session.remove()
    downgrade(revision="940f92928b2e")
    upgrade()


def test_a_pooled_connection_cut_while_idle_is_replaced_before_use(app, monkeypatch):
    """A database restart or a firewall cuts idle connections; the next request must not see the corpse."""
    import psycopg
    from sqlalchemy import text

    import web
    from tests.conftest import POSTGRES_ADMIN_URL
    from workflow.models import db

    monkeypatch.setattr(web, "IDLE_SECONDS_BEFORE_TEST", 0.0)
    db.session.commit()
    db.engine.dispose()  # one connection in the pool: the one about to be cut
    backend = db.session.scalar(text("SELECT pg_backend_pid()"))
    db.session.commit()  # the connection goes back to the pool
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (backend,)).fetchone()[0]

    assert db.session.scalar(text("SELECT pg_backend_pid()")) != backend


def test_the_app_keeps_no_database_connection_from_its_start(postgres_url, tmp_path, app):
    """Processes fork after create_app (Celery's prefork pool, gunicorn --preload): a connection kept
    in the pool from the start-up checks would be shared by every child."""
    from workflow.models import db

    started = make_app(tmp_path, postgres_url)
    with started.app_context():
        assert db.engine.pool.checkedin() == 0
    restore_celery(app)
