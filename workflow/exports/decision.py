"""An award decision (quyết định khen thưởng) as DOCX and PDF in the administrative layout: the decision ("QUYẾT ĐỊNH
… Về việc khen thưởng …", its grounds, articles, recipients and signature), then the list attached to it ("DANH SÁCH
… (Kèm theo Quyết định số …)"), grouped by award type as the honours list is."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from weasyprint import HTML

from workflow.exports.common import COUNTRY, MOTTO, PLACE_DATE, ROMAN, Gettext
from workflow.exports.pdf import TEMPLATES
from workflow.exports.word import (
    JUSTIFY, LEFT, attached_list, closing_block, letter_heading, new_document, saved, write,
)
from workflow.honours import DEFAULT_PLACE, given_name, sort_key
from workflow.i18n import N_, Msg, vndate
from workflow.models import Decision, Dossier
from workflow.text import printable

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


def award_groups(dossiers: list[Dossier]) -> list[tuple[str, list[tuple[str, ...]]]]:
    """The dossiers of a letter's attached list, as the honours list orders them: per award type (its heading
    numbered I, II, ...), the rows numbered within it (No., name, position and workplace, nominating unit)."""
    dossiers = sorted(dossiers, key=lambda d: (
        d.award_type.rank, d.award_type.id, d.unit.sort_order, d.unit.id,
        sort_key(given_name(d.nominee_name, d.nominee_kind)), sort_key(d.nominee_name), d.id))
    groups: dict[int, tuple[str, list]] = {}
    for dossier in dossiers:
        heading, rows = groups.setdefault(dossier.award_type_id, (dossier.award_type.name, []))
        position = ", ".join(part for part in (dossier.nominee_position, dossier.nominee_workplace) if part)
        rows.append((str(len(rows) + 1), printable(dossier.nominee_name), printable(position),
                     printable(dossier.unit.name)))
    return [(f"{ROMAN[index] if index < len(ROMAN) else index + 1}. {printable(heading)}", rows)
            for index, (heading, rows) in enumerate(groups.values())]


def decision_texts(decision: Decision, gettext: Gettext) -> DecisionTexts:
    dossiers = [item.dossier for item in decision.items]
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
        groups=award_groups(dossiers))


def _made_at(decision: Decision) -> dt.datetime:
    return dt.datetime.combine(decision.decided_on, dt.time(), dt.UTC)


def decision_docx(decision: Decision, gettext: Gettext, language: str = "vi") -> bytes:
    texts = decision_texts(decision, gettext)
    doc = new_document(210, 297, top=20, right=15, bottom=20, left=30)
    letter_heading(doc, [(texts.issuer, {"bold": True, "size": 12}), (texts.number, {})],
                   [(texts.country, {"bold": True, "size": 12}), (texts.motto, {"bold": True, "underline": True}),
                    (texts.place_date, {"italic": True})])
    if texts.unsigned:
        write(doc.add_paragraph(), texts.unsigned, bold=True, italic=True, align=LEFT)
    doc.add_paragraph()
    write(doc.add_paragraph(), texts.title, bold=True, size=14)
    write(doc.add_paragraph(), texts.subject, bold=True)
    write(doc.add_paragraph(), texts.authority, bold=True)
    for line in texts.grounds:
        write(doc.add_paragraph(), line, italic=True, align=JUSTIFY)
    write(doc.add_paragraph(), texts.decides, bold=True)
    for line in texts.articles:
        write(doc.add_paragraph(), line, align=JUSTIFY)
    doc.add_paragraph()
    closing_block(doc, texts.recipients, texts.recipient_lines, texts.signer_title, texts.signer_name)

    attached_list(doc, texts.list_title, texts.attached, texts.columns, WIDTHS_MM, texts.groups)
    return saved(doc, f"{texts.title} {texts.number}", texts.issuer, language, _made_at(decision))


def decision_html(decision: Decision, gettext: Gettext, language: str = "vi") -> str:
    return TEMPLATES.get_template("decision.html").render(
        texts=decision_texts(decision, gettext), language=language, created=_made_at(decision).isoformat())


def decision_pdf(decision: Decision, gettext: Gettext, language: str = "vi") -> bytes:
    return HTML(string=decision_html(decision, gettext, language)).write_pdf()
