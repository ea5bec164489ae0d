"""Documents: accepted by content within the size limit, stored safely, served only as attachments."""
from __future__ import annotations

import hashlib
import io
import zipfile
import zlib
from pathlib import Path

import docx
import docx.opc.constants
import docx.oxml
import docx.oxml.ns
import openpyxl
import pytest
from PIL import Image

from tests.conftest import BOTH_STORES, S3_ACCESS_KEY, S3_SECRET_KEY, free_ports, make_app, stored_objects
from tests.factories import PDF, ApiClient
from tests.web_helpers import csrf_token, sign_in
from web.storage import document_store
from workflow import operations as ops
from workflow.accounts import issue_token
from workflow.documents import PDF as PDF_TYPE
from workflow.documents import safe_filename
from workflow.models import Document, Dossier, HistoryEntry, db
from workflow.storage import LocalStore, S3Store, object_store

MB = 1024 * 1024


def assert_error(response, status: int, code: str):
    """The error body of API.md: {"error": {"code", "message", "details"?}} as JSON."""
    assert response.status_code == status, (response.status_code, response.data[:300])
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) <= {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"].strip()
    for detail in body["error"].get("details", []):
        assert isinstance(detail["message"], str) and detail["message"]
    return body["error"]


def upload(api, dossier_id: int, data: bytes, filename: str = "tai-lieu.pdf", kind: str = "other"):
    return api.post(f"/api/v1/dossiers/{dossier_id}/documents",
                    data={"kind": kind, "file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def stored_files(app) -> set[str]:
    with app.app_context():
        return stored_objects()


def version_of(dossier_id: int) -> int:
    db.session.expire_all()
    version = db.session.get(Dossier, dossier_id).version
    db.session.commit()
    return version


@pytest.fixture
def draft(factory):
    return factory.dossier("draft", unit="ba-dinh")


@pytest.fixture
def submitter_api(factory, draft):
    return factory.api(factory.user_once("submitter", "ba-dinh"))


# Good files -------------------------------------------------------------------------------------

def make_docx() -> bytes:
    document = docx.Document()
    document.add_heading("Báo cáo thành tích", level=1)
    document.add_paragraph("Hội LHPN quận Ba Đình hoàn thành xuất sắc nhiệm vụ năm 2024.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["STT", "Họ và tên", "Chức vụ"])
    sheet.append([1, "Nguyễn Thị Hằng", "Chủ tịch"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def make_image(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format=kind)
    return buffer.getvalue()


GOOD_FILES = {
    "pdf": (lambda: PDF, "to-trinh.pdf", "application/pdf"),
    "docx": (make_docx, "bao-cao.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": (make_xlsx, "danh-sach.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "jpeg": (lambda: make_image("JPEG"), "anh.jpg", "image/jpeg"),
    "png": (lambda: make_image("PNG"), "anh.png", "image/png"),
}


@pytest.mark.parametrize("kind", list(GOOD_FILES))
def test_each_accepted_type_is_stored_with_its_size_and_digest(app, draft, submitter_api, kind):
    make, filename, content_type = GOOD_FILES[kind]
    data = make()
    version = draft.version

    response = upload(submitter_api, draft.id, data, filename, "danh_sach")

    assert response.status_code == 201, response.json
    body = response.json
    assert set(body) == {"id", "kind", "filename", "size", "sha256"}
    assert (body["kind"], body["filename"], body["size"]) == ("danh_sach", filename, len(data))
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert version_of(draft.id) == version + 1
    download = submitter_api.get(f"/api/v1/dossiers/{draft.id}/documents/{body['id']}")
    assert download.status_code == 200
    assert download.data == data
    assert download.mimetype == content_type
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert filename in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    dossier = submitter_api.get(f"/api/v1/dossiers/{draft.id}").json
    assert body in dossier["documents"]


def test_a_file_named_like_a_pdf_gets_the_extension_of_what_it_is(draft, submitter_api):
    response = upload(submitter_api, draft.id, make_image("PNG"), "scan.pdf")
    assert response.status_code == 201
    assert response.json["filename"] == "scan.png"


# Refused files ----------------------------------------------------------------------------------

def test_a_file_over_the_limit_is_413_and_leaves_nothing(app, draft, submitter_api, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    before, version = stored_files(app), draft.version
    big = PDF + b"0" * (MB + 10)

    error = assert_error(upload(submitter_api, draft.id, big), 413, "payload_too_large")

    assert "1" in error["message"]
    assert stored_files(app) == before
    assert version_of(draft.id) == version
    assert upload(submitter_api, draft.id, PDF + b"0" * (MB // 2)).status_code == 201


def test_the_limit_set_at_start_also_caps_the_whole_request(tmp_path, postgres_url, app, draft, factory):
    """MAX_UPLOAD_MB given to the factory bounds the request body too, before any of it is parsed."""
    version = draft.version
    limited = make_app(tmp_path, postgres_url, MAX_UPLOAD_MB=1)
    assert limited.config["MAX_CONTENT_LENGTH"] < 3 * MB
    token, _ = issue_token(factory.user_once("submitter", "ba-dinh"), 1)
    db.session.commit()
    api = ApiClient(limited.test_client(), token)
    assert_error(upload(api, draft.id, PDF + b"0" * (3 * MB)), 413, "payload_too_large")
    assert_error(upload(api, draft.id, PDF + b"0" * (MB + 10)), 413, "payload_too_large")
    assert not stored_files(limited)
    assert version_of(draft.id) == version


def office_zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


WORD_SKELETON = {"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<Relationships/>"}


def expanding_docx() -> bytes:
    return office_zip({**WORD_SKELETON, "word/document.xml": b"<w:document>" + b" " * (300 * MB)})


def crowded_docx() -> bytes:
    return office_zip({**WORD_SKELETON, "word/document.xml": b"<w:document/>",
                       **{f"word/media/image{i}.png": b"" for i in range(5000)}}, zipfile.ZIP_STORED)


REFUSED = {
    "html renamed to pdf": (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "bao-cao.pdf"),
    "plain text": ("Báo cáo thành tích năm 2024\n".encode(), "bao-cao.txt"),
    "text named docx": (b"just some words", "bao-cao.docx"),
    "zip that is no office file": (office_zip({"readme.txt": b"hello"}), "bao-cao.docx"),
    "damaged zip": (b"PK\x03\x04" + b"\x00" * 200, "bao-cao.docx"),
    "svg": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "anh.png"),
    "empty": (b"", "rong.pdf"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_content_that_is_not_an_accepted_type_is_415(app, draft, submitter_api, case):
    data, filename = REFUSED[case]
    before, version = stored_files(app), draft.version
    assert_error(upload(submitter_api, draft.id, data, filename), 415, "unsupported_media_type")
    assert stored_files(app) == before
    assert version_of(draft.id) == version


@pytest.mark.parametrize("make", [expanding_docx, crowded_docx], ids=["expands hugely", "thousands of members"])
def test_a_zip_bomb_disguised_as_docx_is_415(app, draft, submitter_api, make):
    data = make()
    assert len(data) < 2 * MB
    before = stored_files(app)
    assert_error(upload(submitter_api, draft.id, data, "bao-cao.docx"), 415, "unsupported_media_type")
    assert stored_files(app) == before


@BOTH_STORES
@pytest.mark.parametrize("filename, expected", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("/tmp/evil.pdf", "evil.pdf"),
    ("C:/Windows/win.ini.pdf", "win.ini.pdf"),
    ("bad\tname\x7f.pdf", "badname.pdf"),
])
def test_a_path_in_the_filename_is_dropped_and_the_file_stored_under_a_generated_name(
        app, tmp_path, draft, submitter_api, filename, expected):
    upload_dir = Path(app.config["UPLOAD_DIR"]).resolve()
    before = stored_files(app)

    response = upload(submitter_api, draft.id, PDF, filename)

    assert response.status_code == 201, response.json
    assert response.json["filename"] == expected
    (new_object,) = stored_files(app) - before
    key = new_object.removeprefix("documents/")
    assert len(key) == 32 and all(c in "0123456789abcdef" for c in key)
    with object_store().open(new_object) as stored:
        assert stored.read() == PDF
    assert db.session.get(Document, response.json["id"]).sha256 == hashlib.sha256(PDF).hexdigest()
    assert not (upload_dir.parent / "etc").exists() and not Path("/tmp/evil.pdf").exists()
    download = submitter_api.get(f"/api/v1/dossiers/{draft.id}/documents/{response.json['id']}")
    assert download.data == PDF
    assert "/" not in download.headers["Content-Disposition"] and "\\" not in download.headers["Content-Disposition"]


def test_bad_form_fields_are_validation_errors(app, draft, submitter_api):
    before = stored_files(app)
    error = assert_error(upload(submitter_api, draft.id, PDF, kind="passport"), 422, "validation_error")
    assert [d["field"] for d in error["details"]] == ["kind"]
    error = assert_error(submitter_api.post(f"/api/v1/dossiers/{draft.id}/documents", data={"kind": "other"},
                                            content_type="multipart/form-data"), 422, "validation_error")
    assert [d["field"] for d in error["details"]] == ["file"]
    assert stored_files(app) == before


# Who and when -----------------------------------------------------------------------------------

@pytest.mark.parametrize("state", ["submitted", "in_appraisal", "council_review", "approved", "conferred",
                                   "rejected", "withdrawn"])
def test_documents_change_only_in_draft_or_returned(app, factory, state):
    dossier = factory.dossier(state, unit="ba-dinh")
    api = factory.api(factory.user_once("submitter", "ba-dinh"))
    before, version, document_id = stored_files(app), dossier.version, dossier.documents[0].id

    assert_error(upload(api, dossier.id, PDF), 409, "invalid_transition")
    assert_error(api.delete(f"/api/v1/dossiers/{dossier.id}/documents/{document_id}"), 409, "invalid_transition")

    assert stored_files(app) == before
    assert version_of(dossier.id) == version
    assert api.get(f"/api/v1/dossiers/{dossier.id}/documents/{document_id}").status_code == 200


@BOTH_STORES
def test_a_returned_dossier_takes_uploads_and_removals_each_raising_the_version(app, factory):
    dossier = factory.dossier("returned", unit="ba-dinh")
    api = factory.api(factory.user_once("submitter", "ba-dinh"))
    version = dossier.version
    old_document = dossier.documents[0]
    old_name = document_store().object_name(old_document.storage_name)
    assert object_store().exists(old_name)

    added = upload(api, dossier.id, PDF, "bo-sung.pdf", "to_trinh")
    assert added.status_code == 201
    assert version_of(dossier.id) == version + 1
    removed = api.delete(f"/api/v1/dossiers/{dossier.id}/documents/{old_document.id}")
    assert removed.status_code == 204 and removed.data == b""
    assert version_of(dossier.id) == version + 2
    assert not object_store().exists(old_name)
    assert_error(api.get(f"/api/v1/dossiers/{dossier.id}/documents/{old_document.id}"), 404, "not_found")
    kinds = [d["kind"] for d in api.get(f"/api/v1/dossiers/{dossier.id}").json["documents"]]
    assert kinds.count("to_trinh") == 1
    history = [row["event"] for row in api.get(f"/api/v1/dossiers/{dossier.id}/history").json]
    assert history[-2:] == ["add_document", "remove_document"]


def test_only_the_units_submitters_change_documents(app, factory):
    dossier = factory.dossier("returned", unit="ba-dinh")
    document_id, version, before = dossier.documents[0].id, dossier.version, stored_files(app)
    office = factory.api(factory.user("office"))
    assert_error(upload(office, dossier.id, PDF), 403, "forbidden")
    assert_error(office.delete(f"/api/v1/dossiers/{dossier.id}/documents/{document_id}"), 403, "forbidden")
    assert stored_files(app) == before
    assert version_of(dossier.id) == version


def test_downloads_only_for_those_who_may_see_the_dossier(factory):
    draft = factory.dossier("draft", unit="ba-dinh")
    submitted = factory.dossier("submitted", unit="ba-dinh")
    office = factory.api(factory.user("office"))
    outsider = factory.api(factory.user("submitter", "hoan-kiem"))
    draft_doc = f"/api/v1/dossiers/{draft.id}/documents/{draft.documents[0].id}"
    submitted_doc = f"/api/v1/dossiers/{submitted.id}/documents/{submitted.documents[0].id}"

    assert office.get(submitted_doc).status_code == 200
    assert_error(office.get(draft_doc), 404, "not_found")
    assert_error(outsider.get(submitted_doc), 404, "not_found")
    anonymous = factory.app.test_client().get(submitted_doc)
    assert_error(anonymous, 401, "unauthorized")


@BOTH_STORES
def test_a_failed_transaction_removes_the_file_it_wrote(app, factory, draft):
    user = factory.user_once("submitter", "ba-dinh")
    before = stored_files(app)
    ops.add_document(user, draft, "other", "x.pdf", PDF, document_store())
    assert len(stored_files(app) - before) == 1
    db.session.rollback()
    assert stored_files(app) == before


@pytest.mark.parametrize("given, expected", [
    ("..\\..\\windows\\win.ini.pdf", "win.ini.pdf"),
    ("../../etc/passwd", "passwd.pdf"),
    ("...", "tai-lieu.pdf"),
    ("Tờ trình.PDF", "Tờ trình.pdf"),
])
def test_the_stored_name_keeps_only_the_last_path_part_with_the_true_extension(given, expected):
    assert safe_filename(given, PDF_TYPE) == expected


@BOTH_STORES
def test_a_document_whose_file_is_gone_from_the_storage_is_404_not_500(app, draft, submitter_api):
    document = draft.documents[0]
    object_store().delete(document_store().object_name(document.storage_name))
    response = submitter_api.get(f"/api/v1/dossiers/{draft.id}/documents/{document.id}")
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


@BOTH_STORES
def test_a_stored_file_that_no_longer_matches_its_hash_is_not_served(app, draft, submitter_api):
    document = draft.documents[0]
    url = f"/api/v1/dossiers/{draft.id}/documents/{document.id}"
    assert submitter_api.get(url).data == PDF
    object_store().put(document_store().object_name(document.storage_name), io.BytesIO(PDF.replace(b"1", b"2")))

    response = submitter_api.get(url)

    assert_error(response, 500, "stored_file_damaged")
    assert PDF.replace(b"1", b"2") not in response.data


@pytest.mark.parametrize("storage_backend", ["s3"])
def test_a_download_while_the_store_cannot_be_reached_is_503_not_500(app, draft, submitter_api, storage_backend):
    objects = object_store()
    (closed_port,) = free_ports(1)
    app.extensions["object_store"] = S3Store(objects.bucket, endpoint=f"http://127.0.0.1:{closed_port}",
                                             access_key=S3_ACCESS_KEY, secret_key=S3_SECRET_KEY)
    try:
        response = submitter_api.get(f"/api/v1/dossiers/{draft.id}/documents/{draft.documents[0].id}")
    finally:
        app.extensions["object_store"] = objects
    assert_error(response, 503, "storage_unavailable")


@BOTH_STORES
def test_an_upload_is_streamed_to_the_store_and_back(app, factory, draft):
    """A file four times larger than the memory its upload may take passes through in chunks; the download is
    the same bytes."""
    import random
    import tracemalloc

    body = random.Random(16).randbytes(40 * MB)
    big_pdf = b"%%PDF-1.7\n1 0 obj<</Length %d>>stream\n" % len(body) + body + b"\nendstream endobj\n%%EOF\n"
    store = document_store()
    store.max_bytes = 64 * MB
    source = io.BytesIO(big_pdf)
    user = factory.user_once("submitter", "ba-dinh")
    tracemalloc.start()
    try:
        document = ops.add_document(user, draft, "other", "lon.pdf", source, store)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    db.session.commit()

    assert peak < 10 * MB, peak
    assert document.size == len(big_pdf) and document.sha256 == hashlib.sha256(big_pdf).hexdigest()
    with store.open_verified(document.storage_name, document.sha256) as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == document.sha256


@BOTH_STORES
def test_a_store_that_cannot_take_the_file_leaves_no_row_pointing_at_nothing(app, tmp_path, draft, submitter_api,
                                                                               storage_backend):
    objects = object_store()
    if storage_backend == "local":
        not_a_folder = tmp_path / "not-a-folder"
        not_a_folder.write_bytes(b"a file where the store wants a folder")
        writer = LocalStore({"documents": not_a_folder})
    else:  # the store refuses the key
        writer = S3Store(objects.bucket, endpoint=objects.endpoint, access_key=S3_ACCESS_KEY, secret_key="wrong")
    app.extensions["object_store"] = writer
    documents, history = db.session.query(Document).count(), db.session.query(HistoryEntry).count()
    db.session.commit()
    try:
        response = upload(submitter_api, draft.id, PDF)
    finally:
        app.extensions["object_store"] = objects

    assert_error(response, 503, "storage_unavailable")
    assert db.session.query(Document).count() == documents and db.session.query(HistoryEntry).count() == history


# Active content ---------------------------------------------------------------------------------

PDF_PAGES = (b"%PDF-1.7\n1 0 obj<</Type/Catalog/Pages 2 0 R%(catalog)s>>endobj\n"
             b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
             b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]%(page)s>>endobj\n")
PDF_END = b"trailer<</Root 1 0 R>>\n%EOF\n"


def make_pdf(catalog: bytes = b"", page: bytes = b"", objects: bytes = b"") -> bytes:
    return PDF_PAGES.replace(b"%(catalog)s", catalog).replace(b"%(page)s", page) + objects + PDF_END


def object_stream(hidden: bytes, dictionary: bytes = b"/Type/ObjStm/N 1/First 4/Filter/FlateDecode",
                  compress=zlib.compress) -> bytes:
    """A PDF whose page links to the action in object 4, kept compressed in object stream 5."""
    data = compress(b"4 0 " + hidden)
    stream = b"5 0 obj<<" + dictionary + b"/Length %d>>stream\n" % len(data) + data + b"\nendstream\nendobj\n"
    return make_pdf(page=b"/Annots[<</Subtype/Link/Rect[0 0 9 9]/A 4 0 R>>]", objects=stream)


ACTIVE_PDFS = {
    "javascript run on opening": (make_pdf(catalog=b"/OpenAction<</S/JavaScript/JS(app.alert(1))>>"), "javascript"),
    "a script named with #hex escapes": (make_pdf(catalog=b"/OpenAction<</S/J#61vaScript/J#53 (app.alert(1))>>"),
                                         "javascript"),
    "a bare /JS entry": (make_pdf(objects=b"4 0 obj<</JS 5 0 R>>endobj\n"), "javascript"),
    "an open action that opens a web address": (make_pdf(catalog=b"/OpenAction<</S/URI/URI(http://x.test/)>>"),
                                                "automatic_action"),
    "additional actions on a page": (make_pdf(page=b"/AA<</O<</S/URI/URI(http://x.test/)>>>>"),
                                     "automatic_action"),
    "a program launched": (make_pdf(objects=b"4 0 obj<</S/Launch/F(cmd.exe)>>endobj\n"), "launch"),
    "an embedded file": (make_pdf(catalog=b"/Names<</EmbeddedFiles<</Names[(a.exe) 4 0 R]>>>>"), "embedded_file"),
    "rich media": (make_pdf(page=b"/Annots[<</Subtype/RichMedia/Rect[0 0 9 9]>>]"), "rich_media"),
    "javascript inside a compressed object stream": (object_stream(b"<</S/JavaScript/JS(app.alert(1))>>"),
                                                     "javascript"),
    "an object stream that does not say its type": (
        object_stream(b"<</S/JavaScript/JS(x)>>", dictionary=b"/N 1/First 4/Filter/FlateDecode"), "javascript"),
    "an object stream in hex and with an escaped name": (
        object_stream(b"<</JS(x)>>", dictionary=b"/Type/O#62jStm/N 1/First 4/Filter/ASCIIHexDecode",
                      compress=lambda raw: raw.hex().encode() + b">"), "javascript"),
    "an object stream that cannot be decoded": (object_stream(b"<</S/GoTo>>", compress=lambda raw: b"x" * 40),
                                                "unreadable_structure"),
}


def assert_refused_as_active(app, draft, api, data: bytes, filename: str, reason: str):
    before, version = stored_files(app), draft.version
    error = assert_error(upload(api, draft.id, data, filename), 415, "unsupported_media_type")
    assert [(d["field"], d["reason"]) for d in error["details"]] == [("file", reason)]
    assert error["details"][0]["message"] in error["message"]
    assert stored_files(app) == before
    assert version_of(draft.id) == version
    return error


@pytest.mark.parametrize("case", list(ACTIVE_PDFS))
def test_a_pdf_with_active_content_is_415_with_the_reason(app, draft, submitter_api, case):
    data, reason = ACTIVE_PDFS[case]
    assert_refused_as_active(app, draft, submitter_api, data, "to-trinh.pdf", reason)


def test_the_refusal_names_the_active_content_in_the_callers_language(app, factory, draft):
    api = factory.api(factory.user_once("submitter", "ba-dinh"), language="en")
    error = assert_error(upload(api, draft.id, ACTIVE_PDFS["javascript run on opening"][0]), 415,
                         "unsupported_media_type")
    assert "JavaScript" in error["message"] and "refused" in error["message"]


PLAIN_PDFS = {
    "an open action that only picks the first view": make_pdf(catalog=b"/OpenAction [3 0 R /XYZ null null 0]"),
    "a link to a web address": make_pdf(page=b"/Annots[<</Subtype/Link/Rect[0 0 9 9]/A<</S/URI/URI(http://x.test/)>>>>]"),
    "a harmless compressed object stream": object_stream(b"<</S/URI/URI(http://x.test/)>>"),
    "a compressed stream whose data spells /JS by chance": make_pdf(
        objects=b"4 0 obj<</Length 8/Filter/DCTDecode>>stream\n\xff\xd8/JS \xff\xd9\nendstream\nendobj\n"),
}


@pytest.mark.parametrize("case", list(PLAIN_PDFS))
def test_a_pdf_without_active_content_is_accepted(draft, submitter_api, case):
    response = upload(submitter_api, draft.id, PLAIN_PDFS[case])
    assert response.status_code == 201, response.json


def with_members(data: bytes, added: dict[str, bytes] | None = None, replaced: dict[str, bytes] | None = None) -> bytes:
    added, replaced = added or {}, replaced or {}
    source = zipfile.ZipFile(io.BytesIO(data))
    return office_zip({**{name: replaced.get(name, source.read(name)) for name in source.namelist()}, **added})


def macro_content_types(data: bytes) -> bytes:
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    return types.replace(b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml")


TEMPLATE_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                 b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                 b'officeDocument/2006/relationships/attachedTemplate" Target="http://x.test/t.dotm" '
                 b'TargetMode="External"/></Relationships>')
JAR = {"META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\nMain-Class: Evil\n", "Evil.class": b"\xca\xfe\xba\xbe"}

ACTIVE_OFFICE_FILES = {
    "a Word file with a VBA project": (lambda: with_members(make_docx(), {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}),
                                       "bao-cao.docx", "macros"),
    "a Word file declared macro-enabled": (lambda: with_members(make_docx(), replaced={
        "[Content_Types].xml": macro_content_types(make_docx())}), "bao-cao.docx", "macros"),
    "an Excel file with Excel 4.0 macro sheets": (
        lambda: with_members(make_xlsx(), {"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"}), "ds.xlsx", "macros"),
    "a Word file with an ActiveX control": (
        lambda: with_members(make_docx(), {"word/activeX/activeX1.xml": b"<ax:ocx/>"}), "bao-cao.docx", "activex"),
    "a Word file with an OLE object": (
        lambda: with_members(make_docx(), {"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0"}), "bao-cao.docx",
        "ole_object"),
    "a Word file embedding a Word file with macros": (lambda: with_members(make_docx(), {
        "word/embeddings/Microsoft_Word_Document.docx": with_members(make_docx(), {"word/vbaProject.bin": b"x"})}),
        "bao-cao.docx", "macros"),
    "a Word file whose template is fetched from elsewhere": (
        lambda: with_members(make_docx(), {"word/_rels/settings.xml.rels": TEMPLATE_RELS}), "bao-cao.docx",
        "external_content"),
    "a Java archive named .docx": (lambda: office_zip(JAR), "bao-cao.docx", "java_archive"),
    "a Java archive that also looks like a Word file": (lambda: with_members(make_docx(), JAR), "bao-cao.docx",
                                                        "java_archive"),
}


@pytest.mark.parametrize("case", list(ACTIVE_OFFICE_FILES))
def test_an_office_file_with_active_content_is_415_with_the_reason(app, draft, submitter_api, case):
    make, filename, reason = ACTIVE_OFFICE_FILES[case]
    assert_refused_as_active(app, draft, submitter_api, make(), filename, reason)


def docx_with_hyperlink() -> bytes:
    document = docx.Document()
    paragraph = document.add_paragraph("Xem thêm: ")
    rel_id = document.part.relate_to("https://hoilhpn.hanoi.gov.vn/", docx.opc.constants.RELATIONSHIP_TYPE.HYPERLINK,
                                     is_external=True)
    link = docx.oxml.OxmlElement("w:hyperlink")
    link.set(docx.oxml.ns.qn("r:id"), rel_id)
    paragraph._p.append(link)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("make", [
    docx_with_hyperlink,
    lambda: with_members(make_docx(), {"word/embeddings/Microsoft_Excel_Worksheet.xlsx": make_xlsx()}),
], ids=["a link to a web page", "a chart's embedded data"])
def test_an_office_file_with_links_or_chart_data_is_accepted(draft, submitter_api, make):
    response = upload(submitter_api, draft.id, make(), "bao-cao.docx")
    assert response.status_code == 201, response.json
    assert response.json["filename"] == "bao-cao.docx"


def test_the_page_refuses_active_content_with_the_reason_and_stores_nothing(app, factory, draft):
    page = sign_in(app, factory.user_once("submitter", "ba-dinh"), language="en")
    before, version = stored_files(app), draft.version
    response = page.post(f"/dossiers/{draft.id}/documents", data={
        "csrf_token": csrf_token(page, f"/dossiers/{draft.id}"), "kind": "other",
        "file": (io.BytesIO(ACTIVE_OFFICE_FILES["a Word file with a VBA project"][0]()), "bao-cao.docx")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "macros (VBA or Excel 4.0)" in response.text
    assert stored_files(app) == before
    assert version_of(draft.id) == version


# Documents per dossier --------------------------------------------------------------------------

def test_the_documents_of_a_dossier_are_limited_by_the_setting(app, draft, submitter_api, monkeypatch):
    assert app.config["MAX_DOCUMENTS_PER_DOSSIER"] == 20
    limit = len(draft.documents) + 2
    monkeypatch.setitem(app.config, "MAX_DOCUMENTS_PER_DOSSIER", limit)
    for _ in range(2):
        assert upload(submitter_api, draft.id, PDF).status_code == 201
    before, version = stored_files(app), version_of(draft.id)

    error = assert_error(upload(submitter_api, draft.id, PDF), 422, "validation_error")

    assert [d["field"] for d in error["details"]] == ["file"]
    assert str(limit) in error["details"][0]["message"]
    assert stored_files(app) == before
    assert version_of(draft.id) == version
    first = submitter_api.get(f"/api/v1/dossiers/{draft.id}").json["documents"][0]
    assert submitter_api.delete(f"/api/v1/dossiers/{draft.id}/documents/{first['id']}").status_code == 204
    assert upload(submitter_api, draft.id, PDF).status_code == 201


def test_the_page_refuses_a_document_past_the_limit(app, factory, draft, monkeypatch):
    limit = len(draft.documents)
    monkeypatch.setitem(app.config, "MAX_DOCUMENTS_PER_DOSSIER", limit)
    page = sign_in(app, factory.user_once("submitter", "ba-dinh"), language="en")
    before, version = stored_files(app), draft.version
    response = page.post(f"/dossiers/{draft.id}/documents", data={
        "csrf_token": csrf_token(page, f"/dossiers/{draft.id}"), "kind": "other",
        "file": (io.BytesIO(PDF), "them.pdf")}, content_type="multipart/form-data", follow_redirects=True)
    assert f"at most {limit} documents" in response.text
    assert stored_files(app) == before
    assert version_of(draft.id) == version
