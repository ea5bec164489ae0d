"""Display formats: dates as dd/mm/yyyy, times in Vietnam's time."""
from __future__ import annotations

import datetime as dt

from flask import Flask

from workflow.i18n import VIETNAM, vndate


def vndatetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def register_filters(app: Flask) -> None:
    app.jinja_env.filters["vndate"] = vndate
    app.jinja_env.filters["vndatetime"] = vndatetime
