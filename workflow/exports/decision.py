"""An award decision (quyết định khen thưởng) as DOCX and PDF in the administrative layout: the decision ("QUYẾT ĐỊNH
… Về việc khen thưởng …", its grounds, articles, recipients and signature), then the list attached to it ("DANH SÁCH
… (Kèm theo Quyết định số …)"), grouped by award type as the honours list is."""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Mm, Pt
from weasyprint import HTML

from workflow.exports.common import COUNTRY, MOTTO, PLACE_DATE, ROMAN, Gettext, fixed_zip
from workflow.exports.pdf import TEMPLATES
from workflow.honours import DEFAULT_PLACE, given_name, sort_key
from workflow.i18n import N_, Msg, vndate
from workflow.models import Decision
from workflow.text import printable

FONT_NAME = "Times New Roman"
NUMBER = N_("No.: %(number)s")
UNSIGNED = N_("DRAFT")
TITLE = N_("DECISION")
SUBJECT = N_("On commendation in the campaign “%(campaign)s”")
GROUND = N_("Pursuant to %(basis)s;")
PROPOSAL = N_("At the proposal of the Emulation and Commendation Council,")
DECIDES = N_("DECIDES:")
ARTICLE_1 = N_("Article 1. To confer %(forms)s on the %(count)d collectives and individuals named in the attached "
               "list, for their outstanding achievements.")
ARTICLE_2 = N_("Article 2. This decision takes effect from the date of signing.")
ARTICLE_3 = N_("Article 3. The Office, the units concerned and the collectives and individuals named in Article 1 "
               "are responsible for implementing this decision.")
RECIPIENTS = N_("Recipients:")
RECIPIENT_LINES = (N_("- As in Article 3;"), N_("- Filed: Office."))
LIST_TITLE = N_("LIST OF THE COLLECTIVES AND INDIVIDUALS COMMENDED")
ATTACHED = N_("(Attached to Decision No. %(number)s of %(date)s of %(issuer)s)")
COLUMNS = (N_("No."), N_("Full name / collective"), N_("Position, workplace"), N_("Nominating unit"))
WIDTHS_MM = (12, 60, 60, 43)


@dataclass(frozen=True)
class DecisionTexts:
    issuer: str
    number: str
    country: str
    motto: str
    place_date: str
    unsigned: str | None
    title: str
    subject: str
    authority: str
    grounds: list[str]
    decides: str
    articles: list[str]
    recipients: str
    recipient_lines: list[str]
    signer_title: list[str]
    signer_name: str
    list_title: str
    attached: str
    columns: tuple[str, ...]
    # (heading, rows of cells) per award type
    groups: list[tuple[str, list[tuple[str, ...]]]]


def decision_texts(decision: Decision, gettext: Gettext) -> DecisionTexts:
    dossiers = [item.dossier for item in decision.items]
    dossiers.sort(key=lambda d: (d.award_type.rank, d.award_type.id, d.unit.sort_order, d.unit.id,
                                 sort_key(given_name(d.nominee_name, d.nominee_kind)), sort_key(d.nominee_name), d.id))
    groups: dict[int, tuple[str, list]] = {}
    for dossier in dossiers:
        heading, rows = groups.setdefault(dossier.award_type_id, (dossier.award_type.name, []))
        position = ", ".join(part for part in (dossier.nominee_position, dossier.nominee_workplace) if part)
        rows.append((str(len(rows) + 1), printable(dossier.nominee_name), printable(position),
                     printable(dossier.unit.name)))
    campaigns = sorted({d.campaign.name for d in dossiers})
    forms = sorted({d.award_type.award_form.name for d in dossiers}, key=sort_key)
    bases = sorted({d.award_type.legal_basis.strip() for d in dossiers if d.award_type.legal_basis.strip()})
    day = decision.decided_on
    issuer = printable(decision.issuer.name)
    return DecisionTexts(
        issuer=issuer.upper(), number=Msg(NUMBER, {"number": printable(decision.number)}).render(gettext),
        country=gettext(COUNTRY), motto=gettext(MOTTO),
        place_date=Msg(PLACE_DATE, {"place": DEFAULT_PLACE, "day": f"{day.day:02d}", "month": f"{day.month:02d}",
                                    "year": str(day.year)}).render(gettext),
        unsigned=gettext(UNSIGNED) if decision.is_draft else None, title=gettext(TITLE),
        subject=Msg(SUBJECT, {"campaign": printable(", ".join(campaigns))}).render(gettext), authority=issuer.upper(),
        grounds=[Msg(GROUND, {"basis": printable(basis)}).render(gettext) for basis in bases] + [gettext(PROPOSAL)],
        decides=gettext(DECIDES),
        articles=[Msg(ARTICLE_1, {"forms": printable(", ".join(forms)), "count": len(dossiers)}).render(gettext),
                  gettext(ARTICLE_2), gettext(ARTICLE_3)],
        recipients=gettext(RECIPIENTS), recipient_lines=[gettext(line) for line in RECIPIENT_LINES],
        signer_title=[part.strip() for part in printable(decision.signer_title).split("–") if part.strip()],
        signer_name=printable(decision.signer_name), list_title=gettext(LIST_TITLE),
        attached=Msg(ATTACHED, {"number": printable(decision.number), "date": vndate(day),
                                "issuer": issuer}).render(gettext),
        columns=tuple(gettext(column) for column in COLUMNS),
        groups=[(f"{ROMAN[index] if index < len(ROMAN) else index + 1}. {printable(heading)}", rows)
                for index, (heading, rows) in enumerate(groups.values())])


def _made_at(decision: Decision) -> dt.datetime:
    return dt.datetime.combine(decision.decided_on, dt.time(), dt.UTC)


def _write(paragraph, text: str, bold: bool = False, italic: bool = False, size: int = 13,
           align=WD_ALIGN_PARAGRAPH.CENTER, underline: bool = False):
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline, run.font.size, run.font.name = bold, italic, underline, Pt(size), FONT_NAME
    return paragraph


def decision_docx(decision: Decision, gettext: Gettext, language: str = "vi") -> bytes:
    texts = decision_texts(decision, gettext)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    heading = doc.add_table(rows=3, cols=2)
    _write(heading.cell(0, 0).paragraphs[0], texts.issuer, bold=True, size=12)
    _write(heading.cell(1, 0).paragraphs[0], texts.number, size=13)
    _write(heading.cell(0, 1).paragraphs[0], texts.country, bold=True, size=12)
    _write(heading.cell(1, 1).paragraphs[0], texts.motto, bold=True, underline=True)
    _write(heading.cell(2, 1).paragraphs[0], texts.place_date, italic=True)
    if texts.unsigned:
        _write(doc.add_paragraph(), texts.unsigned, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    doc.add_paragraph()
    _write(doc.add_paragraph(), texts.title, bold=True, size=14)
    _write(doc.add_paragraph(), texts.subject, bold=True)
    _write(doc.add_paragraph(), texts.authority, bold=True)
    for line in texts.grounds:
        _write(doc.add_paragraph(), line, italic=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _write(doc.add_paragraph(), texts.decides, bold=True)
    for line in texts.articles:
        _write(doc.add_paragraph(), line, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    doc.add_paragraph()
    closing = doc.add_table(rows=1, cols=2)
    recipients = closing.cell(0, 0).paragraphs[0]
    _write(recipients, texts.recipients, bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in texts.recipient_lines:
        _write(closing.cell(0, 0).add_paragraph(), line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    signature = closing.cell(0, 1)
    _write(signature.paragraphs[0], texts.signer_title[0] if texts.signer_title else "", bold=True)
    for line in texts.signer_title[1:]:
        _write(signature.add_paragraph(), line, bold=True)
    for _ in range(3):
        signature.add_paragraph()
    _write(signature.add_paragraph(), texts.signer_name, bold=True)

    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _write(doc.add_paragraph(), texts.list_title, bold=True, size=14)
    _write(doc.add_paragraph(), texts.attached, italic=True)
    doc.add_paragraph()
    table = doc.add_table(rows=1, cols=len(texts.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, label, width in zip(table.rows[0].cells, texts.columns, WIDTHS_MM, strict=True):
        cell.width = Mm(width)
        _write(cell.paragraphs[0], label, bold=True, size=12)
    for heading_text, rows in texts.groups:
        cells = table.add_row().cells
        _write(cells[0].merge(cells[-1]).paragraphs[0], heading_text, bold=True, size=12,
               align=WD_ALIGN_PARAGRAPH.LEFT)
        for row in rows:
            for column, (cell, value) in enumerate(zip(table.add_row().cells, row, strict=True)):
                _write(cell.paragraphs[0], value, size=12,
                       align=WD_ALIGN_PARAGRAPH.CENTER if column == 0 else WD_ALIGN_PARAGRAPH.LEFT)
    when = _made_at(decision)
    properties = doc.core_properties
    properties.title, properties.language = f"{texts.title} {texts.number}", language
    properties.author = properties.last_modified_by = texts.issuer
    properties.created = properties.modified = properties.last_printed = when.replace(tzinfo=None)
    properties.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    return fixed_zip(buffer.getvalue(), when)


def decision_html(decision: Decision, gettext: Gettext, language: str = "vi") -> str:
    return TEMPLATES.get_template("decision.html").render(
        texts=decision_texts(decision, gettext), language=language, created=_made_at(decision).isoformat())


def decision_pdf(decision: Decision, gettext: Gettext, language: str = "vi") -> bytes:
    return HTML(string=decision_html(decision, gettext, language)).write_pdf()
