"""The API's promises from API.md: tokens, error bodies, languages, lists, shapes, campaigns, health."""
from __future__ import annotations

import datetime as dt
import re
import socket

import pytest

from tests.conftest import make_app
from tests.factories import PASSWORD
from workflow.models import db

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIME_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$")


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, (response.status_code, response.data[:300])
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) <= {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"].strip()
    assert "Traceback" not in response.get_data(as_text=True)
    return body["error"]


# Tokens -----------------------------------------------------------------------------------------

def test_a_token_is_issued_for_the_right_password_and_opens_the_api(client, factory):
    user = factory.user("submitter", "ba-dinh", username="nopho.test")
    response = client.post("/api/v1/tokens", json={"username": "nopho.test", "password": PASSWORD})
    assert response.status_code == 201
    assert set(response.json) == {"token", "expires_at"}
    assert TIME_WITH_OFFSET.match(response.json["expires_at"])
    expires = dt.datetime.fromisoformat(response.json["expires_at"])
    assert dt.timedelta(0) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(days=31)
    units = client.get("/api/v1/units", headers={"Authorization": f"Bearer {response.json['token']}"})
    assert units.status_code == 200
    assert user.username == "nopho.test"


@pytest.mark.parametrize("username, password", [("nopho.test", "wrong password"), ("nobody", PASSWORD),
                                                ("nopho.test", PASSWORD.upper())])
def test_wrong_credentials_get_401(client, factory, username, password):
    factory.user("submitter", "ba-dinh", username="nopho.test")
    response = client.post("/api/v1/tokens", json={"username": username, "password": password})
    assert_error(response, 401, "unauthorized")
    assert "token" not in response.get_data(as_text=True)


def test_an_inactive_user_gets_no_token_and_loses_the_ones_held(client, factory):
    user = factory.user("submitter", "ba-dinh", username="nopho.cu")
    api = factory.api(user)
    user.active = False
    db.session.commit()
    assert_error(client.post("/api/v1/tokens", json={"username": "nopho.cu", "password": PASSWORD}), 401,
                 "unauthorized")
    assert_error(api.get("/api/v1/units"), 401, "unauthorized")


# Errors -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"},
                                     {"Authorization": "Bearer "}])
@pytest.mark.parametrize("path", ["/api/v1/units", "/api/v1/dossiers", "/api/v1/dossiers/1", "/api/v1/campaigns"])
def test_no_or_a_bad_token_is_401(client, headers, path):
    assert_error(client.get(path, headers=headers), 401, "unauthorized")


def test_every_kind_of_failure_is_a_json_error(client, factory):
    api = factory.api(factory.user("submitter", "ba-dinh"))
    assert_error(api.get("/api/v1/no-such-thing"), 404, "not_found")
    assert_error(client.get("/api/v1/no-such-thing"), 404, "not_found")
    assert_error(api.delete("/api/v1/units"), 405, "method_not_allowed")
    assert_error(api.put("/api/v1/dossiers"), 405, "method_not_allowed")
    assert_error(api.post("/api/v1/dossiers", data="{not json", content_type="application/json"), 400, "bad_request")
    assert_error(client.post("/api/v1/tokens", data="{not json", content_type="application/json"), 400,
                 "bad_request")
    error = assert_error(api.post("/api/v1/dossiers", json={"campaign": "tk-2024"}), 422, "validation_error")
    assert {"award_type", "nominee"} <= {d["field"] for d in error["details"]}
    assert_error(api.get("/api/v1/dossiers/abc"), 404, "not_found")
    assert_error(api.post("/api/v1/dossiers/1/events", json=[1, 2]), 422, "validation_error")


def test_messages_are_vietnamese_by_default_and_english_on_request(factory):
    dossier = factory.dossier("draft", documents=False)
    submitter = factory.user_once("submitter", "ba-dinh")
    event = {"event": "submit", "version": dossier.version}
    path = f"/api/v1/dossiers/{dossier.id}/events"

    vietnamese = assert_error(factory.api(submitter).post(path, json=event), 422, "guard_failed")
    english = assert_error(factory.api(submitter, "en").post(path, json=event), 422, "guard_failed")

    assert [d["rule"] for d in vietnamese["details"]] == [d["rule"] for d in english["details"]] \
        == ["required_documents"]
    assert english["details"][0]["message"].startswith("Required documents are missing")
    assert "Tờ trình" in vietnamese["details"][0]["message"] or "tờ trình" in vietnamese["details"][0]["message"]
    assert vietnamese["details"][0]["message"] != english["details"][0]["message"]
    assert vietnamese["message"] != english["message"]

    body = {"campaign": "no-such-campaign", "award_type": "bk_thanh_hoi",
            "nominee": {"kind": "individual", "name": "Lê Thị Lan"}}
    vietnamese = assert_error(factory.api(submitter).post("/api/v1/dossiers", json=body), 422, "validation_error")
    english = assert_error(factory.api(submitter, "en").post("/api/v1/dossiers", json=body), 422,
                           "validation_error")
    assert english["details"] == [{"field": "campaign", "message": "No such campaign."}]
    assert vietnamese["details"][0]["field"] == "campaign"
    assert vietnamese["details"][0]["message"] != "No such campaign."
    assert re.search("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", vietnamese["message"].lower())
    assert "đăng nhập" in assert_error(factory.app.test_client().get("/api/v1/units"), 401,
                                       "unauthorized")["message"].lower()


# Lists and scoping ------------------------------------------------------------------------------

def test_the_dossier_list_is_paginated(factory):
    for _ in range(5):
        factory.dossier("draft")
    api = factory.api(factory.user_once("submitter", "ba-dinh"))

    first = api.get("/api/v1/dossiers?per_page=2").json
    second = api.get("/api/v1/dossiers?per_page=2&page=2").json
    last = api.get("/api/v1/dossiers?per_page=2&page=3").json
    beyond = api.get("/api/v1/dossiers?per_page=2&page=9").json

    assert set(first) == {"items", "total", "page", "per_page"}
    assert (first["total"], first["page"], first["per_page"], len(first["items"])) == (5, 1, 2, 2)
    assert (second["page"], len(second["items"]), len(last["items"]), beyond["items"]) == (2, 2, 1, [])
    ids = [d["id"] for page in (first, second, last) for d in page["items"]]
    assert len(set(ids)) == 5
    default = api.get("/api/v1/dossiers").json
    assert (default["page"], default["per_page"]) == (1, 50)
    assert api.get("/api/v1/dossiers?per_page=200").status_code == 200
    for bad in ("per_page=201", "per_page=0", "page=0", "per_page=abc", "state=flying"):
        assert_error(api.get(f"/api/v1/dossiers?{bad}"), 422, "validation_error")


def test_the_dossier_list_filters(factory):
    factory.campaign("other-campaign")
    drafted = factory.dossier("draft", award_type="bk_thanh_hoi")
    submitted = factory.dossier("submitted", award_type="can_bo_co_so_gioi")
    elsewhere = factory.dossier("draft", campaign="other-campaign")
    hoan_kiem = factory.dossier("submitted", unit="hoan-kiem")
    office = factory.api(factory.user("office"))
    submitter = factory.api(factory.user_once("submitter", "ba-dinh"))

    def ids(api, query=""):
        return sorted(d["id"] for d in api.get(f"/api/v1/dossiers?{query}").json["items"])

    assert ids(submitter) == sorted([drafted.id, submitted.id, elsewhere.id])
    assert ids(submitter, "state=draft") == sorted([drafted.id, elsewhere.id])
    assert ids(submitter, "campaign=other-campaign") == [elsewhere.id]
    assert ids(submitter, "award_type=can_bo_co_so_gioi") == [submitted.id]
    assert ids(submitter, "unit=hoan-kiem") == []
    assert ids(submitter, "campaign=test-campaign&state=draft&award_type=bk_thanh_hoi") == [drafted.id]
    assert ids(office) == sorted([submitted.id, hoan_kiem.id])
    assert ids(office, "unit=hoan-kiem") == [hoan_kiem.id]
    assert ids(office, "state=draft") == []
    assert ids(office, "campaign=no-such") == []
    assert submitter.get("/api/v1/dossiers?state=draft").json["total"] == 2


def test_reference_lists_have_the_shapes_of_api_md(factory):
    api = factory.api(factory.user("council"))

    units = api.get("/api/v1/units").json
    assert isinstance(units, list)
    assert all(set(u) >= {"code", "name", "kind", "parent"} for u in units)
    by_code = {u["code"]: u for u in units}
    assert by_code["thanh-hoi"]["parent"] is None
    assert by_code["ba-dinh"]["parent"] == "thanh-hoi" and by_code["ba-dinh"]["kind"] == "district"
    assert by_code["van-phong"]["kind"] == "department" and by_code["hoi-nu-tri-thuc"]["kind"] == "member_org"
    assert {u["kind"] for u in units} <= {"city", "department", "district", "affiliated", "member_org"}
    assert by_code["ung-hoa"]["name"].endswith("Ứng Hòa")

    types = api.get("/api/v1/award-types").json
    # The 2024 plan's award types, then those of workflow/reference_data/ (the Tết gift list's).
    assert [t["code"] for t in types] == ["bk_tw_hoi", "bk_thanh_hoi", "chi_hoi_tieu_bieu", "can_bo_co_so_gioi",
                                          "uy_thac_nhcsxh", "tuyen_pho_kieu_mau", "qua_tet"]
    keys = {"code", "name", "subject", "rank", "forwarded", "required_documents", "quota_per_unit", "vote_quorum",
            "vote_threshold"}
    assert all(set(t) >= keys for t in types)
    chi_hoi = types[2]
    assert (chi_hoi["subject"], chi_hoi["forwarded"], chi_hoi["quota_per_unit"]) == ("collective", True, 2)
    assert chi_hoi["required_documents"] == ["to_trinh", "bao_cao_thanh_tich", "bien_ban"]
    assert (chi_hoi["vote_quorum"], chi_hoi["vote_threshold"]) == (0.6667, 0.7)
    assert types[1]["quota_per_unit"] is None and types[0]["subject"] == "any"
    assert [t["rank"] for t in types] == sorted(t["rank"] for t in types)

    campaigns = api.get("/api/v1/campaigns").json
    (tk2024,) = [c for c in campaigns if c["code"] == "tk-2024"]
    assert set(tk2024) >= {"code", "name", "year", "submission_deadline", "ceremony_date", "status"}
    assert tk2024.items() >= {"code": "tk-2024", "name": "Tổng kết công tác Hội năm 2024", "year": 2024,
                              "submission_deadline": "2024-12-20", "ceremony_date": "2025-01-03",
                              "status": "open"}.items()


def test_the_office_opens_a_campaign_and_a_submitter_may_not(factory):
    office = factory.api(factory.user("office"))
    body = {"code": "tk-2025", "name": "Tổng kết công tác Hội năm 2025", "year": 2025,
            "submission_deadline": "2025-12-10", "ceremony_date": "2026-01-05"}

    created = office.post("/api/v1/campaigns", json=body)

    assert created.status_code == 201, created.json
    assert created.json["status"] == "open"
    assert {k: created.json[k] for k in body} == body
    assert "tk-2025" in [c["code"] for c in office.get("/api/v1/campaigns").json]
    submitter = factory.api(factory.user("submitter", "ba-dinh"))
    assert_error(submitter.post("/api/v1/campaigns", json={**body, "code": "tk-2026"}), 403, "forbidden")
    assert "tk-2026" not in [c["code"] for c in office.get("/api/v1/campaigns").json]
    assert_error(office.post("/api/v1/campaigns", json=body), 422, "validation_error")
    assert_error(office.post("/api/v1/campaigns", json={**body, "code": "Bad Code!"}), 422, "validation_error")
    closed = office.post("/api/v1/campaigns", json={**body, "code": "tk-closed", "status": "closed"})
    assert closed.json["status"] == "closed"


def test_dates_are_plain_and_times_carry_their_offset(factory):
    dossier = factory.dossier("returned")
    api = factory.api(factory.user_once("submitter", "ba-dinh"))
    body = api.get(f"/api/v1/dossiers/{dossier.id}").json
    assert DATE.match(body["due_date"])
    assert TIME_WITH_OFFSET.match(body["created_at"]) and TIME_WITH_OFFSET.match(body["updated_at"])
    assert body["created_at"].endswith("+07:00")
    history = api.get(f"/api/v1/dossiers/{dossier.id}/history").json
    assert all(TIME_WITH_OFFSET.match(row["at"]) for row in history)
    assert set(history[-1]) >= {"event", "from_state", "to_state", "actor", "comment", "at"}
    assert (history[-1]["event"], history[-1]["actor"]) == ("return", factory.user_once("office").username)
    conferred = factory.dossier("conferred")
    decision = api.get(f"/api/v1/dossiers/{conferred.id}").json["decision"]
    assert decision["number"] == "123/QĐ-HPN" and DATE.match(decision["date"])


# Health -----------------------------------------------------------------------------------------

def test_health_without_a_broker_says_eager(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "broker": "eager", "storage": "ok"}


def test_health_with_the_broker_up_and_down(tmp_path, postgres_url, redis_url, app):
    with_broker = make_app(tmp_path / "up", postgres_url, REDIS_URL=redis_url)
    assert with_broker.test_client().get("/healthz").json == {"status": "ok", "database": "ok", "broker": "ok",
                                                              "storage": "ok"}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    broker_down = make_app(tmp_path / "down", postgres_url, REDIS_URL=f"redis://127.0.0.1:{closed_port}/0")
    response = broker_down.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "broker": "down", "storage": "ok"}


def test_office_users_opening_the_same_campaign_at_once_get_one_campaign_and_clear_refusals(factory):
    import threading

    from sqlalchemy import func, select

    from workflow.models import Campaign

    clients = [factory.api(factory.user("office")) for _ in range(8)]
    body = {"code": "tk-race", "name": "Đợt khen thưởng", "year": 2026}
    start = threading.Barrier(len(clients))
    statuses = []

    def create(client):
        start.wait()
        statuses.append(client.post("/api/v1/campaigns", json=body).status_code)

    threads = [threading.Thread(target=create, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [201] + [422] * 7
    assert db.session.scalar(select(func.count()).select_from(Campaign).where(Campaign.code == "tk-race")) == 1
