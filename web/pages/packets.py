"""Unit packets: a unit's shared documents for a campaign, its submission of every draft at once, and the office's
view of the packet as a whole, accepted whole or returned dossier by dossier."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from web.pages.forms import ActionForm, UploadForm
from web.pages.views import form_view, show_refusal
from web.storage import document_store, send_document
from workflow import operations, packets
from workflow.errors import Forbidden, NotFound, WorkflowError
from workflow.permissions import holds
from workflow.rules import DOCUMENT_KINDS, PACKET_KINDS
from workflow.unit_of_work import commit

bp = Blueprint("packet_pages", __name__, url_prefix="/packets")


def _upload_form() -> UploadForm:
    form = UploadForm()
    form.kind.choices = [(kind, _(DOCUMENT_KINDS[kind])) for kind in PACKET_KINDS]
    return form


def _page(packet: packets.Packet) -> str:
    return url_for("packet_pages.view", campaign=packet.campaign.code, unit=packet.unit.code)


def _context(packet: packets.Packet) -> dict:
    entries = packets.packet_entries(current_user, packet)
    changes = holds(current_user, "nominate")
    closed = packets.closed_to_documents(current_user, packet) if changes else []
    returns = {}
    for entry in entries:
        procedure = operations.procedure_of(entry.dossier)
        step = packets.return_step(procedure, current_user) if entry.waiting else None
        if step is not None:
            returns[entry.dossier.id] = (procedure, step)
    return {"packet": packet, "entries": entries, "documents": packets.packet_documents(packet),
            "upload_form": _upload_form() if changes and not closed else None, "closed_to_documents": closed,
            "changes": changes, "may_remove": changes and packets.documents_removable(packet),
            "may_submit": changes and any(packets.submission_of(e.dossier) is not None for e in entries),
            "may_accept": holds(current_user, "see_packets") and any(e.waiting for e in entries),
            "returns": returns, "action_form": ActionForm()}


@bp.route("")
@login_required
def index():
    """The packets the person sees: each unit × campaign with its count of dossiers and of those waiting."""
    return render_template("pages/packets.html", summaries=packets.packet_summaries(current_user))


@bp.route("/<campaign>/<unit>")
@login_required
def view(campaign: str, unit: str):
    return render_template("pages/packet.html", **_context(packets.get_packet(current_user, campaign, unit)))


@bp.route("/<campaign>/<unit>/documents", methods=["POST"])
@login_required
def upload(campaign: str, unit: str):
    packet = packets.get_packet(current_user, campaign, unit)
    form = _upload_form()
    if not form.validate_on_submit():
        flash(_("Choose the kind of document and a file."), "error")
        return redirect(_page(packet))
    store = document_store()
    try:
        packets.add_packet_document(current_user, packet, form.kind.data, form.file.data.filename or "",
                                    form.file.data.stream, store)
        commit()
        flash(_("The document is added."), "success")
    except WorkflowError as error:
        show_refusal(error)
    return redirect(_page(packet) + "#documents")


@bp.route("/<campaign>/<unit>/documents/<int:document_id>")
@login_required
def download(campaign: str, unit: str, document_id: int):
    return send_document(packets.get_packet_document(packets.get_packet(current_user, campaign, unit), document_id))


@bp.route("/<campaign>/<unit>/documents/<int:document_id>/delete", methods=["POST"])
@login_required
def remove(campaign: str, unit: str, document_id: int):
    packet = packets.get_packet(current_user, campaign, unit)
    try:
        packets.remove_packet_document(current_user, packet, document_id, document_store())
        commit()
        flash(_("The document is removed."), "success")
    except (NotFound, Forbidden):
        raise
    except WorkflowError as error:
        show_refusal(error)
    return redirect(_page(packet) + "#documents")


@bp.route("/<campaign>/<unit>/submission", methods=["POST"])
@login_required
def submit(campaign: str, unit: str):
    """Every draft of the packet is submitted, or none: each refusal is shown with its dossier."""
    packet = packets.get_packet(current_user, campaign, unit)
    return form_view(ActionForm(), lambda: packets.submit_packet(current_user, packet),
                     _("Every draft of the packet is submitted."), _page(packet), "pages/packet.html",
                     **_context(packet))


@bp.route("/<campaign>/<unit>/acceptance", methods=["POST"])
@login_required
def accept(campaign: str, unit: str):
    """Every submitted dossier of the packet is accepted, or none."""
    packet = packets.get_packet(current_user, campaign, unit)
    return form_view(ActionForm(), lambda: packets.accept_packet(current_user, packet),
                     _("Every submitted dossier of the packet is accepted."), _page(packet), "pages/packet.html",
                     **_context(packet))
