"""The object-store interface (workflow/storage.py), the same on both backends: what backups and the app rely on."""
from __future__ import annotations

import hashlib
import io

import pytest

from tests.conftest import make_app, new_bucket
from workflow.storage import LocalStore, ObjectDamaged, ObjectMissing, S3Store, store_from_settings


@pytest.fixture(params=["local", "s3"])
def objects(request, tmp_path):
    if request.param == "local":
        return store_from_settings(None, tmp_path / "uploads", tmp_path / "exports")
    settings = new_bucket(request.getfixturevalue("s3_endpoint"))
    return store_from_settings(settings["STORAGE_URL"], tmp_path / "uploads", tmp_path / "exports",
                               settings["STORAGE_ACCESS_KEY"], settings["STORAGE_SECRET_KEY"])


def test_objects_are_put_read_listed_and_deleted_by_name(objects):
    data = b"%PDF-1.7 " * 1000
    written = objects.put("documents/0123456789abcdef0123456789abcdef", io.BytesIO(data))
    objects.put("exports/job1.xlsx", io.BytesIO(b"PK\x03\x04"))

    assert (written.size, written.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert objects.exists("documents/0123456789abcdef0123456789abcdef") and not objects.exists("documents/other")
    with objects.open("documents/0123456789abcdef0123456789abcdef") as stored:
        assert stored.read() == data
    assert sorted(objects.names()) == ["documents/0123456789abcdef0123456789abcdef", "exports/job1.xlsx"]
    assert list(objects.names("exports/")) == ["exports/job1.xlsx"]
    with objects.open_verified("exports/job1.xlsx", hashlib.sha256(b"PK\x03\x04").hexdigest()) as stored:
        assert stored.read() == b"PK\x03\x04"
    with pytest.raises(ObjectDamaged):
        objects.open_verified("exports/job1.xlsx", hashlib.sha256(b"other").hexdigest())

    objects.delete("exports/job1.xlsx")
    objects.delete("exports/job1.xlsx")  # deleting what is gone is no error
    assert list(objects.names("exports/")) == []
    with pytest.raises(ObjectMissing):
        objects.open("exports/job1.xlsx")


def test_a_put_again_replaces_the_object_whole(objects):
    objects.put("exports/job2.pdf", io.BytesIO(b"first version, longer than the second"))
    objects.put("exports/job2.pdf", io.BytesIO(b"second"))
    with objects.open("exports/job2.pdf") as stored:
        assert stored.read() == b"second"
    assert list(objects.names()) == ["exports/job2.pdf"]


@pytest.mark.parametrize("name", ["../etc/passwd", "documents/../x", "documents/", "/documents/x", "x"])
def test_a_name_outside_the_scheme_is_refused(objects, name):
    with pytest.raises(ValueError):
        objects.put(name, io.BytesIO(b"x"))


def test_the_storage_url_names_bucket_prefix_endpoint_and_region(tmp_path):
    store = store_from_settings("s3://bucket-1/some/prefix?endpoint=http://host:8333&region=ap-southeast-1",
                                tmp_path, tmp_path, "key", "secret")
    assert isinstance(store, S3Store)
    assert (store.bucket, store.key("documents/x"), store.endpoint) == ("bucket-1", "some/prefix/documents/x",
                                                                        "http://host:8333")
    assert store.client.meta.region_name == "ap-southeast-1"
    assert isinstance(store_from_settings("", tmp_path, tmp_path), LocalStore)
    for wrong in ("ftp://host/x", "s3://", "/var/files"):
        with pytest.raises(ValueError):
            store_from_settings(wrong, tmp_path, tmp_path)


def test_a_mistyped_storage_url_stops_the_start(tmp_path, postgres_url):
    with pytest.raises(ValueError, match="STORAGE_URL"):
        make_app(tmp_path, postgres_url, STORAGE_URL="https://files.example/bucket")
