"""The honours list before every answer is in: finalised with forwarded dossiers pending, amended by each later
answer (a pending dossier conferred or declined, an award revoked) as a new version chained by hash to the one
before; every version's exports state it and stay the same bytes."""
import datetime as dt
import hashlib
import io
import json

import openpyxl
import pypdf
import time_machine
from docx import Document

from workflow import operations as ops
from workflow.honours import snapshot_versions, verify_versions
from workflow.i18n import today
from workflow.models import HonoursListSnapshot, db

CAMPAIGN = "test-campaign"
LIST_URL = f"/api/v1/campaigns/{CAMPAIGN}/honours-list"
VERSIONS_URL = LIST_URL + "/versions"
FORMATS = ("xlsx", "docx", "pdf")


def office_api(factory):
    return factory.api(factory.user_once("office", "van-phong"))


def names(groups):
    return [item["nominee_name"] for group in groups for item in group["items"]]


def xlsx_texts(data):
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    return [cell.value for row in ws.iter_rows() for cell in row if isinstance(cell.value, str)]


def docx_text(data):
    document = Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)


def pdf_text(data):
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def version_files(api, version):
    return {fmt: api.get(f"{VERSIONS_URL}/{version}?format={fmt}").data for fmt in FORMATS}


def finalised_with_two_pending(factory):
    """A campaign with one conferred award and two dossiers forwarded to the higher authority, finalised."""
    conferred = factory.dossier("conferred", name="Trần Thị Ưng")
    first = factory.dossier("forwarded", name="Đỗ Thị Lan")
    second = factory.dossier("forwarded", name="Lê Thị Ánh", unit="ung-hoa")
    api = office_api(factory)
    response = api.post(LIST_URL + "/finalise")
    assert response.status_code == 201, response.json
    assert response.json["version"] == 1 and response.json["rows"] == 1
    return api, conferred, first, second


def test_the_list_is_final_with_forwarded_dossiers_in_the_pending_section(factory):
    api, conferred, first, second = finalised_with_two_pending(factory)
    honours = api.get(LIST_URL).json
    assert honours["version"] == 1 and honours["changes"] == []
    assert names(honours["groups"]) == ["Trần Thị Ưng"]
    assert names(honours["pending"]) == ["Đỗ Thị Lan", "Lê Thị Ánh"]  # the units' order
    assert all(item["decision_number"] is None for group in honours["pending"] for item in group["items"])
    assert {item["dossier"] for group in honours["pending"] for item in group["items"]} == {first.id, second.id}

    files = version_files(api, 1)
    texts = xlsx_texts(files["xlsx"])
    assert "Phiên bản 1" in texts and "CHỜ QUYẾT ĐỊNH: đã trình cấp trên" in texts
    # the pending section comes after the conferred groups and their grand total
    assert texts.index("Tổng cộng: 1") < texts.index("CHỜ QUYẾT ĐỊNH: đã trình cấp trên") < texts.index("Đỗ Thị Lan")
    assert "Phiên bản 1" in docx_text(files["docx"]) and "CHỜ QUYẾT ĐỊNH" in docx_text(files["docx"])
    assert "Phiên bản 1" in pdf_text(files["pdf"]) and "CHỜ QUYẾT ĐỊNH" in pdf_text(files["pdf"])


def test_an_approved_dossier_awaiting_the_unions_own_decision_still_holds_the_list_back(factory):
    factory.dossier("conferred", name="Trần Thị Ưng")
    factory.dossier("forwarded", name="Đỗ Thị Lan")
    factory.dossier("approved", name="Hoàng Thị Chờ")
    refused = office_api(factory).post(LIST_URL + "/finalise")
    assert refused.status_code == 422
    assert [detail["rule"] for detail in refused.json["error"]["details"]] == ["decisions_pending"]
    assert "1 " in refused.json["error"]["details"][0]["message"]


def test_each_answer_makes_a_version_chained_to_the_one_before_and_earlier_versions_keep_their_bytes(factory):
    api, conferred, first, second = finalised_with_two_pending(factory)
    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False) as clock:
        before = version_files(api, 1)
        clock.shift(dt.timedelta(minutes=5))  # past the two-second resolution of zip entry times

        factory.advance(first, "confer")  # the higher authority confers one
        clock.shift(dt.timedelta(minutes=5))
        factory.advance(second, "decline")  # and declines the other
        clock.shift(dt.timedelta(minutes=5))
        assert version_files(api, 1) == before

    versions = api.get(VERSIONS_URL).json
    assert versions["verified"] is True
    assert [v["version"] for v in versions["versions"]] == [1, 2, 3]
    one, two, three = versions["versions"]
    assert one["previous_sha256"] is None and two["previous_sha256"] == one["sha256"]
    assert three["previous_sha256"] == two["sha256"]
    assert [(c["nominee_name"], c["change"], c["decision_number"]) for c in two["changes"]] == [
        ("Đỗ Thị Lan", "awarded", "123/QĐ-HPN")]
    assert [(c["nominee_name"], c["change"]) for c in three["changes"]] == [("Lê Thị Ánh", "refused")]

    second_version = api.get(f"{VERSIONS_URL}/2").json
    assert names(second_version["groups"]) == ["Đỗ Thị Lan", "Trần Thị Ưng"]
    assert names(second_version["pending"]) == ["Lê Thị Ánh"]
    latest = api.get(LIST_URL).json
    assert latest["version"] == 3 and latest["pending"] == []
    assert names(latest["groups"]) == ["Đỗ Thị Lan", "Trần Thị Ưng"]
    assert names(api.get(f"{VERSIONS_URL}/1").json["pending"]) == ["Đỗ Thị Lan", "Lê Thị Ánh"]  # as it was

    texts = xlsx_texts(api.get(f"{VERSIONS_URL}/2?format=xlsx").data)
    assert "Phiên bản 2 – Bản sửa đổi lần 1" in texts
    assert "Những điểm sửa đổi so với phiên bản 1:" in texts
    assert any(text.startswith("– Đỗ Thị Lan (Hội LHPN quận Ba Đình)") and "123/QĐ-HPN" in text for text in texts)
    third = pdf_text(api.get(f"{VERSIONS_URL}/3?format=pdf").data)
    assert "Phiên bản 3 – Bản sửa đổi lần 2" in third and "Lê Thị Ánh" in third and "không khen thưởng" in third
    assert "Bản sửa đổi lần 2" in docx_text(api.get(f"{LIST_URL}?format=docx").data)
    assert api.get(f"{VERSIONS_URL}/4").status_code == 404


def test_the_differences_between_versions_are_only_the_answered_dossiers(factory):
    api, conferred, first, second = finalised_with_two_pending(factory)
    factory.advance(first, "confer")
    one, two = (api.get(f"{VERSIONS_URL}/{n}").json for n in (1, 2))
    moved = next(item for group in one["pending"] for item in group["items"] if item["dossier"] == first.id)
    now_conferred = next(item for group in two["groups"] for item in group["items"] if item["dossier"] == first.id)
    assert {key: value for key, value in now_conferred.items() if key not in ("stt", "decision_number",
                                                                             "decision_date")} == \
        {key: value for key, value in moved.items() if key not in ("stt", "decision_number", "decision_date")}
    unchanged = [item for group in one["groups"] for item in group["items"]]
    assert unchanged[0] in [item for group in two["groups"] for item in group["items"]]


def test_answers_in_one_transaction_make_one_amendment(factory):
    api, conferred, first, second = finalised_with_two_pending(factory)
    office = factory.user_once("office", "van-phong")
    ops.fire_event(office, first, "confer", first.version,
                   ops.EventInput(decision_number="77/QĐ-TWH", decision_date=today()))
    ops.fire_event(office, second, "decline", second.version, ops.EventInput(comment="Chưa đủ tiêu chuẩn"))
    db.session.commit()
    versions = api.get(VERSIONS_URL).json["versions"]
    assert [v["version"] for v in versions] == [1, 2]
    assert [(c["nominee_name"], c["change"]) for c in versions[1]["changes"]] == [
        ("Đỗ Thị Lan", "awarded"), ("Lê Thị Ánh", "refused")]
    assert api.get(VERSIONS_URL).json["verified"] is True


def test_a_dossier_not_on_the_final_list_makes_no_amendment(factory):
    api, *_ = finalised_with_two_pending(factory)
    late = factory.dossier("forwarded", name="Muộn Thị Sau")  # forwarded after the list was final
    factory.advance(late, "confer")
    assert [v["version"] for v in api.get(VERSIONS_URL).json["versions"]] == [1]
    assert "Muộn Thị Sau" not in str(api.get(LIST_URL).json)


def test_a_revocation_amends_the_list_showing_the_award_revoked_with_its_decision(factory):
    api, conferred, *_ = finalised_with_two_pending(factory)
    factory.advance(conferred, "revoke")
    latest = api.get(LIST_URL).json
    assert latest["version"] == 2 and latest["groups"] == []
    (group,) = latest["revocations"]
    (item,) = group["items"]
    assert item["nominee_name"] == "Trần Thị Ưng" and item["decision_number"] == "123/QĐ-HPN"
    assert item["revocation"] == {"number": "45/QĐ-HPN", "date": today().isoformat(),
                                  "reason": "Thành tích kê khai không đúng sự thật"}
    assert [(c["change"], c["decision_number"]) for c in latest["changes"]] == [("revocation", "45/QĐ-HPN")]
    texts = xlsx_texts(api.get(f"{LIST_URL}?format=xlsx").data)
    assert "KHEN THƯỞNG ĐÃ THU HỒI" in texts
    note = (f"Đã thu hồi theo Quyết định số 45/QĐ-HPN ngày {today():%d/%m/%Y}. "
            "Lý do: Thành tích kê khai không đúng sự thật")
    assert note in texts and "Tổng cộng: 0" in texts
    assert note in pdf_text(api.get(f"{LIST_URL}?format=pdf").data)


def test_a_changed_version_no_longer_verifies(factory):
    api, conferred, first, second = finalised_with_two_pending(factory)
    factory.advance(first, "confer")
    snapshot = db.session.scalar(db.select(HonoursListSnapshot).where(HonoursListSnapshot.version == 1))
    content = json.loads(snapshot.content)
    content["list"]["groups"][0]["items"][0]["nominee_name"] = "Người Khác"
    snapshot.content = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    db.session.commit()
    assert api.get(VERSIONS_URL).json["verified"] is False
    faults = verify_versions(snapshot_versions(snapshot.campaign))
    assert faults == ["version 1: its content does not match its hash"]
    # recomputing the changed version's hash breaks the link from the next one instead
    snapshot.sha256 = hashlib.sha256(snapshot.content.encode()).hexdigest()
    db.session.commit()
    assert verify_versions(snapshot_versions(snapshot.campaign)) == [
        "version 2: does not name the hash of the version before"]


def test_the_live_list_shows_a_revoked_award_apart(factory):
    dossier = factory.dossier("conferred", name="Trần Thị Ưng")
    factory.advance(dossier, "revoke")
    honours = office_api(factory).get(LIST_URL).json
    assert honours["groups"] == [] and honours["version"] is None
    assert names(honours["revocations"]) == ["Trần Thị Ưng"]


def test_only_office_and_chair_read_the_versions(factory):
    finalised_with_two_pending(factory)
    assert factory.api(factory.user("chair")).get(VERSIONS_URL).status_code == 200
    submitter = factory.api(factory.user_once("submitter", "ba-dinh"))
    assert submitter.get(VERSIONS_URL).status_code == 403
    assert submitter.get(f"{VERSIONS_URL}/1?format=pdf").status_code == 403
    assert office_api(factory).get("/api/v1/campaigns/no-such/honours-list/versions").status_code == 404


def test_the_versions_page_lists_each_version_with_its_downloads(app, factory):
    from tests.web_helpers import sign_in

    api, conferred, first, second = finalised_with_two_pending(factory)
    factory.advance(first, "confer")
    browser = sign_in(app, factory.user_once("office", "van-phong"))
    assert f"/exports/honours-list/{CAMPAIGN}/versions" in browser.get("/exports/honours-list").text
    page = browser.get(f"/exports/honours-list/{CAMPAIGN}/versions").text
    assert "Các phiên bản của danh sách khen thưởng" in page and "Đỗ Thị Lan" in page
    for version in (1, 2):
        for fmt in (*FORMATS, "json"):
            assert f"/exports/honours-list/{CAMPAIGN}/versions/{version}.{fmt}" in page
    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False):
        download = browser.get(f"/exports/honours-list/{CAMPAIGN}/versions/1.xlsx")
        assert download.status_code == 200 and download.data == api.get(f"{VERSIONS_URL}/1?format=xlsx").data
    assert json.loads(browser.get(f"/exports/honours-list/{CAMPAIGN}/versions/2.json").data)["version"] == 2
    assert browser.get(f"/exports/honours-list/{CAMPAIGN}/versions/1.exe").status_code == 404
    assert browser.get(f"/exports/honours-list/{CAMPAIGN}/versions/9.pdf").status_code == 404


def test_a_list_frozen_before_versions_exports_as_it_did_and_is_left_as_it_is(factory):
    from workflow.honours import canonical_json

    dossier = factory.dossier("conferred", name="Trần Thị Ưng")
    api = office_api(factory)
    assert api.post(LIST_URL + "/finalise").status_code == 201
    snapshot = db.session.scalar(db.select(HonoursListSnapshot))
    content = json.loads(snapshot.content)
    # As finalisation wrote it before: no version, no previous hash, no other sections, rows without their dossier.
    rows = content["list"]
    legacy = {key: content[key] for key in ("campaign_name", "organisation", "place", "issued_on")}
    legacy["list"] = {"campaign": rows["campaign"], "generated_at": rows["generated_at"], "groups": [
        {**group, "items": [{k: v for k, v in item.items() if k != "dossier"} for item in group["items"]]}
        for group in rows["groups"]]}
    snapshot.content = canonical_json(legacy)
    snapshot.sha256 = hashlib.sha256(snapshot.content.encode()).hexdigest()
    db.session.commit()

    texts = xlsx_texts(api.get(f"{LIST_URL}?format=xlsx").data)
    assert "Trần Thị Ưng" in texts and not any(text.startswith("Phiên bản") for text in texts)
    factory.advance(dossier, "revoke")
    versions = api.get(VERSIONS_URL).json
    assert [v["version"] for v in versions["versions"]] == [1] and versions["verified"] is True
