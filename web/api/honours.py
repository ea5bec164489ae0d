"""The honours list (JSON and files), its finalisation, background exports, statistics and spreadsheet imports."""
from __future__ import annotations

import io

from flask import current_app, send_file
from flask_babel import force_locale, get_locale, gettext
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from tasks.exports import queue_export
from web.api.blueprints import ApiBlueprint
from web.api.auth import BEARER_SECURITY, current_user, token_required
from web.api.dossiers import dossier_json
from web.api.schemas import CODE, CodeNameOut, DossierOut, In
from web.storage import import_limits, send_object
from workflow.export_jobs import (
    export_object_name, get_export_job, make_export, requested_list, start_export, unit_by_code,
)
from workflow.exports import FORMATS, export_filename, export_honours_list
from workflow.exports.statistics import statistics_xlsx
from workflow.honours import (
    finalise_honours_list, read_list_version, read_list_versions, snapshot_list, verify_versions,
)
from workflow.errors import NotFound
from workflow.i18n import N_, VIETNAM, Msg
from workflow.models import ExportStatus
from workflow.imports import MAX_FILE_BYTES, import_dossiers, import_template
from workflow.statistics import campaign_statistics
from workflow.storage import object_store
from workflow.unit_of_work import commit

blp = ApiBlueprint("honours", __name__, url_prefix="/api/v1",
                description="The honours list, its exports, statistics and spreadsheet imports")
XLSX_TYPE = FORMATS["xlsx"].content_type
FORMAT_TYPES = [file_format.content_type for file_format in FORMATS.values()]


class HonoursQuery(In):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", *FORMATS]))
    provisional = fields.Boolean(load_default=False)
    unit = fields.String(validate=CODE)


class HonoursItemOut(Schema):
    stt = fields.Integer(required=True)
    dossier = fields.Integer(required=True)
    nominee_name = fields.String(required=True)
    position = fields.String(required=True)
    unit = fields.String(required=True)
    unit_name = fields.String(required=True)
    decision_number = fields.String(allow_none=True)
    decision_date = fields.String(allow_none=True)
    issuer = fields.String(metadata={"description": "who conferred it: the recorded decision's issuer, else the award "
                                                    "type's; absent from lists finalised before rows named it"})


class ListedRevocationOut(Schema):
    number = fields.String(required=True)
    date = fields.String(required=True)
    reason = fields.String(required=True)


class RevokedItemOut(HonoursItemOut):
    revocation = fields.Nested(ListedRevocationOut, required=True)


class HonoursGroupOut(Schema):
    award_type = fields.String(required=True)
    award_name = fields.String(required=True)
    items = fields.List(fields.Nested(HonoursItemOut), required=True)


class RevokedGroupOut(HonoursGroupOut):
    items = fields.List(fields.Nested(RevokedItemOut), required=True)


class ChangeOut(Schema):
    dossier = fields.Integer(required=True)
    change = fields.String(required=True, metadata={"description": "awarded, refused or revocation"})
    nominee_name = fields.String(required=True)
    unit = fields.String(required=True)
    unit_name = fields.String(required=True)
    award_name = fields.String(required=True)
    decision_number = fields.String(allow_none=True)
    decision_date = fields.String(allow_none=True)


class HonoursListOut(Schema):
    campaign = fields.String(required=True)
    generated_at = fields.String(required=True)
    provisional = fields.Boolean()
    groups = fields.List(fields.Nested(HonoursGroupOut), required=True)
    pending = fields.List(fields.Nested(HonoursGroupOut), metadata={
        "description": "dossiers waiting for a higher authority's decision (chờ quyết định)"})
    revocations = fields.List(fields.Nested(RevokedGroupOut), metadata={"description": "awards revoked"})
    version = fields.Integer(allow_none=True, metadata={"description": "the finalised list's version; null before"})
    changes = fields.List(fields.Nested(ChangeOut), metadata={"description": "an amendment's changes"})


class VersionQuery(In):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", *FORMATS]))
    unit = fields.String(validate=CODE)


class VersionOut(Schema):
    version = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    previous_sha256 = fields.String(allow_none=True)
    finalised_at = fields.DateTime(required=True)
    finalised_by = fields.String(allow_none=True)
    rows = fields.Integer(required=True)
    changes = fields.List(fields.Nested(ChangeOut), required=True)


class VersionsOut(Schema):
    campaign = fields.String(required=True)
    verified = fields.Boolean(required=True, metadata={
        "description": "every version hashes to its sha256 and names the hash of the version before"})
    versions = fields.List(fields.Nested(VersionOut), required=True)


class SnapshotOut(Schema):
    campaign = fields.String(required=True)
    version = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    finalised_at = fields.DateTime(required=True)
    finalised_by = fields.String(allow_none=True)
    rows = fields.Integer(required=True)


class ExportIn(In):
    format = fields.String(required=True, validate=validate.OneOf(list(FORMATS)))
    provisional = fields.Boolean(load_default=False)
    unit = fields.String(validate=CODE, allow_none=True)


class ExportOut(Schema):
    id = fields.String(required=True)
    status = fields.String(required=True)
    format = fields.String(required=True)
    progress = fields.Integer(required=True)
    total = fields.Integer(required=True)
    filename = fields.String(allow_none=True)
    error = fields.String(allow_none=True)
    download = fields.String(allow_none=True)


class StatisticsQuery(In):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "xlsx"]))


class CountsOut(Schema):
    nominated = fields.Integer(required=True)
    conferred = fields.Integer(required=True)
    by_state = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class UnitStatisticsOut(Schema):
    unit = fields.String(required=True)
    unit_name = fields.String(required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Nested(CountsOut), required=True)
    nominated = fields.Integer(required=True)
    conferred = fields.Integer(required=True)


class FormIssuerCountsOut(Schema):
    award_form = fields.String(required=True)
    award_form_name = fields.String(required=True)
    issuer = fields.String(required=True)
    issuer_name = fields.String(required=True)
    nominated = fields.Integer(required=True)
    conferred = fields.Integer(required=True)


class TotalsOut(Schema):
    counts = fields.Dict(keys=fields.String(), values=fields.Nested(CountsOut), required=True)
    nominated = fields.Integer(required=True)
    conferred = fields.Integer(required=True)


class StatisticsOut(Schema):
    campaign = fields.String(required=True)
    campaign_name = fields.String(required=True)
    award_types = fields.List(fields.Nested(CodeNameOut), required=True)
    states = fields.List(fields.String(), required=True)
    units = fields.List(fields.Nested(UnitStatisticsOut), required=True)
    totals = fields.Nested(TotalsOut, required=True)
    by_form_and_issuer = fields.List(fields.Nested(FormIssuerCountsOut), required=True)


class ImportUpload(In):
    campaign = fields.String(required=True, validate=CODE)
    award_type = fields.String(required=True, validate=CODE)
    file = Upload(required=True)


class ImportOut(Schema):
    created = fields.Integer(required=True)
    items = fields.List(fields.Nested(DossierOut), required=True)


def _language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def _attachment(data: bytes, content_type: str, filename: str):
    response = send_file(io.BytesIO(data), mimetype=content_type, as_attachment=True, download_name=filename,
                         max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def export_json(job) -> dict:
    download = f"/api/v1/exports/{job.id}/file" if job.status == ExportStatus.DONE else None
    return {"id": job.id, "status": job.status, "format": job.format, "progress": job.progress, "total": job.total,
            "filename": job.filename, "error": None if job.status != ExportStatus.FAILED else gettext(
                "The export failed; try again, and tell the administrator if it fails again."),
            "download": download}


@blp.route("/campaigns/<code>/honours-list", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(HonoursQuery, location="query")
@blp.response(200, HonoursListOut)
@blp.file_response(FORMAT_TYPES, "The honours list: JSON, or the file for `format=xlsx|docx|pdf`")
def get_honours_list(query, code):
    """The honours list (office, chair): JSON, or `format=xlsx|docx|pdf`; `provisional` for the office's draft
    of the approved dossiers before decisions; `unit` for one nominating unit's pack."""
    document = requested_list(current_user(), code, query["provisional"], query.get("unit"),
                              current_app.config["HONOURS_LIST_PLACE"])
    if query["format"] == "json":
        return document.api_json()
    data = export_honours_list(document, query["format"], gettext, language=_language())
    return _attachment(data, FORMATS[query["format"]].content_type,
                       export_filename(document, query["format"], query.get("unit")))


@blp.route("/campaigns/<code>/honours-list/finalise", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(201, SnapshotOut)
def finalise(code):
    """Freeze the final list (office); afterwards every export of it is the same, byte for byte."""
    snapshot = finalise_honours_list(current_user(), code, current_app.config["HONOURS_LIST_PLACE"])
    commit()
    return {"campaign": snapshot.campaign.code, "version": snapshot.version, "sha256": snapshot.sha256,
            "finalised_at": snapshot.finalised_at.astimezone(VIETNAM),
            "finalised_by": current_user().username, "rows": snapshot_list(snapshot).row_count}


def version_json(snapshot) -> dict:
    document = snapshot_list(snapshot)
    return {"version": snapshot.version, "sha256": snapshot.sha256, "previous_sha256": snapshot.previous_sha256,
            "finalised_at": snapshot.finalised_at.astimezone(VIETNAM),
            "finalised_by": snapshot.finalised_by.username if snapshot.finalised_by else None,
            "rows": document.row_count, "changes": list(document.changes)}


@blp.route("/campaigns/<code>/honours-list/versions", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, VersionsOut)
def get_versions(code):
    """The finalised list's versions (office, chair): version 1, then one amendment per later answer, each chained
    by hash to the one before."""
    campaign, snapshots = read_list_versions(current_user(), code)
    return {"campaign": campaign.code, "verified": not verify_versions(snapshots),
            "versions": [version_json(snapshot) for snapshot in snapshots]}


@blp.route("/campaigns/<code>/honours-list/versions/<int:version>", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(VersionQuery, location="query")
@blp.response(200, HonoursListOut)
@blp.file_response(FORMAT_TYPES, "One version of the finalised list: JSON, or the file for `format=xlsx|docx|pdf`")
def get_version(query, code, version):
    """One version of the finalised list as it was frozen (office, chair): its files are the same whenever asked."""
    document = read_list_version(current_user(), code, version)
    if query.get("unit"):
        unit = unit_by_code(query["unit"])
        document = document.for_unit(unit.code, unit.name)
    if query["format"] == "json":
        return document.api_json()
    data = export_honours_list(document, query["format"], gettext, language=_language())
    return _attachment(data, FORMATS[query["format"]].content_type,
                       export_filename(document, query["format"], query.get("unit")))


@blp.route("/campaigns/<code>/honours-list/exports", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(ExportIn)
@blp.response(202, ExportOut)
@blp.alt_response(201, schema=ExportOut, description="A small export, already made")
def post_export(data, code):
    """Start an export; small lists are made at once (201), large ones in the background (202): poll the job."""
    job = start_export(current_user(), code, data["format"], data["provisional"], data.get("unit"), _language(),
                       current_app.config["HONOURS_LIST_PLACE"])
    commit()
    if job.total <= current_app.config["EXPORT_ASYNC_ROWS"]:
        make_export(job.id, gettext, force_locale)
        return export_json(job), 201
    queue_export(job.id)
    return export_json(job), 202


@blp.route("/exports/<job_id>", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, ExportOut)
def get_export(job_id):
    """An export's progress; `download` is set once the file is ready."""
    return export_json(get_export_job(current_user(), job_id))


@blp.route("/exports/<job_id>/file", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.file_response(FORMAT_TYPES)
def download_export(job_id):
    """The exported file, once the export is done."""
    job = get_export_job(current_user(), job_id)
    if job.status != ExportStatus.DONE:
        raise NotFound(Msg(N_("The file is not ready yet.")))
    return send_object(object_store(), export_object_name(job), job.sha256, job.size,
                       FORMATS[job.format].content_type, job.filename, Msg(N_("The file is not ready yet.")))


@blp.route("/campaigns/<code>/statistics", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(StatisticsQuery, location="query")
@blp.response(200, StatisticsOut)
@blp.file_response([XLSX_TYPE], "The statistics: JSON, or the spreadsheet for `format=xlsx`")
def get_statistics(query, code):
    """Nominations and awards per unit, award type and state (office, chair); `format=xlsx` for the sheet."""
    statistics = campaign_statistics(current_user(), code)
    if query["format"] == "xlsx":
        return _attachment(statistics_xlsx(statistics, gettext), XLSX_TYPE, f"thong-ke-{code}.xlsx")
    return statistics


@blp.route("/award-types/<code>/import-template", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.file_response([XLSX_TYPE])
def get_import_template(code):
    """The spreadsheet a unit fills in to nominate for this award type, one row per nominee."""
    return _attachment(import_template(code, gettext, import_limits()), XLSX_TYPE, f"mau-de-nghi-{code}.xlsx")


@blp.route("/dossiers/import", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(ImportUpload, location="multipart")
@blp.response(201, ImportOut)
def post_import(form):
    """Drafts for the submitter's unit from a filled template; any error in any row and nothing is created."""
    data = form["file"].stream.read(MAX_FILE_BYTES + 1)
    dossiers = import_dossiers(current_user(), form["campaign"], form["award_type"], data, gettext, import_limits())
    commit()
    return {"created": len(dossiers), "items": [dossier_json(d) for d in dossiers]}
