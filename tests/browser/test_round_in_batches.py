"""Issue 12's round in batches through the pages, in headless Chromium: two districts submit their packets, the office
accepts one whole and returns one dossier of the other, the appraiser recommends, a session of nine members votes on
its agenda (one absent member in writing, one conflicted member kept out of one dossier), the minutes are downloaded
and read, and the chair approves the session's passing dossiers in one action."""
from __future__ import annotations

import io
import re

import pytest
from docx import Document as WordDocument
from pypdf import PdfReader
from sqlalchemy import select

from tests.browser.test_usability import NAMELESS_BUTTONS, OVERFLOW, UNLABELLED
from tests.factories import PDF
from tests.test_council_sessions import APPROVAL, VOTING
from tests.test_unit_packets import ACCEPT, CAMPAIGN, REFERENCE, SUBMIT, draft
from workflow.i18n import today
from workflow.models import Dossier, HistoryEntry, db
from workflow.packets import return_step

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.usefixtures("light_password_hashing")]

RECOMMEND = next(step for step in REFERENCE.steps if step.source == ACCEPT.dest and step.dest == VOTING)
CONFLICTED_NAME = "Trần Thị Xung Đột"
PLACE = "Hội trường tầng 3, 19 Lê Thánh Tông"
# Per nominee: members counted, votes cast, agree, disagree, abstain, conclusion.
TALLIES = {"Nguyễn Thị An": ["9", "9", "8", "0", "1", "Đạt"], CONFLICTED_NAME: ["8", "8", "6", "1", "1", "Đạt"],
           "Lê Thị Cúc": ["9", "9", "2", "6", "1", "Không đạt"]}


def go(page, selector: str) -> None:
    """Click something that loads a new page, and wait for it."""
    with page.expect_navigation():
        page.click(selector)


def well_formed(page) -> bool:
    """Every field labelled, every button and link named, nothing wider than the screen."""
    return page.evaluate(UNLABELLED) == [] and page.evaluate(NAMELESS_BUTTONS) == [] and page.evaluate(OVERFLOW)


def history_steps(dossier: Dossier) -> list[str]:
    """The events of the steps the dossier took, in order (uploads and other history rows left out)."""
    db.session.rollback()
    return list(db.session.scalars(select(HistoryEntry.event).where(
        HistoryEntry.dossier_id == dossier.id, HistoryEntry.event.in_({step.event for step in REFERENCE.steps}))
        .order_by(HistoryEntry.seq)))


def state_of(dossier: Dossier) -> str:
    db.session.rollback()
    return db.session.get(Dossier, dossier.id).state


def submit_packet(browser, factory, unit: str, shot: str) -> None:
    """The unit's submitter uploads the tờ trình once on the packet page and submits the whole packet."""
    page = browser.login(factory.user_once("submitter", unit).username)
    page.goto(f"/packets/{CAMPAIGN}/{unit}")
    assert "Hồ sơ chung của đơn vị" in page.inner_text("h1")
    page.select_option("#kind", "to_trinh")
    page.set_input_files("#file", {"name": f"to-trinh-{unit}.pdf", "mimeType": "application/pdf", "buffer": PDF})
    go(page, "form.upload button[type=submit]")
    assert f"to-trinh-{unit}.pdf" in page.inner_text("#documents")
    assert well_formed(page)
    browser.shot(page, f"{shot}-packet-ready")
    with page.expect_navigation():
        page.get_by_role("button", name="Nộp cả hồ sơ chung").click()
    assert "Mọi hồ sơ nháp của hồ sơ chung đã được nộp." in page.inner_text("main")
    # Nothing more to add once every dossier is submitted: the upload form gives way to why.
    assert page.locator("form.upload").count() == 0
    assert "hồ sơ chung không nhận thêm tài liệu" in page.inner_text("#documents")
    browser.shot(page, f"{shot}-packet-submitted")


def test_a_round_in_batches_from_the_packets_to_the_chairs_approval(browser, factory):
    office_user = factory.user("office", "van-phong", username="vanphong", full_name="Trần Thị Mai")
    appraiser_user = factory.user("appraiser", "van-phong", username="thamdinh-vp", full_name="Phạm Thu Trang")
    chair = factory.user("chair", "thanh-hoi", username="chutich", full_name="Nguyễn Thị Chủ Tịch")
    members = [factory.user("council", "thanh-hoi", username=f"hoidong{n}",
                            full_name=CONFLICTED_NAME if n == 0 else f"Ủy Viên Số {n}") for n in range(8)]
    voters = [chair, *members]
    conflicted, absent = members[0], members[7]
    # Each district's drafts, with their own achievement reports; the tờ trình comes with the packet.
    an, xung_dot = draft(factory, "Nguyễn Thị An", "ba-dinh"), draft(factory, CONFLICTED_NAME, "ba-dinh")
    cuc, dung = draft(factory, "Lê Thị Cúc", "hoan-kiem"), draft(factory, "Phạm Thị Dung", "hoan-kiem")
    agenda = [an, xung_dot, cuc]

    # Both districts submit their packets.
    submit_packet(browser, factory, "ba-dinh", "ba-dinh")
    submit_packet(browser, factory, "hoan-kiem", "hoan-kiem")
    assert {state_of(d) for d in (an, xung_dot, cuc, dung)} == {SUBMIT.dest}

    # The office accepts Ba Đình's packet whole.
    office = browser.login(office_user.username)
    office.goto("/packets")
    browser.shot(office, "office-packets")
    with office.expect_navigation():
        office.get_by_role("link", name=an.unit.name).first.click()
    assert "Nguyễn Thị An" in office.inner_text("main") and well_formed(office)
    with office.expect_navigation():
        office.get_by_role("button", name="Tiếp nhận cả hồ sơ chung").click()
    assert "Mọi hồ sơ đã nộp của hồ sơ chung đã được tiếp nhận." in office.inner_text("main")
    browser.shot(office, "office-ba-dinh-accepted")

    # Hoàn Kiếm's: one dossier goes back from its own form, linked from the packet; the other is accepted.
    returning = return_step(REFERENCE, office_user)
    office.goto(f"/packets/{CAMPAIGN}/hoan-kiem")
    browser.shot(office, "office-hoan-kiem-packet")
    go(office, f"a[href*='/dossiers/{dung.id}/events/{returning.event}?']")
    office.fill("#reason_bao_cao_thanh_tich", "Báo cáo thiếu xác nhận của cấp ủy")
    office.fill("#comment", "Đề nghị bổ sung số liệu năm nay.")
    assert well_formed(office)
    browser.shot(office, "office-return-form")
    go(office, "form.stack button[type=submit]")
    assert state_of(dung) == returning.dest
    # Back on the packet, to go on with it.
    assert office.url.endswith(f"/packets/{CAMPAIGN}/hoan-kiem")
    assert "Đã thực hiện: hồ sơ “Phạm Thị Dung” hiện ở trạng thái" in office.inner_text(".messages")
    browser.shot(office, "office-returned-back-on-packet")
    with office.expect_navigation():
        office.get_by_role("button", name="Tiếp nhận cả hồ sơ chung").click()
    browser.shot(office, "office-hoan-kiem-accepted")
    assert [state_of(d) for d in (an, xung_dot, cuc, dung)] == [ACCEPT.dest] * 3 + [returning.dest]
    office.goto(f"/dossiers/{dung.id}")
    assert "Báo cáo thiếu xác nhận của cấp ủy" in office.inner_text("main")
    assert office.locator("#tally").count() == 0  # never voted on: no tally
    browser.shot(office, "office-returned-dossier")

    # The appraiser recommends the three to the council.
    appraiser = browser.login(appraiser_user.username)
    for dossier in agenda:
        appraiser.goto(f"/dossiers/{dossier.id}")
        go(appraiser, f"[data-event={RECOMMEND.event}]")
        appraiser.fill("#comment", "Đủ điều kiện, đề nghị Hội đồng xét.")
        if dossier is an:
            browser.shot(appraiser, "appraiser-recommend-form")
        go(appraiser, "form.stack button[type=submit]")
    assert {state_of(d) for d in agenda} == {VOTING}

    # The office convenes the session with the three on its agenda; the returned dossier is not a candidate.
    office.goto(f"/council-sessions?award_type={an.award_type.code}")
    assert "Phạm Thị Dung" not in office.inner_text("main")
    office.fill("#held_on", today().strftime("%d/%m/%Y"))
    office.fill("#place", PLACE)
    for dossier in agenda:
        office.check(f"#select-{dossier.id}")
    assert well_formed(office)
    browser.shot(office, "office-convene")
    go(office, "button[form=bulk-form]")
    office.wait_for_url(re.compile(r"/council-sessions/\d+$"))
    session_path = office.url.removeprefix(browser.base_url)
    browser.shot(office, "office-session-open")

    # Every member fills one sheet: the absent one sends it in writing before the close, the conflicted one has no
    # line for the dossier naming her.
    choices = {an: ["agree"] * 8 + ["abstain"],
               xung_dot: ["agree", None, "agree", "agree", "agree", "agree", "agree", "disagree", "abstain"],
               cuc: ["agree", "agree", "disagree", "disagree", "disagree", "disagree", "disagree", "disagree",
                     "abstain"]}
    for index, voter in enumerate(voters):
        page = browser.login(voter.username)
        page.goto(session_path)
        on_sheet = {int(name.removeprefix("vote-")) for name in page.eval_on_selector_all(
            "input[type=radio]", "inputs => inputs.map(input => input.name)")}
        expected = [d for d in agenda if choices[d][index] is not None]
        assert on_sheet == {d.id for d in expected}, voter.username
        for dossier in expected:
            page.check(f"input[name=vote-{dossier.id}][value={choices[dossier][index]}]")
        if voter in (chair, conflicted):
            assert well_formed(page)
            browser.shot(page, f"sheet-{voter.username}")
        go(page, "form.stack button[type=submit]")
        assert page.locator("input[type=radio]").count() == 0
        if voter is chair:
            browser.shot(page, "sheet-sent")

    # The office closes the session with everyone present but the member who voted in writing; beside each member,
    # whether their sheet came in.
    office.goto(session_path)
    assert office.locator(".sheet-status.sent").count() == len(voters)
    for voter in voters:
        if voter is not absent:
            office.check(f"input[name=present][value='{voter.id}']")
    assert well_formed(office)
    browser.shot(office, "office-close-form")
    go(office, "form[action$='/closure'] button[type=submit]")
    rows = office.locator("section[aria-labelledby=agenda] tbody tr")
    cells = [rows.nth(n).locator("td").all_inner_texts() for n in range(rows.count())]
    assert {row[0]: row[3:] for row in cells} == TALLIES
    attendance = office.inner_text("section[aria-labelledby=attendance]")
    assert "Thành viên vắng mặt (1): Ủy Viên Số 7." in attendance and chair.full_name in attendance
    browser.shot(office, "office-session-closed")

    # The minutes, opened: counts per dossier, who was there and who was not, never who voted how.
    with office.expect_download() as download:
        office.click("a[href$='minutes.docx']")
    minutes = WordDocument(io.BytesIO(download.value.path().read_bytes()))
    text = "\n".join(p.text for p in minutes.paragraphs)
    assert "BIÊN BẢN HỌP HỘI ĐỒNG THI ĐUA" in text and today().strftime("%d/%m/%Y") in text and PLACE in text
    present, away = ([line for line in text.splitlines() if line.startswith(start)]
                     for start in ("Thành viên có mặt (8): ", "Thành viên vắng mặt (1): "))
    assert len(present) == 1 and chair.full_name in present[0] and absent.full_name not in present[0]
    assert away == [f"Thành viên vắng mặt (1): {absent.full_name}."]
    table = [[cell.text for cell in row.cells] for row in minutes.tables[1].rows]
    assert {row[1]: row[4:] for row in table[1:]} == TALLIES
    names = {voter.full_name for voter in voters if voter is not conflicted} | {v.username for v in voters}
    assert not names & {cell for row in table for cell in row}
    with office.expect_download() as download:
        office.click("a[href$='minutes.pdf']")
    pdf = download.value.path().read_bytes()
    assert pdf[:5] == b"%PDF-"
    pdf_text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Nguyễn Thị An" in pdf_text and "Không đạt" in pdf_text

    # The chair approves the passing dossiers in one action; the failing one stays for the council.
    chair_page = browser.login(chair.username)
    chair_page.goto(session_path)
    approval = chair_page.inner_text("section[aria-labelledby=approval]")
    assert "Lê Thị Cúc: Chưa đủ phiếu đồng ý: 2 trên 9 thành viên, cần 7." in approval
    assert well_formed(chair_page)
    browser.shot(chair_page, "chair-session-closed")
    go(chair_page, "form[action$='/approval'] button[type=submit]")
    assert "Đã phê duyệt các hồ sơ đạt của phiên họp." in chair_page.inner_text("main")
    browser.shot(chair_page, "chair-approved")
    assert [state_of(d) for d in agenda] == [APPROVAL.dest, APPROVAL.dest, VOTING]
    chair_page.goto(f"/dossiers/{an.id}")
    assert chair_page.locator(f"a[href='{session_path}/minutes.docx']").count() == 1
    assert "Bạn đã bỏ phiếu" not in chair_page.inner_text("main")
    browser.shot(chair_page, "chair-approved-dossier")

    # One history row per dossier moved by each batch, and none for a dossier a batch left alone.
    assert [history_steps(d) for d in (an, xung_dot)] == [[SUBMIT.event, ACCEPT.event, RECOMMEND.event,
                                                           APPROVAL.event]] * 2
    assert history_steps(cuc) == [SUBMIT.event, ACCEPT.event, RECOMMEND.event]
    assert history_steps(dung) == [SUBMIT.event, returning.event]
