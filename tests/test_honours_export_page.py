"""The office's export page in a real browser: sign in, start an export, watch the progress bar, save the file."""
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import service_missing
from tests.factories import PASSWORD
from tests.test_honours_list import CAMPAIGN, conferred, xlsx_rows

CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-gpu"]


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def browser():
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        except Error as error:
            service_missing("Chromium", error)
        yield chromium
        chromium.close()


@pytest.mark.browser
def test_office_exports_the_list_from_the_page_and_saves_the_file(app, factory, live_server, browser, tmp_path):
    app.config["EXPORT_ASYNC_ROWS"], previous = 1, app.config["EXPORT_ASYNC_ROWS"]
    try:
        conferred(factory, "Trần Thị Ưng")
        conferred(factory, "Lê Thị Ánh", unit="ung-hoa")
        office = factory.user("office")
        page = browser.new_page(accept_downloads=True)
        scripts_inline = []
        page.on("console", lambda message: scripts_inline.append(message.text) if "Content Security" in message.text
                else None)
        page.goto(f"{live_server}/exports/honours-list")
        assert page.locator("h1").inner_text() == "Xuất danh sách khen thưởng"
        page.fill("#sign-in input[name=username]", office.username)
        page.fill("#sign-in input[name=password]", PASSWORD)
        page.click("#sign-in button")
        page.wait_for_selector(f"#export select[name=campaign] option[value='{CAMPAIGN}']", state="attached")
        page.select_option("#export select[name=campaign]", CAMPAIGN)
        page.select_option("#export select[name=format]", "xlsx")
        page.click("#export button")
        page.wait_for_selector("#export-download", state="visible", timeout=60000)
        assert page.eval_on_selector("#export-progress", "bar => [bar.value, bar.max]") == [2, 2]
        assert page.inner_text("#export-status") == "Đã xong."
        with page.expect_download() as download_info:
            page.click("#export-download")
        saved = Path(tmp_path / "saved.xlsx")
        download_info.value.save_as(saved)
        assert download_info.value.suggested_filename == f"danh-sach-khen-thuong-{CAMPAIGN}.xlsx"
        _, rows = xlsx_rows(saved.read_bytes())
        assert [row[1] for row in rows if isinstance(row[0], int)] == ["Trần Thị Ưng", "Lê Thị Ánh"]
        assert scripts_inline == []
    finally:
        app.config["EXPORT_ASYNC_ROWS"] = previous
