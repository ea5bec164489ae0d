"""The one text policy: control characters refused at every entry, NUL and lone surrogates answered 400 once,
exports that never fail on stored text, and one key for the several spellings of a name."""
from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from sqlalchemy import func, select, text

from tests.factories import PDF
from tests.test_honours_import import filled, upload
from tests.web_helpers import csrf_token, page_client, sign_in
from workflow.models import Dossier, HonoursListSnapshot, db
from workflow.text import name_key, search_key

CAMPAIGN = "test-campaign"
LIST_URL = f"/api/v1/campaigns/{CAMPAIGN}/honours-list"
MIGRATION = Path(__file__).resolve().parent.parent / "migrations" / "versions" / "0008_text_policy.py"


def new_dossier(api, name="Nguyễn Thị Lan", **fields):
    nominee = {"kind": "individual", "name": name} | fields.pop("nominee", {})
    return api.post("/api/v1/dossiers", json={"campaign": CAMPAIGN, "award_type": "bk_thanh_hoi",
                                              "nominee": nominee, "achievements": "Tốt"} | fields)


def dossier_count() -> int:
    return db.session.scalar(select(func.count(Dossier.id)))


@pytest.fixture
def submitter(factory):
    factory.campaign(CAMPAIGN)
    return factory.user("submitter", "ba-dinh")


# Control characters at every entry --------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "field"), [
    ({"name": "Nguyễn\x01 Thị Lan"}, "nominee.name"),
    ({"nominee": {"position": "Chủ\x01 tịch"}}, "nominee.position"),
    ({"nominee": {"workplace": "Chi hội\x9b"}}, "nominee.workplace"),
    ({"name": "Nguyễn Thị\tLan"}, "nominee.name"),
    ({"achievements": "Dẫn đầu\x07 phong trào"}, "achievements"),
], ids=["name-U+0001", "position", "workplace-C1", "tab-in-a-single-line", "achievements-bell"])
def test_the_api_refuses_a_control_character_naming_the_field(factory, submitter, body, field):
    response = new_dossier(factory.api(submitter), **body)
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error["code"] == "validation_error"
    assert [detail["field"] for detail in error["details"]] == [field]
    assert "U+" in error["details"][0]["message"]
    assert dossier_count() == 0


def test_the_api_keeps_line_breaks_and_tabs_of_multi_line_text_and_stores_nfc(factory, submitter):
    api = factory.api(submitter)
    response = new_dossier(api, name="Nguye\u0302\u0303n Thi\u0323 Lan",
                           achievements="Dòng một\r\n\tDòng hai")
    assert response.status_code == 201, response.json
    assert response.json["nominee"]["name"] == "Nguyễn Thị Lan"
    assert response.json["achievements"] == "Dòng một\n\tDòng hai"
    patched = api.patch(f"/api/v1/dossiers/{response.json['id']}",
                        json={"version": 1, "nominee": {"name": "Lê\x02 Thị"}})
    assert patched.status_code == 422
    assert patched.json["error"]["details"][0]["field"] == "nominee.name"


def test_the_page_form_shows_the_field_error_for_a_control_character(app, factory, submitter):
    client = sign_in(app, submitter)
    response = client.post("/dossiers/new", data={
        "csrf_token": csrf_token(client, "/dossiers/new"), "campaign": CAMPAIGN, "award_type": "bk_thanh_hoi",
        "kind": "individual", "name": "Nguyễn\x01 Thị Lan", "achievements": "Tốt"})
    assert response.status_code == 400
    assert "U+0001" in response.text
    assert dossier_count() == 0


def test_a_return_reason_with_a_control_character_is_refused_on_the_page(app, factory):
    dossier = factory.dossier("submitted")
    client = sign_in(app, factory.user_once("office", "van-phong"))
    path = f"/dossiers/{dossier.id}/events/return"
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "version": dossier.version,
                                       "reason_to_trinh": "Thiếu\x01 chữ ký"})
    assert response.status_code == 400
    assert "U+0001" in response.text
    db.session.expire_all()
    assert db.session.get(Dossier, dossier.id).state == "submitted"


@pytest.mark.parametrize(("row", "column"), [
    (["Cá nhân", "Nguyễn Thị\x9b Lan", None, None, None, None, ""], "B"),
    (["Cá nhân", "Nguyễn Thị\tLan", None, None, None, None, ""], "B"),
    (["Cá nhân", "Nguyễn Thị Lan", "Chủ tịch\x85", None, None, None, ""], "C"),
], ids=["C1-in-the-name", "tab-in-the-name", "next-line-in-the-position"])
def test_the_import_refuses_a_control_character_as_a_row_error(factory, submitter, row, column):
    api = factory.api(submitter)
    response = upload(api, filled(api, [row]), campaign=CAMPAIGN)
    assert response.status_code == 422, response.json
    assert [(d["row"], d["column"]) for d in response.json["error"]["details"]] == [(2, column)]
    assert dossier_count() == 0


def test_the_import_keeps_line_breaks_in_the_achievements(factory, submitter):
    api = factory.api(submitter)
    response = upload(api, filled(api, [["Cá nhân", "Lê Thị\u200b Hoa", None, None, None, None, "Một\nHai"]]),
                      campaign=CAMPAIGN)
    assert response.status_code == 201, response.json
    assert response.json["items"][0]["nominee"]["name"] == "Lê Thị Hoa"
    assert response.json["items"][0]["achievements"] == "Một\nHai"


def test_the_command_line_refuses_a_control_character(app):
    result = app.test_cli_runner().invoke(args=["users", "create", "can.bo", "--role", "office", "--unit",
                                                "van-phong", "--email", "a@example.org", "--name", "Lê\x01 Thị"],
                                          input="mat-khau-dai\n")
    assert result.exit_code == 2
    assert "U+0001" in result.output


def test_the_command_line_refuses_a_username_longer_than_its_column(app):
    result = app.test_cli_runner().invoke(args=["users", "create", "x" * 65, "--role", "office", "--unit",
                                                "van-phong", "--email", "a@example.org"], input="mat-khau-dai\n")
    assert result.exit_code == 1, result.output
    assert "username" in result.output


# NUL and lone surrogates: 400 for the whole app -------------------------------------------------------------

@pytest.mark.parametrize(("role", "method", "path", "kwargs"), [
    (None, "post", "/login", {"data": {"username": "a\x00b", "password": "x"}}),
    (None, "get", "/login?next=/%00", {}),
    ("submitter", "get", "/dossiers?q=nguy%00en", {}),
    ("submitter", "get", "/dossiers?campaign=%00", {}),
    ("office", "get", "/settings/campaigns/tk%00", {}),
    ("office", "get", "/settings/award-types/bk%00", {}),
    ("admin", "get", "/admin/units/ba%00dinh", {}),
    ("office", "get", "/exports/honours-list?campaign=%00", {}),
], ids=["login-form", "login-next", "search", "list-filter", "settings-campaign", "settings-award-type",
        "admin-unit", "export-page"])
def test_a_nul_character_on_the_pages_is_a_bad_request(app, factory, role, method, path, kwargs):
    client = sign_in(app, factory.user_once(role)) if role else page_client(app)
    if method == "post":
        kwargs["data"]["csrf_token"] = csrf_token(client)
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == 400, response.text


API_CASES = [
    ("post", "/api/v1/tokens", '{"username": "\\ud800", "password": "x"}'),
    ("post", "/api/v1/tokens", '{"username": "office", "password": "\\udfff"}'),
    ("post", "/api/v1/tokens", '{"username": "a\\u0000b", "password": "x"}'),
    ("post", "/api/v1/dossiers", '{"campaign": "test-campaign", "award_type": "bk_thanh_hoi", '
                                 '"nominee": {"kind": "individual", "name": "L\\u00ea \\ud83d"}}'),
    ("post", "/api/v1/dossiers", '{"campaign": "test-campaign", "award_type": "bk_thanh_hoi", '
                                 '"nominee": {"kind": "individual", "name": "L\\u0000"}}'),
    ("get", "/api/v1/dossiers?campaign=%00", None),
    ("get", "/api/v1/campaigns/tk%00/honours-list", None),
    ("get", "/api/v1/campaigns/tk%00/statistics", None),
    ("get", "/api/v1/award-types/bk%00/import-template", None),
    ("get", "/api/v1/exports/%00", None),
]


@pytest.mark.parametrize(("method", "path", "body"), API_CASES,
                         ids=["token-surrogate", "password-surrogate", "token-nul", "dossier-surrogate",
                              "dossier-nul", "list-filter", "campaign-path", "statistics-path",
                              "award-type-path", "export-path"])
def test_a_nul_or_lone_surrogate_on_the_api_is_a_bad_request(factory, submitter, method, path, body):
    role = "submitter" if "dossiers" in path or "import-template" in path else "office"
    api = factory.api(submitter if role == "submitter" else factory.user("office"))
    kwargs = {"data": body, "content_type": "application/json"} if body is not None else {}
    response = getattr(api, method)(path, **kwargs)
    assert response.status_code == 400, response.data
    assert response.json["error"]["code"] == "bad_request"
    assert dossier_count() == 0


def test_a_multipart_part_without_a_name_is_a_clear_refusal(factory, submitter):
    """A part with no name has no value either: the guard looks for NUL in what is there, and the import
    says what is missing."""
    body = (b'--B\r\nContent-Disposition: form-data; filename="file.pdf"\r\n\r\n%PDF-\r\n'
            b'--B\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--B--\r\n')
    response = factory.api(submitter).post("/api/v1/dossiers/import", data=body,
                                           content_type="multipart/form-data; boundary=B")
    assert (response.status_code, response.json["error"]["code"]) == (422, "validation_error")
    assert {d["field"] for d in response.json["error"]["details"]} == {"campaign", "award_type", "file"}
    assert dossier_count() == 0


# Bounded keys --------------------------------------------------------------------------------------------

def test_a_name_that_grows_when_case_folded_fits_its_key(factory, submitter):
    response = new_dossier(factory.api(submitter), name="ß" * 255)
    assert response.status_code == 201, response.json
    dossier = db.session.get(Dossier, response.json["id"])
    assert dossier.nominee_name_key == "ss" * 255


def test_a_name_that_grows_in_nfc_past_its_column_is_refused_not_a_server_error(factory, submitter):
    response = new_dossier(factory.api(submitter), name="\ufb2c" * 100)  # each one is three characters in NFC
    assert response.status_code == 422, response.json
    assert response.json["error"]["details"][0]["field"] == "nominee.name"


# One person, several spellings -------------------------------------------------------------------------------

SPELLINGS = [("Lê Thị Hòa", "Lê Thị Hoà"), ("Nguyễn Thị Thúy", "NGUYỄN THỊ THUÝ"), ("Trần Thị Khỏe", "Trần Thị Khoẻ"),
             ("Phạm Thị Tùy", "phạm thị tuỳ"), ("Đỗ Thị Hóa", "Đỗ Thị\u00ad Hoá"), ("Vũ Thị Thụy", "Vũ\u200b Thị Thuỵ")]


@pytest.mark.parametrize(("first", "second"), SPELLINGS)
def test_both_spellings_of_a_name_are_one_nominee_to_the_duplicate_guard(factory, first, second):
    factory.campaign(CAMPAIGN)
    assert name_key(first) == name_key(second)
    factory.dossier("submitted", unit="ba-dinh", name=first)
    other_unit = factory.api(factory.user("submitter", "hoan-kiem"))
    draft = new_dossier(other_unit, name=second).json["id"]
    for kind in ("to_trinh", "bao_cao_thanh_tich"):
        assert other_unit.post(f"/api/v1/dossiers/{draft}/documents", data={
            "kind": kind, "file": (io.BytesIO(PDF), "a.pdf")}, content_type="multipart/form-data").status_code == 201
    version = other_unit.get(f"/api/v1/dossiers/{draft}").json["version"]
    response = other_unit.post(f"/api/v1/dossiers/{draft}/events", json={"event": "submit", "version": version})
    assert response.status_code == 422, response.json
    assert [d["rule"] for d in response.json["error"]["details"]] == ["duplicate_nominee"]


def test_the_import_refuses_both_spellings_of_one_name_in_one_file(factory, submitter):
    api = factory.api(submitter)
    response = upload(api, filled(api, [["Cá nhân", "Lê Thị Hòa", None, None, 1980, None, ""],
                                        ["Cá nhân", "LÊ THỊ HOÀ", None, None, 1980, None, ""]]), campaign=CAMPAIGN)
    assert response.status_code == 422, response.json
    assert [(d["row"], d["column"]) for d in response.json["error"]["details"]] == [(3, "B")]


@pytest.mark.parametrize("typed", ["Ngu\u200byễn Thị Lan", "Nguyễn Th\u00adị Lan", "\ufeffNguyễn Thị\u2060 Lan"])
def test_the_search_finds_a_name_typed_with_invisible_characters(app, factory, submitter, typed):
    api = factory.api(submitter)
    assert new_dossier(api, name=typed).json["nominee"]["name"] == "Nguyễn Thị Lan"
    client = sign_in(app, submitter)
    for query in ("nguyen thi", "Nguyễn Thị Lan", "ngu\u00adyen"):
        assert "Nguyễn Thị Lan" in client.get("/dossiers", query_string={"q": query}).text, query


# Exports never fail on stored text -------------------------------------------------------------------------

def dirty_conferred(factory):
    dossier = factory.dossier("conferred", name="Lê Thị Hoa", position="Chủ tịch")
    db.session.execute(text("UPDATE dossiers SET nominee_name = 'Lê' || chr(1) || ' Thị Hoa', "
                            "nominee_position = 'Chủ' || chr(11) || ' tịch' || chr(65535) WHERE id = :id"),
                       {"id": dossier.id})
    db.session.execute(text("UPDATE units SET name = name || chr(2) WHERE code = 'ba-dinh'"))
    db.session.commit()
    db.session.expire_all()  # the requests share this session: they read the rows as stored
    return factory.api(factory.user_once("office", "van-phong"))


def assert_exports_print(api):
    files = {}
    for fmt in ("xlsx", "docx", "pdf"):
        response = api.get(f"{LIST_URL}?format={fmt}")
        assert response.status_code == 200, (fmt, response.data[:300])
        files[fmt] = response.data
    sheet = openpyxl.load_workbook(io.BytesIO(files["xlsx"])).active
    assert "Lê Thị Hoa" in [cell.value for row in sheet.iter_rows() for cell in row]
    cells = [cell.text for row in Document(io.BytesIO(files["docx"])).tables[1].rows for cell in row.cells]
    assert "Lê Thị Hoa" in cells and "Chủ tịch" in cells
    return files


def test_a_stored_control_character_does_not_break_the_exports(factory):
    api = dirty_conferred(factory)
    assert_exports_print(api)
    assert api.get(f"/api/v1/campaigns/{CAMPAIGN}/statistics?format=xlsx").status_code == 200


def test_a_finalised_list_holding_a_control_character_still_exports_the_same_bytes(factory):
    api = dirty_conferred(factory)
    assert api.post(LIST_URL + "/finalise").status_code == 201
    assert "\\u0001" in db.session.scalar(select(HonoursListSnapshot.content))  # frozen as it was stored
    assert assert_exports_print(api) == assert_exports_print(api)


# The migration cleans what was stored before ------------------------------------------------------------------

def run_migration_cleaning(connection) -> int:
    spec = importlib.util.spec_from_file_location("text_policy_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.clean_rows(connection)


@pytest.mark.parametrize("which", ["postgresql", "sqlite"])
def test_the_migration_cleans_stored_rows_and_recomputes_the_keys(request, which):
    factory = request.getfixturevalue("factory" if which == "postgresql" else "sqlite_factory")
    first = factory.dossier("submitted", name="Lê Thị Hoà")
    dirty = factory.draft(unit="hoan-kiem", name="placeholder")
    old_key = "lê thị hòa"
    db.session.execute(text("UPDATE dossiers SET nominee_name = :name, nominee_name_key = :key, "
                            "nominee_search = :search, nominee_position = :position, achievements = :achievements "
                            "WHERE id = :id"),
                       {"name": "Lê Thị\u200b Hòa\x01", "key": old_key, "search": "le thi\u200b hoa",
                        "position": "Chủ\ttịch\x7f", "achievements": "Một\r\nHai\x0c", "id": dirty.id})
    db.session.execute(text("UPDATE campaigns SET name = :name WHERE code = :code"),
                       {"name": "Đợt\x01 2024", "code": CAMPAIGN})
    db.session.commit()

    assert run_migration_cleaning(db.session.connection()) == 2
    db.session.commit()
    db.session.expire_all()
    cleaned = db.session.get(Dossier, dirty.id)
    assert (cleaned.nominee_name, cleaned.nominee_position, cleaned.achievements) == (
        "Lê Thị Hòa", "Chủ tịch", "Một\nHai")
    assert cleaned.nominee_name_key == name_key("Lê Thị Hoà") == db.session.get(Dossier, first.id).nominee_name_key
    assert cleaned.nominee_search == search_key("le thi hoa") == "le thi hoa"
    assert cleaned.campaign.name == "Đợt 2024"
    assert run_migration_cleaning(db.session.connection()) == 0
