"""`flask history verify` reports any altered, removed or reordered history row, a dossier changed without
a history row, and rows not signed with a configured key; `flask history rekey` signs them again."""
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from workflow.history import keyring, row_hash, verify_history
from workflow.models import HISTORY_GENESIS, HistoryEntry, db

PROJECT_DIR = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.usefixtures("light_password_hashing")


@pytest.fixture
def dossiers(factory):
    """Dossiers with some history each; the first has five rows (two uploads, submit, accept, recommend)."""
    made = [factory.dossier("council_review"), factory.dossier("returned"), factory.dossier("draft"),
            factory.dossier("withdrawn")]
    assert history_length(made[0].id) == 5
    return made


def history_length(dossier_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(HistoryEntry)
                             .where(HistoryEntry.dossier_id == dossier_id))


def tamper(sql: str, **params) -> None:
    db.session.execute(text(sql), params)
    db.session.commit()


def verify(app):
    return app.test_cli_runner().invoke(args=["history", "verify"])


def test_a_clean_history_verifies(app, dossiers):
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "History intact."
    assert verify_history() == []


@pytest.mark.parametrize(("column", "value"), [
    ("comment", "'Đủ điều kiện (sửa sau)'"),
    ("actor_username", "'chutich'"),
    ("actor_id", "(SELECT id FROM users WHERE id <> history.actor_id ORDER BY id LIMIT 1)"),
    ("to_state", "'approved'"),
    ("at", "at - interval '1 day'"),
    ("details", """'{"due_date": "2099-01-01"}'"""),
])
def test_an_altered_row_is_reported(app, dossiers, column, value):
    target = dossiers[0].id
    tamper(f"UPDATE history SET {column} = {value} WHERE dossier_id = :id AND seq = 5", id=target)

    result = verify(app)

    assert result.exit_code == 1
    assert f"ALTERED: dossier {target} row 5:" in result.output
    assert f"dossier {dossiers[1].id}" not in result.output


@pytest.mark.parametrize("seq", [3, 5], ids=["middle", "last"])
def test_a_removed_row_is_reported(app, dossiers, seq):
    target = dossiers[0].id
    tamper("DELETE FROM history WHERE dossier_id = :id AND seq = :seq", id=target, seq=seq)

    result = verify(app)

    assert result.exit_code == 1
    assert f"REMOVED: dossier {target}" in result.output
    assert {problem.kind for problem in verify_history()} == {"removed"}


def test_all_rows_of_a_dossier_removed_is_reported(app, dossiers):
    target = dossiers[1].id
    tamper("DELETE FROM history WHERE dossier_id = :id", id=target)

    result = verify(app)

    assert result.exit_code == 1
    assert f"REMOVED: dossier {target}" in result.output


def test_reordered_rows_are_reported(app, dossiers):
    target = dossiers[0].id
    # Swap the sequence numbers of rows 3 and 4 (submit and accept), through a free number.
    tamper("UPDATE history SET seq = 0 WHERE dossier_id = :id AND seq = 3", id=target)
    tamper("UPDATE history SET seq = 3 WHERE dossier_id = :id AND seq = 4", id=target)
    tamper("UPDATE history SET seq = 4 WHERE dossier_id = :id AND seq = 0", id=target)

    result = verify(app)

    assert result.exit_code == 1
    assert f"REORDERED: dossier {target}" in result.output


def test_verify_from_the_command_line(app, dossiers, postgres_url, tmp_path):
    """The command as an operator runs it, against the database named by DATABASE_URL."""
    env = {**os.environ, "DATABASE_URL": postgres_url, "SECRET_KEY": "test", "INSTANCE_DIR": str(tmp_path),
           "REDIS_URL": "", "HISTORY_KEY": app.config["HISTORY_KEY"]}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "history", "verify"]

    clean = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert (clean.returncode, clean.stdout.strip()) == (0, "History intact."), clean.stderr

    tamper("UPDATE history SET comment = 'Đã sửa' WHERE dossier_id = :id AND seq = 2", id=dossiers[1].id)
    tampered = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert tampered.returncode == 1
    assert f"ALTERED: dossier {dossiers[1].id} row 2:" in tampered.stdout


# The keyed chain -----------------------------------------------------------------------------------

def rows_of(dossier_id: int) -> list[HistoryEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(HistoryEntry).where(HistoryEntry.dossier_id == dossier_id)
                                   .order_by(HistoryEntry.seq)))


def rechain(dossier_id: int, sign) -> None:
    """What someone with write access to the database does to hide an edit: recompute every hash of the
    dossier's chain with `sign` and move the dossier's head to the last one."""
    previous = HISTORY_GENESIS
    for entry in rows_of(dossier_id):
        entry.prev_hash = previous
        sign(entry)
        previous = entry.hash
    db.session.execute(text("UPDATE dossiers SET history_head = :head WHERE id = :id"),
                       {"head": previous, "id": dossier_id})
    db.session.commit()


def plain_sha256(entry: HistoryEntry) -> None:
    """The hash as the published code computed it before the chain was keyed, and as anyone can."""
    content = {"dossier": entry.dossier_id, "seq": entry.seq, "event": entry.event, "from": entry.from_state,
               "to": entry.to_state, "actor": entry.actor_username, "comment": entry.comment,
               "details": entry.details or {}, "at": entry.at.isoformat(timespec="microseconds"),
               "prev": entry.prev_hash}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    entry.key_id = None
    entry.hash = hashlib.sha256(canonical.encode()).hexdigest()


def signer(key: str, key_id: str | None = None):
    """Sign with `key`, under its own id or the id of another key."""
    keys = keyring(key)

    def sign(entry: HistoryEntry) -> None:
        entry.key_id = key_id or keys.current_id
        entry.hash = row_hash(entry, keys.current)
    return sign


def describe(dossier) -> str:
    return f"{dossier.campaign.code}, “{dossier.nominee_name}”"


@pytest.mark.parametrize("changes", [
    "state = 'conferred', decision_number = '99/QĐ-HPN', decision_date = CURRENT_DATE",
    "state = 'conferred'",
], ids=["conferred with a decision", "state only"])
def test_a_rejected_dossier_changed_to_conferred_without_a_history_row_is_reported(app, factory, dossiers, changes):
    rejected = factory.dossier("rejected")
    last = history_length(rejected.id)
    tamper(f"UPDATE dossiers SET {changes} WHERE id = :id", id=rejected.id)

    result = verify(app)

    assert result.exit_code == 1
    assert f"CHANGED: dossier {rejected.id} row {last}: " in result.output
    assert "“conferred”" in result.output and "“rejected”" in result.output
    assert describe(rejected) in result.output
    assert [(p.dossier_id, p.seq, p.kind) for p in verify_history()] == [(rejected.id, last, "changed")]


@pytest.mark.parametrize("changes", [
    "decision_number = '99/QĐ-HPN'",
    "decision_date = decision_date - 30",
    "nominee_name = 'Trần Văn Khác'",
    "achievements = 'Thành tích khác'",
    "unit_id = (SELECT id FROM units WHERE code = 'hoan-kiem')",
    "due_date = CURRENT_DATE + 30",
])
def test_a_conferred_dossier_changed_without_a_history_row_is_reported(app, factory, changes):
    conferred = factory.dossier("conferred")
    last = history_length(conferred.id)
    tamper(f"UPDATE dossiers SET {changes} WHERE id = :id", id=conferred.id)

    result = verify(app)

    assert result.exit_code == 1
    assert f"CHANGED: dossier {conferred.id} row {last}: " in result.output


def test_a_dossier_without_history_changed_to_conferred_is_reported(app, factory):
    fresh = factory.draft(documents=False)
    assert history_length(fresh.id) == 0
    tamper("UPDATE dossiers SET state = 'conferred', decision_number = '99/QĐ-HPN' WHERE id = :id", id=fresh.id)

    result = verify(app)

    assert result.exit_code == 1
    assert f"CHANGED: dossier {fresh.id}: " in result.output


def test_a_chain_recomputed_with_plain_sha256_is_reported(app, dossiers):
    target = dossiers[0].id
    tamper("UPDATE history SET comment = 'Đủ điều kiện (sửa sau)' WHERE dossier_id = :id AND seq = 5", id=target)
    rechain(target, plain_sha256)

    result = verify(app)

    assert result.exit_code == 1
    assert f"LEGACY: dossier {target} row 1: rows 1–5 carry a plain SHA-256" in result.output
    assert f"dossier {dossiers[1].id}" not in result.output


@pytest.mark.parametrize("claimed_id", ["own", "real"], ids=["under its own key id", "under the real key id"])
def test_a_chain_recomputed_with_another_key_is_reported(app, dossiers, claimed_id):
    target = dossiers[0].id
    real_id = rows_of(target)[0].key_id
    tamper("UPDATE history SET comment = 'Đủ điều kiện (sửa sau)' WHERE dossier_id = :id AND seq = 5", id=target)
    rechain(target, signer("a-key-the-attacker-made-up-0123456789abcdef",
                           key_id=real_id if claimed_id == "real" else None))

    result = verify(app)

    assert result.exit_code == 1
    kind = "ALTERED" if claimed_id == "real" else "UNKNOWN KEY"
    assert f"{kind}: dossier {target} row 5: " in result.output
    assert f"dossier {dossiers[1].id}" not in result.output


OLD_KEY = "0123456789abcdef0123456789abcdef-old"
NEW_KEY = "fedcba9876543210fedcba9876543210-new"


def test_rows_signed_with_an_old_key_verify_while_it_is_listed(app, factory, monkeypatch):
    monkeypatch.setitem(app.config, "HISTORY_KEY", OLD_KEY)
    dossier = factory.dossier("submitted")
    monkeypatch.setitem(app.config, "HISTORY_KEY", NEW_KEY)
    monkeypatch.setitem(app.config, "HISTORY_KEYS_OLD", f"{OLD_KEY}, some-other-retired-key-0123456789abcdef")
    factory.advance(dossier, "accept")
    last = history_length(dossier.id)
    assert rows_of(dossier.id)[-1].key_id == keyring(NEW_KEY).current_id != rows_of(dossier.id)[0].key_id

    assert verify(app).output.strip() == "History intact."

    monkeypatch.setitem(app.config, "HISTORY_KEYS_OLD", "")
    result = verify(app)
    assert result.exit_code == 1
    assert f"UNKNOWN KEY: dossier {dossier.id} row 1: " in result.output
    assert f"dossier {dossier.id} row {last}: " not in result.output  # the row under the current key is sound


def test_rekey_signs_every_chain_with_the_current_key(app, factory, dossiers, monkeypatch):
    retired = app.config["HISTORY_KEY"]
    monkeypatch.setitem(app.config, "HISTORY_KEY", NEW_KEY)
    monkeypatch.setitem(app.config, "HISTORY_KEYS_OLD", retired)

    result = rekey(app)

    assert result.exit_code == 0, result.output
    assert {entry.key_id for d in dossiers for entry in rows_of(d.id)} == {keyring(NEW_KEY).current_id}
    monkeypatch.setitem(app.config, "HISTORY_KEYS_OLD", "")
    assert verify(app).output.strip() == "History intact."


def test_rekey_refuses_a_broken_history_and_changes_nothing(app, dossiers, monkeypatch):
    target = dossiers[1].id
    tamper("UPDATE history SET comment = 'Đã sửa' WHERE dossier_id = :id AND seq = 2", id=target)
    hashes = [entry.hash for d in dossiers for entry in rows_of(d.id)]
    monkeypatch.setitem(app.config, "HISTORY_KEYS_OLD", app.config["HISTORY_KEY"])
    monkeypatch.setitem(app.config, "HISTORY_KEY", NEW_KEY)

    result = rekey(app)

    assert result.exit_code == 1
    assert f"ALTERED: dossier {target} row 2: " in result.output
    assert [entry.hash for d in dossiers for entry in rows_of(d.id)] == hashes


def rekey(app, *args):
    return app.test_cli_runner().invoke(args=["history", "rekey", *args])


# Rows written before the chain was keyed -------------------------------------------------------------

@pytest.fixture
def legacy(dossiers):
    """The dossiers' histories as a deployment that predates the keyed chain holds them."""
    for dossier in dossiers:
        rechain(dossier.id, plain_sha256)
        db.session.execute(text("UPDATE history SET dossier_digest = NULL WHERE dossier_id = :id"), {"id": dossier.id})
    db.session.commit()
    return dossiers


def test_legacy_rows_are_reported_until_they_are_signed_again(app, legacy):
    result = verify(app)
    assert result.exit_code == 1
    assert f"LEGACY: dossier {legacy[0].id} row 1: " in result.output
    assert "history rekey --legacy" in result.output

    refused = rekey(app)
    assert refused.exit_code == 1
    assert "--legacy" in refused.output

    signed = rekey(app, "--legacy")
    assert signed.exit_code == 0, signed.output
    assert verify(app).output.strip() == "History intact."
    assert all(entry.key_id and entry.dossier_digest for entry in rows_of(legacy[0].id)[-1:])


def test_a_legacy_dossier_changed_after_signing_again_is_reported(app, legacy):
    assert rekey(app, "--legacy").exit_code == 0
    tamper("UPDATE dossiers SET nominee_name = 'Trần Văn Khác' WHERE id = :id", id=legacy[0].id)

    result = verify(app)

    assert result.exit_code == 1
    assert f"CHANGED: dossier {legacy[0].id} row 5: " in result.output


@pytest.mark.parametrize("sql", [
    "UPDATE history SET comment = 'Đã sửa' WHERE dossier_id = :id AND seq = 2",
    "UPDATE dossiers SET state = 'conferred' WHERE id = :id",
], ids=["altered row", "changed dossier"])
def test_rekey_refuses_a_broken_legacy_history(app, legacy, sql):
    target = legacy[1].id
    tamper(sql, id=target)

    result = rekey(app, "--legacy")

    assert result.exit_code == 1
    assert f"dossier {target}" in result.output
    assert {entry.key_id for entry in rows_of(legacy[0].id)} == {None}


# The key's settings ---------------------------------------------------------------------------------

def test_development_generates_its_history_key_once_outside_the_database(monkeypatch, tmp_path):
    import config

    monkeypatch.delenv("HISTORY_KEY", raising=False)
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)

    first, second = config.config_for("development").HISTORY_KEY, config.config_for("development").HISTORY_KEY

    assert first == second == (tmp_path / "history_key").read_text().strip()
    assert len(first) == 64 and (tmp_path / "history_key").stat().st_mode & 0o077 == 0
