"""Headless Chromium (Debian's, driven by Playwright) against the app served from a real server thread."""
from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import service_missing
from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-gpu"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"


@pytest.fixture
def live_server(app):
    """The test's app (same database) served on a free port by a threaded werkzeug server."""
    from web.security import sign_in_limiter

    sign_in_limiter(app).reset()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    sign_in_limiter(app).reset()


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        service_missing("Chromium", FileNotFoundError(CHROMIUM))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as error:  # noqa: BLE001 - any launch failure means the browser is not usable here
            service_missing("Chromium", error)
        yield browser
        browser.close()


class Browser:
    """Signs people in, each in a browser context of their own, and saves numbered screenshots."""

    def __init__(self, chromium, base_url: str, folder: Path):
        self.chromium = chromium
        self.base_url = base_url
        self.folder = folder
        self.count = 0
        self.contexts = []

    def new_page(self, width: int = 1280, height: int = 900, locale: str = "vi-VN"):
        context = self.chromium.new_context(viewport={"width": width, "height": height}, locale=locale,
                                            base_url=self.base_url)
        context.set_default_timeout(15000)
        self.contexts.append(context)
        return context.new_page()

    def login(self, username: str, password: str = PASSWORD, **page_options):
        page = self.new_page(**page_options)
        page.goto("/login")
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("form.stack button[type=submit]")
        page.wait_for_url(re.compile(r"/$"))
        return page

    def shot(self, page, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def browser(chromium, live_server, request):
    folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    session = Browser(chromium, live_server, folder)
    yield session
    session.close()
