"""Translatable text without a framework.

The domain speaks English message ids with %(name)s placeholders (marked with N_ so that the
catalogue extractor finds them); whoever shows the text (a page, an API error, an e-mail) renders
it with the reader's gettext. A parameter may itself be a message, or a list of them.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def N_(message: str) -> str:
    return message


@dataclass(frozen=True)
class Msg:
    msgid: str
    params: dict = field(default_factory=dict)

    def render(self, gettext: Callable[[str], str] = N_) -> str:
        text = gettext(self.msgid)
        if not self.params:
            return text
        return text % {key: _render_value(value, gettext) for key, value in self.params.items()}

    def to_json(self) -> dict:
        return {"msgid": self.msgid, "params": {k: _jsonable(v) for k, v in self.params.items()}}

    @classmethod
    def from_json(cls, data: dict) -> Msg:
        return cls(data["msgid"], {k: _from_jsonable(v) for k, v in data.get("params", {}).items()})


def vndate(value) -> str:
    """A date (or ISO date text, or a time) as dd/mm/yyyy, in Vietnam."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = value.astimezone(VIETNAM)
    return value.strftime("%d/%m/%Y")



def _render_value(value, gettext):
    if isinstance(value, Msg):
        return value.render(gettext)
    if isinstance(value, list | tuple):
        return ", ".join(str(_render_value(item, gettext)) for item in value)
    if isinstance(value, dt.date):
        return vndate(value)
    return value


def _jsonable(value):
    if isinstance(value, Msg):
        return {"$msg": value.to_json()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    return value


def _from_jsonable(value):
    if isinstance(value, dict) and "$msg" in value:
        return Msg.from_json(value["$msg"])
    if isinstance(value, dict) and "$date" in value:
        return dt.date.fromisoformat(value["$date"])
    if isinstance(value, list):
        return [_from_jsonable(v) for v in value]
    return value


def today() -> dt.date:
    """Today in Vietnam, where every deadline is counted."""
    return dt.datetime.now(VIETNAM).date()
