"""Exports of the honours list requested by a user: immediate when small, a background job when large."""
from __future__ import annotations

from sqlalchemy import select

from workflow.errors import NotFound, ValidationFailed
from workflow.exports import FORMATS
from workflow.campaigns import campaign_by_code
from workflow.honours import HonoursList, read_honours_list
from workflow.i18n import N_, Msg
from workflow.models import ExportJob, Unit, User, db


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
