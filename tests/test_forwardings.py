"""Forwarding to a higher authority through the API: several approved dossiers sent at once with the union's letter
(its DOCX with the attached list), refused whole with a reason per dossier, and the authority's answer recorded once:
its decision confers the dossiers it names, the others are declined with its text; on a final list, one amendment."""
from __future__ import annotations

import io

import pytest
from docx import Document
from sqlalchemy import func, select

from tests.test_decisions import CENTRAL, states
from tests.test_honours_amendments import docx_text
from tests.test_honours_list import LIST_URL, all_items, office_api
from workflow.models import Decision, Forwarding, HistoryEntry, Notice, db

pytestmark = pytest.mark.postgres

CENTRAL_AWARD = "bk_tw_hoi"


def letter(dossiers, number="45/TTr-HPN", authority="tw_hoi", **fields) -> dict:
    return {"number": number, "sent_on": "2024-12-20", "signer_name": "Nguyễn Thị Tuyết",
            "signer_title": "TM. BAN THƯỜNG VỤ – CHỦ TỊCH", "authority": authority,
            "dossier_ids": [d.id for d in dossiers], **fields}


def answer(conferred, text="", number="88/QĐ-ĐCT", **fields) -> dict:
    return {"conferred_ids": [d.id for d in conferred], "decision_number": number, "decided_on": "2025-01-10",
            "signer_name": "Hà Thị Nga", "signer_title": "TM. ĐOÀN CHỦ TỊCH – CHỦ TỊCH", "answer_text": text,
            **fields}


def approved_central(factory, *names):
    return [factory.dossier("approved", award_type=CENTRAL_AWARD, name=name) for name in names]


def forwarded(factory, office, *names):
    dossiers = approved_central(factory, *names)
    response = office.post("/api/v1/forwardings", json=letter(dossiers))
    assert response.status_code == 201, response.json
    return response.json["id"], dossiers


def test_the_office_forwards_several_dossiers_with_its_letter(factory):
    office = office_api(factory)
    first, second = approved_central(factory, "Đỗ Thị Lan", "Lê Thị Ánh")
    own = factory.dossier("approved", name="Trần Thị Ưng")  # the standing committee's own award: not forwarded
    # by given name, as lists are
    assert [c["id"] for c in office.get("/api/v1/forwardings/candidates").json] == [second.id, first.id]

    response = office.post("/api/v1/forwardings", json=letter([first, second]))
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["authority_name"], body["answered_at"], body["decision"]) == (CENTRAL, None, None)
    assert [(item["dossier"], item["state"], item["outcome"]) for item in body["items"]] == [
        (first.id, "forwarded", None), (second.id, "forwarded", None)]
    assert states(first, second, own) == ["forwarded", "forwarded", "approved"]
    assert db.session.scalar(select(func.count()).select_from(HistoryEntry).where(
        HistoryEntry.event == "forward")) == 2
    assert office.get("/api/v1/forwardings/candidates").json == []
    assert [f["number"] for f in office.get("/api/v1/forwardings").json] == ["45/TTr-HPN"]

    docx = office.get(body["letter_docx"])
    assert docx.status_code == 200
    text = docx_text(docx.data)
    assert "TỜ TRÌNH" in text and "Số: 45/TTr-HPN" in text and f"Kính gửi: {CENTRAL}" in text
    assert "Về việc đề nghị khen thưởng 2 tập thể, cá nhân" in text
    assert "(Kèm theo Tờ trình số 45/TTr-HPN ngày 20/12/2024 của Ban Thường vụ" in text
    rows = [[cell.text for cell in row.cells] for row in Document(io.BytesIO(docx.data)).tables[-1].rows]
    assert [row[1] for row in rows[2:]] == ["Lê Thị Ánh", "Đỗ Thị Lan"]


def test_a_forwarding_is_refused_whole_with_a_reason_per_dossier(factory):
    office = office_api(factory)
    good, = approved_central(factory, "Đỗ Thị Lan")
    own = factory.dossier("approved", name="Trần Thị Ưng")
    early = factory.dossier("submitted", award_type=CENTRAL_AWARD, name="Chưa Duyệt")
    response = office.post("/api/v1/forwardings", json=letter([good, own, early]))
    assert response.status_code == 422
    assert response.json["error"]["code"] == "batch_refused"
    assert [(d["dossier"], d["rule"]) for d in response.json["error"]["details"]] == [(own.id, "issuer_mismatch")]
    early_only = office.post("/api/v1/forwardings", json=letter([good, early]))
    assert [(d["dossier"], d["rule"]) for d in early_only.json["error"]["details"]] == [
        (early.id, "invalid_transition")]
    assert states(good, own, early) == ["approved", "approved", "submitted"]
    assert db.session.scalar(select(func.count()).select_from(Forwarding)) == 0

    missing = office.post("/api/v1/forwardings", json=letter([good], signer_name=" ", authority="nobody"))
    assert [d["field"] for d in missing.json["error"]["details"]] == ["signer_name", "authority"]
    assert office.post("/api/v1/forwardings", json=letter([good])).status_code == 201
    other, = approved_central(factory, "Phạm Thị Mai")
    again = office.post("/api/v1/forwardings", json=letter([other], number=" 45/TTr-HPN "))
    assert (again.status_code, [d["field"] for d in again.json["error"]["details"]]) == (422, ["number"])
    assert states(other) == ["approved"]


def test_the_answer_confers_those_it_names_and_declines_the_others_once(factory):
    office = office_api(factory)
    forwarding_id, (lan, anh, mai) = forwarded(factory, office, "Đỗ Thị Lan", "Lê Thị Ánh", "Phạm Thị Mai")
    refusal = "Trung ương Hội không xét do đã khen năm 2023"
    response = office.post(f"/api/v1/forwardings/{forwarding_id}/answer", json=answer([lan, anh], refusal))
    assert response.status_code == 200, response.json
    body = response.json
    assert {item["dossier"]: item["outcome"] for item in body["items"]} == {
        lan.id: "granted", anh.id: "granted", mai.id: "refused"}
    assert states(lan, anh, mai) == ["conferred", "conferred", "declined"]
    decision = db.session.get(Decision, body["decision"])
    assert (decision.number, decision.issuer.code, decision.status.value) == ("88/QĐ-ĐCT", "tw_hoi", "recorded")
    assert sorted(item.dossier_id for item in decision.items) == sorted([lan.id, anh.id])
    declined_row = db.session.scalar(select(HistoryEntry).where(HistoryEntry.dossier_id == mai.id,
                                                                HistoryEntry.event == "decline"))
    assert declined_row.comment == refusal
    rows = {item["nominee_name"]: item for item in all_items(office.get(LIST_URL).json)}
    assert (rows["Đỗ Thị Lan"]["decision_number"], rows["Đỗ Thị Lan"]["issuer"]) == ("88/QĐ-ĐCT", CENTRAL)
    assert "Phạm Thị Mai" not in rows

    again = office.post(f"/api/v1/forwardings/{forwarding_id}/answer", json=answer([mai], number="89/QĐ-ĐCT"))
    assert (again.status_code, again.json["error"]["code"]) == (409, "invalid_transition")
    assert states(mai) == ["declined"]


@pytest.mark.parametrize("body, fields", [
    (lambda d: answer([d[0]], "", number=""), ["decision_number", "answer_text"]),
    (lambda d: answer([], ""), ["answer_text"]),
    (lambda d: answer([d[0], d[1]], "", signer_name=" "), ["signer_name"]),
    (lambda d: answer([d[2]], "Không xét"), ["conferred_ids"]),
])
def test_a_wrong_answer_changes_nothing(factory, body, fields):
    office = office_api(factory)
    forwarding_id, dossiers = forwarded(factory, office, "Đỗ Thị Lan", "Lê Thị Ánh")
    outsider, = approved_central(factory, "Ngoài Thị Danh")
    response = office.post(f"/api/v1/forwardings/{forwarding_id}/answer", json=body(dossiers + [outsider]))
    assert response.status_code == 422, response.json
    assert [d["field"] for d in response.json["error"]["details"]] == fields
    assert states(*dossiers) == ["forwarded", "forwarded"]
    assert office.get(f"/api/v1/forwardings/{forwarding_id}").json["answered_at"] is None
    assert db.session.scalar(select(func.count()).select_from(Decision)) == 0


def test_an_answer_after_the_list_is_final_makes_one_amendment_and_invites_the_new_awardee(factory):
    office = office_api(factory)
    factory.dossier("conferred", name="Trần Thị Ưng")
    forwarding_id, (lan, anh) = forwarded(factory, office, "Đỗ Thị Lan", "Lê Thị Ánh")
    assert office.post(LIST_URL + "/finalise").status_code == 201
    response = office.post(f"/api/v1/forwardings/{forwarding_id}/answer", json=answer([lan], "Không xét năm nay"))
    assert response.status_code == 200, response.json
    honours = office.get(LIST_URL).json
    assert honours["version"] == 2
    assert {change["nominee_name"]: change["change"] for change in honours["changes"]} == {
        "Đỗ Thị Lan": "awarded", "Lê Thị Ánh": "refused"}
    rows = {item["nominee_name"]: item for item in all_items(honours)}
    assert rows["Đỗ Thị Lan"]["issuer"] == CENTRAL and "Lê Thị Ánh" not in rows
    # The awardee of the late answer is invited, as those of the first version were; the one refused is not.
    invited = db.session.scalars(select(Notice.dossier_id).where(Notice.kind == "invitation")).all()
    assert lan.id in invited and anh.id not in invited


@pytest.mark.parametrize("role", ["chair", "submitter", "appraiser", "council", "admin"])
def test_only_the_office_forwards(factory, role):
    api = factory.api(factory.user(role))
    dossier, = approved_central(factory, "Đỗ Thị Lan")
    assert api.get("/api/v1/forwardings").status_code == 403
    assert api.post("/api/v1/forwardings", json=letter([dossier])).status_code == 403
    assert states(dossier) == ["approved"]
