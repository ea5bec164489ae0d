"""The honours list as an Excel workbook in the administrative layout."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from workflow.exports.common import (
    Gettext, Progress, StampedZip, change_lines, cycle_collection_paused, document_time, group_heading, group_total,
    letterhead, looks_like_formula, no_progress, row_cells, sections,
)
from workflow.honours import HonoursList
from workflow.text import printable

FONT_NAME = "Times New Roman"
WIDTHS = (7, 28, 34, 26, 16, 13, 28)
LAST_COLUMN = len(WIDTHS)
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
PROGRESS_EVERY = 200


def put(ws: Worksheet, row: int, column: int, value, bold: bool = False, italic: bool = False, size: int = 12,
        align: Alignment = LEFT, border: bool = False):
    """Write a cell; text that looks like a formula stays text (typed as a string and quote-prefixed), stored text
    is made printable."""
    cell = ws.cell(row=row, column=column, value=printable(value))
    cell.font = Font(name=FONT_NAME, size=size, bold=bold, italic=italic)
    cell.alignment = align
    if border:
        cell.border = BOX
    return kept_as_text(cell)


def kept_as_text(cell: Cell) -> Cell:
    if looks_like_formula(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def row_format(ws: Worksheet, align: Alignment) -> StyleArray:
    """The format of a boxed list cell, made once for all the rows.

    Given a Font, an Alignment and a Border, openpyxl finds each in the workbook's lists by hashing all
    of its fields; done for every cell of a long list, that was most of the export's time. The list's
    cells take a copy of these style ids instead (openpyxl's way of copying a cell's style).
    """
    model = Cell(ws)
    model.font = Font(name=FONT_NAME, size=12, bold=False, italic=False)
    model.alignment = align
    model.border = BOX
    return model._style


def merged(ws: Worksheet, row: int, first: int, last: int, value, **style) -> None:
    put(ws, row, first, value, **style)
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
        if style.get("border"):
            for column in range(first + 1, last + 1):
                ws.cell(row=row, column=column).border = BOX


def save_workbook_bytes(workbook: Workbook, when) -> bytes:
    """Save with the given document times (openpyxl's own save stamps the present moment)."""
    workbook.properties.created = when.replace(tzinfo=None)
    workbook.properties.modified = when.replace(tzinfo=None)
    buffer = io.BytesIO()
    with StampedZip(buffer, when) as archive:
        ExcelWriter(workbook, archive).save()
    return buffer.getvalue()


def honours_list_xlsx(document: HonoursList, gettext: Gettext, progress: Progress = no_progress) -> bytes:
    with cycle_collection_paused():
        return _honours_list_xlsx(document, gettext, progress)


def _honours_list_xlsx(document: HonoursList, gettext: Gettext, progress: Progress) -> bytes:
    texts = letterhead(document, gettext)
    workbook = Workbook()
    ws = workbook.active
    ws.title = texts.sheet_name
    for index, width in enumerate(WIDTHS, 1):
        ws.column_dimensions[chr(64 + index)].width = width
    merged(ws, 1, 1, 3, texts.organisation, align=CENTRE)
    merged(ws, 2, 1, 3, texts.organisation_body, bold=True, align=CENTRE)
    merged(ws, 1, 4, LAST_COLUMN, texts.country, bold=True, align=CENTRE)
    merged(ws, 2, 4, LAST_COLUMN, texts.motto, bold=True, align=CENTRE)
    merged(ws, 4, 1, LAST_COLUMN, texts.title, bold=True, size=14, align=CENTRE)
    merged(ws, 5, 1, LAST_COLUMN, texts.campaign, bold=True, align=CENTRE)
    row = 6
    for line in (texts.unit_line, texts.provisional, texts.version):
        if line:
            merged(ws, row, 1, LAST_COLUMN, line, bold=True, italic=True, align=CENTRE)
            row += 1
    header_row = row + 1
    for column, label in enumerate(texts.columns, 1):
        put(ws, header_row, column, label, bold=True, align=CENTRE, border=True)
    ws.print_title_rows = f"{header_row}:{header_row}"
    row, done = header_row + 1, 0
    formats = [row_format(ws, CENTRE if column in (1, 5, 6) else LEFT) for column in range(1, LAST_COLUMN + 1)]
    for index, group in enumerate(document.data["groups"]):
        merged(ws, row, 1, LAST_COLUMN, group_heading(index, group), bold=True, border=True)
        row += 1
        for item in group["items"]:
            ws.append([kept_as_text(Cell(ws, value=value, style_array=style))
                       for value, style in zip(row_cells(item), formats, strict=True)])
            row += 1
            done += 1
            if done % PROGRESS_EVERY == 0:
                progress(done)
        merged(ws, row, 1, LAST_COLUMN, group_total(group, gettext), bold=True, italic=True, border=True)
        row += 1
    merged(ws, row, 1, LAST_COLUMN, texts.grand_total, bold=True, border=True)
    row += 1
    for section in sections(document, gettext):
        merged(ws, row, 1, LAST_COLUMN, section.title, bold=True, border=True)
        row += 1
        for group in section.groups:
            merged(ws, row, 1, LAST_COLUMN, group.heading, bold=True, border=True)
            row += 1
            for cells, note in group.rows:
                for column, value in enumerate(cells, 1):
                    put(ws, row, column, value, align=CENTRE if column in (1, 5, 6) else LEFT, border=True)
                row += 1
                if note:
                    merged(ws, row, 1, LAST_COLUMN, note, italic=True, border=True)
                    row += 1
    changes = change_lines(document, gettext)
    row += 1 if changes else 0
    for number, line in enumerate(changes):
        merged(ws, row, 1, LAST_COLUMN, line, bold=number == 0)
        row += 1
    row += 1
    merged(ws, row, 4, LAST_COLUMN, texts.place_date, italic=True, align=CENTRE)
    merged(ws, row + 1, 4, LAST_COLUMN, texts.on_behalf, bold=True, align=CENTRE)
    merged(ws, row + 2, 4, LAST_COLUMN, texts.signer, bold=True, align=CENTRE)

    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "&P / &N"
    if texts.provisional:
        ws.oddHeader.center.text = texts.provisional
    workbook.properties.title = f"{texts.title} – {texts.campaign}"
    workbook.properties.creator = texts.author
    workbook.properties.lastModifiedBy = texts.author
    progress(done)
    data = save_workbook_bytes(workbook, document_time(document))
    # The cells and their sheet refer to each other: let go of them here, so that reference counting
    # frees them at once rather than leaving a cycle of tens of thousands of objects to the collector.
    ws._cells.clear()
    return data
