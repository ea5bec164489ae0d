"""Read-only views of the dossiers for the pages: search, work queues, history, dashboard figures."""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import lazyload, selectinload

from workflow.definition import CONTENT_EVENT_LABELS
from workflow.i18n import N_, today
from workflow.models import (
    AwardForm, AwardType, Campaign, Dossier, HistoryEntry, Issuer, Revocation, Unit, User, VoteRecord, db,
)
from workflow.parties import opinion_awaited_from
from workflow.text import search_key
from workflow.permissions import holds, may_fire_where, takes, visible_dossiers
from workflow.procedure import VOTE_RULES, Procedure, catalogue
from workflow.procedure_use import in_states
from workflow.rules import has_conflict

# Each order over the dossier's columns, or those of a selection of them (`columns.id`, ...).
SORTS = {
    "updated": lambda columns: (columns.updated_at.desc(), columns.id.desc()),
    "name": lambda columns: (columns.nominee_search.asc(), columns.id.asc()),
    "state": lambda columns: (columns.state.asc(), columns.id.asc()),
    "due": lambda columns: (columns.due_date.asc().nulls_last(), columns.id.asc()),
    "created": lambda columns: (columns.created_at.desc(), columns.id.desc()),
}
SORT_COLUMNS = (Dossier.id, Dossier.updated_at, Dossier.nominee_search, Dossier.state, Dossier.due_date,
                Dossier.created_at)
MAX_PER_PAGE = 200
# The dashboard lists this many overdue returns; the dossier list shows them all, by due date.
OVERDUE_SHOWN = 50


@dataclass(frozen=True)
class DossierFilter:
    campaign: str | None = None
    state: str | None = None
    unit: str | None = None
    award_type: str | None = None
    text: str | None = None
    sort: str = "updated"
    page: int = 1
    per_page: int = 50


def search_dossiers(user: User, criteria: DossierFilter, with_documents: bool = True) -> tuple[list[Dossier], int]:
    """The dossiers `user` may see that match, one page of them, and how many match in all.

    The name search ignores diacritics and case: "nguyen thi" finds "Nguyễn Thị". A list that
    shows no documents asks for the dossiers without them.
    """
    statement = visible_dossiers(user)
    if criteria.campaign:
        statement = statement.where(Dossier.campaign_id == select(Campaign.id).where(
            Campaign.code == criteria.campaign).scalar_subquery())
    if criteria.award_type:
        statement = statement.where(Dossier.award_type_id == select(AwardType.id).where(
            AwardType.code == criteria.award_type).scalar_subquery())
    if criteria.unit:
        statement = statement.where(Dossier.unit_id == select(Unit.id).where(
            Unit.code == criteria.unit).scalar_subquery())
    if criteria.state in catalogue().states:
        statement = statement.where(Dossier.state == criteria.state)
    key = search_key(criteria.text or "")
    if key:
        escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(Dossier.nominee_search.like(f"%{escaped}%", escape="\\"))
    per_page = max(1, min(criteria.per_page, MAX_PER_PAGE))
    offset = (max(1, criteria.page) - 1) * per_page
    order = SORTS.get(criteria.sort, SORTS["updated"])
    loading = () if with_documents else (lazyload(Dossier.documents),)
    if key:
        page = _page_of_matches(statement, order, per_page, offset).options(*loading)
        rows = db.session.execute(page).unique().all()
        if rows:
            return [dossier for dossier, _ in rows], rows[0].total
        return [], _count(statement)
    page = statement.order_by(*order(Dossier)).limit(per_page).offset(offset).options(*loading)
    return list(db.session.scalars(page).unique()), _count(statement)


def _count(statement) -> int:
    return db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))


def _page_of_matches(statement, order, limit: int, offset: int):
    """One page of a name search and the number of matches: (dossier, total) rows.

    The matches come first (through the trigram index), then their order. Left to itself,
    PostgreSQL pages a search sorted by name by walking the name index in order and skipping what
    does not match, which reads most of the table when the matches sort late ("nguyen ..."):
    250 ms at 100,000 dossiers. The same pass over the matches counts them.
    """
    matches = (statement.with_only_columns(*SORT_COLUMNS).cte("matches")
               .prefix_with("MATERIALIZED", dialect="postgresql"))
    page = (select(matches, func.count().over().label("total")).order_by(*order(matches.c))
            .limit(limit).offset(offset).subquery("page"))
    return select(Dossier, page.c.total).join(page, page.c.id == Dossier.id).order_by(*order(page.c))


def history_of(dossier: Dossier) -> list[HistoryEntry]:
    return list(db.session.scalars(select(HistoryEntry).where(HistoryEntry.dossier_id == dossier.id)
                                   .order_by(HistoryEntry.seq)))


def revocation_of(dossier: Dossier) -> Revocation | None:
    """The decision that revoked the dossier's award, if it was revoked (the decision conferring it stays on the
    dossier)."""
    if dossier.state not in catalogue().states_of(dossier.procedure, "revoked_states"):
        return None
    return db.session.scalar(select(Revocation).where(Revocation.dossier_id == dossier.id))


def actor_names(rows: list[HistoryEntry]) -> dict[str, str]:
    """The people named in history rows, by username: their full names where known."""
    usernames = {row.actor_username for row in rows}
    users = db.session.scalars(select(User).where(User.username.in_(usernames))) if usernames else []
    return {user.username: user.display_name for user in users}


def last_return(dossier: Dossier) -> HistoryEntry | None:
    """The latest return of the dossier (a step that set a due date): what was asked, by whom, and the due date."""
    return db.session.scalars(select(HistoryEntry).where(HistoryEntry.dossier_id == dossier.id,
                                                         HistoryEntry.event.in_(sorted(catalogue().union("due_events"))))
                              .order_by(HistoryEntry.seq.desc()).limit(1)).first()


def returns_of(dossiers: list[Dossier]) -> dict[int, HistoryEntry]:
    """The latest return of each of `dossiers`, by dossier id."""
    ids = [d.id for d in dossiers]
    if not ids:
        return {}
    rows = db.session.scalars(select(HistoryEntry).where(HistoryEntry.dossier_id.in_(ids),
                                                         HistoryEntry.event.in_(sorted(catalogue().union("due_events"))))
                              .order_by(HistoryEntry.seq))
    return {row.dossier_id: row for row in rows}


# The council's vote is no step of a procedure (it is taken while the dossier waits in a voting state and
# moves nothing): its queue is the one not derived from the procedure's steps.
VOTING_QUEUE = "voting"


@dataclass(frozen=True)
class WorkQueue:
    code: str
    label: str  # English, the message id the pages translate (a procedure's queues with the file's labels)
    dossiers: list[Dossier]
    with_tally: bool = False  # its steps decide on the council's vote


def _queue(statement, limit: int = 200) -> list[Dossier]:
    """The soonest due first (only returned dossiers have a due date), then those waiting longest."""
    return list(db.session.scalars(statement.order_by(Dossier.due_date.asc().nulls_last(), Dossier.updated_at.asc(),
                                                      Dossier.id.asc()).limit(limit)).unique())


def work_queues(user: User) -> list[WorkQueue]:
    """What waits for this person, queue by queue: those the loaded procedures give the person's role, each
    holding the dossiers in the `from` states of its steps that the person may take, then the vote."""
    criteria: dict[str, dict[tuple, object]] = {}
    labels: dict[str, str] = {}
    tallied = set()
    # The newest version of each procedure first: its queues, their order and labels lead.
    for procedure in sorted(catalogue(), key=lambda p: (p.code, -p.version)):
        for queue, steps in procedure.queue_steps().items():
            for step in (step for step in steps if takes(user, step)):
                labels.setdefault(queue, procedure.queue_label(queue))
                key = (procedure.code, procedure.version, step.source, step.scope, step.parties)
                criteria.setdefault(queue, {}).setdefault(key, and_(
                    Dossier.procedure == procedure.code, Dossier.procedure_version == procedure.version,
                    Dossier.state == step.source, may_fire_where(user, step),
                    opinion_awaited_from(user, procedure.steps, step.source)))
                if VOTE_RULES & set(step.rules):
                    tallied.add(queue)
    visible = visible_dossiers(user)
    queues = [WorkQueue(queue, labels[queue], _queue(visible.where(or_(*where.values()))),
                        queue in tallied) for queue, where in criteria.items()]
    if holds(user, "vote"):
        # NOT EXISTS, an anti-join on the unique (dossier, voter) index: NOT IN would read every vote of the member.
        voted = exists().where(VoteRecord.dossier_id == Dossier.id, VoteRecord.user_id == user.id)
        open_for_vote = _queue(visible.where(in_states("voting_states"), ~voted))
        queues.append(WorkQueue(VOTING_QUEUE, N_("Open for your vote"),
                                [d for d in open_for_vote if not has_conflict(user, d)]))
    return queues


def next_in_queue(user: User, dossier_id: int) -> Dossier | None:
    """The dossier after `dossier_id` in the person's work queue that holds it (the queue's first when it is the
    last); when no queue holds it, the first dossier waiting for the person. None when nothing else waits."""
    queues = [queue.dossiers for queue in work_queues(user) if queue.dossiers]
    for dossiers in queues:
        ids = [d.id for d in dossiers]
        if dossier_id in ids:
            others = dossiers[ids.index(dossier_id) + 1:] + dossiers[:ids.index(dossier_id)]
            if others:
                return others[0]
    return next((d for dossiers in queues for d in dossiers if d.id != dossier_id), None)


# What a page shows of the changes made to a dossier's content (edits and documents), not of its steps.
CONTENT_EVENTS = tuple(CONTENT_EVENT_LABELS)
DOCUMENT_EVENTS = ("add_document", "replace_document")


@dataclass(frozen=True)
class ReturnAnswer:
    """How the unit answers a return: the kinds of document it asked to supply or replace that are not yet
    (`to_replace`), the documents added since (`supplied`), and whether anything changed since."""

    to_replace: list[str]
    supplied: set[int]
    changed: bool


def return_answer(dossier: Dossier, returned: HistoryEntry) -> ReturnAnswer:
    later = list(db.session.scalars(select(HistoryEntry).where(
        HistoryEntry.dossier_id == dossier.id, HistoryEntry.seq > returned.seq,
        HistoryEntry.event.in_(CONTENT_EVENTS)).order_by(HistoryEntry.seq)))
    answered = {row.details.get("kind") for row in later if row.event in DOCUMENT_EVENTS}
    asked = (returned.details or {}).get("documents", [])
    return ReturnAnswer(to_replace=[kind for kind in asked if kind not in answered],
                        supplied={d.id for d in dossier.documents if d.uploaded_at > returned.at},
                        changed=bool(later))


def entry_notes(dossiers: list[Dossier]) -> dict[int, HistoryEntry]:
    """For each dossier, the history row of the step that brought it to its state (the appraisal note of one
    waiting for the council's vote), by dossier id."""
    ids = [d.id for d in dossiers]
    if not ids:
        return {}
    rows = db.session.scalars(select(HistoryEntry).where(
        HistoryEntry.dossier_id.in_(ids), HistoryEntry.from_state != HistoryEntry.to_state).order_by(HistoryEntry.seq))
    states = {d.id: d.state for d in dossiers}
    return {row.dossier_id: row for row in rows if row.to_state == states[row.dossier_id]}


def state_counts(user: User) -> dict[str, int]:
    subquery = visible_dossiers(user).subquery()
    rows = db.session.execute(select(subquery.c.state, func.count()).group_by(subquery.c.state)).all()
    return {state: count for state, count in rows}


@dataclass
class ProcedureCounts:
    """A campaign's submitted dossiers of one procedure, per unit and state."""

    code: str
    procedure: Procedure | None  # its newest loaded version, for the title (None once all its files are gone)
    states: tuple[str, ...]  # the columns (Procedure.columns, over its loaded versions)
    units: list[Unit]
    by_unit: dict[int, Counter]
    state_totals: Counter


@dataclass
class Dashboard:
    campaign: Campaign
    # One per procedure the campaign's submitted dossiers follow, in the order of the procedures' codes.
    procedures: list[ProcedureCounts]
    award_types: list[AwardType]
    by_award_type: dict[int, Counter]
    honoured_by_award_type: Counter  # dossiers in an honoured state of their procedure
    # (award form, issuer, submitted, honoured), by form and issuer: DOMAIN.md, "Award forms and titles".
    by_form_and_issuer: list[tuple[AwardForm, Issuer, int, int]]
    # (award type, unit, live dossiers, quota) where a unit has reached or passed its quota.
    quota_rows: list[tuple[AwardType, Unit, int, int]]
    overdue: list[Dossier]  # the most overdue first, at most OVERDUE_SHOWN of them
    overdue_total: int
    due_states: tuple[str, ...]  # where the overdue ones wait, for the link to all of them


def campaign_dashboard(campaign: Campaign, on: dt.date | None = None) -> Dashboard:
    """Progress of one campaign: submitted dossiers per unit × state, per award type against quotas, overdue returns."""
    on = on or today()
    loaded = catalogue()
    rows = db.session.execute(select(Dossier.procedure, Dossier.unit_id, Dossier.award_type_id, Dossier.state,
                                     func.count())
                              .where(Dossier.campaign_id == campaign.id, Dossier.ever_submitted.is_(True))
                              .group_by(Dossier.procedure, Dossier.unit_id, Dossier.award_type_id, Dossier.state)).all()
    by_procedure: defaultdict[str, defaultdict[int, Counter]] = defaultdict(lambda: defaultdict(Counter))
    by_award_type: defaultdict[int, Counter] = defaultdict(Counter)
    honoured: Counter = Counter()
    live: Counter = Counter()
    for code, unit_id, award_type_id, state, count in rows:
        by_procedure[code][unit_id][state] += count
        by_award_type[award_type_id][state] += count
        if state in loaded.states_of(code, "honoured_states"):
            honoured[award_type_id] += count
        if state not in loaded.states_of(code, "dead_states"):
            live[(award_type_id, unit_id)] += count
    units_by_id = {u.id: u for u in db.session.scalars(select(Unit))}
    procedures = []
    for code in sorted(by_procedure):
        by_unit = by_procedure[code]
        totals: Counter = Counter()
        for counts in by_unit.values():
            totals.update(counts)
        units = sorted((units_by_id[unit_id] for unit_id in by_unit), key=lambda u: (u.sort_order, u.name))
        versions = loaded.versions(code)
        # A procedure whose files are all gone still shows its counts, under its code.
        procedure = versions[0] if versions else None
        procedures.append(ProcedureCounts(code=code, procedure=procedure,
                                          states=loaded.columns([code]) or tuple(sorted(totals)), units=units,
                                          by_unit=dict(by_unit), state_totals=totals))
    award_types = list(db.session.scalars(select(AwardType).where(AwardType.active.is_(True))
                                          .order_by(AwardType.rank, AwardType.code)))
    quota_rows = []
    for award_type in award_types:
        if award_type.quota_per_unit is None:
            continue
        for (type_id, unit_id), count in sorted(live.items()):
            if type_id == award_type.id:
                quota_rows.append((award_type, units_by_id[unit_id], count, award_type.quota_per_unit))
    counted_types = award_types + list(db.session.scalars(select(AwardType).where(
        AwardType.id.in_(set(by_award_type) - {t.id for t in award_types}))))
    by_form: dict[tuple[int, int], list] = {}
    for award_type in sorted(counted_types, key=lambda t: (t.award_form.sort_order, t.issuer.sort_order, t.id)):
        entry = by_form.setdefault((award_type.award_form_id, award_type.issuer_id),
                                   [award_type.award_form, award_type.issuer, 0, 0])
        entry[2] += sum(by_award_type.get(award_type.id, Counter()).values())
        entry[3] += honoured[award_type.id]
    overdue_where = (Dossier.campaign_id == campaign.id, in_states("due_states"), Dossier.due_date < on)
    overdue_total = db.session.scalar(select(func.count()).select_from(Dossier).where(*overdue_where))
    # Only the unit is shown beside each: no joins, so that the index hands over the first rows in due order.
    overdue = list(db.session.scalars(select(Dossier).where(*overdue_where)
                                      .options(lazyload("*"), selectinload(Dossier.unit))
                                      .order_by(Dossier.due_date, Dossier.id).limit(OVERDUE_SHOWN)))
    due_states = tuple(state for state in loaded.states if state in loaded.union("due_states"))
    return Dashboard(campaign=campaign, procedures=procedures, award_types=award_types,
                     by_award_type=dict(by_award_type), honoured_by_award_type=honoured,
                     by_form_and_issuer=[tuple(entry) for entry in by_form.values()], quota_rows=quota_rows,
                     overdue=overdue, overdue_total=overdue_total, due_states=due_states)
