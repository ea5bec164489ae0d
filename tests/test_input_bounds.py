"""Input the database or the parser cannot take: integer ids beyond the database's range in any URL, JSON
nested too deep. Each is refused as the client's error (404, 400), never a 500, and changes nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.web_helpers import csrf_token, sign_in
from workflow.models import HistoryEntry, db

pytestmark = pytest.mark.postgres

BEYOND_THE_DATABASE = [2**31, 2**63, 10**30]


@pytest.mark.parametrize("notice_id", BEYOND_THE_DATABASE)
@pytest.mark.parametrize("action", ["read", "retry"])
def test_a_notice_id_beyond_the_database_is_not_found_on_the_api(factory, notice_id, action):
    office = factory.api(factory.user("office"))
    response = office.post(f"/api/v1/notices/{notice_id}/{action}")
    assert (response.status_code, response.json["error"]["code"]) == (404, "not_found")


@pytest.mark.parametrize("notice_id", BEYOND_THE_DATABASE)
def test_a_notice_id_beyond_the_database_is_not_found_on_the_retry_page(app, factory, notice_id):
    office = sign_in(app, factory.user("office"))
    response = office.post(f"/notices/{notice_id}/retry", data={"csrf_token": csrf_token(office, "/notices/failed")})
    assert response.status_code == 404
    assert "<html" in response.text


@pytest.mark.parametrize("dossier_id", BEYOND_THE_DATABASE)
def test_a_dossier_or_document_id_beyond_the_database_is_not_found(app, factory, dossier_id):
    dossier = factory.dossier("draft", unit="ba-dinh")
    submitter = factory.user_once("submitter", "ba-dinh")
    api = factory.api(submitter)
    for path in (f"/api/v1/dossiers/{dossier_id}", f"/api/v1/dossiers/{dossier.id}/documents/{dossier_id}"):
        response = api.get(path)
        assert (response.status_code, response.json["error"]["code"]) == (404, "not_found"), path
    pages = sign_in(app, submitter)
    for path in (f"/dossiers/{dossier_id}", f"/dossiers/{dossier_id}/edit",
                 f"/dossiers/{dossier.id}/documents/{dossier_id}"):
        assert pages.get(path).status_code == 404, path
    assert sign_in(app, factory.user("admin", "thanh-hoi")).get(f"/admin/users/{dossier_id}").status_code == 404


def test_the_document_states_the_bound_of_every_integer_path_parameter(client):
    document = client.get("/api/v1/openapi.json").json
    integers = [(path, parameter["schema"]) for path, item in document["paths"].items()
                for parameter in item.get("parameters", [])
                if parameter["in"] == "path" and parameter["schema"]["type"] == "integer"]
    assert integers
    assert all(schema == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1} for _path, schema in integers)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("path", ["/api/v1/tokens", "/api/v1/dossiers", "/api/v1/campaigns"])
def test_json_nested_too_deep_is_a_bad_request(factory, path):
    api = factory.api(factory.user("submitter"))
    response = api.post(path, data=nested(50_000), content_type="application/json")
    assert (response.status_code, response.json["error"]["code"]) == (400, "bad_request")
    deep_object = '{"username": ' + nested(200) + ', "password": "x"}'
    response = api.post(path, data=deep_object, content_type="application/json")
    assert (response.status_code, response.json["error"]["code"]) == (400, "bad_request")


def test_json_nested_as_deep_as_a_real_request_is_read(factory):
    dossier = factory.dossier("draft", unit="ba-dinh")
    api = factory.api(factory.user_once("submitter", "ba-dinh"))
    before = db.session.scalar(select(func.count()).select_from(HistoryEntry))
    response = api.patch(f"/api/v1/dossiers/{dossier.id}",
                         json={"version": dossier.version, "nominee": {"position": "Chi hội trưởng"}})
    assert response.status_code == 200, response.json
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(HistoryEntry)) == before + 1
