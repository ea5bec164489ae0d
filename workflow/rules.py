"""The guards of the reference workflow, one function per rule code.

Each rule returns None when it passes, or the message that explains the refusal. All the rules of
a step are evaluated, so the user sees every reason at once.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from fractions import Fraction

from flask import current_app
from sqlalchemy import Integer, String, and_, bindparam, func, inspect, or_, select

from workflow.eligibility import refusals
from workflow.errors import RuleFailure
from workflow.procedure import INPUT_RULES, INPUT_TYPES, ONE_OPINION_PER_PARTY, RULE_CODES, Step, catalogue
from workflow.i18n import N_, Msg
from workflow.i18n import VIETNAM
from workflow.i18n import today as vietnam_today
from workflow.models import (
    Ballot, CouncilSession, CouncilSessionItem, CouncilSessionStatus, DisclosureComment, DisclosureWindow, Document,
    Dossier, PacketDocument, Unit, User, VoteRecord, db,
)
from workflow.parties import given_opinions, party_of
from workflow.permissions import holders

DOCUMENT_KINDS = {
    "to_trinh": N_("Proposal letter (tờ trình)"),
    "bao_cao_thanh_tich": N_("Achievement report"),
    "bien_ban": N_("Minutes of the unit's council"),
    "danh_sach": N_("List"),
    "other": N_("Other document"),
}
# The kinds a unit uploads once per campaign, in its packet, for all its dossiers (DOMAIN.md, "Unit packet").
PACKET_KINDS = ("to_trinh", "bien_ban", "danh_sach")
# The minutes of the council's session, attached to each dossier of the agenda when the session closes: nobody
# uploads or removes them, and no award type requires them.
COUNCIL_MINUTES = "bien_ban_hoi_dong"
# Every kind a dossier's document may be, with its label.
DOCUMENT_LABELS = {**DOCUMENT_KINDS, COUNCIL_MINUTES: N_("Minutes of the council session")}


def conflict_of_interest_flagged() -> bool:
    """Whether a conflict of interest is only recorded (CONFLICT_OF_INTEREST "flag"); anything else refuses."""
    return current_app.config.get("CONFLICT_OF_INTEREST", "refuse") == "flag"


@dataclass
class StepContext:
    actor: User
    dossier: Dossier
    step: Step
    comment: str | None = None
    due_date: dt.date | None = None
    decision_number: str | None = None
    decision_date: dt.date | None = None
    date: dt.date | None = None
    today: dt.date = field(default_factory=vietnam_today)

    @cached_property
    def vote_tally(self) -> Tally:
        return tally(self.dossier)


# A rule answers None, its refusal, or (a rule of several findings) a list of failures, each with its details.
Rule = Callable[[StepContext], "Msg | list[RuleFailure] | None"]
RULES: dict[str, Rule] = {}


def rule(code: str):
    def register(function: Rule) -> Rule:
        RULES[code] = function
        return function
    return register


# What each input is called in the message refusing a required one that is missing.
INPUT_NAMES = {"comment": N_("The comment is required."), "due_date": N_("The due date is required."),
               "decision_number": N_("The decision number is required."),
               "decision_date": N_("The decision date is required."), "date": N_("The date is required.")}
if set(INPUT_NAMES) != set(INPUT_TYPES):
    raise RuntimeError(f"inputs out of step with workflow.procedure.INPUT_TYPES: {set(INPUT_NAMES) ^ set(INPUT_TYPES)}")


def check_rules(ctx: StepContext, inputs: bool = True) -> list[RuleFailure]:
    """Every failed rule of the step, then every required input it declares that is missing; without
    `inputs`, only the rules that do not depend on the inputs (before the step's form is filled in)."""
    failures = []
    for code in ctx.step.rules:
        if not inputs and code in INPUT_RULES:
            continue
        result = RULES[code](ctx)
        if isinstance(result, list):
            failures.extend(result)
        elif result is not None:
            failures.append(RuleFailure(code, result))
    if inputs:
        failures.extend(RuleFailure("input_required", Msg(INPUT_NAMES[name])) for name in missing_inputs(ctx))
    return failures


def missing_inputs(ctx: StepContext) -> list[str]:
    """The required inputs the step declares that were not given, but those a rule of the step already
    checks with its own message (reason_required and the like)."""
    checked = {name for code in ctx.step.input_rules for name in INPUT_RULES[code]}
    missing = []
    for item in ctx.step.inputs:
        value = getattr(ctx, item.name)
        if item.required and item.name not in checked and (value is None or not str(value).strip()):
            missing.append(item.name)
    return missing


def inactive_unit(unit: Unit) -> Msg | None:
    """Why a unit may not nominate: it has been deactivated (merged, dissolved)."""
    if not unit.active:
        return Msg(N_("The unit “%(unit)s” is no longer active: it cannot create or submit dossiers."),
                   {"unit": unit.name})
    return None


@rule("unit_active")
def unit_active(ctx: StepContext) -> Msg | None:
    return inactive_unit(ctx.dossier.unit)


@rule("campaign_open")
def campaign_open(ctx: StepContext) -> Msg | None:
    if not ctx.dossier.campaign.is_open:
        return Msg(N_("The campaign “%(campaign)s” is closed."), {"campaign": ctx.dossier.campaign.name})
    return None


@rule("deadline")
def deadline(ctx: StepContext) -> Msg | None:
    limit = ctx.dossier.campaign.submission_deadline
    if limit is not None and ctx.today > limit:
        return Msg(N_("The submission deadline (%(deadline)s) has passed."), {"deadline": limit})
    return None


@rule("due_date")
def due_date(ctx: StepContext) -> Msg | None:
    limit = ctx.dossier.due_date
    if limit is not None and ctx.today > limit:
        return Msg(N_("The due date for resubmission (%(due_date)s) has passed."), {"due_date": limit})
    return None


_dossiers = Dossier.__table__
_documents = Document.__table__
_packet_documents = PacketDocument.__table__
PACKET_KINDS_PRESENT = select(_packet_documents.c.kind).where(
    _packet_documents.c.unit_id == bindparam("unit_id"),
    _packet_documents.c.campaign_id == bindparam("campaign_id")).distinct()
# Built once: the submission guards run on every submit and resubmit.
DOCUMENT_KINDS_PRESENT = select(_documents.c.kind).where(_documents.c.dossier_id == bindparam("dossier_id")).distinct()
# Other dossiers of the same award type and campaign that have been submitted and still count (are not in a
# dead state of the dossier's procedure).
_LIVE_OTHERS = (_dossiers.c.campaign_id == bindparam("campaign_id"),
                _dossiers.c.award_type_id == bindparam("award_type_id"),
                _dossiers.c.id != bindparam("dossier_id"),
                _dossiers.c.ever_submitted.is_(True),
                _dossiers.c.state.not_in(bindparam("dead_states", expanding=True)))
QUOTA_USED = select(func.count()).select_from(_dossiers).where(*_LIVE_OTHERS,
                                                               _dossiers.c.unit_id == bindparam("unit_id"))
_birth_year = bindparam("birth_year", type_=Integer)
SAME_NOMINEE = select(func.count()).select_from(_dossiers).where(
    *_LIVE_OTHERS,
    _dossiers.c.nominee_kind == bindparam("kind"),
    _dossiers.c.nominee_name_key == bindparam("name_key"),
    or_(_birth_year.is_(None), _dossiers.c.nominee_birth_year.is_(None), _dossiers.c.nominee_birth_year == _birth_year))


def _live_others(dossier: Dossier) -> dict:
    return {"campaign_id": dossier.campaign_id, "award_type_id": dossier.award_type_id, "dossier_id": dossier.id,
            "dead_states": sorted(catalogue().states_of(dossier.procedure, "dead_states"))}


def packet_kinds(dossier: Dossier) -> set[str]:
    """The kinds of document the packet of the dossier's unit for its campaign holds."""
    return set(db.session.scalars(PACKET_KINDS_PRESENT, {"unit_id": dossier.unit_id,
                                                         "campaign_id": dossier.campaign_id}))


def missing_documents(dossier: Dossier) -> list[str]:
    """The required kinds neither the dossier nor its unit's packet for the campaign holds."""
    if "documents" not in inspect(dossier).unloaded:  # already loaded, as on the dossier's page
        present = dossier.document_kinds()
    else:
        present = set(db.session.scalars(DOCUMENT_KINDS_PRESENT, {"dossier_id": dossier.id}))
    required = [kind for kind in dossier.award_type.required_documents if kind not in present]
    if required:
        present = packet_kinds(dossier)
    return [kind for kind in required if kind not in present]


def from_packet(dossier: Dossier) -> list[str]:
    """The required kinds only the unit's packet holds (the dossier's checklist says so)."""
    own = dossier.document_kinds()
    packet = packet_kinds(dossier)
    return [kind for kind in dossier.award_type.required_documents if kind not in own and kind in packet]


@rule("required_documents")
def required_documents(ctx: StepContext) -> Msg | None:
    missing = missing_documents(ctx.dossier)
    if missing:
        return Msg(N_("Required documents are missing: %(missing)s."),
                   {"missing": [Msg(DOCUMENT_KINDS.get(kind, kind)) for kind in missing]})
    return None


@rule("quota")
def quota(ctx: StepContext) -> Msg | None:
    dossier = ctx.dossier
    limit = dossier.award_type.quota_per_unit
    if limit is None:
        return None
    used = db.session.scalar(QUOTA_USED, {**_live_others(dossier), "unit_id": dossier.unit_id})
    if used + 1 > limit:
        return Msg(N_("Your unit has already submitted %(used)d of its quota of %(quota)d for “%(award_type)s” "
                      "in this campaign."),
                   {"used": used, "quota": limit, "award_type": dossier.award_type.name})
    return None


@rule("duplicate_nominee")
def duplicate_nominee(ctx: StepContext) -> Msg | None:
    dossier = ctx.dossier
    if db.session.scalar(SAME_NOMINEE, {**_live_others(dossier), "kind": dossier.nominee_kind,
                                        "name_key": dossier.nominee_name_key,
                                        "birth_year": dossier.nominee_birth_year}):
        return Msg(N_("“%(name)s” is already nominated for “%(award_type)s” in this campaign."),
                   {"name": dossier.nominee_name, "award_type": dossier.award_type.name})
    return None


@rule("eligibility")
def eligibility(ctx: StepContext) -> list[RuleFailure]:
    """The refusing rules of the set in force (workflow.eligibility) the nominee's history does not meet, each citing
    its legal text and the evidence found; warning rules do not refuse."""
    return [RuleFailure("eligibility", finding.message, finding.as_detail()) for finding in refusals(ctx.dossier)]


@rule("reason_required")
def reason_required(ctx: StepContext) -> Msg | None:
    if not (ctx.comment or "").strip():
        return Msg(N_("A reason is required."))
    return None


@rule("note_required")
def note_required(ctx: StepContext) -> Msg | None:
    if not (ctx.comment or "").strip():
        return Msg(N_("An appraisal note is required."))
    return None


@rule("answer_required")
def answer_required(ctx: StepContext) -> Msg | None:
    if not (ctx.comment or "").strip():
        return Msg(N_("Record the higher authority's answer in the comment."))
    return None


def a_year_after(day: dt.date) -> dt.date:
    """The same day a year later (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def a_year_before(day: dt.date) -> dt.date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


@rule("due_date_valid")
def due_date_valid(ctx: StepContext) -> Msg | None:
    if ctx.due_date is not None and ctx.due_date < ctx.today:
        return Msg(N_("The due date cannot be in the past."))
    if ctx.due_date is not None and ctx.due_date > a_year_after(ctx.today):
        return Msg(N_("The due date can be at most a year ahead, until %(latest)s."),
                   {"latest": a_year_after(ctx.today)})
    return None


def has_conflict(actor: User, dossier: Dossier) -> bool:
    """The actor works in the nominating unit, is the nominee, or belongs to the nominated collective (DOMAIN.md,
    "Roles"): names are compared by their keys (`name_key`). `council_without_conflict` is the same rule in SQL."""
    if actor.unit_id == dossier.unit_id:
        return True
    if dossier.nominee_kind == "collective":
        return actor.unit is not None and actor.unit.name_key == dossier.nominee_name_key
    return bool(actor.name_key) and actor.name_key == dossier.nominee_name_key


@rule("conflict_of_interest")
def conflict_of_interest(ctx: StepContext) -> Msg | None:
    if not conflict_of_interest_flagged() and has_conflict(ctx.actor, ctx.dossier):
        return Msg(N_("You cannot act on a dossier nominated by your own unit (conflict of interest)."))
    return None


@rule("forwarded_type")
def forwarded_type(ctx: StepContext) -> Msg | None:
    if not ctx.dossier.award_type.forwarded:
        return Msg(N_("“%(award_type)s” is decided by the city union; it is not forwarded."),
                   {"award_type": ctx.dossier.award_type.name})
    return None


@rule("city_level_type")
def city_level_type(ctx: StepContext) -> Msg | None:
    if ctx.dossier.award_type.forwarded:
        return Msg(N_("“%(award_type)s” is granted by a higher authority: forward the dossier first."),
                   {"award_type": ctx.dossier.award_type.name})
    return None


@rule("decision_required")
def decision_required(ctx: StepContext) -> Msg | None:
    if not (ctx.decision_number or "").strip() or ctx.decision_date is None:
        return Msg(N_("The decision number and date are required."))
    return None


@rule("date_valid")
def date_valid(ctx: StepContext) -> Msg | None:
    """The date a step records (a hand-over): given, and neither ahead nor more than a year back."""
    if ctx.date is None:
        return Msg(N_("The date is required."))
    if ctx.date > ctx.today:
        return Msg(N_("The date cannot be in the future."))
    if ctx.date < a_year_before(ctx.today):
        return Msg(N_("The date can be at most a year back, from %(earliest)s."),
                   {"earliest": a_year_before(ctx.today)})
    return None


@rule(ONE_OPINION_PER_PARTY)
def party_already_gave_opinion(ctx: StepContext) -> Msg | None:
    given = given_opinions(ctx.dossier, ctx.step).get(party_of(ctx.actor))
    if given is not None:
        return Msg(N_("%(unit)s has already given its opinion, on %(date)s; the dossier waits for the other "
                     "units named."),
                   {"unit": ctx.actor.unit.name, "date": given[1].astimezone(VIETNAM).date()})
    return None


def latest_window(dossier: Dossier) -> DisclosureWindow | None:
    """The dossier's current disclosure window (a dossier published again has several), if any."""
    return db.session.scalars(select(DisclosureWindow).where(DisclosureWindow.dossier_id == dossier.id)
                              .order_by(DisclosureWindow.id.desc()).limit(1)).first()


@rule("disclosure_window")
def disclosure_window(ctx: StepContext) -> Msg | None:
    """On the step that opens a window: the award type has one. On a step leaving disclosure: it has ended."""
    if ctx.step.effect("open_disclosure") is not None:
        if ctx.dossier.award_type.disclosure_days < 1:
            return Msg(N_("“%(award_type)s” has no public disclosure window: set its number of working days in the "
                          "award type's settings first."), {"award_type": ctx.dossier.award_type.name})
        return None
    window = latest_window(ctx.dossier)
    if window is None:
        return Msg(N_("The dossier has not been made public."))
    if ctx.today <= window.ends_on:
        return Msg(N_("The public disclosure runs until %(ends_on)s; the council can review the dossier only after "
                      "it has ended."), {"ends_on": window.ends_on})
    return None


UNRESOLVED_COMMENTS = (select(func.count()).select_from(DisclosureComment)
                       .where(DisclosureComment.dossier_id == bindparam("dossier_id"),
                              DisclosureComment.resolved_at.is_(None)))


@rule("disclosure_resolved")
def disclosure_resolved(ctx: StepContext) -> Msg | None:
    unresolved = db.session.scalar(UNRESOLVED_COMMENTS, {"dossier_id": ctx.dossier.id})
    if unresolved:
        return Msg(N_("%(count)d comment(s) received during the public disclosure are not resolved yet."),
                   {"count": unresolved})
    return None


@dataclass(frozen=True)
class Tally:
    members: int
    cast: int
    agree: int
    disagree: int
    quorum_needed: int
    agree_needed: int
    abstain: int = 0

    @property
    def quorum_met(self) -> bool:
        return self.members > 0 and self.cast >= self.quorum_needed

    @property
    def threshold_met(self) -> bool:
        return self.members > 0 and self.agree >= self.agree_needed


def fraction(value) -> Fraction:
    """A stored fraction such as 0.6667 read as the simple fraction it stands for (2/3)."""
    return Fraction(str(value)).limit_denominator(1000)


def votes_needed(share, members: int) -> int:
    product = fraction(share) * members
    return product.numerator // product.denominator + (1 if product.denominator != 1 else 0)


def council_without_conflict(unit_id, nominee_kind, nominee_name_key):
    """The active holders of the vote without a conflict of interest (`has_conflict`, in SQL) on a dossier of the
    nominating unit `unit_id`, nominee kind `nominee_kind` and name key `nominee_name_key`: SQL expressions, bound
    parameters or a dossier's columns."""
    collective = nominee_kind == "collective"
    return and_(holders("vote"), User.active.is_(True), User.unit_id != unit_id,
                or_(~collective, User.unit_id.not_in(select(Unit.id).where(Unit.name_key == nominee_name_key))),
                or_(collective, User.name_key != nominee_name_key))


_ballots = Ballot.__table__
_users = User.__table__
_dossier_params = (bindparam("unit_id", type_=Integer), bindparam("nominee_kind", type_=String),
                   bindparam("name_key", type_=String))
# Built once: the council members who may vote on a dossier, and how many of them there are.
COUNCIL_MEMBERS = select(User).where(council_without_conflict(*_dossier_params)).order_by(User.id)
COUNCIL_COUNT = (select(func.count()).select_from(_users).where(council_without_conflict(*_dossier_params))
                 .scalar_subquery())
# Built once: the ballots counted in one statement for every approval, with the members who may vote.
BALLOT_COUNTS = select(
    COUNCIL_COUNT,
    func.count().filter(_ballots.c.agree.is_(True)),
    func.count().filter(_ballots.c.agree.is_(False)),
    func.count().filter(_ballots.c.agree.is_(None)),
).where(_ballots.c.dossier_id == bindparam("dossier_id"))


def _dossier_values(dossier: Dossier) -> dict:
    return {"dossier_id": dossier.id, "unit_id": dossier.unit_id, "nominee_kind": dossier.nominee_kind,
            "name_key": dossier.nominee_name_key}


def council_members(dossier: Dossier) -> list[User]:
    """The members who may vote on the dossier: no conflict of interest (`has_conflict`)."""
    return list(db.session.scalars(COUNCIL_MEMBERS, _dossier_values(dossier)))


def ballot_counts(dossier: Dossier) -> tuple[int, int, int, int]:
    """How many members may vote on the dossier, and how many ballots agree, disagree and abstain."""
    members, agree, disagree, abstain = db.session.execute(BALLOT_COUNTS, _dossier_values(dossier)).one()
    return members, agree, disagree, abstain


def session_counts(dossier_ids: list[int], present_ids: list[int]) -> dict[int, tuple[int, int, int, int, int]]:
    """For each dossier of `dossier_ids`: how many members may vote on it, how many of them are among
    `present_ids`, and how many ballots agree, disagree and abstain. Two statements for a whole agenda."""
    eligible = db.session.execute(
        select(Dossier.id, func.count(User.id), func.count(User.id).filter(User.id.in_(present_ids)))
        .select_from(Dossier)
        .outerjoin(User, council_without_conflict(Dossier.unit_id, Dossier.nominee_kind, Dossier.nominee_name_key))
        .where(Dossier.id.in_(dossier_ids)).group_by(Dossier.id))
    ballots = {dossier_id: counts for dossier_id, *counts in db.session.execute(
        select(_ballots.c.dossier_id, func.count().filter(_ballots.c.agree.is_(True)),
               func.count().filter(_ballots.c.agree.is_(False)), func.count().filter(_ballots.c.agree.is_(None)))
        .where(_ballots.c.dossier_id.in_(dossier_ids)).group_by(_ballots.c.dossier_id))}
    return {dossier_id: (members, present, *ballots.get(dossier_id, (0, 0, 0)))
            for dossier_id, members, present in eligible}


_items, _sessions = CouncilSessionItem.__table__, CouncilSession.__table__
# Built once: every vote asks the first (1,800 times for a session of 200 dossiers and 9 members), every approval
# the second.
# Against the dossier's version as stored, not as loaded: a vote that waited for a closing (which attaches the minutes,
# a change to the dossier) reads the version the closing left.
TALLY_FIXED = (select(_items.c.id)
               .select_from(_items.join(_sessions, _sessions.c.id == _items.c.session_id)
                            .join(_dossiers, _dossiers.c.id == _items.c.dossier_id))
               .where(_items.c.dossier_id == bindparam("dossier_id"), _items.c.dossier_version == _dossiers.c.version,
                      _sessions.c.status == CouncilSessionStatus.CLOSED.value).limit(1))
FIXED_COUNTS = (select(_items.c.eligible, _items.c.agree, _items.c.disagree, _items.c.abstain)
                .select_from(_items.join(_sessions, _sessions.c.id == _items.c.session_id))
                .where(_items.c.dossier_id == bindparam("dossier_id"), _items.c.dossier_version == bindparam("version"),
                       _sessions.c.status == CouncilSessionStatus.CLOSED.value)
                .order_by(_items.c.id.desc()).limit(1))


def tally_fixed(dossier: Dossier) -> bool:
    """Whether a closed council session fixed the dossier's tally and the dossier has not moved since."""
    return db.session.execute(TALLY_FIXED, {"dossier_id": dossier.id}).first() is not None


def counted(dossier: Dossier, members: int, agree: int, disagree: int, abstain: int) -> Tally:
    return Tally(members=members, cast=agree + disagree + abstain, agree=agree, disagree=disagree, abstain=abstain,
                 quorum_needed=votes_needed(dossier.award_type.vote_quorum, members),
                 agree_needed=votes_needed(dossier.award_type.vote_threshold, members))


def tally(dossier: Dossier) -> Tally:
    """The dossier's tally: as its closed council session fixed it, else counted now over the whole membership."""
    fixed = db.session.execute(FIXED_COUNTS, {"dossier_id": dossier.id, "version": dossier.version}).first()
    return counted(dossier, *(fixed if fixed is not None else ballot_counts(dossier)))


def has_voted(user: User, dossier: Dossier) -> bool:
    return db.session.scalar(select(func.count()).select_from(VoteRecord).where(
        VoteRecord.dossier_id == dossier.id, VoteRecord.user_id == user.id)) > 0


@rule("vote_quorum")
def vote_quorum(ctx: StepContext) -> Msg | None:
    result = ctx.vote_tally
    if not result.quorum_met:
        return Msg(N_("The quorum is not met: %(cast)d of %(members)d council members have voted, "
                      "%(needed)d needed."),
                   {"cast": result.cast, "members": result.members, "needed": result.quorum_needed})
    return None


@rule("vote_threshold")
def vote_threshold(ctx: StepContext) -> Msg | None:
    result = ctx.vote_tally
    if not result.threshold_met:
        return Msg(N_("Too few agreeing votes: %(agree)d of %(members)d members, %(needed)d needed."),
                   {"agree": result.agree, "members": result.members, "needed": result.agree_needed})
    return None


if set(RULES) != RULE_CODES:  # the procedure files are checked against RULE_CODES: both must name the same rules
    raise RuntimeError(f"rule codes out of step with workflow.procedure.RULE_CODES: {set(RULES) ^ RULE_CODES}")
