"""Earlier years' award history and collectives' emulation ratings, loaded from the office's spreadsheets.

The same input policy as the nominations' import (workflow.imports): the file is judged by content and bounded before
it is read, formulas are refused, and every row is checked before anything is written; one error anywhere and
nothing is, the answer listing every wrong row and column. A row names its nominee by registry number, or by unit,
kind, name and year of birth: the entry that fits exactly, else a new one (workflow.nominees.nominee_for).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from workflow.errors import ValidationFailed
from workflow.exports.common import Gettext, looks_like_formula
from workflow.exports.xlsx import save_workbook_bytes
from workflow.i18n import N_, Msg, today
from workflow.imports import KINDS, Column, ImportLimits, read_rows
from workflow.models import MAX_ID, AwardRecord, AwardType, EmulationRating, Nominee, Unit, User, db, utcnow
from workflow.nominees import exact_match, nominee_for
from workflow.permissions import require
from workflow.text import TextRefused, clean_line, name_key

FIRST_YEAR = 1945
HISTORY_COLUMNS = (
    Column("entry", N_("Registry no. (if known)"), 14),
    Column("unit", N_("Unit code"), 16),
    Column("kind", N_("Individual or collective"), 20),
    Column("name", N_("Full name / collective name"), 34),
    Column("birth_year", N_("Nominee's year of birth"), 14),
    Column("award_type", N_("Award type code (if any)"), 20),
    Column("form", N_("Award form"), 24),
    Column("title", N_("Award or title"), 40),
    Column("year", N_("Year"), 10),
    Column("decision_number", N_("Decision no."), 18),
    Column("decision_date", N_("Decision date (dd/mm/yyyy)"), 18),
    Column("issuer", N_("Issued by"), 30),
)
RATING_COLUMNS = (
    Column("entry", N_("Registry no. (if known)"), 14),
    Column("unit", N_("Unit code"), 16),
    Column("name", N_("Collective name"), 34),
    Column("year", N_("Year"), 10),
    Column("rating", N_("Emulation rating"), 40),
)
LIMITS = {"name": 255, "form": 255, "title": 500, "decision_number": 64, "issuer": 255, "rating": 255}
SHEETS = {"history": HISTORY_COLUMNS, "ratings": RATING_COLUMNS}


def template(kind: str, gettext: Gettext) -> bytes:
    """The XLSX the office fills in: `history` (award lines) or `ratings` (emulation ratings)."""
    columns = SHEETS[kind]
    workbook = Workbook()
    ws = workbook.active
    ws.title = "lich-su-khen-thuong" if kind == "history" else "xep-loai-thi-dua"
    for index, column in enumerate(columns, 1):
        cell = ws.cell(row=1, column=index, value=gettext(column.label))
        cell.font = Font(name="Times New Roman", bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"
    return save_workbook_bytes(workbook, utcnow().replace(microsecond=0))


@dataclass
class _Row:
    number: int
    letters: dict[str, str]
    values: dict
    errors: list[dict]

    def error(self, key: str, message: Msg) -> None:
        self.errors.append({"row": self.number, "column": self.letters[key], "message": message})


def _cells(number: int, cells: tuple, columns: tuple[Column, ...]) -> _Row:
    letters = {column.key: get_column_letter(index) for index, column in enumerate(columns, 1)}
    row = _Row(number, letters, {}, [])
    for column, cell in zip(columns, list(cells) + [None] * (len(columns) - len(cells)), strict=True):
        value = getattr(cell, "value", None)
        if getattr(cell, "data_type", None) == "f" or (isinstance(value, str) and value.startswith("=")):
            row.error(column.key, Msg(N_("Formulas are not accepted; type the value itself.")))
            continue
        if isinstance(value, dt.datetime | dt.date):
            row.values[column.key] = value.date() if isinstance(value, dt.datetime) else value
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        try:
            row.values[column.key] = " ".join(clean_line("" if value is None else str(value),
                                                         name=column.key == "name").split())
        except TextRefused as refused:
            row.error(column.key, refused.message)
    for key, limit in LIMITS.items():
        text = row.values.get(key)
        if isinstance(text, str) and len(text) > limit:
            row.error(key, Msg(N_("At most %(limit)d characters."), {"limit": limit}))
        elif isinstance(text, str) and key != "decision_number" and looks_like_formula(text):
            row.error(key, Msg(N_("Text may not start with =, +, - or @.")))
    return row


def _required(row: _Row, key: str) -> str:
    value = row.values.get(key)
    if not value:
        row.error(key, Msg(N_("This column is required.")))
        return ""
    return str(value)


def _whole(row: _Row, key: str, low: int, high: int, required: bool = True) -> int | None:
    value = row.values.get(key)
    if value in (None, ""):
        if required:
            row.error(key, Msg(N_("This column is required.")))
        return None
    try:
        number = int(str(value))
    except ValueError:
        number = None
    if number is None or not (low <= number <= high):
        row.error(key, Msg(N_("A whole number from %(low)d to %(high)d."), {"low": low, "high": high}))
        return None
    return number


def _date(row: _Row, key: str) -> dt.date | None:
    value = row.values.get(key)
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.datetime.strptime(str(value or ""), "%d/%m/%Y").date()
        except ValueError:
            row.error(key, Msg(N_("Write the date as dd/mm/yyyy.")))
            return None
    if not (dt.date(FIRST_YEAR, 1, 1) <= day <= today()):
        row.error(key, Msg(N_("The date is not plausible.")))
        return None
    return day


def _choice(value: str, gettext: Gettext) -> str | None:
    wanted = value.casefold()
    for code, label in KINDS.items():
        if wanted in (code, label.casefold(), gettext(label).casefold()):
            return code
    return None


def _nominee(row: _Row, gettext: Gettext, kind: str | None = None) -> tuple[Nominee | None, dict | None]:
    """The entry the row names by registry number, or the nominee fields to find or make one by; None when wrong."""
    if row.values.get("entry"):
        number = _whole(row, "entry", 1, MAX_ID)
        entry = db.session.get(Nominee, number) if number else None
        if number and entry is None:
            row.error("entry", Msg(N_("No such registry entry.")))
        if entry is not None and entry.merged_into_id is not None:
            entry = db.session.get(Nominee, entry.merged_into_id)
        if entry is not None and kind is not None and entry.kind != kind:
            row.error("entry", Msg(N_("Only a collective has an emulation rating.")))
        return entry, None
    unit = None
    if _required(row, "unit"):
        unit = db.session.scalar(select(Unit).where(Unit.code == row.values["unit"]))
        if unit is None:
            row.error("unit", Msg(N_("No such unit code.")))
    if kind is None and _required(row, "kind"):
        kind = _choice(row.values["kind"], gettext)
        if kind is None:
            row.error("kind", Msg(N_("Write “%(individual)s” or “%(collective)s”."),
                                  {"individual": Msg(KINDS["individual"]), "collective": Msg(KINDS["collective"])}))
    name = _required(row, "name")
    birth_year = _whole(row, "birth_year", 1900, today().year, required=False) if "birth_year" in row.letters \
        else None
    if unit is None or kind is None or not name:
        return None, None
    return None, {"unit_id": unit.id, "kind": kind, "name": name, "birth_year": birth_year}


def _resolve(actor: User, found: Nominee | None, fields: dict | None) -> Nominee:
    if found is not None:
        return found
    unit_id = fields.pop("unit_id")
    return nominee_for(actor, unit_id, fields)


def _identity(found: Nominee | None, fields: dict | None) -> tuple:
    if found is not None:
        return ("entry", found.id)
    return (fields["unit_id"], fields["kind"], name_key(fields["name"]), fields["birth_year"])


def _existing_id(fields: dict) -> int | None:
    entry = exact_match(fields["unit_id"], fields["kind"], name_key(fields["name"]), fields["birth_year"])
    return entry.id if entry is not None else None


def _refuse(errors: list[dict], what: str) -> None:
    raise ValidationFailed(Msg(what, {"count": len(errors)}), details=errors)


def _rows(data: bytes, columns: tuple[Column, ...], limits: ImportLimits) -> list[tuple[int, tuple]]:
    rows = read_rows(data, limits, len(columns))
    if not rows:
        raise ValidationFailed(details=[{"field": "file", "message": Msg(N_("The file has no rows in it."))}])
    if len(rows) > limits.max_rows:
        raise ValidationFailed(details=[{"field": "file", "message": Msg(
            N_("At most %(limit)d rows per file."), {"limit": limits.max_rows})}])
    return rows


def import_history(actor: User, data: bytes, gettext: Gettext,
                   limits: ImportLimits = ImportLimits()) -> list[AwardRecord]:
    """An award line per row of the filled `history` template; any error in any row and none is written."""
    require(actor, "manage_award_history")
    rows = _rows(data, HISTORY_COLUMNS, limits)
    errors: list[dict] = []
    checked = []
    seen: dict[tuple, int] = {}
    award_types = {award_type.code: award_type for award_type in db.session.scalars(select(AwardType))}
    for number, cells in rows:
        row = _cells(number, cells, HISTORY_COLUMNS)
        found, fields = _nominee(row, gettext)
        award_type = None
        if row.values.get("award_type"):
            award_type = award_types.get(row.values["award_type"])
            if award_type is None:
                row.error("award_type", Msg(N_("No such award type code.")))
        line = {"award_type_id": award_type.id if award_type else None,
                "form": row.values.get("form") or (award_type.award_form.name if award_type else ""),
                "title": row.values.get("title") or (award_type.name if award_type else ""),
                "issuer": row.values.get("issuer") or (award_type.issuer.name if award_type else "")}
        for key in ("form", "title", "issuer"):
            if not line[key] and (award_type is not None or not row.values.get("award_type")):
                row.error(key, Msg(N_("This column is required unless an award type code is given.")))
        line["year"] = _whole(row, "year", FIRST_YEAR, today().year)
        line["decision_number"] = _required(row, "decision_number")
        line["decision_date"] = _date(row, "decision_date")
        if line["year"] and line["decision_date"] and line["decision_date"].year < line["year"]:
            row.error("decision_date", Msg(N_("The decision cannot come before the year it rewards (%(year)d)."),
                                           {"year": line["year"]}))
        if (found is not None or fields is not None) and line["title"] and line["year"]:
            identity = (_identity(found, fields), name_key(line["title"]), line["year"])
            if identity in seen:
                row.error("title", Msg(N_("The same award of the same year is already on row %(row)d."),
                                       {"row": seen[identity]}))
            seen.setdefault(identity, number)
            entry_id = found.id if found is not None else _existing_id(fields)
            if entry_id is not None and db.session.scalar(select(AwardRecord.id).where(
                    AwardRecord.nominee_id == entry_id, AwardRecord.title_key == name_key(line["title"]),
                    AwardRecord.year == line["year"]).limit(1)) is not None:
                row.error("title", Msg(N_("This award of %(year)d is already in the nominee's history."),
                                       {"year": line["year"]}))
        errors.extend(row.errors)
        checked.append((found, fields, line))
    if errors:
        _refuse(errors, N_("The file has %(count)d errors; nothing was imported."))
    records = []
    for found, fields, line in checked:
        record = AwardRecord(nominee_id=_resolve(actor, found, dict(fields) if fields else None).id, source="import",
                             recorded_by_id=actor.id, **line)
        db.session.add(record)
        records.append(record)
    db.session.flush()
    return records


def import_ratings(actor: User, data: bytes, gettext: Gettext,
                   limits: ImportLimits = ImportLimits()) -> list[EmulationRating]:
    """A collective's emulation rating per row of the filled `ratings` template; any error and none is written."""
    require(actor, "manage_award_history")
    rows = _rows(data, RATING_COLUMNS, limits)
    errors: list[dict] = []
    checked = []
    seen: dict[tuple, int] = {}
    for number, cells in rows:
        row = _cells(number, cells, RATING_COLUMNS)
        found, fields = _nominee(row, gettext, kind="collective")
        year = _whole(row, "year", FIRST_YEAR, today().year)
        rating = _required(row, "rating")
        if (found is not None or fields is not None) and year:
            identity = (_identity(found, fields), year)
            if identity in seen:
                row.error("year", Msg(N_("The same collective's rating of this year is already on row %(row)d."),
                                      {"row": seen[identity]}))
            seen.setdefault(identity, number)
            entry_id = found.id if found is not None else _existing_id(fields)
            if entry_id is not None and db.session.scalar(select(EmulationRating.id).where(
                    EmulationRating.nominee_id == entry_id, EmulationRating.year == year)) is not None:
                row.error("year", Msg(N_("The collective's rating of %(year)d is already recorded."), {"year": year}))
        errors.extend(row.errors)
        checked.append((found, fields, year, rating))
    if errors:
        _refuse(errors, N_("The file has %(count)d errors; nothing was imported."))
    ratings = []
    for found, fields, year, rating in checked:
        entry = _resolve(actor, found, dict(fields) if fields else None)
        ratings.append(EmulationRating(nominee_id=entry.id, year=year, rating=rating, recorded_by_id=actor.id))
        db.session.add(ratings[-1])
    db.session.flush()
    return ratings
