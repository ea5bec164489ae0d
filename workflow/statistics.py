"""Counts of a campaign's nominations per unit, award type and state, for the office's report."""
from __future__ import annotations

from sqlalchemy import func, select

from workflow.definition import CONFERRED, DRAFT, STATES
from workflow.campaigns import campaign_by_code
from workflow.models import AwardType, Dossier, Unit, User, db
from workflow.permissions import require

# Drafts are the units' own business until they are submitted; they are not counted.
COUNTED_STATES = tuple(state for state in STATES if state != DRAFT)


def campaign_statistics(actor: User, campaign_code: str) -> dict:
    campaign = campaign_by_code(campaign_code)
    require(actor, "read_honours_list")
    rows = db.session.execute(
        select(Dossier.unit_id, Dossier.award_type_id, Dossier.state, func.count(Dossier.id))
        .where(Dossier.campaign_id == campaign.id, Dossier.ever_submitted.is_(True))
        .group_by(Dossier.unit_id, Dossier.award_type_id, Dossier.state)).all()
    award_types = db.session.scalars(select(AwardType).where(AwardType.active.is_(True))
                                     .order_by(AwardType.rank, AwardType.id)).all()
    unit_ids = {unit_id for unit_id, _, _, _ in rows}
    units = db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)).order_by(Unit.sort_order, Unit.id)).all()
    type_codes = {award_type.id: award_type.code for award_type in award_types}
    type_codes.update({award_type_id: code for award_type_id, code in db.session.execute(
        select(AwardType.id, AwardType.code).where(AwardType.id.in_({row[1] for row in rows})))})
    listed_types = [{"code": t.code, "name": t.name} for t in award_types]
    listed_types += [{"code": code, "name": code} for code in sorted(set(type_codes.values())
                                                                     - {t.code for t in award_types})]

    def empty() -> dict:
        return {"nominated": 0, "conferred": 0, "by_state": {state: 0 for state in COUNTED_STATES}}

    per_unit = {unit.id: {t["code"]: empty() for t in listed_types} for unit in units}
    totals = {t["code"]: empty() for t in listed_types}
    for unit_id, award_type_id, state, count in rows:
        for cell in (per_unit[unit_id][type_codes[award_type_id]], totals[type_codes[award_type_id]]):
            cell["nominated"] += count
            cell["by_state"][state] += count
            if state == CONFERRED:
                cell["conferred"] += count
    return {
        "campaign": campaign.code,
        "campaign_name": campaign.name,
        "award_types": listed_types,
        "states": list(COUNTED_STATES),
        "units": [{"unit": unit.code, "unit_name": unit.name, "counts": per_unit[unit.id],
                   "nominated": sum(c["nominated"] for c in per_unit[unit.id].values()),
                   "conferred": sum(c["conferred"] for c in per_unit[unit.id].values())} for unit in units],
        "totals": {"counts": totals, "nominated": sum(c["nominated"] for c in totals.values()),
                   "conferred": sum(c["conferred"] for c in totals.values())},
    }
