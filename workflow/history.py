"""The dossier history as a hash chain: each row's hash covers its content and the previous hash."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import select

from workflow.models import HISTORY_GENESIS, Dossier, HistoryEntry, User, db, utcnow


def row_hash(entry: HistoryEntry) -> str:
    content = {
        "dossier": entry.dossier_id,
        "seq": entry.seq,
        "event": entry.event,
        "from": entry.from_state,
        "to": entry.to_state,
        "actor": entry.actor_username,
        "comment": entry.comment,
        "details": entry.details or {},
        "at": entry.at.isoformat(timespec="microseconds"),
        "prev": entry.prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def next_history_row(dossier: Dossier, event: str, from_state: str, to_state: str, actor: User,
                     comment: str | None = None, details: dict | None = None) -> HistoryEntry:
    """The dossier's next history row, and the dossier's head moved to it.

    The row takes its place in the chain from the dossier's version (a dossier at version v has
    v - 1 rows). Flush the dossier's versioned UPDATE, which carries the new head, before adding
    the row to the session: a concurrent writer then loses at that UPDATE, with a stale version,
    before it can write a row of its own.
    """
    entry = HistoryEntry(**history_row(dossier, event, from_state, to_state, actor, comment, details))
    dossier.history_head = entry.hash
    return entry


def history_row(dossier: Dossier, event: str, from_state: str, to_state: str, actor: User,
                comment: str | None = None, details: dict | None = None) -> dict:
    """The column values of the dossier's next history row, hash included, for a dossier at its current
    version (a dossier at version v has v - 1 rows)."""
    row = dict(dossier_id=dossier.id, seq=dossier.version, event=event, from_state=from_state, to_state=to_state,
               actor_id=actor.id, actor_username=actor.username, comment=comment, details=details or {},
               at=utcnow(), prev_hash=dossier.history_head)
    row["hash"] = row_hash(SimpleNamespace(**row))
    return row


@dataclass(frozen=True)
class Problem:
    dossier_id: int
    seq: int | None
    kind: str  # altered, removed, reordered
    detail: str


def verify_history() -> list[Problem]:
    """Every break in every dossier's chain: altered rows, removed rows, rows out of order."""
    problems: list[Problem] = []
    rows_by_dossier: dict[int, list[HistoryEntry]] = {}
    for entry in db.session.scalars(select(HistoryEntry).order_by(HistoryEntry.dossier_id, HistoryEntry.id)):
        rows_by_dossier.setdefault(entry.dossier_id, []).append(entry)
    for dossier_id, version, head in db.session.execute(select(Dossier.id, Dossier.version, Dossier.history_head)):
        problems.extend(_verify_chain(dossier_id, version, head, rows_by_dossier.get(dossier_id, [])))
    return problems


def _verify_chain(dossier_id: int, version: int, head: str, rows: list[HistoryEntry]) -> list[Problem]:
    problems = []
    by_seq = sorted(rows, key=lambda e: e.seq)
    if [e.id for e in by_seq] != [e.id for e in rows]:
        problems.append(Problem(dossier_id, None, "reordered", "rows are not in the order they were written"))
    previous, expected_seq = HISTORY_GENESIS, 1
    for entry in by_seq:
        in_sequence = entry.seq == expected_seq
        if not in_sequence:
            problems.append(Problem(dossier_id, expected_seq, "removed",
                                    f"row {expected_seq} is missing (next found: {entry.seq})"))
        if row_hash(entry) != entry.hash:
            problems.append(Problem(dossier_id, entry.seq, "altered", "the row's content does not match its hash"))
        elif in_sequence and entry.prev_hash != previous:
            problems.append(Problem(dossier_id, entry.seq, "reordered",
                                    "the row does not follow the previous row's hash"))
        previous, expected_seq = entry.hash, entry.seq + 1
    if len(rows) != version - 1:
        problems.append(Problem(dossier_id, None, "removed",
                                f"version {version} implies {version - 1} rows, found {len(rows)}"))
    if head != previous:
        problems.append(Problem(dossier_id, None, "removed", "the dossier's recorded head is not its last row"))
    return problems
