"""Each nominee's award history: a line per award conferred (form, title, year, decision number and date, issuer),
written by the step that records the decision, marked when the award is revoked; earlier years are imported
(workflow.history_import)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from workflow.models import AwardRecord, Dossier, EmulationRating, Nominee, User, db, utcnow
from workflow.text import name_key


_records = AwardRecord.__table__
_UPSERT = {dialect: insert_for(_records).on_conflict_do_update(
    index_elements=[_records.c.dossier_id],
    set_={name: insert_for(_records).excluded[name] for name in (
        "nominee_id", "award_type_id", "form", "title", "title_key", "year", "decision_number", "decision_date",
        "issuer", "revocation_number", "revoked_on", "recorded_by_id")})
    for dialect, insert_for in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))}


def record_conferral(actor: User, dossier: Dossier, number: str, decided_on: dt.date) -> None:
    """The line of the dossier's award, conferred by decision `number` of `decided_on`: the dossier's own line,
    written again if an earlier decision wrote it. One statement: a decision confers hundreds of dossiers."""
    award_type = dossier.award_type
    db.session.execute(_UPSERT[db.session.get_bind().dialect.name], {
        "nominee_id": dossier.nominee_id, "award_type_id": award_type.id, "form": award_type.award_form.name,
        "title": award_type.name, "title_key": name_key(award_type.name), "year": dossier.campaign.year,
        "decision_number": number, "decision_date": decided_on, "issuer": award_type.issuer.name,
        "dossier_id": dossier.id, "source": "decision", "revocation_number": None,
        "revoked_on": None, "recorded_by_id": actor.id, "created_at": utcnow()})


def mark_revoked(dossier: Dossier, number: str, decided_on: dt.date | None) -> None:
    """The dossier's award is revoked by decision `number`: its line stays, marked."""
    db.session.execute(update(AwardRecord).where(AwardRecord.dossier_id == dossier.id)
                       .values(revocation_number=number, revoked_on=decided_on)
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
