"""The Tết gift list in headless Chromium: a district proposes a woman for a gift on the new-dossier page, the
fields of the gift procedure labelled and reachable by keyboard, and her details shown on the dossier page."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from workflow.models import AwardType, Dossier, db
from workflow.procedure import catalogue

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

GIFT = next(p for p in catalogue() if Path(p.source).name == "tet-gift-v1.yaml")


def test_a_district_proposes_a_gift_recipient(factory, browser):
    factory.campaign()
    factory.user("submitter", "ba-dinh", username="nopho-badinh")
    award_type = db.session.scalars(select(AwardType).where(AwardType.procedure == GIFT.code)).one()
    prefix = f"#details-{GIFT.code}-"

    page = browser.login("nopho-badinh")
    page.goto("/dossiers/new")
    for item in GIFT.entered_fields:
        # Each field of the procedure has a visible label tied to its input, in Vietnamese.
        label = page.locator(f"label[for='details-{GIFT.code}-{item.name}']")
        assert label.inner_text().startswith(item.label["vi"])
    page.select_option("#campaign", "test-campaign")
    page.select_option("#award_type", award_type.code)
    page.fill("#name", "Đinh Thị Mận")
    page.fill("#birth_year", "1949")
    page.fill(prefix + "address", "Số 5 ngõ 9 phố Liễu Giai, quận Ba Đình")
    page.focus(prefix + "address")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == f"details-{GIFT.code}-situation"
    page.keyboard.type("Già yếu, sống một mình, thu nhập thấp")
    page.select_option(prefix + "gift", "goods")
    page.fill(prefix + "gift_value", "700000")
    browser.shot(page, "gift-proposal-form")
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")

    dossier = db.session.scalars(select(Dossier).where(Dossier.nominee_name == "Đinh Thị Mận")).one()
    assert dossier.details == {"address": "Số 5 ngõ 9 phố Liễu Giai, quận Ba Đình",
                               "situation": "Già yếu, sống một mình, thu nhập thấp", "gift": "goods",
                               "gift_value": 700000}
    text = page.inner_text("main")
    assert "Hiện vật (gạo, nhu yếu phẩm)" in text and "700.000" in text and "Hoàn cảnh" in text
    browser.shot(page, "gift-proposal-page")
