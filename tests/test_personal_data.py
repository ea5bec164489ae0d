"""Personal data (dates and years of birth, identity numbers): shown only to the nominating unit's submitters, the
office and the responsible appraisers, masked for everyone else in the API and the pages; never on the honours list
nor in notices; the office exports one nominee's record for that person."""
from __future__ import annotations

import datetime as dt
import email
import io
import json
import unicodedata
import zipfile
from email import policy
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import select

from tests.web_helpers import sign_in
from workflow.models import Notice, db

BORN = dt.date(1963, 9, 17)
IDENTITY = "001163098765"
# What must not leak: the year, the date as the pages write it and as the API does, the identity number.
SECRETS = ("1963", "17/09/1963", "1963-09-17", IDENTITY)


def nominee_fields(**extra) -> dict:
    return {"name": "Phạm Thị Riêng Tư", "birth_year": BORN.year, "birth_date": BORN, "identity_number": IDENTITY,
            **extra}


def leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


@pytest.fixture
def in_council(factory):
    """A dossier of Ba Đình for an award type the office's department appraises, waiting for the council's vote."""
    return factory.dossier("council_review", **nominee_fields())


def test_a_council_member_reads_the_personal_data_masked_in_the_api_and_on_the_page(app, factory, in_council):
    member = factory.council(1)[0]

    body = factory.api(member).get(f"/api/v1/dossiers/{in_council.id}").json
    assert body["nominee"]["birth_year"] is None
    assert body["nominee"]["personal_data_masked"] is True
    listed = factory.api(member).get("/api/v1/dossiers").json["items"]
    assert [item["nominee"]["birth_year"] for item in listed if item["id"] == in_council.id] == [None]

    page = sign_in(app, member, language="en").get(f"/dossiers/{in_council.id}")
    assert page.status_code == 200
    assert "Phạm Thị Riêng Tư" in page.text
    assert "Hidden (personal data)" in page.text
    assert leaks(page.text) == []


def test_the_chair_and_another_department_read_it_masked_too(factory, in_council):
    for user in (factory.user("chair"), factory.user("appraiser", "ban-xdtc")):
        nominee = factory.api(user).get(f"/api/v1/dossiers/{in_council.id}").json["nominee"]
        assert (nominee["birth_year"], nominee["personal_data_masked"]) == (None, True), user.role
    # An appraiser of another department looks up the registry: the entry is there, its personal data is not.
    entry = factory.api(factory.user("appraiser", "ban-xdtc")).get(
        f"/api/v1/nominees/{in_council.nominee_id}").json
    assert (entry["birth_date"], entry["birth_year"], entry["identity_number"]) == (None, None, None)
    assert entry["personal_data_masked"] is True


@pytest.mark.parametrize("role, unit", [("submitter", "ba-dinh"), ("office", "van-phong"),
                                        ("appraiser", "van-phong")])
def test_the_units_submitters_the_office_and_the_responsible_appraisers_see_it(app, factory, in_council, role, unit):
    user = factory.user(role, unit)
    api = factory.api(user)

    nominee = api.get(f"/api/v1/dossiers/{in_council.id}").json["nominee"]
    assert (nominee["birth_year"], nominee["personal_data_masked"]) == (1963, False)
    entry = api.get(f"/api/v1/nominees/{in_council.nominee_id}").json
    assert (entry["birth_date"], entry["identity_number"], entry["personal_data_masked"]) == (
        "1963-09-17", IDENTITY, False)
    [found] = [e for e in api.get("/api/v1/nominees", query_string={"q": "Pham Thi Rieng"}).json
               if e["id"] == in_council.nominee_id]
    assert found["identity_number"] == IDENTITY

    client = sign_in(app, user, language="en")
    assert "1963" in client.get(f"/dossiers/{in_council.id}").text
    entry_page = client.get(f"/nominees/{in_council.nominee_id}").text
    assert "17/09/1963" in entry_page and IDENTITY in entry_page
    assert "Hidden (personal data)" not in entry_page


def test_an_appraiser_of_another_department_reads_the_entry_page_masked(app, factory, in_council):
    page = sign_in(app, factory.user("appraiser", "ban-tuyen-giao"), language="en").get(
        f"/nominees/{in_council.nominee_id}")
    assert page.status_code == 200
    assert "Hidden (personal data)" in page.text
    assert leaks(page.text) == []


# Never printed on the honours list, nor in notices -------------------------------------------------

def file_text(data: bytes, file_format: str) -> str:
    if file_format == "pdf":
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    elif file_format == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(data))
        text = " ".join(str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                        for value in row if value is not None)
    elif file_format == "docx":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            text = " ".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
                            if name.endswith(".xml"))
    else:
        text = data.decode()
    return unicodedata.normalize("NFC", text)


def mail_texts(app) -> list[str]:
    texts = []
    for path in Path(app.config["MAIL_DIR"]).glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for part in message.walk():
            if part.get_content_type().startswith("text/"):
                texts.append(part.get_content())
            elif part.get_content_type() == "application/pdf":
                texts.append(file_text(part.get_content(), "pdf"))
    return texts


def test_the_honours_list_its_exports_and_the_notices_never_carry_personal_data(app, factory):
    factory.campaign("rieng-tu", ceremony_time="08:00", ceremony_place="Hội trường 1A")
    office = factory.api(factory.user("office"))  # before the steps: the office is told of the submission
    awardee = factory.dossier("conferred", campaign="rieng-tu", **nominee_fields())
    url = "/api/v1/campaigns/rieng-tu/honours-list"

    listed = office.get(url)
    assert "Phạm Thị Riêng Tư" in listed.text
    assert leaks(listed.text) == []
    for file_format in ("xlsx", "docx", "pdf"):
        exported = office.get(f"{url}?format={file_format}")
        assert exported.status_code == 200
        text = file_text(exported.data, file_format)
        assert "Riêng Tư" in text, file_format
        assert leaks(text) == [], file_format

    assert office.post(f"{url}/finalise").status_code == 201  # sends the invitations as well
    notices = list(db.session.scalars(select(Notice).where(Notice.dossier_id == awardee.id)))
    assert "invitation" in {notice.kind for notice in notices} and len(notices) > 3
    assert leaks(json.dumps([notice.params for notice in notices], ensure_ascii=False, default=str)) == []
    mails = mail_texts(app)
    assert any("Riêng Tư" in text for text in mails)
    assert [text for text in mails if leaks(text)] == []


# The personal record --------------------------------------------------------------------------------

def docx_headings(data: bytes) -> str:
    return "\n".join(paragraph.text for paragraph in Document(io.BytesIO(data)).paragraphs)


def test_the_office_exports_a_nominees_record_for_that_person(app, factory):
    factory.campaign("truoc", name="Đợt năm trước")
    first = factory.dossier("conferred", campaign="truoc", **nominee_fields())
    second = factory.dossier("submitted", award_type="can_bo_co_so_gioi", **nominee_fields())
    assert second.nominee_id == first.nominee_id  # the same person, found in the registry
    office = factory.api(factory.user("office"))

    record = office.get(f"/api/v1/nominees/{first.nominee_id}/record")
    assert record.status_code == 200, record.json
    body = record.json
    assert body["legal_basis"] == "Nghị định 13/2023/NĐ-CP"
    assert (body["nominee"]["birth_date"], body["nominee"]["identity_number"]) == ("1963-09-17", IDENTITY)
    assert [n["dossier"] for n in body["nominations"]] == [first.id, second.id]
    conferred = body["nominations"][0]
    assert conferred["decision"]["number"] == first.decision_number
    assert {d["kind"] for d in conferred["documents"]} >= set(first.award_type.required_documents)
    assert conferred["history"][-1]["to_state"] == first.state
    assert all("actor" not in row for row in conferred["history"])
    assert [line["decision_number"] for line in body["awards"]] == [first.decision_number]

    word = office.get(f"/api/v1/nominees/{first.nominee_id}/record?format=docx")
    assert word.status_code == 200
    assert "attachment" in word.headers["Content-Disposition"]
    text = "\n".join(cell.text for table in Document(io.BytesIO(word.data)).tables
                     for row in table.rows for cell in row.cells)
    assert "Phạm Thị Riêng Tư" in text and IDENTITY in text and "17/09/1963" in text
    assert first.decision_number in text and "Lịch sử khen thưởng" in docx_headings(word.data)

    page = sign_in(app, factory.user_once("office", "van-phong"), language="en")
    assert "Personal record (Word)" in page.get(f"/nominees/{first.nominee_id}").text
    download = page.get(f"/nominees/{first.nominee_id}/record.json")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    assert json.loads(download.data)["nominee"]["identity_number"] == IDENTITY


@pytest.mark.parametrize("role, unit", [("submitter", "ba-dinh"), ("appraiser", "van-phong"), ("council", None)])
def test_only_the_office_exports_the_record(app, factory, role, unit):
    dossier = factory.dossier("submitted", **nominee_fields())
    user = factory.user(role, unit)

    assert factory.api(user).get(f"/api/v1/nominees/{dossier.nominee_id}/record").status_code == 403
    client = sign_in(app, user, language="en")
    assert client.get(f"/nominees/{dossier.nominee_id}/record.docx").status_code == 403
    if role != "council":
        assert "Personal record (Word)" not in client.get(f"/nominees/{dossier.nominee_id}").text


def test_a_record_of_an_unknown_nominee_or_format_is_refused(factory):
    office = factory.api(factory.user("office"))
    assert office.get("/api/v1/nominees/999999/record").status_code == 404
    assert office.get("/api/v1/nominees/999999/record?format=exe").status_code == 422
