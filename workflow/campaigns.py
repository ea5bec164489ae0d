"""Campaign management (the office's)."""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from workflow.errors import NotFound, ValidationFailed
from workflow.i18n import N_, Msg
from workflow.models import Campaign, User, db
from workflow.permissions import require

CODE_IN_USE = N_("This code is already in use.")
# What the invitation letter (workflow/invitations.py) takes from its campaign.
INVITATION_FIELDS = ("event_title", "invitation_number", "invitation_symbol", "signer_name", "signer_title",
                     "invitation_recipients")
CAMPAIGN_FIELDS = ("code", "name", "year", "submission_deadline", "ceremony_date", "ceremony_time",
                   "ceremony_place", "status", *INVITATION_FIELDS)


def campaign_by_code(code: str) -> Campaign:
    campaign = db.session.scalar(select(Campaign).where(Campaign.code == code))
    if campaign is None:
        raise NotFound(Msg(N_("No such campaign.")))
    return campaign


def create_campaign(actor: User, data: dict) -> Campaign:
    require(actor, "manage_settings")
    if db.session.scalar(select(Campaign.id).where(Campaign.code == data["code"])) is not None:
        raise ValidationFailed(details=[{"field": "code", "message": Msg(CODE_IN_USE)}])
    deadline, ceremony = data.get("submission_deadline"), data.get("ceremony_date")
    if deadline and ceremony and ceremony < deadline:
        raise ValidationFailed(details=[{"field": "ceremony_date", "message": Msg(
            N_("The ceremony cannot come before the submission deadline."))}])
    campaign = Campaign(**{field: data.get(field) for field in CAMPAIGN_FIELDS if data.get(field) is not None})
    try:
        with db.session.begin_nested():  # another office user may take the same code at the same moment
            db.session.add(campaign)
    except IntegrityError:
        raise ValidationFailed(details=[{"field": "code", "message": Msg(CODE_IN_USE)}]) from None
    return campaign
