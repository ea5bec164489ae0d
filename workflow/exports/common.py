"""What every export of a list shares: its wording, its letterhead and byte-for-byte reproducible archives."""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from workflow.honours import HonoursList
from workflow.i18n import N_, VIETNAM, Msg
from workflow.text import printable

Gettext = Callable[[str], str]
Progress = Callable[[int], None]

COUNTRY = N_("SOCIALIST REPUBLIC OF VIET NAM")
MOTTO = N_("Independence - Freedom - Happiness")
STANDING_COMMITTEE = N_("STANDING COMMITTEE")
TITLE = N_("HONOURS LIST")
PROVISIONAL = N_("DRAFT – PROVISIONAL LIST, NOT FINAL")
UNIT_LINE = N_("Nominating unit: %(unit)s")
COLUMNS = (N_("No."), N_("Full name / collective"), N_("Position, workplace"), N_("Nominating unit"),
           N_("Decision number"), N_("Decision date"), N_("Conferred by"))
GROUP_TOTAL = N_("Total: %(count)d")
GRAND_TOTAL = N_("Grand total: %(count)d")
PLACE_DATE = N_("%(place)s, day %(day)s month %(month)s year %(year)s")
ON_BEHALF = N_("ON BEHALF OF THE STANDING COMMITTEE")
SIGNER = N_("CHAIR")
VERSION = N_("Version %(version)d")
AMENDMENT = N_("Version %(version)d – amendment no. %(amendment)d")
PENDING_SECTION = N_("AWAITING DECISION: forwarded to the higher authority")
REVOKED_SECTION = N_("AWARDS REVOKED")
REVOKED_NOTE = N_("Revoked by decision %(number)s of %(date)s. Reason: %(reason)s")
CHANGES_TITLE = N_("Changes from version %(version)d:")
CHANGES = {
    "awarded": N_("%(name)s (%(unit)s), %(award)s: conferred by decision %(number)s of %(date)s."),
    "refused": N_("%(name)s (%(unit)s), %(award)s: not conferred by the higher authority; removed from the list."),
    "revocation": N_("%(name)s (%(unit)s), %(award)s: award revoked by decision %(number)s of %(date)s."),
}
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI",
         "XVII", "XVIII", "XIX", "XX")
# Text that a spreadsheet would take for a formula if it were typed in.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Letterhead:
    organisation: str
    organisation_body: str
    country: str
    motto: str
    title: str
    campaign: str
    unit_line: str | None
    provisional: str | None
    version: str | None
    columns: tuple[str, ...]
    place_date: str
    on_behalf: str
    signer: str
    grand_total: str
    sheet_name: str
    author: str


def letterhead(document: HonoursList, gettext: Gettext) -> Letterhead:
    """The document's texts; stored ones pass `printable`, as a list's rows do (`row_cells`)."""
    day = document.issued_on
    return _printable_letterhead(Letterhead(
        organisation=document.organisation.upper(),
        organisation_body=gettext(STANDING_COMMITTEE),
        country=gettext(COUNTRY),
        motto=gettext(MOTTO),
        title=gettext(TITLE),
        campaign=document.campaign_name,
        unit_line=Msg(UNIT_LINE, {"unit": document.unit_name}).render(gettext) if document.unit_name else None,
        provisional=gettext(PROVISIONAL) if document.provisional else None,
        version=version_line(document, gettext),
        columns=tuple(gettext(column) for column in COLUMNS),
        place_date=Msg(PLACE_DATE, {"place": document.place, "day": f"{day.day:02d}", "month": f"{day.month:02d}",
                                    "year": str(day.year)}).render(gettext),
        on_behalf=gettext(ON_BEHALF),
        signer=gettext(SIGNER),
        grand_total=Msg(GRAND_TOTAL, {"count": document.row_count}).render(gettext),
        sheet_name=gettext(TITLE)[:31],
        author=document.organisation,
    ))


def version_line(document: HonoursList, gettext: Gettext) -> str | None:
    """"Phiên bản N" on a finalised list; an amendment also says which ("Bản sửa đổi lần N-1")."""
    if document.version is None:
        return None
    if document.version == 1:
        return Msg(VERSION, {"version": 1}).render(gettext)
    return Msg(AMENDMENT, {"version": document.version, "amendment": document.version - 1}).render(gettext)


@dataclass(frozen=True)
class SectionGroup:
    heading: str
    # Each row's cells (as `row_cells`) and the note printed under it, if any.
    rows: tuple[tuple[tuple, str | None], ...]


@dataclass(frozen=True)
class Section:
    """A part of the table after the conferred groups and their grand total: its title row and its groups."""
    title: str
    groups: tuple[SectionGroup, ...]


def sections(document: HonoursList, gettext: Gettext) -> list[Section]:
    """The dossiers waiting for a higher authority, then the awards revoked (each with its revoking decision)."""
    result = []
    for title, groups in ((PENDING_SECTION, document.pending), (REVOKED_SECTION, document.revocations)):
        if groups:
            result.append(Section(gettext(title), tuple(SectionGroup(group_heading(index, group), tuple(
                (row_cells(item), revocation_note(item, gettext)) for item in group["items"]))
                for index, group in enumerate(groups))))
    return result


def revocation_note(item: dict, gettext: Gettext) -> str | None:
    revocation = item.get("revocation")
    if revocation is None:
        return None
    return printable(Msg(REVOKED_NOTE, {"number": revocation["number"], "date": vn_date(revocation["date"]),
                                        "reason": revocation["reason"]}).render(gettext))


def change_lines(document: HonoursList, gettext: Gettext) -> list[str]:
    """An amendment's changes from the version before: a title line, then one line per dossier."""
    if not document.changes:
        return []
    lines = [Msg(CHANGES_TITLE, {"version": document.version - 1}).render(gettext)]
    for change in document.changes:
        lines.append(printable("– " + Msg(CHANGES[change["change"]], {
            "name": change["nominee_name"], "unit": change["unit_name"], "award": change["award_name"],
            "number": change["decision_number"] or "", "date": vn_date(change["decision_date"])}).render(gettext)))
    return lines


def _printable_letterhead(texts: Letterhead) -> Letterhead:
    return Letterhead(**{name: tuple(map(printable, value)) if isinstance(value, tuple) else printable(value)
                         for name, value in vars(texts).items()})


def group_heading(index: int, group: dict) -> str:
    number = ROMAN[index] if index < len(ROMAN) else str(index + 1)
    return f"{number}. {printable(group['award_name'])}"


def group_total(group: dict, gettext: Gettext) -> str:
    return Msg(GROUP_TOTAL, {"count": len(group["items"])}).render(gettext)


def vn_date(iso: str | None) -> str:
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""


def row_cells(item: dict) -> tuple:
    """A row as printed. Stored text is made printable here, never refused: a list already made, or frozen in
    a snapshot, must always export (and a valid one's bytes stay as they were). A snapshot frozen before rows named
    their issuer shows none."""
    return (item["stt"], printable(item["nominee_name"]), printable(item["position"]), printable(item["unit_name"]),
            printable(item["decision_number"] or ""), vn_date(item["decision_date"]),
            printable(item.get("issuer") or ""))


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def document_time(document: HonoursList) -> dt.datetime:
    """The time written into a file's metadata: the list's own, so that a final list's files never change."""
    return document.generated_at.astimezone(dt.UTC).replace(microsecond=0)


class StampedZip(zipfile.ZipFile):
    """A new Office archive whose entries are all dated `when`, so that equal content gives equal bytes."""

    def __init__(self, file, when: dt.datetime):
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)
        self.stamp = max(when.astimezone(VIETNAM).timetuple()[:6], (1980, 1, 1, 0, 0, 0))

    def writestr(self, name, data, compress_type=None, compresslevel=None) -> None:
        entry = zipfile.ZipInfo(name.filename if isinstance(name, zipfile.ZipInfo) else name, date_time=self.stamp)
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.external_attr = 0o644 << 16
        super().writestr(entry, data)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None) -> None:
        with open(filename, "rb") as source:
            self.writestr(arcname or str(filename), source.read())


def fixed_zip(data: bytes, when: dt.datetime) -> bytes:
    """The same Office archive with every entry dated `when`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with StampedZip(out, when) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
    return out.getvalue()


@contextlib.contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Hold Python's cycle collector back while a long document is built.

    A long list's sheet keeps tens of thousands of cells alive until it is written; as they pile up,
    CPython runs full collections over the whole heap of the process (a web or worker process holds
    hundreds of thousands of objects): that was 40% of a 10,000-row export. Reference counting frees
    memory as usual meanwhile; only the search for unreachable cycles waits. The collector is turned
    back on only if it was on, as another thread's export may have paused it as well.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def no_progress(_done: int) -> None:
    return None
