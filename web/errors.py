"""Failures answer as JSON in the API's error shape under /api/ and /healthz, as an HTML page elsewhere.

Never a stack trace.
"""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

from workflow.errors import GuardFailed, WorkflowError
from workflow.i18n import N_, Msg
from workflow.models import db

log = logging.getLogger(__name__)

STATUS = {
    "bad_request": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "invalid_transition": 409,
    "stale_version": 409,
    "already_voted": 409,
    "voting_closed": 409,
    "disclosure_closed": 409,
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "guard_failed": 422,
    "validation_error": 422,
    "batch_refused": 422,
    "rate_limited": 429,
    "internal_error": 500,
}
HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "invalid_transition", 413: "payload_too_large",
              415: "unsupported_media_type", 422: "validation_error", 429: "rate_limited"}
HTTP_MESSAGES = {
    "bad_request": N_("The request is malformed."),
    "unauthorized": N_("Sign in first: send a valid token in the Authorization header."),
    "forbidden": N_("You are not allowed to do this."),
    "not_found": N_("Not found."),
    "method_not_allowed": N_("This method is not allowed here."),
    "payload_too_large": N_("The request is too large."),
    "unsupported_media_type": N_("This type of content is not accepted."),
    "validation_error": N_("The data sent is not valid."),
    "rate_limited": N_("Too many attempts; wait a while and try again."),
    "internal_error": N_("Something went wrong on our side; nothing was changed. Please try again."),
}


def render(message: Msg) -> str:
    return message.render(gettext)


JSON_PATHS = ("/api/", "/healthz")


def wants_page() -> bool:
    return not request.path.startswith(JSON_PATHS)


def error_response(code: str, message: str, details: list | None = None, status: int | None = None):
    if wants_page():
        return render_template("pages/error.html", code=code, message=message,
                               details=[d["message"] for d in details or []]), status or STATUS.get(code, 400)
    body = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    return jsonify(body), status or STATUS.get(code, 400)


def workflow_error_response(error: WorkflowError):
    db.session.rollback()
    if isinstance(error, GuardFailed):
        details = [{"rule": failure.rule, "message": render(failure.message), **(failure.extra or {})}
                   for failure in error.failures]
    else:
        details = [{key: render(value) if isinstance(value, Msg) else value for key, value in d.items()}
                   for d in error.details]
    return error_response(error.code, render(error.message), details)


def http_error_response(error: HTTPException):
    db.session.rollback()
    code = HTTP_CODES.get(error.code or 500, "bad_request" if (error.code or 500) < 500 else "internal_error")
    details = []
    messages = getattr(error, "data", {}).get("messages") if isinstance(getattr(error, "data", None), dict) else None
    if messages:
        details = list(_flatten(messages))
    return error_response(code, gettext(HTTP_MESSAGES.get(code, HTTP_MESSAGES["bad_request"])), details,
                          error.code or 500)


REQUEST_LOCATIONS = frozenset({"json", "query", "form", "files", "multipart"})


def _flatten(messages, prefix: str = ""):
    """webargs' nested {location: {field: [messages]}} as a flat list of field/message pairs."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            if not prefix and key in REQUEST_LOCATIONS:
                yield from _flatten(value)
            else:
                yield from _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(messages, list | tuple):
        for item in messages:
            if isinstance(item, dict | list | tuple):
                yield from _flatten(item, prefix)
            else:
                yield {"field": prefix or "_", "message": str(item)}
    else:
        yield {"field": prefix or "_", "message": str(messages)}


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(WorkflowError, workflow_error_response)
    app.register_error_handler(HTTPException, http_error_response)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error")
        db.session.rollback()
        message = HTTP_MESSAGES["internal_error"]
        return error_response("internal_error", gettext(message), status=500)
