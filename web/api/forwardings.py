"""Forwarding to a higher authority: the office sends approved dossiers with the union's letter, downloads the letter
with its list (DOCX), and records the authority's answer once."""
from __future__ import annotations

from flask_babel import gettext

from web.api.auth import BEARER_SECURITY, current_user, token_required
from web.api.blueprints import ApiBlueprint
from web.api.decisions import list_candidates_json
from web.api.honours import _attachment, _language
from web.api.schemas import (
    AwardDecisionCandidateOut, AwardDecisionCandidatesQuery, ForwardingAnswerIn, ForwardingIn, ForwardingOut,
)
from workflow import forwardings
from workflow.exports import FORMATS
from workflow.exports.forwarding import forwarding_docx
from workflow.i18n import VIETNAM
from workflow.models import Forwarding
from workflow.unit_of_work import commit

blp = ApiBlueprint("forwardings", __name__, url_prefix="/api/v1", description="Forwarding to a higher authority")


def letter_file(forwarding: Forwarding):
    """The letter with its attached list as a DOCX attachment, in the reader's language."""
    return _attachment(forwarding_docx(forwarding, gettext, language=_language()), FORMATS["docx"].content_type,
                       f"to-trinh-{forwarding.id}.docx")


def forwarding_json(forwarding: Forwarding) -> dict:
    return {
        "id": forwarding.id, "number": forwarding.number, "sent_on": forwarding.sent_on,
        "signer_name": forwarding.signer_name, "signer_title": forwarding.signer_title,
        "authority": forwarding.authority.code, "authority_name": forwarding.authority.name,
        "letter_docx": f"/api/v1/forwardings/{forwarding.id}/letter.docx",
        "answered_at": forwarding.answered_at.astimezone(VIETNAM) if forwarding.answered_at else None,
        "answer_text": forwarding.answer_text, "decision": forwarding.decision_id,
        "items": [{"dossier": item.dossier_id, "nominee_name": item.dossier.nominee_name,
                   "award_type": item.dossier.award_type.code, "unit": item.dossier.unit.code,
                   "state": item.dossier.state, "outcome": item.outcome.value if item.outcome else None}
                  for item in forwarding.items],
    }


def _forwarding(forwarding_id: int) -> Forwarding:
    return forwardings.get_forwarding(current_user(), forwarding_id)


@blp.route("/forwardings", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, ForwardingOut(many=True))
def list_forwardings():
    """Every forwarding, the latest first (office)."""
    return [forwarding_json(f) for f in forwardings.forwardings(current_user())]


@blp.route("/forwardings/candidates", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(AwardDecisionCandidatesQuery, location="query")
@blp.response(200, AwardDecisionCandidateOut(many=True))
def list_forwardable(query):
    """The dossiers a new forwarding may send: approved, of an award type a higher authority confers (office); of one
    award type and one unit if given."""
    return list_candidates_json(forwardings.forwardable_dossiers(current_user(), query["award_type"], query["unit"]))


@blp.route("/forwardings", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(ForwardingIn)
@blp.response(201, ForwardingOut)
def post_forwarding(data):
    """Forward the dossiers to the higher authority with the union's letter (office), all or nothing:
    `batch_refused` 422 names each dossier refused; a letter number already used is a `validation_error`."""
    forwarding = forwardings.forward_dossiers(current_user(), data, data["dossier_ids"])
    body = forwarding_json(forwarding)
    commit()
    return body


@blp.route("/forwardings/<int:forwarding_id>", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, ForwardingOut)
def get_forwarding(forwarding_id):
    """The forwarding, its dossiers and the answer once recorded (office)."""
    return forwarding_json(_forwarding(forwarding_id))


@blp.route("/forwardings/<int:forwarding_id>/letter.docx", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.file_response([FORMATS["docx"].content_type])
def get_letter(forwarding_id):
    """The union's letter (tờ trình) with the attached list of the dossiers forwarded."""
    return letter_file(_forwarding(forwarding_id))


@blp.route("/forwardings/<int:forwarding_id>/answer", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(ForwardingAnswerIn)
@blp.response(200, ForwardingOut)
def post_answer(data, forwarding_id):
    """Record the authority's answer, once (office): its decision confers `conferred_ids`, every other dossier still
    waiting is declined with `answer_text`; all or nothing (`batch_refused` 422, a reason per dossier)."""
    forwarding = forwardings.answer_forwarding(current_user(), _forwarding(forwarding_id), data,
                                               data["conferred_ids"])
    body = forwarding_json(forwarding)
    commit()
    return body
