"""Sign-in sessions, CSRF, sign-in limits and security headers for the pages.

The API keeps its bearer tokens: its blueprints are exempt from CSRF, and a session cookie never
authenticates an API call.
"""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect

from workflow.models import User, db

csrf = CSRFProtect()
login_manager = LoginManager()
# Views whose failed sign-ins are limited, per account and per address.
SIGN_IN_ENDPOINTS = ("auth.login", "tokens.create_token")

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                           "frame-ancestors 'none'")
FAILED_LOGIN_STATUS = 401


def login_failed(response) -> bool:
    """Only failed sign-ins count against the limits."""
    return response.status_code == FAILED_LOGIN_STATUS


def account_key() -> str:
    if request.is_json:
        username = (request.get_json(silent=True) or {}).get("username")
    else:
        username = request.form.get("username")
    return "account:" + (str(username or "").strip().casefold())


def address_key() -> str:
    return "address:" + get_remote_address()


def per_account_limit() -> str:
    return current_app.config.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")


def per_address_limit() -> str:
    return current_app.config.get("LOGIN_LIMIT_PER_ADDRESS", "20 per 15 minutes")


def sign_in_limiter(app: Flask) -> Limiter:
    """The app's own limiter: each app keeps its own storage (an app made later must not take it over)."""
    return app.extensions["sign_in_limiter"]


def _limit_sign_ins(app: Flask) -> None:
    """The failed-attempt limits, shared by the login page and the token endpoint."""
    limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)
    limiter.init_app(app)
    app.extensions["sign_in_limiter"] = limiter
    for endpoint in SIGN_IN_ENDPOINTS:
        view = app.view_functions[endpoint]
        view = limiter.limit(per_account_limit, key_func=account_key, deduct_when=login_failed,
                             scope="login-account")(view)
        app.view_functions[endpoint] = limiter.limit(per_address_limit, key_func=address_key,
                                                     deduct_when=login_failed, scope="login-address")(view)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def set_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_security(app: Flask) -> None:
    """Call once every blueprint is registered: the sign-in limits wrap registered views."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "awards-login")
    # If Redis is down, people can still sign in: limits fall back to this process's memory.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    csrf.init_app(app)
    _limit_sign_ins(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    app.after_request(set_security_headers)
    app.register_error_handler(CSRFError, csrf_refused)


def csrf_refused(_error):
    from web.errors import error_response

    db.session.rollback()
    return error_response("bad_request", _l("The form has expired or was not sent from this site; reload the page "
                                            "and try again.").__str__(), status=400)


def exempt_api_from_csrf(app: Flask) -> None:
    for blueprint in app.blueprints.values():
        if (blueprint.url_prefix or "").startswith("/api/"):
            csrf.exempt(blueprint)
