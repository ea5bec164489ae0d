"""Showing a page changes nothing: every GET page, as every role, leaves every table as it was."""
from __future__ import annotations

import hashlib

from sqlalchemy import select

from tests.test_web_languages import every_page  # noqa: F401  (the fixture listing every page per role)
from tests.web_helpers import csrf_token, page_client, sign_in
from workflow.models import ApiToken, db


def database_fingerprint() -> dict[str, str]:
    """Each table's rows, hashed."""
    db.session.rollback()
    fingerprint = {}
    for table in db.metadata.sorted_tables:
        rows = sorted(repr(tuple(row)) for row in db.session.execute(select(table)))
        fingerprint[table.name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return fingerprint


def test_no_page_writes_when_it_is_shown(app, every_page):  # noqa: F811
    clients = {}
    for user, _path in every_page:
        key = user.id if user else None
        if key not in clients:
            clients[key] = sign_in(app, user) if user else page_client(app)
    extra = {key: ("/account", "/inbox") for key in clients if key is not None}
    before = database_fingerprint()
    for user, path in every_page:
        response = clients[user.id if user else None].get(path)
        assert response.status_code < 500, path
    for key, paths in extra.items():
        for path in paths:
            assert clients[key].get(path).status_code == 200, path
    after = database_fingerprint()
    assert {name for name in before if before[name] != after[name]} == set()


def test_the_fingerprint_sees_a_change(app, factory):
    before = database_fingerprint()
    factory.user("office")
    after = database_fingerprint()
    assert {name for name in before if before[name] != after[name]} == {"users"}


def test_the_export_page_gives_its_api_token_on_a_post_only_to_those_who_may_export(app, factory):
    office = sign_in(app, factory.user("office"))
    assert "data-token=" not in office.get("/exports/honours-list").text
    assert db.session.query(ApiToken).count() == 0
    submitter = sign_in(app, factory.user_once("submitter", "ba-dinh"))
    refused = submitter.post("/exports/honours-list/token", headers={"X-CSRFToken": csrf_token(submitter, "/")})
    assert refused.status_code == 403
    assert office.post("/exports/honours-list/token").status_code == 400  # without the form's token
    token = office.post("/exports/honours-list/token", headers={"X-CSRFToken": csrf_token(office, "/")}).json["token"]
    assert db.session.query(ApiToken).count() == 1
    assert app.test_client().get("/api/v1/campaigns", headers={"Authorization": f"Bearer {token}"}).status_code == 200
