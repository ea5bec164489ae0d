"""WCAG 2.2 AA with axe-core on every page each role reaches, at a desktop's and a phone's width, on the demo's data.

Each role signs in once and follows the links of its pages (one page of each kind: a dossier page once per state, an
action form once per step); each page is checked at 1280 px, then at 375 px without reloading it. Beside axe's rules,
the checks axe does not make: ids unique, required fields marked in their label, nothing wider than the phone's
screen. Then the hand-checked findings of the audit, each as its own test."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from axe_playwright_python.sync_playwright import Axe
from werkzeug.exceptions import HTTPException

from tests.browser.test_usability import OVERFLOW
from workflow.demo import DEMO_PASSWORD
from workflow.models import db

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

WIDTHS = (1280, 375)
ROLES = {"submitter": "nopho.badinh", "office": "vanphong", "appraiser": "thamdinh.vanphong",
         "council": "hoidong1", "chair": "chutich", "admin": "quantri"}
AXE_OPTIONS = {"resultTypes": ["violations"]}
# Files, not pages; and the links that sign out or switch the language.
NOT_PAGES = re.compile(r"\.(pdf|docx|xlsx|csv)$|/documents/\d+$|/logout$|^/(static|api)/")
MOST_PAGES = 60  # per role: the demo's kinds of page are fewer
DOSSIER_PAGE = "dossier_pages.view"

LINKS = """() => Array.from(document.querySelectorAll('a[href]')).map((a) => a.href)"""
# A dossier page by what it shows: the dossier's state and the actions and forms the person has on it.
DOSSIER_SHAPE = """() => [document.querySelector('h1 .badge').innerText]
  .concat(Array.from(document.querySelectorAll('main [data-event], main form'))
    .map((el) => el.dataset.event || el.className)).join(' ')"""
DUPLICATE_IDS = """() => { const seen = {}; document.querySelectorAll('[id]').forEach((el) => {
  seen[el.id] = (seen[el.id] || 0) + 1; }); return Object.keys(seen).filter((id) => seen[id] > 1); }"""
# A required field that its label (or its group's legend) does not say is required.
UNMARKED_REQUIRED = """(word) => Array.from(document.querySelectorAll('[required]'))
  .filter((el) => el.type !== 'hidden' && el.type !== 'radio' && el.offsetParent !== null)
  .filter((el) => !Array.from(el.labels || []).some((label) => label.innerText.includes(word)))
  .map((el) => el.name || el.id)"""


HINTS_NOT_READ = """() => Array.from(document.querySelectorAll('.field .hint[id]')).filter((hint) =>
  !document.querySelector(`[aria-describedby~="${hint.id}"]`)).map((hint) => hint.id)"""
WIDER_THAN_SCREEN = """() => Array.from(document.querySelectorAll('body *'))
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest('.table-wrap, .chart-wrap'))
  .slice(0, 5).map((el) => el.outerHTML.slice(0, 80))"""


def kind_of(app, path: str) -> str:
    """Pages of one kind share a view: its endpoint, and for an action form its step's event."""
    endpoint, values = app.url_map.bind("localhost").match(path)
    return f"{endpoint}:{values['event']}" if "event" in values else endpoint


class Audit:
    """Runs axe on pages, at each width, and gathers what fails, page by page."""

    def __init__(self, app, browser):
        self.app = app
        self.browser = browser
        self.axe = Axe()
        self.failures: list[str] = []
        self.dossier_kinds: set[str] = set()
        self.runs = 0

    def check(self, page, name: str) -> None:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            results = self.axe.run(page, options=AXE_OPTIONS)
            self.runs += 1
            where = f"{name} @ {width}px ({page.url})"
            for violation in results.response["violations"]:
                targets = [", ".join(map(str, node["target"])) for node in violation["nodes"]]
                self.failures.append(f"{where}: {violation['id']} ({violation['impact']}): {violation['help']} "
                                     f"— {targets[:5]}")
            duplicates = page.evaluate(DUPLICATE_IDS)
            if duplicates:
                self.failures.append(f"{where}: ids repeated: {duplicates}")
            unread = page.evaluate(HINTS_NOT_READ)
            if unread:
                self.failures.append(f"{where}: hints no field reads (aria-describedby): {unread}")
            unmarked = page.evaluate(UNMARKED_REQUIRED, "bắt buộc")
            if unmarked:
                self.failures.append(f"{where}: required fields not marked: {unmarked}")
            if width < 1000 and not page.evaluate(OVERFLOW):
                self.failures.append(f"{where}: wider than the screen: {page.evaluate(WIDER_THAN_SCREEN)}")
            self.browser.shot(page, f"{name}-{width}")
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})

    def crawl(self, page, role: str, start: str) -> list[str]:
        """Visit the pages reachable from `start`, checking one of each kind; the paths checked."""
        origin = urlsplit(self.browser.base_url).netloc
        queue, queued, kinds, checked = [start], {start}, set(), []
        while queue:
            path = queue.pop(0)
            try:
                kind = kind_of(self.app, path)
            except HTTPException:
                continue
            if kind in kinds and kind != DOSSIER_PAGE:
                continue
            try:
                response = page.goto(path)
            except PlaywrightError as error:  # a file served under a page-like address (a template, an export)
                if "Download is starting" in error.message:
                    continue
                raise
            if response is None or response.status >= 400 or not response.headers.get("content-type", "").startswith(
                    "text/html"):
                continue
            if kind == DOSSIER_PAGE:  # one dossier page per state and actions, whoever's
                kind = f"{kind}:{page.evaluate(DOSSIER_SHAPE)}"
                if kind in self.dossier_kinds:
                    continue
                self.dossier_kinds.add(kind)
            if kind in kinds:
                continue
            kinds.add(kind)
            self.check(page, f"{role}-{len(checked) + 1:02d}-" + (path.strip("/").replace("/", "-") or "home"))
            checked.append(path)
            if len(checked) >= MOST_PAGES:
                break
            for href in page.evaluate(LINKS):
                url = urlsplit(href)
                if url.netloc != origin or NOT_PAGES.search(url.path) or url.path in queued:
                    continue
                queued.add(url.path)
                queue.append(url.path)
        return checked


@pytest.fixture
def demo(app):
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0


def test_axe_finds_no_violation_on_any_page_of_any_role_at_both_widths(app, browser, demo):
    audit = Audit(app, browser)
    anonymous = browser.new_page()
    seen = {"anonymous": audit.crawl(anonymous, "anonymous", "/login")}
    for role, username in ROLES.items():
        seen[role] = audit.crawl(browser.login(username, DEMO_PASSWORD), role, "/")
    # The crawl reached the pages of each role's work, not just its home page.
    assert "/cong-khai" in seen["anonymous"]
    assert {"/dossiers/new", "/packets"} <= set(seen["submitter"]), seen["submitter"]
    assert {"/dashboard", "/exports/honours-list", "/settings/campaigns", "/decisions",
            "/council-sessions"} <= set(seen["office"]), seen["office"]
    assert any("/events/" in path for path in seen["office"] + seen["appraiser"]), seen["office"]
    assert {"/admin/users", "/admin/units"} <= set(seen["admin"]), seen["admin"]
    assert not audit.failures, f"{len(audit.failures)} failures in {audit.runs} runs:\n" + "\n".join(audit.failures)


# The hand checks of the audit, which axe does not make.

def described_by(page, selector: str) -> str:
    """The text a screen reader reads after a field's name: its aria-describedby elements."""
    return page.evaluate("""(selector) => (document.querySelector(selector).getAttribute('aria-describedby') || '')
      .split(' ').filter(Boolean).map((id) => document.getElementById(id).innerText).join(' | ')""", selector)


def test_the_dashboards_charts_fit_a_phone_are_reached_by_keyboard_and_have_their_values_as_text(browser, demo):
    page = browser.login("vanphong", DEMO_PASSWORD, width=375, height=800)
    page.goto("/dashboard")
    assert page.evaluate(OVERFLOW), page.evaluate(WIDER_THAN_SCREEN)
    boxes = page.locator(".chart-wrap")
    assert boxes.count() >= 2
    for index in range(boxes.count()):
        box = boxes.nth(index)
        assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "group"
        assert box.get_attribute("aria-label") == box.locator("svg title").first.text_content()
        # The values as a table screen readers read: one row per bar, its label and its number.
        rows = box.locator(".visually-hidden table tbody tr")
        bars = box.locator("svg rect")
        assert rows.count() == bars.count() > 0
        numbers = [int(text) for text in box.locator(".visually-hidden td").all_text_contents()]
        assert numbers == [int(text) for text in box.locator("svg > text:not([text-anchor])").all_text_contents()]
    browser.shot(page, "dashboard-375")
    wide = boxes.first
    assert wide.evaluate("(box) => box.scrollWidth > box.clientWidth")  # the chart keeps legible text: it scrolls
    wide.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.activeElement.scrollLeft > 0", timeout=5000)
    assert page.evaluate(OVERFLOW)
    browser.shot(page, "dashboard-375-chart-scrolled")
    page.set_viewport_size({"width": 1280, "height": 900})
    browser.shot(page, "dashboard-1280")


def test_the_dossier_page_names_its_documents_by_their_heading_and_tells_its_workflow_as_text(browser, factory):
    dossier = factory.dossier("submitted")
    office = factory.user("office")
    page = browser.login(office.username)
    page.goto(f"/dossiers/{dossier.id}")
    assert page.get_attribute("#documents", "aria-labelledby") == "documents-title"
    assert page.get_by_role("region", name="Tài liệu", exact=True).count() == 1
    assert page.evaluate(DUPLICATE_IDS) == []
    steps = page.locator(".diagram .visually-hidden li").all_inner_texts()
    assert steps and len(steps) == page.locator(".diagram path.edge").count()
    assert "Nháp → Đã nộp: Nộp hồ sơ" in steps, steps
    browser.shot(page, "dossier-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate(OVERFLOW)
    browser.shot(page, "dossier-375")


def test_a_refused_action_shows_each_failed_rule_beside_its_field(app, browser, factory):
    """The office returns a dossier without saying why, with a due date that does not exist: each error is under its
    field, which is marked invalid and reads it, with its hint; the banner only points to them."""
    dossier = factory.dossier("submitted")
    office = factory.user("office")
    page = browser.login(office.username)
    page.goto(f"/dossiers/{dossier.id}/events/return")
    assert "dd/mm/yyyy" in described_by(page, "#due_date")
    assert page.evaluate(HINTS_NOT_READ) == []
    page.fill("#due_date", "")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.inner_text(".messages") == "Vui lòng sửa các trường được đánh dấu bên dưới."
    assert page.get_attribute("#comment", "aria-invalid") == "true"
    assert "Cần nêu lý do" in page.inner_text("#comment-error")
    assert "Cần nêu lý do" in described_by(page, "#comment")
    assert "Cần nêu lý do" in described_by(page, "main fieldset")
    assert page.get_attribute("#due_date", "aria-invalid") is None
    audit = Audit(app, browser)
    audit.check(page, "return-refused")  # axe, at both widths, on the form with its errors
    assert not audit.failures, audit.failures

    page.fill("#reason_to_trinh", "Thiếu chữ ký")
    page.fill("#due_date", "31/02/2030")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.get_attribute("#due_date", "aria-invalid") == "true"
    due = described_by(page, "#due_date")
    assert "dd/mm/yyyy" in due and page.inner_text("#due_date-error") in due
    assert page.get_attribute("#comment", "aria-invalid") is None
    db.session.refresh(dossier)
    assert dossier.state == "submitted"  # refused: nothing changed


def test_the_appraisers_reject_form_ties_the_missing_reason_to_its_field(browser, factory):
    dossier = factory.dossier("in_appraisal")
    appraiser = factory.actor_for(dossier, "reject")
    page = browser.login(appraiser.username)
    page.goto(f"/dossiers/{dossier.id}/events/reject")
    assert "(bắt buộc)" in page.inner_text("label[for=comment]")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.get_attribute("#comment", "aria-invalid") == "true"
    assert page.inner_text("#comment-error") in described_by(page, "#comment")
    assert page.inner_text("#comment-error").strip()
    browser.shot(page, "reject-refused")


def test_the_export_pages_progress_bar_is_named_and_its_live_region_is_there_before_it_is_filled(browser, factory):
    office = factory.user("office")
    page = browser.login(office.username)
    page.goto("/exports/honours-list")
    status = page.locator("[role=status]#export-status")
    assert status.count() == 1 and status.inner_text() == ""
    assert page.get_by_role("progressbar", name="Tiến độ xuất danh sách", include_hidden=True).count() == 1
    assert "(bắt buộc)" in page.inner_text("label[for=export-campaign]")
    browser.shot(page, "export-1280")
