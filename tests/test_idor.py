"""Another unit's dossier does not exist for a submitter: every endpoint answers 404 and changes nothing."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.factories import PDF
from workflow.models import Ballot, Dossier, HistoryEntry, VoteRecord, db

MISSING_ID = 987654


def endpoints(dossier_id: int, document_id: int, version: int):
    """(method, path, request keyword arguments) for every dossier endpoint of API.md."""
    base = f"/api/v1/dossiers/{dossier_id}"
    return [
        ("get", base, {}),
        ("patch", base, {"json": {"version": version, "achievements": "Sửa trái phép"}}),
        ("post", f"{base}/documents", {"data": {"kind": "other", "file": (io.BytesIO(PDF), "x.pdf")},
                                       "content_type": "multipart/form-data"}),
        ("get", f"{base}/documents/{document_id}", {}),
        ("delete", f"{base}/documents/{document_id}", {}),
        ("post", f"{base}/events", {"json": {"event": "withdraw", "version": version}}),
        ("post", f"{base}/events", {"json": {"event": "accept", "version": version}}),
        ("post", f"{base}/events", {"json": {"event": "return", "version": version, "comment": "Thiếu"}}),
        ("get", f"{base}/history", {}),
        ("post", f"{base}/votes", {"json": {"vote": "agree"}}),
        ("get", f"{base}/tally", {}),
    ]


def snapshot(dossier_id: int, upload_dir: str) -> dict:
    db.session.expire_all()
    dossier = db.session.get(Dossier, dossier_id)
    result = {
        "state": dossier.state,
        "version": dossier.version,
        "achievements": dossier.achievements,
        "documents": sorted((d.id, d.kind, d.sha256) for d in dossier.documents),
        "history": db.session.scalar(select(func.count()).select_from(HistoryEntry)
                                     .where(HistoryEntry.dossier_id == dossier_id)),
        "votes": db.session.scalar(select(func.count()).select_from(VoteRecord)
                                   .where(VoteRecord.dossier_id == dossier_id)),
        "ballots": db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.dossier_id == dossier_id)),
        "files": sorted(str(p) for p in Path(upload_dir).rglob("*") if p.is_file()),
    }
    db.session.commit()
    return result


def assert_not_found(response):
    assert response.status_code == 404, (response.status_code, response.json)
    assert response.json["error"]["code"] == "not_found"
    assert response.json["error"]["message"]


@pytest.mark.parametrize("state", ["draft", "returned", "council_review", "conferred"])
def test_a_submitter_of_another_unit_gets_404_everywhere_and_changes_nothing(app, factory, state):
    dossier = factory.dossier(state, unit="ba-dinh")
    factory.council(3)
    dossier_id, document_id, version = dossier.id, dossier.documents[0].id, dossier.version
    outsider = factory.api(factory.user("submitter", "hoan-kiem"))
    owner = factory.api(factory.user_once("submitter", "ba-dinh"))
    assert owner.get(f"/api/v1/dossiers/{dossier_id}").status_code == 200
    before = snapshot(dossier_id, app.config["UPLOAD_DIR"])

    for method, path, kwargs in endpoints(dossier_id, document_id, version):
        response = getattr(outsider, method)(path, **kwargs)
        assert_not_found(response)

    assert snapshot(dossier_id, app.config["UPLOAD_DIR"]) == before


@pytest.mark.parametrize("role, unit", [("office", "van-phong"), ("appraiser", "van-phong"), ("council", "thanh-hoi"),
                                        ("chair", "thanh-hoi"), ("admin", "thanh-hoi"),
                                        ("appraiser", "ban-tuyen-giao")])
def test_reviewers_do_not_see_a_draft_that_was_never_submitted(app, factory, role, unit):
    draft = factory.dossier("draft", unit="ba-dinh")
    submitted = factory.dossier("submitted", unit="ba-dinh")
    dossier_id, document_id, version = draft.id, draft.documents[0].id, draft.version
    reviewer = factory.api(factory.user(role, unit))
    assert reviewer.get(f"/api/v1/dossiers/{submitted.id}").status_code == 200
    listed = reviewer.get("/api/v1/dossiers").json
    assert [item["id"] for item in listed["items"]] == [submitted.id]
    before = snapshot(dossier_id, app.config["UPLOAD_DIR"])

    for method, path, kwargs in endpoints(dossier_id, document_id, version):
        assert_not_found(getattr(reviewer, method)(path, **kwargs))

    assert snapshot(dossier_id, app.config["UPLOAD_DIR"]) == before


def test_a_returned_dossier_stays_visible_to_reviewers_once_submitted(factory):
    returned = factory.dossier("returned", unit="ba-dinh")
    office = factory.api(factory.user("office"))
    assert office.get(f"/api/v1/dossiers/{returned.id}").json["state"] == "returned"
    assert office.get(f"/api/v1/dossiers/{returned.id}/history").status_code == 200


@pytest.mark.parametrize("role", ["submitter", "office", "chair", "council"])
def test_a_dossier_that_does_not_exist_is_404_on_every_endpoint(factory, role):
    dossier = factory.dossier("draft")
    api = factory.api(factory.user_once(role) if role != "submitter" else factory.user_once("submitter", "ba-dinh"))
    for method, path, kwargs in endpoints(MISSING_ID, dossier.documents[0].id, 1):
        assert_not_found(getattr(api, method)(path, **kwargs))


def test_a_document_of_another_dossier_is_404_through_a_visible_dossier(app, factory):
    mine = factory.dossier("draft", unit="ba-dinh")
    theirs = factory.dossier("draft", unit="hoan-kiem")
    their_document = theirs.documents[0].id
    api = factory.api(factory.user_once("submitter", "ba-dinh"))
    before = snapshot(theirs.id, app.config["UPLOAD_DIR"])
    assert_not_found(api.get(f"/api/v1/dossiers/{mine.id}/documents/{their_document}"))
    assert_not_found(api.delete(f"/api/v1/dossiers/{mine.id}/documents/{their_document}"))
    assert_not_found(api.get(f"/api/v1/dossiers/{mine.id}/documents/{MISSING_ID}"))
    assert snapshot(theirs.id, app.config["UPLOAD_DIR"]) == before
