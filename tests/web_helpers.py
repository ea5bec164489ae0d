"""Signing in to the pages with the Flask test client (CSRF tokens included), and reading what pages say."""
from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.factories import PASSWORD

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class PageClient(FlaskClient):
    """A test client whose every request runs in an app context of its own, as under a real server.

    Without this, requests would share the test's app context (and its `g`, where the signed-in
    user and the CSRF token are cached) across clients.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def page_client(app) -> PageClient:
    return PageClient(app, app.response_class, use_cookies=True)


def csrf_token(client, path: str = "/login") -> str:
    return TOKEN.search(client.get(path).text).group(1)


def sign_in(app, user, language: str | None = None, password: str = PASSWORD):
    client = page_client(app)
    response = client.post("/login", data={"username": user.username, "password": password,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.text
    if language:
        client.post("/language", data={"language": language, "csrf_token": csrf_token(client, "/")})
    return client


OWN_CHOICE = "Giá trị do Hội tự quy định — kế hoạch không nêu."


def own_choice_notes(page: str) -> set[str]:
    """The fields of a settings page said to hold the organisation's own choice, each note tied to its field."""
    noted = set(re.findall(r'<p class="own-choice" id="([\w-]+)-own">' + OWN_CHOICE + "</p>", page))
    return {name for name in noted
            if re.search(rf'aria-describedby="(?:[\w-]+ )*{name}-own(?: [\w-]+)*" id="{name}"', page)}
