"""Keyboard use, labelled fields and phone-sized screens, in headless Chromium."""
from __future__ import annotations

import pytest

from workflow.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

UNLABELLED = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter((el) => el.type !== 'hidden' && !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map((el) => el.name || el.id)"""
NAMELESS_BUTTONS = """() => Array.from(document.querySelectorAll('button, a[href]'))
  .filter((el) => !(el.innerText.trim() || el.getAttribute('aria-label'))).map((el) => el.outerHTML)"""
OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def test_keyboard_only_sign_in_and_skip_link(browser, factory):
    user = factory.user("office", username="banphim")
    page = browser.new_page()
    page.goto("/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    browser.shot(page, "skip-link-focused")
    page.focus("#username")
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type("correct horse 42")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the skip link
    assert page.evaluate("document.activeElement.id") == "content"
    browser.shot(page, "signed-in-by-keyboard")
    page.focus("form.language button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.inner_text("h1") == "My work" and "Progress" in page.inner_text("nav")
    browser.shot(page, "english")


@pytest.mark.parametrize("role", ["submitter", "office", "admin"])
def test_pages_have_labelled_fields_and_fit_a_phone(browser, factory, role):
    dossier = factory.dossier("submitted")
    factory.dossier("returned")
    user = {"submitter": lambda: factory.user_once("submitter", "ba-dinh"),
            "office": lambda: factory.user("office"), "admin": lambda: factory.user("admin", "thanh-hoi")}[role]()
    paths = {
        "submitter": ["/", "/dossiers", "/dossiers/new", f"/dossiers/{dossier.id}"],
        "office": ["/", "/dossiers", f"/dossiers/{dossier.id}", f"/dossiers/{dossier.id}/events/return",
                   "/dashboard", "/settings/campaigns", "/settings/award-types/chi_hoi_tieu_bieu"],
        "admin": ["/", "/admin/users", "/admin/users/new", "/admin/units", "/admin/units/ba-dinh"],
    }[role]
    page = browser.login(user.username, width=390, height=844)
    for path in paths:
        page.goto(path)
        assert page.evaluate(UNLABELLED) == [], path
        assert page.evaluate(NAMELESS_BUTTONS) == [], path
        assert page.evaluate(OVERFLOW), path
        browser.shot(page, path.strip("/").replace("/", "-") or "home")


# Every wide table's scrolling container: a named group the keyboard reaches (WCAG 2.1.1, 1.4.10).
TABLE_REGIONS = """() => Array.from(document.querySelectorAll('table'))
  .filter((table) => !table.closest('.visually-hidden')).map((table) => {
  const region = table.closest('.table-wrap');
  return region && [region.getAttribute('role'), region.getAttribute('tabindex'), region.getAttribute('aria-label')];
})"""


def test_wide_tables_scroll_within_their_region_on_a_phone(browser, app):
    """The demo's dashboard at 360 px: the page itself does not scroll sideways; the table of dossiers per unit and
    state does, inside a region the keyboard reaches and scrolls."""
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    page = browser.login("vanphong", DEMO_PASSWORD, width=360, height=780)
    page.goto("/dashboard")

    assert page.evaluate(OVERFLOW), page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    regions = page.evaluate(TABLE_REGIONS)
    assert regions and all(region and region[:2] == ["group", "0"] and region[2] for region in regions), regions
    matrix = page.locator(".table-wrap", has=page.locator("table.matrix")).first
    assert matrix.evaluate("(region) => region.scrollWidth > region.clientWidth")  # wide: it scrolls
    browser.shot(page, "dashboard-360")

    matrix.focus()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    # the region scrolls (smoothly: wait for it), the page does not
    page.wait_for_function("() => document.activeElement.scrollLeft > 0", timeout=5000)
    assert page.evaluate(OVERFLOW)
    browser.shot(page, "dashboard-360-scrolled")


MENU_ROWS = "() => new Set(Array.from(document.querySelectorAll('.menu li')).map((li) => li.offsetTop)).size"


def test_the_offices_menu_fits_one_line_at_1280_px_in_both_languages(browser, app):
    """The office has the longest menu; at 1280 px it stays on one line, under the name and the tools, and the
    header names the person's unit only when it is not just their role again."""
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    page = browser.login("vanphong", DEMO_PASSWORD, width=1280, height=800)
    assert page.evaluate(MENU_ROWS) == 1, page.inner_text("nav")
    assert page.locator(".menu a").count() >= 10
    whoami = page.inner_text(".whoami")
    assert whoami.count("Văn phòng") == 1, whoami
    browser.shot(page, "office-menu-1280")
    page.focus("form.language button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate(MENU_ROWS) == 1, page.inner_text("nav")
    browser.shot(page, "office-menu-1280-english")
    # The keyboard reaches every link of the menu, in order, after the tools.
    page.locator(".tools button").last.focus()  # sign out, the last of the tools
    names = []
    for _ in range(page.locator(".menu a").count()):
        page.keyboard.press("Tab")
        names.append(page.evaluate("document.activeElement.closest('.menu') && document.activeElement.innerText"))
    assert names == page.locator(".menu a").all_inner_texts()
