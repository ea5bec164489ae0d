"""Document files: what is accepted (judged by content, never by name) and where it is kept.

Files are stored under generated names; a file written in a transaction that rolls back is
removed again, and a removed document's file goes only once its removal has committed.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from workflow.errors import PayloadTooLarge, UnsupportedMedia
from workflow.i18n import N_, Msg

MAX_ZIP_MEMBERS = 2000
MAX_ZIP_UNCOMPRESSED = 200 * 1024 * 1024
MAX_ZIP_RATIO = 200


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


def sniff(data: bytes) -> FileType:
    """The file's type from its bytes, or UnsupportedMedia."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"PK\x03\x04"):
        return _office_type(data)
    raise UnsupportedMedia(Msg(N_("Only PDF, Word (DOCX), Excel (XLSX), JPEG and PNG files are accepted.")))


def _office_type(data: bytes) -> FileType:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UnsupportedMedia(Msg(N_("The file is a damaged or unknown archive."))) from None
    uncompressed = sum(member.file_size for member in members)
    if (len(members) > MAX_ZIP_MEMBERS or uncompressed > MAX_ZIP_UNCOMPRESSED
            or uncompressed > MAX_ZIP_RATIO * max(len(data), 1)):
        raise UnsupportedMedia(Msg(N_("The Office file expands to an unreasonable size; it is refused.")))
    names = {member.filename for member in members}
    if "[Content_Types].xml" in names:
        if any(name.startswith("word/") for name in names):
            return DOCX
        if any(name.startswith("xl/") for name in names):
            return XLSX
    raise UnsupportedMedia(Msg(N_("Only PDF, Word (DOCX), Excel (XLSX), JPEG and PNG files are accepted.")))


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
    def __init__(self, root: str | os.PathLike, max_bytes: int):
        self.root = Path(root)
        self.max_bytes = max_bytes

    def path(self, storage_name: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{32}", storage_name):
            raise ValueError("bad storage name")
        return self.root / storage_name[:2] / storage_name

    def save(self, session: Session, filename: str, data: bytes) -> StoredFile:
        if len(data) > self.max_bytes:
            raise PayloadTooLarge(Msg(N_("The file is larger than the limit of %(limit)d MB."),
                                      {"limit": self.max_bytes // (1024 * 1024)}))
        if not data:
            raise UnsupportedMedia(Msg(N_("The file is empty.")))
        file_type = sniff(data)
        storage_name = uuid.uuid4().hex
        path = self.path(storage_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        temporary.write_bytes(data)
        temporary.replace(path)
        session.info.setdefault("files_written", []).append(path)
        return StoredFile(storage_name, safe_filename(filename, file_type), file_type.content_type,
                          len(data), hashlib.sha256(data).hexdigest())

    def discard_after_commit(self, session: Session, storage_name: str) -> None:
        session.info.setdefault("files_removed", []).append(self.path(storage_name))


@event.listens_for(Session, "after_commit")
def _files_after_commit(session: Session) -> None:
    session.info.pop("files_written", None)
    for path in session.info.pop("files_removed", []):
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_soft_rollback")
def _files_after_rollback(session: Session, previous_transaction) -> None:
    session.info.pop("files_removed", None)
    for path in session.info.pop("files_written", []):
        path.unlink(missing_ok=True)
