"""Celery bound to the Flask app: every task runs inside the app context (the Flask docs' pattern)."""
from __future__ import annotations

from celery import Celery, Task
from flask import Flask


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    redis_url = app.config.get("REDIS_URL")
    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(celery_settings(redis_url))
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


def celery_settings(redis_url: str | None) -> dict:
    if not redis_url:
        # The embedded default: no broker, every job runs in the process that sends it.
        return {"task_always_eager": True, "task_eager_propagates": False, "broker_url": "memory://",
                "result_backend": None, "task_ignore_result": True}
    return {
        "broker_url": redis_url,
        "result_backend": redis_url,
        "task_ignore_result": True,
        "imports": ("tasks.jobs", "tasks.exports"),
        # A job is acknowledged only once it has run, and given back if its worker dies,
        # so that no notice is dropped with a crashed worker; the jobs are idempotent for that.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        # Redis redelivers an unacknowledged job after this long; it must exceed any countdown/ETA.
        "broker_transport_options": {"visibility_timeout": 6 * 3600, "socket_timeout": 2,
                                     "socket_connect_timeout": 2},
        # A request that commits a change must not hang while Redis is away: no publish retries;
        # the relay sweep sends what could not be queued.
        "task_publish_retry": False,
        "broker_connection_retry_on_startup": True,
        "timezone": "Asia/Ho_Chi_Minh",
        "beat_schedule": {
            "relay-pending-notices": {"task": "tasks.jobs.relay_pending_notices", "schedule": 60.0},
        },
    }
