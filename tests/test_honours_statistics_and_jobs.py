"""Statistics per unit and award type; exports as jobs with progress and a download."""
import hashlib
import io

import openpyxl
import pytest

from tests.conftest import BOTH_STORES, stored_objects
from tests.test_honours_list import CAMPAIGN, LIST_URL, conferred, office_api, xlsx_rows
from workflow.export_jobs import export_object_name
from workflow.models import ExportJob, db
from workflow.storage import object_store

STATISTICS_URL = f"/api/v1/campaigns/{CAMPAIGN}/statistics"


def test_statistics_count_per_unit_award_type_and_state(factory):
    conferred(factory, "Trần Thị Ưng")
    conferred(factory, "Lê Thị Ánh", unit="ung-hoa")
    factory.dossier("rejected", name="Không Đề Nghị", unit="ung-hoa")
    factory.dossier("submitted", award_type="can_bo_co_so_gioi", name="Đang Nộp")
    factory.dossier("draft", name="Còn Nháp")
    api = office_api(factory)
    statistics = api.get(STATISTICS_URL).json
    by_unit = {unit["unit"]: unit for unit in statistics["units"]}
    assert list(by_unit) == ["ba-dinh", "ung-hoa"]
    assert by_unit["ba-dinh"]["counts"]["bk_thanh_hoi"]["nominated"] == 1
    assert by_unit["ba-dinh"]["counts"]["can_bo_co_so_gioi"]["by_state"]["submitted"] == 1
    assert (by_unit["ung-hoa"]["nominated"], by_unit["ung-hoa"]["conferred"]) == (2, 1)
    assert by_unit["ung-hoa"]["counts"]["bk_thanh_hoi"]["by_state"]["rejected"] == 1
    assert statistics["totals"]["nominated"] == 4 and statistics["totals"]["conferred"] == 2  # the draft is not counted
    assert "draft" not in statistics["states"]

    workbook = openpyxl.load_workbook(io.BytesIO(api.get(STATISTICS_URL + "?format=xlsx").data))
    sheet = workbook.worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    total_row = next(row for row in rows if row[0] == "Tổng cộng")
    assert total_row[-2:] == [4, 2]
    assert [row[0] for row in rows[4:]] == ["Hội LHPN quận Ba Đình", "Hội LHPN huyện Ứng Hòa", "Tổng cộng"]
    assert factory.api(factory.user("submitter")).get(STATISTICS_URL).status_code == 403


@BOTH_STORES
def test_a_small_export_is_made_at_once(factory):
    conferred(factory, "Trần Thị Ưng")
    api = office_api(factory)
    response = api.post(LIST_URL + "/exports", json={"format": "xlsx"})
    assert response.status_code == 201, response.json
    assert response.json["status"] == "done" and response.json["progress"] == response.json["total"] == 1
    download = api.get(response.json["download"])
    assert download.status_code == 200
    _, rows = xlsx_rows(download.data)
    assert [row[1] for row in rows if isinstance(row[0], int)] == ["Trần Thị Ưng"]
    other_office = factory.api(factory.user("office"))
    assert other_office.get(f"/api/v1/exports/{response.json['id']}").status_code == 404


@pytest.fixture
def async_threshold(app):
    previous = app.config["EXPORT_ASYNC_ROWS"]
    app.config["EXPORT_ASYNC_ROWS"] = 1
    yield
    app.config["EXPORT_ASYNC_ROWS"] = previous


@BOTH_STORES
def test_a_large_export_becomes_a_job_to_poll(factory, async_threshold):
    conferred(factory, "Trần Thị Ưng")
    conferred(factory, "Lê Thị Ánh", unit="ung-hoa")
    api = office_api(factory)
    response = api.post(LIST_URL + "/exports", json={"format": "pdf", "unit": None})
    assert response.status_code == 202, response.json
    job = api.get(f"/api/v1/exports/{response.json['id']}").json
    # without a broker the job ran in this process as soon as it was queued
    assert (job["status"], job["progress"], job["total"]) == ("done", 2, 2)
    data = api.get(job["download"]).data
    assert data.startswith(b"%PDF-")
    assert job["filename"] == "danh-sach-khen-thuong-test-campaign.pdf"
    row = db.session.get(ExportJob, job["id"])
    assert (row.size, row.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert export_object_name(row) in stored_objects("exports")


@BOTH_STORES
def test_an_export_file_that_no_longer_matches_its_hash_is_not_served(factory):
    conferred(factory, "Trần Thị Ưng")
    api = office_api(factory)
    job = api.post(LIST_URL + "/exports", json={"format": "xlsx"}).json
    object_store().put(export_object_name(db.session.get(ExportJob, job["id"])), io.BytesIO(b"PK\x03\x04 other"))

    response = api.get(job["download"])

    assert (response.status_code, response.json["error"]["code"]) == (500, "stored_file_damaged")


def test_export_requests_are_checked(factory):
    factory.campaign(CAMPAIGN)
    api = office_api(factory)
    assert api.post(LIST_URL + "/exports", json={"format": "exe"}).json["error"]["code"] == "validation_error"
    assert factory.api(factory.user("council")).post(LIST_URL + "/exports", json={"format": "pdf"}).status_code == 403
    assert api.get("/api/v1/exports/nope").status_code == 404
