"""Log lines as JSON, each carrying the id of the request it serves, or of the request that queued its job.

A request takes its id from `X-Request-ID` when the caller (a reverse proxy, a client) sends a usable one,
else gets a fresh one, and answers with it. The jobs a request queues carry the id in their message
headers and take it up again while they run, so one id follows a click from the web log into the worker's.
Shared by the web processes and the Celery workers, hence outside both packages.
"""
from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import sys
import uuid

REQUEST_ID_HEADER = "X-Request-ID"
# The name of the id in a job's message headers.
JOB_HEADER = "request_id"
# What an id sent by a caller may look like: it is written into every log line, so nothing that could
# break a line or a log query, and nothing long.
_USABLE_ID = re.compile(r"[A-Za-z0-9._:@+=/-]{1,128}")
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def accept_request_id(sent: str | None) -> str:
    """The caller's id when it is usable, else a fresh one."""
    if sent and _USABLE_ID.fullmatch(sent):
        return sent
    return uuid.uuid4().hex


def bind_request_id(request_id: str | None) -> contextvars.Token:
    return _request_id.set(request_id)


def unbind_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id, the record's `fields`
    (given as `extra={"fields": {...}}`) and the traceback, if any."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id()
        if request_id:
            line["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update({key: value for key, value in fields.items() if key not in line})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class _StandardError(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the time (a test runner swaps it), as logging.lastResort does."""

    def __init__(self):
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def configure_logging(level: int | str = logging.INFO) -> None:
    """JSON lines on standard error from the root logger; repeatable (one handler however often it runs)."""
    root = logging.getLogger()
    if not any(isinstance(handler, _StandardError) for handler in root.handlers):
        handler = _StandardError()
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    root.setLevel(level)
