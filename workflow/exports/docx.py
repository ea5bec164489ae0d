"""The honours list as a Word document in the administrative layout."""
from __future__ import annotations


from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from workflow.exports.common import (
    Gettext, Progress, change_lines, document_time, group_heading, group_total, letterhead, no_progress,
    row_cells, sections,
)
from workflow.exports.word import CENTRE, FONT_NAME, grid_table, new_document, saved, write
from workflow.honours import HonoursList

WIDTHS_MM = (12, 50, 60, 45, 30, 25, 40)
PROGRESS_EVERY = 200


def _repeat_as_header(row) -> None:
    """Mark the row as the table's header, which Word repeats at the top of every page."""
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


def _cell_text(cell, text: str, bold: bool = False, italic: bool = False, align=WD_ALIGN_PARAGRAPH.LEFT) -> None:
    write(cell.paragraphs[0], text, bold=bold, italic=italic, size=12, align=align)


def _row(table, cells) -> None:
    for column, (cell, value) in enumerate(zip(table.add_row().cells, cells, strict=True)):
        _cell_text(cell, str(value), align=CENTRE if column in (0, 4, 5) else WD_ALIGN_PARAGRAPH.LEFT)


def _full_width_row(table, text: str, bold: bool = True, italic: bool = False) -> None:
    cells = table.add_row().cells
    merged = cells[0].merge(cells[-1])
    _cell_text(merged, text, bold=bold, italic=italic)


def honours_list_docx(document: HonoursList, gettext: Gettext, progress: Progress = no_progress) -> bytes:
    texts = letterhead(document, gettext)
    doc = new_document(297, 210, top=15, right=15, bottom=15, left=20)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = FONT_NAME, Pt(13)
    doc.sections[0].orientation = WD_ORIENT.LANDSCAPE

    heading = doc.add_table(rows=2, cols=2)
    write(heading.cell(0, 0).paragraphs[0], texts.organisation, size=12)
    write(heading.cell(1, 0).paragraphs[0], texts.organisation_body, bold=True, size=12)
    write(heading.cell(0, 1).paragraphs[0], texts.country, bold=True, size=12)
    write(heading.cell(1, 1).paragraphs[0], texts.motto, bold=True, size=13)
    doc.add_paragraph()
    write(doc.add_paragraph(), texts.title, bold=True, size=14)
    write(doc.add_paragraph(), texts.campaign, bold=True)
    for line in (texts.unit_line, texts.provisional, texts.version):
        if line:
            write(doc.add_paragraph(), line, bold=True, italic=True)
    doc.add_paragraph()

    table = grid_table(doc, texts.columns, WIDTHS_MM, size=12)
    _repeat_as_header(table.rows[0])
    done = 0
    for index, group in enumerate(document.data["groups"]):
        _full_width_row(table, group_heading(index, group))
        for item in group["items"]:
            _row(table, row_cells(item))
            done += 1
            if done % PROGRESS_EVERY == 0:
                progress(done)
        _full_width_row(table, group_total(group, gettext), italic=True)
    _full_width_row(table, texts.grand_total)
    for section in sections(document, gettext):
        _full_width_row(table, section.title)
        for group in section.groups:
            _full_width_row(table, group.heading)
            for cells, note in group.rows:
                _row(table, cells)
                if note:
                    _full_width_row(table, note, bold=False, italic=True)
    for number, line in enumerate(change_lines(document, gettext)):
        write(doc.add_paragraph(), line, bold=number == 0, size=12, align=WD_ALIGN_PARAGRAPH.LEFT)

    doc.add_paragraph()
    signature = doc.add_table(rows=3, cols=2)
    write(signature.cell(0, 1).paragraphs[0], texts.place_date, italic=True)
    write(signature.cell(1, 1).paragraphs[0], texts.on_behalf, bold=True)
    write(signature.cell(2, 1).paragraphs[0], texts.signer, bold=True)

    data = saved(doc, f"{texts.title} – {texts.campaign}", texts.author, None, document_time(document))
    progress(done)
    return data
