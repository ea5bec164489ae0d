"""The nominee registry in headless Chromium: typing "Lê Thị Hoà" on the new dossier form offers the person
registered as "Lê Thị Hòa", the pick is saved, and the nominee page lists both nominations with their links."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.test_usability import NAMELESS_BUTTONS, OVERFLOW, UNLABELLED
from workflow.models import Dossier, db

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def test_typing_a_name_offers_the_registered_person_in_either_spelling(browser, factory):
    factory.campaign("c2023")
    factory.campaign("c2024")
    first = factory.draft(campaign="c2023", name="Lê Thị Hòa", birth_year=1975, position="Chi hội trưởng")
    page = browser.login(factory.user_once("submitter", "ba-dinh").username, width=390, height=844)

    page.goto("/dossiers/new")
    assert page.locator("#nominee-matches").is_hidden()
    page.select_option("#campaign", "c2024")
    page.select_option("#award_type", "bk_thanh_hoi")
    page.fill("#name", "Lê Thị Hoà")
    offered = page.locator(f"#nominee-match-list input[value='{first.nominee_id}']")
    offered.wait_for(state="visible")
    assert "Chi hội trưởng" in page.inner_text("#nominee-match-list")
    assert page.inner_text("#nominee-match-status")
    assert page.evaluate(UNLABELLED) == [] and page.evaluate(NAMELESS_BUTTONS) == []
    assert page.evaluate(OVERFLOW)
    browser.shot(page, "matches-while-typing-phone")
    offered.check()
    page.fill("#birth_year", "1975")
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")

    created = db.session.scalar(select(Dossier).where(Dossier.nominee_name == "Lê Thị Hoà"))
    assert created is not None and created.nominee_id == first.nominee_id
    with page.expect_navigation():
        page.get_by_role("link", name=f"Mục số {first.nominee_id}").click()
    assert page.locator(f"a[href='/dossiers/{first.id}']").count() == 1
    assert page.locator(f"a[href='/dossiers/{created.id}']").count() == 1
    assert page.evaluate(OVERFLOW)
    browser.shot(page, "nominee-page-phone")

    db.session.commit()
    wide = browser.login(factory.user_once("submitter", "ba-dinh").username)
    wide.goto(f"/nominees/{first.nominee_id}")
    browser.shot(wide, "nominee-page")
