"""The unit packet in headless Chromium: the unit uploads its tờ trình once and submits every draft, the office
accepts the packet whole; labelled fields, named buttons, no sideways scrolling on a phone."""
from __future__ import annotations

import pytest

from tests.browser.test_usability import NAMELESS_BUTTONS, OVERFLOW, UNLABELLED
from tests.factories import PDF
from tests.test_unit_packets import ACCEPT, SUBMIT, draft, reread

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def test_a_unit_submits_its_packet_and_the_office_accepts_it_whole(browser, factory):
    dossiers = [draft(factory, name) for name in ("Lê Thị Một", "Trần Thị Hai")]
    path = "/packets/test-campaign/ba-dinh"
    page = browser.login(factory.user_once("submitter", "ba-dinh").username, width=390, height=844)

    page.goto(path)
    assert "Hồ sơ chung của đơn vị" in page.inner_text("h1")
    assert page.evaluate(UNLABELLED) == [] and page.evaluate(NAMELESS_BUTTONS) == []
    assert page.evaluate(OVERFLOW)
    page.select_option("#kind", "to_trinh")
    page.set_input_files("#file", {"name": "to-trinh.pdf", "mimeType": "application/pdf", "buffer": PDF})
    with page.expect_navigation():
        page.click("form.upload button[type=submit]")
    assert "to-trinh.pdf" in page.inner_text("#documents")
    browser.shot(page, "packet-with-shared-document-phone")

    page.goto(f"/dossiers/{dossiers[0].id}")
    assert "từ hồ sơ chung của đơn vị" in page.inner_text("#documents")
    page.goto(path)
    with page.expect_navigation():
        page.get_by_role("button", name="Nộp cả hồ sơ chung").click()
    assert {reread(d).state for d in dossiers} == {SUBMIT.dest}

    office = browser.login(factory.user_once("office", "van-phong").username)
    office.goto("/packets")
    with office.expect_navigation():
        office.get_by_role("link", name=dossiers[0].unit.name).first.click()
    assert "Lê Thị Một" in office.inner_text("main")
    assert office.evaluate(UNLABELLED) == [] and office.evaluate(NAMELESS_BUTTONS) == []
    browser.shot(office, "packet-for-the-office")
    with office.expect_navigation():
        office.get_by_role("button", name="Tiếp nhận cả hồ sơ chung").click()
    assert {reread(d).state for d in dossiers} == {ACCEPT.dest}
    browser.shot(office, "packet-accepted")
