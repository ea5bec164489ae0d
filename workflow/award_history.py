"""Each nominee's award history: a line per award conferred (form, title, year, decision number and date, issuer),
written by the step that records the decision, marked when the award is revoked; earlier years are imported
(workflow.history_import)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from workflow.models import AwardRecord, Dossier, EmulationRating, Nominee, User, db


def record_conferral(actor: User, dossier: Dossier, number: str, decided_on: dt.date) -> AwardRecord:
    """The line of the dossier's award, conferred by decision `number` of `decided_on`: the dossier's own line,
    written again if an earlier decision wrote it."""
    award_type = dossier.award_type
    record = db.session.scalar(select(AwardRecord).where(AwardRecord.dossier_id == dossier.id)) or AwardRecord(
        dossier_id=dossier.id, source="decision")
    record.nominee_id, record.award_type_id = dossier.nominee_id, award_type.id
    record.form, record.title, record.issuer = award_type.award_form.name, award_type.name, award_type.issuer.name
    record.year, record.decision_number, record.decision_date = dossier.campaign.year, number, decided_on
    record.revoked, record.revocation_number, record.revoked_on = False, None, None
    record.recorded_by_id = actor.id
    db.session.add(record)
    db.session.flush()
    return record


def mark_revoked(dossier: Dossier, number: str, decided_on: dt.date | None) -> None:
    """The dossier's award is revoked by decision `number`: its line stays, marked."""
    db.session.execute(update(AwardRecord).where(AwardRecord.dossier_id == dossier.id)
                       .values(revoked=True, revocation_number=number, revoked_on=decided_on)
                       .execution_options(synchronize_session="fetch"))


def history_of(nominee: Nominee) -> list[AwardRecord]:
    """The entry's award lines, the latest year first."""
    return list(db.session.scalars(select(AwardRecord).where(AwardRecord.nominee_id == nominee.id)
                                   .order_by(AwardRecord.year.desc(), AwardRecord.id.desc())))


def ratings_of(nominee: Nominee) -> list[EmulationRating]:
    return list(db.session.scalars(select(EmulationRating).where(EmulationRating.nominee_id == nominee.id)
                                   .order_by(EmulationRating.year.desc())))


def move_history(merged: Nominee, kept: Nominee) -> None:
    """A merge: the merged entry's award lines become the kept one's, and so do its ratings of the years the kept one
    has none for (where both have one, the kept entry's stands and the merged one's stays on the merged entry)."""
    db.session.execute(update(AwardRecord).where(AwardRecord.nominee_id == merged.id).values(nominee_id=kept.id)
                       .execution_options(synchronize_session="fetch"))
    kept_years = select(EmulationRating.year).where(EmulationRating.nominee_id == kept.id).scalar_subquery()
    db.session.execute(update(EmulationRating).where(EmulationRating.nominee_id == merged.id,
                                                     EmulationRating.year.not_in(kept_years))
                       .values(nominee_id=kept.id).execution_options(synchronize_session="fetch"))
