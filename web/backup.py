"""`flask backup create DIR` and `flask backup restore DIR`: the database and every stored object, with a manifest.

A backup folder holds:
- the database: `database.dump` (PostgreSQL, `pg_dump` custom format) or `database.sqlite3` (SQLite, copied
  with its online backup API, so the app may keep running);
- `objects/<store>/<name>`: every object of every store (`object_stores`), copied;
- `manifest.json`: the database file and every object, each with its size and SHA-256.

The database is dumped first, then the objects are copied: an object written meanwhile is copied without a
row that names it (harmless), and the backup then checks that every file the database records (documents,
packet documents, signed decisions) was copied with the hash recorded for it, and says which were not.

A restore goes into an empty database and empty stores only, unless told `--force`: each object is checked
against the manifest on the way in, and at the end every recorded file against the hash its row holds.
The history's key (HISTORY_KEY) is not in the backup: keep it apart, and check with `flask history verify`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import click
from flask.cli import AppGroup
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import URL

from workflow.models import Decision, Document, PacketDocument, db
from workflow.storage import ObjectMissing, ObjectStore, StorageUnavailable, check_name, object_store

MANIFEST = "manifest.json"
OBJECTS = "objects"
FORMAT = 1
CHUNK = 1024 * 1024


class Area:
    """One area of the object store (`workflow.storage`): the documents (with the minutes and signed decisions) or
    the export files, each object named within it."""

    def __init__(self, objects: ObjectStore, area: str):
        self.objects, self.area = objects, area

    def _name(self, name: str) -> str:
        return check_name(f"{self.area}/{name}")

    def path(self, name: str) -> str:
        """The object's full name; refuses a name that is not one."""
        return self._name(name)

    def names(self) -> list[str]:
        return sorted(name.removeprefix(f"{self.area}/") for name in self.objects.names(f"{self.area}/"))

    def open(self, name: str) -> BinaryIO:
        return self.objects.open(self._name(name))

    def put(self, name: str, source: BinaryIO) -> None:
        self.objects.put(self._name(name), source)

    def status(self) -> str:
        """Whether objects can be written here: "ok" or "down" (a probe written and removed)."""
        probe = self._name(f"healthz-{uuid.uuid4().hex}")
        try:
            self.objects.put(probe, io.BytesIO(b""))
            self.objects.delete(probe)
        except (StorageUnavailable, OSError, ValueError):
            return "down"
        return "ok"


def object_stores() -> dict[str, Area]:
    """Every area of objects, by name: what a backup copies and /healthz checks."""
    objects = object_store()
    return {"documents": Area(objects, "documents"), "exports": Area(objects, "exports")}


# The store holding the files the database records with their hash.
RECORDED_STORE = "documents"


def recorded_files() -> dict[str, str]:
    """Every object the database names, with the SHA-256 its row records."""
    recorded: dict[str, str] = {}
    for name, sha256 in db.session.execute(select(Document.storage_name, Document.sha256)):
        recorded[name] = sha256
    for name, sha256 in db.session.execute(select(PacketDocument.storage_name, PacketDocument.sha256)):
        recorded[name] = sha256
    for name, sha256 in db.session.execute(select(Decision.signed_storage_name, Decision.signed_sha256)
                                           .where(Decision.signed_storage_name.is_not(None))):
        recorded[name] = sha256
    return recorded


def _copy_hashing(source: BinaryIO, target: BinaryIO) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        target.write(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _object_sha256(store: Area, name: str) -> str | None:
    try:
        with store.open(name) as handle:
            digest = hashlib.sha256()
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
            return digest.hexdigest()
    except ObjectMissing:
        return None


def file_problems(expected: dict[str, str], found: dict[str, str | None]) -> list[str]:
    """Each recorded file missing or altered: `expected` and `found` map names to hashes."""
    problems = []
    for name, sha256 in sorted(expected.items()):
        if found.get(name) is None:
            problems.append(f"{name}: missing")
        elif found[name] != sha256:
            problems.append(f"{name}: SHA-256 {found[name]}, recorded {sha256}")
    return problems


# The database ------------------------------------------------------------------------------------

def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The libpq address of a PostgreSQL URL, without its password, and the environment that carries it
    (a password on a command line is visible to every user of the machine)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise click.ClickException(f"{command[0]} failed: {done.stderr.strip() or done.stdout.strip()}")


@dataclass(frozen=True)
class DatabaseCopy:
    dialect: str
    file: str


def dump_database(folder: Path) -> DatabaseCopy:
    url = db.engine.url
    if url.get_backend_name() == "postgresql":
        address, env = _libpq(url)
        _run(["pg_dump", "--format=custom", "--file", str(folder / "database.dump"), "--dbname", address], env)
        return DatabaseCopy("postgresql", "database.dump")
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database)
        target = sqlite3.connect(folder / "database.sqlite3")
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return DatabaseCopy("sqlite", "database.sqlite3")
    raise click.ClickException(f"no backup for a {url.get_backend_name()} database")


def database_is_empty() -> bool:
    return not inspect(db.engine).get_table_names()


def load_database(folder: Path, copy: DatabaseCopy, replace: bool) -> None:
    url = db.engine.url
    if copy.dialect != url.get_backend_name():
        raise click.ClickException(f"the backup holds a {copy.dialect} database; "
                                   f"this app uses {url.get_backend_name()}")
    db.session.remove()
    db.engine.dispose()
    if copy.dialect == "postgresql":
        address, env = _libpq(url)
        options = ["--clean", "--if-exists"] if replace else []
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *options, "--dbname", address,
              str(folder / copy.file)], env)
    else:
        source = sqlite3.connect(folder / copy.file)
        target = sqlite3.connect(url.database)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    db.engine.dispose()


# The commands ------------------------------------------------------------------------------------

def create_backup(folder: Path) -> tuple[dict, list[str]]:
    """Write the backup into `folder` (new or empty); returns its manifest and the recorded files that were
    missing or altered in the store."""
    if folder.exists() and any(folder.iterdir()):
        raise click.ClickException(f"{folder} is not empty: give a new folder for each backup")
    folder.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now(dt.UTC)
    database = dump_database(folder)
    revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    db.session.rollback()
    objects = []
    for store_name, store in object_stores().items():
        for name in store.names():
            target = folder / OBJECTS / store_name / name
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with store.open(name) as source, target.open("wb") as copy:
                    size, sha256 = _copy_hashing(source, copy)
            except ObjectMissing:  # removed since it was listed (its removal was committed)
                target.unlink(missing_ok=True)
                continue
            objects.append({"store": store_name, "name": name, "size": size, "sha256": sha256})
    copied = {entry["name"]: entry["sha256"] for entry in objects if entry["store"] == RECORDED_STORE}
    problems = file_problems(recorded_files(), copied)
    db.session.rollback()
    manifest = {
        "format": FORMAT,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "schema_revision": revision,
        "database": {"dialect": database.dialect, "file": database.file,
                     "size": (folder / database.file).stat().st_size,
                     "sha256": _file_sha256(folder / database.file)},
        "objects": objects,
        "problems": problems,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest, problems


def read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise click.ClickException(f"{folder / MANIFEST} cannot be read: {error}") from None
    if manifest.get("format") != FORMAT:
        raise click.ClickException(f"{folder / MANIFEST}: unknown format {manifest.get('format')!r}")
    database = manifest["database"]
    if _file_sha256(folder / database["file"]) != database["sha256"]:
        raise click.ClickException(f"{folder / database['file']} does not match its SHA-256 in the manifest")
    return manifest


def restore_backup(folder: Path, replace: bool) -> tuple[int, list[str]]:
    """Restore the backup in `folder`; returns how many recorded files were checked, and the problems found."""
    manifest = read_manifest(folder)
    stores = object_stores()
    unknown = {entry["store"] for entry in manifest["objects"]} - set(stores)
    if unknown:
        raise click.ClickException(f"the backup holds stores this app does not have: {', '.join(sorted(unknown))}")
    if not replace:
        occupied = [name for name, store in stores.items() if store.names()]
        if not database_is_empty():
            occupied.insert(0, "the database")
        db.session.remove()
        if occupied:
            raise click.ClickException(f"not empty: {', '.join(occupied)}. Restore into an empty database and empty "
                                       f"stores, or give --force to write over what is there")
    database = manifest["database"]
    load_database(folder, DatabaseCopy(database["dialect"], database["file"]), replace)
    problems = []
    for entry in manifest["objects"]:
        store = stores[entry["store"]]
        source_path = folder / OBJECTS / entry["store"] / entry["name"]
        store.path(entry["name"])  # refuses a name that is not one before anything is read
        if _file_sha256(source_path) != entry["sha256"]:
            problems.append(f"{entry['store']}/{entry['name']}: the copy in the backup is altered; not restored")
            continue
        with source_path.open("rb") as source:
            store.put(entry["name"], source)
    recorded = recorded_files()
    db.session.rollback()
    documents = stores[RECORDED_STORE]
    problems += file_problems(recorded, {name: _object_sha256(documents, name) for name in recorded})
    return len(recorded), problems


backup_cli = AppGroup("backup", help="Back up and restore the database and the stored files.")


@backup_cli.command("create")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def create_command(folder: Path):
    """Back up the database and every stored object into FOLDER (new or empty)."""
    manifest, problems = create_backup(folder)
    click.echo(f"Backed up the {manifest['database']['dialect']} database and {len(manifest['objects'])} "
               f"objects into {folder}")
    if problems:
        for problem in problems:
            click.echo(f"recorded file {problem}", err=True)
        click.echo(f"{len(problems)} recorded files are missing or altered in the store (listed in the manifest)",
                   err=True)
        raise SystemExit(1)


@backup_cli.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Write over a database and stores that are not empty.")
def restore_command(folder: Path, force: bool):
    """Restore the backup in FOLDER into this app's database and stores (empty ones unless --force)."""
    checked, problems = restore_backup(folder, force)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(f"Restored, but {len(problems)} files are missing or altered", err=True)
        raise SystemExit(1)
    click.echo(f"Restored from {folder}: every one of the {checked} recorded files matches its SHA-256. "
               "Check the history with `flask history verify`.")
