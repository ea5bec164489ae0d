"""The union's letter forwarding dossiers to a higher authority (tờ trình đề nghị khen thưởng) as DOCX in the
administrative layout: the letter (its number, the authority addressed, what it asks, the signature), then the list
attached to it, grouped by award type as a decision's is."""
from __future__ import annotations

import datetime as dt

from workflow.exports.common import COUNTRY, MOTTO, PLACE_DATE, STANDING_COMMITTEE, Gettext
from workflow.exports.decision import COLUMNS, RECIPIENTS, WIDTHS_MM, award_groups
from workflow.exports.word import (
    JUSTIFY, attached_list, closing_block, letter_heading, new_document, saved, write,
)
from workflow.honours import DEFAULT_PLACE, organisation_name
from workflow.i18n import N_, Msg, vndate
from workflow.models import Forwarding
from workflow.text import printable

NUMBER = N_("No.: %(number)s")
TITLE = N_("PROPOSAL")
SUBJECT = N_("On proposing commendation for %(count)d collectives and individuals")
ADDRESSEE = N_("To: %(authority)s")
BODY = N_("The Standing Committee of %(organisation)s respectfully proposes that %(authority)s consider conferring "
          "%(awards)s on the %(count)d collectives and individuals named in the attached list, for their outstanding "
          "achievements.")
CLOSING = N_("The Standing Committee of %(organisation)s respectfully submits this for your consideration and "
             "decision.")
RECIPIENT_LINES = (N_("- As above;"), N_("- Filed: Office."))
LIST_TITLE = N_("LIST OF THE COLLECTIVES AND INDIVIDUALS PROPOSED FOR COMMENDATION")
ATTACHED = N_("(Attached to Proposal No. %(number)s of %(date)s of the Standing Committee of %(organisation)s)")


def forwarding_docx(forwarding: Forwarding, gettext: Gettext, language: str = "vi") -> bytes:
    dossiers = [item.dossier for item in forwarding.items]
    organisation = printable(organisation_name())
    authority = printable(forwarding.authority.name)
    awards = sorted({d.award_type.name for d in dossiers})
    day = forwarding.sent_on
    number = Msg(NUMBER, {"number": printable(forwarding.number)}).render(gettext)
    title = gettext(TITLE)
    doc = new_document(210, 297, top=20, right=15, bottom=20, left=30)
    letter_heading(doc, [(organisation.upper(), {"size": 12}),
                         (gettext(STANDING_COMMITTEE), {"bold": True, "size": 12}), (number, {})],
                   [(gettext(COUNTRY), {"bold": True, "size": 12}),
                    (gettext(MOTTO), {"bold": True, "underline": True}),
                    (Msg(PLACE_DATE, {"place": DEFAULT_PLACE, "day": f"{day.day:02d}", "month": f"{day.month:02d}",
                                      "year": str(day.year)}).render(gettext), {"italic": True})])
    doc.add_paragraph()
    write(doc.add_paragraph(), title, bold=True, size=14)
    write(doc.add_paragraph(), Msg(SUBJECT, {"count": len(dossiers)}).render(gettext), bold=True)
    doc.add_paragraph()
    write(doc.add_paragraph(), Msg(ADDRESSEE, {"authority": authority}).render(gettext), bold=True)
    doc.add_paragraph()
    for text in (BODY, CLOSING):
        write(doc.add_paragraph(), Msg(text, {"organisation": organisation, "authority": authority,
                                              "awards": printable(", ".join(awards)), "count": len(dossiers)})
              .render(gettext), align=JUSTIFY)
    doc.add_paragraph()
    closing_block(doc, gettext(RECIPIENTS), [gettext(line) for line in RECIPIENT_LINES],
                  [part.strip() for part in printable(forwarding.signer_title).split("–") if part.strip()],
                  printable(forwarding.signer_name))
    attached_list(doc, gettext(LIST_TITLE), Msg(ATTACHED, {
        "number": printable(forwarding.number), "date": vndate(day), "organisation": organisation}).render(gettext),
        tuple(gettext(column) for column in COLUMNS), WIDTHS_MM, award_groups(dossiers))
    return saved(doc, f"{title} {number}", organisation, language, dt.datetime.combine(day, dt.time(), dt.UTC))
