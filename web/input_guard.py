"""NUL characters and lone surrogates are refused once for the whole application.

No text may hold them: PostgreSQL cannot store a NUL, and a lone surrogate (which JSON can carry as
"\\ud800") cannot be encoded to UTF-8. They are looked for in the path, the query string, the form
and its file names, the JSON body and the headers, and answered with 400 `bad_request` before any
handler runs (so before any of them reaches the database).
"""
from __future__ import annotations

from collections.abc import Iterator

from flask import Flask, request
from flask_babel import gettext

from web.errors import error_response

from workflow.i18n import N_
from workflow.text import has_forbidden_character

FORBIDDEN_CHARACTER = N_("The request holds a NUL character or a lone surrogate, which no text may contain.")


def _strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _request_texts() -> Iterator[str]:
    yield request.path
    for source in (request.args, request.form):
        for key, value in source.items(multi=True):
            yield key
            yield value
    for key, upload in request.files.items(multi=True):
        yield key
        yield upload.filename or ""
    for _name, value in request.headers.items():
        yield value
    if request.is_json:
        yield from _strings(request.get_json(silent=True))


def refuse_forbidden_characters():
    # A multipart part may come without a value (None), which holds no character at all.
    if any(isinstance(text, str) and has_forbidden_character(text) for text in _request_texts()):
        return error_response("bad_request", gettext(FORBIDDEN_CHARACTER))
    return None


def install_input_guard(app: Flask) -> None:
    """Call before any other hook that may read the request or the database."""
    app.before_request(refuse_forbidden_characters)
