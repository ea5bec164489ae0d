"""The invitation letter (giấy mời) as a PDF, in the administrative layout, always in Vietnamese."""
from __future__ import annotations

import re
import unicodedata

from flask import render_template
from weasyprint import HTML

from workflow.honours import organisation_name
from workflow.i18n import today, vndate
from workflow.models import INVITATION_RECIPIENTS, INVITATION_SYMBOL, SIGNER_TITLE

# What a campaign's letter says unless the office changed it, for invitations queued before campaigns said so.
LETTER_DEFAULTS = {"invitation_symbol": INVITATION_SYMBOL, "signer_title": SIGNER_TITLE,
                   "invitation_recipients": INVITATION_RECIPIENTS}


def invitation_html(params: dict) -> str:
    """The letter as the HTML the PDF is printed from (in an app context)."""
    return render_template("letters/invitation.html", params=LETTER_DEFAULTS | params,
                           ceremony_date=vndate(params.get("ceremony_date")), issued=today(),
                           organisation=organisation_name().upper())


def invitation_pdf(params: dict) -> bytes:
    return HTML(string=invitation_html(params)).write_pdf()


def invitation_filename(params: dict) -> str:
    ascii_name = unicodedata.normalize("NFKD", params["nominee"].replace("Đ", "D").replace("đ", "d"))
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name.encode("ascii", "ignore").decode()).strip("-").lower()
    return f"giay-moi-{slug or 'khen-thuong'}.pdf"
