"""Invitations (giấy mời) to the ceremony: one per awardee, sent to the submitters of its unit.

Idempotent: each (dossier, submitter) pair has one notice, keyed so; sending again adds only what is
missing (a dossier conferred late, a submitter added since).
"""
from __future__ import annotations

from sqlalchemy import select

from workflow.campaigns import INVITATION_FIELDS
from workflow.models import Campaign, Dossier, Notice, db
from workflow.notices import existing_keys, new_notice, unit_submitters
from workflow.procedure_use import in_states


def invitation_params(dossier: Dossier) -> dict:
    campaign = dossier.campaign
    return {
        "nominee": dossier.nominee_name,
        "nominee_kind": dossier.nominee_kind,
        "nominee_position": dossier.nominee_position,
        "award_type": dossier.award_type.name,
        "campaign": campaign.name,
        "unit": dossier.unit.name,
        "decision_number": dossier.decision_number,
        "decision_date": dossier.decision_date.isoformat() if dossier.decision_date else None,
        "ceremony_date": campaign.ceremony_date.isoformat() if campaign.ceremony_date else None,
        "ceremony_time": campaign.ceremony_time,
        "ceremony_place": campaign.ceremony_place,
        **{field: getattr(campaign, field) for field in INVITATION_FIELDS},
    }


def send_invitations(campaign: Campaign) -> list[Notice]:
    dossiers = list(db.session.scalars(select(Dossier).where(
        Dossier.campaign_id == campaign.id, in_states("honoured_states")).order_by(Dossier.id)))
    wanted = {f"invitation:{dossier.id}:{user.id}": (dossier, user)
              for dossier in dossiers for user in unit_submitters(dossier.unit_id)}
    done = existing_keys(list(wanted))
    rows = [new_notice(user, "invitation", invitation_params(dossier), dossier.id, key=key)
            for key, (dossier, user) in wanted.items() if key not in done]
    db.session.flush()
    return rows
