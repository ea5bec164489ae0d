"""Award history and eligibility (API): earlier years imported from the office's spreadsheet, all or nothing; a
conferred dossier's line written by its decision and marked when revoked; rule sets by legal basis in force on the
campaign's date; a refusal at submit citing the rule's legal text and the past award found; a warning overridden with
a reason the history keeps."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from workflow.models import AwardRecord, Campaign, Dossier, EmulationRating, HistoryEntry, Nominee, db

LEGAL_BASIS = "Nghị định 98/2023/NĐ-CP quy định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng"
HISTORY_HEADER = ["Số trong sổ", "Mã đơn vị", "Loại", "Họ tên", "Năm sinh", "Mã hình thức", "Hình thức",
                  "Danh hiệu", "Năm", "Số quyết định", "Ngày quyết định", "Cơ quan"]
HOA_2023 = ["", "ba-dinh", "Cá nhân", "Lê Thị Hòa", 1975, "bk_thanh_hoi", "", "", 2023, "123/QĐ-HPN", "15/12/2023",
            ""]


def workbook(rows: list[list], header: list[str] = HISTORY_HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(api, data: bytes, kind: str = "history"):
    return api.post("/api/v1/award-history/import", data={"kind": kind, "file": (io.BytesIO(data), "lich-su.xlsx")},
                    content_type="multipart/form-data")


def campaign_of(factory, code: str, year: int) -> Campaign:
    campaign = factory.campaign(code)
    campaign.year = year
    db.session.commit()
    return campaign


@pytest.fixture
def office(factory):
    return factory.api(factory.user_once("office"))


@pytest.fixture
def rule_set(office):
    response = office.post("/api/v1/rule-sets", json={
        "name": "Quy định 2024", "legal_basis": LEGAL_BASIS, "in_force_from": "2024-01-01"})
    assert response.status_code == 201, response.json
    return response.json


def add_rule(office, rule_set: dict, **rule) -> dict:
    response = office.post(f"/api/v1/rule-sets/{rule_set['id']}/rules", json={
        "award_type": "bk_thanh_hoi", "kind": "not_within_years", "years": 2, "severity": "refuse",
        "article": "Khoản 2 Điều 24", **rule})
    assert response.status_code == 201, response.json
    return response.json


def nominate(factory, name: str = "Lê Thị Hoà", campaign: str = "tong-ket-2024") -> Dossier:
    campaign_of(factory, campaign, 2024)
    return factory.draft("bk_thanh_hoi", "ba-dinh", name=name, campaign=campaign, birth_year=1975)


def submit(factory, dossier: Dossier):
    submitter = factory.api(factory.user_once("submitter", "ba-dinh"))
    return submitter.post(f"/api/v1/dossiers/{dossier.id}/events", json={"event": "submit",
                                                                         "version": dossier.version})


def test_a_nominee_awarded_in_2023_by_import_is_refused_the_same_award_in_2024(factory, office, rule_set):
    add_rule(office, rule_set)
    imported = upload(office, workbook([HOA_2023]))
    assert imported.status_code == 201, imported.json
    assert imported.json["created"] == 1
    line = imported.json["awards"][0]
    assert (line["year"], line["decision_number"], line["decision_date"], line["award_type"], line["source"]) == (
        2023, "123/QĐ-HPN", "2023-12-15", "bk_thanh_hoi", "import")

    dossier = nominate(factory)  # typed with the other tone-mark placement: the same person
    assert dossier.nominee_id == line["nominee"]
    refused = submit(factory, dossier)

    assert refused.status_code == 422, refused.json
    assert refused.json["error"]["code"] == "guard_failed"
    [detail] = [d for d in refused.json["error"]["details"] if d["rule"] == "eligibility"]
    assert detail["legal_basis"] == f"Khoản 2 Điều 24, {LEGAL_BASIS}"
    assert detail["severity"] == "refuse" and detail["rule_set"] == "Quy định 2024"
    assert detail["evidence"]["year"] == 2023 and detail["evidence"]["decision_number"] == "123/QĐ-HPN"
    assert "2023" in detail["message"] and "123/QĐ-HPN" in detail["message"] and "98/2023" in detail["message"]
    db.session.expire_all()
    assert db.session.get(Dossier, dossier.id).state == "draft"

    entry = office.get(f"/api/v1/nominees/{line['nominee']}")
    assert [award["year"] for award in entry.json["awards"]] == [2023]


def test_the_campaign_keeps_the_rules_in_force_on_its_date(factory, office, rule_set):
    add_rule(office, rule_set)
    assert upload(office, workbook([HOA_2023])).status_code == 201
    later = office.post("/api/v1/rule-sets", json={"name": "Quy định mới", "legal_basis": "Nghị định 152/2025/NĐ-CP",
                                                   "in_force_from": "2099-01-01"})
    assert later.status_code == 201
    add_rule(office, later.json, years=1, severity="warn")
    dossier = nominate(factory)

    # The 2099 set is not in force on the campaign's date: the 2024 set refuses.
    assert submit(factory, dossier).status_code == 422
    factory_campaign = db.session.get(Campaign, dossier.campaign_id)
    factory_campaign.submission_deadline = dt.date(2099, 6, 1)
    db.session.commit()
    # On a date when the newer set is in force, its rule (a warning that 2023 is not within one year) does not fire.
    assert submit(factory, db.session.get(Dossier, dossier.id)).status_code == 200


def test_a_warning_does_not_refuse_and_is_overridden_with_a_reason_kept_in_the_history(factory, office, rule_set):
    rule = add_rule(office, rule_set, kind="consecutive_title", years=3, title="Chiến sĩ thi đua cơ sở",
                    severity="warn", article="Điều 26")
    row = ["", "ba-dinh", "Cá nhân", "Lê Thị Hòa", 1975, "", "Giấy khen", "Chiến sĩ thi đua cơ sở", 2023,
           "45/QĐ-HPN", "20/12/2023", "Hội LHPN quận Ba Đình"]
    assert upload(office, workbook([row])).status_code == 201
    dossier = nominate(factory)
    assert submit(factory, dossier).status_code == 200

    appraiser = factory.api(factory.user_once("appraiser", "van-phong"))
    found = appraiser.get(f"/api/v1/dossiers/{dossier.id}/eligibility")
    assert found.status_code == 200
    [warning] = found.json["findings"]
    assert warning["severity"] == "warn" and warning["evidence"]["years_held"] == [2023]
    assert warning["legal_basis"].startswith("Điều 26, Nghị định 98/2023") and warning.get("override") is None

    version = db.session.get(Dossier, dossier.id).version
    no_reason = appraiser.post(f"/api/v1/dossiers/{dossier.id}/eligibility/overrides",
                               json={"rule": rule["id"], "reason": "  ", "version": version})
    assert no_reason.status_code == 422
    overridden = appraiser.post(f"/api/v1/dossiers/{dossier.id}/eligibility/overrides", json={
        "rule": rule["id"], "reason": "Năm 2022 được công nhận theo hồ sơ giấy.", "version": version})
    assert overridden.status_code == 201, overridden.json
    assert overridden.json["override"]["reason"] == "Năm 2022 được công nhận theo hồ sơ giấy."
    again = appraiser.post(f"/api/v1/dossiers/{dossier.id}/eligibility/overrides", json={
        "rule": rule["id"], "reason": "Lần nữa.", "version": version + 1})
    assert again.status_code == 422

    row = db.session.scalar(select(HistoryEntry).where(HistoryEntry.dossier_id == dossier.id,
                                                       HistoryEntry.event == "override_warning"))
    assert row.comment == "Năm 2022 được công nhận theo hồ sơ giấy."
    assert row.details["eligibility_rule"] == rule["id"] and row.details["evidence"]["years_held"] == [2023]
    submitter = factory.api(factory.user_once("submitter", "ba-dinh"))
    refused = submitter.post(f"/api/v1/dossiers/{dossier.id}/eligibility/overrides", json={
        "rule": rule["id"], "reason": "x", "version": version + 1})
    assert refused.status_code == 403


def test_an_import_with_wrong_rows_lists_every_row_and_column_and_writes_nothing(office):
    rows = [HOA_2023,
            ["", "no-such-unit", "Cá nhân", "Trần Thị B", 1980, "", "", "", 2023, "1/QĐ", "01/02/2023", ""],
            ["", "ba-dinh", "Cá nhân", "Phạm Thị C", 1980, "bk_thanh_hoi", "", "", "năm ngoái", "", "31/02/2023", ""],
            ["", "ba-dinh", "Cá nhân", "Lê Thị Hòa", 1975, "bk_thanh_hoi", "", "", 2023, "124/QĐ", "16/12/2023", ""]]
    refused = upload(office, workbook(rows))

    assert refused.status_code == 422, refused.json
    wrong = {(d["row"], d["column"]) for d in refused.json["error"]["details"]}
    assert wrong == {(3, "B"), (3, "G"), (3, "H"), (3, "L"), (4, "I"), (4, "J"), (4, "K"), (5, "H")}
    assert db.session.scalar(select(func.count()).select_from(AwardRecord)) == 0
    assert db.session.scalar(select(func.count()).select_from(Nominee)) == 0


def test_hostile_or_foreign_files_are_refused_as_the_dossier_import_refuses_them(office, factory):
    assert upload(office, b"%PDF-1.4 not a sheet").status_code == 415
    formula = upload(office, workbook([["", "ba-dinh", "Cá nhân", "=HYPERLINK(\"x\")", 1975, "bk_thanh_hoi", "", "",
                                        2023, "1/QĐ", "01/02/2023", ""]]))
    assert formula.status_code == 422 and formula.json["error"]["details"][0]["column"] == "D"
    submitter = factory.api(factory.user_once("submitter", "ba-dinh"))
    assert upload(submitter, workbook([HOA_2023])).status_code == 403
    assert submitter.get("/api/v1/award-history/template").status_code == 403
    template = office.get("/api/v1/award-history/template", query_string={"kind": "ratings"})
    assert template.status_code == 200 and template.data[:2] == b"PK"


def test_a_collectives_emulation_rating_is_read_for_its_year(factory, office, rule_set):
    add_rule(office, rule_set, award_type="bk_thanh_hoi", kind="emulation_rating", years=0,
             title="Hoàn thành xuất sắc nhiệm vụ", severity="refuse", article="Điều 27")
    ratings = upload(office, workbook([["", "ba-dinh", "Chi hội 5 phường Kim Mã", 2024, "Hoàn thành tốt nhiệm vụ"]],
                                      ["Số", "Đơn vị", "Tên", "Năm", "Xếp loại"]), kind="ratings")
    assert ratings.status_code == 201, ratings.json
    campaign_of(factory, "tong-ket-2024", 2024)
    dossier = factory.draft("bk_thanh_hoi", "ba-dinh", name="Chi hội 5 phường Kim Mã", campaign="tong-ket-2024",
                            kind="collective")
    assert dossier.nominee_id == ratings.json["ratings"][0]["nominee"]
    refused = submit(factory, dossier)
    assert refused.status_code == 422
    [detail] = [d for d in refused.json["error"]["details"] if d["rule"] == "eligibility"]
    assert detail["evidence"] == {"year": 2024, "rating": "Hoàn thành tốt nhiệm vụ",
                                  "required": "Hoàn thành xuất sắc nhiệm vụ"}

    db.session.execute(EmulationRating.__table__.update().values(rating="Hoàn thành xuất sắc nhiệm vụ",
                                                                rating_key="hoàn thành xuất sắc nhiệm vụ"))
    db.session.commit()
    assert submit(factory, db.session.get(Dossier, dossier.id)).status_code == 200


def test_the_conferring_decision_writes_the_line_and_revocation_marks_it(factory):
    dossier = factory.dossier("revoked")
    record = db.session.scalar(select(AwardRecord).where(AwardRecord.dossier_id == dossier.id))

    assert (record.nominee_id, record.year, record.decision_number, record.source) == (
        dossier.nominee_id, dossier.campaign.year, "123/QĐ-HPN", "decision")
    assert record.form == dossier.award_type.award_form.name and record.issuer == dossier.award_type.issuer.name
    assert record.revocation_number and record.revoked_on


def test_a_merge_brings_the_merged_entrys_history(factory, office):
    assert upload(office, workbook([HOA_2023, ["", "ba-dinh", "Cá nhân", "Lê Thị Hòa", 1990, "bk_thanh_hoi", "", "",
                                               2022, "9/QĐ-HPN", "15/12/2022", ""]])).status_code == 201
    first, second = db.session.scalars(select(Nominee.id).order_by(Nominee.id)).all()
    assert office.post(f"/api/v1/nominees/{second}/merge", json={"into": first}).status_code == 201
    entry = office.get(f"/api/v1/nominees/{first}")
    assert [award["year"] for award in entry.json["awards"]] == [2023, 2022]


def test_the_check_runs_on_sqlite_too(sqlite_factory):
    office = sqlite_factory.api(sqlite_factory.user_once("office"))
    rule_set = office.post("/api/v1/rule-sets", json={"name": "Quy định 2024", "legal_basis": LEGAL_BASIS,
                                                      "in_force_from": "2024-01-01"}).json
    add_rule(office, rule_set)
    assert upload(office, workbook([HOA_2023])).status_code == 201
    dossier = nominate(sqlite_factory)
    refused = submit(sqlite_factory, dossier)
    assert refused.status_code == 422, refused.json
    [detail] = [d for d in refused.json["error"]["details"] if d["rule"] == "eligibility"]
    assert detail["evidence"]["decision_date"] == "2023-12-15" and detail["evidence"]["year"] == 2023
