"""The public disclosure page in headless Chromium: no sign-in, labelled fields, a phone's width, a comment sent."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.test_usability import NAMELESS_BUTTONS, OVERFLOW, UNLABELLED
from workflow.models import DisclosureComment, db
from workflow.procedure import catalogue

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def test_anyone_comments_on_a_nomination_from_a_phone(browser, factory):
    public = catalogue().current("reference_public")
    opening = public.steps_with("open_disclosure")[0]
    award_type = factory.award_type_following(public)
    dossier = factory.dossier_in(public, opening.dest, award_type.code)
    factory.end_disclosure(dossier, days_ago=-5)  # open for five more days
    page = browser.new_page(width=390, height=844)

    page.goto("/cong-khai")

    assert dossier.nominee_name in page.inner_text("main")
    assert page.evaluate(UNLABELLED) == [] and page.evaluate(NAMELESS_BUTTONS) == []
    assert page.evaluate(OVERFLOW)
    trap = f"document.getElementById('d{dossier.id}-website')"
    assert page.evaluate(f"{trap}.getBoundingClientRect().right <= 0 && {trap}.tabIndex === -1")  # out of sight
    browser.shot(page, "public-disclosure-phone")
    page.fill(f"#d{dossier.id}-body", "Đề nghị làm rõ thành tích năm 2024.")
    with page.expect_navigation():
        page.click(f"form[action$='/{dossier.id}/y-kien'] button[type=submit]")
    assert "Cảm ơn bạn" in page.inner_text("main")
    browser.shot(page, "public-disclosure-comment-sent")
    db.session.rollback()
    assert db.session.scalar(select(DisclosureComment.body)) == "Đề nghị làm rõ thành tích năm 2024."
