"""Issue 14's time savers on the pages: documents read in the page, the next dossier of one's queue, the return loop
(what to replace, replacing a file, resubmitting with nothing changed), the member's ballot on one page and the tally
kept from a member until they have voted."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from docx import Document as WordDocument
from sqlalchemy import func, select

from tests.factories import PDF
from tests.web_helpers import csrf_token, sign_in
from web.storage import document_store
from workflow import council
from workflow import operations as ops
from workflow.models import Dossier, HistoryEntry, VoteRecord, db

pytestmark = pytest.mark.usefixtures("light_password_hashing")


def word_file(*paragraphs: str) -> bytes:
    document = WordDocument()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def reload(dossier: Dossier) -> Dossier:
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(Dossier, dossier.id)


def test_documents_are_read_in_the_page_with_the_download_rights(app, factory):
    dossier = factory.draft()
    ops.add_document(factory.user_once("submitter", "ba-dinh"), dossier, "other", "ghi-chu.docx",
                     word_file("Báo cáo thành tích năm 2024", "Đạt 120% chỉ tiêu"), document_store())
    db.session.commit()
    factory.advance(dossier, "submit")
    dossier = reload(dossier)
    pdf = next(d for d in dossier.documents if d.content_type == "application/pdf")
    word = next(d for d in dossier.documents if d.filename == "ghi-chu.docx")
    office = sign_in(app, factory.user("office"))
    page = office.get(f"/dossiers/{dossier.id}").text
    inline = f"/dossiers/{dossier.id}/documents/{pdf.id}/inline"
    assert f'<iframe src="{inline}"' in page
    assert "<p>Báo cáo thành tích năm 2024</p>" in page and "<p>Đạt 120% chỉ tiêu</p>" in page
    shown = office.get(inline)
    assert shown.status_code == 200 and shown.data == PDF
    assert shown.headers["Content-Disposition"].startswith("inline")
    assert "frame-ancestors 'self'" in shown.headers["Content-Security-Policy"]
    assert "script-src" not in shown.headers["Content-Security-Policy"]
    assert shown.headers["X-Frame-Options"] == "SAMEORIGIN"
    # A Word file is shown as its text, never sent inline; another unit's submitter gets nothing.
    assert office.get(f"/dossiers/{dossier.id}/documents/{word.id}/inline").status_code == 404
    stranger = sign_in(app, factory.user_once("submitter", "hoan-kiem"))
    assert stranger.get(inline).status_code == 404


def test_the_office_accepts_and_opens_the_next_dossier_of_its_queue(app, factory):
    first, second, third = (factory.dossier("submitted") for _ in range(3))
    office = sign_in(app, factory.user("office"))
    page = office.get(f"/dossiers/{first.id}").text
    assert re.search(rf'<a class="button" rel="next" href="/dossiers/{second.id}">Hồ sơ tiếp theo</a>', page)
    assert "Tiếp nhận để thẩm định & mở hồ sơ kế tiếp" in page
    token = csrf_token(office, f"/dossiers/{first.id}")
    moved = office.post(f"/dossiers/{first.id}/events/accept",
                        data={"csrf_token": token, "version": str(reload(first).version), "then": "next"})
    assert moved.status_code == 302 and moved.headers["Location"].endswith(f"/dossiers/{second.id}")
    assert reload(first).state == "in_appraisal"
    # The last of the queue leads back to its first.
    assert f'href="/dossiers/{second.id}">Hồ sơ tiếp theo' in office.get(f"/dossiers/{third.id}").text


def test_the_appraiser_recommends_and_opens_the_next_one(app, factory):
    first, second = (factory.dossier("in_appraisal") for _ in range(2))
    appraiser = sign_in(app, factory.user("appraiser", "van-phong"))
    form = appraiser.get(f"/dossiers/{first.id}/events/recommend").text
    assert "Đề nghị Hội đồng xét & mở hồ sơ kế tiếp" in form
    token = csrf_token(appraiser, f"/dossiers/{first.id}/events/recommend")
    moved = appraiser.post(f"/dossiers/{first.id}/events/recommend", data={
        "csrf_token": token, "version": str(reload(first).version), "comment": "Đủ điều kiện.", "then": "next"})
    assert moved.headers["Location"].endswith(f"/dossiers/{second.id}")
    last = appraiser.post(f"/dossiers/{second.id}/events/recommend", data={
        "csrf_token": token, "version": str(reload(second).version), "comment": "Đủ điều kiện.", "then": "next"})
    assert last.headers["Location"].endswith("/") and reload(second).state == "council_review"


def test_the_return_loop_names_what_to_replace_and_replaces_it(app, factory):
    dossier = factory.dossier("submitted")
    office = sign_in(app, factory.user("office"))
    token = csrf_token(office, f"/dossiers/{dossier.id}/events/return")
    returned = office.post(f"/dossiers/{dossier.id}/events/return", data={
        "csrf_token": token, "version": str(reload(dossier).version), "reason_to_trinh": "Thiếu chữ ký."})
    assert returned.status_code == 302 and reload(dossier).state == "returned"

    unit = sign_in(app, factory.user_once("submitter", "ba-dinh"))
    page = unit.get(f"/dossiers/{dossier.id}").text
    assert re.search(r'class="replace">\s*<span aria-hidden="true">!</span>\s*Tờ trình — <strong>cần thay</strong>',
                     page)
    assert re.search(r'<option selected value="to_trinh">|<option value="to_trinh" selected>', page)
    assert 'aria-describedby="unchanged-warning"' in page and "Bạn chưa thay đổi gì" in page
    old = next(d for d in reload(dossier).documents if d.kind == "to_trinh")
    token = csrf_token(unit, f"/dossiers/{dossier.id}")
    replaced = unit.post(f"/dossiers/{dossier.id}/documents/{old.id}/replace", data={
        "csrf_token": token, "file": (io.BytesIO(PDF + b"%signed"), "to-trinh-da-ky.pdf")},
        content_type="multipart/form-data")
    assert replaced.status_code == 302
    dossier = reload(dossier)
    assert [d.filename for d in dossier.documents if d.kind == "to_trinh"] == ["to-trinh-da-ky.pdf"]
    row = db.session.scalars(select(HistoryEntry).where(HistoryEntry.dossier_id == dossier.id)
                             .order_by(HistoryEntry.seq.desc())).first()
    assert (row.event, row.details["replaced"], row.details["filename"]) == (
        "replace_document", "to_trinh.pdf", "to-trinh-da-ky.pdf")
    page = unit.get(f"/dossiers/{dossier.id}").text
    assert "cần thay" not in page and "unchanged-warning" not in page and "Bổ sung sau lần trả lại" in page
    assert unit.post(f"/dossiers/{dossier.id}/events/resubmit",
                     data={"csrf_token": token, "version": str(dossier.version)}).status_code == 302

    # The office's queue and the dossier's page say "Nộp lại", and so does the office's notice.
    home = office.get("/").text
    assert re.search(rf'href="/dossiers/{dossier.id}">.*?<span class="badge tone-open">Nộp lại</span>', home, re.S)
    assert "Nộp lại</span></h1>" in office.get(f"/dossiers/{dossier.id}").text
    assert "Nộp lại" in office.get("/inbox").text


def test_the_member_votes_on_every_open_dossier_on_one_sheet_all_or_nothing(app, factory):
    member = factory.council(3)[0]
    dossiers = [factory.dossier("council_review") for _ in range(3)]
    client = sign_in(app, member)
    page = client.get("/ballot").text
    assert page.count('type="radio"') == 9 and "Gửi phiếu bầu (3 hồ sơ)" in page
    assert page.count("Ý kiến thẩm định:") == 3
    token = csrf_token(client, "/ballot")
    partial = client.post("/ballot", data={"csrf_token": token, f"vote-{dossiers[0].id}": "agree",
                                           f"vote-{dossiers[1].id}": "disagree"})
    assert partial.status_code == 400 and "Chưa ghi nhận phiếu nào: 1 dòng" in partial.text
    assert f'id="error-{dossiers[2].id}"' in partial.text and 'value="disagree" required checked' in partial.text
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(VoteRecord)) == 0
    # Before voting the member does not see the tally; after, they do.
    assert "thành viên đã bỏ phiếu" not in client.get(f"/dossiers/{dossiers[0].id}").text
    assert factory.api(member).get(f"/api/v1/dossiers/{dossiers[0].id}/tally").status_code == 403
    sent = client.post("/ballot", data={"csrf_token": token, **{f"vote-{d.id}": "agree" for d in dossiers}})
    assert sent.status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(VoteRecord)
                             .where(VoteRecord.user_id == member.id)) == 3
    assert re.search(r"1 trên \d+ thành viên đã bỏ phiếu", client.get(f"/dossiers/{dossiers[0].id}").text)
    assert "Không có hồ sơ nào chờ bạn bỏ phiếu." in client.get("/ballot").text


def test_the_ballot_is_the_open_sessions_sheet_when_there_is_one(app, factory):
    member = factory.council(3)[0]
    on_agenda, elsewhere = factory.dossier("council_review"), factory.dossier("council_review")
    council.convene_council_session(factory.user("office"), dt.date.today(), "Hội trường", [on_agenda.id])
    db.session.commit()
    page = sign_in(app, member).get("/ballot").text
    assert f'name="vote-{on_agenda.id}"' in page and f'name="vote-{elsewhere.id}"' not in page
    assert "Phiếu bầu của phiên họp Hội đồng ngày" in page


def test_the_office_has_no_ballot(app, factory):
    assert sign_in(app, factory.user("office")).get("/ballot").status_code == 403


def test_a_submitted_dossier_has_a_code_a_printable_receipt_and_notices_that_name_it(app, factory):
    draft = factory.draft()
    office = factory.user("office")
    unit = sign_in(app, factory.user_once("submitter", "ba-dinh"))
    assert "Mã hồ sơ" not in unit.get(f"/dossiers/{draft.id}").text
    assert unit.get(f"/dossiers/{draft.id}/receipt").status_code == 404
    factory.advance(draft, "submit")
    code = f"HS-{draft.id:06d}"
    page = unit.get(f"/dossiers/{draft.id}").text
    assert re.search(rf"<dt>Mã hồ sơ</dt><dd><strong>{code}</strong> \(tiếp nhận ngày \d\d/\d\d/\d{{4}}\)", page)
    receipt = unit.get(f"/dossiers/{draft.id}/receipt").text
    assert "Giấy biên nhận hồ sơ đề nghị khen thưởng" in receipt and code in receipt
    assert "Tờ trình: to_trinh.pdf" in receipt
    assert sign_in(app, factory.user_once("submitter", "hoan-kiem")).get(
        f"/dossiers/{draft.id}/receipt").status_code == 404
    assert f"Mã hồ sơ: {code}" in sign_in(app, office).get("/inbox").text
