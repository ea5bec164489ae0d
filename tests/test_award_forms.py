"""Award forms and issuers kept apart from the award type: the reference data, the settings (page and API, with their
audit rows), and the statistics and dashboard counting by form and issuer."""
from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import func, select

from tests.test_honours_list import CAMPAIGN, conferred, office_api
from tests.web_helpers import csrf_token, sign_in
from workflow.models import AwardForm, AwardType, AwardTypeChange, Issuer, db
from workflow.reference import ReferenceDataError, reference_files, seed_reference_data

pytestmark = pytest.mark.postgres

PLAN = {"bk_tw_hoi": ("bang_khen", "tw_hoi", True), "bk_thanh_hoi": ("bang_khen", "ban_thuong_vu", True),
        "chi_hoi_tieu_bieu": ("bang_khen", "ubnd_tp", True),
        "can_bo_co_so_gioi": ("bang_khen", "ban_thuong_vu", False),
        "uy_thac_nhcsxh": ("bang_khen", "ban_thuong_vu", False),
        "tuyen_pho_kieu_mau": ("bang_khen", "ban_thuong_vu", False),
        "qua_tet": ("qua_tet", "ban_thuong_vu", False)}


def award_type(code: str) -> AwardType:
    db.session.expire_all()
    return db.session.scalar(select(AwardType).where(AwardType.code == code))


def test_each_award_type_has_the_form_and_issuer_of_the_reference_data(factory):
    api = factory.api(factory.user("office"))
    listed = {row["code"]: (row["award_form"], row["issuer"], row["form_in_plan"])
              for row in api.get("/api/v1/award-types").json}
    assert listed == PLAN
    assert [row["name"] for row in api.get("/api/v1/issuers").json] == [
        "Ban Thường vụ Hội LHPN thành phố Hà Nội", "Đoàn Chủ tịch Trung ương Hội LHPN Việt Nam",
        "Ủy ban nhân dân thành phố Hà Nội"]
    assert {row["code"] for row in api.get("/api/v1/award-forms").json} == {
        "bang_khen", "giay_khen", "co_thi_dua", "danh_hieu", "qua_tet"}


def test_seeding_again_adds_no_form_or_issuer(app):
    before = db.session.scalar(select(func.count()).select_from(AwardForm)), \
        db.session.scalar(select(func.count()).select_from(Issuer))
    added = seed_reference_data()
    assert (added["award_forms"], added["issuers"]) == (0, 0)
    assert (db.session.scalar(select(func.count()).select_from(AwardForm)),
            db.session.scalar(select(func.count()).select_from(Issuer))) == before


def test_a_reference_file_names_the_form_of_its_award_types(tmp_path):
    (tmp_path / "x.yaml").write_text("award_types:\n  - {code: x, name: X, department: ban-gdxh}\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="form"):
        reference_files(tmp_path)
    (tmp_path / "x.yaml").write_text("award_forms:\n  - {code: cup, name: Cúp}\n"
                                     "award_types:\n  - {code: x, name: X, department: ban-gdxh, form: cup}\n",
                                     encoding="utf-8")
    files = reference_files(tmp_path)
    assert files.award_forms == [("cup", "Cúp")]
    assert files.award_types[0][7:10] == ("cup", "ban_thuong_vu", False)


def test_the_api_changes_the_form_and_issuer_and_records_each_change(factory):
    api = factory.api(factory.user("office"), language="en")
    response = api.patch("/api/v1/award-types/can_bo_co_so_gioi", json={"award_form": "giay_khen", "issuer": "tw_hoi"})
    assert response.status_code == 200, response.json
    assert (response.json["award_form"], response.json["issuer"]) == ("giay_khen", "tw_hoi")
    assert response.json["award_form_name"] == "Giấy khen"
    changes = {row["field"]: (row["old"], row["new"])
               for row in api.get("/api/v1/award-types/can_bo_co_so_gioi/changes").json}
    assert changes == {"award_form": ("bang_khen", "giay_khen"), "issuer": ("ban_thuong_vu", "tw_hoi")}

    refused = api.patch("/api/v1/award-types/can_bo_co_so_gioi", json={"award_form": "huan_chuong", "issuer": "x"})
    assert refused.status_code == 422
    assert [d["field"] for d in refused.json["error"]["details"]] == ["award_form", "issuer"]
    assert "bang_khen" in refused.json["error"]["details"][0]["message"]
    assert award_type("can_bo_co_so_gioi").award_form.code == "giay_khen"
    assert factory.api(factory.user("chair")).patch("/api/v1/award-types/bk_thanh_hoi",
                                                     json={"issuer": "tw_hoi"}).status_code == 403


def test_the_settings_page_marks_the_organisations_own_choice_and_saves_it(app, factory):
    office = sign_in(app, factory.user("office"), language="en")
    own = office.get("/settings/award-types/uy_thac_nhcsxh").text
    planned = office.get("/settings/award-types/bk_tw_hoi").text
    for marked in ('id="award_form_code-own"', 'id="issuer_code-own"'):
        assert marked in own and marked not in planned
    assert '<option selected value="tw_hoi">' in planned
    current = award_type("uy_thac_nhcsxh")
    response = office.post("/settings/award-types/uy_thac_nhcsxh", data={
        "csrf_token": csrf_token(office, "/settings/campaigns"), "name": current.name, "rank": str(current.rank),
        "required_documents": list(current.required_documents), "vote_quorum": str(current.vote_quorum),
        "vote_threshold": str(current.vote_threshold), "active": "y", "vote_denominator": "membership",
        "award_form_code": "co_thi_dua", "issuer_code": "ban_thuong_vu"})
    assert response.status_code == 302, response.text
    assert award_type("uy_thac_nhcsxh").award_form.code == "co_thi_dua"
    page = office.get("/settings/award-types/uy_thac_nhcsxh").text
    assert "Bằng khen → Cờ thi đua" in page
    assert db.session.scalar(select(func.count()).select_from(AwardTypeChange)
                             .where(AwardTypeChange.field == "award_form")) == 1


def test_statistics_and_dashboard_count_by_form_and_issuer(app, factory):
    conferred(factory, "Trần Thị Ưng")
    factory.dossier("forwarded", name="Lê Thị Cấp Trên")
    factory.dossier("submitted", award_type="can_bo_co_so_gioi", name="Đang Nộp")
    api = office_api(factory)
    statistics = api.get(f"/api/v1/campaigns/{CAMPAIGN}/statistics").json
    counts = {(row["award_form"], row["issuer"]): (row["nominated"], row["conferred"])
              for row in statistics["by_form_and_issuer"]}
    assert counts[("bang_khen", "ban_thuong_vu")] == (2, 1)
    assert counts[("bang_khen", "tw_hoi")] == (1, 0)
    assert counts[("bang_khen", "ubnd_tp")] == (0, 0)

    workbook = openpyxl.load_workbook(io.BytesIO(api.get(f"/api/v1/campaigns/{CAMPAIGN}/statistics?format=xlsx").data))
    sheet = workbook.worksheets[2]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    assert rows[0] == ["Hình thức (bằng khen, giấy khen, danh hiệu)", "Cấp khen thưởng", "Số đề nghị",
                       "Được khen thưởng"]
    assert ["Bằng khen", "Ban Thường vụ Hội LHPN thành phố Hà Nội", 2, 1] in rows

    office = sign_in(app, factory.user("office"), language="en")
    page = office.get(f"/dashboard?campaign={CAMPAIGN}").text
    section = page[page.index("Per award form and issuer"):]
    assert "Đoàn Chủ tịch Trung ương Hội LHPN Việt Nam</td><td>1</td><td>0</td>" in section
