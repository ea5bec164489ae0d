"""What every Word document of the office shares: the font, a paragraph written in it, the page, a bordered table
with its header row, and a reproducible file (its metadata and archive dated by the document, not by the clock)."""
from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
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


def closing_block(doc, recipients: str, recipient_lines: list[str], signer_title: list[str], signer_name: str) -> None:
    """A letter's end: its distribution list (Nơi nhận) on the left, the signature block on the right (the title a
    line each, room to sign, the name)."""
    closing = doc.add_table(rows=1, cols=2)
    write(closing.cell(0, 0).paragraphs[0], recipients, bold=True, italic=True, size=12, align=LEFT)
    for line in recipient_lines:
        write(closing.cell(0, 0).add_paragraph(), line, size=11, align=LEFT)
    signature = closing.cell(0, 1)
    write(signature.paragraphs[0], signer_title[0] if signer_title else "", bold=True)
    for line in signer_title[1:]:
        write(signature.add_paragraph(), line, bold=True)
    for _ in range(3):
        signature.add_paragraph()
    write(signature.add_paragraph(), signer_name, bold=True)


def attached_list(doc, title: str, attached: str, columns: tuple[str, ...], widths_mm: tuple[int, ...],
                  groups: list[tuple[str, list[tuple[str, ...]]]]) -> None:
    """The list attached to a letter (danh sách kèm theo) on a page of its own: its title, which letter it goes
    with, and a table of its rows under a heading per group."""
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    write(doc.add_paragraph(), title, bold=True, size=14)
    write(doc.add_paragraph(), attached, italic=True)
    doc.add_paragraph()
    table = grid_table(doc, columns, widths_mm, size=12)
    for heading, rows in groups:
        cells = table.add_row().cells
        write(cells[0].merge(cells[-1]).paragraphs[0], heading, bold=True, size=12, align=LEFT)
        for row in rows:
            for column, (cell, value) in enumerate(zip(table.add_row().cells, row, strict=True)):
                write(cell.paragraphs[0], value, size=12, align=CENTRE if column == 0 else LEFT)


def letter_heading(doc, left: list[tuple[str, dict]], right: list[tuple[str, dict]]) -> None:
    """The two columns above an administrative letter: who writes it and its number on the left; the country, its
    motto and the place and date on the right. Each line is its text and `write`'s style for it."""
    heading = doc.add_table(rows=max(len(left), len(right)), cols=2)
    for column, lines in enumerate((left, right)):
        for row, (text, style) in enumerate(lines):
            write(heading.cell(row, column).paragraphs[0], text, **style)
