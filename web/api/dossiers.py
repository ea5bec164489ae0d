"""Dossiers, their documents, workflow events, history and council votes."""
from __future__ import annotations


from workflow.unit_of_work import commit
from web.api.auth import BEARER_SECURITY, current_user, token_required
from web.api.blueprints import ApiBlueprint
from web.api.schemas import (
    DocumentOut, DocumentUpload, DossierIn, DossierOut, DossierPage, DossierPatch, DossierQuery, EventIn,
    HistoryOut, TallyOut, VoteIn, VoteOut,
)
from web.storage import document_store, send_document
from workflow import operations, queries
from workflow.documents import ACCEPTED_TYPES
from workflow.i18n import VIETNAM
from workflow.models import Document, Dossier, db
from workflow.parties import opinions
from workflow.permissions import may_see_personal_data

blp = ApiBlueprint("dossiers", __name__, url_prefix="/api/v1", description="Dossiers and their workflow")


def document_json(document: Document) -> dict:
    return {"id": document.id, "kind": document.kind, "filename": document.filename, "size": document.size,
            "sha256": document.sha256}


def dossier_json(dossier: Dossier) -> dict:
    personal = may_see_personal_data(current_user(), dossier)
    return {
        "id": dossier.id,
        "campaign": dossier.campaign.code,
        "award_type": dossier.award_type.code,
        "unit": dossier.unit.code,
        "nominee": {"id": dossier.nominee_id, "kind": dossier.nominee_kind, "name": dossier.nominee_name,
                    "position": dossier.nominee_position, "workplace": dossier.nominee_workplace,
                    "birth_year": dossier.nominee_birth_year if personal else None, "gender": dossier.nominee_gender,
                    "personal_data_masked": not personal},
        "achievements": dossier.achievements,
        "details": dossier.details,
        "state": dossier.state,
        "version": dossier.version,
        "procedure": dossier.procedure,
        "procedure_version": dossier.procedure_version,
        "documents": [document_json(d) for d in dossier.documents],
        "due_date": dossier.due_date,
        "decision": ({"number": dossier.decision_number, "date": dossier.decision_date}
                     if dossier.decision_number and dossier.decision_date else None),
        "revocation": _revocation_json(queries.revocation_of(dossier)),
        "opinions": [{"event": o.event, "party": o.party, "party_name": o.party_name, "given": o.given,
                      "actor": o.actor, "at": o.at.astimezone(VIETNAM) if o.at else None}
                     for o in opinions(dossier, operations.procedure_of(dossier).steps)],
        "created_at": dossier.created_at.astimezone(VIETNAM),
        "updated_at": dossier.updated_at.astimezone(VIETNAM),
    }


def _revocation_json(revocation) -> dict | None:
    if revocation is None:
        return None
    return {"number": revocation.decision_number, "date": revocation.decision_date, "reason": revocation.reason}


def committed_json(dossier: Dossier) -> dict:
    """Commit, and answer with the dossier as committed. It is serialised after the flush and before the
    commit, so what it reads (its documents) is read in the same transaction, not in a second one."""
    db.session.flush()
    body = dossier_json(dossier)
    commit()
    return body


def _dossier(dossier_id: int) -> Dossier:
    return operations.get_dossier(current_user(), dossier_id)


@blp.route("/dossiers", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(DossierQuery, location="query")
@blp.response(200, DossierPage)
def list_dossiers(query):
    """Dossiers the caller may see, newest change first, filtered and paginated."""
    page, per_page = query["page"], query["per_page"]
    items, total = queries.search_dossiers(current_user(), queries.DossierFilter(
        campaign=query.get("campaign"), state=query.get("state"), unit=query.get("unit"),
        award_type=query.get("award_type"), page=page, per_page=per_page))
    return {"items": [dossier_json(d) for d in items], "total": total, "page": page, "per_page": per_page}


@blp.route("/dossiers", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(DossierIn)
@blp.response(201, DossierOut)
def create_dossier(data):
    """Create a draft for the submitter's own unit, with the `details` its award type's procedure asks for."""
    dossier = operations.create_dossier(current_user(), data["campaign"], data["award_type"], data["nominee"],
                                        data["achievements"], data["details"], data["nominee_id"])
    return committed_json(dossier)


@blp.route("/dossiers/<int:dossier_id>", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, DossierOut)
def get_dossier(dossier_id):
    """One dossier."""
    return dossier_json(_dossier(dossier_id))


@blp.route("/dossiers/<int:dossier_id>", methods=["PATCH"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(DossierPatch)
@blp.response(200, DossierOut)
def patch_dossier(data, dossier_id):
    """Edit the nominee, achievements or `details` of a draft or returned dossier; `version` must be current."""
    dossier = operations.edit_dossier(current_user(), _dossier(dossier_id), data["version"],
                                      data.get("nominee"), data.get("achievements"), data.get("details"))
    return committed_json(dossier)


@blp.route("/dossiers/<int:dossier_id>/documents", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(DocumentUpload, location="multipart")
@blp.response(201, DocumentOut)
def upload_document(form, dossier_id):
    """Add a document (PDF, DOCX, XLSX, JPEG or PNG, judged by content)."""
    dossier = _dossier(dossier_id)
    store = document_store()
    upload = form["file"]
    document = operations.add_document(current_user(), dossier, form["kind"], upload.filename or "", upload.stream,
                                       store)
    commit()
    return document_json(document)


@blp.route("/dossiers/<int:dossier_id>/documents/<int:document_id>", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.file_response([file_type.content_type for file_type in ACCEPTED_TYPES])
def download_document(dossier_id, document_id):
    """The document's file, served as an attachment."""
    return send_document(operations.get_document(_dossier(dossier_id), document_id))


@blp.route("/dossiers/<int:dossier_id>/documents/<int:document_id>", methods=["DELETE"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(204)
def delete_document(dossier_id, document_id):
    """Remove a document from a draft or returned dossier."""
    operations.remove_document(current_user(), _dossier(dossier_id), document_id, document_store())
    commit()
    return None


@blp.route("/dossiers/<int:dossier_id>/events", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(EventIn)
@blp.response(200, DossierOut)
def post_event(data, dossier_id):
    """Fire a workflow event (submit, accept, return, ...) at the given version."""
    dossier = operations.fire_event(current_user(), _dossier(dossier_id), data["event"], data["version"],
                                    operations.EventInput(comment=data["comment"], due_date=data["due_date"],
                                                          decision_number=data["decision_number"],
                                                          decision_date=data["decision_date"], date=data["date"]))
    return committed_json(dossier)


@blp.route("/dossiers/<int:dossier_id>/history", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, HistoryOut(many=True))
def get_history(dossier_id):
    """Every change to the dossier, oldest first."""
    dossier = _dossier(dossier_id)
    rows = queries.history_of(dossier)
    return [{"event": r.event, "from_state": r.from_state, "to_state": r.to_state, "actor": r.actor_username,
             "comment": r.comment, "party": (r.details or {}).get("party"), "at": r.at.astimezone(VIETNAM),
             "procedure": dossier.procedure,
             "procedure_version": dossier.procedure_version} for r in rows]


@blp.route("/dossiers/<int:dossier_id>/votes", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(VoteIn)
@blp.response(201, VoteOut)
def post_vote(data, dossier_id):
    """Cast this council member's secret vote; it cannot be changed."""
    operations.cast_vote(current_user(), _dossier(dossier_id), operations.VOTE_CHOICES[data["vote"]])
    commit()
    return {"dossier": dossier_id, "voted": True}


@blp.route("/dossiers/<int:dossier_id>/tally", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, TallyOut)
def get_tally(dossier_id):
    """The vote count, never who voted how; a member of the council reads it once they have voted."""
    result = operations.get_tally(current_user(), _dossier(dossier_id))
    return {"members": result.members, "cast": result.cast, "agree": result.agree, "disagree": result.disagree,
            "abstain": result.abstain, "quorum_met": result.quorum_met, "threshold_met": result.threshold_met,
            "quorum_needed": result.quorum_needed, "agree_needed": result.agree_needed}
