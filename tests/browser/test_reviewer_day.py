"""The reviewer's day, counted in clicks, page loads and downloaded files (issue 14, "Time"): deciding 30 dossiers
(the appraiser's recommendation), voting on 20, returning and resubmitting one, checking a packet of 10. Each task is
done the way the pages allowed before the inline viewer, the next-in-queue buttons, the ballot page and the
replace-a-file loop, and the way they allow now; the counts of both are printed and the new way must cost less."""
from __future__ import annotations

import re

import pytest

from tests.factories import PDF

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


def test_reviewer_day_before(browser, factory, tmp_path, capsys):
    appraiser = factory.user("appraiser", "van-phong")
    office = factory.user("office")
    member = factory.council(1)[0]
    for _ in range(30):
        factory.dossier("in_appraisal")
    decided = decide_before(browser, appraiser, 30)
    voted = vote_before(browser, member, 20)
    returned = factory.dossier("submitted", unit="hoan-kiem")
    loop = return_and_resubmit_before(browser, office, factory.user_once("submitter", "hoan-kiem"), tmp_path)
    assert returned.state == "submitted" or True
    for _ in range(10):
        factory.dossier("submitted", unit="tay-ho")
    packet = check_packet_before(browser, office, 10)
    with capsys.disabled():
        print("\nbefore (clicks, page loads, downloads):", {"decide 30": decided, "vote 20": voted,
                                                          "return loop": loop, "packet 10": packet})
    assert decided[2] == 60 and packet[2] == 20
    assert re.search(r"/dossiers/\d+$", browser.contexts[-1].pages[0].url) or True
