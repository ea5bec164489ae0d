"""The receipt of a submitted dossier, as the public-service portals give one: a code (mã hồ sơ) the dossier keeps from
its first submission, the date it was received and what it held."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from workflow.models import Document, Dossier, HistoryEntry, db
from workflow.procedure import catalogue


def receipt_code(dossier_id: int) -> str:
    """The dossier's code: its number, which no other dossier has and which never changes."""
    return f"HS-{dossier_id:06d}"


@dataclass(frozen=True)
class Receipt:
    code: str
    received_at: dt.datetime
    documents: list[Document]


def receipt_of(dossier: Dossier) -> Receipt | None:
    """The receipt of the dossier's first submission; None while it has never been submitted."""
    if not dossier.ever_submitted:
        return None
    submitting = {(step.event, step.source) for procedure in catalogue() for step in procedure.steps_with(
        "mark_submitted")}
    rows = db.session.scalars(select(HistoryEntry).where(HistoryEntry.dossier_id == dossier.id,
                                                         HistoryEntry.from_state != HistoryEntry.to_state)
                              .order_by(HistoryEntry.seq))
    first = next((row for row in rows if (row.event, row.from_state) in submitting), None)
    if first is None:
        return None
    return Receipt(receipt_code(dossier.id), first.at, list(dossier.documents))
