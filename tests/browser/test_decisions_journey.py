"""Issue 13's round in batches, part 2, through the pages in headless Chromium: one decision confers a council
session's approved dossiers of the union's own award; the others are forwarded to the Central Committee with the
union's letter; the list is finalised with them pending; the answer confers some and declines one, making an
amendment whose exports differ only where they should; one award is revoked. The decision and the invitation are
rendered as the PDFs print them and looked at."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from babel.support import Translations
from docx import Document as WordDocument
from sqlalchemy import select

from tests.browser.test_round_in_batches import go, well_formed
from tests.factories import PDF
from tests.test_council_sessions import APPROVAL, VOTING, convene, sheet
from tests.test_honours_amendments import xlsx_texts
from tests.test_honours_list import CAMPAIGN, LIST_URL
from workflow.exports.decision import decision_html
from workflow.i18n import today
from workflow.invitations import invitation_params
from workflow.models import Campaign, Decision, Dossier, HistoryEntry, db

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.usefixtures("light_password_hashing")]

TRANSLATIONS = Path(__file__).resolve().parents[2] / "web" / "translations"
OWN, CENTRAL = "bk_thanh_hoi", "bk_tw_hoi"
CENTRAL_NAME = "Đoàn Chủ tịch Trung ương Hội LHPN Việt Nam"
VENUE = "Hội trường 1A, số 7 phố Tôn Thất Thuyết, phường Dịch Vọng Hậu, quận Cầu Giấy"
REFUSAL = "Trung ương Hội không xét do đã khen năm 2023"


def state_of(dossier: Dossier) -> str:
    db.session.expire_all()
    return db.session.get(Dossier, dossier.id).state


def approved_by_a_session(factory, dossiers) -> None:
    """The council votes every dossier through in one session, and the chair approves them in one action."""
    chair = factory.user("chair", full_name="Chủ Tịch Hội Đồng")
    members = [factory.user("council", full_name=f"Ủy Viên {n}") for n in range(2)]
    session_id = convene(factory, dossiers).json["id"]
    for voter in (chair, *members):
        assert sheet(factory, voter, session_id, {d: "agree" for d in dossiers}).status_code == 201
    office = factory.api(factory.user_once("office", "van-phong"))
    present = [chair.id] + [m.id for m in members]
    assert office.post(f"/api/v1/council-sessions/{session_id}/closure", json={"present": present}).status_code == 200
    assert factory.api(chair).post(f"/api/v1/council-sessions/{session_id}/approval").status_code == 200
    assert {state_of(d) for d in dossiers} == {APPROVAL.dest}


def table_rows(texts: list[str], names: list[str]) -> dict[str, list[str]]:
    """Each named nominee's row in a sheet's texts: the cells from the name to the next row's number."""
    rows = {}
    for name in names:
        if name in texts:
            start = texts.index(name)
            rows[name] = texts[start:start + 6]
    return rows


def test_decision_forwarding_late_answer_amendment_and_revocation(browser, factory, app):
    campaign = db.session.scalar(select(Campaign).where(Campaign.code == CAMPAIGN)) or factory.campaign(CAMPAIGN)
    campaign.ceremony_date, campaign.ceremony_time, campaign.ceremony_place = today() + dt.timedelta(days=20), \
        "08:00", VENUE
    campaign.event_title = "Hội nghị tổng kết công tác Hội năm 2024, phát động phong trào thi đua năm 2025"
    campaign.signer_name = "Nguyễn Thị Tuyết"
    db.session.commit()
    an, binh = (factory.dossier(VOTING, award_type=OWN, name=name) for name in ("Nguyễn Thị An", "Lê Thị Bình"))
    lan, mai, hoa = (factory.dossier(VOTING, award_type=CENTRAL, name=name, unit=unit) for name, unit in (
        ("Đỗ Thị Lan", "ba-dinh"), ("Phạm Thị Mai", "ung-hoa"), ("Vũ Thị Hoa", "ung-hoa")))
    approved_by_a_session(factory, [an, binh, lan, mai, hoa])
    office_user = factory.user_once("office", "van-phong")
    office = browser.login(office_user.username)

    # 1. One decision confers the session's approved dossiers of the union's own award. A first draft missing one of
    # them is cancelled, which offers its dossier again.
    office.goto(f"/decisions?award_type={OWN}")
    assert "Đỗ Thị Lan" not in office.inner_text("main")
    office.fill("#number", "124/QĐ-HPN")
    office.fill("#decided_on", today().strftime("%d/%m/%Y"))
    office.fill("#signer_name", "Nguyễn Thị Tuyết")
    office.fill("#signer_title", "TM. BAN THƯỜNG VỤ – CHỦ TỊCH")
    office.check(f"#select-{an.id}")
    go(office, "button[form=bulk-form]")
    office.once("dialog", lambda dialog: dialog.accept())
    go(office, "form[action$='/cancel'] button[type=submit]")
    assert "Đã hủy dự thảo quyết định" in office.inner_text("main")
    assert db.session.scalar(select(Decision).where(Decision.number == "124/QĐ-HPN")) is None
    office.goto(f"/decisions?award_type={OWN}")
    office.fill("#number", "125/QĐ-HPN")
    office.fill("#decided_on", today().strftime("%d/%m/%Y"))
    office.fill("#signer_name", "Nguyễn Thị Tuyết")
    office.fill("#signer_title", "TM. BAN THƯỜNG VỤ – CHỦ TỊCH")
    for dossier in (an, binh):
        office.check(f"#select-{dossier.id}")
    assert well_formed(office)
    browser.shot(office, "decision-form")
    go(office, "button[form=bulk-form]")
    office.set_input_files("#file", {"name": "qd-125.pdf", "mimeType": "application/pdf", "buffer": PDF})
    go(office, "form.upload button[type=submit]")
    go(office, "form[action$='/record'] button[type=submit]")
    assert "Đã ghi nhận" in office.inner_text("main")
    browser.shot(office, "decision-recorded")
    assert [state_of(d) for d in (an, binh)] == ["conferred", "conferred"]
    decision = db.session.scalar(select(Decision).where(Decision.number == "125/QĐ-HPN"))
    office.goto(f"/dossiers/{an.id}")
    assert office.locator(f"a[href='/decisions/{decision.id}']").count() == 1

    # The decision as its PDF prints it, to look at.
    gettext = Translations.load(str(TRANSLATIONS), ["vi"]).gettext
    printed = browser.new_page(width=794, height=1123)
    printed.set_content(decision_html(decision, gettext))
    assert "QUYẾT ĐỊNH" in printed.inner_text("body") and "Nguyễn Thị An" in printed.inner_text("body")
    browser.shot(printed, "decision-as-printed")

    # 2. The other three go to the Central Committee with the union's letter, in one action.
    office.goto("/forwardings")
    assert office.inner_text("h1") == "Trình cấp trên"
    office.fill("#number", "45/TTr-HPN")
    office.fill("#sent_on", today().strftime("%d/%m/%Y"))
    office.fill("#signer_name", "Nguyễn Thị Tuyết")
    office.fill("#signer_title", "TM. BAN THƯỜNG VỤ – CHỦ TỊCH")
    office.select_option("#authority", "tw_hoi")
    for dossier in (lan, mai, hoa):
        office.check(f"#select-{dossier.id}")
    assert well_formed(office)
    browser.shot(office, "forwarding-form")
    go(office, "button[form=bulk-form]")
    assert office.inner_text("h1") == "Tờ trình 45/TTr-HPN"
    forwarding_path = office.url.removeprefix(browser.base_url)
    assert {state_of(d) for d in (lan, mai, hoa)} == {"forwarded"}
    with office.expect_download() as download:
        office.click("a[href$='letter.docx']")
    letter = WordDocument(io.BytesIO(download.value.path().read_bytes()))
    letter_text = "\n".join(p.text for p in letter.paragraphs)
    assert "TỜ TRÌNH" in letter_text and f"Kính gửi: {CENTRAL_NAME}" in letter_text
    assert [row.cells[1].text for row in letter.tables[-1].rows[2:]] == ["Đỗ Thị Lan", "Vũ Thị Hoa", "Phạm Thị Mai"]
    browser.shot(office, "forwarding-sent")

    # 3. The list is finalised while they wait: they are in its "chờ quyết định" section.
    office.goto("/exports/honours-list")
    office.select_option("#finalise-campaign", CAMPAIGN)
    go(office, "form[action$='/finalise'] button[type=submit]")
    api = factory.api(office_user)
    first = api.get(f"{LIST_URL}/versions/1?format=xlsx").data
    assert "CHỜ QUYẾT ĐỊNH: đã trình cấp trên" in xlsx_texts(first)
    browser.shot(office, "list-finalised")

    # 4. The answer: the Central Committee's decision confers two; the third is declined with its text.
    office.goto(forwarding_path)
    office.check(f"#granted-{lan.id}")
    office.check(f"#granted-{mai.id}")
    office.fill("#decision_number", "88/QĐ-ĐCT")
    office.fill("#decided_on", today().strftime("%d/%m/%Y"))
    office.fill("#signer_name", "Hà Thị Nga")
    office.fill("#signer_title", "TM. ĐOÀN CHỦ TỊCH – CHỦ TỊCH")
    office.fill("#answer_text", REFUSAL)
    assert well_formed(office)
    browser.shot(office, "answer-form")
    go(office, "#answer-form button[type=submit]")
    assert "Đã ghi nhận kết quả" in office.inner_text("main")
    browser.shot(office, "answer-recorded")
    assert [state_of(d) for d in (lan, mai, hoa)] == ["conferred", "conferred", "declined"]
    office.goto(f"/dossiers/{hoa.id}")
    facts = office.inner_text("main")
    assert "Trình Đoàn Chủ tịch Trung ương Hội LHPN Việt Nam theo Tờ trình số 45/TTr-HPN" in facts
    assert f"Không được khen thưởng: {REFUSAL}" in facts
    browser.shot(office, "declined-dossier")
    office.goto(f"/dossiers/{lan.id}")
    assert "Được khen thưởng theo Quyết định số 88/QĐ-ĐCT" in office.inner_text("main")

    # The amendment differs from the first version only where it should: its version line, the two conferred
    # (with the Central Committee's decision), the one declined gone and the pending section emptied; the rows of the
    # union's own decision are as they were.
    second = api.get(f"{LIST_URL}/versions/2?format=xlsx").data
    assert api.get(f"{LIST_URL}/versions/1?format=xlsx").data == first
    one, two = xlsx_texts(first), xlsx_texts(second)
    assert "Phiên bản 2 – Bản sửa đổi lần 1" in two and "Phiên bản 2 – Bản sửa đổi lần 1" not in one
    assert table_rows(one, ["Nguyễn Thị An", "Lê Thị Bình"]) == table_rows(two, ["Nguyễn Thị An", "Lê Thị Bình"])
    assert "88/QĐ-ĐCT" not in one and two.count("88/QĐ-ĐCT") >= 2 and CENTRAL_NAME in two
    assert "CHỜ QUYẾT ĐỊNH: đã trình cấp trên" not in two
    assert "Vũ Thị Hoa" in one and not any(text == "Vũ Thị Hoa" for text in two if text)
    assert any("Vũ Thị Hoa" in text and "cấp trên không khen thưởng" in text for text in two if text)

    # 5. One award revoked on its dossier's page: the third version shows it.
    office.goto(f"/dossiers/{binh.id}")
    office.click("main a.button:has-text('Thu hồi khen thưởng')")
    office.fill("#decision_number", "150/QĐ-HPN")
    office.fill("#decision_date", today().strftime("%d/%m/%Y"))
    office.fill("#comment", "Thành tích kê khai không đúng sự thật")
    office.once("dialog", lambda dialog: dialog.accept())
    office.click("main form.stack button[type=submit]")
    office.wait_for_selector("text=Đã thu hồi khen thưởng")
    browser.shot(office, "revoked")
    third = xlsx_texts(api.get(f"{LIST_URL}/versions/3?format=xlsx").data)
    assert "KHEN THƯỞNG ĐÃ THU HỒI" in third
    assert db.session.scalar(select(HistoryEntry.event).where(HistoryEntry.dossier_id == binh.id)
                             .order_by(HistoryEntry.id.desc()).limit(1)) == "revoke"

    # The invitation a new awardee's unit receives, as its PDF prints it, to look at.
    from tasks.letters import invitation_html
    with app.test_request_context():
        html = invitation_html(invitation_params(db.session.get(Dossier, lan.id)))
    letter_page = browser.new_page(width=794, height=1123)
    letter_page.set_content(html)
    body = letter_page.inner_text("body")
    assert "GIẤY MỜI" in body and "Đỗ Thị Lan" in body and VENUE in body
    browser.shot(letter_page, "invitation-as-printed")
