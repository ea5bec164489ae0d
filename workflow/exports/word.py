"""What every Word document of the office shares: the font, a paragraph written in it, the page, a bordered table
with its header row, and a reproducible file (its metadata and archive dated by the document, not by the clock)."""
from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from workflow.exports.common import fixed_zip

FONT_NAME = "Times New Roman"
CENTRE = WD_ALIGN_PARAGRAPH.CENTER
LEFT = WD_ALIGN_PARAGRAPH.LEFT
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY


def write(paragraph, text: str, bold: bool = False, italic: bool = False, size: int = 13, align=CENTRE,
          underline: bool = False):
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.bold, run.italic, run.font.size, run.font.name = bold, italic, Pt(size), FONT_NAME
    if underline:
        run.underline = True
    return paragraph


def new_document(width_mm: int, height_mm: int, top: int, right: int, bottom: int, left: int):
    """An empty document on a page of the given size and margins (millimetres)."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(width_mm), Mm(height_mm)
    section.top_margin, section.right_margin = Mm(top), Mm(right)
    section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)
    return doc


def grid_table(doc, columns: tuple[str, ...], widths_mm: tuple[int, ...], size: int):
    """A bordered, centred table whose first row holds `columns` in bold."""
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, label, width in zip(table.rows[0].cells, columns, widths_mm, strict=True):
        cell.width = Mm(width)
        write(cell.paragraphs[0], label, bold=True, size=size)
    return table


def saved(doc, title: str, author: str, language: str | None, when: dt.datetime) -> bytes:
    """The document's bytes, its metadata and archive entries dated `when`: equal content gives equal bytes."""
    properties = doc.core_properties
    properties.title = title
    if language:
        properties.language = language
    properties.author = properties.last_modified_by = author
    properties.created = properties.modified = properties.last_printed = when.replace(tzinfo=None)
    properties.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    return fixed_zip(buffer.getvalue(), when)
