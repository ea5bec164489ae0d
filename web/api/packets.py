"""Unit packets: the documents a unit uploads once per campaign, its submission of every draft at once, and the
office's acceptance of the whole packet."""
from __future__ import annotations

from web.api.auth import BEARER_SECURITY, current_user, token_required
from web.api.blueprints import ApiBlueprint
from web.api.dossiers import document_json
from web.api.schemas import DocumentOut, PacketDocumentUpload, PacketMoved, PacketOut
from web.storage import document_store, send_document
from workflow import packets
from workflow.documents import ACCEPTED_TYPES
from workflow.models import Dossier
from workflow.rules import from_packet
from workflow.unit_of_work import commit

blp = ApiBlueprint("packets", __name__, url_prefix="/api/v1", description="Unit packets")

PACKET = "/packets/<campaign>/<unit>"


def _packet(campaign: str, unit: str) -> packets.Packet:
    return packets.get_packet(current_user(), campaign, unit)


def moved_json(dossiers: list[Dossier]) -> list[dict]:
    return [{"dossier": d.id, "state": d.state, "version": d.version} for d in dossiers]


@blp.route(PACKET, methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, PacketOut)
def get_packet(campaign, unit):
    """The packet: its shared documents, and each dossier of the unit in the campaign the caller sees, with the
    required documents missing and those only the packet holds."""
    packet = _packet(campaign, unit)
    return {"campaign": packet.campaign.code, "unit": packet.unit.code,
            "documents": [document_json(d) for d in packets.packet_documents(packet)],
            "dossiers": [{"id": e.dossier.id, "award_type": e.dossier.award_type.code,
                          "nominee_name": e.dossier.nominee_name, "state": e.dossier.state,
                          "version": e.dossier.version, "missing_documents": e.missing,
                          "from_packet": from_packet(e.dossier)}
                         for e in packets.packet_entries(current_user(), packet)]}


@blp.route(f"{PACKET}/documents", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, DocumentOut(many=True))
def list_packet_documents(campaign, unit):
    """The packet's shared documents."""
    return [document_json(d) for d in packets.packet_documents(_packet(campaign, unit))]


@blp.route(f"{PACKET}/documents", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(PacketDocumentUpload, location="multipart")
@blp.response(201, DocumentOut)
def upload_packet_document(form, campaign, unit):
    """Add a shared document (to_trinh, bien_ban or danh_sach; PDF, DOCX, XLSX, JPEG or PNG, judged by content):
    it stands for that kind in every dossier of the unit in the campaign (a submitter of the unit)."""
    packet = _packet(campaign, unit)
    store = document_store()
    upload = form["file"]
    document = packets.add_packet_document(current_user(), packet, form["kind"], upload.filename or "", upload.stream,
                                           store)
    body = document_json(document)
    commit()
    return body


@blp.route(f"{PACKET}/documents/<int:document_id>", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.file_response([file_type.content_type for file_type in ACCEPTED_TYPES])
def download_packet_document(campaign, unit, document_id):
    """The shared document's file, served as an attachment."""
    return send_document(packets.get_packet_document(_packet(campaign, unit), document_id))


@blp.route(f"{PACKET}/documents/<int:document_id>", methods=["DELETE"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(204)
def delete_packet_document(campaign, unit, document_id):
    """Remove a shared document (a submitter of the unit) while the packet's dossiers are drafts or returned: once
    one is submitted, 409 `invalid_transition` names it. The dossiers' checklists no longer count the document."""
    packets.remove_packet_document(current_user(), _packet(campaign, unit), document_id, document_store())
    commit()
    return None


@blp.route(f"{PACKET}/submission", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, PacketMoved(many=True))
def submit_packet(campaign, unit):
    """Submit every draft of the packet, or none (a submitter of the unit): `batch_refused` 422 gives each dossier
    refused and the rule that refused it."""
    moved = packets.submit_packet(current_user(), _packet(campaign, unit))
    body = moved_json(moved)
    commit()
    return body


@blp.route(f"{PACKET}/acceptance", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, PacketMoved(many=True))
def accept_packet(campaign, unit):
    """Accept every submitted dossier of the packet, or none (the office): `batch_refused` 422 as for submission."""
    moved = packets.accept_packet(current_user(), _packet(campaign, unit))
    body = moved_json(moved)
    commit()
    return body
