"""Operations on dossiers: each checks, changes, records and flushes; the caller commits once.

Checks run in the order API.md fixes: visibility, role, version, state, rules.
"""
from __future__ import annotations

import datetime as dt
import functools
import secrets
import uuid
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import Date, Insert, Integer, Update, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.attributes import set_committed_value

from workflow import eligibility, notices
from workflow.award_history import mark_revoked, record_conferral
from workflow.documents import DocumentStore, StoredFile
from workflow.dossier_fields import clean_details
from workflow.errors import (
    AlreadyVoted, Forbidden, GuardFailed, InvalidTransition, NotFound, RuleFailure, StaleVersion, ValidationFailed,
    VotingClosed,
)
from workflow.history import history_row
from workflow.honours import amend_honours_list
from workflow.nominees import nominee_for, registry_errors
from workflow.i18n import N_, Msg, today
from workflow.parties import awaited_after, party_names, party_of
from workflow.permissions import (
    can_see, holds, may_fire, may_vote, require, require_may_change_dossier, require_may_vote, takes,
)
from workflow.procedure import EFFECTS as EFFECT_NAMES
from workflow.procedure import EACH_PARTY, Procedure, Step, catalogue
from workflow.models import (
    MAX_ID, NAME_LENGTH, AwardType, Ballot, Campaign, DisclosureWindow, Document, Dossier, HistoryEntry, Revocation,
    User, VoteRecord, db, nominee_name_columns, utcnow,
)
from workflow.rules import (
    COUNCIL_MINUTES, DOCUMENT_KINDS, StepContext, Tally, ballot_counts, check_rules, has_conflict, has_voted,
    inactive_unit, tally, tally_fixed,
)
from workflow.signals import change_written
from workflow.text import display_name, name_key
from workflow.workdays import add_working_days

NOMINEE_FIELDS = ("kind", "name", "position", "workplace", "birth_year", "gender")
# The dossier's columns an edit writes.
CONTENT_COLUMNS = ("nominee_kind", "nominee_name", "nominee_name_key", "nominee_search", "nominee_position",
                   "nominee_workplace", "nominee_birth_year", "nominee_gender", "achievements", "details")


# Documents load when first used: most requests on a dossier (votes, most transitions) need none.
DOCUMENTS_WHEN_USED = (lazyload(Dossier.documents),)


def get_dossier(user: User, dossier_id: int) -> Dossier:
    dossier = db.session.get(Dossier, dossier_id, options=DOCUMENTS_WHEN_USED) if 0 < dossier_id <= MAX_ID else None
    if dossier is None or not can_see(user, dossier):
        raise NotFound(Msg(N_("No such dossier.")))
    return dossier


def _require_version(dossier: Dossier, version: int | None) -> None:
    if version is None:
        raise ValidationFailed(details=[{"field": "version", "message": Msg(N_("The dossier's version is required."))}])
    if version != dossier.version:
        raise StaleVersion(Msg(N_("The dossier is now at version %(current)d, not %(sent)d; reload it and try again."),
                               {"current": dossier.version, "sent": version}))


def _wait_for_latest(dossier: Dossier) -> None:
    """Lock the dossier's row and reload it, so that a change the client sends without a version (an upload,
    a removal) waits for a concurrent one to finish and applies on top of it instead of failing as stale."""
    db.session.execute(select(Dossier.id).where(Dossier.id == dossier.id).with_for_update())
    db.session.refresh(dossier)


def procedure_of(dossier: Dossier) -> Procedure:
    """The procedure version the dossier moves on: the one it was created under (the app refuses to start
    without the versions its running dossiers use)."""
    return catalogue().get(dossier.procedure, dossier.procedure_version)


def _require_editable(dossier: Dossier) -> None:
    if dossier.state not in procedure_of(dossier).editable_states:
        raise InvalidTransition(Msg(N_("The dossier can be changed only as a draft or when it is returned.")))


# The one write ----------------------------------------------------------------------------------

_dossiers = Dossier.__table__
_history = HistoryEntry.__table__
_HISTORY_COLUMNS = [column.name for column in _history.c if column.name != "id"]


@dataclass(frozen=True)
class _Statements:
    """The statements that write a change to some of the dossier's columns: the versioned UPDATE and the
    history row, and on PostgreSQL the same in one statement (one round trip), with the notices to each audience.
    The history row is inserted only if the versioned UPDATE matched, and the notices only if the history row was
    inserted. (SQLite has no UPDATE or INSERT inside WITH: there they are separate statements.)"""

    update: Update
    with_history: Insert
    with_notices: dict[str, Insert]


@functools.cache
def _statements(columns: tuple[str, ...]) -> _Statements:
    """Built once for each set of columns: an edit writes its own set, each kind of step its own."""
    update_row = (update(_dossiers)
                  .where(_dossiers.c.id == bindparam("dossier_id"),
                         _dossiers.c.version == bindparam("expected_version"))
                  .values({name: bindparam(name) for name in columns}))
    updated = update_row.returning(_dossiers.c.id).cte("updated_dossier")
    with_history = insert(_history).from_select(_HISTORY_COLUMNS, select(
        *[bindparam(f"history_{name}", type_=_history.c[name].type) for name in _HISTORY_COLUMNS],
    ).select_from(updated)).returning(_history.c.id)
    history_row_written = with_history.cte("history_row")
    return _Statements(update_row, with_history, {
        group: notices.transition_notices_statement(group, after=history_row_written) for group in notices.AUDIENCES})


INSERT_HISTORY = insert(_history)


def write_change(actor: User, dossier: Dossier, event: str, state: str, changes: dict, details: dict,
                 comment: str | None = None, step: Step | None = None) -> None:
    """Write a change to the dossier, an edit, a document or a step, which leaves it in `state` with its row
    changed by `changes`: the dossier's versioned UPDATE, its history row (`event`, `details`, `comment`) and,
    when `step` has an audience, its notices. A dossier no longer at the version it was read at (another writer
    got there first) writes none of them: StaleVersion.

    The writes go straight to the tables, with no unit-of-work flush; the loaded dossier is brought up to date
    as if it had been read back.
    """
    changes = {**changes, "state": state, "updated_at": utcnow()}
    entry = history_row(dossier, event, dossier.state, state, actor, comment, details, changes)
    changes.update(version=dossier.version + 1, history_head=entry["hash"])
    statements = _statements(tuple(sorted(changes)))
    row = {**changes, "dossier_id": dossier.id, "expected_version": dossier.version}
    group = step.notify if step is not None else None
    if db.session.get_bind().dialect.name != "postgresql":
        if db.session.execute(statements.update, row).rowcount != 1:
            raise StaleVersion()
        db.session.execute(INSERT_HISTORY, entry)
        if group is not None:
            notices.write_transition_notices(dossier, step, entry["seq"], comment, changes)
    elif group is None:
        params = {**row, **{f"history_{name}": value for name, value in entry.items()}}
        if db.session.execute(statements.with_history, params).first() is None:
            raise StaleVersion()
    else:
        params = {**row, **{f"history_{name}": value for name, value in entry.items()},
                  **notices.transition_notice_values(dossier, step, entry["seq"], comment, changes)}
        ids = list(db.session.scalars(statements.with_notices[group], params))
        if not ids and db.session.scalar(select(_dossiers.c.history_head).where(_dossiers.c.id == dossier.id)) \
                != entry["hash"]:
            raise StaleVersion()  # no notices, as the audience may be empty: the head tells whether it was written
        notices.note_written(ids)
    for name, value in changes.items():
        set_committed_value(dossier, name, value)
    change_written.send(db.session(), event=event, from_state=entry["from_state"], to_state=state)


# Content ----------------------------------------------------------------------------------------

def nominee_errors(award_type: AwardType, nominee: dict) -> list[dict]:
    errors = []
    kind = nominee.get("kind")
    if award_type.subject != "any" and kind != award_type.subject:
        errors.append({"field": "nominee.kind", "message": Msg(
            N_("“%(award_type)s” is awarded only to a %(subject)s."),
            {"award_type": award_type.name,
             "subject": Msg(N_("collective") if award_type.subject == "collective" else N_("individual"))})})
    if not (nominee.get("name") or "").strip():
        errors.append({"field": "nominee.name", "message": Msg(N_("The nominee's name is required."))})
    stored = {"name": display_name(nominee.get("name") or ""), "position": nominee.get("position") or "",
              "workplace": nominee.get("workplace") or ""}
    for field, value in stored.items():
        if len(value) > NAME_LENGTH:
            errors.append({"field": f"nominee.{field}", "message": Msg(N_("At most %(limit)d characters."),
                                                                      {"limit": NAME_LENGTH})})
    year = nominee.get("birth_year")
    if year is not None and not (1900 <= year <= today().year):
        errors.append({"field": "nominee.birth_year", "message": Msg(N_("The year of birth is not plausible."))})
    return errors


def _identity(nominee: dict) -> tuple:
    """What tells one nominee from another among a unit's entries."""
    return nominee["kind"], name_key(nominee["name"] or ""), nominee["birth_year"]


def _nominee_columns(nominee: dict) -> dict:
    """The dossier's columns the given nominee fields are kept in."""
    columns = nominee_name_columns(nominee["name"]) if "name" in nominee else {}
    columns.update({f"nominee_{field}": nominee[field] for field in NOMINEE_FIELDS
                    if field != "name" and field in nominee})
    return columns


def creation_target(actor: User, campaign_code: str,
                    award_type_code: str) -> tuple[Campaign | None, AwardType | None, list[dict]]:
    """The open campaign and active award type a submitter's new dossiers go to, and what is wrong with them."""
    require(actor, "nominate")
    refusal = inactive_unit(actor.unit)
    if refusal is not None:
        raise GuardFailed([RuleFailure("unit_active", refusal)])
    campaign = db.session.scalar(select(Campaign).where(Campaign.code == campaign_code))
    award_type = db.session.scalar(select(AwardType).where(AwardType.code == award_type_code,
                                                           AwardType.active.is_(True)))
    errors = []
    if campaign is None:
        errors.append({"field": "campaign", "message": Msg(N_("No such campaign."))})
    elif not campaign.is_open:
        errors.append({"field": "campaign", "message": Msg(
            N_("The campaign “%(campaign)s” is closed."), {"campaign": campaign.name})})
    if award_type is None:
        errors.append({"field": "award_type", "message": Msg(N_("No such award type."))})
    elif award_type.procedure not in catalogue().latest:
        errors.append({"field": "award_type", "message": Msg(
            N_("“%(award_type)s” follows the procedure “%(procedure)s”, which is not installed; ask the office."),
            {"award_type": award_type.name, "procedure": award_type.procedure})})
    return campaign, award_type, errors


def create_dossier(actor: User, campaign_code: str, award_type_code: str, nominee: dict,
                   achievements: str = "", details: dict | None = None, nominee_id: int | None = None,
                   new_entry: bool = False) -> Dossier:
    """A draft for the actor's unit; `details` are the values of the fields its procedure asks for. It refers to
    the registry entry `nominee_id` if given, else (unless `new_entry` is asked for) to the one that fits the
    nominee exactly, else to a new one."""
    campaign, award_type, errors = creation_target(actor, campaign_code, award_type_code)
    procedure = cleaned = None
    errors.extend(registry_errors(nominee))
    if award_type is not None:
        errors.extend(nominee_errors(award_type, nominee))
        if award_type.procedure in catalogue().latest:
            procedure = catalogue().current(award_type.procedure)
            cleaned, problems = clean_details(procedure, details)
            errors.extend(problems)
    if errors:
        raise ValidationFailed(details=errors)
    entry = nominee_for(actor, actor.unit_id, nominee, nominee_id, new_entry)
    dossier = Dossier(campaign=campaign, award_type=award_type, unit_id=actor.unit_id, achievements=achievements,
                      nominee_id=entry.id, created_by_id=actor.id, procedure=procedure.code,
                      procedure_version=procedure.version, state=procedure.initial, details=cleaned,
                      **_nominee_columns(nominee))
    db.session.add(dossier)
    db.session.flush()
    return dossier


def edit_dossier(actor: User, dossier: Dossier, version: int | None, nominee: dict | None = None,
                 achievements: str | None = None, details: dict | None = None) -> Dossier:
    """Change the nominee, the achievements or the values of the procedure's fields (those in `details`)."""
    require_may_change_dossier(actor, dossier)
    _require_version(dossier, version)
    _require_editable(dossier)
    merged = {field: getattr(dossier, f"nominee_{field}") for field in NOMINEE_FIELDS} | (nominee or {})
    errors = nominee_errors(dossier.award_type, merged)
    cleaned, problems = clean_details(procedure_of(dossier), details, dossier.details)
    errors.extend(problems)
    if errors:
        raise ValidationFailed(details=errors)
    changed = sorted((nominee or {}).keys()) + [f"details.{name}" for name in sorted(details or {})]
    # Every content column is written, changed or not: one statement serves every edit that keeps its nominee.
    changes = {name: getattr(dossier, name) for name in CONTENT_COLUMNS} | _nominee_columns(nominee or {})
    changes["details"] = cleaned
    if _identity(merged) != _identity({field: getattr(dossier, f"nominee_{field}") for field in NOMINEE_FIELDS}):
        # Another nominee now: the dossier refers to the entry that fits, or a new one.
        changes["nominee_id"] = nominee_for(actor, dossier.unit_id, merged).id
    if achievements is not None:
        changes["achievements"] = achievements
        changed.append("achievements")
    write_change(actor, dossier, "edit", dossier.state, changes, {"fields": changed})
    return dossier


def add_document(actor: User, dossier: Dossier, kind: str, filename: str, data: bytes | BinaryIO,
                 store: DocumentStore) -> Document:
    require_may_change_dossier(actor, dossier)
    _wait_for_latest(dossier)
    _require_editable(dossier)
    if kind not in DOCUMENT_KINDS:
        raise ValidationFailed(details=[{"field": "kind", "message": Msg(
            N_("Unknown document kind; use one of: %(kinds)s."), {"kinds": ", ".join(DOCUMENT_KINDS)})}])
    if len(dossier.documents) >= store.max_per_dossier:
        raise ValidationFailed(details=[{"field": "file", "message": Msg(
            N_("A dossier holds at most %(limit)d documents; remove one before adding another."),
            {"limit": store.max_per_dossier})}])
    stored = store.save(db.session, filename, data)
    document = Document(kind=kind, filename=stored.filename, storage_name=stored.storage_name,
                        content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
                        uploaded_by_id=actor.id)
    dossier.documents.append(document)
    db.session.flush()
    write_change(actor, dossier, "add_document", dossier.state, {},
                 {"kind": kind, "filename": stored.filename, "sha256": stored.sha256})
    return document


def replace_document(actor: User, dossier: Dossier, document_id: int, filename: str, data: bytes,
                     store: DocumentStore) -> Document:
    """Put a new file in place of a document, of the same kind (what a return asked to replace): one history row
    names both files; the old file goes once the replacement has committed."""
    old = get_document(dossier, document_id)
    require_may_change_dossier(actor, dossier)
    if old.kind == COUNCIL_MINUTES:
        raise Forbidden(Msg(N_("The minutes of the council session are part of the dossier's record: "
                               "they cannot be removed.")))
    _wait_for_latest(dossier)
    old = get_document(dossier, document_id)
    _require_editable(dossier)
    stored = store.save(db.session, filename, data)
    document = Document(kind=old.kind, filename=stored.filename, storage_name=stored.storage_name,
                        content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
                        uploaded_by_id=actor.id)
    dossier.documents.remove(old)
    dossier.documents.append(document)
    db.session.flush()
    store.discard_after_commit(db.session, old.storage_name)
    write_change(actor, dossier, "replace_document", dossier.state, {},
                 {"kind": old.kind, "filename": stored.filename, "sha256": stored.sha256,
                  "replaced": old.filename, "replaced_sha256": old.sha256})
    return document


def get_document(dossier: Dossier, document_id: int) -> Document:
    for document in dossier.documents:
        if document.id == document_id:
            return document
    raise NotFound(Msg(N_("No such document.")))


def attach_generated(actor: User, dossier: Dossier, kind: str, files: list[StoredFile], details: dict) -> None:
    """Attach files the application made (the council's minutes), stored once for many dossiers: a document and,
    as for an upload, a history row for each, whatever the dossier's state."""
    for stored in files:
        db.session.add(Document(dossier=dossier, kind=kind, filename=stored.filename,
                                storage_name=stored.storage_name, content_type=stored.content_type,
                                size=stored.size, sha256=stored.sha256))
        write_change(actor, dossier, "add_document", dossier.state, {},
                     {"kind": kind, "filename": stored.filename, "sha256": stored.sha256, **details})


def remove_document(actor: User, dossier: Dossier, document_id: int, store: DocumentStore) -> None:
    requested = get_document(dossier, document_id)
    require_may_change_dossier(actor, dossier)
    if requested.kind == COUNCIL_MINUTES:
        raise Forbidden(Msg(N_("The minutes of the council session are part of the dossier's record: "
                               "they cannot be removed.")))
    _wait_for_latest(dossier)
    document = get_document(dossier, document_id)  # a concurrent request may have removed it meanwhile
    _require_editable(dossier)
    dossier.documents.remove(document)
    db.session.flush()
    store.discard_after_commit(db.session, document.storage_name)
    write_change(actor, dossier, "remove_document", dossier.state, {},
                 {"kind": document.kind, "filename": document.filename, "sha256": document.sha256})


# Transitions ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EventInput:
    comment: str | None = None
    due_date: dt.date | None = None
    decision_number: str | None = None
    decision_date: dt.date | None = None
    date: dt.date | None = None
    # The kinds of document a return asks the unit to supply or replace (its reasons per document).
    documents: tuple[str, ...] = ()


_award_types = AwardType.__table__
LOCK_AWARD_TYPE = (select(_award_types.c.id).where(_award_types.c.id == bindparam("award_type_id"))
                   .with_for_update())


def fire_event(actor: User, dossier: Dossier, event: str, version: int | None,
               data: EventInput = EventInput()) -> Dossier:
    procedure = procedure_of(dossier)
    step = check_step(actor, dossier, event, version, data, dossier.state, procedure)
    if step.scope == EACH_PARTY and awaited_after(actor, dossier, step):
        return give_opinion(actor, dossier, step, data)
    return write_step(actor, dossier, step, data, procedure.next_state(dossier.state, event))


def give_opinion(actor: User, dossier: Dossier, step: Step, data: EventInput) -> Dossier:
    """Record the actor's unit's opinion on a step the named units take together, while others are still awaited:
    a history row with the opinion's comment, the dossier staying where it is."""
    write_change(actor, dossier, step.event, dossier.state, {}, _actor_details(actor, dossier, step),
                 (data.comment or "").strip() or None)
    return dossier


def _actor_details(actor: User, dossier: Dossier, step: Step) -> dict:
    """What a history row records of who fired the step: the unit spoken for, a flagged conflict of interest."""
    details = {"party": party_of(actor)} if step.parties else {}
    if "conflict_of_interest" in step.rules and has_conflict(actor, dossier):
        details["conflict_of_interest"] = True  # only reachable when the policy flags instead of refusing
    return details


# The rules whose counts a concurrent submission could make wrong: steps with them are serialised per award type.
COUNTING_RULES = frozenset({"quota", "duplicate_nominee"})


def check_step(actor: User, dossier: Dossier, event: str, version: int | None, data: EventInput,
               state: str, procedure: Procedure | None = None) -> Step:
    """The step `event` takes from `state`, once the actor may take it and its rules allow it."""
    procedure = procedure or procedure_of(dossier)
    steps = [step for step in procedure.steps if step.event == event]
    if not steps:
        raise ValidationFailed(details=[{"field": "event", "message": Msg(N_("Unknown event “%(event)s”."),
                                                                           {"event": event})}])
    if not any(may_fire(actor, step, dossier) for step in steps):
        _refuse_non_party(actor, steps, procedure.event_label(event))
        raise Forbidden(Msg(N_("Your role does not allow “%(event)s” on this dossier."),
                            {"event": Msg(procedure.event_label(event))}))
    _require_version(dossier, version)
    step = procedure.step_by_event_and_source.get((event, state))
    if step is None or not may_fire(actor, step, dossier):
        raise InvalidTransition(Msg(N_("“%(event)s” is not possible while the dossier is “%(state)s”."),
                                    {"event": Msg(_action_label(actor, steps, procedure)),
                                     "state": Msg(procedure.state_label(state))}))
    if COUNTING_RULES.intersection(step.rules):
        # Serialise submissions per award type so that quota and duplicate counts stay true.
        db.session.execute(LOCK_AWARD_TYPE, {"award_type_id": dossier.award_type_id})
    ctx = StepContext(actor=actor, dossier=dossier, step=step, comment=data.comment, due_date=data.due_date,
                      decision_number=data.decision_number, decision_date=data.decision_date, date=data.date,
                      today=today())
    failures = check_rules(ctx)
    if failures:
        raise GuardFailed(failures)
    return step


def _action_label(actor: User, steps: list[Step], procedure: Procedure) -> str:
    """What the actor calls the event of `steps`: the label of the steps their role takes where these agree (the
    chair's refusal is "Không phê duyệt" where the appraiser's is "Không đề nghị"), else the event's."""
    labels = {procedure.step_label(step) for step in steps if takes(actor, step)}
    return labels.pop() if len(labels) == 1 else procedure.event_label(steps[0].event)


def _refuse_non_party(actor: User, steps: list[Step], event_label: str) -> None:
    """Refuse a holder of the role of a step that only named units take, whose unit is not one of them."""
    parties = [party for step in steps if step.parties and takes(actor, step) for party in step.parties]
    if parties:
        message = Msg(N_("Only %(units)s take “%(event)s” on this dossier; your unit is not one of them."),
                      {"units": party_names(dict.fromkeys(parties)), "event": Msg(event_label)})
        raise Forbidden(message, details=[{"rule": "not_a_party", "message": message}])


def write_step(actor: User, dossier: Dossier, step: Step, data: EventInput, state: str) -> Dossier:
    """Write the step, which brings the dossier to `state`, through `write_change`, once its effects have said
    what else it changes. A step out of a state a finalised honours list shows amends the list."""
    changes: dict = {}
    details = _actor_details(actor, dossier, step)
    for effect, params in step.effects:
        EFFECTS[effect](dossier, data, dict(params), changes, details)
    if data.documents and any(item.per_document for item in step.inputs):
        details["documents"] = [kind for kind in DOCUMENT_KINDS if kind in data.documents]
    write_change(actor, dossier, step.event, state, changes, details, (data.comment or "").strip() or None, step)
    if "earlier_vote" in details:
        db.session.execute(delete(_ballots).where(_ballots.c.dossier_id == dossier.id))
        db.session.execute(delete(_vote_records).where(_vote_records.c.dossier_id == dossier.id))
    if "disclosure_ends_on" in details:
        db.session.add(DisclosureWindow(dossier_id=dossier.id, opened_by_id=actor.id,
                                        ends_on=dt.date.fromisoformat(details["disclosure_ends_on"])))
        db.session.flush()
    if "decision" in details:
        record_conferral(actor, dossier, details["decision"]["number"], data.decision_date)
    if "revocation" in details:
        mark_revoked(dossier, details["revocation"]["number"], data.decision_date)
        db.session.add(Revocation(dossier_id=dossier.id, decision_number=details["revocation"]["number"],
                                  decision_date=data.decision_date, reason=(data.comment or "").strip(),
                                  recorded_by_id=actor.id))
        db.session.flush()
    if step.source in procedure_of(dossier).listed_states:
        amend_honours_list(actor, dossier)
    return dossier


# The effects a procedure's step may declare (workflow.procedure.EFFECTS): each sets the dossier's `changes`
# and the history row's `details`.

def _mark_submitted(dossier: Dossier, data: EventInput, params: dict, changes: dict, details: dict) -> None:
    changes.update(ever_submitted=True, due_date=None)


def default_due_date(step: Step) -> dt.date | None:
    """The due date a step sets when none is given: its working days ahead, holidays excluded."""
    params = step.effect("set_due_date")
    return add_working_days(today(), params["working_days"]) if params else None


def _set_due_date(dossier: Dossier, data: EventInput, params: dict, changes: dict, details: dict) -> None:
    changes["due_date"] = data.due_date or add_working_days(today(), params["working_days"])
    details["due_date"] = changes["due_date"].isoformat()


def _record_decision(dossier: Dossier, data: EventInput, params: dict, changes: dict, details: dict) -> None:
    changes.update(decision_number=data.decision_number.strip(), decision_date=data.decision_date)
    details["decision"] = {"number": changes["decision_number"], "date": data.decision_date.isoformat()}


def _record_revocation(dossier: Dossier, data: EventInput, params: dict, changes: dict, details: dict) -> None:
    """The revoking decision goes to the history row and (`write_step`) its own record; the dossier keeps the
    decision that conferred the award."""
    details["revocation"] = {"number": data.decision_number.strip(), "date": data.decision_date.isoformat()}


def _reset_vote(dossier: Dossier, data: EventInput, params: dict, changes: dict, details: dict) -> None:
    """Back in council review after a return, the dossier has changed: the council votes afresh (`write_step`
    deletes the ballots), and the history keeps the count of the earlier vote."""
    earlier = earlier_vote(dossier)
    if earlier is not None:
        details["earlier_vote"] = earlier


def _open_disclosure(dossier: Dossier, data: EventInput, params: dict, changes: dict, details: dict) -> None:
    """The window's last day is the award type's `disclosure_days`-th working day after today (`write_step` keeps
    the window)."""
    details["disclosure_ends_on"] = add_working_days(today(), dossier.award_type.disclosure_days).isoformat()


def _record_date(dossier: Dossier, data: EventInput, params: dict, changes: dict, details: dict) -> None:
    changes["details"] = {**dossier.details, params["field"]: data.date.isoformat()}
    details["date"] = {"field": params["field"], "date": data.date.isoformat()}


EFFECTS = {"mark_submitted": _mark_submitted, "set_due_date": _set_due_date, "record_decision": _record_decision,
           "reset_vote": _reset_vote, "record_date": _record_date, "open_disclosure": _open_disclosure,
           "record_revocation": _record_revocation}
if set(EFFECTS) != set(EFFECT_NAMES):
    raise RuntimeError(f"effects out of step with workflow.procedure.EFFECTS: {set(EFFECTS) ^ set(EFFECT_NAMES)}")


def earlier_vote(dossier: Dossier) -> dict | None:
    """The count of a vote the council held on the dossier before it was returned, if there was one."""
    members, agree, disagree, abstain = ballot_counts(dossier)
    if not agree + disagree + abstain:
        return None
    return {"members": members, "agree": agree, "disagree": disagree, "abstain": abstain}


def available_steps(actor: User, dossier: Dossier) -> list[tuple[Step, list[RuleFailure]]]:
    """The steps this user could take now, each with the rules that would refuse it (for the pages)."""
    result = []
    for step in procedure_of(dossier).steps:
        if step.source == dossier.state and may_fire(actor, step, dossier):
            ctx = StepContext(actor=actor, dossier=dossier, step=step, today=today())
            result.append((step, check_rules(ctx, inputs=False)))
    return result


# Eligibility ------------------------------------------------------------------------------------

def override_warning(actor: User, dossier: Dossier, rule_id: int | None, reason: str | None,
                     version: int | None) -> eligibility.Finding:
    """Override the warning of the eligibility rule `rule_id` the dossier does not meet, for `reason`: a history row
    (the reason its comment, the rule, its legal text and the evidence its details); the warning then shows as
    overridden. A refusal cannot be overridden, nor a warning twice."""
    require(actor, "override_eligibility")
    _require_version(dossier, version)
    reason = (reason or "").strip()
    errors = []
    if not reason:
        errors.append({"field": "reason", "message": Msg(N_("A reason is required."))})
    warning = next((finding for finding in eligibility.findings(dossier)
                    if finding.rule.id == rule_id and not finding.refuses), None)
    if warning is None:
        errors.append({"field": "rule", "message": Msg(N_("The dossier has no such eligibility warning."))})
    elif warning.override is not None:
        errors.append({"field": "rule", "message": Msg(N_("This warning was already overridden."))})
    if errors:
        raise ValidationFailed(details=errors)
    details = {"eligibility_rule": warning.rule.id, "legal_basis": warning.citation, "evidence": warning.evidence}
    write_change(actor, dossier, eligibility.OVERRIDE_EVENT, dossier.state, {}, details, reason)
    return warning


# Votes ------------------------------------------------------------------------------------------

_ballots = Ballot.__table__
_vote_records = VoteRecord.__table__


def _record_voter(insert_for_dialect):
    """Built once, as a vote is the commonest write of the council's meeting: the voter is recorded only
    while the dossier is in a voting state of its procedure, under the dossier's row lock, which orders the votes on it
    and keeps a transition from slipping in between; a second vote by the same member records nothing."""
    return insert_for_dialect(_vote_records).from_select(
        ["dossier_id", "user_id", "cast_on"],
        select(_dossiers.c.id, bindparam("user_id", type_=Integer), bindparam("cast_on", type_=Date))
        .where(_dossiers.c.id == bindparam("dossier_id"),
               _dossiers.c.state.in_(bindparam("voting_states", expanding=True))).with_for_update(),
    ).on_conflict_do_nothing().returning(_vote_records.c.dossier_id)


RECORD_VOTER = _record_voter(sqlite.insert)
TAKE_BALLOTS = delete(_ballots).where(_ballots.c.dossier_id == bindparam("dossier_id")).returning(_ballots.c.agree)
# PostgreSQL records the voter and takes the ballots out in one statement (one round trip): whether the
# voter was recorded, and the ballots taken, which are none unless the voter was.
_recorded_voter = _record_voter(postgresql.insert).cte("recorded_voter")
_taken_ballots = (delete(_ballots).where(_ballots.c.dossier_id.in_(select(_recorded_voter.c.dossier_id)))
                  .returning(_ballots.c.agree).cte("taken_ballots"))
RECORD_VOTER_TAKING_BALLOTS = select(select(func.count()).select_from(_recorded_voter).scalar_subquery(),
                                     select(func.array_agg(_taken_ballots.c.agree)).scalar_subquery())
PUT_BALLOTS = insert(_ballots)


# What a member may choose, and the ballot it puts in the box.
VOTE_CHOICES = {"agree": True, "disagree": False, "abstain": None}


def cast_vote(actor: User, dossier: Dossier, agree: bool | None) -> None:
    """Cast the actor's secret vote: agree (True), disagree (False) or abstain (None)."""
    require_may_vote(actor)
    if has_conflict(actor, dossier):
        raise GuardFailed([RuleFailure("conflict_of_interest", Msg(
            N_("You cannot vote on a dossier nominated by your own unit (conflict of interest).")))])
    ballots = _record_voter_taking_ballots(dossier, actor)
    if ballots is None:
        state = db.session.scalar(select(_dossiers.c.state).where(_dossiers.c.id == dossier.id))
        raise VotingClosed() if state not in procedure_of(dossier).voting_states else AlreadyVoted()
    # Asked under the dossier's row lock, which a session's closing holds while it fixes the tallies: a vote that
    # waited for a closing sees it closed.
    if tally_fixed(dossier):
        raise VotingClosed(Msg(N_("The council session that voted on this dossier is closed: its tally is fixed.")))
    _reseal_ballot_box(dossier, ballots, agree)


def _record_voter_taking_ballots(dossier: Dossier, voter: User) -> list[bool | None] | None:
    """Record that `voter` has voted and take the dossier's ballots out; None if the vote cannot be recorded
    (the dossier is not in a voting state, or the voter has already voted)."""
    params = {"dossier_id": dossier.id, "user_id": voter.id, "cast_on": today(),
              "voting_states": sorted(procedure_of(dossier).voting_states)}
    if db.session.get_bind().dialect.name == "postgresql":
        recorded, ballots = db.session.execute(RECORD_VOTER_TAKING_BALLOTS, params).one()
        return list(ballots or []) if recorded else None
    if db.session.execute(RECORD_VOTER, params).first() is None:
        return None
    return list(db.session.scalars(TAKE_BALLOTS, params))


def _reseal_ballot_box(dossier: Dossier, ballots: list[bool | None], agree: bool | None) -> None:
    """Add the ballot by writing the dossier's ballots, taken out in this transaction, back shuffled.

    A ballot inserted on its own would sit next to its voter's record in the database: written
    by the same transaction (PostgreSQL's xmin) and in the same order (row order, dumps). After a
    rewrite every ballot carries the latest voter's transaction and a random place.
    """
    choices = [*ballots, agree]
    secrets.SystemRandom().shuffle(choices)
    db.session.execute(PUT_BALLOTS, [{"id": str(uuid.uuid4()), "dossier_id": dossier.id, "agree": choice}
                                     for choice in choices])


def tally_withheld(actor: User, dossier: Dossier) -> bool:
    """Whether the dossier's tally is kept from the actor until they cast their own vote on it."""
    return (may_vote(actor) and not holds(actor, "see_tally_before_voting")
            and dossier.state in procedure_of(dossier).voting_states
            and not has_voted(actor, dossier) and not tally_fixed(dossier))


def get_tally(actor: User, dossier: Dossier) -> Tally:
    require(actor, "see_tally")
    if tally_withheld(actor, dossier):
        raise Forbidden(Msg(N_("Cast your own vote first: a member of the council sees the tally once they have "
                               "voted.")))
    return tally(dossier)

