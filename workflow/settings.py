"""The office's settings: campaigns (deadlines, status) and award types (documents, quotas, thresholds)."""
from __future__ import annotations

from decimal import Decimal

from workflow.campaigns import create_campaign
from workflow.errors import Forbidden, ValidationFailed
from workflow.i18n import N_, Msg
from workflow.models import AwardType, Campaign, User, db
from workflow.rules import DOCUMENT_KINDS

CAMPAIGN_STATUSES = ("open", "closed")
EDITABLE_CAMPAIGN_FIELDS = ("name", "year", "submission_deadline", "ceremony_date", "ceremony_time",
                            "ceremony_place", "status")
EDITABLE_AWARD_TYPE_FIELDS = ("name", "rank", "forwarded", "required_documents", "quota_per_unit", "vote_quorum",
                              "vote_threshold", "legal_basis", "active")


def _require_office(actor: User) -> None:
    if actor.role != "office":
        raise Forbidden(Msg(N_("Only the office manages campaigns and award types.")))


def _campaign_errors(data: dict) -> list[dict]:
    errors = []
    if not (data.get("name") or "").strip():
        errors.append({"field": "name", "message": Msg(N_("A name is required."))})
    year = data.get("year")
    if year is None or not 2000 <= year <= 2100:
        errors.append({"field": "year", "message": Msg(N_("The year must be between 2000 and 2100."))})
    if data.get("status") not in CAMPAIGN_STATUSES:
        errors.append({"field": "status", "message": Msg(N_("The status must be open or closed."))})
    deadline, ceremony = data.get("submission_deadline"), data.get("ceremony_date")
    if deadline and ceremony and ceremony < deadline:
        errors.append({"field": "ceremony_date", "message": Msg(
            N_("The ceremony cannot come before the submission deadline."))})
    return errors


def add_campaign(actor: User, data: dict) -> Campaign:
    _require_office(actor)
    errors = _campaign_errors(data)
    if not (data.get("code") or "").strip():
        errors.append({"field": "code", "message": Msg(N_("A code is required."))})
    if errors:
        raise ValidationFailed(details=errors)
    return create_campaign(actor, data)


def update_campaign(actor: User, campaign: Campaign, data: dict) -> Campaign:
    _require_office(actor)
    merged = {field: getattr(campaign, field) for field in EDITABLE_CAMPAIGN_FIELDS} | data
    errors = _campaign_errors(merged)
    if errors:
        raise ValidationFailed(details=errors)
    for field in EDITABLE_CAMPAIGN_FIELDS:
        if field in data:
            setattr(campaign, field, data[field])
    db.session.flush()
    return campaign


def update_award_type(actor: User, award_type: AwardType, data: dict) -> AwardType:
    _require_office(actor)
    errors = []
    if "name" in data and not (data["name"] or "").strip():
        errors.append({"field": "name", "message": Msg(N_("A name is required."))})
    unknown = [kind for kind in data.get("required_documents", []) if kind not in DOCUMENT_KINDS]
    if unknown:
        errors.append({"field": "required_documents", "message": Msg(
            N_("Unknown document kind; use one of: %(kinds)s."), {"kinds": ", ".join(DOCUMENT_KINDS)})})
    quota = data.get("quota_per_unit")
    if quota is not None and quota < 1:
        errors.append({"field": "quota_per_unit", "message": Msg(
            N_("A quota must be at least 1; leave it empty for no quota."))})
    for field in ("vote_quorum", "vote_threshold"):
        if field in data and not (data[field] is not None and Decimal(0) < Decimal(str(data[field])) <= Decimal(1)):
            errors.append({"field": field, "message": Msg(N_("Give a fraction greater than 0 and at most 1."))})
    if "rank" in data and (data["rank"] is None or data["rank"] < 0):
        errors.append({"field": "rank", "message": Msg(N_("The rank must be a whole number, 0 or more."))})
    if errors:
        raise ValidationFailed(details=errors)
    for field in EDITABLE_AWARD_TYPE_FIELDS:
        if field in data:
            setattr(award_type, field, data[field])
    db.session.flush()
    return award_type
