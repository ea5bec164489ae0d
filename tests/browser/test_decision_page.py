"""Award decisions in headless Chromium: the office drafts one from the approved dossiers of a unit, uploads the signed
PDF and records it, which confers them all; labelled fields, named buttons, no sideways scrolling on a phone."""
from __future__ import annotations

import pytest

from tests.browser.test_usability import NAMELESS_BUTTONS, OVERFLOW, UNLABELLED
from tests.factories import PDF
from workflow.models import Decision, Dossier, db

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def reread(dossier: Dossier) -> Dossier:
    db.session.expire_all()
    return db.session.get(Dossier, dossier.id)


def test_the_office_drafts_uploads_and_records_a_decision(browser, factory):
    chosen = [factory.dossier("approved", name=name, unit="ba-dinh") for name in ("Lê Thị Một", "Trần Thị Hai")]
    elsewhere = factory.dossier("approved", name="Phạm Thị Ba", unit="ung-hoa")
    page = browser.login(factory.user_once("office", "van-phong").username)

    page.goto("/decisions")
    assert page.inner_text("h1") == "Quyết định khen thưởng"
    page.select_option("#unit-filter", "ba-dinh")
    with page.expect_navigation():
        page.get_by_role("button", name="Lọc").click()
    assert "Lê Thị Một" in page.inner_text("main") and "Phạm Thị Ba" not in page.inner_text("main")
    assert page.evaluate(UNLABELLED) == [] and page.evaluate(NAMELESS_BUTTONS) == []
    page.fill("#number", "125/QĐ-HPN")
    page.fill("#decided_on", "02/01/2025")
    page.fill("#signer_name", "Nguyễn Thị Tuyết")
    page.fill("#signer_title", "TM. BAN THƯỜNG VỤ – CHỦ TỊCH")
    for dossier in chosen:
        page.check(f"#select-{dossier.id}")
    browser.shot(page, "decision-draft-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu dự thảo quyết định").click()
    assert "Quyết định 125/QĐ-HPN" in page.inner_text("h1")
    assert page.get_by_role("link", name="Word (DOCX)").count() == 1
    browser.shot(page, "decision-draft")

    page.set_input_files("#file", {"name": "qd-125-da-ky.pdf", "mimeType": "application/pdf", "buffer": PDF})
    with page.expect_navigation():
        page.click("form.upload button[type=submit]")
    assert "qd-125-da-ky.pdf" in page.inner_text("main")
    with page.expect_navigation():
        page.get_by_role("button", name="Ghi nhận quyết định").click()
    assert "Đã ghi nhận" in page.inner_text("main")
    browser.shot(page, "decision-recorded")
    assert [reread(d).state for d in chosen] == ["conferred", "conferred"]
    assert reread(elsewhere).state == "approved"
    assert db.session.query(Decision).one().number == "125/QĐ-HPN"

    # What is given and who gives it: the award type's settings (the organisation's own choice marked) and the
    # dashboard's counts by form and issuer.
    page.goto("/settings/award-types/uy_thac_nhcsxh")
    for field in ("award_form_code", "issuer_code"):
        assert "kế hoạch không nêu" in page.inner_text(f"#{field}-own")
        assert f"{field}-own" in page.get_attribute(f"#{field}", "aria-describedby")
    assert page.evaluate(UNLABELLED) == []
    browser.shot(page, "award-type-form-and-issuer")
    page.goto("/dashboard?campaign=test-campaign")
    assert "Theo hình thức và cấp khen thưởng" in page.inner_text("main")
    browser.shot(page, "dashboard-by-form-and-issuer")

    phone = browser.login(factory.user_once("office", "van-phong").username, width=390, height=844)
    phone.goto("/decisions")
    assert phone.evaluate(OVERFLOW)
    browser.shot(phone, "decisions-phone")
    phone.goto(page.url)
    assert phone.evaluate(OVERFLOW)
    browser.shot(phone, "decision-recorded-phone")
