"""`flask backup create` and `flask backup restore`, on PostgreSQL and on SQLite: a backup of a database with
documents restores into an empty database and empty stores with nothing lost, the history still verifies, and
every document's file matches its hash."""
from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

from sqlalchemy import func, select

from tests.conftest import create_postgres_database, drop_postgres_database, make_app
from tests.delivery_support import restore_celery
from workflow.documents import DocumentStore
from workflow.models import Document, Dossier, HistoryEntry, Notice, PacketDocument, db
from workflow.storage import ObjectMissing, object_store

EXPORTED = b"%PDF-1.7\n% an honours list made earlier\n"
EXPORT_NAME = "5f0c2a9e1b7d4c3a8e6f0b1d2c3a4e5f.pdf"
COUNTED = (Dossier, HistoryEntry, Document, PacketDocument, Notice)


def run(app, *args):
    """The command on `app`: a command runs on the app whose context is current, if one is."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in COUNTED}


def documents_and_hashes() -> dict[str, str]:
    """Every document's recorded hash, and the hash of the file the store holds for it."""
    found = {}
    for document in db.session.scalars(select(Document)):
        try:
            with object_store().open(DocumentStore.object_name(document.storage_name)) as file:
                held = hashlib.sha256(file.read()).hexdigest()
        except ObjectMissing:
            held = None
        found[document.storage_name] = (document.sha256, held)
    return found


def some_dossiers(factory) -> None:
    factory.user("office")
    factory.dossier("submitted")
    factory.dossier("in_appraisal", unit="hoan-kiem")
    factory.draft(name="Trần Thị Bản Sao")


def export_file(app) -> None:
    with app.app_context():
        object_store().put(f"exports/{EXPORT_NAME}", io.BytesIO(EXPORTED))


def back_up_and_restore(source, target, folder: Path) -> None:
    """Back up `source`, restore into `target` (empty), and check that nothing is lost."""
    with source.app_context():
        before = counts()
        recorded = documents_and_hashes()
    assert recorded and all(recorded_hash == file_hash for recorded_hash, file_hash in recorded.values())
    created = run(source, "backup", "create", str(folder))
    assert created.exit_code == 0, created.output
    manifest = json.loads((folder / "manifest.json").read_text())
    # Every object of the store is copied: the recorded files, and any other the store holds (the suite's store is
    # shared by its tests).
    assert {entry["name"] for entry in manifest["objects"] if entry["store"] == "documents"} >= set(recorded)
    assert manifest["problems"] == []

    restored = run(target, "backup", "restore", str(folder))
    assert restored.exit_code == 0, restored.output
    assert f"every one of the {len(recorded)} recorded files matches" in restored.output
    verified = run(target, "history", "verify")
    assert verified.exit_code == 0, verified.output
    with target.app_context():
        assert counts() == before
        assert documents_and_hashes() == recorded
        db.session.remove()
    with target.app_context(), object_store().open(f"exports/{EXPORT_NAME}") as exported:
        assert exported.read() == EXPORTED


def test_a_postgresql_backup_restores_into_a_fresh_database_and_store(app, factory, tmp_path):
    some_dossiers(factory)
    export_file(app)
    target_url = create_postgres_database("awards_restore")
    target = make_app(tmp_path / "target", target_url)
    try:
        back_up_and_restore(app, target, tmp_path / "backup")

        refused = run(target, "backup", "restore", str(tmp_path / "backup"))
        assert refused.exit_code != 0 and "not empty: the database, documents, exports" in refused.output
        forced = run(target, "backup", "restore", "--force", str(tmp_path / "backup"))
        assert forced.exit_code == 0, forced.output
        assert run(target, "history", "verify").exit_code == 0
    finally:
        with target.app_context():
            db.session.remove()
            db.engine.dispose()
        drop_postgres_database(target_url)
        restore_celery(app)


def test_a_sqlite_backup_restores_into_a_fresh_database_and_store(sqlite_app, sqlite_factory, tmp_path):
    some_dossiers(sqlite_factory)
    export_file(sqlite_app)
    target = make_app(tmp_path / "target", f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    try:
        back_up_and_restore(sqlite_app, target, tmp_path / "backup")
        assert (tmp_path / "backup" / "database.sqlite3").is_file()
        refused = run(target, "backup", "restore", str(tmp_path / "backup"))
        assert refused.exit_code != 0 and "not empty" in refused.output
    finally:
        with target.app_context():
            db.engine.dispose()
        restore_celery(sqlite_app)


def test_a_restore_refuses_an_altered_copy_and_names_it(sqlite_app, sqlite_factory, tmp_path):
    some_dossiers(sqlite_factory)
    folder = tmp_path / "backup"
    assert run(sqlite_app, "backup", "create", str(folder)).exit_code == 0
    altered = sorted((folder / "objects" / "documents").iterdir())[0]
    altered.write_bytes(altered.read_bytes() + b"\n% added later")
    target = make_app(tmp_path / "target", f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    try:
        restored = run(target, "backup", "restore", str(folder))
        assert restored.exit_code == 1
        assert f"documents/{altered.name}: the copy in the backup is altered; not restored" in restored.output
        assert f"{altered.name}: missing" in restored.output
        with target.app_context():
            assert not object_store().exists(DocumentStore.object_name(altered.name))
    finally:
        with target.app_context():
            db.engine.dispose()
        restore_celery(sqlite_app)


def test_a_backup_says_which_recorded_files_the_store_lacks(sqlite_app, sqlite_factory, tmp_path):
    some_dossiers(sqlite_factory)
    lost = db.session.scalars(select(Document.storage_name)).first()
    db.session.rollback()  # SQLite: a transaction holds the write lock until it ends
    object_store().delete(DocumentStore.object_name(lost))
    created = run(sqlite_app, "backup", "create", str(tmp_path / "backup"))
    assert created.exit_code == 1
    assert f"recorded file {lost}: missing" in created.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["problems"] == [f"{lost}: missing"]


def test_a_backup_goes_only_into_a_new_or_empty_folder(sqlite_app, tmp_path):
    folder = tmp_path / "backup"
    folder.mkdir()
    (folder / "manifest.json").write_text("an earlier backup's")
    created = run(sqlite_app, "backup", "create", str(folder))
    assert created.exit_code != 0 and "is not empty" in created.output
    assert [path.name for path in folder.iterdir()] == ["manifest.json"]
