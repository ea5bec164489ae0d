"""Award decisions: the office drafts one from the dossiers waiting for a decision, downloads the draft (DOCX, PDF),
uploads the signed PDF and records it, which confers every dossier it lists."""
from __future__ import annotations

from flask_babel import gettext

from web.api.auth import BEARER_SECURITY, current_user, token_required
from web.api.blueprints import ApiBlueprint
from web.api.honours import _attachment, _language
from web.api.packets import moved_json
from web.api.schemas import (
    AwardDecisionCandidateOut, AwardDecisionCandidatesQuery, AwardDecisionIn, AwardDecisionOut, PacketMoved,
    SignedDecisionUpload,
)
from web.storage import document_store, send_stored
from workflow import decisions
from workflow.documents import PDF
from workflow.exports import FORMATS
from workflow.exports.decision import decision_docx, decision_pdf
from workflow.i18n import VIETNAM
from workflow.models import Decision, Dossier
from workflow.unit_of_work import commit

blp = ApiBlueprint("decisions", __name__, url_prefix="/api/v1", description="Award decisions")
DRAFT_FORMATS = {"docx": (decision_docx, FORMATS["docx"].content_type),
                 "pdf": (decision_pdf, FORMATS["pdf"].content_type)}


def decision_file(decision: Decision, format_: str):
    """The decision with its list as an attachment in `format_` (docx or pdf), in the reader's language."""
    make, content_type = DRAFT_FORMATS[format_]
    name = "du-thao-quyet-dinh" if decision.is_draft else "quyet-dinh"
    return _attachment(make(decision, gettext, language=_language()), content_type, f"{name}-{decision.id}.{format_}")


def signed_file(decision: Decision):
    return send_stored(decision.signed_storage_name, PDF.content_type, decision.signed_filename)


def decision_json(decision: Decision) -> dict:
    return {
        "id": decision.id, "number": decision.number, "decided_on": decision.decided_on,
        "signer_name": decision.signer_name, "signer_title": decision.signer_title, "issuer": decision.issuer.code,
        "issuer_name": decision.issuer.name, "status": decision.status.value,
        "signed_pdf": f"/api/v1/decisions/{decision.id}/signed.pdf" if decision.signed_storage_name else None,
        "recorded_at": decision.recorded_at.astimezone(VIETNAM) if decision.recorded_at else None,
        "items": [{"dossier": item.dossier_id, "nominee_name": item.dossier.nominee_name,
                   "award_type": item.dossier.award_type.code, "unit": item.dossier.unit.code,
                   "state": item.dossier.state} for item in decision.items],
    }


def list_candidates_json(dossiers: list[Dossier]) -> list[dict]:
    return [{"id": d.id, "nominee_name": d.nominee_name, "award_type": d.award_type.code, "unit": d.unit.code,
             "state": d.state, "issuer": d.award_type.issuer.code} for d in dossiers]


def _decision(decision_id: int) -> Decision:
    return decisions.get_decision(current_user(), decision_id)


@blp.route("/decisions", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, AwardDecisionOut(many=True))
def list_decisions():
    """Every decision, the latest first (office)."""
    return [decision_json(d) for d in decisions.decisions(current_user())]


@blp.route("/decisions/candidates", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(AwardDecisionCandidatesQuery, location="query")
@blp.response(200, AwardDecisionCandidateOut(many=True))
def list_candidates(query):
    """The dossiers a new decision may list: waiting for a decision and on no other draft (office); of one award type
    and one unit if given."""
    return list_candidates_json(decisions.waiting_dossiers(current_user(), query["award_type"], query["unit"]))


@blp.route("/decisions", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(AwardDecisionIn)
@blp.response(201, AwardDecisionOut)
def post_decision(data):
    """Draft a decision listing dossiers waiting for one (office), all or nothing: `batch_refused` 422 names each
    dossier refused; a number already used is a `validation_error` on `number`."""
    decision = decisions.draft_decision(current_user(), data, data["dossier_ids"])
    body = decision_json(decision)
    commit()
    return body


@blp.route("/decisions/<int:decision_id>", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, AwardDecisionOut)
def get_decision(decision_id):
    """The decision and the dossiers it lists (office)."""
    return decision_json(_decision(decision_id))


@blp.route("/decisions/<int:decision_id>", methods=["DELETE"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(204)
def delete_decision(decision_id):
    """Cancel a draft decision (office): its dossiers are offered for another; a recorded one is 409
    `invalid_transition`."""
    decisions.cancel_decision(current_user(), _decision(decision_id), document_store())
    commit()
    return None


@blp.route("/decisions/<int:decision_id>/draft.<any(docx, pdf):format_>", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.file_response([content_type for _, content_type in DRAFT_FORMATS.values()])
def get_draft(decision_id, format_):
    """The decision and its attached list, to print and sign (marked as a draft until recorded)."""
    return decision_file(_decision(decision_id), format_)


@blp.route("/decisions/<int:decision_id>/signed.pdf", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(SignedDecisionUpload, location="multipart")
@blp.response(200, AwardDecisionOut)
def upload_signed(form, decision_id):
    """Upload the signed decision, a PDF judged like any document (replaces one uploaded before; office)."""
    decision = _decision(decision_id)
    store = document_store()
    upload = form["file"]
    decisions.attach_signed_copy(current_user(), decision, upload.filename or "", upload.stream.read(
        store.max_bytes + 1), store)
    body = decision_json(decision)
    commit()
    return body


@blp.route("/decisions/<int:decision_id>/signed.pdf", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.file_response([PDF.content_type])
def download_signed(decision_id):
    """The signed decision, served as an attachment."""
    return signed_file(decisions.with_signed_copy(_decision(decision_id)))


@blp.route("/decisions/<int:decision_id>/record", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, PacketMoved(many=True))
def post_record(decision_id):
    """Record the signed decision (office): every dossier it lists is conferred with its number and date, or none is
    (`batch_refused` 422, a reason per dossier)."""
    moved = decisions.record_decision(current_user(), _decision(decision_id))
    body = moved_json(moved)
    commit()
    return body
