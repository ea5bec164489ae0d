"""Notice rows: who is told what when a dossier moves. Delivering them is the jobs' business."""
from __future__ import annotations

from sqlalchemy import select

from workflow.definition import NOTICE_AUDIENCE, Step
from workflow.models import Dossier, Notice, User, db
from workflow.rules import council_members


def audience(dossier: Dossier, group: str) -> list[User]:
    active = select(User).where(User.active.is_(True))
    if group == "office":
        return list(db.session.scalars(active.where(User.role == "office").order_by(User.id)))
    if group == "appraisers":
        return list(db.session.scalars(active.where(
            User.role == "appraiser", User.unit_id == dossier.award_type.responsible_unit_id).order_by(User.id)))
    if group == "council":
        return council_members(dossier)
    if group == "submitters":
        return list(db.session.scalars(active.where(
            User.role == "submitter", User.unit_id == dossier.unit_id).order_by(User.id)))
    raise ValueError(group)


def notice_params(dossier: Dossier, event: str, comment: str | None) -> dict:
    return {
        "event": event,
        "state": dossier.state,
        "nominee": dossier.nominee_name,
        "award_type": dossier.award_type.name,
        "campaign": dossier.campaign.name,
        "unit": dossier.unit.name,
        "comment": comment,
        "due_date": dossier.due_date.isoformat() if dossier.due_date else None,
        "decision_number": dossier.decision_number,
        "decision_date": dossier.decision_date.isoformat() if dossier.decision_date else None,
    }


def write_transition_notices(dossier: Dossier, step: Step, comment: str | None) -> list[Notice]:
    group = NOTICE_AUDIENCE.get(step.dest)
    if group is None:
        return []
    params = notice_params(dossier, step.event, comment)
    rows = [Notice(recipient_id=user.id, dossier_id=dossier.id, kind=step.event, params=params)
            for user in audience(dossier, group)]
    db.session.add_all(rows)
    return rows
