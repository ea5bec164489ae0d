"""The reviewer's day, counted in clicks, page loads and downloaded files (issue 14, "Time"): deciding 30 dossiers
(the appraiser's recommendation), voting on 20, returning and resubmitting one, checking a packet of 10. Each task is
done the way the pages allowed before the inline viewer, the next-in-queue buttons, the ballot page and the
replace-a-file loop, and the way they allow now; the counts of both are printed and the new way must cost less."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.factories import PDF
from workflow.models import Dossier, HistoryEntry, Unit, db

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.usefixtures("light_password_hashing")]

NOTE = "Đủ điều kiện, thành tích nổi bật."


class Counted:
    """A signed-in page whose clicks, page loads (navigations of the main frame) and downloads are counted."""

    def __init__(self, page):
        self.page = page
        self.clicks = self.loads = self.downloads = 0
        page.on("framenavigated", self._navigated)
        page.on("download", self._downloaded)
        page.on("dialog", lambda dialog: dialog.accept())

    def _navigated(self, frame) -> None:
        if frame == self.page.main_frame:
            self.loads += 1

    def _downloaded(self, _download) -> None:
        self.downloads += 1

    def click(self, selector: str) -> None:
        self.clicks += 1
        self.page.click(selector)

    def go(self, selector: str) -> None:
        """A click that loads a page."""
        self.clicks += 1
        with self.page.expect_navigation():
            self.page.click(selector)

    def download(self, selector: str) -> None:
        self.clicks += 1
        with self.page.expect_download():
            self.page.click(selector)

    def home(self) -> None:
        self.go(".brand a")

    def counts(self) -> tuple[int, int, int]:
        return self.clicks, self.loads, self.downloads


def states(returned, *units: str) -> dict[str, list[str]]:
    """The states of the units' dossiers, once the returned one has been resubmitted (a second submit row)."""
    db.session.rollback()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(HistoryEntry).where(
        HistoryEntry.dossier_id == returned.id, HistoryEntry.from_state != HistoryEntry.to_state)) == 3
    rows = db.session.execute(select(Unit.code, Dossier.state).join_from(Dossier, Unit).where(Unit.code.in_(units))
                              .order_by(Dossier.id)).all()
    return {unit: [state for code, state in rows if code == unit] for unit in units}


def counted_login(browser, username: str) -> Counted:
    page = browser.login(username)
    return Counted(page)


def open_first(counted: Counted, queue: str) -> None:
    counted.go(f"#queue-{queue} ~ .table-wrap tbody tr:first-child a")


def read_documents_by_download(counted: Counted) -> None:
    for link in counted.page.locator("ul.documents li > a").all():
        counted.clicks += 1
        with counted.page.expect_download():
            link.click()


def decide_before(browser, appraiser, count: int) -> tuple[int, int, int]:
    """Open each dossier from the home page, download its files, recommend with a note, back home."""
    counted = counted_login(browser, appraiser.username)
    for _ in range(count):
        open_first(counted, "appraisal")
        read_documents_by_download(counted)
        counted.go("a[data-event=recommend]")
        counted.page.fill("#comment", NOTE)
        counted.go("form.stack .buttons button[type=submit]")
        counted.home()
    return counted.counts()


def vote_before(browser, member, count: int) -> tuple[int, int, int]:
    """Open each dossier from the home page, choose, cast the vote, back home."""
    counted = counted_login(browser, member.username)
    for _ in range(count):
        open_first(counted, "voting")
        counted.click("form.vote input[value=agree]")
        counted.go("form.vote button[type=submit]")
        counted.home()
    return counted.counts()


def return_and_resubmit_before(browser, office, submitter, tmp_path) -> tuple[int, int, int]:
    """The office returns the dossier asking for a new tờ trình; its submitter removes the old file, uploads the new
    one choosing its kind, and resubmits."""
    office_page = counted_login(browser, office.username)
    open_first(office_page, "intake")
    office_page.go("a[data-event=return]")
    office_page.page.fill("#reason_to_trinh", "Tờ trình thiếu chữ ký.")
    office_page.go("form.stack .buttons button[type=submit]")
    unit = counted_login(browser, submitter.username)
    open_first(unit, "returned")
    unit.go("ul.documents li:has-text('to_trinh.pdf') button.danger")
    new_file = tmp_path / "to-trinh-ky.pdf"
    new_file.write_bytes(PDF)
    unit.clicks += 1
    unit.page.select_option("#kind", "to_trinh")
    unit.clicks += 1
    unit.page.set_input_files("#file", str(new_file))
    unit.go("form.upload button[type=submit]")
    unit.go("button[data-event=resubmit]")
    return tuple(a + b for a, b in zip(office_page.counts(), unit.counts(), strict=True))


def check_packet_before(browser, office, count: int) -> tuple[int, int, int]:
    """Open each submitted dossier from the home page, download its files, accept it, back home."""
    counted = counted_login(browser, office.username)
    for _ in range(count):
        open_first(counted, "intake")
        read_documents_by_download(counted)
        counted.go("button[data-event=accept]")
        counted.home()
    return counted.counts()


def read_documents_in_the_page(counted: Counted) -> None:
    for summary in counted.page.locator("ul.documents summary").all():
        counted.clicks += 1
        summary.click()


def decide_after(browser, appraiser, count: int) -> tuple[int, int, int]:
    """Open the first dossier of the queue, read its files in the page, recommend and open the next one."""
    counted = counted_login(browser, appraiser.username)
    open_first(counted, "appraisal")
    for _ in range(count):
        read_documents_in_the_page(counted)
        counted.go("a[data-event=recommend]")
        counted.page.fill("#comment", NOTE)
        # The last of the queue has no next one to open.
        then = "form.stack .buttons button[name=then]"
        counted.go(then if counted.page.locator(then).count() else "form.stack .buttons button[type=submit]")
    return counted.counts()


def vote_after(browser, member) -> tuple[int, int, int]:
    """From the home page to the ballot: a choice a row, one submit."""
    counted = counted_login(browser, member.username)
    counted.go("a[href='/ballot']")
    for radio in counted.page.locator("input[type=radio][value=agree]").all():
        counted.clicks += 1
        radio.check()
    counted.go("form button[type=submit].primary")
    return counted.counts()


def return_and_resubmit_after(browser, office, submitter, tmp_path) -> tuple[int, int, int]:
    """The office returns the dossier asking for a new tờ trình; its submitter replaces that file in place and
    resubmits."""
    office_page = counted_login(browser, office.username)
    open_first(office_page, "intake")
    office_page.go("a[data-event=return]")
    office_page.page.fill("#reason_to_trinh", "Tờ trình thiếu chữ ký.")
    office_page.go("form.stack .buttons button[type=submit]")
    unit = counted_login(browser, submitter.username)
    open_first(unit, "returned")
    new_file = tmp_path / "to-trinh-ky.pdf"
    new_file.write_bytes(PDF)
    unit.clicks += 1
    unit.page.set_input_files("form.replace input[type=file]", str(new_file))
    unit.go("form.replace button[type=submit]")
    unit.go("button[data-event=resubmit]")
    return tuple(a + b for a, b in zip(office_page.counts(), unit.counts(), strict=True))


def check_packet_after(browser, office, count: int) -> tuple[int, int, int]:
    """Open the first submitted dossier, read its files in the page, accept it and open the next one."""
    counted = counted_login(browser, office.username)
    open_first(counted, "intake")
    for _ in range(count):
        read_documents_in_the_page(counted)
        then = "button[data-event=accept-next]"
        counted.go(then if counted.page.locator(then).count() else "button[data-event=accept]")
    return counted.counts()


def test_reviewer_day_before(browser, factory, tmp_path, capsys):
    appraiser = factory.user("appraiser", "van-phong")
    office = factory.user("office")
    member = factory.council(1)[0]
    for _ in range(30):
        factory.dossier("in_appraisal")
    decided = decide_before(browser, appraiser, 30)
    voted = vote_before(browser, member, 20)
    for _ in range(10):
        factory.dossier("submitted", unit="tay-ho")
    packet = check_packet_before(browser, office, 10)
    returned = factory.dossier("submitted", unit="hoan-kiem")
    loop = return_and_resubmit_before(browser, office, factory.user_once("submitter", "hoan-kiem"), tmp_path)
    with capsys.disabled():
        print("\nbefore (clicks, page loads, downloads):", {"decide 30": decided, "vote 20": voted,
                                                          "return loop": loop, "packet 10": packet})
    assert decided[2] == 60 and packet[2] == 20
    assert states(returned, "hoan-kiem", "tay-ho") == {"hoan-kiem": ["submitted"], "tay-ho": ["in_appraisal"] * 10}


def test_reviewer_day_after(browser, factory, tmp_path, capsys):
    appraiser = factory.user("appraiser", "van-phong")
    office = factory.user("office")
    member = factory.council(1)[0]
    for _ in range(20):
        factory.dossier("council_review")
    voted = vote_after(browser, member)
    browser.shot(browser.contexts[-1].pages[0], "votes-recorded")
    for _ in range(30):
        factory.dossier("in_appraisal")
    decided = decide_after(browser, appraiser, 30)
    for _ in range(10):
        factory.dossier("submitted", unit="tay-ho")
    packet = check_packet_after(browser, office, 10)
    returned = factory.dossier("submitted", unit="hoan-kiem")
    loop = return_and_resubmit_after(browser, office, factory.user_once("submitter", "hoan-kiem"), tmp_path)
    with capsys.disabled():
        print("\nafter (clicks, page loads, downloads):", {"decide 30": decided, "vote 20": voted,
                                                         "return loop": loop, "packet 10": packet})
    assert states(returned, "hoan-kiem", "tay-ho") == {"hoan-kiem": ["submitted"], "tay-ho": ["in_appraisal"] * 10}
    # Measured on the pages before (test_reviewer_day_before).
    before = {"decide": (180, 120, 60), "vote": (80, 60, 0), "loop": (9, 7, 0), "packet": (50, 30, 20)}
    for task, counts in {"decide": decided, "vote": voted, "loop": loop, "packet": packet}.items():
        assert counts[0] < before[task][0] and counts[1] < before[task][1], task
        assert counts[2] == 0, task


def test_the_changed_pages_in_the_browser(browser, factory):
    """What the reviewer sees: a PDF, an image and a Word document read in the dossier's page, the next dossier; the
    return loop from the unit's side; the office's queue saying "Nộp lại"; the member's ballot."""
    from tests.test_reviewer_pages import word_file
    from tests.test_uploads import make_image
    from web.storage import document_store
    from workflow import operations as ops

    dossier = factory.draft()
    submitter = factory.user_once("submitter", "ba-dinh")
    ops.add_document(submitter, dossier, "other", "anh-hoat-dong.png", make_image("PNG"), document_store())
    ops.add_document(submitter, dossier, "other", "bao-cao-chi-tiet.docx",
                     word_file("Báo cáo thành tích năm 2024", "Chi hội đạt 120% chỉ tiêu phát triển hội viên."),
                     document_store())
    db.session.commit()
    factory.advance(dossier, "submit")
    factory.dossier("submitted")
    office = browser.login(factory.user("office").username)
    office.goto(f"/dossiers/{dossier.id}")
    for summary in office.locator("ul.documents summary").all():
        summary.click()
    # Chromium shows each PDF in its own viewer (an extension's frame inside ours) rather than downloading it.
    def viewers() -> int:
        return sum(frame.url.startswith("chrome-extension://") for frame in office.frames)

    for _ in range(100):  # the viewers start after the frames load
        if viewers() == 2:
            break
        office.wait_for_timeout(100)
    assert viewers() == 2
    assert office.locator("ul.documents img").evaluate("img => img.naturalWidth") == 40
    assert "120% chỉ tiêu" in office.inner_text(".docx-text")
    assert office.locator("a[rel=next]").count() == 1
    browser.shot(office, "dossier-documents-in-the-page")

    # The office returns it asking for a new tờ trình; the unit sees what to replace.
    office.locator("a[data-event=return]").scroll_into_view_if_needed()
    with office.expect_navigation():
        office.click("a[data-event=return]")
    office.fill("#reason_to_trinh", "Tờ trình thiếu chữ ký.")
    browser.shot(office, "return-form-with-next")
    office.click("form.stack .buttons button[type=submit]")
    office.wait_for_url(re.compile(rf"/dossiers/{dossier.id}$"))
    unit = browser.login(submitter.username)
    unit.goto(f"/dossiers/{dossier.id}")
    assert "cần thay" in unit.inner_text(".checklist") and unit.is_visible("#unchanged-warning")
    assert unit.input_value("#kind") == "to_trinh"
    browser.shot(unit, "returned-dossier-to-replace")
    unit.set_input_files("form.replace input[type=file]", files=[{"name": "to-trinh-ky.pdf",
                                                                  "mimeType": "application/pdf", "buffer": PDF}])
    unit.click("form.replace button[type=submit]")
    unit.wait_for_load_state()
    assert "Bổ sung sau lần trả lại" in unit.inner_text("ul.documents") and not unit.is_visible("#unchanged-warning")
    browser.shot(unit, "replaced-before-resubmitting")
    unit.click("button[data-event=resubmit]")
    unit.wait_for_load_state()
    office.goto("/")
    assert "Nộp lại" in office.inner_text("#queue-intake ~ .table-wrap")
    browser.shot(office, "office-queue-resubmitted")
    office.goto(f"/dossiers/{dossier.id}/receipt")
    assert f"HS-{dossier.id:06d}" in office.inner_text("h1 ~ dl")
    office.emulate_media(media="print")
    assert not office.is_visible("nav")
    browser.shot(office, "receipt-printed")
    office.emulate_media(media="screen")

    member = factory.council(1)[0]
    for _ in range(3):
        factory.dossier("council_review")
    page = browser.login(member.username)
    assert page.locator("a[href='/ballot']").count() == 1
    page.goto("/ballot")
    page.check("input[type=radio][value=agree] >> nth=0")
    page.click("form button[type=submit].primary")
    page.wait_for_load_state()
    assert page.locator(".ballot-row.has-error").count() == 2
    page.keyboard.press("Tab")
    browser.shot(page, "ballot-refused-rows")
