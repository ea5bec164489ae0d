"""The honours list: Vietnamese order, groups by rank, STT, who may read it, its exports read back, finalisation."""
import datetime as dt
import hashlib
import io

import openpyxl
import pypdf
import pytest
import time_machine
from docx import Document
from docx.oxml.ns import qn

from workflow.models import Dossier, HonoursListSnapshot, Unit, db

CAMPAIGN = "test-campaign"
LIST_URL = f"/api/v1/campaigns/{CAMPAIGN}/honours-list"
# Given names that code-point order puts in the wrong places (Á, Â, Đ, Ơ, Ư sort after Y by code point).
GIVEN_NAMES = ["Bình", "Ánh", "Đào", "Dung", "Ân", "Yến", "Ưng", "Uyên", "Ơn", "Oanh"]
FORWARDED_TYPES = {"bk_tw_hoi", "chi_hoi_tieu_bieu"}
VIETNAMESE_ORDER = ["Ánh", "Ân", "Bình", "Dung", "Đào", "Oanh", "Ơn", "Uyên", "Ưng", "Yến"]


def conferred(factory, name, award_type="bk_thanh_hoi", unit="ba-dinh", **nominee) -> Dossier:
    if award_type in FORWARDED_TYPES:
        dossier = factory.dossier("forwarded", award_type=award_type, unit=unit, name=name, **nominee)
        return factory.advance(dossier, "confer")
    return factory.dossier("conferred", award_type=award_type, unit=unit, name=name, **nominee)


def office_api(factory):
    return factory.api(factory.user_once("office", "van-phong"))


def all_items(honours):
    return [item for group in honours["groups"] for item in group["items"]]


def test_rows_follow_vietnamese_order_of_the_given_name_not_code_points(factory):
    for given in GIVEN_NAMES:
        conferred(factory, f"Trần Thị {given}", position="Chi hội trưởng", workplace="Chi hội 5")
    conferred(factory, "Nguyễn Thị Ánh")  # the same given name: the whole name decides, Nguyễn before Trần
    assert sorted(VIETNAMESE_ORDER) != VIETNAMESE_ORDER  # code-point order would be wrong here

    honours = office_api(factory).get(LIST_URL).json
    names = [item["nominee_name"] for item in all_items(honours)]
    assert names == ["Nguyễn Thị Ánh"] + [f"Trần Thị {given}" for given in VIETNAMESE_ORDER]
    first = all_items(honours)[0]
    assert first["position"] == "" and all_items(honours)[1]["position"] == "Chi hội trưởng, Chi hội 5"


def test_tones_sort_after_the_bare_letter_and_units_come_in_their_configured_order(factory):
    ung_hoa, ba_dinh = (db.session.scalar(db.select(Unit).where(Unit.code == code)) for code in ("ung-hoa", "ba-dinh"))
    ung_hoa.sort_order, ba_dinh.sort_order = 1, 2
    db.session.commit()
    for name in ("Lê Thị Hà", "Lê Thị Hạ", "Lê Thị Ha", "Lê Thị Hả"):
        conferred(factory, name, unit="ba-dinh")
    conferred(factory, "Vũ Thị Yến", unit="ung-hoa")

    items = all_items(office_api(factory).get(LIST_URL).json)
    assert [item["unit"] for item in items] == ["ung-hoa", "ba-dinh", "ba-dinh", "ba-dinh", "ba-dinh"]
    assert [item["nominee_name"] for item in items[1:]] == ["Lê Thị Ha", "Lê Thị Hà", "Lê Thị Hả", "Lê Thị Hạ"]


def test_groups_come_in_rank_order_with_stt_restarting_and_only_conferred_dossiers(factory):
    conferred(factory, "Phạm Thị Mai", award_type="bk_thanh_hoi")
    conferred(factory, "Hội LHPN phường Kim Mã", award_type="bk_thanh_hoi", kind="collective")
    conferred(factory, "Đỗ Thị Lan", award_type="bk_tw_hoi")
    conferred(factory, "Chi hội Phụ nữ tổ dân phố 3", award_type="chi_hoi_tieu_bieu", unit="ung-hoa")
    factory.dossier("approved", name="Chưa Quyết Định")
    factory.dossier("rejected", name="Không Đề Nghị")

    honours = office_api(factory).get(LIST_URL).json
    assert set(honours) == {"campaign", "generated_at", "groups", "pending", "revocations", "version", "changes"}
    assert (honours["pending"], honours["revocations"], honours["version"]) == ([], [], None)
    assert honours["campaign"] == CAMPAIGN
    assert dt.datetime.fromisoformat(honours["generated_at"]).utcoffset() == dt.timedelta(hours=7)
    assert [group["award_type"] for group in honours["groups"]] == ["bk_tw_hoi", "bk_thanh_hoi", "chi_hoi_tieu_bieu"]
    assert [[item["stt"] for item in group["items"]] for group in honours["groups"]] == [[1], [1, 2], [1]]
    # a collective sorts by its whole name: "Hội ..." before the person whose given name is "Mai"
    assert [item["nominee_name"] for item in honours["groups"][1]["items"]] == ["Hội LHPN phường Kim Mã",
                                                                               "Phạm Thị Mai"]
    item = honours["groups"][0]["items"][0]
    assert set(item) == {"stt", "dossier", "nominee_name", "position", "unit", "unit_name", "decision_number",
                         "decision_date", "issuer"}
    assert item["issuer"] == "Đoàn Chủ tịch Trung ương Hội LHPN Việt Nam"  # its award type's: no decision record
    assert (item["unit"], item["unit_name"], item["decision_number"]) == ("ba-dinh", "Hội LHPN quận Ba Đình",
                                                                          "123/QĐ-HPN")
    assert dt.date.fromisoformat(item["decision_date"])
    assert "Chưa Quyết Định" not in str(honours) and "Không Đề Nghị" not in str(honours)


@pytest.mark.parametrize("role, status", [("office", 200), ("chair", 200), ("submitter", 403), ("appraiser", 403),
                                          ("council", 403), ("admin", 403)])
def test_only_office_and_chair_read_the_list(factory, role, status):
    factory.campaign(CAMPAIGN)
    response = factory.api(factory.user(role)).get(LIST_URL)
    assert response.status_code == status
    if status == 403:
        assert response.json["error"]["code"] == "forbidden"


def test_unknown_campaign_and_missing_token(factory, client):
    assert office_api(factory).get("/api/v1/campaigns/no-such/honours-list").json["error"]["code"] == "not_found"
    assert client.get(LIST_URL).status_code == 401


# Reading the exports back ---------------------------------------------------------------------------------

def xlsx_rows(data):
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = [[cell.value for cell in row] for row in ws.iter_rows()]
    return ws, rows


def docx_list_table(data):
    document = Document(io.BytesIO(data))
    return document, document.tables[1]


def expected_cells(item):
    date = dt.date.fromisoformat(item["decision_date"]).strftime("%d/%m/%Y")
    return [item["stt"], item["nominee_name"], item["position"], item["unit_name"], item["decision_number"], date,
            item["issuer"]]


@pytest.fixture
def small_list(factory):
    conferred(factory, "Đỗ Thị Lan", award_type="bk_tw_hoi", position="Chủ tịch")
    conferred(factory, "Trần Thị Ưng", position="Phó Chủ tịch", workplace="Hội LHPN phường Đội Cấn")
    conferred(factory, "Lê Thị Ánh", unit="ung-hoa")
    conferred(factory, "Nguyễn Văn Bé", position="=1+2")  # formula-like text must stay text in the spreadsheet
    api = office_api(factory)
    return api, api.get(LIST_URL).json


def test_xlsx_export_reads_back_as_the_json(small_list):
    api, honours = small_list
    response = api.get(LIST_URL + "?format=xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response.headers["Content-Disposition"]
    ws, rows = xlsx_rows(response.data)
    texts = [value for row in rows for value in row if isinstance(value, str)]
    assert "HỘI LIÊN HIỆP PHỤ NỮ THÀNH PHỐ HÀ NỘI" in texts and "BAN THƯỜNG VỤ" in texts
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts and "Độc lập - Tự do - Hạnh phúc" in texts
    assert "DANH SÁCH KHEN THƯỞNG" in texts and "Đợt test-campaign" in texts
    assert any(text.startswith("Hà Nội, ngày ") for text in texts) and "CHỦ TỊCH" in texts
    header = next(index for index, row in enumerate(rows, 1) if row[0] == "STT")
    assert ws.print_title_rows == f"${header}:${header}"
    items = [["" if value is None else value for value in row[:7]] for row in rows if isinstance(row[0], int)]
    assert items == [expected_cells(item) for item in all_items(honours)]
    headings = [row[0] for row in rows if isinstance(row[0], str) and row[0][:3] in ("I. ", "II.")]
    assert headings == [f"I. {honours['groups'][0]['award_name']}", f"II. {honours['groups'][1]['award_name']}"]
    assert "Tổng số: 1" in texts and "Tổng số: 3" in texts and "Tổng cộng: 4" in texts
    formula_like = next(cell for row in ws.iter_rows() for cell in row if cell.value == "=1+2")
    assert formula_like.data_type == "s" and formula_like.quotePrefix


def test_docx_export_reads_back_as_the_json(small_list):
    api, honours = small_list
    response = api.get(LIST_URL + "?format=docx")
    assert response.status_code == 200
    document, table = docx_list_table(response.data)
    header = table.rows[0]
    assert [cell.text for cell in header.cells][:2] == ["STT", "Họ và tên / Tên tập thể"]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    items = [[cell.text for cell in row.cells] for row in table.rows[1:] if row.cells[0].text.isdigit()]
    assert items == [[str(value) for value in expected_cells(item)] for item in all_items(honours)]
    letterhead = [cell.text for row in document.tables[0].rows for cell in row.cells]
    assert letterhead == ["HỘI LIÊN HIỆP PHỤ NỮ THÀNH PHỐ HÀ NỘI", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                          "BAN THƯỜNG VỤ", "Độc lập - Tự do - Hạnh phúc"]
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    assert "DANH SÁCH KHEN THƯỞNG" in paragraphs


def test_pdf_export_reads_back_as_the_json_with_fonts_embedded(small_list):
    api, honours = small_list
    response = api.get(LIST_URL + "?format=pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for phrase in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "DANH SÁCH KHEN THƯỞNG",
                   "BAN THƯỜNG VỤ", "TM. BAN THƯỜNG VỤ", "Tổng cộng: 4"):
        assert phrase in text
    positions = [text.index(item["nominee_name"]) for item in all_items(honours)]
    assert positions == sorted(positions)
    for item in all_items(honours):
        assert f"{item['stt']} {item['nominee_name']}" in text
        assert item["unit_name"] in text
    fonts = [font.get_object() for page in reader.pages
             for font in page["/Resources"]["/Font"].values()]
    descriptors = [font["/FontDescriptor"] if "/FontDescriptor" in font else
                   font["/DescendantFonts"][0].get_object()["/FontDescriptor"] for font in fonts]
    assert descriptors and all(any(key in d for key in ("/FontFile", "/FontFile2", "/FontFile3"))
                               for d in descriptors)


def test_english_export_on_request(small_list, factory):
    english = factory.api(factory.user_once("office", "van-phong"), language="en")
    _, rows = xlsx_rows(english.get(LIST_URL + "?format=xlsx").data)
    assert ["No.", "Full name / collective"] == rows[next(i for i, r in enumerate(rows) if r[0] == "No.")][:2]


def test_a_units_pack_holds_only_its_awardees_numbered_afresh(small_list):
    api, _ = small_list
    pack = api.get(LIST_URL + "?unit=ung-hoa").json
    assert all_items(pack) == [{**all_items(pack)[0], "stt": 1, "unit": "ung-hoa", "nominee_name": "Lê Thị Ánh"}]
    _, rows = xlsx_rows(api.get(LIST_URL + "?unit=ung-hoa&format=xlsx").data)
    assert [row[1] for row in rows if isinstance(row[0], int)] == ["Lê Thị Ánh"]
    assert any(row[0] == "Đơn vị đề nghị: Hội LHPN huyện Ứng Hòa" for row in rows)
    assert api.get(LIST_URL + "?unit=no-such-unit").status_code == 404


# Provisional and final ------------------------------------------------------------------------------------

def test_provisional_list_shows_approved_dossiers_marked_as_a_draft(factory):
    factory.dossier("approved", name="Hoàng Thị Chờ")
    conferred(factory, "Đinh Thị Xong")
    api = office_api(factory)
    provisional = api.get(LIST_URL + "?provisional=true").json
    assert provisional["provisional"] is True
    assert [item["nominee_name"] for item in all_items(provisional)] == ["Hoàng Thị Chờ", "Đinh Thị Xong"]
    assert all_items(provisional)[0]["decision_number"] is None
    _, rows = xlsx_rows(api.get(LIST_URL + "?provisional=true&format=xlsx").data)
    assert any(isinstance(row[0], str) and row[0].startswith("DỰ THẢO") for row in rows)
    text = pypdf.PdfReader(io.BytesIO(api.get(LIST_URL + "?provisional=true&format=pdf").data)).pages[0].extract_text()
    assert "DỰ THẢO" in text
    chair = factory.api(factory.user("chair"))
    assert chair.get(LIST_URL + "?provisional=true").status_code == 403


def test_finalise_freezes_the_list_and_its_exports_are_identical_byte_for_byte(factory):
    conferred(factory, "Đỗ Thị Lan", award_type="bk_tw_hoi")
    conferred(factory, "Trần Thị Ưng")
    api = office_api(factory)
    assert factory.api(factory.user("chair")).post(LIST_URL + "/finalise").status_code == 403

    response = api.post(LIST_URL + "/finalise")
    assert response.status_code == 201, response.json
    snapshot = db.session.scalar(db.select(HonoursListSnapshot))
    assert response.json["sha256"] == snapshot.sha256 == hashlib.sha256(snapshot.content.encode()).hexdigest()
    assert response.json["rows"] == 2 and response.json["campaign"] == CAMPAIGN
    frozen = api.get(LIST_URL).json

    conferred(factory, "Muộn Thị Sau")  # conferred after the list was final: not on it
    assert api.get(LIST_URL).json == frozen
    assert api.post(LIST_URL + "/finalise").json["error"]["code"] == "invalid_transition"

    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False) as clock:
        first = {fmt: api.get(f"{LIST_URL}?format={fmt}").data for fmt in ("xlsx", "docx", "pdf")}
        clock.shift(dt.timedelta(minutes=5))  # far past the two-second resolution of zip entry times
        second = {fmt: api.get(f"{LIST_URL}?format={fmt}").data for fmt in ("xlsx", "docx", "pdf")}
    for fmt in first:
        assert first[fmt] == second[fmt], fmt
    core = openpyxl.load_workbook(io.BytesIO(first["xlsx"])).properties
    assert core.modified == snapshot.finalised_at.replace(tzinfo=None)


def test_finalise_refuses_while_decisions_are_pending_or_nothing_is_conferred(factory):
    factory.campaign(CAMPAIGN)
    api = office_api(factory)
    empty = api.post(LIST_URL + "/finalise")
    assert empty.status_code == 422
    assert [d["rule"] for d in empty.json["error"]["details"]] == ["list_empty"]
    conferred(factory, "Trần Thị Ưng")
    factory.dossier("approved", name="Hoàng Thị Chờ")
    pending = api.post(LIST_URL + "/finalise")
    assert [d["rule"] for d in pending.json["error"]["details"]] == ["decisions_pending"]
    assert db.session.scalar(db.select(db.func.count(HonoursListSnapshot.id))) == 0


def test_cli_exports_the_list_and_the_units_packs(app, factory, tmp_path):
    conferred(factory, "Trần Thị Ưng")
    conferred(factory, "Lê Thị Ánh", unit="ung-hoa")
    runner = app.test_cli_runner()
    target = tmp_path / "list.xlsx"
    result = runner.invoke(args=["honours-list", CAMPAIGN, "--format", "xlsx", "--output", str(target)])
    assert result.exit_code == 0, result.output
    _, rows = xlsx_rows(target.read_bytes())
    assert [row[1] for row in rows if isinstance(row[0], int)] == ["Trần Thị Ưng", "Lê Thị Ánh"]

    packs = tmp_path / "packs"
    result = runner.invoke(args=["honours-list", CAMPAIGN, "--format", "pdf", "--per-unit", "--output", str(packs)])
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in packs.iterdir()) == [
        "danh-sach-khen-thuong-test-campaign-ba-dinh.pdf", "danh-sach-khen-thuong-test-campaign-ung-hoa.pdf"]
    result = runner.invoke(args=["honours-list", "no-such", "--output", str(target)])
    assert result.exit_code == 1 and "đợt khen thưởng" in result.output.lower()


def test_the_openapi_document_describes_the_honours_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/campaigns/{code}/honours-list", "/api/v1/campaigns/{code}/honours-list/finalise",
                 "/api/v1/campaigns/{code}/honours-list/exports", "/api/v1/exports/{job_id}",
                 "/api/v1/campaigns/{code}/statistics", "/api/v1/award-types/{code}/import-template",
                 "/api/v1/dossiers/import"):
        assert path in paths
    item = paths["/api/v1/campaigns/{code}/honours-list"]["get"]
    assert {p["name"] for p in item["parameters"] if p["in"] == "query"} >= {"format", "provisional", "unit"}


def test_the_cli_and_the_api_give_the_same_bytes_for_a_final_list(app, factory, tmp_path):
    conferred(factory, "Trần Thị Ưng")
    api = office_api(factory)
    assert api.post(LIST_URL + "/finalise").status_code == 201
    runner = app.test_cli_runner()
    for fmt in ("xlsx", "docx", "pdf"):
        target = tmp_path / f"list.{fmt}"
        result = runner.invoke(args=["honours-list", CAMPAIGN, "--format", fmt, "--output", str(target)])
        assert result.exit_code == 0, result.output
        assert target.read_bytes() == api.get(f"{LIST_URL}?format={fmt}").data, fmt


def test_the_list_and_its_finalisation_work_on_sqlite(sqlite_factory):
    from workflow.honours import finalise_honours_list, honours_list, snapshot_list

    conferred(sqlite_factory, "Trần Thị Ưng")
    conferred(sqlite_factory, "Lê Thị Ánh")
    campaign = sqlite_factory.campaign(CAMPAIGN)
    live = honours_list(campaign)
    assert [item["nominee_name"] for item in all_items(live.data)] == ["Lê Thị Ánh", "Trần Thị Ưng"]
    snapshot = finalise_honours_list(sqlite_factory.user("office"), CAMPAIGN)
    db.session.commit()
    assert all_items(snapshot_list(snapshot).data) == all_items(live.data)
    assert honours_list(campaign).data == snapshot_list(snapshot).data
