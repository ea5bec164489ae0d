"""Nominations from a spreadsheet: the template, a good file, a file with errors, hostile files."""
import io
import zipfile

import openpyxl
import pytest
from openpyxl.xml import DEFUSEDXML
from sqlalchemy import func, select

from workflow.models import Dossier, db

CAMPAIGN = "import-campaign"


def template(api, award_type="bk_thanh_hoi"):
    response = api.get(f"/api/v1/award-types/{award_type}/import-template")
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.data))


def filled(api, rows, award_type="bk_thanh_hoi") -> bytes:
    workbook = template(api, award_type)
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(api, data: bytes, award_type="bk_thanh_hoi", campaign=CAMPAIGN):
    return api.post("/api/v1/dossiers/import", data={
        "campaign": campaign, "award_type": award_type, "file": (io.BytesIO(data), "de-nghi.xlsx")},
        content_type="multipart/form-data")


def dossier_count() -> int:
    return db.session.scalar(select(func.count(Dossier.id)))


@pytest.fixture
def submitter_api(factory):
    factory.campaign(CAMPAIGN)
    return factory.api(factory.user("submitter", "dong-anh"))


def test_template_has_vietnamese_headers_and_drop_down_lists(submitter_api):
    sheet = template(submitter_api).active
    assert [cell.value for cell in sheet[1]] == ["Cá nhân hay tập thể", "Họ và tên / Tên tập thể", "Chức vụ",
                                                 "Nơi công tác", "Năm sinh", "Giới tính", "Tóm tắt thành tích"]
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"}
    assert lists == {"A2:A1001": '"Cá nhân,Tập thể"', "F2:F1001": '"Nữ,Nam"'}
    collective_only = template(submitter_api, "uy_thac_nhcsxh").active
    assert [v.formula1 for v in collective_only.data_validations.dataValidation if str(v.sqref) == "A2:A1001"] == [
        '"Tập thể"']


def test_a_good_file_creates_one_draft_per_row_for_the_submitters_unit(submitter_api):
    data = filled(submitter_api, [
        ["Cá nhân", "Nguyễn Thị Ánh", "Chi hội trưởng", "Chi hội thôn Đoài", 1975, "Nữ", "Hoàn thành xuất sắc"],
        ["Tập thể", "Hội LHPN xã Uy Nỗ", None, None, None, None, "Dẫn đầu phong trào"],
        ["individual", "  Trần   Văn Bình ", "Cán bộ", None, "1980", "male", ""],
    ])
    response = upload(submitter_api, data)
    assert response.status_code == 201, response.json
    assert response.json["created"] == 3
    items = response.json["items"]
    assert [(d["nominee"]["kind"], d["nominee"]["name"], d["state"], d["unit"]) for d in items] == [
        ("individual", "Nguyễn Thị Ánh", "draft", "dong-anh"), ("collective", "Hội LHPN xã Uy Nỗ", "draft", "dong-anh"),
        ("individual", "Trần Văn Bình", "draft", "dong-anh")]
    assert len({d["nominee"].pop("id") for d in items}) == 3  # three nominees, each a new registry entry
    assert items[0]["nominee"] | {"achievements": items[0]["achievements"]} == {
        "kind": "individual", "name": "Nguyễn Thị Ánh", "position": "Chi hội trưởng", "workplace": "Chi hội thôn Đoài",
        "birth_year": 1975, "gender": "female", "achievements": "Hoàn thành xuất sắc", "personal_data_masked": False}
    assert items[2]["nominee"]["gender"] == "male" and items[2]["nominee"]["birth_year"] == 1980
    assert dossier_count() == 3


def test_a_file_with_errors_creates_nothing_and_names_every_error(submitter_api):
    data = filled(submitter_api, [
        ["Cá nhân", "Nguyễn Thị Ánh", None, None, 1975, "Nữ", "Tốt"],
        ["Người", "Lê Thị Cúc", None, None, None, None, ""],
        ["Cá nhân", "", None, None, 1800, "Khác", ""],
        ["Cá nhân", "Phạm Thị Dung", None, None, "năm 80", None, ""],
        ["Cá nhân", "Nguyễn  Thị ánh", None, None, 1975, None, ""],
        ["Cá nhân", "Vũ Thị Em", "=HYPERLINK(\"http://x\",\"y\")", None, None, None, ""],
    ])
    response = upload(submitter_api, data)
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_error"
    found = {(detail["row"], detail["column"]) for detail in error["details"]}
    assert found == {(3, "A"), (4, "B"), (4, "E"), (4, "F"), (5, "E"), (6, "B"), (7, "C")}
    assert all(detail["message"] for detail in error["details"])
    assert "7" in error["message"]
    assert dossier_count() == 0


def test_import_refuses_other_roles_and_a_closed_campaign(factory, submitter_api):
    office = factory.api(factory.user("office"))
    data = filled(submitter_api, [["Cá nhân", "Nguyễn Thị Ánh", None, None, None, None, ""]])
    assert upload(office, data).json["error"]["code"] == "forbidden"
    factory.campaign("closed-campaign", status="closed")
    closed = upload(submitter_api, data, campaign="closed-campaign")
    assert closed.status_code == 422 and closed.json["error"]["details"][0]["field"] == "campaign"
    assert dossier_count() == 0


def replace_member(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == name else source.read(info.filename))
    return out.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="2"><c r="B2" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""


def test_xml_entity_expansion_is_refused(submitter_api):
    assert DEFUSEDXML  # openpyxl parses through defusedxml, which refuses entity declarations
    good = filled(submitter_api, [["Cá nhân", "Nguyễn Thị Ánh", None, None, None, None, ""]])
    hostile = replace_member(good, "xl/worksheets/sheet1.xml", BILLION_LAUGHS)
    response = upload(submitter_api, hostile)
    assert response.status_code == 415
    assert response.json["error"]["code"] == "unsupported_media_type"
    assert dossier_count() == 0


def test_a_zip_bomb_is_refused(submitter_api):
    good = filled(submitter_api, [["Cá nhân", "Nguyễn Thị Ánh", None, None, None, None, ""]])
    bomb = replace_member(good, "xl/theme/theme1.xml", b"<a>" + b" " * (40 * 1024 * 1024) + b"</a>")
    assert len(bomb) < 1024 * 1024
    response = upload(submitter_api, bomb)
    assert response.status_code == 415
    assert dossier_count() == 0


def test_a_file_that_is_not_a_spreadsheet_is_refused(submitter_api):
    response = upload(submitter_api, b"%PDF-1.4 not a spreadsheet")
    assert response.status_code == 415
    assert upload(submitter_api, b"").status_code == 415
    assert dossier_count() == 0


def test_formula_cells_are_refused_never_evaluated(submitter_api):
    workbook = template(submitter_api)
    sheet = workbook.active
    sheet.append(["Cá nhân", "=CONCATENATE(\"Nguyễn\",\" Thị Ánh\")", None, None, None, None, ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(submitter_api, buffer.getvalue())
    assert response.status_code == 422
    assert [(d["row"], d["column"]) for d in response.json["error"]["details"]] == [(2, "B")]
    assert dossier_count() == 0


# Bounded work -------------------------------------------------------------------------------------

SHEET_NS = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
FIRST_ROW = (b'<row r="2"><c r="A2" t="inlineStr"><is><t>C\xc3\xa1 nh\xc3\xa2n</t></is></c>'
             b'<c r="B2" t="inlineStr"><is><t>Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b \xc3\x81nh</t></is></c></row>')


def with_sheet(good: bytes, chunks, extra: dict[str, bytes] | None = None) -> bytes:
    """The good file with its sheet written from `chunks` (streamed, so it may be huge) and parts added."""
    source = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, source.read(info.filename))
        with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for chunk in chunks:
                sheet.write(chunk)
        for name, content in (extra or {}).items():
            target.writestr(name, content, zipfile.ZIP_STORED)
    return out.getvalue()


def upload_en(api, data: bytes):
    return api.post("/api/v1/dossiers/import", headers={"Accept-Language": "en"}, data={
        "campaign": CAMPAIGN, "award_type": "bk_thanh_hoi", "file": (io.BytesIO(data), "de-nghi.xlsx")},
        content_type="multipart/form-data")


def assert_bound_refused(response, words: str):
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error["code"] == "validation_error"
    assert [detail["field"] for detail in error["details"]] == ["file"]
    assert words in error["details"][0]["message"]
    assert dossier_count() == 0


def test_a_small_file_whose_sheet_expands_to_190_mb_of_empty_rows_is_refused_before_parsing(submitter_api):
    """The report's file: under 2 MB, passing the archive checks (a stored part of noise keeps the ratio
    plausible), its sheet 191 MB of empty rows. Refused by the size of the part, before any XML is read."""
    good = filled(submitter_api, [["Cá nhân", "Nguyễn Thị Ánh", None, None, None, None, ""]])
    block = b"<row/>" * (1024 * 1024 // 6)
    hostile = with_sheet(good, [SHEET_NS + b"<sheetData>", *[block] * 191, b"</sheetData></worksheet>"],
                         {"xl/media/image1.png": bytes(range(256)) * 6144})
    assert len(hostile) < 2 * 1024 * 1024
    assert sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(hostile)).infolist()) > 190 * 1024 * 1024

    assert_bound_refused(upload_en(submitter_api, hostile), "expands to more than 10 MB")


HOSTILE_SHEETS = {
    "empty rows below a nomination": (
        [SHEET_NS, b"<sheetData>", FIRST_ROW, b"<row/>" * 6000, b"</sheetData></worksheet>"], "more than 5000 rows"),
    "a row far down the sheet": (
        [SHEET_NS, b"<sheetData>", FIRST_ROW, b'<row r="1048576"/>', b"</sheetData></worksheet>"],
        "more than 5000 rows"),
    "a declared size of a million rows": (
        [SHEET_NS, b'<dimension ref="A1:G1048576"/><sheetData>', FIRST_ROW, b"</sheetData></worksheet>"],
        "more than 5000 rows"),
    "a row of a hundred thousand cells": (
        [SHEET_NS, b"<sheetData>", FIRST_ROW, b'<row r="3">', b"<c/>" * 100_000, b"</row></sheetData></worksheet>"],
        "more than 50000 cells"),
}


@pytest.mark.parametrize("case", list(HOSTILE_SHEETS))
def test_rows_and_cells_read_are_bounded_empty_ones_counted(submitter_api, case):
    chunks, words = HOSTILE_SHEETS[case]
    good = filled(submitter_api, [["Cá nhân", "Nguyễn Thị Ánh", None, None, None, None, ""]])
    assert_bound_refused(upload_en(submitter_api, with_sheet(good, chunks)), words)


def test_the_bounds_come_from_the_settings(app, submitter_api, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_SHEET_ROWS", 3)
    rows = [["individual", f"Nguyễn Thị {name}", None, None, None, None, ""] for name in ("Ánh", "Bình", "Cúc")]
    assert_bound_refused(upload_en(submitter_api, filled(submitter_api, rows)), "more than 3 rows")
    monkeypatch.setitem(app.config, "IMPORT_MAX_SHEET_ROWS", 4)
    response = upload_en(submitter_api, filled(submitter_api, rows))
    assert response.status_code == 201, response.json
