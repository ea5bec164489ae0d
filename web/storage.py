import io
import json

from flask import current_app, send_file
from flask_babel import gettext

from workflow.council import MinutesWriting
from workflow.documents import DocumentStore
from workflow.exports import FORMATS
from workflow.errors import NotFound
from workflow.imports import ImportLimits
from workflow.i18n import N_, Msg
from workflow.models import Document


def document_store() -> DocumentStore:
    config = current_app.config
    return DocumentStore(config["UPLOAD_DIR"], config["MAX_UPLOAD_MB"] * 1024 * 1024,
                         config["MAX_DOCUMENTS_PER_DOSSIER"])


def minutes_writing() -> MinutesWriting:
    """The minutes a closing attaches are in the organisation's language (to be used under `force_locale` of it) and
    dated in its city."""
    config = current_app.config
    return MinutesWriting(gettext, config["BABEL_DEFAULT_LOCALE"], config["HONOURS_LIST_PLACE"])


def import_limits() -> ImportLimits:
    config = current_app.config
    return ImportLimits(max_rows=config["IMPORT_MAX_ROWS"], max_sheet_rows=config["IMPORT_MAX_SHEET_ROWS"],
                        max_cells=config["IMPORT_MAX_CELLS"], max_part_bytes=config["IMPORT_MAX_PART_MB"] * 1024 * 1024)


def send_document(document: Document):
    """The document's file as an attachment that no browser will run or sniff."""
    return send_stored(document.storage_name, document.content_type, document.filename)


def send_stored(storage_name: str, content_type: str, filename: str):
    """A stored file as an attachment that no browser will run or sniff."""
    path = document_store().path(storage_name)
    if not path.is_file():
        raise NotFound(Msg(N_("The file of this document is missing from the storage; ask the office.")))
    response = send_file(path, mimetype=content_type, as_attachment=True, download_name=filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# A file shown inside the dossier's page: framed only by the application's own pages, running nothing.
INLINE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"


def send_inline(document: Document):
    """A PDF or an image of a dossier to be shown in its page: inline, never sniffed, framed only by the app."""
    path = document_store().path(document.storage_name)
    if not path.is_file():
        raise NotFound(Msg(N_("The file of this document is missing from the storage; ask the office.")))
    response = send_file(path, mimetype=document.content_type, as_attachment=False, download_name=document.filename,
                         max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = INLINE_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def send_personal_record(record: dict, file_format: str):
    """A nominee's personal record (workflow.personal_record) as an attachment: `json` or `docx`."""
    from workflow.exports.personal_record import personal_record_docx

    if file_format == "json":
        data, content_type = json.dumps(record, ensure_ascii=False, indent=2).encode(), "application/json"
    else:
        data, content_type = personal_record_docx(record, gettext), FORMATS[file_format].content_type
    response = send_file(io.BytesIO(data), mimetype=content_type, as_attachment=True, max_age=0,
                         download_name=f"ho-so-du-lieu-ca-nhan-{record['nominee']['id']}.{file_format}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
