"""Background exports of the honours list: the file goes to EXPORT_DIR, the progress to the job's row."""
from __future__ import annotations

import logging
from pathlib import Path

from celery import shared_task
from flask import current_app
from flask_babel import force_locale, gettext

from workflow.export_jobs import unit_by_code
from workflow.exports import FORMATS, export_filename, export_honours_list
from workflow.honours import honours_list
from workflow.models import ExportJob, db, utcnow

log = logging.getLogger(__name__)


def export_path(job: ExportJob) -> Path:
    return Path(current_app.config["EXPORT_DIR"]) / f"{job.id}.{FORMATS[job.format].extension}"


@shared_task
def run_export(job_id: str) -> str:
    return make_export(job_id)


def queue_export(job_id: str) -> None:
    """Queue the job on this Flask app's own Celery app (or run it here when there is no broker)."""
    current_app.extensions["celery"].tasks[run_export.name].delay(job_id)


def make_export(job_id: str) -> str:
    """Make the job's file in the current app context; running it again after it is done changes nothing."""
    job = db.session.get(ExportJob, job_id)
    if job is None:
        return "missing"
    if job.status == "done" and export_path(job).exists():
        return "done"
    job.status, job.progress, job.error = "running", 0, None
    db.session.commit()

    def progress(done: int) -> None:
        job.progress = min(done, job.total)
        db.session.commit()

    options = job.options or {}
    try:
        with force_locale(options.get("language") or "vi"):
            document = honours_list(job.campaign, bool(options.get("provisional")),
                                    options.get("place") or current_app.config["HONOURS_LIST_PLACE"])
            if options.get("unit"):
                unit = unit_by_code(options["unit"])
                document = document.for_unit(unit.code, unit.name)
            data = export_honours_list(document, job.format, gettext, progress, options.get("language") or "vi")
        path = export_path(job)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        temporary.write_bytes(data)
        temporary.replace(path)
    except Exception as error:  # noqa: BLE001 - the user sees a failed export instead of a job stuck running
        db.session.rollback()
        job = db.session.get(ExportJob, job_id)
        job.status, job.error, job.finished_at = "failed", f"{type(error).__name__}: {error}"[:2000], utcnow()
        db.session.commit()
        log.exception("export %s failed", job_id)
        return "failed"
    job.status, job.progress, job.finished_at = "done", job.total, utcnow()
    job.filename = export_filename(document, job.format, options.get("unit"))
    db.session.commit()
    return "done"
