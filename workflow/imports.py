"""Nominations loaded from a spreadsheet: the template the office publishes and the check of a filled one.

Every row is checked before anything is created; one error anywhere and nothing is. The file is treated
as hostile: its type is judged by content (which refuses archives that expand absurdly and active
content), its XML is parsed by defusedxml (openpyxl uses it when installed, refusing entity expansion),
and formulas are refused, never evaluated. The work is bounded before openpyxl reads anything (which
would otherwise walk a whole sheet to learn its size): no part may expand past a size, and every XML
part is first streamed through a counter that stops at the first bound passed: rows of a sheet (empty
ones too, and the rows a sheet declares or skips to), cells, and elements.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, iterparse
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from workflow.documents import XLSX, sniff
from workflow.errors import NotFound, PayloadTooLarge, UnsupportedMedia, ValidationFailed
from workflow.exports.common import Gettext, looks_like_formula
from workflow.exports.xlsx import save_workbook_bytes
from workflow.i18n import N_, Msg, today
from workflow.models import AwardType, Dossier, User, db, utcnow
from workflow.operations import create_dossier, creation_target, nominee_errors
from workflow.text import TextRefused, clean_line, clean_lines, name_key

MAX_FILE_BYTES = 5 * 1024 * 1024
MB = 1024 * 1024
# A cell is a few elements (c, v or is/t, rich-text runs); past this many per cell the part is not a sheet's data.
ELEMENTS_PER_CELL = 10


@dataclass(frozen=True)
class ImportLimits:
    """Bounds on the work an import may cost; the app sets them from its configuration."""

    max_rows: int = 1000          # nominations per file
    max_sheet_rows: int = 5000    # rows of a sheet read, empty ones included
    max_cells: int = 50_000       # cells read in the whole workbook
    max_part_bytes: int = 10 * MB  # uncompressed size of any one part of the file


class ImportTooLarge(ValidationFailed):
    def __init__(self, message: Msg):
        super().__init__(message, details=[{"field": "file", "message": message}])

TEXT_LIMITS = {"name": 255, "position": 255, "workplace": 255, "achievements": 20000}
MULTILINE_COLUMNS = frozenset({"achievements"})


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int


COLUMNS = (
    Column("kind", N_("Individual or collective"), 20),
    Column("name", N_("Full name / collective name"), 34),
    Column("position", N_("Nominee's position"), 28),
    Column("workplace", N_("Nominee's workplace"), 34),
    Column("birth_year", N_("Nominee's year of birth"), 14),
    Column("gender", N_("Nominee's gender"), 12),
    Column("achievements", N_("Achievements in brief"), 60),
)
LETTER = {column.key: get_column_letter(index) for index, column in enumerate(COLUMNS, 1)}
KINDS = {"individual": N_("Person"), "collective": N_("Collective body")}
GENDERS = {"female": N_("Woman"), "male": N_("Man")}
# Where create_dossier's field names land in the sheet.
FIELD_COLUMNS = {"nominee.kind": "kind", "nominee.name": "name", "nominee.birth_year": "birth_year"}


def _award_type(code: str) -> AwardType:
    award_type = db.session.scalar(select(AwardType).where(AwardType.code == code, AwardType.active.is_(True)))
    if award_type is None:
        raise NotFound(Msg(N_("No such award type.")))
    return award_type


def _allowed_kinds(award_type: AwardType) -> list[str]:
    return list(KINDS) if award_type.subject == "any" else [award_type.subject]


def import_template(award_type_code: str, gettext: Gettext, limits: ImportLimits = ImportLimits()) -> bytes:
    """The XLSX a unit fills in for one award type: Vietnamese headers and drop-down lists."""
    award_type = _award_type(award_type_code)
    workbook = Workbook()
    ws = workbook.active
    ws.title = award_type.code[:31]
    for index, column in enumerate(COLUMNS, 1):
        cell = ws.cell(row=1, column=index, value=gettext(column.label))
        cell.font = Font(name="Times New Roman", bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"
    last = limits.max_rows + 1
    choices = [
        ("kind", [gettext(KINDS[kind]) for kind in _allowed_kinds(award_type)]),
        ("gender", [gettext(label) for label in GENDERS.values()]),
    ]
    for key, values in choices:
        validation = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
                                    showErrorMessage=True)
        validation.add(f"{LETTER[key]}2:{LETTER[key]}{last}")
        ws.add_data_validation(validation)
    years = DataValidation(type="whole", operator="between", formula1="1900", formula2=str(today().year),
                           allow_blank=True, showErrorMessage=True)
    years.add(f"{LETTER['birth_year']}2:{LETTER['birth_year']}{last}")
    ws.add_data_validation(years)
    workbook.properties.title = award_type.name
    return save_workbook_bytes(workbook, utcnow().replace(microsecond=0))


def _choice(value: str, options: dict[str, str], gettext: Gettext) -> str | None:
    wanted = value.casefold()
    for code, label in options.items():
        if wanted in (code, label.casefold(), gettext(label).casefold()):
            return code
    return None


def read_rows(data: bytes, limits: ImportLimits, width: int = len(COLUMNS)) -> list[tuple[int, tuple]]:
    """The non-empty data rows (below the header) of the first `width` columns as (row number, cells); refuses what
    cannot be read safely."""
    if len(data) > MAX_FILE_BYTES:
        raise PayloadTooLarge(Msg(N_("The file is larger than the limit of %(limit)d MB."),
                                  {"limit": MAX_FILE_BYTES // (1024 * 1024)}))
    if sniff(data) != XLSX:
        raise UnsupportedMedia(Msg(N_("Upload the Excel (XLSX) template, filled in.")))
    rows = []
    try:
        _check_bounds(zipfile.ZipFile(io.BytesIO(data)), limits)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        for number, cells in enumerate(workbook.worksheets[0].iter_rows(min_row=2, max_col=width), 2):
            if number > limits.max_sheet_rows:
                raise _too_many_rows(limits)
            if any(cell.value not in (None, "") for cell in cells):
                rows.append((number, tuple(cells)))
                if len(rows) > limits.max_rows:
                    break
        workbook.close()
    except (DefusedXmlException, ParseError, InvalidFileException, zipfile.BadZipFile, KeyError, ValueError,
            TypeError, OSError, IndexError, SyntaxError, EOFError):
        raise UnsupportedMedia(Msg(N_("The spreadsheet cannot be read safely; use the published template."))) \
            from None
    return rows


def _too_many_rows(limits: ImportLimits) -> ImportTooLarge:
    return ImportTooLarge(Msg(N_("The sheet has more than %(limit)d rows, counting empty ones; delete the rows "
                                 "below the nominations, or split the file."), {"limit": limits.max_sheet_rows}))


def _too_many_cells(limits: ImportLimits) -> ImportTooLarge:
    return ImportTooLarge(Msg(N_("The file has more than %(limit)d cells; keep only the template's columns, "
                                 "or split the file."), {"limit": limits.max_cells}))


def _check_bounds(archive: zipfile.ZipFile, limits: ImportLimits) -> None:
    """Refuse a file whose parts would cost more to read than the limits allow, reading as little as it takes."""
    for info in archive.infolist():
        if info.file_size > limits.max_part_bytes:
            raise ImportTooLarge(Msg(N_("A part of the file expands to more than %(limit)d MB; a filled template "
                                        "is far smaller. Copy the nominations into a fresh template."),
                                     {"limit": limits.max_part_bytes // MB}))
    cells = elements = 0
    for info in archive.infolist():
        with archive.open(info) as part:
            if not part.read(64).lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"<", b"\xff\xfe", b"\xfe\xff")):
                continue  # not XML (an image): openpyxl never parses it
        with archive.open(info) as part:
            rows = 0
            for event, element in iterparse(part, events=("start", "end")):
                if event == "end":
                    element.clear()
                    continue
                elements += 1
                tag = element.tag.rsplit("}", 1)[-1]
                if tag == "dimension" and _last_row(element.get("ref", "")) > limits.max_sheet_rows:
                    raise _too_many_rows(limits)
                if tag == "row":
                    rows += 1
                    if rows > limits.max_sheet_rows or _row_number(element.get("r")) > limits.max_sheet_rows:
                        raise _too_many_rows(limits)
                elif tag == "c":
                    cells += 1
                if cells > limits.max_cells or elements > ELEMENTS_PER_CELL * limits.max_cells:
                    raise _too_many_cells(limits)


def _row_number(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0


def _last_row(reference: str) -> int:
    """The last row of a range such as A1:G1048576 (0 when there is none)."""
    digits = "".join(c for c in reference.rsplit(":", 1)[-1] if c.isdigit())
    return int(digits) if digits else 0


def _parse_row(number: int, cells: tuple, award_type: AwardType, gettext: Gettext) -> tuple[dict, str, list[dict]]:
    values: dict = {}
    errors: list[dict] = []

    def error(key: str, message: Msg) -> None:
        errors.append({"row": number, "column": LETTER[key], "message": message})

    for column, cell in zip(COLUMNS, list(cells) + [None] * (len(COLUMNS) - len(cells)), strict=True):
        value = getattr(cell, "value", None)
        if getattr(cell, "data_type", None) == "f" or (isinstance(value, str) and value.startswith("=")):
            error(column.key, Msg(N_("Formulas are not accepted; type the value itself.")))
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = "" if value is None else str(value)
        try:
            values[column.key] = clean_lines(text).strip() if column.key in MULTILINE_COLUMNS \
                else " ".join(clean_line(text, name=column.key == "name").split())
        except TextRefused as refused:
            error(column.key, refused.message)
    for key, limit in TEXT_LIMITS.items():
        if len(values.get(key) or "") > limit:
            error(key, Msg(N_("At most %(limit)d characters."), {"limit": limit}))
    for key in ("name", "position", "workplace"):
        if looks_like_formula(values.get(key)):
            error(key, Msg(N_("Text may not start with =, +, - or @.")))
    kind = None
    if values.get("kind"):
        kind = _choice(values["kind"], KINDS, gettext)
        if kind is None:
            error("kind", Msg(N_("Write “%(individual)s” or “%(collective)s”."),
                              {"individual": Msg(KINDS["individual"]), "collective": Msg(KINDS["collective"])}))
    elif "kind" in values:
        allowed = _allowed_kinds(award_type)
        if len(allowed) == 1:
            kind = allowed[0]
        else:
            error("kind", Msg(N_("Say whether the nominee is an individual or a collective.")))
    gender = None
    if values.get("gender"):
        gender = _choice(values["gender"], GENDERS, gettext)
        if gender is None:
            error("gender", Msg(N_("Write “%(female)s”, “%(male)s” or leave it empty."),
                                {"female": Msg(GENDERS["female"]), "male": Msg(GENDERS["male"])}))
    birth_year = None
    if values.get("birth_year"):
        try:
            birth_year = int(values["birth_year"])
        except ValueError:
            error("birth_year", Msg(N_("The year of birth must be a number such as 1980.")))
    nominee = {"kind": kind, "name": values.get("name") or "", "position": values.get("position") or None,
               "workplace": values.get("workplace") or None, "birth_year": birth_year, "gender": gender}
    return nominee, values.get("achievements") or "", errors


def import_dossiers(actor: User, campaign_code: str, award_type_code: str, data: bytes,
                    gettext: Gettext, limits: ImportLimits = ImportLimits()) -> list[Dossier]:
    """One draft per row of the filled template, for the actor's unit; any error and none is created."""
    _campaign, award_type, problems = creation_target(actor, campaign_code, award_type_code)
    if problems:
        raise ValidationFailed(details=problems)
    rows = read_rows(data, limits)
    if not rows:
        raise ValidationFailed(details=[{"field": "file", "message": Msg(N_("The file has no nominations in it."))}])
    if len(rows) > limits.max_rows:
        raise ValidationFailed(details=[{"field": "file", "message": Msg(
            N_("At most %(limit)d nominations per file."), {"limit": limits.max_rows})}])
    errors: list[dict] = []
    checked: list[tuple[dict, str]] = []
    seen: dict[tuple, int] = {}
    for number, cells in rows:
        nominee, achievements, row_errors = _parse_row(number, cells, award_type, gettext)
        flagged = {error["column"] for error in row_errors}
        for detail in nominee_errors(award_type, nominee):
            column = LETTER.get(FIELD_COLUMNS.get(detail["field"], ""), "")
            if column not in flagged:
                row_errors.append({"row": number, "column": column, "message": detail["message"]})
        identity = (nominee["kind"], name_key(nominee["name"]), nominee["birth_year"])
        if nominee["name"] and identity in seen:
            row_errors.append({"row": number, "column": LETTER["name"], "message": Msg(
                N_("The same nominee is already on row %(row)d."), {"row": seen[identity]})})
        seen.setdefault(identity, number)
        errors.extend(row_errors)
        checked.append((nominee, achievements))
    if errors:
        raise ValidationFailed(Msg(N_("The file has %(count)d errors; no dossier was created."),
                                   {"count": len(errors)}), details=errors)
    created = [create_dossier(actor, campaign_code, award_type_code, nominee, achievements)
               for nominee, achievements in checked]
    return created
