"""GET /metrics: who may read it, and figures that move when a dossier moves (requests, transitions, outbox,
export jobs, the Celery queue); several gunicorn workers counted together in multiprocess mode; /healthz and the
storage."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import redis
import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select, update

from tests.conftest import make_app
from tests.delivery_support import PROJECT, free_port, restore_celery, wait_for
from workflow.models import ExportJob, Notice, db, utcnow


def scrape(client, **headers) -> dict[tuple[str, tuple], float]:
    """Every sample of a scrape, by name and sorted labels."""
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.data
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for sample in family.samples}


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def submit_through_api(factory, dossier, **headers):
    api = factory.api(factory.user_once("submitter", dossier.unit.code))
    return api.post(f"/api/v1/dossiers/{dossier.id}/events", json={"event": "submit", "version": dossier.version},
                    headers=headers)


def test_only_the_same_machine_reads_the_metrics_without_a_token(client):
    assert client.get("/metrics").status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 404
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


def test_with_a_token_whoever_sends_it_reads_the_metrics_and_nobody_else(postgres_url, tmp_path, app):
    token = "scrape-" + "7f3a" * 8
    client = make_app(tmp_path, postgres_url, METRICS_TOKEN=token).test_client()
    far = {"REMOTE_ADDR": "203.0.113.7"}
    assert client.get("/metrics", environ_base=far, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/metrics", environ_base=far, headers={"Authorization": "Bearer wrong"}).status_code == 404
    # With a token set, the same machine needs it too: one rule, whoever asks.
    assert client.get("/metrics").status_code == 404
    restore_celery(app)


def test_requests_are_counted_by_route_and_status_with_their_latency(client):
    before = scrape(client)
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/dossiers/12345").status_code == 401
    after = scrape(client)
    healthz = {"method": "GET", "route": "/healthz", "status": "200"}
    assert value(after, "awards_http_request_duration_seconds_count", **healthz) \
        - value(before, "awards_http_request_duration_seconds_count", **healthz) == 3
    assert value(after, "awards_http_request_duration_seconds_bucket", le="+Inf", **healthz) \
        - value(before, "awards_http_request_duration_seconds_bucket", le="+Inf", **healthz) == 3
    assert value(after, "awards_http_request_duration_seconds_sum", **healthz) \
        > value(before, "awards_http_request_duration_seconds_sum", **healthz)
    # The route's pattern, not the path asked for: one series for every dossier.
    refused = {"method": "GET", "route": "/api/v1/dossiers/<int:dossier_id>", "status": "401"}
    assert value(after, "awards_http_request_duration_seconds_count", **refused) \
        - value(before, "awards_http_request_duration_seconds_count", **refused) == 1


def test_a_dossier_that_moves_moves_the_transition_count_and_the_outbox(factory, client):
    factory.user("office")
    dossier = factory.draft()
    before = scrape(client)
    response = submit_through_api(factory, dossier)
    assert response.status_code == 200, response.json
    after = scrape(client)
    assert value(after, "awards_transitions_total", event="submit") \
        - value(before, "awards_transitions_total", event="submit") == 1
    written = db.session.scalar(select(db.func.count()).select_from(Notice))
    assert written >= 1
    # Without a broker the notices are sent in-process, at once.
    sent = value(after, "awards_outbox_notices", status="sent") - value(before, "awards_outbox_notices", status="sent")
    assert sent == written
    assert value(after, "awards_outbox_notices", status="pending") == 0
    assert value(after, "awards_outbox_oldest_pending_age_seconds") == 0


def test_a_step_rolled_back_is_not_counted(factory, client):
    from workflow import operations

    dossier = factory.draft()
    submitter = factory.user_once("submitter", dossier.unit.code)
    before = scrape(client)
    operations.fire_event(submitter, dossier, "submit", dossier.version)
    db.session.rollback()
    after = scrape(client)
    assert value(after, "awards_transitions_total", event="submit") \
        == value(before, "awards_transitions_total", event="submit")


def test_pending_notices_their_age_and_the_queue_length_with_a_broker(postgres_url, redis_url, tmp_path, app,
                                                                        factory):
    """No worker takes the jobs: the notices wait in the outbox and their jobs in Redis."""
    queue = redis.Redis.from_url(redis_url)
    queue.delete("celery")
    broker_app = make_app(tmp_path, postgres_url, REDIS_URL=redis_url)
    try:
        client = broker_app.test_client()
        factory.user("office")
        dossier = factory.draft()
        before = scrape(client)
        assert value(before, "awards_celery_queue_length", queue="celery") == 0
        assert value(before, "awards_broker_up") == 1
        api = factory.api(factory.user_once("submitter", "ba-dinh"))
        response = client.post(f"/api/v1/dossiers/{dossier.id}/events", headers=api.headers,
                               json={"event": "submit", "version": dossier.version})
        assert response.status_code == 200, response.json
        pending = db.session.scalar(select(db.func.count()).select_from(Notice).where(Notice.status == "pending"))
        assert pending >= 1
        after = scrape(client)
        assert value(after, "awards_outbox_notices", status="pending") == pending
        assert value(after, "awards_celery_queue_length", queue="celery") == pending == queue.llen("celery")
        db.session.execute(update(Notice).values(created_at=utcnow() - dt.timedelta(hours=2)))
        db.session.commit()
        aged = scrape(client)
        assert 2 * 3600 <= value(aged, "awards_outbox_oldest_pending_age_seconds") < 3 * 3600
    finally:
        queue.delete("celery")
        restore_celery(app)


def test_export_jobs_are_counted_by_status(factory, client):
    office = factory.user("office")
    campaign = factory.campaign()
    before = scrape(client)
    db.session.add_all([ExportJob(kind="honours_list", campaign_id=campaign.id, format="pdf",
                                  requested_by_id=office.id, status=status)
                        for status in ("done", "done", "failed", "running")])
    db.session.commit()
    after = scrape(client)
    moved = {status: value(after, "awards_export_jobs", status=status) - value(before, "awards_export_jobs",
                                                                                 status=status)
             for status in ("pending", "running", "done", "failed")}
    assert moved == {"pending": 0, "running": 1, "done": 2, "failed": 1}


def test_several_gunicorn_workers_are_counted_together(postgres_url, tmp_path, app):
    """Multiprocess mode: every worker's requests are in one scrape, whichever worker answers it."""
    metrics_dir = tmp_path / "prometheus"
    port = free_port()
    env = {**os.environ, "APP_ENV": "testing", "DATABASE_URL": postgres_url, "SECRET_KEY": "test-secret",
           "INSTANCE_DIR": str(tmp_path / "instance"), "UPLOAD_DIR": str(tmp_path / "uploads"),
           "EXPORT_DIR": str(tmp_path / "exports"), "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    env.pop("REDIS_URL", None)
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "3",
                               "--access-logfile", str(tmp_path / "access.log"), "wsgi:app"],
                              cwd=PROJECT, env=env, stdout=subprocess.DEVNULL,
                              stderr=open(tmp_path / "gunicorn.log", "wb"), start_new_session=True)  # noqa: SIM115
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(base), 60, "gunicorn to start")
        before = _scrape_over_http(base)
        for number in range(30):
            answer = requests.get(f"{base}/healthz", timeout=30, headers={"X-Request-ID": f"probe-{number}"})
            assert answer.status_code == 200
        after = _scrape_over_http(base)
        healthz = {"method": "GET", "route": "/healthz", "status": "200"}
        assert value(after, "awards_http_request_duration_seconds_count", **healthz) \
            - value(before, "awards_http_request_duration_seconds_count", **healthz) == 30
    finally:
        server.terminate()
        server.wait(30)
    log = (tmp_path / "gunicorn.log").read_text(errors="replace")
    assert "Traceback" not in log, log[-4000:]
    # gunicorn.conf.py: the access log is JSON lines carrying the request id the app answered with.
    access = [json.loads(line) for line in (tmp_path / "access.log").read_text().splitlines()]
    probes = [line for line in access if line["request_id"].startswith("probe-")]
    assert [line["request_id"] for line in probes] == [f"probe-{number}" for number in range(30)]
    assert {(line["method"], line["path"], line["status"]) for line in probes} == {("GET", "/healthz", "200")}


def _scrape_over_http(base: str) -> dict:
    response = requests.get(f"{base}/metrics", timeout=30)
    assert response.status_code == 200
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def _answers(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def test_healthz_reports_the_storage(postgres_url, tmp_path, app, client):
    assert client.get("/healthz").json["storage"] == "ok"
    (tmp_path / "not-a-folder").write_text("a file where the stores should be")
    broken = make_app(tmp_path, postgres_url, UPLOAD_DIR=str(tmp_path / "not-a-folder" / "uploads")).test_client()
    answer = broken.get("/healthz")
    assert (answer.status_code, answer.json["status"], answer.json["storage"], answer.json["database"]) \
        == (503, "error", "down", "ok")
    restore_celery(app)
