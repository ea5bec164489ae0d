"""Celery bound to the Flask app: every task runs inside the app context (the Flask docs' pattern)."""
from __future__ import annotations

from celery import Celery, Task
from celery.schedules import crontab
from celery.signals import before_task_publish, setup_logging
from flask import Blueprint, Flask, current_app, has_app_context

from logs import JOB_HEADER, bind_request_id, configure_logging, current_request_id, unbind_request_id

# The mails and letters the jobs render, kept beside the code that renders them (tasks/templates).
TEMPLATES = Blueprint("tasks", "tasks", template_folder="templates")


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            # A job run in-process (eager) belongs to the app that sent it; a worker's to this one.
            # Either way it gets an app context, hence a database session, of its own.
            target = current_app._get_current_object() if has_app_context() else app
            # The id of the request that queued the job (its message header), or, run in-process, the
            # request's own: the job's log lines carry it.
            token = bind_request_id(self.request.get(JOB_HEADER) or current_request_id())
            try:
                with target.app_context():
                    return self.run(*args, **kwargs)
            finally:
                unbind_request_id(token)

    redis_url = app.config.get("REDIS_URL")
    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(celery_settings(redis_url))
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    app.register_blueprint(TEMPLATES)
    return celery_app


@before_task_publish.connect(dispatch_uid="awards-request-id")
def _carry_request_id(headers=None, **_kwargs) -> None:
    """A job queued while serving a request (or while running a job that one queued) carries its id."""
    request_id = current_request_id()
    if request_id and headers is not None:
        headers.setdefault(JOB_HEADER, request_id)


@setup_logging.connect(dispatch_uid="awards-json-logs")
def _json_logs(loglevel=None, **_kwargs) -> None:
    """The worker and beat log JSON lines like the web processes (Celery leaves its own set-up out)."""
    configure_logging(loglevel or "INFO")


def own_task(task: Task) -> Task:
    """`task` as registered on the Celery app of the current Flask app.

    A shared task's proxy follows Celery's process-wide current app, which is whichever Flask app was
    created last; with several apps in one process (one eager, one on a broker) jobs would go astray.
    """
    return current_app.extensions["celery"].tasks[task.name]


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
        # Redis redelivers an unacknowledged job after this long; it must exceed any countdown/ETA
        # (retry countdowns stop at NOTICE_RETRY_MAX_SECONDS, 10 minutes), or a job waiting for its
        # countdown would be handed to a second worker while the first still holds it.
        "broker_transport_options": {"visibility_timeout": 6 * 3600, "socket_timeout": 2,
                                     "socket_connect_timeout": 2},
        # A request that commits a change must not hang while Redis is away: no publish retries;
        # the relay sweep sends what could not be queued.
        "task_publish_retry": False,
        "broker_connection_retry_on_startup": True,
        # A publish that cannot reach Redis gives up after the socket timeouts above (2 s), never hangs.
        "broker_connection_timeout": 2,
        "timezone": "Asia/Ho_Chi_Minh",
        "beat_schedule": {
            "relay-pending-notices": {"task": "tasks.jobs.relay_pending_notices", "schedule": 60.0},
            # In Vietnam's time (the timezone above): reminders before the working day, digests at its end.
            "send-reminders": {"task": "tasks.jobs.send_reminders", "schedule": crontab(hour=7, minute=0)},
            "send-digests": {"task": "tasks.jobs.send_digests", "schedule": crontab(hour=17, minute=0)},
        },
    }
