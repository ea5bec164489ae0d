"""Sign-in sessions, CSRF, sign-in limits, proxies and security headers.

The API keeps its bearer tokens: its blueprints are exempt from CSRF, and a session cookie never
authenticates an API call. A session names its user's session generation (see workflow.accounts), so
ending the user's sessions refuses every cookie issued before.

Failed sign-ins are counted per account, whichever of the two sign-in views (page, token endpoint)
they go to: a lock per account and address stops a guesser; a slower limit per account from any
address bounds a spread-out attack without letting one address lock the owner out; a limit per
address bounds one address trying many accounts. The address is the peer's, or, only when
TRUSTED_PROXIES says how many proxies stand in front, the one they forward.
"""
from __future__ import annotations

import math
import time

from flask import Flask, current_app, request
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from workflow.accounts import session_user
from workflow.models import User, db

csrf = CSRFProtect()
login_manager = LoginManager()
# Views whose failed sign-ins are limited, per account and per address.
SIGN_IN_ENDPOINTS = ("auth.login", "tokens.create_token")
# The public's comments on dossiers in disclosure: limited per address (DISCLOSURE_COMMENT_LIMIT).
COMMENT_ENDPOINT = "disclosure_pages.comment"

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                           "frame-ancestors 'none'")
FAILED_LOGIN_STATUS = 401


def login_failed(response) -> bool:
    """Only failed sign-ins count against the limits."""
    return response.status_code == FAILED_LOGIN_STATUS


def _account() -> str:
    if request.is_json:
        payload = request.get_json(silent=True)
        username = payload.get("username") if isinstance(payload, dict) else None
    else:
        username = request.form.get("username")
    return str(username or "").strip().casefold()


def account_key() -> str:
    return "account:" + _account()


def account_address_key() -> str:
    return f"account:{_account()}:address:{get_remote_address()}"


def address_key() -> str:
    return "address:" + get_remote_address()


def _setting(name: str):
    return lambda: current_app.config[name]


# (setting, key, scope): each limit is shared by every sign-in view.
SIGN_IN_LIMITS = (
    ("LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS", account_address_key, "login-account-address"),
    ("LOGIN_LIMIT_PER_ACCOUNT", account_key, "login-account"),
    ("LOGIN_LIMIT_PER_ADDRESS", address_key, "login-address"),
)


def sign_in_limiter(app: Flask) -> Limiter:
    """The app's own limiter: each app keeps its own storage (an app made later must not take it over)."""
    return app.extensions["sign_in_limiter"]


def _limit_sign_ins(app: Flask) -> None:
    """The failed-attempt limits, shared by the login page and the token endpoint."""
    limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)
    limiter.init_app(app)
    app.extensions["sign_in_limiter"] = limiter
    for setting, key, scope in SIGN_IN_LIMITS:
        shared = limiter.shared_limit(_setting(setting), scope=scope, key_func=key, deduct_when=login_failed)
        for endpoint in SIGN_IN_ENDPOINTS:
            app.view_functions[endpoint] = shared(app.view_functions[endpoint])
    comments = limiter.shared_limit(_setting("DISCLOSURE_COMMENT_LIMIT"), scope="disclosure-comment",
                                    key_func=address_key)
    app.view_functions[COMMENT_ENDPOINT] = comments(app.view_functions[COMMENT_ENDPOINT])
    app.register_error_handler(RateLimitExceeded, sign_in_refused)


def sign_in_refused(_error: RateLimitExceeded):
    """429 with Retry-After, and a message saying when to try again (the public's comments are limited too)."""
    from web.errors import error_response

    breached = sign_in_limiter(current_app).current_limit
    # The storage keeps the reset time in whole seconds: rounded up, the wait could exceed the window by one.
    seconds = (max(1, min(math.ceil(breached.reset_at - time.time()), breached.limit.get_expiry()))
               if breached else 60)
    if request.endpoint == COMMENT_ENDPOINT:
        message = ngettext("Too many comments from your address; try again in %(num)d minute.",
                           "Too many comments from your address; try again in %(num)d minutes.",
                           math.ceil(seconds / 60))
    else:
        message = ngettext("Too many failed sign-in attempts; try again in %(num)d minute.",
                           "Too many failed sign-in attempts; try again in %(num)d minutes.", math.ceil(seconds / 60))
    response = current_app.make_response(error_response("rate_limited", message))
    response.headers["Retry-After"] = str(seconds)
    return response


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    return session_user(session_id)


def set_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.path.startswith("/api/"):
        # Answers carry tokens and people's data: no browser or proxy keeps a copy.
        response.headers["Cache-Control"] = "no-store"
    elif response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    if current_app.config["HSTS_SECONDS"]:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={current_app.config['HSTS_SECONDS']}")
    return response


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client's address and scheme from what they forward."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def init_security(app: Flask) -> None:
    """Call once every blueprint is registered: the sign-in limits wrap registered views."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "awards-login")
    # If Redis is down, people can still sign in: limits fall back to this process's memory.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    trust_proxies(app)
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
