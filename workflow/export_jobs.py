"""Exports of the honours list requested by a user: immediate when small, a background job when large.

The file goes to the object store (workflow/storage.py), its size and SHA-256 and the progress to the job's row.
"""
from __future__ import annotations

import io
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager

from flask import current_app
from sqlalchemy import select

from workflow.errors import NotFound, ValidationFailed
from workflow.exports import FORMATS, export_filename, export_honours_list
from workflow.exports.common import Gettext
from workflow.campaigns import campaign_by_code
from workflow.honours import HonoursList, honours_list, read_honours_list
from workflow.i18n import N_, Msg
from workflow.models import ExportJob, ExportStatus, Unit, User, db, utcnow
from workflow.storage import object_store

log = logging.getLogger(__name__)


def unit_by_code(code: str) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise NotFound(Msg(N_("No such unit.")))
    return unit


def requested_list(actor: User, campaign_code: str, provisional: bool, unit_code: str | None,
                   place: str) -> HonoursList:
    """The list a user asked for: the whole campaign's, or one nominating unit's pack."""
    document = read_honours_list(actor, campaign_code, provisional, place)
    if unit_code:
        unit = unit_by_code(unit_code)
        document = document.for_unit(unit.code, unit.name)
    return document


def start_export(actor: User, campaign_code: str, file_format: str, provisional: bool = False,
                 unit_code: str | None = None, language: str = "vi", place: str = "") -> ExportJob:
    if file_format not in FORMATS:
        raise ValidationFailed(details=[{"field": "format", "message": Msg(
            N_("Use one of: %(formats)s."), {"formats": ", ".join(FORMATS)})}])
    document = requested_list(actor, campaign_code, provisional, unit_code, place)
    job = ExportJob(kind="honours_list", campaign_id=campaign_by_code(campaign_code).id, format=file_format,
                    requested_by_id=actor.id, total=document.row_count,
                    options={"provisional": provisional, "unit": unit_code, "language": language, "place": place})
    db.session.add(job)
    db.session.flush()
    return job


def get_export_job(actor: User, job_id: str) -> ExportJob:
    """A user sees only the exports they asked for."""
    job = db.session.get(ExportJob, job_id)
    if job is None or job.requested_by_id != actor.id:
        raise NotFound(Msg(N_("No such export.")))
    return job


def export_object_name(job: ExportJob) -> str:
    return f"exports/{job.id}.{FORMATS[job.format].extension}"


def make_export(job_id: str, gettext: Gettext, in_language: Callable[[str], AbstractContextManager]) -> str:
    """Make the job's file; running it again after it is done changes nothing.

    `gettext` translates into the language that `in_language(code)` makes current for its block.
    """
    job = db.session.get(ExportJob, job_id)
    if job is None:
        return "missing"
    if job.status == ExportStatus.DONE and job.sha256 and object_store().exists(export_object_name(job)):
        return "done"
    job.status, job.progress, job.error = ExportStatus.RUNNING, 0, None
    db.session.commit()

    def progress(done: int) -> None:
        job.progress = min(done, job.total)
        db.session.commit()

    options = job.options or {}
    try:
        with in_language(options.get("language") or "vi"):
            document = honours_list(job.campaign, bool(options.get("provisional")),
                                    options.get("place") or current_app.config["HONOURS_LIST_PLACE"])
            if options.get("unit"):
                unit = unit_by_code(options["unit"])
                document = document.for_unit(unit.code, unit.name)
            data = export_honours_list(document, job.format, gettext, progress, options.get("language") or "vi")
        written = object_store().put(export_object_name(job), io.BytesIO(data))
    except Exception as error:  # noqa: BLE001 - the user sees a failed export instead of a job stuck running
        db.session.rollback()
        job = db.session.get(ExportJob, job_id)
        job.status, job.finished_at = ExportStatus.FAILED, utcnow()
        job.error = f"{type(error).__name__}: {error}"[:2000]
        db.session.commit()
        log.exception("export %s failed", job_id)
        return "failed"
    job.status, job.progress, job.finished_at = ExportStatus.DONE, job.total, utcnow()
    job.size, job.sha256 = written.size, written.sha256
    job.filename = export_filename(document, job.format, options.get("unit"))
    db.session.commit()
    return "done"
