"""Log lines are JSON with the request's id, which the jobs queued by the request carry on into the worker."""
from __future__ import annotations

import json
import logging
import re

from sqlalchemy import select

from logs import JsonFormatter
from tests.conftest import make_app
from tests.delivery_support import MailSink, Workers, restore_celery, wait_for, worker_env
from workflow.models import Notice, db


class JsonLines(logging.Handler):
    """The lines the app would write, formatted as they are logged (the request's id is bound only then)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.setFormatter(JsonFormatter())
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


def submit(client, factory, dossier, **headers):
    api = factory.api(factory.user_once("submitter", dossier.unit.code))
    return client.post(f"/api/v1/dossiers/{dossier.id}/events", headers={**api.headers, **headers},
                       json={"event": "submit", "version": dossier.version})


def test_a_request_answers_with_the_id_it_was_given_or_a_new_one(client):
    assert client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.91:2"}).headers["X-Request-ID"] == "lb-7f3a.91:2"
    made = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert client.get("/healthz").headers["X-Request-ID"] != made
    # An id that could break a log line, or is too long, is replaced.
    for unusable in ("two words", "x" * 129, 'quote"d', "tab\there"):
        answered = client.get("/healthz", headers={"X-Request-ID": unusable}).headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", answered), unusable


def test_a_job_run_in_process_logs_the_id_of_the_request_that_queued_it(factory, client):
    factory.user("office")
    dossier = factory.draft()
    capture = JsonLines()
    jobs_log = logging.getLogger("tasks.jobs")
    level = jobs_log.level
    jobs_log.setLevel(logging.INFO)
    jobs_log.addHandler(capture)
    try:
        response = submit(client, factory, dossier, **{"X-Request-ID": "req-eager-0001"})
    finally:
        jobs_log.removeHandler(capture)
        jobs_log.setLevel(level)
    assert response.status_code == 200, response.json
    deliveries = [line for line in capture.lines if line.get("task") == "deliver_notice"]
    assert deliveries and all(line["request_id"] == "req-eager-0001" for line in deliveries)
    assert {line["outcome"] for line in deliveries} == {"sent"}
    assert {"time", "level", "logger", "message", "duration_ms", "notice_id"} <= set(deliveries[0])
    # Outside a request nothing is bound.
    assert "request_id" not in json.loads(JsonFormatter().format(logging.makeLogRecord({"msg": "idle"})))


def test_a_worker_logs_the_id_of_the_request_that_queued_its_job(postgres_url, redis_url, tmp_path, app, factory):
    sink = MailSink().start()
    workers = Workers(tmp_path, worker_env(postgres_url, redis_url, sink, tmp_path))
    try:
        broker_app = make_app(tmp_path, postgres_url, REDIS_URL=redis_url, SMTP_HOST="127.0.0.1", SMTP_PORT=sink.port)
        factory.user("office")
        dossier = factory.draft()
        workers.start("ids")
        response = submit(broker_app.test_client(), factory, dossier, **{"X-Request-ID": "req-worker-0002"})
        assert response.status_code == 200, response.json
        assert response.headers["X-Request-ID"] == "req-worker-0002"

        def all_sent() -> bool:
            db.session.expire_all()
            statuses = set(db.session.scalars(select(Notice.status)))
            db.session.commit()
            return statuses == {"sent"}

        wait_for(all_sent, 90, "the worker to send the notices")
        lines = [json.loads(line) for line in workers.log("ids").splitlines() if line.startswith("{")]
        deliveries = [line for line in lines if line.get("task") == "deliver_notice"]
        assert deliveries, workers.log("ids")[-3000:]
        assert all(line["request_id"] == "req-worker-0002" for line in deliveries)
        assert {line["outcome"] for line in deliveries} == {"sent"}
    finally:
        workers.stop_all()
        sink.stop()
        restore_celery(app)
