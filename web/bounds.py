"""Bounds on what a request can carry, set once for the whole app: integer ids in URLs, nesting of JSON bodies."""
from __future__ import annotations

import json

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

from workflow.models import MAX_ID


class DatabaseId(IntegerConverter):
    """Flask's `int`, limited to the ids the database can hold: beyond them no route matches (404), so no
    query is made with a number the database would refuse."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class NestedTooDeep(json.JSONDecodeError):
    """A body nested deeper than any request of the API: malformed JSON, as far as callers are concerned
    (werkzeug's `get_json` and webargs both answer 400 to a JSONDecodeError)."""

    def __init__(self, document: str | bytes, limit: int):
        text = document if isinstance(document, str) else document.decode("utf-8", "replace")
        super().__init__(f"JSON nested more than {limit} levels deep", text, 0)


def depth_exceeds(data, limit: int) -> bool:
    """Whether arrays and objects in `data` nest more than `limit` levels (walked without recursion)."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        children = value.values() if isinstance(value, dict) else value
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class BoundedJSONProvider(DefaultJSONProvider):
    """Reads JSON no deeper than JSON_MAX_DEPTH levels; deeper, or too deep for the parser itself
    (RecursionError), it is refused as malformed."""

    def loads(self, s, **kwargs):
        limit = self._app.config["JSON_MAX_DEPTH"]
        try:
            data = json.loads(s, **kwargs)
        except RecursionError:
            raise NestedTooDeep(s, limit) from None
        if isinstance(data, dict | list) and depth_exceeds(data, limit):
            raise NestedTooDeep(s, limit)
        return data


def install_bounds(app: Flask) -> None:
    """Before any route is added: the `int` converter of every route, and the JSON provider."""
    app.url_map.converters["int"] = DatabaseId
    app.json_provider_class = BoundedJSONProvider
    app.json = BoundedJSONProvider(app)
