"""Many clients firing at once through a real threaded HTTP server: one winner, the rest told why.

The app is served by werkzeug's threaded server on a free port, so every request runs in its own
thread with its own database session and connection, as under a real web server.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import requests
from sqlalchemy import func, select
from werkzeug.serving import make_server

from tests.factories import PDF, Factory
from workflow.accounts import issue_token
from workflow.history import verify_history
from workflow.models import Ballot, Dossier, HistoryEntry, VoteRecord, db

THREADS = 20


@contextmanager
def serving(app):
    """The app under a real threaded HTTP server on a free port of 127.0.0.1."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def token_for(user) -> str:
    token, _ = issue_token(user, 1)
    db.session.commit()
    return token


def fire_together(base_url: str, requests_to_send: list[tuple[str, str, dict]]) -> list[requests.Response]:
    """POST every (token, path, body) at the same moment, each from its own thread."""
    barrier = threading.Barrier(len(requests_to_send))

    def send(item):
        token, path, body = item
        with requests.Session() as session:
            barrier.wait(timeout=30)
            return session.post(base_url + path, json=body, headers={"Authorization": f"Bearer {token}"},
                                timeout=120)

    # The test's own session must hold no transaction (on SQLite it would hold the write lock).
    db.session.commit()
    with ThreadPoolExecutor(max_workers=len(requests_to_send)) as pool:
        return list(pool.map(send, requests_to_send))


@pytest.fixture(params=["postgresql", "sqlite"])
def backend(request) -> Factory:
    """The factory of a PostgreSQL app or of an SQLite app (a file database, migrated)."""
    return request.getfixturevalue("factory" if request.param == "postgresql" else "sqlite_factory")


def history_count(dossier_id: int, event: str) -> int:
    return db.session.scalar(select(func.count()).select_from(HistoryEntry)
                             .where(HistoryEntry.dossier_id == dossier_id, HistoryEntry.event == event))


def assert_clean_errors(responses, allowed: set[tuple[int, str]]):
    for response in responses:
        assert response.status_code < 500, response.text
        assert "locked" not in response.text.lower()
        if response.status_code >= 300:
            assert response.headers["Content-Type"].startswith("application/json")
            error = response.json()["error"]
            assert (response.status_code, error["code"]) in allowed, response.text
            assert error["message"]


@pytest.mark.parametrize("state, event", [("draft", "submit"), ("submitted", "accept")])
def test_same_event_at_the_same_version_has_exactly_one_winner(backend, state, event):
    dossier = backend.dossier(state)
    actor = backend.actor_for(dossier, event)
    dossier_id, version = dossier.id, dossier.version
    token = token_for(actor)

    with serving(backend.app) as base_url:
        responses = fire_together(base_url, [
            (token, f"/api/v1/dossiers/{dossier_id}/events", {"event": event, "version": version})] * THREADS)

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [409] * (THREADS - 1), [r.text for r in responses if r.status_code != 409]
    assert_clean_errors(responses, {(409, "stale_version")})
    winner = next(r.json() for r in responses if r.status_code == 200)
    assert winner["version"] == version + 1
    db.session.expire_all()
    stored = db.session.get(Dossier, dossier_id)
    assert stored.version == version + 1
    assert stored.state == winner["state"] != state
    assert history_count(dossier_id, event) == 1
    db.session.commit()


@pytest.mark.parametrize("award_type, quota, drafts", [("chi_hoi_tieu_bieu", 2, 4), ("tuyen_pho_kieu_mau", 1, 3)])
def test_concurrent_submits_never_exceed_the_units_quota(backend, award_type, quota, drafts):
    dossiers = [backend.draft(award_type, "dong-da") for _ in range(drafts)]
    token = token_for(backend.user_once("submitter", "dong-da"))
    targets = [(token, f"/api/v1/dossiers/{d.id}/events", {"event": "submit", "version": d.version})
               for d in dossiers]
    ids = [d.id for d in dossiers]

    with serving(backend.app) as base_url:
        responses = fire_together(base_url, targets)

    assert sorted(r.status_code for r in responses) == [200] * quota + [422] * (drafts - quota)
    assert_clean_errors(responses, {(422, "guard_failed")})
    for response in responses:
        if response.status_code == 422:
            assert [d["rule"] for d in response.json()["error"]["details"]] == ["quota"]
    db.session.expire_all()
    states = sorted(db.session.scalars(select(Dossier.state).where(Dossier.id.in_(ids))))
    assert states == ["draft"] * (drafts - quota) + ["submitted"] * quota
    db.session.commit()


def test_the_same_nominee_from_two_units_at_once_is_taken_once(backend):
    first = backend.draft("bk_thanh_hoi", "ba-dinh", name="Trần Thị Minh Châu", birth_year=1980)
    second = backend.draft("bk_thanh_hoi", "hoan-kiem", name="  trần thị   MINH CHÂU ", birth_year=1980)
    targets = [(token_for(backend.user_once("submitter", d.unit.code)), f"/api/v1/dossiers/{d.id}/events",
                {"event": "submit", "version": d.version}) for d in (first, second)]
    ids = [first.id, second.id]

    with serving(backend.app) as base_url:
        responses = fire_together(base_url, targets)

    assert sorted(r.status_code for r in responses) == [200, 422]
    assert_clean_errors(responses, {(422, "guard_failed")})
    loser = next(r.json() for r in responses if r.status_code == 422)
    assert [d["rule"] for d in loser["error"]["details"]] == ["duplicate_nominee"]
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Dossier.state).where(Dossier.id.in_(ids)))) == ["draft", "submitted"]
    db.session.commit()


def post_multipart_together(base_url: str, token: str, path: str, files: list[tuple[str, bytes]]):
    barrier = threading.Barrier(len(files))

    def send(item):
        name, data = item
        with requests.Session() as session:
            barrier.wait(timeout=30)
            return session.post(base_url + path, data={"kind": "other"}, files={"file": (name, data)},
                                headers={"Authorization": f"Bearer {token}"}, timeout=120)

    db.session.commit()
    with ThreadPoolExecutor(max_workers=len(files)) as pool:
        return list(pool.map(send, files))


def test_documents_uploaded_at_once_are_all_kept_each_raising_the_version(backend):
    dossier = backend.dossier("draft")
    token = token_for(backend.user_once("submitter", dossier.unit.code))
    dossier_id, version, documents = dossier.id, dossier.version, len(dossier.documents)
    uploads = 8

    with serving(backend.app) as base_url:
        responses = post_multipart_together(base_url, token, f"/api/v1/dossiers/{dossier_id}/documents",
                                            [(f"phu-luc-{i}.pdf", PDF + str(i).encode()) for i in range(uploads)])

    assert [r.status_code for r in responses] == [201] * uploads, [r.text for r in responses]
    db.session.expire_all()
    stored = db.session.get(Dossier, dossier_id)
    assert stored.version == version + uploads
    assert len(stored.documents) == documents + uploads
    assert history_count(dossier_id, "add_document") == documents + uploads
    db.session.commit()


def test_one_council_member_voting_many_times_at_once_is_counted_once(backend):
    dossier = backend.dossier("council_review")
    member = backend.user("council")
    token = token_for(member)
    dossier_id = dossier.id

    with serving(backend.app) as base_url:
        responses = fire_together(base_url, [(token, f"/api/v1/dossiers/{dossier_id}/votes", {"vote": "agree"})] * 10)

    assert sorted(r.status_code for r in responses) == [201] + [409] * 9
    assert_clean_errors(responses, {(409, "already_voted")})
    assert db.session.scalar(select(func.count()).select_from(VoteRecord).where(
        VoteRecord.dossier_id == dossier_id, VoteRecord.user_id == member.id)) == 1
    assert db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.dossier_id == dossier_id)) == \
        db.session.scalar(select(func.count()).select_from(VoteRecord).where(VoteRecord.dossier_id == dossier_id))
    db.session.commit()


def test_edits_at_the_same_version_have_exactly_one_winner(backend):
    dossier = backend.dossier("returned")
    token = token_for(backend.user_once("submitter", dossier.unit.code))
    dossier_id, version = dossier.id, dossier.version
    bodies = [(token, f"/api/v1/dossiers/{dossier_id}", {"version": version, "achievements": f"Bản {i}"})
              for i in range(THREADS)]

    with serving(backend.app) as base_url:
        barrier = threading.Barrier(THREADS)

        def send(item):
            token_, path, body = item
            with requests.Session() as session:
                barrier.wait(timeout=30)
                return session.patch(base_url + path, json=body, headers={"Authorization": f"Bearer {token_}"},
                                     timeout=120)

        db.session.commit()
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            responses = list(pool.map(send, bodies))

    assert sorted(r.status_code for r in responses) == [200] + [409] * (THREADS - 1)
    assert_clean_errors(responses, {(409, "stale_version")})
    winner = next(r.json() for r in responses if r.status_code == 200)
    db.session.expire_all()
    stored = db.session.get(Dossier, dossier_id)
    assert (stored.version, stored.achievements) == (version + 1, winner["achievements"])
    assert history_count(dossier_id, "edit") == 1
    db.session.commit()


def delete_together(base_url: str, token: str, paths: list[str]):
    barrier = threading.Barrier(len(paths))

    def send(path):
        with requests.Session() as session:
            barrier.wait(timeout=30)
            return session.delete(base_url + path, headers={"Authorization": f"Bearer {token}"}, timeout=120)

    db.session.commit()
    with ThreadPoolExecutor(max_workers=len(paths)) as pool:
        return list(pool.map(send, paths))


def test_removing_documents_at_once(backend):
    dossier = backend.dossier("draft", award_type="chi_hoi_tieu_bieu")
    token = token_for(backend.user_once("submitter", dossier.unit.code))
    dossier_id, version = dossier.id, dossier.version
    first, *others = [d.id for d in dossier.documents]
    base = f"/api/v1/dossiers/{dossier_id}/documents"

    with serving(backend.app) as base_url:
        same = delete_together(base_url, token, [f"{base}/{first}"] * 6)
        different = delete_together(base_url, token, [f"{base}/{document_id}" for document_id in others])

    assert sorted(r.status_code for r in same) == [204] + [404] * 5
    assert_clean_errors(same, {(404, "not_found")})
    assert [r.status_code for r in different] == [204] * len(others)
    db.session.expire_all()
    stored = db.session.get(Dossier, dossier_id)
    assert (stored.documents, stored.version) == ([], version + 1 + len(others))
    assert history_count(dossier_id, "remove_document") == 1 + len(others)
    db.session.commit()


def send_together(base_url: str, token: str, calls: list[tuple[str, str, dict]]) -> list[requests.Response]:
    """Send every (method, path, JSON body) at the same moment, each from its own thread."""
    barrier = threading.Barrier(len(calls))

    def send(call):
        method, path, body = call
        with requests.Session() as session:
            barrier.wait(timeout=30)
            return session.request(method, base_url + path, json=body, headers={"Authorization": f"Bearer {token}"},
                                   timeout=120)

    db.session.commit()
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(send, calls))


def test_an_edit_and_a_step_at_the_same_version_have_exactly_one_winner(backend):
    """Edits and steps share one versioned write: whichever comes second is stale, and the chain stays whole."""
    dossiers = [backend.dossier("returned") for _ in range(4)]
    token = token_for(backend.user_once("submitter", dossiers[0].unit.code))

    with serving(backend.app) as base_url:
        for dossier in dossiers:
            dossier_id, version = dossier.id, dossier.version
            path = f"/api/v1/dossiers/{dossier_id}"
            responses = send_together(base_url, token, [
                ("PATCH", path, {"version": version, "achievements": "Bổ sung thành tích năm 2024"}),
                ("POST", f"{path}/events", {"event": "resubmit", "version": version})])

            assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
            assert_clean_errors(responses, {(409, "stale_version")})
            edited = responses[0].status_code == 200
            db.session.expire_all()
            stored = db.session.get(Dossier, dossier_id)
            assert stored.version == version + 1
            assert stored.state == ("returned" if edited else "submitted")
            assert (stored.achievements == "Bổ sung thành tích năm 2024") == edited
            assert (history_count(dossier_id, "edit"), history_count(dossier_id, "resubmit")) == \
                ((1, 0) if edited else (0, 1))
            db.session.commit()

    assert verify_history() == []
