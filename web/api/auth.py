"""Bearer-token authentication for the API."""
from __future__ import annotations

from functools import wraps

from flask import g, request

from workflow.accounts import valid_token
from workflow.errors import WorkflowError
from workflow.i18n import N_
from workflow.models import ApiToken, User

BEARER_SECURITY = [{"bearerAuth": []}]


class Unauthorized(WorkflowError):
    code = "unauthorized"
    default = N_("Sign in first: send a valid token in the Authorization header.")


def current_user() -> User:
    return g.api_user


def current_token() -> ApiToken:
    return g.api_token


def token_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        row = valid_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        if row is None:
            raise Unauthorized()
        g.api_token = row
        g.api_user = row.user
        return view(*args, **kwargs)
    return wrapper
