"""A finalised list amended by a later answer and a revocation, in a real browser: the office revokes an award on
the dossier's page, then opens the list's versions and downloads the first one as it was."""
from pathlib import Path

import pytest
from babel.support import Translations

from tests.test_honours_amendments import CAMPAIGN, LIST_URL, xlsx_texts
from workflow.exports.pdf import honours_list_html
from workflow.honours import read_list_version
from workflow.i18n import today

TRANSLATIONS = Path(__file__).resolve().parents[2] / "web" / "translations"


@pytest.mark.browser
def test_the_office_revokes_an_award_and_downloads_each_version_of_the_list(factory, browser, tmp_path):
    conferred = factory.dossier("conferred", name="Trần Thị Ưng")
    pending = factory.dossier("forwarded", name="Đỗ Thị Lan")
    factory.dossier("forwarded", name="Lê Thị Ánh", unit="ung-hoa")
    office = factory.user_once("office", "van-phong")
    api = factory.api(office)
    assert api.post(LIST_URL + "/finalise").status_code == 201
    factory.advance(pending, "confer")  # the higher authority's answer: version 2
    first_file = api.get(f"{LIST_URL}/versions/1?format=xlsx").data

    page = browser.login(office.username)
    page.goto(f"/dossiers/{conferred.id}")
    page.click("main a.button:has-text('Thu hồi khen thưởng')")
    page.fill("#decision_number", "45/QĐ-HPN")
    page.fill("#decision_date", today().strftime("%d/%m/%Y"))
    page.fill("#comment", "Thành tích kê khai không đúng sự thật")
    browser.shot(page, "revocation-form")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("main form.stack button[type=submit]")
    page.wait_for_selector("text=Đã thu hồi khen thưởng")
    assert "Đã thu hồi" in page.locator("h1").inner_text()
    browser.shot(page, "revoked-dossier")

    page.goto("/exports/honours-list")
    page.click(f"a[href='/exports/honours-list/{CAMPAIGN}/versions']")
    assert page.locator("h1").inner_text() == "Các phiên bản của danh sách khen thưởng"
    rows = page.locator("table.versions tbody tr")
    assert rows.count() == 3
    assert "thu hồi khen thưởng" in rows.nth(0).inner_text() and "Trần Thị Ưng" in rows.nth(0).inner_text()
    assert "Đỗ Thị Lan" in rows.nth(1).inner_text()
    assert page.locator("[role=status]").inner_text().startswith("Chuỗi phiên bản hợp lệ")
    browser.shot(page, "versions")
    with page.expect_download() as download_info:
        page.click("a[aria-label='Phiên bản 1 dạng XLSX']")
    saved = tmp_path / "v1.xlsx"
    download_info.value.save_as(saved)
    assert download_info.value.suggested_filename == f"danh-sach-khen-thuong-{CAMPAIGN}-phien-ban-1.xlsx"
    assert saved.read_bytes() == first_file
    assert "Phiên bản 1" in xlsx_texts(saved.read_bytes())

    page.set_viewport_size({"width": 390, "height": 844})
    browser.shot(page, "versions-narrow")

    # The latest version's PDF as laid out (the same HTML WeasyPrint prints), to look at.
    latest = read_list_version(office, CAMPAIGN, 3)
    printed = browser.new_page(width=1123, height=794)
    printed.set_content(honours_list_html(latest, Translations.load(str(TRANSLATIONS), ["vi"]).gettext))
    assert "Phiên bản 3 – Bản sửa đổi lần 2" in printed.inner_text("body")
    assert "KHEN THƯỞNG ĐÃ THU HỒI" in printed.inner_text("body")
    browser.shot(printed, "version-3-as-printed")
