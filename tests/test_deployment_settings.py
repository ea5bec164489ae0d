"""Settings a deployment must get right: the secret key, HTTPS-only cookies, HSTS."""
from __future__ import annotations

import secrets

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from tests.conftest import _sqlalchemy_url

pytestmark = pytest.mark.postgres

OLD_COMPOSE_DEFAULT = "change-me-in-production"


def production_app(tmp_path, postgres_url, without: str | None = None, **overrides):
    """The production app with strong keys, or without the setting `without` (then read from the environment)."""
    from web import create_app

    config = dict(SQLALCHEMY_DATABASE_URI=_sqlalchemy_url(postgres_url), UPLOAD_DIR=str(tmp_path / "uploads"),
                  MAIL_DIR=str(tmp_path / "mail"), EXPORT_DIR=str(tmp_path / "exports"), REDIS_URL=None,
                  SMTP_HOST=None, SECRET_KEY=secrets.token_hex(32), HISTORY_KEY=secrets.token_hex(32))
    config.update(overrides)
    config.pop(without, None)
    return create_app("production", **config)


@pytest.mark.parametrize("key", [OLD_COMPOSE_DEFAULT, "test-secret", "dev", "changeme", "secret", "",
                                 "x" * 64, "0123456789abcdef" * 4, secrets.token_hex(16),
                                 "CHANGE-ME-IN-PRODUCTION"])
@pytest.mark.parametrize("name", ["SECRET_KEY", "HISTORY_KEY"])
def test_production_refuses_to_start_with_a_weak_or_known_key(tmp_path, postgres_url, app, key, name):
    with pytest.raises(RuntimeError) as refused:
        production_app(tmp_path, postgres_url, **{name: key})
    message = str(refused.value)
    assert message.startswith(name) and "secrets.token_hex(32)" in message and f"{name}=" in message
    app.extensions["celery"].set_current()


@pytest.mark.parametrize("name", ["SECRET_KEY", "HISTORY_KEY"])
def test_production_refuses_to_start_without_a_key(tmp_path, postgres_url, app, monkeypatch, name):
    monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match=f"{name} is not set"):
        production_app(tmp_path, postgres_url, without=name)
    app.extensions["celery"].set_current()


def test_a_session_forged_with_the_old_compose_default_opens_nothing(tmp_path, postgres_url, app, factory):
    admin = factory.user("admin", "thanh-hoi")
    forger = Flask("forger")
    forger.secret_key = OLD_COMPOSE_DEFAULT
    forged = SecureCookieSessionInterface().get_signing_serializer(forger).dumps(
        {"_user_id": f"{admin.id}:0", "_fresh": True})

    production = production_app(tmp_path, postgres_url, SECRET_KEY=secrets.token_urlsafe(32))
    client = production.test_client()
    client.set_cookie("session", forged)
    response = client.get("/admin/users")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    app.extensions["celery"].set_current()


def test_production_with_a_strong_key_starts_with_secure_cookies_and_hsts(tmp_path, postgres_url, app, client):
    production = production_app(tmp_path, postgres_url, SECRET_KEY=secrets.token_hex(32))
    response = production.test_client().get("/login", base_url="https://awards.example.org")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie
    assert production.config["REMEMBER_COOKIE_SECURE"] is True
    app.extensions["celery"].set_current()
    assert "Strict-Transport-Security" not in client.get("/login").headers  # not on plain-http test servers
