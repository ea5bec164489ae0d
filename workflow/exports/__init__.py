"""Exports of the honours list (XLSX, DOCX, PDF) and of the campaign's statistics; no web code here."""
from __future__ import annotations

from dataclasses import dataclass

from workflow.exports.common import Gettext, Progress, no_progress
from workflow.honours import HonoursList


@dataclass(frozen=True)
class FileFormat:
    extension: str
    content_type: str


FORMATS = {
    "xlsx": FileFormat("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "docx": FileFormat("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pdf": FileFormat("pdf", "application/pdf"),
}


def export_honours_list(document: HonoursList, file_format: str, gettext: Gettext, progress: Progress = no_progress,
                        language: str = "vi") -> bytes:
    """The list as a file of `file_format` (one of FORMATS)."""
    if file_format == "xlsx":
        from workflow.exports.xlsx import honours_list_xlsx

        return honours_list_xlsx(document, gettext, progress)
    if file_format == "docx":
        from workflow.exports.docx import honours_list_docx

        return honours_list_docx(document, gettext, progress)
    if file_format == "pdf":
        from workflow.exports.pdf import honours_list_pdf

        return honours_list_pdf(document, gettext, progress, language)
    raise ValueError(f"unknown format {file_format!r}")


def export_filename(document: HonoursList, file_format: str, unit_code: str | None = None) -> str:
    parts = ["danh-sach-khen-thuong", document.data["campaign"]]
    if unit_code:
        parts.append(unit_code)
    if document.provisional:
        parts.append("du-thao")
    if document.version is not None:
        parts.append(f"phien-ban-{document.version}")
    return "-".join(parts) + "." + FORMATS[file_format].extension
