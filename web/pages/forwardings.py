"""Forwarding to a higher authority: the office ticks approved dossiers (filtered by award type and unit) and sends
them with the union's letter, downloads the letter with its list, and records the authority's answer once."""
from __future__ import annotations

from flask import Blueprint, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from web.api.forwardings import letter_file
from web.pages import gate
from web.pages.decisions import filter_choices
from web.pages.forms import ForwardingAnswerForm, ForwardingForm
from web.pages.views import form_view, ticked_ids
from workflow import forwardings
from workflow.settings import issuers

bp = Blueprint("forwarding_pages", __name__)
gate(bp, "forward_dossiers")


@bp.route("/forwardings", methods=["GET", "POST"])
@login_required
def index():
    """The forwardings, latest first, and the form sending the dossiers ticked with the union's letter."""
    form = ForwardingForm()
    form.authority.choices = [(row.code, row.name) for row in issuers()]
    award_type, unit = request.args.get("award_type") or None, request.args.get("unit") or None
    data = {"number": form.number.data, "sent_on": form.sent_on.data, "signer_name": form.signer_name.data,
            "signer_title": form.signer_title.data, "authority": form.authority.data}
    return form_view(
        form, lambda: forwardings.forward_dossiers(current_user, data, ticked_ids()),
        _("The dossiers are forwarded: download the letter with its list, sign it and send it."),
        lambda forwarding: url_for("forwarding_pages.view", forwarding_id=forwarding.id), "pages/forwardings.html",
        forwardings=forwardings.forwardings(current_user), **filter_choices(award_type, unit),
        candidates=forwardings.forwardable_dossiers(current_user, award_type, unit))


@bp.route("/forwardings/<int:forwarding_id>", methods=["GET", "POST"])
@login_required
def view(forwarding_id: int):
    """The forwarding, its dossiers and, until it is recorded, the form recording the authority's answer: a box
    ticked per dossier its decision confers."""
    forwarding = forwardings.get_forwarding(current_user, forwarding_id)
    form = ForwardingAnswerForm()
    data = {"decision_number": form.decision_number.data, "decided_on": form.decided_on.data,
            "signer_name": form.signer_name.data, "signer_title": form.signer_title.data,
            "answer_text": form.answer_text.data}
    return form_view(
        form, lambda: forwardings.answer_forwarding(current_user, forwarding, data, ticked_ids("granted")),
        _("The answer is recorded: the dossiers its decision names are conferred, the others declined."),
        url_for("forwarding_pages.view", forwarding_id=forwarding_id), "pages/forwarding.html",
        forwarding=forwarding, waiting=forwardings.awaiting_items(forwarding))


@bp.route("/forwardings/<int:forwarding_id>/letter.docx")
@login_required
def letter(forwarding_id: int):
    return letter_file(forwardings.get_forwarding(current_user, forwarding_id))
