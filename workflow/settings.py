"""The office's settings: campaigns (deadlines, status) and award types (documents, quotas, thresholds, the
procedure their new dossiers follow, their award form and issuer)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import select

from workflow.campaigns import INVITATION_FIELDS, create_campaign
from workflow.errors import NotFound, ValidationFailed
from workflow.i18n import N_, Msg
from workflow.models import AwardForm, AwardType, AwardTypeChange, Campaign, CampaignStatus, Issuer, User, db
from workflow.permissions import require
from workflow.procedure import catalogue
from workflow.rules import DOCUMENT_KINDS

CAMPAIGN_STATUSES = tuple(status.value for status in CampaignStatus)
EDITABLE_CAMPAIGN_FIELDS = ("name", "year", "submission_deadline", "ceremony_date", "ceremony_time",
                            "ceremony_place", "status", *INVITATION_FIELDS)
# The invitation letter's lines that cannot be left out: its symbol, the signer's title and the distribution list.
REQUIRED_INVITATION_FIELDS = ("invitation_symbol", "signer_title", "invitation_recipients")
EDITABLE_AWARD_TYPE_FIELDS = ("name", "rank", "forwarded", "required_documents", "quota_per_unit", "vote_quorum",
                              "vote_threshold", "legal_basis", "active", "procedure", "disclosure_days",
                              "vote_denominator", "award_form", "issuer")
FRACTION_FIELDS = ("vote_quorum", "vote_threshold")
# Settings naming a row of reference data by its code.
REFERENCE_FIELDS = {"award_form": AwardForm, "issuer": Issuer}
MAX_DISCLOSURE_DAYS = 60
# What a council session's quorum and threshold are fractions of (AwardType.vote_denominator).
VOTE_DENOMINATORS = ("membership", "present")


def _campaign_errors(data: dict) -> list[dict]:
    errors = []
    if not (data.get("name") or "").strip():
        errors.append({"field": "name", "message": Msg(N_("A name is required."))})
    year = data.get("year")
    if year is None or not 2000 <= year <= 2100:
        errors.append({"field": "year", "message": Msg(N_("The year must be between 2000 and 2100."))})
    errors += [{"field": field, "message": Msg(N_("The invitation letter needs this line."))}
               for field in REQUIRED_INVITATION_FIELDS if field in data and not (data[field] or "").strip()]
    if data.get("status") not in CAMPAIGN_STATUSES:
        errors.append({"field": "status", "message": Msg(N_("The status must be open or closed."))})
    deadline, ceremony = data.get("submission_deadline"), data.get("ceremony_date")
    if deadline and ceremony and ceremony < deadline:
        errors.append({"field": "ceremony_date", "message": Msg(
            N_("The ceremony cannot come before the submission deadline."))})
    return errors


def add_campaign(actor: User, data: dict) -> Campaign:
    require(actor, "manage_settings")
    errors = _campaign_errors(data)
    if not (data.get("code") or "").strip():
        errors.append({"field": "code", "message": Msg(N_("A code is required."))})
    if errors:
        raise ValidationFailed(details=errors)
    return create_campaign(actor, data)


def update_campaign(actor: User, campaign: Campaign, data: dict) -> Campaign:
    require(actor, "manage_settings")
    merged = {field: getattr(campaign, field) for field in EDITABLE_CAMPAIGN_FIELDS} | data
    errors = _campaign_errors(merged)
    if errors:
        raise ValidationFailed(details=errors)
    for field in EDITABLE_CAMPAIGN_FIELDS:
        if field in data:
            setattr(campaign, field, data[field])
    db.session.flush()
    return campaign


def get_award_type(code: str) -> AwardType:
    award_type = db.session.scalar(select(AwardType).where(AwardType.code == code))
    if award_type is None:
        raise NotFound(Msg(N_("No such award type.")))
    return award_type


def decimal_places(field: str) -> int:
    """How many decimals the award type's column keeps of `field`."""
    return AwardType.__table__.c[field].type.scale


def stored_fraction(value, places: int) -> tuple[Decimal | None, Msg | None]:
    """A council fraction as a NUMERIC column with `places` decimals keeps it, or why it cannot be one.

    The check is made on the rounded value, which is what the rules will read: one that rounds to 0 would
    let the chair approve with no vote at all. NaN and infinities are refused, and so is anything above 1.
    """
    out_of_range = Msg(N_("Give a fraction greater than 0 and at most 1."))
    try:
        number = Decimal(str(value)) if isinstance(value, int | float | Decimal | str) else None
    except InvalidOperation:
        number = None
    # Anything beyond 2 is refused before rounding, which could not represent a huge exponent.
    if number is None or not number.is_finite() or not -2 < number < 2:
        return None, out_of_range
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == 0 and number > 0:
        return None, Msg(N_("A fraction is kept to %(places)d decimal places, and %(value)s would be kept as 0: "
                            "give at least %(smallest)s."),
                         {"places": places, "value": str(number), "smallest": str(Decimal(1).scaleb(-places))})
    if not 0 < rounded <= 1:
        return None, out_of_range
    return rounded, None


def award_forms() -> list[AwardForm]:
    return list(db.session.scalars(select(AwardForm).order_by(AwardForm.sort_order, AwardForm.code)))


def issuers() -> list[Issuer]:
    return list(db.session.scalars(select(Issuer).order_by(Issuer.sort_order, Issuer.code)))


def _audit_value(field: str, value):
    if field in REFERENCE_FIELDS:
        return value.code
    if field in FRACTION_FIELDS and value is not None:
        return str(Decimal(value).quantize(Decimal(1).scaleb(-decimal_places(field))))
    return value


def update_award_type(actor: User, award_type: AwardType, data: dict) -> AwardType:
    """Change an award type's settings; each field that changes is recorded (who, when, before, after).

    A change of procedure (a loaded procedure's code) applies to the dossiers created afterwards, which take its
    newest version; those already created keep the procedure and version they were created under."""
    require(actor, "manage_settings")
    data = dict(data)
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
    for field in FRACTION_FIELDS:
        if field in data:
            data[field], problem = stored_fraction(data[field], decimal_places(field))
            if problem is not None:
                errors.append({"field": field, "message": problem})
    days = data.get("disclosure_days", 0)
    if days is None or not 0 <= days <= MAX_DISCLOSURE_DAYS:
        errors.append({"field": "disclosure_days", "message": Msg(
            N_("The public disclosure lasts from 0 (none) to %(limit)d working days."),
            {"limit": MAX_DISCLOSURE_DAYS})})
    if "vote_denominator" in data and data["vote_denominator"] not in VOTE_DENOMINATORS:
        errors.append({"field": "vote_denominator", "message": Msg(
            N_("The vote is counted over the whole membership (“membership”) or the members present (“present”)."))})
    if "rank" in data and (data["rank"] is None or data["rank"] < 0):
        errors.append({"field": "rank", "message": Msg(N_("The rank must be a whole number, 0 or more."))})
    if "procedure" in data and data["procedure"] not in catalogue().latest:
        errors.append({"field": "procedure", "message": Msg(
            N_("“%(procedure)s” is not a loaded procedure; use one of: %(codes)s."),
            {"procedure": str(data["procedure"]), "codes": ", ".join(sorted(catalogue().latest))})})
    for field, model in REFERENCE_FIELDS.items():
        if field in data:
            data[field] = db.session.scalar(select(model).where(model.code == str(data[field])))
            if data[field] is None:
                known = ", ".join(row.code for row in db.session.scalars(select(model).order_by(model.sort_order)))
                errors.append({"field": field, "message": Msg(N_("Unknown code; use one of: %(codes)s."),
                                                              {"codes": known})})
    if errors:
        raise ValidationFailed(details=errors)
    for field in EDITABLE_AWARD_TYPE_FIELDS:
        if field not in data:
            continue
        old = getattr(award_type, field)
        if old != data[field]:
            db.session.add(AwardTypeChange(award_type_id=award_type.id, actor=actor, field=field,
                                           old_value=_audit_value(field, old),
                                           new_value=_audit_value(field, data[field])))
            setattr(award_type, field, data[field])
            if field in REFERENCE_FIELDS:
                award_type.form_in_plan = False
    db.session.flush()
    return award_type


def award_type_changes(actor: User, award_type: AwardType) -> list[AwardTypeChange]:
    """The changes to the award type's settings, latest first."""
    require(actor, "manage_settings")
    return list(db.session.scalars(select(AwardTypeChange).where(AwardTypeChange.award_type_id == award_type.id)
                                   .order_by(AwardTypeChange.at.desc(), AwardTypeChange.id.desc())))
