"""Public disclosure: the office opens it for a set of dossiers and resolves the comments received."""
from __future__ import annotations

from web.api.auth import BEARER_SECURITY, current_user, token_required
from web.api.blueprints import ApiBlueprint
from web.api.schemas import DisclosureCommentOut, DisclosureIn, DisclosureOpened, ResolutionIn
from workflow import disclosure, operations
from workflow.i18n import VIETNAM
from workflow.models import DisclosureComment
from workflow.rules import latest_window
from workflow.unit_of_work import commit

blp = ApiBlueprint("disclosure", __name__, url_prefix="/api/v1", description="Public disclosure")


def comment_json(comment: DisclosureComment) -> dict:
    return {"id": comment.id, "dossier": comment.dossier_id, "body": comment.body, "contact": comment.contact,
            "created_at": comment.created_at.astimezone(VIETNAM), "resolution": comment.resolution,
            "resolved_by": comment.resolved_by.username if comment.resolved_by else None,
            "resolved_at": comment.resolved_at.astimezone(VIETNAM) if comment.resolved_at else None}


@blp.route("/disclosures", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(DisclosureIn)
@blp.response(201, DisclosureOpened(many=True))
def post_disclosures(data):
    """Open public disclosure for every dossier listed, or for none (office): `batch_refused` 422 gives each
    dossier refused and the rule that refused it."""
    opened = disclosure.open_disclosures(current_user(), data["dossier_ids"])
    body = [{"dossier": d.id, "state": d.state, "version": d.version, "ends_on": latest_window(d).ends_on}
            for d in opened]
    commit()
    return body


@blp.route("/dossiers/<int:dossier_id>/disclosure-comments", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, DisclosureCommentOut(many=True))
def list_disclosure_comments(dossier_id):
    """The public's comments on the dossier, oldest first, with their resolutions."""
    dossier = operations.get_dossier(current_user(), dossier_id)
    return [comment_json(c) for c in disclosure.comments_of(current_user(), dossier)]


@blp.route("/disclosure-comments/<int:comment_id>/resolution", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(ResolutionIn)
@blp.response(200, DisclosureCommentOut)
def post_resolution(data, comment_id):
    """Record how the office resolved a comment."""
    comment = disclosure.resolve_comment(current_user(), comment_id, data["resolution"])
    body = comment_json(comment)
    commit()
    return body
