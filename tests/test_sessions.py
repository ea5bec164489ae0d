"""Sign-in sessions end when they should: sign-out, a password change, deactivation; tokens seen and revoked."""
from __future__ import annotations


import pytest

from tests.factories import PASSWORD
from tests.web_helpers import csrf_token, page_client, sign_in
from workflow.models import ApiToken, User, db

pytestmark = pytest.mark.postgres

NEW_PASSWORD = "a new password 7"


def kept_cookie(client) -> str:
    return client.get_cookie("session").value


def replayed(app, cookie: str):
    """A client that sends nothing but a session cookie kept from earlier."""
    client = page_client(app)
    client.set_cookie("session", cookie)
    return client


def signed_in(client) -> bool:
    response = client.get("/")
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")
        return False
    assert response.status_code == 200
    return True


def admin_saves(app, factory, user: User, **changes):
    admin = sign_in(app, factory.user("admin", "thanh-hoi"))
    data = {"full_name": user.full_name, "email": user.email, "role": user.role, "unit": user.unit.code,
            "password": "", "active": "y", "csrf_token": csrf_token(admin, f"/admin/users/{user.id}")}
    data.update(changes)
    data = {key: value for key, value in data.items() if value is not None}
    response = admin.post(f"/admin/users/{user.id}", data=data)
    assert response.status_code == 302, response.text


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_a_cookie_kept_from_before_sign_out_no_longer_signs_in(app, factory):
    user = factory.user("office")
    client = sign_in(app, user)
    cookie = kept_cookie(client)
    assert signed_in(replayed(app, cookie))
    elsewhere = sign_in(app, user)

    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert not signed_in(replayed(app, cookie))
    assert not signed_in(elsewhere)  # signing out ends every session of the user at once
    assert signed_in(sign_in(app, user))


def test_an_administrators_password_reset_ends_the_users_web_sessions_and_tokens(app, factory):
    user = factory.user("submitter")
    client = sign_in(app, user)
    token = factory.api(user).headers
    admin_saves(app, factory, user, password=NEW_PASSWORD)
    assert not signed_in(client)
    assert app.test_client().get("/api/v1/units", headers=token).status_code == 401
    sign_in(app, user, password=NEW_PASSWORD)


def test_deactivation_ends_the_users_sessions_for_good(app, factory):
    user = factory.user("submitter")
    client = sign_in(app, user)
    cookie = kept_cookie(client)
    token = factory.api(user).headers
    admin_saves(app, factory, user, active=None)
    assert not signed_in(client)
    admin_saves(app, factory, user)  # active again: the old cookie and token stay dead
    assert not signed_in(replayed(app, cookie))
    assert app.test_client().get("/api/v1/units", headers=token).status_code == 401


def test_changing_ones_password_keeps_this_session_and_ends_the_others(app, factory):
    user = factory.user("chair")
    here = sign_in(app, user)
    there = sign_in(app, user)
    token = factory.api(user).headers
    response = here.post("/account/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD,
        "csrf_token": csrf_token(here, "/account")})
    assert response.status_code == 302
    assert signed_in(here) and not signed_in(there)
    assert app.test_client().get("/api/v1/units", headers=token).status_code == 401
    sign_in(app, user, password=NEW_PASSWORD)


def test_a_password_change_needs_the_current_password_and_a_valid_new_one(app, factory):
    user = factory.user("chair")
    client = sign_in(app, user)
    for current, new, confirm, message in (
            ("wrong password", NEW_PASSWORD, NEW_PASSWORD, "Mật khẩu hiện tại không đúng."),
            (PASSWORD, "short", "short", "Mật khẩu cần có ít nhất 8 ký tự."),
            (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "Hai mật khẩu mới không khớp nhau.")):
        response = client.post("/account/password", data={
            "current_password": current, "new_password": new, "confirm_password": confirm,
            "csrf_token": csrf_token(client, "/account")})
        assert response.status_code == 400 and message in response.text
    assert signed_in(client)
    sign_in(app, user)  # the password is unchanged


def test_the_export_pages_token_is_reused_and_ends_with_the_session(app, factory):
    office = sign_in(app, factory.user("office"))
    first, second = (office.post("/exports/honours-list/token", headers={
        "X-CSRFToken": csrf_token(office, "/")}).json["token"] for _ in range(2))
    assert first == second
    assert db.session.query(ApiToken).count() == 1
    api = app.test_client()
    assert api.get("/api/v1/campaigns", headers=bearer(first)).status_code == 200

    office.post("/logout", data={"csrf_token": csrf_token(office, "/")})
    assert api.get("/api/v1/campaigns", headers=bearer(first)).status_code == 401


def test_users_list_and_revoke_their_own_tokens_through_the_api(app, factory):
    user = factory.user("office")
    api = app.test_client()
    issued = [api.post("/api/v1/tokens", json={"username": user.username, "password": PASSWORD}).json["token"]
              for _ in range(2)]
    someone_else = factory.api(factory.user("chair"))

    listed = api.get("/api/v1/tokens", headers=bearer(issued[0]))
    assert listed.status_code == 200
    assert [t["current"] for t in listed.json] == [False, True]  # newest first
    assert set(listed.json[0]) >= {"id", "kind", "created_at", "expires_at", "current"}
    assert {t["kind"] for t in listed.json} == {"api"}
    other_id = db.session.query(ApiToken.id).filter(ApiToken.user_id != user.id).scalar()
    assert someone_else.delete(f"/api/v1/tokens/{listed.json[0]['id']}").status_code == 404
    refused = api.delete(f"/api/v1/tokens/{other_id}", headers=bearer(issued[0]))
    assert refused.status_code == 404 and refused.json["error"]["code"] == "not_found"

    assert api.delete(f"/api/v1/tokens/{listed.json[0]['id']}", headers=bearer(issued[0])).status_code == 204
    assert api.get("/api/v1/units", headers=bearer(issued[1])).status_code == 401
    assert [t["current"] for t in api.get("/api/v1/tokens", headers=bearer(issued[0])).json] == [True]
    assert someone_else.get("/api/v1/units").status_code == 200
    assert api.get("/api/v1/tokens").status_code == 401


def test_users_see_and_revoke_their_own_tokens_on_their_account_page(app, factory):
    user = factory.user("submitter")
    client = sign_in(app, user)
    token = factory.api(user).headers
    other = factory.api(factory.user("chair")).headers
    mine = db.session.query(ApiToken.id).filter_by(user_id=user.id).one()
    theirs = db.session.query(ApiToken.id).filter(ApiToken.user_id != user.id).one()

    page = client.get("/account")
    assert page.status_code == 200 and f'action="/account/tokens/{mine.id}/revoke"' in page.text
    assert f"/account/tokens/{theirs.id}/" not in page.text
    assert client.post(f"/account/tokens/{mine.id}/revoke").status_code == 400  # no CSRF token
    assert app.test_client().get("/api/v1/units", headers=token).status_code == 200
    form_token = csrf_token(client, "/account")
    assert client.post(f"/account/tokens/{theirs.id}/revoke", data={"csrf_token": form_token}).status_code == 404
    assert client.post(f"/account/tokens/{mine.id}/revoke", data={"csrf_token": form_token}).status_code == 302
    assert app.test_client().get("/api/v1/units", headers=token).status_code == 401
    assert app.test_client().get("/api/v1/units", headers=other).status_code == 200
    assert f"/account/tokens/{mine.id}/" not in client.get("/account").text


def test_an_administrator_resetting_their_own_password_keeps_only_this_session(app, factory):
    admin = factory.user("admin", "thanh-hoi")
    here, there = sign_in(app, admin), sign_in(app, admin)
    response = here.post(f"/admin/users/{admin.id}", data={
        "full_name": "", "email": admin.email, "role": "admin", "unit": "thanh-hoi", "password": NEW_PASSWORD,
        "active": "y", "csrf_token": csrf_token(here, f"/admin/users/{admin.id}")})
    assert response.status_code == 302
    assert signed_in(here) and not signed_in(there)
