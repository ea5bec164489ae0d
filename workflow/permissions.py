"""Who may do what, decided here only: which dossiers a person sees, which steps they may fire, and the
capabilities (each held by some roles) that operations, API handlers, pages and templates ask about.

Nothing outside this module compares roles: it asks `holds(actor, capability)` or one of the
functions below.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from sqlalchemy import false, or_, select, true

from workflow.procedure import (
    ANYONE_WITH_ROLE, EACH_PARTY, PARTY, RESPONSIBLE_DEPARTMENT, SUBMITTER_OF_UNIT, Step, catalogue,
)
from workflow.errors import Forbidden, NotFound
from workflow.i18n import N_, Msg
from workflow.models import AwardType, Dossier, Nominee, Unit, User, db


@dataclass(frozen=True)
class Capability:
    roles: frozenset[str]
    refusal: str  # the message a refused person reads (a msgid)


CAPABILITIES: dict[str, Capability] = {
    "nominate": Capability(frozenset({"submitter"}), N_("Only a unit's submitters create dossiers.")),
    "manage_settings": Capability(frozenset({"office"}), N_("Only the office manages campaigns and award types.")),
    "see_notice_delivery": Capability(frozenset({"office"}), N_("Only the office sees the delivery of notices.")),
    "act_in_bulk": Capability(frozenset({"office"}), N_("You are not allowed to do this.")),
    "see_progress": Capability(frozenset({"office", "chair"}), N_("You are not allowed to do this.")),
    "read_honours_list": Capability(frozenset({"office", "chair"}),
                                    N_("Only the office and the chair may read the honours list.")),
    "prepare_provisional_list": Capability(frozenset({"office"}),
                                           N_("Only the office prepares the provisional honours list.")),
    "finalise_honours_list": Capability(frozenset({"office"}), N_("Only the office finalises the honours list.")),
    "see_tally": Capability(frozenset({"council", "chair", "office"}),
                            N_("Only the council, the chair and the office see the tally.")),
    # A member of the council sees a dossier's tally once they have voted on it; the chair, who decides on it, and
    # the office see it before.
    "see_tally_before_voting": Capability(frozenset({"chair", "office"}),
                                          N_("The tally is shown to a member of the council once they have voted.")),
    # The chair presides over the council and is one of its members.
    "vote": Capability(frozenset({"council", "chair"}), N_("Only council members vote.")),
    "manage_council_sessions": Capability(frozenset({"office"}),
                                          N_("Only the office convenes and closes council sessions.")),
    "see_council_sessions": Capability(frozenset({"office", "council", "chair"}),
                                       N_("Only the council, the chair and the office see council sessions.")),
    "manage_disclosure": Capability(frozenset({"office"}),
                                    N_("Only the office opens public disclosure and resolves its comments.")),
    "see_disclosure_comments": Capability(frozenset({"office", "appraiser", "council", "chair"}),
                                          N_("You are not allowed to see the public comments.")),
    "manage_decisions": Capability(frozenset({"office"}), N_("Only the office drafts and records award decisions.")),
    "forward_dossiers": Capability(frozenset({"office"}), N_("Only the office forwards dossiers to a higher "
                                                             "authority and records its answer.")),
    "see_packets": Capability(frozenset({"office"}),
                              N_("Only the unit's submitters and the office see a unit packet.")),
    "see_nominees": Capability(frozenset({"submitter", "office", "appraiser"}),
                               N_("Only the units' submitters, the office and the appraisers see the nominee "
                                  "registry.")),
    "merge_nominees": Capability(frozenset({"office"}), N_("Only the office merges nominees.")),
    # Personal data (dates of birth, identity numbers): every nominee's for these roles; for the others see
    # `may_see_personal_data`.
    "see_all_personal_data": Capability(frozenset({"office"}), N_("You are not allowed to see personal data.")),
    "export_personal_record": Capability(frozenset({"office"}),
                                         N_("Only the office exports a nominee's personal record.")),
    "manage_award_history": Capability(frozenset({"office"}),
                                       N_("Only the office imports award histories and emulation ratings.")),
    "override_eligibility": Capability(frozenset({"office", "appraiser"}),
                                       N_("Only the appraisers and the office override an eligibility warning.")),
    "manage_users": Capability(frozenset({"admin"}), N_("Only an administrator manages users and units.")),
}
# Roles whose holders see their own unit's dossiers only, drafts included.
UNIT_BOUND_ROLES = frozenset({"submitter"})


def role_may(role: str | None, capability: str) -> bool:
    return role in CAPABILITIES[capability].roles


def holds(actor, capability: str) -> bool:
    """Whether `actor` (a user; anyone not signed in holds nothing) has the capability."""
    return role_may(getattr(actor, "role", None), capability)


def require(actor, capability: str) -> None:
    if not holds(actor, capability):
        raise Forbidden(Msg(CAPABILITIES[capability].refusal))


def requires_for(current_actor: Callable[[], User]):
    """`requires(capability)`, a view decorator refusing (Forbidden) whoever `current_actor()` names
    unless they hold the capability."""
    def requires(capability: str):
        CAPABILITIES[capability]  # an unknown capability fails when the view is declared

        def decorate(view):
            @wraps(view)
            def guarded(*args, **kwargs):
                require(current_actor(), capability)
                return view(*args, **kwargs)
            return guarded
        return decorate
    return requires


def holders(capability: str):
    """The SQL criterion of the users holding the capability."""
    roles = sorted(CAPABILITIES[capability].roles)
    return User.role == roles[0] if len(roles) == 1 else User.role.in_(roles)


def members_of(role: str):
    """The SQL criterion of the users holding `role` (an audience a procedure names by its role)."""
    return User.role == role


# Visibility -------------------------------------------------------------------------------------

def sees_own_unit_only(user: User) -> bool:
    return user.role in UNIT_BOUND_ROLES


def visible_dossiers(user: User):
    """A SELECT of the dossiers `user` may read."""
    query = select(Dossier)
    if sees_own_unit_only(user):
        return query.where(Dossier.unit_id == user.unit_id)
    return query.where(or_(Dossier.ever_submitted.is_(True), Dossier.unit_id == user.unit_id))


def can_see(user: User, dossier: Dossier) -> bool:
    if sees_own_unit_only(user):
        return dossier.unit_id == user.unit_id
    return dossier.ever_submitted or dossier.unit_id == user.unit_id


def visible_nominees(user: User):
    """The SQL criterion of the registry entries `user` sees: a submitter their unit's, the others all."""
    return Nominee.unit_id == user.unit_id if sees_own_unit_only(user) else true()


def can_see_nominee(user: User, nominee: Nominee) -> bool:
    return holds(user, "see_nominees") and (not sees_own_unit_only(user) or nominee.unit_id == user.unit_id)


# Personal data ----------------------------------------------------------------------------------
# Dates and years of birth and identity numbers (Nghị định 13/2023/NĐ-CP): shown to the nominating unit's
# submitters, the office and the appraisers responsible for the dossier; masked for everyone else.

def may_see_personal_data(user, dossier: Dossier) -> bool:
    """Whether `user` reads the personal data of the dossier's nominee."""
    if holds(user, "see_all_personal_data"):
        return True
    if holds(user, "nominate"):
        return user.unit_id == dossier.unit_id
    if user is None or not getattr(user, "role", None):
        return False
    steps = catalogue().get(dossier.procedure, dossier.procedure_version).steps
    # The responsible appraisers: the units a step of the user's role is scoped to on this dossier.
    return user.unit_id in unit_ids_taking(steps, user.role, dossier)


def nominees_with_personal_data(user, entries: list[Nominee]) -> set[int]:
    """The ids of the registry entries among `entries` whose personal data `user` reads: all for the office, their
    unit's for a submitter, and for others the entries with a submitted dossier they are responsible for."""
    if holds(user, "see_all_personal_data"):
        return {entry.id for entry in entries}
    if holds(user, "nominate"):
        return {entry.id for entry in entries if entry.unit_id == user.unit_id}
    if user is None or not getattr(user, "role", None) or not entries:
        return set()
    dossiers = db.session.scalars(select(Dossier).where(Dossier.nominee_id.in_([entry.id for entry in entries]),
                                                        Dossier.ever_submitted.is_(True)))
    return {dossier.nominee_id for dossier in dossiers if may_see_personal_data(user, dossier)}


# Dossiers ---------------------------------------------------------------------------------------

def may_change_dossier(actor: User, dossier: Dossier) -> bool:
    """Edit it, add or remove its documents: a submitter of the nominating unit."""
    return holds(actor, "nominate") and actor.unit_id == dossier.unit_id


def require_may_change_dossier(actor: User, dossier: Dossier) -> None:
    if not may_change_dossier(actor, dossier):
        raise Forbidden(Msg(N_("Only a submitter of the nominating unit can change this dossier.")))


def may_fire(actor: User, step: Step, dossier: Dossier) -> bool:
    if actor.role != step.role:
        return False
    if step.scope == SUBMITTER_OF_UNIT:
        return actor.unit_id == dossier.unit_id
    if step.scope == RESPONSIBLE_DEPARTMENT:
        return actor.unit_id == dossier.award_type.responsible_unit_id
    if step.scope in (PARTY, EACH_PARTY):
        return actor.unit.code in step.parties
    return step.scope == ANYONE_WITH_ROLE


def takes(actor: User, step: Step) -> bool:
    """Whether `step` is the actor's to fire on some dossiers (its queue is then one of theirs)."""
    return actor.role == step.role


def may_fire_where(actor: User, step: Step):
    """The SQL criterion of the dossiers `actor` may fire `step` on, as `may_fire` decides (state aside)."""
    if actor.role != step.role:
        return false()
    if step.scope == SUBMITTER_OF_UNIT:
        return Dossier.unit_id == actor.unit_id
    if step.scope == RESPONSIBLE_DEPARTMENT:
        return Dossier.award_type_id.in_(select(AwardType.id).where(AwardType.responsible_unit_id == actor.unit_id))
    if step.scope in (PARTY, EACH_PARTY):
        return true() if actor.unit.code in step.parties else false()
    return true() if step.scope == ANYONE_WITH_ROLE else false()


def unit_ids_taking(steps, role: str, dossier: Dossier) -> list[int]:
    """The ids of the units whose holders of `role` may take some of the steps on the dossier, for the steps of
    that role that name units: the responsible department, or the parties (empty when none names one)."""
    steps = [step for step in steps if step.role == role]
    ids = {dossier.award_type.responsible_unit_id for step in steps if step.scope == RESPONSIBLE_DEPARTMENT}
    parties = {party for step in steps if step.scope in (PARTY, EACH_PARTY) for party in step.parties}
    if parties:
        ids.update(db.session.scalars(select(Unit.id).where(Unit.code.in_(parties))))
    return sorted(ids)


# Unit packets -------------------------------------------------------------------------------------

def require_may_see_packet(actor: User, unit: Unit) -> None:
    """A unit's packet is its submitters' and the office's; to another unit's submitter it does not exist."""
    if holds(actor, "nominate") and actor.unit_id != unit.id:
        raise NotFound(Msg(N_("No such unit packet.")))
    if not holds(actor, "nominate"):
        require(actor, "see_packets")


def require_may_change_packet(actor: User, unit: Unit) -> None:
    require_may_see_packet(actor, unit)
    if not holds(actor, "nominate"):
        raise Forbidden(Msg(N_("Only a submitter of the unit changes or submits its packet.")))


def may_vote(actor: User) -> bool:
    return holds(actor, "vote") and actor.active


def require_may_vote(actor: User) -> None:
    if not may_vote(actor):
        raise Forbidden(Msg(CAPABILITIES["vote"].refusal))
