"""The office's export page in a real browser: start an export, watch the progress bar, save the file."""
import pytest

from tests.test_honours_list import CAMPAIGN, conferred, xlsx_rows


@pytest.mark.browser
def test_office_exports_the_list_from_the_page_and_saves_the_file(app, factory, browser, tmp_path):
    app.config["EXPORT_ASYNC_ROWS"], previous = 1, app.config["EXPORT_ASYNC_ROWS"]
    try:
        conferred(factory, "Trần Thị Ưng")
        conferred(factory, "Lê Thị Ánh", unit="ung-hoa")
        office = factory.user("office")
        page = browser.login(office.username)
        page.context.set_default_timeout(60000)
        csp_violations = []
        page.on("console", lambda message: csp_violations.append(message.text)
                if "Content Security" in message.text else None)
        page.click("nav >> text=Danh sách khen thưởng")
        assert page.locator("h1").inner_text() == "Xuất danh sách khen thưởng"
        page.wait_for_selector(f"#export select[name=campaign] option[value='{CAMPAIGN}']", state="attached")
        page.select_option("#export select[name=campaign]", CAMPAIGN)
        page.select_option("#export select[name=format]", "xlsx")
        page.click("#export button")
        page.wait_for_selector("#export-download", state="visible")
        assert page.eval_on_selector("#export-progress", "bar => [bar.value, bar.max]") == [2, 2]
        assert page.inner_text("#export-status") == "Đã xong."
        browser.shot(page, "export-done")
        with page.expect_download() as download_info:
            page.click("#export-download")
        saved = tmp_path / "saved.xlsx"
        download_info.value.save_as(saved)
        assert download_info.value.suggested_filename == f"danh-sach-khen-thuong-{CAMPAIGN}.xlsx"
        _, rows = xlsx_rows(saved.read_bytes())
        assert [row[1] for row in rows if isinstance(row[0], int)] == ["Trần Thị Ưng", "Lê Thị Ánh"]
        assert csp_violations == []
    finally:
        app.config["EXPORT_ASYNC_ROWS"] = previous


def test_only_the_office_and_the_chair_open_the_export_page(app, factory):
    from tests.web_helpers import sign_in

    assert app.test_client().get("/exports/honours-list").status_code == 302
    assert sign_in(app, factory.user_once("submitter", "ba-dinh")).get("/exports/honours-list").status_code == 403
    page = sign_in(app, factory.user("chair")).get("/exports/honours-list")
    assert page.status_code == 200 and 'data-token-url="' in page.text


def test_the_office_finalises_the_list_on_the_page_and_the_invitations_go_out(app, factory):
    from sqlalchemy import func, select

    from tests.web_helpers import csrf_token, sign_in
    from workflow.models import HonoursListSnapshot, Notice, db

    conferred(factory, "Trần Thị Ưng")
    office = sign_in(app, factory.user("office"))
    page = office.get("/exports/honours-list")
    assert f'<option value="{CAMPAIGN}">' in page.text
    done = office.post("/exports/honours-list/finalise", data={
        "campaign": CAMPAIGN, "csrf_token": csrf_token(office, "/exports/honours-list")}, follow_redirects=True)
    assert "đã được chốt" in done.text
    assert f'<option value="{CAMPAIGN}">' not in done.text  # a final list cannot be finalised again
    assert db.session.scalar(select(func.count()).select_from(HonoursListSnapshot)) == 1
    assert db.session.scalar(select(func.count()).select_from(Notice).where(Notice.kind == "invitation")) == 1
