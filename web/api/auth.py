"""Bearer-token authentication for the API."""
from __future__ import annotations

from functools import wraps

from flask import g, request

from workflow.accounts import user_for_token
from workflow.errors import WorkflowError
from workflow.i18n import N_
from workflow.models import User

BEARER_SECURITY = [{"bearerAuth": []}]


class Unauthorized(WorkflowError):
    code = "unauthorized"
    default = N_("Sign in first: send a valid token in the Authorization header.")


def current_user() -> User:
    return g.api_user


def token_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        user = user_for_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        if user is None:
            raise Unauthorized()
        g.api_user = user
        return view(*args, **kwargs)
    return wrapper
