"""Where files are kept: one small interface over a local folder or an S3-compatible object store.

Every file is an object with a name the application gives it, "AREA/KEY": `documents/<hex>` for documents,
minutes and signed decisions, `exports/<job id>.<extension>` for the files of exports. A name is written once
and never changed; each row that points at an object keeps the object's SHA-256, which a download checks.

ObjectStore, the whole interface (what backups and health checks use too):
  put(name, stream) -> Written      streams the file in chunks; the object exists whole or not at all
                                    (StorageUnavailable when the store cannot take it)
  open(name) -> binary file         read it (a context manager); ObjectMissing when there is none
  open_verified(name, sha256)       the same, once its content is found to hash to `sha256` (else ObjectDamaged)
  exists(name) -> bool
  delete(name)                      nothing happens when there is no such object
  names(prefix="") -> Iterator[str] every object's name (starting with `prefix`), in no particular order
  describe() -> str                 where the objects are, for logs and health checks (no secrets)
Every call but describe() raises StorageUnavailable when the store cannot be reached or refuses.

`STORAGE_URL` chooses the backend: empty for the local folders (documents in UPLOAD_DIR, exports in EXPORT_DIR),
or `s3://BUCKET[/PREFIX]?endpoint=http://host:8333[&region=...]` for an S3-compatible store, whose keys come
from STORAGE_ACCESS_KEY and STORAGE_SECRET_KEY (or the usual AWS variables and files when those are empty).
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import parse_qs, urlsplit

CHUNK = 1024 * 1024
PART = 5 * CHUNK
# A download is checked before it is sent: up to this size in memory, beyond it in a temporary file.
SPOOL_IN_MEMORY = 1024 * 1024
_NAME = re.compile(r"[a-z]+/[0-9A-Za-z][0-9A-Za-z._-]{0,120}")


class ObjectMissing(LookupError):
    """No object has this name."""


class ObjectDamaged(ValueError):
    """The object's content does not hash to what its row says."""


class StorageUnavailable(OSError):
    """The store cannot be reached, or refuses (keys, space): a put stored nothing."""


@dataclass(frozen=True)
class Written:
    size: int
    sha256: str


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name) or ".." in name:
        raise ValueError(f"bad object name: {name!r}")
    return name


def new_name(area: str, suffix: str = "") -> str:
    return check_name(f"{area}/{uuid.uuid4().hex}{suffix}")


class ObjectStore(Protocol):
    def put(self, name: str, stream: BinaryIO) -> Written: ...

    def open(self, name: str) -> BinaryIO: ...

    def open_verified(self, name: str, sha256: str) -> BinaryIO: ...

    def exists(self, name: str) -> bool: ...

    def delete(self, name: str) -> None: ...

    def names(self, prefix: str = "") -> Iterator[str]: ...

    def describe(self) -> str: ...


class _Hashing:
    """A stream read through, counting and hashing what passes."""

    def __init__(self, stream: BinaryIO):
        self.stream, self.size, self.hash = stream, 0, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(CHUNK if size is None or size < 0 else size)
        self.size += len(data)
        self.hash.update(data)
        return data

    def written(self) -> Written:
        return Written(self.size, self.hash.hexdigest())


def copy_hashing(source: BinaryIO, target: BinaryIO) -> Written:
    reader = _Hashing(source)
    while chunk := reader.read(CHUNK):
        target.write(chunk)
    return reader.written()


def _verified_copy(source: BinaryIO, sha256: str) -> BinaryIO:
    """The source's content in a temporary file (memory first), once it hashes to `sha256`."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    try:
        with source:
            written = copy_hashing(source, spool)
        if written.sha256 != sha256:
            raise ObjectDamaged(f"content hashes to {written.sha256}, its row says {sha256}")
        spool.seek(0)
        return spool
    except BaseException:
        spool.close()
        raise


class LocalStore:
    """Objects as files: each area in its folder, fanned out by the key's first two characters."""

    def __init__(self, folders: dict[str, str | os.PathLike]):
        self.folders = {area: Path(folder) for area, folder in folders.items()}

    def path(self, name: str) -> Path:
        area, key = check_name(name).split("/", 1)
        if area not in self.folders:
            raise ValueError(f"no folder for the objects of {area!r}")
        return self.folders[area] / key[:2] / key

    def put(self, name: str, stream: BinaryIO) -> Written:
        path = self.path(name)
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with temporary.open("wb") as target:
                written = copy_hashing(stream, target)
            temporary.replace(path)
        except BaseException as error:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
            if isinstance(error, OSError):
                raise StorageUnavailable(f"{name}: {error}") from error
            raise
        return written

    def open(self, name: str) -> BinaryIO:
        try:
            return self.path(name).open("rb")
        except FileNotFoundError:
            raise ObjectMissing(name) from None

    def open_verified(self, name: str, sha256: str) -> BinaryIO:
        with self.open(name) as file:
            found = hashlib.file_digest(file, "sha256").hexdigest()
        if found != sha256:
            raise ObjectDamaged(f"{name} hashes to {found}, its row says {sha256}")
        return self.open(name)

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def delete(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            self.path(name).unlink()

    def names(self, prefix: str = "") -> Iterator[str]:
        for area, folder in self.folders.items():
            if not (f"{area}/".startswith(prefix) or prefix.startswith(f"{area}/")) or not folder.is_dir():
                continue
            for path in folder.glob("*/*"):
                name = f"{area}/{path.name}"
                if path.is_file() and not path.name.startswith(".") and name.startswith(prefix):
                    yield name

    def describe(self) -> str:
        return "local folders " + ", ".join(f"{area}: {folder}" for area, folder in self.folders.items())


class S3Store:
    """Objects in a bucket of an S3-compatible store, under an optional key prefix."""

    def __init__(self, bucket: str, prefix: str = "", endpoint: str | None = None, region: str | None = None,
                 access_key: str | None = None, secret_key: str | None = None):
        import boto3
        from botocore.config import Config

        self.bucket, self.prefix, self.endpoint = bucket, prefix.strip("/") + "/" if prefix.strip("/") else "", endpoint
        self.client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint, region_name=region or "us-east-1",
            aws_access_key_id=access_key or None, aws_secret_access_key=secret_key or None,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3, "mode": "standard"},
                          connect_timeout=5, read_timeout=60))

    def key(self, name: str) -> str:
        return self.prefix + check_name(name)

    @contextlib.contextmanager
    def _reaching(self, what: str):
        """The store's refusals and failures to answer, as StorageUnavailable; a missing object as ObjectMissing."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                raise ObjectMissing(what) from None
            raise StorageUnavailable(f"{what}: {error}") from error
        except BotoCoreError as error:
            raise StorageUnavailable(f"{what}: {error}") from error

    def put(self, name: str, stream: BinaryIO) -> Written:
        from boto3.s3.transfer import TransferConfig

        reader = _Hashing(stream)
        # One part at a time is in memory, of the smallest size S3 takes; a failed multipart upload is aborted.
        with self._reaching(name):
            self.client.upload_fileobj(reader, self.bucket, self.key(name), Config=TransferConfig(
                use_threads=False, multipart_threshold=PART, multipart_chunksize=PART))
        return reader.written()

    def open(self, name: str) -> BinaryIO:
        with self._reaching(name):
            return self.client.get_object(Bucket=self.bucket, Key=self.key(name))["Body"]

    def open_verified(self, name: str, sha256: str) -> BinaryIO:
        try:
            with self._reaching(name):
                return _verified_copy(self.open(name), sha256)
        except ObjectDamaged as damaged:
            raise ObjectDamaged(f"{name}: {damaged}") from None

    def exists(self, name: str) -> bool:
        try:
            with self._reaching(name):
                self.client.head_object(Bucket=self.bucket, Key=self.key(name))
        except ObjectMissing:
            return False
        return True

    def delete(self, name: str) -> None:
        with self._reaching(name):
            self.client.delete_object(Bucket=self.bucket, Key=self.key(name))

    def names(self, prefix: str = "") -> Iterator[str]:
        with self._reaching(f"the list of {prefix or 'every object'}"):
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                          Prefix=self.prefix + prefix)
            for page in pages:
                for item in page.get("Contents", []):
                    yield item["Key"][len(self.prefix):]

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix} at {self.endpoint or 'the default endpoint'}"


def store_from_settings(url: str | None, upload_dir: str | os.PathLike, export_dir: str | os.PathLike,
                        access_key: str | None = None, secret_key: str | None = None) -> ObjectStore:
    """The store `url` names (see the module's docstring); the local folders when it is empty."""
    if not url:
        return LocalStore({"documents": upload_dir, "exports": export_dir})
    bucket, prefix, query = parse_storage_url(url)
    return S3Store(bucket, prefix, query.get("endpoint"), query.get("region"), access_key, secret_key)


def parse_storage_url(url: str) -> tuple[str, str, dict[str, str]]:
    """(bucket, key prefix, options) of an s3:// STORAGE_URL; ValueError for anything else."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.hostname:
        raise ValueError("STORAGE_URL is empty (local folders) or s3://BUCKET[/PREFIX]?endpoint=URL")
    return parts.netloc, parts.path, {key: values[-1] for key, values in parse_qs(parts.query).items()}


def object_store() -> ObjectStore:
    """The current app's store, made once per app."""
    from flask import current_app

    store = current_app.extensions.get("object_store")
    if store is None:
        config = current_app.config
        store = current_app.extensions["object_store"] = store_from_settings(
            config.get("STORAGE_URL"), config["UPLOAD_DIR"], config["EXPORT_DIR"],
            config.get("STORAGE_ACCESS_KEY"), config.get("STORAGE_SECRET_KEY"))
    return store

