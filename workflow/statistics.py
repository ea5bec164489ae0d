"""Counts of a campaign's nominations per unit, award type and state, and per award form and issuer, for the office's
report."""
from __future__ import annotations

from sqlalchemy import func, select

from workflow.campaigns import campaign_by_code
from workflow.models import AwardType, Dossier, Unit, User, db
from workflow.permissions import require
from workflow.procedure import catalogue


def campaign_statistics(actor: User, campaign_code: str) -> dict:
    campaign = campaign_by_code(campaign_code)
    require(actor, "read_honours_list")
    # Drafts are the units' own business until they are submitted; they are not counted.
    rows = db.session.execute(
        select(Dossier.unit_id, Dossier.award_type_id, Dossier.procedure, Dossier.state, func.count(Dossier.id))
        .where(Dossier.campaign_id == campaign.id, Dossier.ever_submitted.is_(True))
        .group_by(Dossier.unit_id, Dossier.award_type_id, Dossier.procedure, Dossier.state)).all()
    award_types = db.session.scalars(select(AwardType).where(AwardType.active.is_(True))
                                     .order_by(AwardType.rank, AwardType.id)).all()
    unit_ids = {row.unit_id for row in rows}
    units = db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)).order_by(Unit.sort_order, Unit.id)).all()
    types_by_id = {award_type.id: award_type for award_type in award_types}
    types_by_id.update({award_type.id: award_type for award_type in db.session.scalars(
        select(AwardType).where(AwardType.id.in_({row[1] for row in rows} - set(types_by_id))))})
    type_codes = {award_type_id: award_type.code for award_type_id, award_type in types_by_id.items()}
    listed_types = [{"code": t.code, "name": t.name} for t in award_types]
    listed_types += [{"code": code, "name": code} for code in sorted(set(type_codes.values())
                                                                     - {t.code for t in award_types})]

    # The columns of the procedures the campaign's dossiers follow (before any is submitted, those of the award
    # types); "conferred" counts the dossiers in an honoured state of their procedure.
    procedures = sorted({row.procedure for row in rows} or {t.procedure for t in award_types})
    states = catalogue().columns(procedures)
    honoured = {code: catalogue().states_of(code, "honoured_states") for code in {row.procedure for row in rows}}

    def empty() -> dict:
        return {"nominated": 0, "conferred": 0, "by_state": {state: 0 for state in states}}

    per_unit = {unit.id: {t["code"]: empty() for t in listed_types} for unit in units}
    totals = {t["code"]: empty() for t in listed_types}
    for unit_id, award_type_id, procedure, state, count in rows:
        for cell in (per_unit[unit_id][type_codes[award_type_id]], totals[type_codes[award_type_id]]):
            cell["nominated"] += count
            cell["by_state"][state] = cell["by_state"].get(state, 0) + count
            if state in honoured[procedure]:
                cell["conferred"] += count
    # The same counts by what is given and who gives it (DOMAIN.md, "Award forms and titles").
    by_form: dict[tuple, dict] = {}
    for award_type in sorted(types_by_id.values(), key=lambda t: (t.award_form.sort_order, t.issuer.sort_order,
                                                                  t.award_form.code, t.issuer.code)):
        cell = totals[award_type.code]
        entry = by_form.setdefault((award_type.award_form_id, award_type.issuer_id), {
            "award_form": award_type.award_form.code, "award_form_name": award_type.award_form.name,
            "issuer": award_type.issuer.code, "issuer_name": award_type.issuer.name, "nominated": 0, "conferred": 0})
        entry["nominated"] += cell["nominated"]
        entry["conferred"] += cell["conferred"]
    return {
        "campaign": campaign.code,
        "campaign_name": campaign.name,
        "award_types": listed_types,
        "states": list(states),
        "units": [{"unit": unit.code, "unit_name": unit.name, "counts": per_unit[unit.id],
                   "nominated": sum(c["nominated"] for c in per_unit[unit.id].values()),
                   "conferred": sum(c["conferred"] for c in per_unit[unit.id].values())} for unit in units],
        "totals": {"counts": totals, "nominated": sum(c["nominated"] for c in totals.values()),
                   "conferred": sum(c["conferred"] for c in totals.values())},
        "by_form_and_issuer": list(by_form.values()),
    }
