"""Each request's id (logs.py): taken from X-Request-ID or made, bound while the request runs, sent back."""
from __future__ import annotations

from flask import Flask, g, request

from logs import REQUEST_ID_HEADER, accept_request_id, bind_request_id, current_request_id, unbind_request_id


def install_request_ids(app: Flask) -> None:
    """Call before any other hook, so that whatever they log carries the id."""
    app.before_request(_bind)
    app.after_request(_answer_with_id)
    app.teardown_request(_unbind)


def _bind() -> None:
    g.request_id_token = bind_request_id(accept_request_id(request.headers.get(REQUEST_ID_HEADER)))


def _answer_with_id(response):
    request_id = current_request_id()
    if request_id:
        response.headers[REQUEST_ID_HEADER] = request_id
    return response


def _unbind(_error) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        unbind_request_id(token)
