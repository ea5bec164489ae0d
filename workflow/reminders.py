"""The three daily reminders of DOMAIN.md, counted in working days.

Each is one notice per person per kind per day (its idempotency key says so, and the key is unique
in the database), so running the daily job twice, or on two workers, tells nobody twice.
"""
from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import select

from workflow.models import Campaign, CampaignStatus, Dossier, Notice, User, VoteRecord, db
from workflow.notices import existing_keys, new_notice, unit_submitters
from workflow.procedure_use import in_states
from workflow.rules import council_members
from workflow.workdays import is_working_day, working_days_until


def _setting(name: str) -> int:
    return int(current_app.config[name])


def _item(dossier: Dossier, **extra) -> dict:
    return {"dossier_id": dossier.id, "nominee": dossier.nominee_name, "award_type": dossier.award_type.name,
            "campaign": dossier.campaign.name, **extra}


def _deadline_reminders(day: dt.date) -> dict[tuple[str, int], list[dict]]:
    """Units with drafts in a campaign whose deadline is at most REMINDER_DEADLINE_WORKING_DAYS away."""
    wanted: dict[tuple[str, int], list[dict]] = {}
    campaigns = db.session.scalars(select(Campaign).where(
        Campaign.status == CampaignStatus.OPEN, Campaign.submission_deadline.is_not(None),
        Campaign.submission_deadline >= day))
    for campaign in campaigns:
        left = working_days_until(day, campaign.submission_deadline)
        if left > _setting("REMINDER_DEADLINE_WORKING_DAYS"):
            continue
        drafts = db.session.scalars(select(Dossier).where(Dossier.campaign_id == campaign.id,
                                                          in_states("initial_states"))
                                    .order_by(Dossier.id))
        for dossier in drafts:
            for user in unit_submitters(dossier.unit_id):
                wanted.setdefault(("remind_deadline", user.id), []).append(
                    _item(dossier, deadline=campaign.submission_deadline.isoformat(), working_days=left))
    return wanted


def _return_reminders(day: dt.date) -> dict[tuple[str, int], list[dict]]:
    """Returned dossiers (waiting for their unit by a due date) due in at most REMINDER_RETURN_WORKING_DAYS
    working days, or overdue."""
    wanted: dict[tuple[str, int], list[dict]] = {}
    returned = db.session.scalars(select(Dossier).where(in_states("due_states"), Dossier.due_date.is_not(None))
                                  .order_by(Dossier.id))
    for dossier in returned:
        left = working_days_until(day, dossier.due_date)
        if left > _setting("REMINDER_RETURN_WORKING_DAYS"):
            continue
        for user in unit_submitters(dossier.unit_id):
            wanted.setdefault(("remind_return", user.id), []).append(
                _item(dossier, due_date=dossier.due_date.isoformat(), working_days=left))
    return wanted


def _vote_reminders() -> dict[tuple[str, int], list[dict]]:
    """Council members who have not voted on a dossier open for voting."""
    wanted: dict[tuple[str, int], list[dict]] = {}
    for dossier in db.session.scalars(select(Dossier).where(in_states("voting_states")).order_by(Dossier.id)):
        voted = set(db.session.scalars(select(VoteRecord.user_id).where(VoteRecord.dossier_id == dossier.id)))
        for member in council_members(dossier):
            if member.id not in voted:
                wanted.setdefault(("remind_vote", member.id), []).append(_item(dossier))
    return wanted


def write_reminders(day: dt.date) -> list[Notice]:
    """The reminders due on `day` (a date in Vietnam) that were not written yet; none on days off."""
    if not is_working_day(day):
        return []
    wanted = {**_deadline_reminders(day), **_return_reminders(day), **_vote_reminders()}
    keys = {target: f"{target[0]}:{target[1]}:{day.isoformat()}" for target in wanted}
    done = existing_keys(list(keys.values()))
    rows = []
    for (kind, user_id), items in sorted(wanted.items()):
        key = keys[(kind, user_id)]
        if key in done:
            continue
        user = db.session.get(User, user_id)
        dossier_id = items[0]["dossier_id"] if len(items) == 1 else None
        rows.append(new_notice(user, kind, {"day": day.isoformat(), "items": items}, dossier_id, key=key))
    db.session.flush()
    return rows
