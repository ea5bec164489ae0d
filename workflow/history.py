"""The dossier history as a keyed hash chain.

Each row is signed with HMAC-SHA256 under a key kept outside the database (`HISTORY_KEY`): the
signature covers the row's content, its actor (id and username), the previous row's signature and
a digest of the dossier's row as the change left it. Someone who can write to the database but
does not hold the key can neither alter a row nor change a dossier without a row, and cannot
recompute the chain. Each row names the key that signed it (`key_id`), so that rows signed with a
retired key verify while that key is listed in `HISTORY_KEYS_OLD`, until `rekey_history` has
signed them again with the current key.

Rows written before the chain was keyed (`key_id` NULL) carry a plain SHA-256 that anyone can
compute: `verify_history` reports them, and `rekey_history(legacy=True)`, run once after the
upgrade, checks and signs them.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import Row, select, text, update

from workflow.models import HISTORY_GENESIS, Campaign, Dossier, HistoryEntry, User, db, utcnow
from workflow.procedure import catalogue

# The dossier's columns a history row vouches for: what the workflow, the honours list and the
# notices read. Derived columns (search keys), the head and the update time are left out.
DIGESTED_COLUMNS = ("campaign_id", "award_type_id", "unit_id", "nominee_kind", "nominee_name", "nominee_position",
                    "nominee_workplace", "nominee_birth_year", "nominee_gender", "achievements", "state", "version",
                    "ever_submitted", "due_date", "decision_number", "decision_date")


# Keys -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HistoryKeys:
    """The key new rows are signed with, and every key a row may name (the current one and the retired ones)."""

    current_id: str
    by_id: Mapping[str, bytes]

    @property
    def current(self) -> bytes:
        return self.by_id[self.current_id]


def key_id(key: bytes) -> str:
    """A key's public name, stored on each row it signs: a digest that does not reveal the key."""
    return hashlib.sha256(b"history-key-id:" + key).hexdigest()[:16]


@functools.lru_cache(maxsize=16)
def keyring(current: str, retired: str = "") -> HistoryKeys:
    """The keys from the settings: `current` (HISTORY_KEY) and `retired` (HISTORY_KEYS_OLD, separated by
    commas or white space)."""
    if not current.strip():
        raise ValueError("HISTORY_KEY is not set: the history chain needs a key kept outside the database "
                         "(e.g. `openssl rand -hex 32`)")
    keys = [key.encode() for key in [current.strip(), *retired.replace(",", " ").split()]]
    return HistoryKeys(key_id(keys[0]), {key_id(key): key for key in reversed(keys)})


def history_keys() -> HistoryKeys:
    config = current_app.config
    return keyring(config["HISTORY_KEY"], config.get("HISTORY_KEYS_OLD") or "")


# Signatures -------------------------------------------------------------------------------------

def _content(entry) -> dict:
    return {
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


def _canonical(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def row_hash(entry, key: bytes) -> str:
    """The row's signature under `key`; `entry` has the row's columns as attributes."""
    content = _content(entry)
    content.update(actor_id=entry.actor_id, dossier_digest=entry.dossier_digest, key_id=entry.key_id)
    return hmac.new(key, _canonical(content), hashlib.sha256).hexdigest()


def legacy_row_hash(entry) -> str:
    """The plain SHA-256 of rows written before the chain was keyed."""
    return hashlib.sha256(_canonical(_content(entry))).hexdigest()


def _plain(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def dossier_digest(values: Mapping) -> str:
    """The digest of the dossier's row (`values` by column name), as a history row records it. The values of its
    procedure's fields (`details`) count once it has some, so that the rows written before there were fields keep
    their digest."""
    row = [_plain(values[name]) for name in DIGESTED_COLUMNS]
    if values.get("details"):
        row.append(values["details"])
    return hashlib.sha256(_canonical(row)).hexdigest()


# Writing ----------------------------------------------------------------------------------------

def history_row(dossier: Dossier, event: str, from_state: str, to_state: str, actor: User,
                comment: str | None = None, details: dict | None = None, changes: Mapping | None = None) -> dict:
    """The column values of the dossier's next history row, signature included, for a dossier at its
    current version (a dossier at version v has v - 1 rows) whose row the step changes by `changes`."""
    keys = history_keys()
    changes = changes or {}
    after = {name: changes[name] if name in changes else getattr(dossier, name)
             for name in (*DIGESTED_COLUMNS, "details")}
    after["version"] = dossier.version + 1
    row = dict(dossier_id=dossier.id, seq=dossier.version, event=event, from_state=from_state, to_state=to_state,
               actor_id=actor.id, actor_username=actor.username, comment=comment, details=details or {},
               at=utcnow(), prev_hash=dossier.history_head, dossier_digest=dossier_digest(after),
               key_id=keys.current_id)
    row["hash"] = row_hash(SimpleNamespace(**row), keys.current)
    return row


# Checking ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    dossier_id: int
    seq: int | None
    kind: str  # altered, removed, reordered, changed, legacy, unknown key
    detail: str
    row_id: int | None = None


LEGACY_DETAIL = ("%s a plain SHA-256, as written before the chain was keyed: once after the upgrade, "
                 "`flask history rekey --legacy` checks and signs such rows; found later, they were forged")

_dossiers = Dossier.__table__
_DOSSIER_ROWS = select(_dossiers.c.id, _dossiers.c.history_head, _dossiers.c.procedure, _dossiers.c.procedure_version,
                       _dossiers.c.details, *(_dossiers.c[name] for name in DIGESTED_COLUMNS))


def verify_history(keys: HistoryKeys | None = None) -> list[Problem]:
    """Every break in every dossier's chain: altered, removed or reordered rows, rows not signed with a configured
    key, and dossiers whose row differs from what their last history row recorded."""
    problems: list[Problem] = []
    keys = keys or history_keys()
    for dossier, rows in _chains():
        problems.extend(_verify_chain(dossier, rows, keys))
    return problems


def _chains():
    rows_by_dossier: dict[int, list[HistoryEntry]] = {}
    for entry in db.session.scalars(select(HistoryEntry).order_by(HistoryEntry.dossier_id, HistoryEntry.id)):
        rows_by_dossier.setdefault(entry.dossier_id, []).append(entry)
    for dossier in db.session.execute(_DOSSIER_ROWS.order_by(_dossiers.c.id)):
        yield dossier, rows_by_dossier.get(dossier.id, [])


def _verify_chain(dossier: Row, rows: list[HistoryEntry], keys: HistoryKeys) -> list[Problem]:
    problems = []
    by_seq = sorted(rows, key=lambda e: e.seq)
    if [e.id for e in by_seq] != [e.id for e in rows]:
        problems.append(Problem(dossier.id, None, "reordered", "rows are not in the order they were written"))
    previous, expected_seq = HISTORY_GENESIS, 1
    legacy: list[HistoryEntry] = []
    for entry in by_seq:
        in_sequence = entry.seq == expected_seq
        if not in_sequence:
            problems.append(Problem(dossier.id, expected_seq, "removed",
                                    f"row {expected_seq} is missing (next found: {entry.seq})"))
        signature = _signature_problem(entry, keys)
        if signature is not None and signature[0] == "legacy":
            legacy.append(entry)
        elif signature is not None:
            problems.append(Problem(dossier.id, entry.seq, *signature, row_id=entry.id))
        elif in_sequence and entry.prev_hash != previous:
            problems.append(Problem(dossier.id, entry.seq, "reordered",
                                    "the row does not follow the previous row's hash", entry.id))
        previous, expected_seq = entry.hash, entry.seq + 1
    if legacy:  # reported once per dossier: after the upgrade, every row is legacy
        seqs = [entry.seq for entry in legacy]
        rows_text = (f"row {seqs[0]} carries" if len(seqs) == 1 else f"rows {seqs[0]}–{seqs[-1]} carry"
                     if seqs == list(range(seqs[0], seqs[-1] + 1)) else f"rows {', '.join(map(str, seqs))} carry")
        problems.append(Problem(dossier.id, seqs[0], "legacy", LEGACY_DETAIL % rows_text, legacy[0].id))
    if len(rows) != dossier.version - 1:
        problems.append(Problem(dossier.id, None, "removed",
                                f"version {dossier.version} implies {dossier.version - 1} rows, found {len(rows)}"))
    if dossier.history_head != previous:
        problems.append(Problem(dossier.id, None, "removed", "the dossier's recorded head is not its last row"))
    else:  # the dossier's row follows on from the chain's last row: it must be what that row recorded
        changed = _unrecorded_change(dossier, by_seq[-1] if by_seq else None)
        if changed is not None:
            problems.append(changed)
    return problems


def _signature_problem(entry: HistoryEntry, keys: HistoryKeys) -> tuple[str, str] | None:
    """What is wrong with the row's signature (a kind and a detail; "legacy" for a sound plain SHA-256), or None."""
    if entry.key_id is None:
        if legacy_row_hash(entry) != entry.hash:
            return "altered", "the row's content does not match its hash"
        return "legacy", ""
    key = keys.by_id.get(entry.key_id)
    if key is None:
        return ("unknown key", f"the row is signed with key {entry.key_id}, which is neither HISTORY_KEY "
                               "nor listed in HISTORY_KEYS_OLD")
    if not hmac.compare_digest(row_hash(entry, key), entry.hash):
        return "altered", "the row's content does not match its signature"
    return None


def _unrecorded_change(dossier: Row, last: HistoryEntry | None) -> Problem | None:
    """A dossier whose row differs from what its last history row recorded was changed without a history row."""
    if last is None:
        procedure = catalogue().nearest(dossier.procedure, dossier.procedure_version)
        fresh = procedure is None or dossier.state == procedure.initial
        if not fresh or dossier.ever_submitted or dossier.decision_number or dossier.decision_date or dossier.due_date:
            return Problem(dossier.id, None, "changed",
                           f"the dossier has no history row, yet it is “{dossier.state}”"
                           + (f" with decision {dossier.decision_number}" if dossier.decision_number else "")
                           + " instead of a fresh draft: its row was changed without a history row")
        return None
    if dossier.state != last.to_state:
        return Problem(dossier.id, last.seq, "changed",
                       f"the dossier is “{dossier.state}” but its last history row ({last.event}) left it "
                       f"“{last.to_state}”: its row was changed without a history row", last.id)
    if last.dossier_digest is not None and dossier_digest(dossier._mapping) != last.dossier_digest:
        return Problem(dossier.id, last.seq, "changed",
                       "the dossier's row (its decision, due date, nominee, unit, achievements or version) differs "
                       "from what its last history row recorded: it was changed without a history row", last.id)
    return None


# Signing again ----------------------------------------------------------------------------------

def rekey_history(legacy: bool = False) -> tuple[int, list[Problem]]:
    """Sign every row that is not signed with the current key again with it, once the whole history verifies.

    Rows under a retired key verify with it (it must still be listed in HISTORY_KEYS_OLD); legacy rows
    (plain SHA-256) are accepted only with `legacy`, and the last row of their chain then records the
    dossier as it is. With any other problem nothing is signed and the problems are returned. Holds the
    dossiers and the history against writes meanwhile (on PostgreSQL). Returns the number of rows signed.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("LOCK TABLE dossiers, history IN SHARE ROW EXCLUSIVE MODE"))
    keys = history_keys()
    chains = list(_chains())
    problems = [problem for dossier, rows in chains for problem in _verify_chain(dossier, rows, keys)
                if not (legacy and problem.kind == "legacy")]
    if problems:
        return 0, problems
    signed = 0
    for dossier, rows in chains:
        previous = HISTORY_GENESIS
        for entry in sorted(rows, key=lambda e: e.seq):
            last = entry.seq == dossier.version - 1
            if entry.key_id != keys.current_id or entry.prev_hash != previous \
                    or (last and entry.dossier_digest is None):
                if last and entry.dossier_digest is None:
                    entry.dossier_digest = dossier_digest(dossier._mapping)
                entry.prev_hash, entry.key_id = previous, keys.current_id
                entry.hash = row_hash(entry, keys.current)
                signed += 1
            previous = entry.hash
        if previous != dossier.history_head:
            db.session.execute(update(_dossiers).where(_dossiers.c.id == dossier.id).values(history_head=previous))
    db.session.flush()
    return signed, []


def dossier_labels(dossier_ids: set[int]) -> dict[int, str]:
    """How a report names each dossier: its campaign and nominee."""
    if not dossier_ids:
        return {}
    return {dossier_id: f"{campaign}, “{nominee}”" for dossier_id, campaign, nominee in db.session.execute(
        select(Dossier.id, Campaign.code, Dossier.nominee_name).join(Campaign, Campaign.id == Dossier.campaign_id)
        .where(Dossier.id.in_(dossier_ids)))}
