"""GET /metrics in Prometheus' text format.

Counted by each process as things happen: requests by route, method and status, with their latency
(`awards_http_request_duration_seconds`), and the changes written to dossiers by event once committed
(`awards_transitions_total`). With PROMETHEUS_MULTIPROC_DIR set (several gunicorn workers), each process
writes its counts into that folder and a scrape of any of them adds them all up (prometheus_client's
multiprocess mode; gunicorn.conf.py clears the folder at start and forgets a worker that exits).

Read from the database and the broker at each scrape, so the same whichever process answers: the outbox
(notices) by status and the age of its oldest pending row, export jobs by status, and the length of the
Celery queue in Redis (when REDIS_URL is set).

Who may read it: with METRICS_TOKEN set, whoever sends `Authorization: Bearer <METRICS_TOKEN>`; without it,
only a client on the same machine (a loopback address, after TRUSTED_PROXIES). Anyone else gets 404.
"""
from __future__ import annotations

import hmac
import ipaddress
import os
import time

import redis
from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import event, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from workflow.models import ExportJob, ExportStatus, Notice, NoticeStatus, db, utcnow
from workflow.signals import change_written

MULTIPROCESS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if MULTIPROCESS_DIR:
    # Made here too, for a process started without gunicorn.conf.py (a worker, a command) under the same settings.
    os.makedirs(MULTIPROCESS_DIR, exist_ok=True)

# Not registered globally: each scrape builds the registry it answers from (see `_registry`).
REQUEST_DURATION = Histogram("awards_http_request_duration_seconds", "Time to answer a request, by route",
                             ("method", "route", "status"), registry=None)
TRANSITIONS = Counter("awards_transitions", "Changes written to dossiers and committed, by event "
                      "(the procedures' steps, and edits and documents)", ("event",), registry=None)
QUEUES = ("celery",)  # the Celery queues the jobs go to (the default one)
_CHANGES = "metrics_changes"  # the key, in a session's info, of the changes its transaction wrote

metrics = Blueprint("metrics", __name__)


def install_metrics(app: Flask) -> None:
    app.before_request(_start_timer)
    app.after_request(_observe)
    app.register_blueprint(metrics)


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _observe(response):
    started = g.pop("metrics_started", None)
    if started is not None:
        route = request.url_rule.rule if request.url_rule is not None else "(unmatched)"
        REQUEST_DURATION.labels(request.method, route, str(response.status_code)).observe(
            time.perf_counter() - started)
    return response


@change_written.connect
def _note_change(session: Session, event: str, **_states) -> None:
    session.info.setdefault(_CHANGES, []).append(event)


@event.listens_for(Session, "after_commit")
def _count_committed_changes(session: Session) -> None:
    for written in session.info.pop(_CHANGES, []):
        TRANSITIONS.labels(written).inc()


@event.listens_for(Session, "after_soft_rollback")
def _forget_changes(session: Session, _previous) -> None:
    session.info.pop(_CHANGES, None)


class StateCollector:
    """The figures read at scrape time from the database and the broker."""

    def __init__(self, redis_url: str | None):
        self.redis_url = redis_url

    def collect(self):
        try:
            figures = [*self._outbox(), *self._exports()]
        except SQLAlchemyError:  # /healthz tells what is wrong; the scrape still gives what it can
            db.session.rollback()
            figures = []
        yield GaugeMetricFamily("awards_database_up", "Whether the database answered the scrape",
                                value=1 if figures else 0)
        yield from figures
        if self.redis_url:
            yield from self._queues()

    def _outbox(self):
        counts = dict(db.session.execute(select(Notice.status, func.count()).group_by(Notice.status)).all())
        by_status = GaugeMetricFamily("awards_outbox_notices", "Notices in the outbox, by status", labels=["status"])
        for status in NoticeStatus:
            by_status.add_metric([status.value], counts.get(status, 0))
        yield by_status
        oldest = db.session.scalar(select(func.min(Notice.created_at)).where(Notice.status == NoticeStatus.PENDING))
        age = max((utcnow() - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
        yield GaugeMetricFamily("awards_outbox_oldest_pending_age_seconds",
                                "Age of the oldest pending notice (0 when none is pending)", value=age)

    def _exports(self):
        counts = dict(db.session.execute(select(ExportJob.status, func.count()).group_by(ExportJob.status)).all())
        by_status = GaugeMetricFamily("awards_export_jobs", "Export jobs, by status", labels=["status"])
        for status in ExportStatus:
            by_status.add_metric([status.value], counts.get(status, 0))
        yield by_status

    def _queues(self):
        client = redis.Redis.from_url(self.redis_url, socket_timeout=1, socket_connect_timeout=1)
        try:
            lengths = [(queue, client.llen(queue)) for queue in QUEUES]
        except redis.RedisError:
            yield GaugeMetricFamily("awards_broker_up", "Whether Redis answered the scrape", value=0)
            return
        finally:
            client.close()
        yield GaugeMetricFamily("awards_broker_up", "Whether Redis answered the scrape", value=1)
        queued = GaugeMetricFamily("awards_celery_queue_length", "Jobs waiting in the Celery queue", labels=["queue"])
        for queue, length in lengths:
            queued.add_metric([queue], length)
        yield queued


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if MULTIPROCESS_DIR:
        MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_DURATION)
        registry.register(TRANSITIONS)
    registry.register(StateCollector(current_app.config.get("REDIS_URL")))
    return registry


def may_read_metrics() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        sent = request.headers.get("Authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


@metrics.get("/metrics")
def scrape():
    if not may_read_metrics():
        abort(404)  # as if there were nothing here: no hint for a stranger
    body = generate_latest(_registry())
    db.session.rollback()  # read only; on SQLite the transaction holds the write lock until it ends
    return Response(body, content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
