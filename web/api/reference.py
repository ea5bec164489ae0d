"""Units, award types and campaigns."""
from sqlalchemy import select

from workflow.unit_of_work import commit
from web.api.blueprints import ApiBlueprint
from web.api.auth import BEARER_SECURITY, current_user, token_required
from web.api.schemas import (
    AwardTypeChangeOut, AwardTypeOut, AwardTypePatch, CampaignIn, CampaignOut, CodeNameOut, ProcedureOut, UnitOut,
)
from workflow import settings
from workflow.campaigns import INVITATION_FIELDS, create_campaign
from workflow.i18n import VIETNAM
from workflow.models import AwardType, Campaign, Unit, db
from workflow.procedure import catalogue

blp = ApiBlueprint("reference", __name__, url_prefix="/api/v1", description="Units, award types, campaigns")


def campaign_json(campaign: Campaign) -> dict:
    return {field: getattr(campaign, field) for field in (
        "code", "name", "year", "submission_deadline", "ceremony_date", "ceremony_time", "ceremony_place", "status",
        *INVITATION_FIELDS)}


@blp.route("/units", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, UnitOut(many=True))
def list_units():
    """Every unit, in the configured order."""
    units = db.session.scalars(select(Unit).order_by(Unit.sort_order, Unit.id))
    return [{"code": u.code, "name": u.name, "kind": u.kind, "parent": u.parent.code if u.parent else None}
            for u in units]


@blp.route("/procedures", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, ProcedureOut(many=True))
def list_procedures():
    """The procedures the app runs, each version, with the fields their dossiers hold (`details`)."""
    return [{"code": p.code, "version": p.version, "title": p.title,
             "fields_": [{"name": f.name, "type": f.type, "label": f.label, "required": f.required,
                          "recorded": f.recorded, "min": f.minimum, "max": f.maximum,
                          "choices": [{"code": code, "label": labels} for code, labels in f.choices]}
                         for f in p.fields]}
            for p in catalogue()]


def award_type_json(award_type: AwardType) -> dict:
    return {
        "code": award_type.code, "name": award_type.name, "subject": award_type.subject, "rank": award_type.rank,
        "forwarded": award_type.forwarded, "required_documents": list(award_type.required_documents),
        "quota_per_unit": award_type.quota_per_unit, "vote_quorum": float(award_type.vote_quorum),
        "vote_threshold": float(award_type.vote_threshold), "responsible_unit": award_type.responsible_unit.code,
        "legal_basis": award_type.legal_basis, "procedure": award_type.procedure,
        "disclosure_days": award_type.disclosure_days, "vote_denominator": award_type.vote_denominator,
        "award_form": award_type.award_form.code, "award_form_name": award_type.award_form.name,
        "issuer": award_type.issuer.code, "issuer_name": award_type.issuer.name,
        "form_in_plan": award_type.form_in_plan,
    }


@blp.route("/award-types", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, AwardTypeOut(many=True))
def list_award_types():
    """Award types in rank order, with their rules."""
    types = db.session.scalars(select(AwardType).where(AwardType.active.is_(True)).order_by(AwardType.rank))
    return [award_type_json(t) for t in types]


@blp.route("/award-forms", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, CodeNameOut(many=True))
def list_award_forms():
    """What can be given (Bằng khen, Giấy khen, Cờ thi đua, titles): an award type's `award_form`."""
    return [{"code": row.code, "name": row.name} for row in settings.award_forms()]


@blp.route("/issuers", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, CodeNameOut(many=True))
def list_issuers():
    """Who confers awards (the standing committee, higher authorities): an award type's and a decision's `issuer`."""
    return [{"code": row.code, "name": row.name} for row in settings.issuers()]


@blp.route("/award-types/<code>", methods=["PATCH"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(AwardTypePatch)
@blp.response(200, AwardTypeOut)
def patch_award_type(data, code):
    """Change an award type's settings (office); each change is recorded, see `changes`."""
    award_type = settings.update_award_type(current_user(), settings.get_award_type(code), data)
    commit()
    return award_type_json(award_type)


@blp.route("/award-types/<code>/changes", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, AwardTypeChangeOut(many=True))
def list_award_type_changes(code):
    """Who changed the award type's settings, when, and from what to what (office), latest first."""
    changes = settings.award_type_changes(current_user(), settings.get_award_type(code))
    return [{"at": c.at.astimezone(VIETNAM), "actor": c.actor.username, "field": c.field, "old": c.old_value,
             "new": c.new_value} for c in changes]


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
