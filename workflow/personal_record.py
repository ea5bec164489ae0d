"""One nominee's record, for that person (a subject-access copy, Nghị định 13/2023/NĐ-CP): what the registry keeps
about them, the entries merged into theirs, every nomination with the fields as nominated, the documents held (names
only), the steps taken and the award decided or revoked, and the lines of their award history. The office exports
it; nothing here is masked.

Staff who acted on the dossiers are not named (their own personal data); votes are secret and left out.
"""
from __future__ import annotations

from workflow.award_history import history_of as award_history_of
from workflow.i18n import VIETNAM
from workflow.models import Dossier, Nominee, User, db, utcnow
from workflow.nominees import get_nominee, merges_of, nomination_records, nominee_fields
from workflow.permissions import require
from workflow.queries import history_of, revocation_of

LEGAL_BASIS = "Nghị định 13/2023/NĐ-CP"


def _nomination(dossier: Dossier) -> dict:
    revocation = revocation_of(dossier)
    return {
        "dossier": dossier.id,
        "campaign": dossier.campaign.code,
        "campaign_name": dossier.campaign.name,
        "year": dossier.campaign.year,
        "award_type": dossier.award_type.code,
        "award_name": dossier.award_type.name,
        "unit": dossier.unit.code,
        "unit_name": dossier.unit.name,
        "nominee": {"kind": dossier.nominee_kind, "name": dossier.nominee_name, "position": dossier.nominee_position,
                    "workplace": dossier.nominee_workplace, "birth_year": dossier.nominee_birth_year,
                    "gender": dossier.nominee_gender},
        "achievements": dossier.achievements,
        "details": dossier.details,
        "state": dossier.state,
        "decision": ({"number": dossier.decision_number, "date": dossier.decision_date.isoformat()}
                     if dossier.decision_number and dossier.decision_date else None),
        "revocation": ({"number": revocation.decision_number, "date": revocation.decision_date.isoformat(),
                        "reason": revocation.reason} if revocation else None),
        "documents": [{"kind": d.kind, "filename": d.filename, "size": d.size,
                       "uploaded_at": d.uploaded_at.astimezone(VIETNAM).isoformat()} for d in dossier.documents],
        "history": [{"event": row.event, "from_state": row.from_state, "to_state": row.to_state,
                     "comment": row.comment, "at": row.at.astimezone(VIETNAM).isoformat()}
                    for row in history_of(dossier)],
        "created_at": dossier.created_at.astimezone(VIETNAM).isoformat(),
    }


def personal_record(actor: User, nominee_id: int) -> dict:
    """The record of the entry `nominee_id` (or of the entry it was merged into), as JSON-ready data."""
    require(actor, "export_personal_record")
    entry = get_nominee(actor, nominee_id)
    if entry.merged_into_id is not None:
        entry = db.session.get(Nominee, entry.merged_into_id)
    merges = merges_of(entry)
    return {
        "legal_basis": LEGAL_BASIS,
        "generated_at": utcnow().astimezone(VIETNAM).isoformat(),
        "nominee": {**nominee_fields(entry), "unit_name": entry.unit.name},
        "merges": [{"at": m.at.astimezone(VIETNAM).isoformat(), "kept": m.kept_id, "merged": m.merged_id,
                    "kept_before": m.kept_before, "merged_before": m.merged_before} for m in merges],
        "nominations": [_nomination(dossier) for dossier in nomination_records(entry)],
        "awards": [{"form": line.form, "title": line.title, "year": line.year, "decision_number": line.decision_number,
                    "decision_date": line.decision_date.isoformat() if line.decision_date else None,
                    "issuer": line.issuer, "revoked_by": line.revocation_number}
                   for line in award_history_of(entry)],
    }
