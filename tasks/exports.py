"""Background exports of the honours list (workflow/export_jobs.py makes the file)."""
from __future__ import annotations

import time

from celery import shared_task
from flask import current_app
from flask_babel import force_locale, gettext

from tasks.jobs import log_job
from workflow.export_jobs import make_export


@shared_task
def run_export(job_id: str) -> str:
    started = time.monotonic()
    outcome = make_export(job_id, gettext, force_locale)
    log_job("run_export", started, job_id=job_id, outcome=outcome)
    return outcome


def queue_export(job_id: str) -> None:
    """Queue the job on this Flask app's own Celery app (or run it here when there is no broker)."""
    current_app.extensions["celery"].tasks[run_export.name].delay(job_id)
