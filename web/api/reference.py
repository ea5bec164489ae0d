"""Units, award types and campaigns."""
from sqlalchemy import select

from tasks.dispatch import commit
from web.api.blueprints import ApiBlueprint
from web.api.auth import BEARER_SECURITY, current_user, token_required
from web.api.schemas import AwardTypeOut, CampaignIn, CampaignOut, UnitOut
from workflow.campaigns import create_campaign
from workflow.models import AwardType, Campaign, Unit, db

blp = ApiBlueprint("reference", __name__, url_prefix="/api/v1", description="Units, award types, campaigns")


def campaign_json(campaign: Campaign) -> dict:
    return {field: getattr(campaign, field) for field in (
        "code", "name", "year", "submission_deadline", "ceremony_date", "ceremony_time", "ceremony_place", "status")}


@blp.route("/units", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, UnitOut(many=True))
def list_units():
    """Every unit, in the configured order."""
    units = db.session.scalars(select(Unit).order_by(Unit.sort_order, Unit.id))
    return [{"code": u.code, "name": u.name, "kind": u.kind, "parent": u.parent.code if u.parent else None}
            for u in units]


@blp.route("/award-types", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, AwardTypeOut(many=True))
def list_award_types():
    """Award types in rank order, with their rules."""
    types = db.session.scalars(select(AwardType).where(AwardType.active.is_(True)).order_by(AwardType.rank))
    return [{
        "code": t.code, "name": t.name, "subject": t.subject, "rank": t.rank, "forwarded": t.forwarded,
        "required_documents": list(t.required_documents), "quota_per_unit": t.quota_per_unit,
        "vote_quorum": float(t.vote_quorum), "vote_threshold": float(t.vote_threshold),
        "responsible_unit": t.responsible_unit.code, "legal_basis": t.legal_basis,
    } for t in types]


@blp.route("/campaigns", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, CampaignOut(many=True))
def list_campaigns():
    """Campaigns, newest first."""
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.year.desc(), Campaign.id.desc()))
    return [campaign_json(c) for c in campaigns]


@blp.route("/campaigns", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(CampaignIn)
@blp.response(201, CampaignOut)
def post_campaign(data):
    """Open a new campaign (office)."""
    campaign = create_campaign(current_user(), data)
    commit()
    return campaign_json(campaign)
