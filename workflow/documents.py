"""Document files: what is accepted (judged by content, never by name) and where it is kept.

A file is refused when it carries active content: a PDF that runs scripts or actions, launches
programs or embeds files; an Office file with macros, ActiveX controls, OLE objects or links that
load content from elsewhere; a Java archive dressed as an Office file. The PDF check is a scan of
the raw bytes, with the object streams (where a PDF may compress its dictionaries) decoded under a
budget, rather than a full PDF parser: it needs no further dependency, its work is bounded by the
file's size, and a name spelt with #hex escapes (/J#61vaScript) is read as the name it stands for.

Files are stored, as objects of workflow/storage.py, under generated names, each with its SHA-256 in its row
(checked when it is downloaded); a file written in a transaction that rolls back is removed again, and a
removed document's file goes only once its removal has committed.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import io
import logging
import mmap
import re
import tempfile
import unicodedata
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from sqlalchemy import event
from sqlalchemy.orm import Session

from workflow import storage
from workflow.errors import PayloadTooLarge, StorageUnavailable, UnsupportedMedia
from workflow.i18n import N_, Msg
from workflow.storage import CHUNK, ObjectStore, Written

log = logging.getLogger(__name__)

MAX_ZIP_MEMBERS = 2000
MAX_ZIP_UNCOMPRESSED = 200 * 1024 * 1024
MAX_ZIP_RATIO = 200
MAX_DOCUMENTS_PER_DOSSIER = 20
# Parts of an Office package read whole for the check ([Content_Types].xml, relationships).
MAX_PACKAGE_PART = 5 * 1024 * 1024


@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str


PDF = FileType("pdf", "application/pdf")
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
JPEG = FileType("jpg", "image/jpeg")
PNG = FileType("png", "image/png")
ACCEPTED_TYPES = (PDF, DOCX, XLSX, JPEG, PNG)
# What a browser shows inside a page as the file itself; a Word document is shown as its text (`docx_paragraphs`).
INLINE_TYPES = {PDF.content_type: "pdf", JPEG.content_type: "image", PNG.content_type: "image"}
# A Word document shown in a page stops after this many paragraphs (and table rows).
MAX_SHOWN_PARAGRAPHS = 2000


def sniff(data: bytes | mmap.mmap, file: BinaryIO | None = None) -> FileType:
    """The file's type from its bytes (or a map of its `file`), or UnsupportedMedia (also when it carries active
    content)."""
    head = data[:8]
    if head.startswith(b"%PDF-"):
        _refuse_active(_pdf_active_content(data))
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04"):
        return _office_type(data, file)
    raise UnsupportedMedia(Msg(N_("Only PDF, Word (DOCX), Excel (XLSX), JPEG and PNG files are accepted.")))


# Active content -----------------------------------------------------------------------------------

# What each kind of active content is called in a refusal.
ACTIVE_CONTENT = {
    "javascript": N_("JavaScript"),
    "automatic_action": N_("actions that run by themselves when the file is opened or used"),
    "launch": N_("a command that starts another program"),
    "embedded_file": N_("embedded files"),
    "rich_media": N_("embedded multimedia or Flash"),
    "xfa_form": N_("an XFA form, which can carry scripts"),
    "form_submission": N_("a form that sends or loads data"),
    "unreadable_structure": N_("a compressed or encrypted structure that cannot be checked"),
    "macros": N_("macros (VBA or Excel 4.0)"),
    "activex": N_("ActiveX controls"),
    "ole_object": N_("embedded OLE objects"),
    "external_content": N_("links that load a template or content from elsewhere"),
    "java_archive": N_("a Java program (JAR)"),
}


def _refuse_active(reason: str | None) -> None:
    if reason is None:
        return
    what = Msg(ACTIVE_CONTENT[reason])
    raise UnsupportedMedia(
        Msg(N_("The file is refused because it contains %(what)s. Save or print it again as a plain PDF, "
               "or as a Word or Excel file without macros."), {"what": what}),
        details=[{"field": "file", "reason": reason, "message": what}])


# PDF names that make the file act rather than show, and the reason each gives.
PDF_ACTIVE_NAMES = {
    "JavaScript": "javascript", "JS": "javascript", "AA": "automatic_action", "Launch": "launch",
    "EmbeddedFile": "embedded_file", "EmbeddedFiles": "embedded_file", "GoToE": "embedded_file",
    "RichMedia": "rich_media", "XFA": "xfa_form", "SubmitForm": "form_submission", "ImportData": "form_submission",
}
# Random bytes (a compressed image) spell a two-letter name by chance every few hundred megabytes:
# those names are looked for in the PDF's structure only, not in the data of its streams.
_SHORT_NAMES = {"JS", "AA"}
_DELIMITER = rb"(?=[\x00\t\n\x0c\r ()<>\[\]{}/%]|\Z)"


def _name_pattern(name: str) -> bytes:
    """A regular expression for /name, each character written as itself or as #hex."""
    parts = []
    for char in name:
        digits = "".join(f"[{d}{d.lower()}]" if d.isalpha() else d for d in f"{ord(char):02X}")
        parts.append(f"(?:{re.escape(char)}|#{digits})")
    return "".join(parts).encode()


def _names_regex(names) -> re.Pattern:
    alternatives = b"|".join(_name_pattern(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rb"/(?:" + alternatives + rb")" + _DELIMITER)


_PDF_ALL_NAMES = _names_regex(PDF_ACTIVE_NAMES)
_PDF_LONG_NAMES = _names_regex(set(PDF_ACTIVE_NAMES) - _SHORT_NAMES)
# An open action that is a destination ("[page /Fit]", as LibreOffice writes) only picks the first view;
# any other (an action dictionary, or a reference to one) is refused.
_PDF_OPEN_ACTION = re.compile(rb"/" + _name_pattern("OpenAction") + _DELIMITER + rb"[\x00\t\n\x0c\r ]*+(?!\[)")
_PDF_OBJECT_STREAM = re.compile(rb"/(?:ObjStm|First)" + _DELIMITER)
_PDF_STREAM = re.compile(rb">>[\x00\t\n\x0c\r ]*stream(?:\r\n|\n|\r)")
_PDF_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_FILTERS = re.compile(rb"/(FlateDecode|ASCIIHexDecode|ASCII85Decode|[A-Za-z0-9]+)")


def _pdf_unescape(text: bytes) -> bytes:
    return _PDF_HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), text)


def _pdf_reason(text: bytes | memoryview, pattern: re.Pattern) -> str | None:
    match = pattern.search(text)
    if match:
        return PDF_ACTIVE_NAMES[_pdf_unescape(bytes(match.group()))[1:].decode("latin-1")]
    if _PDF_OPEN_ACTION.search(text):
        return "automatic_action"
    return None


def _pdf_active_content(data: bytes | mmap.mmap) -> str | None:
    """Why the PDF is active (a key of ACTIVE_CONTENT), or None.

    The structure outside streams is searched for every active name; the data of streams only for
    the long names; object streams, which hold dictionaries, are decoded and searched in full.
    """
    with memoryview(data) as view:  # slices of a view copy nothing: a large file's streams are read in place
        return _pdf_scan(data, view)


def _pdf_scan(data: bytes | mmap.mmap, view: memoryview) -> str | None:
    budget = min(MAX_ZIP_UNCOMPRESSED, MAX_ZIP_RATIO * len(data))
    position = 0
    for match in _PDF_STREAM.finditer(data):
        if match.start() < position:
            continue  # inside the data of the stream before
        reason = _pdf_reason(view[position:match.end()], _PDF_ALL_NAMES)
        if reason:
            return reason
        end = data.find(b"endstream", match.end())
        end = len(data) if end < 0 else end
        body = view[match.end():end]
        dictionary = bytes(view[max(position, match.start() - 4096):match.start()])
        dictionary = _pdf_unescape(dictionary[dictionary.rfind(b"obj"):])
        if _PDF_OBJECT_STREAM.search(dictionary):
            decoded = _pdf_decode(dictionary, bytes(body), budget)
            if decoded is None:
                return "unreadable_structure"
            budget -= len(decoded)
            reason = _pdf_reason(decoded, _PDF_ALL_NAMES)
        else:
            reason = _pdf_reason(body, _PDF_LONG_NAMES)
        if reason:
            return reason
        position = end
    return _pdf_reason(view[position:], _PDF_ALL_NAMES)


def _pdf_decode(dictionary: bytes, body: bytes, budget: int) -> bytes | None:
    """An object stream's data decoded, or None if it cannot be within the budget."""
    if b"/Predictor" in dictionary:
        return None
    filters = b""
    at = dictionary.find(b"/Filter")
    if at >= 0:
        filters = re.match(rb"/Filter[\x00\t\n\x0c\r ]*(\[[^\]]*\]|/[A-Za-z0-9]+)", dictionary[at:])
        if filters is None:
            return None
        filters = filters.group(1)
    for name in _PDF_FILTERS.findall(filters):
        try:
            if name == b"FlateDecode":
                inflater = zlib.decompressobj()
                decoded = inflater.decompress(body, budget + 1)
                if len(decoded) > budget:
                    return None
                body = decoded
            elif name == b"ASCIIHexDecode":
                body = binascii.unhexlify(re.sub(rb"[^0-9A-Fa-f]", b"", body.split(b">")[0]).ljust(2, b"0"))
            elif name == b"ASCII85Decode":
                body = base64.a85decode(re.sub(rb"\s", b"", body.split(b"~>")[0]))
            else:
                return None
        except (zlib.error, binascii.Error, ValueError):
            return None
    return body


def _office_type(data: bytes | mmap.mmap, file: BinaryIO | None) -> FileType:
    try:
        archive = zipfile.ZipFile(file or io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UnsupportedMedia(Msg(N_("The file is a damaged or unknown archive."))) from None
    uncompressed = sum(member.file_size for member in members)
    if (len(members) > MAX_ZIP_MEMBERS or uncompressed > MAX_ZIP_UNCOMPRESSED
            or uncompressed > MAX_ZIP_RATIO * max(len(data), 1)):
        raise UnsupportedMedia(Msg(N_("The Office file expands to an unreasonable size; it is refused.")))
    names = {member.filename for member in members}
    file_type = None
    if "[Content_Types].xml" in names:
        if any(name.startswith("word/") for name in names):
            file_type = DOCX
        elif any(name.startswith("xl/") for name in names):
            file_type = XLSX
    try:
        _refuse_active(_office_active_content(archive, depth=0))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, ParseError,
            DefusedXmlException):
        raise UnsupportedMedia(Msg(N_("The file is a damaged or unknown archive."))) from None
    if file_type is None:
        raise UnsupportedMedia(Msg(N_("Only PDF, Word (DOCX), Excel (XLSX), JPEG and PNG files are accepted.")))
    return file_type


_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
# Content types of macros, ActiveX controls and OLE objects, lower case, and the reason each gives.
_ACTIVE_CONTENT_TYPES = {b"macroenabled": "macros", b"vbaproject": "macros", b"ms-excel.macrosheet": "macros",
                         b"ms-office.activex": "activex", b"oleobject": "ole_object"}
# Packages a Word or Excel file may embed (a chart's data); anything else embedded is an OLE object.
_EMBEDDABLE_PACKAGES = (".xlsx", ".docx", ".pptx")


def _read_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.file_size > MAX_PACKAGE_PART:
        raise ValueError("package part too large to check")
    return archive.read(info)


def _office_active_content(archive: zipfile.ZipFile, depth: int) -> str | None:
    """Why the zip is active (a key of ACTIVE_CONTENT), or None; embedded packages are checked too."""
    for info in archive.infolist():
        name = info.filename.lower()
        if name == "meta-inf/manifest.mf" or name.endswith(".class"):
            return "java_archive"
        if name.endswith(("vbaproject.bin", "vbadata.xml")) or "/macrosheets/" in f"/{name}":
            return "macros"
        if "/activex/" in f"/{name}":
            return "activex"
        if "/embeddings/" in f"/{name}" and not name.endswith("/"):
            if not name.endswith(_EMBEDDABLE_PACKAGES) or depth > 0:
                return "ole_object"
            reason = _office_active_content(zipfile.ZipFile(io.BytesIO(archive.read(info))), depth + 1)
            if reason:
                return reason
        if name == "[content_types].xml":
            content_types = _read_part(archive, info).lower()
            for marker, reason in _ACTIVE_CONTENT_TYPES.items():
                if marker in content_types:
                    return reason
        if name.endswith(".rels"):
            for relationship in fromstring(_read_part(archive, info)):
                if (relationship.get("TargetMode") or "").lower() == "external" \
                        and relationship.get("Type") != _HYPERLINK:
                    return "external_content"
    return None


def safe_filename(name: str, file_type: FileType) -> str:
    """The name the user gave, stripped of any path and control characters, with the true extension."""
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", name or ""))[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip().strip(".")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem[:180] or "tai-lieu"
    return f"{stem}.{file_type.extension}"


@dataclass(frozen=True)
class StoredFile:
    storage_name: str
    filename: str
    content_type: str
    size: int
    sha256: str


class DocumentStore:
    """Where documents are kept (an object store, see workflow/storage.py), and the limits on them: bytes per
    file, documents per dossier."""

    def __init__(self, objects: ObjectStore, max_bytes: int, max_per_dossier: int = MAX_DOCUMENTS_PER_DOSSIER):
        self.objects = objects
        self.max_bytes = max_bytes
        self.max_per_dossier = max_per_dossier

    @staticmethod
    def object_name(storage_name: str) -> str:
        if not re.fullmatch(r"[0-9a-f]{32}", storage_name):
            raise ValueError("bad storage name")
        return f"{AREA}/{storage_name}"

    def save(self, session: Session, filename: str, source: bytes | BinaryIO) -> StoredFile:
        """Check the file and store it, streamed: it passes through a temporary file, which the check reads mapped
        rather than loaded. The object is removed again if the session's transaction rolls back."""
        stream = io.BytesIO(source) if isinstance(source, bytes) else source
        with tempfile.TemporaryFile() as spool:
            written = _copy_limited(stream, spool, self.max_bytes)
            if not written.size:
                raise UnsupportedMedia(Msg(N_("The file is empty.")))
            spool.flush()
            with mmap.mmap(spool.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                file_type = sniff(mapped, spool)
            spool.seek(0)
            storage_name = uuid.uuid4().hex
            name = self.object_name(storage_name)
            # Listed before the write, so that a write that fails halfway leaves nothing behind either.
            session.info.setdefault("objects_written", []).append((self.objects, name))
            try:
                self.objects.put(name, spool)
            except storage.StorageUnavailable as error:
                log.error("a file could not be stored: %s", error)
                raise StorageUnavailable() from None
        return StoredFile(storage_name, safe_filename(filename, file_type), file_type.content_type,
                          written.size, written.sha256)

    def open_verified(self, storage_name: str, sha256: str) -> BinaryIO:
        """The stored file, once found whole: ObjectMissing or ObjectDamaged otherwise."""
        return self.objects.open_verified(self.object_name(storage_name), sha256)

    def discard_after_commit(self, session: Session, storage_name: str) -> None:
        session.info.setdefault("objects_removed", []).append((self.objects, self.object_name(storage_name)))


def _copy_limited(source: BinaryIO, target: BinaryIO, max_bytes: int) -> Written:
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLarge(Msg(N_("The file is larger than the limit of %(limit)d MB."),
                                      {"limit": max_bytes // (1024 * 1024)}))
        digest.update(chunk)
        target.write(chunk)
    return Written(size, digest.hexdigest())


AREA = "documents"


def _delete_all(found: list[tuple[ObjectStore, str]], why: str) -> None:
    for objects, name in found:
        try:
            objects.delete(name)
        except Exception as error:  # noqa: BLE001 - the transaction is over: an object left behind is only space
            log.warning("object %s %s could not be deleted: %s", name, why, error)


@event.listens_for(Session, "after_commit")
def _objects_after_commit(session: Session) -> None:
    session.info.pop("objects_written", None)
    _delete_all(session.info.pop("objects_removed", []), "removed by a committed transaction")


@event.listens_for(Session, "after_soft_rollback")
def _objects_after_rollback(session: Session, previous_transaction) -> None:
    session.info.pop("objects_removed", None)
    _delete_all(session.info.pop("objects_written", []), "written by a rolled-back transaction")


def docx_paragraphs(file: BinaryIO, limit: int = MAX_SHOWN_PARAGRAPHS) -> list[str] | None:
    """The text of a Word document, a paragraph or a table row (its cells joined) a line, at most `limit` lines;
    None when the file cannot be read (it was checked when uploaded, but may have gone from the storage)."""
    from docx import Document as WordDocument  # loaded where a page shows a Word document

    try:
        document = WordDocument(file)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None
    lines = [paragraph.text for paragraph in document.paragraphs if paragraph.text.strip()]
    for table in document.tables:
        for row in table.rows:
            if len(lines) >= limit:
                break
            cells = [cell.text.strip() for cell in row.cells]
            if any(cells):
                lines.append(" | ".join(dict.fromkeys(cells)))
    return lines[:limit]
