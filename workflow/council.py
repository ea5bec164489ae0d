"""Council sessions (DOMAIN.md, "The round as the office runs it"): the office convenes a session on dossiers waiting
for the council's vote, each member fills one ballot sheet for the whole agenda, the office closes the session
(attendance, tallies fixed), the chair approves the passing dossiers in one action.

Ballots stay secret: a sheet is `operations.cast_vote` for every dossier of the agenda, and no table links a member
to a choice. Which states are voted in, and which step approves (the batch `council_session`), is read from the
procedures.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from workflow import operations
from workflow.batch import fire_all
from workflow.documents import DocumentStore, StoredFile
from workflow.errors import (
    AlreadyVoted, BatchRefused, Forbidden, GuardFailed, NotFound, ValidationFailed, VotingClosed,
)
from workflow.i18n import N_, Msg
from workflow.models import (
    AwardType, CouncilSession, CouncilSessionAttendance, CouncilSessionItem, CouncilSessionStatus, Dossier, User,
    VoteRecord, db, row_or_none, utcnow,
)
from workflow.notices import new_notice
from workflow.permissions import holders, members_of, require, require_may_vote, takes, visible_dossiers
from workflow.procedure import VOTE_RULES, Step, catalogue
from workflow.rules import COUNCIL_MINUTES, RULES, StepContext, counted, has_conflict, session_counts

PLACE_LENGTH = 255
MAX_AGENDA = 500


def approval_step(dossier: Dossier) -> Step | None:
    """The step the chair takes, in the council session's batch, from where the dossier is."""
    return operations.procedure_of(dossier).batch_step("council_session", dossier.state)


def voters() -> list[User]:
    """Every active member of the council, the chair included."""
    return list(db.session.scalars(select(User).where(holders("vote"), User.active.is_(True)).order_by(User.id)))


def _on_open_session():
    return (select(CouncilSessionItem.dossier_id).join(CouncilSession)
            .where(CouncilSession.status == CouncilSessionStatus.CONVENED))


def agenda_candidates(actor: User, award_type_code: str | None = None) -> list[Dossier]:
    """The dossiers the office could put on a new session's agenda: waiting for the council's vote, on no session
    still open; of one award type if given. By award type and name."""
    require(actor, "manage_council_sessions")
    query = (visible_dossiers(actor).where(Dossier.state.in_(sorted(catalogue().union("voting_states"))),
                                           Dossier.id.not_in(_on_open_session()))
             .order_by(Dossier.award_type_id, Dossier.nominee_name_key, Dossier.id))
    if award_type_code:
        query = query.where(Dossier.award_type_id.in_(select(AwardType.id).where(AwardType.code == award_type_code)))
    return [d for d in db.session.scalars(query) if d.state in operations.procedure_of(d).voting_states]


def convene_council_session(actor: User, held_on: dt.date | None, place: str, dossier_ids: list[int]) -> CouncilSession:
    """A session on `held_on` at `place` with the dossiers of `dossier_ids` on its agenda, all or none: each must wait
    for the council's vote and be on no other open session. Every member is notified."""
    require(actor, "manage_council_sessions")
    place = (place or "").strip()
    errors = []
    if held_on is None:
        errors.append({"field": "held_on", "message": Msg(N_("The date is required."))})
    if not place:
        errors.append({"field": "place", "message": Msg(N_("The place is required."))})
    elif len(place) > PLACE_LENGTH:
        errors.append({"field": "place", "message": Msg(N_("At most %(limit)d characters."), {"limit": PLACE_LENGTH})})
    ids = list(dict.fromkeys(dossier_ids))
    if not ids:
        errors.append({"field": "dossier_ids", "message": Msg(N_("Choose at least one dossier."))})
    elif len(ids) > MAX_AGENDA:
        errors.append({"field": "dossier_ids", "message": Msg(N_("At most %(limit)d dossiers."),
                                                              {"limit": MAX_AGENDA})})
    if errors:
        raise ValidationFailed(details=errors)
    busy = set(db.session.scalars(_on_open_session().where(CouncilSessionItem.dossier_id.in_(ids))))
    refusals, agenda = [], []
    for dossier_id in ids:
        try:
            dossier = operations.get_dossier(actor, dossier_id)
        except NotFound as error:
            refusals.append({"field": "dossier_ids", "dossier": dossier_id, "rule": error.code,
                             "message": error.message})
            continue
        if dossier.state not in operations.procedure_of(dossier).voting_states:
            refusals.append({"field": "dossier_ids", "dossier": dossier_id, "rule": "invalid_transition",
                             "message": Msg(N_("“%(name)s” is not waiting for the council's vote."),
                                            {"name": dossier.nominee_name})})
        elif dossier_id in busy:
            refusals.append({"field": "dossier_ids", "dossier": dossier_id, "rule": "on_open_session",
                             "message": Msg(N_("“%(name)s” is already on the agenda of an open session."),
                                            {"name": dossier.nominee_name})})
        else:
            agenda.append(dossier)
    if refusals:
        raise BatchRefused(details=refusals)
    session = CouncilSession(held_on=held_on, place=place, convened_by_id=actor.id,
                             items=[CouncilSessionItem(dossier=dossier) for dossier in agenda])
    db.session.add(session)
    db.session.flush()
    for member in voters():
        new_notice(member, "council_session", {"session": session.id, "held_on": held_on.isoformat(),
                                               "place": place, "count": len(agenda)},
                   key=f"council_session:{session.id}:{member.id}")
    db.session.flush()
    return session


def get_council_session(actor: User, session_id: int) -> CouncilSession:
    require(actor, "see_council_sessions")
    session = row_or_none(CouncilSession, session_id)
    if session is None:
        raise NotFound(Msg(N_("No such council session.")))
    return session


def council_sessions(actor: User) -> list[CouncilSession]:
    """Every session, latest first."""
    require(actor, "see_council_sessions")
    return list(db.session.scalars(select(CouncilSession).order_by(CouncilSession.held_on.desc(),
                                                                   CouncilSession.id.desc())))


def sessions_of(dossier: Dossier) -> list[CouncilSession]:
    """The sessions that had the dossier on their agenda, latest first."""
    return list(db.session.scalars(select(CouncilSession).join(CouncilSessionItem)
                                   .where(CouncilSessionItem.dossier_id == dossier.id)
                                   .order_by(CouncilSession.held_on.desc(), CouncilSession.id.desc())))


def _require_open(session: CouncilSession) -> None:
    if not session.is_open:
        raise VotingClosed(Msg(N_("The council session is closed: its tallies are fixed.")))


def sheet_dossiers(actor: User, session: CouncilSession) -> list[Dossier]:
    """The dossiers of the agenda the member votes on: those still waiting for the vote, where they have no conflict
    of interest."""
    return [item.dossier for item in session.items
            if item.dossier.state in operations.procedure_of(item.dossier).voting_states
            and not has_conflict(actor, item.dossier)]


def sheets_sent(session: CouncilSession, members: list[User]) -> dict[int, bool | None]:
    """For each member's id: whether they have sent their ballot sheet (voted on every dossier of it), or None when
    they have nothing to vote on. Read from who has voted on what, never how (`VoteRecord`)."""
    voted = set(db.session.execute(select(VoteRecord.user_id, VoteRecord.dossier_id).where(
        VoteRecord.dossier_id.in_([item.dossier_id for item in session.items]))))
    sent = {}
    for member in members:
        sheet = sheet_dossiers(member, session)
        sent[member.id] = all((member.id, dossier.id) in voted for dossier in sheet) if sheet else None
    return sent


def submit_ballot_sheet(actor: User, session: CouncilSession, votes: dict[str, str]) -> list[int]:
    """The member's one ballot sheet: a choice (agree, disagree, abstain) for every dossier of the agenda they vote
    on, cast as that many secret votes, all or none. Returns the dossiers voted on."""
    require_may_vote(actor)
    _require_open(session)
    expected = {str(d.id): d for d in sheet_dossiers(actor, session)}
    errors = [{"field": f"votes.{key}", "message": Msg(N_("This dossier is not on your ballot sheet."))}
              for key in votes if key not in expected]
    errors += [{"field": f"votes.{key}", "message": Msg(N_("Choose agree, disagree or abstain."))}
               for key in expected if votes.get(key) not in operations.VOTE_CHOICES]
    if errors:
        raise ValidationFailed(details=errors)
    for key, dossier in expected.items():
        operations.cast_vote(actor, dossier, operations.VOTE_CHOICES[votes[key]])
    return [dossier.id for dossier in expected.values()]


@dataclass(frozen=True)
class Ballot:
    """What a member votes on in one go: the ballot sheets of the open sessions they have not sent (`sessions`),
    else every dossier open for their vote."""

    sessions: list[CouncilSession]
    dossiers: list[Dossier]


def open_sessions() -> list[CouncilSession]:
    return list(db.session.scalars(select(CouncilSession).where(CouncilSession.status == CouncilSessionStatus.CONVENED)
                                   .order_by(CouncilSession.held_on, CouncilSession.id)))


def my_ballot(actor: User) -> Ballot:
    require_may_vote(actor)
    voted = set(db.session.scalars(select(VoteRecord.dossier_id).where(VoteRecord.user_id == actor.id)))
    sessions, dossiers = [], []
    for session in open_sessions():
        sheet = [d for d in sheet_dossiers(actor, session) if d.id not in voted]
        if sheet:
            sessions.append(session)
            dossiers += sheet
    if sessions:
        return Ballot(sessions, dossiers)
    query = (visible_dossiers(actor).where(Dossier.state.in_(sorted(catalogue().union("voting_states"))),
                                           Dossier.id.not_in(select(VoteRecord.dossier_id)
                                                             .where(VoteRecord.user_id == actor.id)))
             .order_by(Dossier.award_type_id, Dossier.nominee_name_key, Dossier.id).limit(MAX_AGENDA))
    return Ballot([], [d for d in db.session.scalars(query)
                       if d.state in operations.procedure_of(d).voting_states and not has_conflict(actor, d)])


def cast_ballot(actor: User, votes: dict[str, str]) -> list[int]:
    """The member's choices for every dossier of their ballot (`my_ballot`), cast as that many secret votes, all or
    none: a row without a choice, or one whose vote is refused, refuses the whole ballot, each row with its reason.
    Returns the dossiers voted on."""
    ballot = my_ballot(actor)
    expected = {str(d.id): d for d in ballot.dossiers}
    refusals = [{"field": f"votes.{key}", "dossier": int(key) if key.isdigit() else 0, "rule": "not_on_ballot",
                 "message": Msg(N_("This dossier is not on your ballot sheet."))}
                for key in votes if key not in expected]
    refusals += [{"field": f"votes.{key}", "dossier": dossier.id, "rule": "choice_required",
                  "message": Msg(N_("Choose agree, disagree or abstain."))}
                 for key, dossier in expected.items() if votes.get(key) not in operations.VOTE_CHOICES]
    if not refusals:
        for key, dossier in expected.items():
            try:
                operations.cast_vote(actor, dossier, operations.VOTE_CHOICES[votes[key]])
            except (GuardFailed, VotingClosed, AlreadyVoted) as error:
                message = error.failures[0].message if isinstance(error, GuardFailed) else error.message
                refusals.append({"field": f"votes.{key}", "dossier": dossier.id, "rule": error.code,
                                 "message": message})
    if refusals:
        raise BatchRefused(details=refusals)
    return [dossier.id for dossier in expected.values()]


@dataclass(frozen=True)
class MinutesWriting:
    """How the minutes a closing attaches are written: in `language`, which `gettext` translates into, dated in
    `city`, whoever closes the session."""

    gettext: Callable[[str], str]
    language: str
    city: str


def close_council_session(actor: User, session: CouncilSession, present_ids: list[int], store: DocumentStore,
                          writing: MinutesWriting) -> CouncilSession:
    """Close the session: record who was present (the other members were absent), fix each dossier's tally over its
    award type's denominator (every member who may vote on it, or those of them present), and attach the minutes
    (DOCX and PDF, written as `writing` says), each file stored once, to every dossier of the agenda."""
    require(actor, "manage_council_sessions")
    # A second closing waits for the first and finds the session closed; a vote on the agenda waits for the tallies.
    db.session.execute(select(CouncilSession.id).where(CouncilSession.id == session.id).with_for_update())
    db.session.refresh(session)
    _require_open(session)
    db.session.execute(select(Dossier.id).where(Dossier.id.in_([item.dossier_id for item in session.items]))
                       .order_by(Dossier.id).with_for_update())
    members = voters()
    present = set(present_ids)
    unknown = present - {member.id for member in members}
    if unknown:
        raise ValidationFailed(details=[{"field": "present", "message": Msg(
            N_("Not council members: %(ids)s."), {"ids": ", ".join(str(i) for i in sorted(unknown))})}])
    session.attendance = [CouncilSessionAttendance(user_id=member.id, user=member, present=member.id in present)
                          for member in members]
    counts = session_counts([item.dossier_id for item in session.items], sorted(present))
    for item in session.items:
        dossier = item.dossier
        db.session.refresh(dossier)
        members, members_present, *ballots = counts[dossier.id]
        denominator = members_present if dossier.award_type.vote_denominator == "present" else members
        result = counted(dossier, denominator, *ballots)
        item.eligible, item.cast, item.agree = result.members, result.cast, result.agree
        item.disagree, item.abstain = result.disagree, result.abstain
        item.passed = result.quorum_met and result.threshold_met
    session.status, session.closed_at = CouncilSessionStatus.CLOSED, utcnow()
    db.session.flush()
    files = _store_minutes(session, store, writing)
    for item in session.items:
        operations.attach_generated(actor, item.dossier, COUNCIL_MINUTES, files, {"session": session.id})
        item.dossier_version = item.dossier.version  # after the attachment, which is a change to the dossier
    db.session.flush()
    return session


def minutes_filename(session: CouncilSession, extension: str) -> str:
    return f"bien-ban-hop-hoi-dong-{session.id}.{extension}"


def _store_minutes(session: CouncilSession, store: DocumentStore, writing: MinutesWriting) -> list[StoredFile]:
    from workflow.exports.minutes import minutes_docx, minutes_pdf  # the writers load where minutes are made

    minutes = session_minutes(session)
    return [store.save(db.session, minutes_filename(session, extension),
                       make(minutes, writing.gettext, writing.city, writing.language))
            for extension, make in (("pdf", minutes_pdf), ("docx", minutes_docx))]


@dataclass(frozen=True)
class Approval:
    approved: list[Dossier]
    # The dossiers that did not pass: (dossier id, rule code, message).
    not_passed: list[tuple[int, str, Msg]]


def approve_council_session(actor: User, session: CouncilSession) -> Approval:
    """The chair approves every passing dossier of the closed session in one action, each by its procedure's
    approving step, or none (BatchRefused); the dossiers that did not pass are listed with the rule they fail."""
    steps = [step for item in session.items if (step := approval_step(item.dossier)) is not None]
    if not any(takes(actor, step) for step in steps):
        raise Forbidden()
    if session.is_open:
        raise VotingClosed(Msg(N_("The council session is still open: close it first.")))
    passing = [item.dossier_id for item in session.items if item.passed]
    not_passed = [(dossier.id, code, message) for dossier, failures in not_passing(actor, session)
                  for code, message in failures]
    approved = fire_all(actor, passing, approval_step,
                        N_("“%(name)s” cannot be approved while it is “%(state)s”.")) if passing else []
    return Approval(approved, not_passed)


def not_passing(actor: User, session: CouncilSession) -> list[tuple[Dossier, list[tuple[str, Msg]]]]:
    """The dossiers of the closed session that did not pass and still wait for the approving step, each with the
    rules of the council's tally it fails (code, message): what the chair's one action leaves where it is."""
    result = []
    for item in session.items:
        step = approval_step(item.dossier)
        if item.passed or step is None:
            continue
        ctx = StepContext(actor=actor, dossier=item.dossier, step=step)
        result.append((item.dossier, [(code, message) for code in sorted(VOTE_RULES) if code in step.rules
                                      for message in [RULES[code](ctx)] if message is not None]))
    return result


@dataclass(frozen=True)
class MinutesRow:
    nominee: str
    award_type: str
    unit: str
    eligible: int
    cast: int
    agree: int
    disagree: int
    abstain: int
    passed: bool


@dataclass(frozen=True)
class Minutes:
    """What the minutes of a closed session say: never who voted how."""

    session_id: int
    held_on: dt.date
    place: str
    present: list[str]
    absent: list[str]
    rows: list[MinutesRow]
    # Who signs: the office member who convened the session takes the minutes; the council's active chair.
    secretary: str
    chair: str


def session_minutes(session: CouncilSession) -> Minutes:
    if session.is_open:
        raise VotingClosed(Msg(N_("The minutes are made when the session closes.")))
    chair = db.session.scalar(select(User).where(members_of("chair"), User.active.is_(True)).order_by(User.id))
    return Minutes(
        session_id=session.id, held_on=session.held_on, place=session.place,
        present=[a.user.display_name for a in session.attendance if a.present],
        absent=[a.user.display_name for a in session.attendance if not a.present],
        secretary=db.session.get(User, session.convened_by_id).display_name,
        chair=chair.display_name if chair is not None else "",
        rows=[MinutesRow(item.dossier.nominee_name, item.dossier.award_type.name, item.dossier.unit.name,
                         item.eligible, item.cast, item.agree, item.disagree, item.abstain, bool(item.passed))
              for item in session.items])
