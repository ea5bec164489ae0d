import io
import json
import logging

from flask import current_app, send_file
from flask_babel import gettext

from workflow.council import MinutesWriting
from workflow.documents import DocumentStore, docx_paragraphs
from workflow import storage
from workflow.errors import NotFound, StorageUnavailable, StoredFileDamaged
from workflow.exports import FORMATS
from workflow.imports import ImportLimits
from workflow.i18n import N_, Msg
from workflow.models import Document, PacketDocument
from workflow.storage import ObjectDamaged, ObjectMissing, ObjectStore, object_store

log = logging.getLogger(__name__)


def document_store() -> DocumentStore:
    config = current_app.config
    return DocumentStore(object_store(), config["MAX_UPLOAD_MB"] * 1024 * 1024, config["MAX_DOCUMENTS_PER_DOSSIER"])


def minutes_writing() -> MinutesWriting:
    """The minutes a closing attaches are in the organisation's language (to be used under `force_locale` of it) and
    dated in its city."""
    config = current_app.config
    return MinutesWriting(gettext, config["BABEL_DEFAULT_LOCALE"], config["HONOURS_LIST_PLACE"])


def import_limits() -> ImportLimits:
    config = current_app.config
    return ImportLimits(max_rows=config["IMPORT_MAX_ROWS"], max_sheet_rows=config["IMPORT_MAX_SHEET_ROWS"],
                        max_cells=config["IMPORT_MAX_CELLS"], max_part_bytes=config["IMPORT_MAX_PART_MB"] * 1024 * 1024)


def send_document(document: Document | PacketDocument):
    """The document's file as an attachment that no browser will run or sniff."""
    return send_stored(document.storage_name, document.sha256, document.size, document.content_type,
                       document.filename)


def send_stored(storage_name: str, sha256: str, size: int, content_type: str, filename: str):
    """A stored document's file as an attachment that no browser will run or sniff."""
    return send_object(object_store(), DocumentStore.object_name(storage_name), sha256, size, content_type, filename)


# A file shown inside the dossier's page: framed only by the application's own pages, running nothing.
INLINE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"


def send_object(objects: ObjectStore, name: str, sha256: str | None, size: int | None, content_type: str,
                filename: str, missing: Msg | None = None, inline: bool = False):
    """An object, streamed through the app once its content is found to hash to what its row says: an attachment
    that no browser will run or sniff, or (`inline`) a file shown inside the app's own pages."""
    try:
        file = objects.open_verified(name, sha256 or "")
    except ObjectMissing:
        raise NotFound(missing or Msg(N_("The file of this document is missing from the storage; ask the office."))) \
            from None
    except ObjectDamaged as damaged:
        log.error("a stored file does not match its record: %s", damaged)
        raise StoredFileDamaged() from None
    except storage.StorageUnavailable as error:
        log.error("a stored file could not be read: %s", error)
        raise StorageUnavailable(Msg(N_("The file cannot be read just now; please try again later."))) from None
    response = send_file(file, mimetype=content_type, as_attachment=not inline, download_name=filename, max_age=0)
    if size is not None:
        response.content_length = size
    response.headers["X-Content-Type-Options"] = "nosniff"
    if inline:
        response.headers["Content-Security-Policy"] = INLINE_POLICY
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Cache-Control"] = "private, no-store"
    else:
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def send_inline(document: Document):
    """A PDF or an image of a dossier to be shown in its page: inline, never sniffed, framed only by the app."""
    return send_object(object_store(), DocumentStore.object_name(document.storage_name), document.sha256,
                       document.size, document.content_type, document.filename, inline=True)


def document_text(document: Document) -> list[str] | None:
    """The text of a Word document, to be shown in its dossier's page; None when its file cannot be read."""
    try:
        with object_store().open_verified(DocumentStore.object_name(document.storage_name), document.sha256) as file:
            return docx_paragraphs(file)
    except (ObjectMissing, ObjectDamaged, storage.StorageUnavailable):
        return None


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
