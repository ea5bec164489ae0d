"""Award decisions through the API: a draft from the dossiers waiting for one, its refusals (a reason per dossier, a
number used twice), the draft as DOCX and PDF, the signed PDF, and recording, which confers every listed dossier or
none; the honours list's rows then carry the decision's number, date and issuer."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import func, select

from tests.factories import PDF
from tests.test_honours_list import CAMPAIGN, LIST_URL, all_items
from workflow.models import AwardType, Decision, Dossier, HistoryEntry, Notice, db

pytestmark = pytest.mark.postgres

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
OWN = "Ban Thường vụ Hội LHPN thành phố Hà Nội"
CENTRAL = "Đoàn Chủ tịch Trung ương Hội LHPN Việt Nam"


def draft_body(dossiers, number="125/QĐ-HPN", issuer="ban_thuong_vu", **fields) -> dict:
    return {"number": number, "decided_on": "2025-01-02", "signer_name": "Nguyễn Thị Tuyết",
            "signer_title": "TM. BAN THƯỜNG VỤ – CHỦ TỊCH", "issuer": issuer,
            "dossier_ids": [d.id for d in dossiers], **fields}


@pytest.fixture
def office(factory):
    return factory.api(factory.user_once("office", "van-phong"))


def states(*dossiers) -> list[str]:
    db.session.expire_all()
    return [db.session.get(Dossier, d.id).state for d in dossiers]


def upload(api, decision_id: int, data: bytes = PDF, name: str = "qd-125.pdf"):
    return api.post(f"/api/v1/decisions/{decision_id}/signed.pdf", data={"file": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")


def test_the_office_drafts_a_decision_from_the_dossiers_waiting_for_one(factory, office):
    first = factory.dossier("approved", name="Trần Thị Ưng")
    second = factory.dossier("approved", name="Lê Thị Ánh", unit="ung-hoa")
    factory.dossier("submitted", name="Chưa Duyệt")
    candidates = office.get("/api/v1/decisions/candidates?award_type=bk_thanh_hoi").json
    assert [c["id"] for c in candidates] == [first.id, second.id]
    assert [c["id"] for c in office.get("/api/v1/decisions/candidates?unit=ung-hoa").json] == [second.id]

    response = office.post("/api/v1/decisions", json=draft_body([first, second]))
    assert response.status_code == 201, response.json
    decision = response.json
    assert (decision["status"], decision["issuer_name"], decision["signed_pdf"]) == ("prepared", OWN, None)
    assert [item["dossier"] for item in decision["items"]] == [first.id, second.id]
    assert office.get("/api/v1/decisions/candidates").json == []  # on a draft: not offered for another
    assert [d["number"] for d in office.get("/api/v1/decisions").json] == ["125/QĐ-HPN"]

    docx = office.get(f"/api/v1/decisions/{decision['id']}/draft.docx")
    assert docx.status_code == 200
    document = Document(io.BytesIO(docx.data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "QUYẾT ĐỊNH" in text and "Về việc khen thưởng" in text and "DỰ THẢO" in text
    assert "Tặng Bằng khen cho 2 tập thể, cá nhân" in text
    assert "(Kèm theo Quyết định số 125/QĐ-HPN ngày 02/01/2025 của Ban Thường vụ Hội LHPN thành phố Hà Nội)" in text
    heading = document.tables[0]
    assert heading.cell(1, 0).text == "Số: 125/QĐ-HPN" and "ngày 02 tháng 01 năm 2025" in heading.cell(2, 1).text
    signature = document.tables[1].cell(0, 1).text
    assert "TM. BAN THƯỜNG VỤ\nCHỦ TỊCH" in signature and "Nguyễn Thị Tuyết" in signature
    rows = [[cell.text for cell in row.cells] for row in document.tables[2].rows]
    assert [row[1] for row in rows[2:]] == ["Trần Thị Ưng", "Lê Thị Ánh"]  # Ba Đình before Ứng Hòa
    pdf = office.get(f"/api/v1/decisions/{decision['id']}/draft.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")


def test_a_draft_is_refused_whole_with_a_reason_per_dossier(factory, office):
    good = factory.dossier("approved", name="Trần Thị Ưng")
    waiting = factory.dossier("submitted", name="Chưa Duyệt")
    central = factory.dossier("forwarded", name="Đỗ Thị Lan")
    response = office.post("/api/v1/decisions", json=draft_body([good, waiting, central]))
    assert response.status_code == 422
    assert response.json["error"]["code"] == "batch_refused"
    reasons = {d["dossier"]: (d["rule"], d["message"]) for d in response.json["error"]["details"]}
    assert set(reasons) == {waiting.id, central.id}
    assert reasons[waiting.id][0] == "invalid_transition" and "Đã nộp" in reasons[waiting.id][1]
    assert reasons[central.id][0] == "issuer_mismatch" and CENTRAL in reasons[central.id][1]
    assert db.session.scalar(select(func.count()).select_from(Decision)) == 0

    missing = office.post("/api/v1/decisions", json=draft_body([good], signer_name=" ", issuer="nobody"))
    assert missing.status_code == 422
    assert [d["field"] for d in missing.json["error"]["details"]] == ["signer_name", "issuer"]


def test_the_same_number_twice_is_refused_beside_the_number(factory, office):
    office.post("/api/v1/decisions", json=draft_body([factory.dossier("approved")]))
    again = office.post("/api/v1/decisions", json=draft_body([factory.dossier("approved")], number=" 125/QĐ-HPN"))
    assert again.status_code == 422
    assert again.json["error"]["code"] == "validation_error"
    assert [d["field"] for d in again.json["error"]["details"]] == ["number"]
    assert "125/QĐ-HPN" in again.json["error"]["details"][0]["message"]
    assert db.session.scalar(select(func.count()).select_from(Decision)) == 1


def test_recording_the_signed_decision_confers_every_dossier_at_once(factory, office):
    dossiers = [factory.dossier("approved", name=f"Nguyễn Thị {name}") for name in ("Ánh", "Bình", "Dung")]
    decision_id = office.post("/api/v1/decisions", json=draft_body(dossiers)).json["id"]
    unsigned = office.post(f"/api/v1/decisions/{decision_id}/record")
    assert unsigned.status_code == 422
    assert [d["field"] for d in unsigned.json["error"]["details"]] == ["signed_pdf"]
    assert office.get(f"/api/v1/decisions/{decision_id}/signed.pdf").status_code == 404
    assert upload(office, decision_id, PNG, "scan.png").status_code == 415

    uploaded = upload(office, decision_id)
    assert uploaded.status_code == 200, uploaded.json
    assert uploaded.json["signed_pdf"] == f"/api/v1/decisions/{decision_id}/signed.pdf"
    assert office.get(uploaded.json["signed_pdf"]).data == PDF
    notices_before = db.session.scalar(select(func.count()).select_from(Notice))

    recorded = office.post(f"/api/v1/decisions/{decision_id}/record")
    assert recorded.status_code == 200, recorded.json
    assert {m["dossier"]: m["state"] for m in recorded.json} == {d.id: "conferred" for d in dossiers}
    db.session.expire_all()
    for dossier in dossiers:
        dossier = db.session.get(Dossier, dossier.id)
        assert (dossier.decision_number, dossier.decision_date) == ("125/QĐ-HPN", dt.date(2025, 1, 2))
        confer_rows = db.session.scalars(select(HistoryEntry).where(HistoryEntry.dossier_id == dossier.id,
                                                                    HistoryEntry.event == "confer")).all()
        assert [row.details["decision"]["number"] for row in confer_rows] == ["125/QĐ-HPN"]
    assert db.session.scalar(select(func.count()).select_from(Notice)) > notices_before
    assert office.get(f"/api/v1/decisions/{decision_id}").json["status"] == "recorded"
    again = office.post(f"/api/v1/decisions/{decision_id}/record")
    assert (again.status_code, again.json["error"]["code"]) == (409, "invalid_transition")
    assert upload(office, decision_id).status_code == 409


def test_recording_confers_none_when_one_dossier_is_refused(factory, office):
    fine = factory.dossier("approved", name="Trần Thị Ưng")
    changed = factory.dossier("approved", award_type="can_bo_co_so_gioi", name="Lê Thị Ánh")
    decision_id = office.post("/api/v1/decisions", json=draft_body([fine, changed])).json["id"]
    upload(office, decision_id)
    # Since the draft, the award type has become one a higher authority decides: the office's own step refuses it.
    db.session.scalar(select(AwardType).where(AwardType.code == "can_bo_co_so_gioi")).forwarded = True
    db.session.commit()
    response = office.post(f"/api/v1/decisions/{decision_id}/record")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "batch_refused"
    assert [(d["dossier"], d["rule"]) for d in response.json["error"]["details"]] == [(changed.id, "city_level_type")]
    assert "Lê Thị Ánh" in response.json["error"]["details"][0]["message"]
    assert states(fine, changed) == ["approved", "approved"]
    assert office.get(f"/api/v1/decisions/{decision_id}").json["status"] == "prepared"
    assert db.session.scalar(select(func.count()).select_from(HistoryEntry).where(HistoryEntry.event == "confer")) == 0


def test_honours_rows_carry_the_decisions_number_date_and_issuer(factory, office):
    central = factory.dossier("forwarded", name="Đỗ Thị Lan")
    own = factory.dossier("approved", name="Trần Thị Ưng")
    decision_id = office.post("/api/v1/decisions", json=draft_body([central], number="88/QĐ-ĐCT",
                                                                   issuer="tw_hoi")).json["id"]
    upload(office, decision_id)
    assert office.post(f"/api/v1/decisions/{decision_id}/record").status_code == 200
    factory.advance(own, "confer")  # one at a time, without a decision record
    rows = {item["nominee_name"]: item for item in all_items(office.get(LIST_URL).json)}
    assert (rows["Đỗ Thị Lan"]["decision_number"], rows["Đỗ Thị Lan"]["decision_date"],
            rows["Đỗ Thị Lan"]["issuer"]) == ("88/QĐ-ĐCT", "2025-01-02", CENTRAL)
    assert (rows["Trần Thị Ưng"]["decision_number"], rows["Trần Thị Ưng"]["issuer"]) == ("123/QĐ-HPN", OWN)
    sheet = office.get(LIST_URL + "?format=docx")
    table = Document(io.BytesIO(sheet.data)).tables[1]
    assert ["88/QĐ-ĐCT", "02/01/2025", CENTRAL] in [[c.text for c in row.cells][4:] for row in table.rows]
    assert CAMPAIGN in office.get(LIST_URL).json["campaign"]


@pytest.mark.parametrize("role", ["chair", "submitter", "appraiser", "council", "admin"])
def test_only_the_office_handles_decisions(factory, role):
    api = factory.api(factory.user(role))
    assert api.get("/api/v1/decisions").status_code == 403
    assert api.post("/api/v1/decisions", json=draft_body([factory.dossier("approved")])).status_code == 403


def test_a_draft_is_cancelled_whole_and_its_dossiers_are_offered_again(app, factory, office):
    dossiers = [factory.dossier("approved", name=name) for name in ("Trần Thị Ưng", "Lê Thị Ánh")]
    decision_id = office.post("/api/v1/decisions", json=draft_body(dossiers)).json["id"]
    upload(office, decision_id)
    signed = db.session.get(Decision, decision_id).signed_storage_name
    stored = Path(app.config["UPLOAD_DIR"]) / signed[:2] / signed
    assert stored.is_file() and office.get("/api/v1/decisions/candidates").json == []

    assert office.delete(f"/api/v1/decisions/{decision_id}").status_code == 204
    assert sorted(c["id"] for c in office.get("/api/v1/decisions/candidates").json) == sorted(d.id for d in dossiers)
    assert office.get(f"/api/v1/decisions/{decision_id}").status_code == 404
    assert not stored.exists()
    assert states(*dossiers) == ["approved", "approved"]

    recorded_id = office.post("/api/v1/decisions", json=draft_body(dossiers, number="126/QĐ-HPN")).json["id"]
    upload(office, recorded_id)
    assert office.post(f"/api/v1/decisions/{recorded_id}/record").status_code == 200
    refused = office.delete(f"/api/v1/decisions/{recorded_id}")
    assert (refused.status_code, refused.json["error"]["code"]) == (409, "invalid_transition")
    assert states(*dossiers) == ["conferred", "conferred"]
    chair = factory.api(factory.user("chair"))
    assert chair.delete(f"/api/v1/decisions/{recorded_id}").status_code == 403
