"""What a dossier of a procedure holds besides the nominee: the values of the procedure file's `fields`.

They are checked here, for the API and the pages alike, with the app's one text policy, and kept in the
dossier's `details` as JSON (dates as ISO text). A field a step records (`recorded: true`) is never taken
from the unit.
"""
from __future__ import annotations

import datetime as dt
import re

from workflow.i18n import N_, Msg
from workflow.procedure import Field, Procedure
from workflow.text import TextRefused, clean_line

WHOLE_NUMBER = re.compile(r"^-?\d{1,12}$")
DAY_MONTH_YEAR = "%d/%m/%Y"


def _problem(name: str, msgid: str, params: dict | None = None) -> dict:
    return {"field": f"details.{name}", "message": Msg(msgid, params or {})}


def _date(raw) -> dt.date | None:
    """A date given as a date, as ISO text (the API) or as dd/mm/yyyy (the pages); None when it is not one."""
    if isinstance(raw, dt.date):
        return raw
    if not isinstance(raw, str):
        return None
    for parse in (dt.date.fromisoformat, lambda text: dt.datetime.strptime(text, DAY_MONTH_YEAR).date()):
        try:
            return parse(raw.strip())
        except ValueError:
            continue
    return None


def _clean(item: Field, raw) -> tuple[object, dict | None]:
    """The value of `item` to store, or the problem with `raw`."""
    label = {"field": Msg(item.label["en"])}
    if item.type == "text":
        if not isinstance(raw, str):
            return None, _problem(item.name, N_("%(field)s: write it as text."), label)
        try:
            value = " ".join(clean_line(raw).split())
        except TextRefused as refused:
            return None, {"field": f"details.{item.name}", "message": refused.message}
        if item.maximum is not None and len(value) > item.maximum:
            return None, _problem(item.name, N_("%(field)s: at most %(limit)d characters."),
                                  {**label, "limit": item.maximum})
        if item.minimum is not None and len(value) < item.minimum:
            return None, _problem(item.name, N_("%(field)s: at least %(limit)d characters."),
                                  {**label, "limit": item.minimum})
        return value, None
    if item.type == "int":
        if isinstance(raw, str) and WHOLE_NUMBER.match(raw.strip()):
            raw = int(raw.strip())
        if not isinstance(raw, int) or isinstance(raw, bool):
            return None, _problem(item.name, N_("%(field)s: write a whole number."), label)
        if (item.minimum is not None and raw < item.minimum) or (item.maximum is not None and raw > item.maximum):
            return None, _problem(item.name, N_("%(field)s: a whole number from %(min)s to %(max)s."),
                                  {**label, "min": "…" if item.minimum is None else item.minimum,
                                   "max": "…" if item.maximum is None else item.maximum})
        return raw, None
    if item.type == "date":
        value = _date(raw)
        if value is None:
            return None, _problem(item.name, N_("%(field)s: write the date as dd/mm/yyyy."), label)
        return value.isoformat(), None
    codes = [code for code, _labels in item.choices]
    if raw not in codes:
        return None, _problem(item.name, N_("%(field)s: choose one of %(choices)s."),
                              {**label, "choices": [Msg(item.choice_label(code)) for code in codes]})
    return raw, None


def clean_details(procedure: Procedure, values: dict | None, kept: dict | None = None) -> tuple[dict, list[dict]]:
    """The dossier's `details` once `values` (field name: value, as sent) are applied to those it `kept`, and the
    problems found: a field unknown to the procedure or recorded by a step, a required one left empty, a value of
    the wrong type or out of bounds, text the text policy refuses."""
    values = values or {}
    kept = kept or {}
    problems = []
    entered = {item.name: item for item in procedure.entered_fields}
    for name in values:
        if name not in entered:
            problems.append(_problem(str(name)[:40], N_("“%(name)s” is not a field of this procedure."),
                                     {"name": str(name)[:40]}))
    details = {item.name: kept[item.name] for item in procedure.fields if item.recorded and item.name in kept}
    for item in entered.values():
        raw = values.get(item.name, kept.get(item.name))
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if item.required:
                problems.append(_problem(item.name, N_("%(field)s is required."), {"field": Msg(item.label["en"])}))
            continue
        value, problem = _clean(item, raw)
        if problem is not None:
            problems.append(problem)
        else:
            details[item.name] = value
    return details, problems


def shown(procedure: Procedure, details: dict) -> list[tuple[Field, object]]:
    """The dossier's fields that hold a value, in the file's order, each with what to show: a date as a date,
    a choice as its English label (the message id the pages translate)."""
    rows = []
    for item in procedure.fields:
        value = (details or {}).get(item.name)
        if value is None:
            continue
        if item.type == "date":
            value = dt.date.fromisoformat(value)
        elif item.type == "choice":
            value = item.choice_label(value)
        rows.append((item, value))
    return rows
