"""The minutes of a closed council session (biên bản họp Hội đồng), as DOCX and PDF in the administrative layout:
date, place, members present and absent, per dossier the votes counted and the conclusion; never who voted how."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from docx.shared import Pt
from weasyprint import HTML

from workflow.council import Minutes
from workflow.exports.common import COUNTRY, MOTTO, PLACE_DATE, Gettext
from workflow.exports.pdf import TEMPLATES
from workflow.exports.word import LEFT, grid_table, letter_heading, new_document, saved, write
from workflow.honours import organisation_name
from workflow.i18n import N_, Msg, vndate
from workflow.text import printable

BODY = N_("EMULATION AND COMMENDATION COUNCIL")
# The number is left blank: the office writes it in by hand when the minutes are registered.
NUMBER = N_("No.: …/BB-HĐTĐKT")
TITLE = N_("MINUTES OF THE MEETING OF THE EMULATION AND COMMENDATION COUNCIL")
WHEN_WHERE = N_("Date: %(date)s. Place: %(place)s.")
PRESENT = N_("Members present (%(count)d): %(names)s.")
ABSENT = N_("Members absent (%(count)d): %(names)s.")
COLUMNS = (N_("No."), N_("Full name / collective"), N_("Award"), N_("Nominating unit"), N_("Members counted"),
           N_("Votes cast"), N_("Agree"), N_("Disagree"), N_("Abstain"), N_("Conclusion"))
PASSED, NOT_PASSED = N_("Passed"), N_("Not passed")
SECRETARY, CHAIR = N_("SECRETARY"), N_("CHAIR OF THE COUNCIL")
SECRECY = N_("The ballots are secret: these minutes record the counts only.")
WIDTHS_MM = (10, 45, 45, 35, 18, 15, 15, 15, 15, 20)


@dataclass(frozen=True)
class MinutesTexts:
    organisation: str
    body: str
    country: str
    motto: str
    number: str
    place_date: str
    title: str
    when_where: str
    present: str
    absent: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    secrecy: str
    secretary: str
    chair: str
    secretary_name: str
    chair_name: str


def minutes_texts(minutes: Minutes, gettext: Gettext, city: str) -> MinutesTexts:
    """The minutes' texts; `city` is the organisation's, on the place-and-date line (dated the day of the meeting)."""
    none = "—"
    day = minutes.held_on
    return MinutesTexts(
        organisation=printable(organisation_name().upper()), body=gettext(BODY), country=gettext(COUNTRY),
        motto=gettext(MOTTO), number=gettext(NUMBER),
        place_date=Msg(PLACE_DATE, {"place": printable(city), "day": f"{day.day:02d}", "month": f"{day.month:02d}",
                                    "year": str(day.year)}).render(gettext),
        title=gettext(TITLE),
        when_where=Msg(WHEN_WHERE, {"date": vndate(minutes.held_on),
                                    "place": printable(minutes.place)}).render(gettext),
        present=Msg(PRESENT, {"count": len(minutes.present),
                              "names": printable(", ".join(minutes.present)) or none}).render(gettext),
        absent=Msg(ABSENT, {"count": len(minutes.absent),
                            "names": printable(", ".join(minutes.absent)) or none}).render(gettext),
        columns=tuple(gettext(column) for column in COLUMNS),
        rows=[(str(number), printable(row.nominee), printable(row.award_type), printable(row.unit), str(row.eligible),
               str(row.cast), str(row.agree), str(row.disagree), str(row.abstain),
               gettext(PASSED if row.passed else NOT_PASSED))
              for number, row in enumerate(minutes.rows, start=1)],
        secrecy=gettext(SECRECY), secretary=gettext(SECRETARY), chair=gettext(CHAIR),
        secretary_name=printable(minutes.secretary), chair_name=printable(minutes.chair))


def _made_at(minutes: Minutes) -> dt.datetime:
    return dt.datetime.combine(minutes.held_on, dt.time(), dt.UTC)


def minutes_docx(minutes: Minutes, gettext: Gettext, city: str, language: str = "vi") -> bytes:
    texts = minutes_texts(minutes, gettext, city)
    doc = new_document(297, 210, top=15, right=15, bottom=15, left=20)
    letter_heading(doc, [(texts.organisation, {"size": 12}), (texts.body, {"bold": True, "size": 12}),
                         (texts.number, {})],
                   [(texts.country, {"bold": True, "size": 12}), (texts.motto, {"bold": True}),
                    (texts.place_date, {"italic": True})])
    doc.add_paragraph()
    write(doc.add_paragraph(), texts.title, bold=True, size=14)
    for line in (texts.when_where, texts.present, texts.absent):
        write(doc.add_paragraph(), line, align=LEFT)
    table = grid_table(doc, texts.columns, WIDTHS_MM, size=11)
    for row in texts.rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            write(cell.paragraphs[0], value, size=11)
    write(doc.add_paragraph(), texts.secrecy, italic=True, size=11, align=LEFT)
    signature = doc.add_table(rows=3, cols=2)
    write(signature.cell(0, 0).paragraphs[0], texts.secretary, bold=True)
    write(signature.cell(0, 1).paragraphs[0], texts.chair, bold=True)
    for column in (0, 1):  # room for the signature
        signature.cell(1, column).paragraphs[0].paragraph_format.space_after = Pt(60)
    write(signature.cell(2, 0).paragraphs[0], texts.secretary_name, bold=True)
    write(signature.cell(2, 1).paragraphs[0], texts.chair_name, bold=True)
    return saved(doc, texts.title, texts.organisation, language, _made_at(minutes))


def minutes_html(minutes: Minutes, gettext: Gettext, city: str, language: str = "vi") -> str:
    return TEMPLATES.get_template("council_minutes.html").render(
        texts=minutes_texts(minutes, gettext, city), language=language, created=_made_at(minutes).isoformat())


def minutes_pdf(minutes: Minutes, gettext: Gettext, city: str, language: str = "vi") -> bytes:
    return HTML(string=minutes_html(minutes, gettext, city, language)).write_pdf()
