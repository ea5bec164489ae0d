"""Steps several units take together (scope each_party): the opinions given and those still awaited.

Each named unit's firing of such a step is a history row that leaves the dossier where it is, its unit in the
row's details (`party`); the last unit's firing moves the dossier on. The opinions that count are those given
since the dossier last entered the step's state: a return or a rejection, which take it out, sets them aside.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select, true
from sqlalchemy.orm import aliased

from workflow.models import Dossier, HistoryEntry, Unit, User, db
from workflow.procedure import EACH_PARTY, Step

_history = HistoryEntry.__table__
# Built once: the rows that left the dossier in a state, newest first, down to the one that brought it there.
ROWS_INTO_STATE = (select(_history.c.event, _history.c.from_state, _history.c.details, _history.c.actor_username,
                          _history.c.at)
                   .where(_history.c.dossier_id == bindparam("dossier_id"), _history.c.to_state == bindparam("state"))
                   .order_by(_history.c.seq.desc()))


@dataclass(frozen=True)
class Opinion:
    """A named unit's part in a step: given (by whom, when) or still awaited."""

    event: str
    party: str  # the unit's code
    party_name: str
    actor: str | None = None  # the username of who gave it
    at: dt.datetime | None = None

    @property
    def given(self) -> bool:
        return self.at is not None


def party_of(actor: User) -> str:
    """The party an actor speaks for: their unit, by its code."""
    return actor.unit.code


def unit_names(codes) -> dict[str, str]:
    if not codes:
        return {}
    rows = db.session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(list(codes))))
    return {code: name for code, name in rows}


def party_names(codes) -> list[str]:
    """The names of the units `codes` names, in that order."""
    names = unit_names(codes)
    return [names.get(code, code) for code in codes]


def given_opinions(dossier: Dossier, step: Step) -> dict[str, tuple[str, dt.datetime]]:
    """The units that have given their opinion on `step` since the dossier entered its state: who, and when."""
    given: dict[str, tuple[str, dt.datetime]] = {}
    for event, source, details, actor, at in db.session.execute(ROWS_INTO_STATE,
                                                                 {"dossier_id": dossier.id, "state": step.source}):
        if source != step.source:
            break  # the row that brought the dossier into the state: earlier opinions were set aside
        party = (details or {}).get("party")
        if event == step.event and party in step.parties:
            given.setdefault(party, (actor, at))
    return given


def awaited_after(actor: User, dossier: Dossier, step: Step) -> list[str]:
    """The parties whose opinion `step` still needs once `actor` has given theirs, in the file's order."""
    given = given_opinions(dossier, step)
    return [party for party in step.parties if party not in given and party != party_of(actor)]


def opinion_awaited_from(actor: User, steps: tuple[Step, ...], state: str):
    """The SQL criterion of the dossiers in `state` on which the actor's unit has not yet given its opinion on the
    steps of `steps` it takes with others from there: once it has, its part there is done (it leaves the unit's
    work queue), though it may still return or reject the dossier."""
    party = party_of(actor)
    joint = [step for step in steps if step.scope == EACH_PARTY and step.source == state and party in step.parties]
    if not joint:
        return true()
    entry = aliased(HistoryEntry)
    entered = (select(func.max(entry.seq))
               .where(entry.dossier_id == Dossier.id, entry.to_state == state, entry.from_state != state)
               .correlate(Dossier).scalar_subquery())
    given = (select(HistoryEntry.id)
             .where(HistoryEntry.dossier_id == Dossier.id, HistoryEntry.event.in_([step.event for step in joint]),
                    HistoryEntry.from_state == state, HistoryEntry.to_state == state, HistoryEntry.seq > entered,
                    HistoryEntry.details["party"].as_string() == party)
             .correlate(Dossier).exists())
    return ~given


def opinions(dossier: Dossier, steps: tuple[Step, ...]) -> list[Opinion]:
    """Each named unit's opinion on the each_party steps of `steps` leaving the dossier's state, given or awaited."""
    joint = [step for step in steps if step.scope == EACH_PARTY and step.source == dossier.state]
    if not joint:
        return []
    names = unit_names({party for step in joint for party in step.parties})
    result = []
    for step in joint:
        given = given_opinions(dossier, step)
        for party in step.parties:
            actor, at = given.get(party, (None, None))
            result.append(Opinion(step.event, party, names.get(party, party), actor, at))
    return result
