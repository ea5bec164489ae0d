"""`flask history verify` reports any altered, removed or reordered history row, and nothing otherwise."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from workflow.history import verify_history
from workflow.models import HistoryEntry, db

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
           "REDIS_URL": ""}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "history", "verify"]

    clean = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert (clean.returncode, clean.stdout.strip()) == (0, "History intact."), clean.stderr

    tamper("UPDATE history SET comment = 'Đã sửa' WHERE dossier_id = :id AND seq = 2", id=dossiers[1].id)
    tampered = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert tampered.returncode == 1
    assert f"ALTERED: dossier {dossiers[1].id} row 2:" in tampered.stdout
