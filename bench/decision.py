"""A decision conferring 500 approved dossiers (DOMAIN.md, "Decision"). Ours: drafting it through the workflow
operations, uploading the signed PDF, recording it (each dossier's confer step through `batch.fire_all`). The baseline
does the same writes in raw SQL through the same driver: the decision and its list, the signed file and its row, and
per dossier the versioned update with the decision's number and date, the signed history row, the unit's notice and the
nominee's award line.
"""
from __future__ import annotations

import hashlib
import io
import json
import uuid
from types import SimpleNamespace

import psycopg
from sqlalchemy import delete, select, update

from bench.harness import Scale, app_in_context, at_least, interleaved_medians, postgres_database, scratch_dir
from bench.workload import RAW_AWARD_LINE, RAW_DOSSIER, RAW_KEYS, prepare_cast, prepare_drafts
from workflow import decisions
from workflow.documents import DocumentStore
from workflow.history import dossier_digest, row_hash
from workflow.i18n import today
from workflow.models import (
    AwardRecord, Decision, DecisionItem, Document, Dossier, HistoryEntry, Issuer, Notice, User, db, utcnow,
)
from workflow.procedure import REFERENCE_CODE, catalogue
from workflow.storage import LocalStore

ORDER = 9
SIGNED = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
          b"trailer<</Root 1 0 R>>\n%%EOF\n")
REFERENCE = catalogue().current(REFERENCE_CODE)
# The decision's step for a city-level award: from the decided state that waits for no higher authority.
STEP = next(step for step in REFERENCE.steps
            if step.batch == "decision" and step.source not in REFERENCE.pending_states)
VERSION = 6  # as far along as an approved dossier of the reference procedure


def waiting(cast, count: int) -> list[int]:
    """`count` approved dossiers waiting for a decision."""
    ids = prepare_drafts(cast, count)
    db.session.execute(update(Dossier).where(Dossier.id.in_(ids))
                       .values(state=STEP.source, ever_submitted=True, version=VERSION))
    db.session.commit()
    return ids


def remove_decided(ids: list[int]) -> None:
    """Everything `waiting` and `run_decision` wrote about the dossiers `ids` deleted: their decisions, notices,
    documents, award lines, history and the dossiers. A database measured again and again keeps its size."""
    decided = list(db.session.scalars(select(DecisionItem.decision_id).where(DecisionItem.dossier_id.in_(ids))
                                      .distinct()))
    db.session.execute(delete(DecisionItem).where(DecisionItem.decision_id.in_(decided)))
    db.session.execute(delete(Decision).where(Decision.id.in_(decided)))
    for table in (AwardRecord, Notice, Document, HistoryEntry):
        db.session.execute(delete(table).where(table.dossier_id.in_(ids)))
    db.session.execute(delete(Dossier).where(Dossier.id.in_(ids)))
    db.session.commit()


def decision_data(number: str) -> dict:
    return {"number": number, "decided_on": today(), "signer_name": "Nguyễn Thị Tuyết",
            "signer_title": "TM. BAN THƯỜNG VỤ – CHỦ TỊCH", "issuer": "ban_thuong_vu"}


def run_decision(office: User, ids: list[int], store: DocumentStore) -> None:
    decision = decisions.draft_decision(office, decision_data(f"{uuid.uuid4().hex[:8]}/QĐ-HPN"), ids)
    db.session.commit()
    decisions.attach_signed_copy(office, decision, "qd.pdf", SIGNED, store)
    db.session.commit()
    decisions.record_decision(office, decision)
    db.session.commit()


def raw_decision(conn, cast, issuer: int, ids: list[int], store: DocumentStore) -> None:
    now, day, number = utcnow(), today(), f"{uuid.uuid4().hex[:8]}/QĐ-HPN"
    with conn.transaction(), conn.cursor() as cursor:
        decision = cursor.execute(
            "INSERT INTO decisions (number, decided_on, signer_name, signer_title, issuer_id, status, drafted_by_id, "
            "drafted_at) VALUES (%s, %s, %s, %s, %s, 'prepared', %s, %s) RETURNING id",
            (number, day, "Nguyễn Thị Tuyết", "TM. BAN THƯỜNG VỤ – CHỦ TỊCH", issuer, cast.office, now)).fetchone()[0]
        cursor.executemany("INSERT INTO decision_items (decision_id, dossier_id) VALUES (%s, %s)",
                           [(decision, d) for d in ids])
    storage_name = uuid.uuid4().hex
    store.objects.put(store.object_name(storage_name), io.BytesIO(SIGNED))
    with conn.transaction():
        conn.execute("UPDATE decisions SET signed_filename = 'qd.pdf', signed_storage_name = %s, signed_size = %s, "
                     "signed_sha256 = %s, signed_uploaded_at = %s WHERE id = %s",
                     (storage_name, len(SIGNED), hashlib.sha256(SIGNED).hexdigest(), now, decision))
    details = json.dumps({"decision": {"number": number, "date": day.isoformat()}}, ensure_ascii=False)
    params = json.dumps({"event": STEP.event, "state": STEP.dest, "nominee": "Nguyễn Thị 0123456789ab",
                         "award_type": "Bằng khen của Ban Chấp hành Hội LHPN thành phố Hà Nội",
                         "campaign": "Đợt đo hiệu năng", "unit": "Hội LHPN quận Ba Đình", "comment": None,
                         "due_date": None, "decision_number": number, "decision_date": day.isoformat()},
                        ensure_ascii=False)
    with conn.transaction(), conn.cursor() as cursor:
        cursor.execute("SELECT id FROM decisions WHERE id = %s FOR UPDATE", (decision,))
        for dossier_id, previous in cursor.execute("SELECT id, history_head FROM dossiers WHERE id = ANY(%s) "
                                                   "ORDER BY id FOR UPDATE", (ids,)).fetchall():
            after = {**RAW_DOSSIER, "state": STEP.dest, "version": VERSION + 1, "decision_number": number,
                     "decision_date": day}
            signed = SimpleNamespace(dossier_id=dossier_id, seq=VERSION, event=STEP.event, from_state=STEP.source,
                                     to_state=STEP.dest, actor_id=cast.office, actor_username="bench-office",
                                     comment=None, details=json.loads(details), at=now, prev_hash=previous,
                                     dossier_digest=dossier_digest(after), key_id=RAW_KEYS.current_id)
            digest = row_hash(signed, RAW_KEYS.current)
            updated = cursor.execute(
                "UPDATE dossiers SET state = %s, version = %s, history_head = %s, updated_at = %s, "
                "decision_number = %s, decision_date = %s WHERE id = %s AND version = %s",
                (STEP.dest, VERSION + 1, digest, now, number, day, dossier_id, VERSION))
            if updated.rowcount != 1:
                raise RuntimeError("stale version")
            cursor.execute(
                "INSERT INTO history (dossier_id, seq, event, from_state, to_state, actor_id, actor_username, "
                "comment, details, at, prev_hash, dossier_digest, key_id, hash) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (dossier_id, VERSION, STEP.event, STEP.source, STEP.dest, cast.office, "bench-office", None, details,
                 now, previous, signed.dossier_digest, signed.key_id, digest))
            cursor.execute(
                "INSERT INTO notices (idempotency_key, recipient_id, dossier_id, kind, params, status, attempts, "
                "created_at) VALUES (%s, %s, %s, %s, %s, 'pending', 0, %s)",
                (f"{STEP.event}:{dossier_id}:{VERSION}:{cast.submitter}", cast.submitter, dossier_id, STEP.event,
                 params, now))
            cursor.execute(RAW_AWARD_LINE, (number, day, cast.office, now, dossier_id))
        cursor.execute("UPDATE decisions SET status = 'recorded', recorded_at = %s, recorded_by_id = %s "
                       "WHERE id = %s", (utcnow(), cast.office, decision))


def decision_size(scale: Scale) -> int:
    return scale.pick(500, 5)


def run(scale: Scale):
    count = decision_size(scale)
    with postgres_database() as url, scratch_dir() as folder:
        with app_in_context(folder, url), psycopg.connect(url) as conn:
            cast = prepare_cast()
            office = db.session.get(User, cast.office)
            issuer = db.session.scalar(select(Issuer.id).where(Issuer.code == "ban_thuong_vu"))
            store = DocumentStore(LocalStore({"documents": folder / "uploads"}), 10 * 1024 * 1024)
            batches = {"ours": [], "raw": []}

            def setup():
                batches["ours"], batches["raw"] = waiting(cast, count), waiting(cast, count)

            def ours():
                run_decision(office, batches["ours"], store)

            def raw():
                raw_decision(conn, cast, issuer, batches["raw"], store)

            setup()
            ours()  # warm up caches and the connection pool
            raw()
            seconds = interleaved_medians({"ours": ours, "raw": raw}, scale.repeat, setup)
    yield at_least("decision_confer", seconds["raw"] / seconds["ours"], 0.5,
                   f"ours {seconds['ours']:.2f} s, raw SQL {seconds['raw']:.2f} s for a decision conferring {count} "
                   f"dossiers (drafting, the signed PDF, recording: {count} history rows and notices), "
                   f"median of {scale.repeat}")
