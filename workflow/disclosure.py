"""Public disclosure (DOMAIN.md, "Public disclosure"): the office opens it for a set of dossiers at once, anyone
comments while a window is open, the office records how each comment was resolved.

Which step opens a window is the procedure's business: a step with the effect `open_disclosure`.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import func, select

from workflow import operations
from workflow.batch import fire_all
from workflow.errors import DisclosureClosed, NotFound, ValidationFailed
from workflow.i18n import N_, Msg, today
from workflow.models import AwardType, DisclosureComment, DisclosureWindow, Dossier, User, db, row_or_none, utcnow
from workflow.permissions import require, visible_dossiers
from workflow.procedure import Step, catalogue
from workflow.rules import latest_window

CONTACT_LENGTH = 255
RESOLUTION_LENGTH = 10_000


def opening_step(dossier: Dossier) -> Step | None:
    """The step of the dossier's procedure that the disclosure batch takes from where the dossier is."""
    return operations.procedure_of(dossier).batch_step("disclosure", dossier.state)


def publishable_dossiers(actor: User) -> list[Dossier]:
    """The dossiers the office could make public now (their procedure's disclosure batch takes a step from their
    state), by award type and name; the rules are checked when it does."""
    require(actor, "manage_disclosure")
    sources = {(p.code, p.version, step.source) for p in catalogue() for step in p.steps if step.batch == "disclosure"}
    if not sources:
        return []
    states = sorted({state for _, _, state in sources})
    rows = db.session.scalars(visible_dossiers(actor).where(Dossier.state.in_(states))
                              .order_by(Dossier.award_type_id, Dossier.nominee_name_key, Dossier.id))
    return [d for d in rows if (d.procedure, d.procedure_version, d.state) in sources]


def open_disclosures(actor: User, dossier_ids: list[int]) -> list[Dossier]:
    """Open disclosure for every dossier of `dossier_ids`, or for none: BatchRefused names each dossier refused and
    why (a rule code). Each opening is the dossier's step, written with its history row."""
    require(actor, "manage_disclosure")
    return fire_all(actor, dossier_ids, opening_step, N_("“%(name)s” cannot be made public while it is “%(state)s”."))


@dataclass(frozen=True)
class PublicEntry:
    """What the public page shows of a dossier in disclosure: no documents, no date of birth."""

    dossier_id: int
    award_type: str
    nominee_name: str
    position: str
    workplace: str
    unit: str
    achievements: str
    ends_on: object


def public_entries(on=None) -> list[PublicEntry]:
    """The dossiers whose latest window is open today, by award type (rank) and name."""
    on = on or today()
    latest = (select(func.max(DisclosureWindow.id)).group_by(DisclosureWindow.dossier_id)).scalar_subquery()
    in_disclosure = catalogue().union("disclosure_states")
    rows = db.session.execute(
        select(Dossier, DisclosureWindow.ends_on).join(DisclosureWindow, DisclosureWindow.dossier_id == Dossier.id)
        .join(AwardType, AwardType.id == Dossier.award_type_id)
        .where(DisclosureWindow.id.in_(latest), DisclosureWindow.ends_on >= on,
               Dossier.state.in_(sorted(in_disclosure)))
        .order_by(AwardType.rank, AwardType.code, Dossier.nominee_name_key, Dossier.id))
    return [PublicEntry(d.id, d.award_type.name, d.nominee_name, d.nominee_position or "", d.nominee_workplace or "",
                        d.unit.name, d.achievements, ends_on) for d, ends_on in rows]


def open_window(dossier_id: int, on=None) -> DisclosureWindow:
    """The dossier's window, open on `on` (today); DisclosureClosed if there is none."""
    dossier = row_or_none(Dossier, dossier_id)
    window = latest_window(dossier) if dossier is not None else None
    if window is None or window.ends_on < (on or today()) \
            or dossier.state not in catalogue().states_of(dossier.procedure, "disclosure_states"):
        raise DisclosureClosed()
    return window


def sender_hash(address: str, key: str) -> str:
    return hmac.new(key.encode(), address.encode(), hashlib.sha256).hexdigest()


def add_comment(dossier_id: int, body: str, contact: str | None, sender: str, max_chars: int) -> DisclosureComment:
    """Anyone's comment on a dossier in disclosure; `sender` is the keyed hash of their address."""
    window = open_window(dossier_id)
    body = body.strip()
    errors = []
    if not body:
        errors.append({"field": "body", "message": Msg(N_("Write your comment."))})
    elif len(body) > max_chars:
        errors.append({"field": "body", "message": Msg(N_("At most %(limit)d characters."), {"limit": max_chars})})
    contact = (contact or "").strip() or None
    if contact is not None and len(contact) > CONTACT_LENGTH:
        errors.append({"field": "contact", "message": Msg(N_("At most %(limit)d characters."),
                                                          {"limit": CONTACT_LENGTH})})
    if errors:
        raise ValidationFailed(details=errors)
    comment = DisclosureComment(dossier_id=dossier_id, window_id=window.id, body=body, contact=contact,
                                sender_hash=sender)
    db.session.add(comment)
    db.session.flush()
    return comment


def comments_of(actor: User, dossier: Dossier) -> list[DisclosureComment]:
    """The comments received on the dossier, oldest first (`dossier` is one the actor may see)."""
    require(actor, "see_disclosure_comments")
    return list(db.session.scalars(select(DisclosureComment).where(DisclosureComment.dossier_id == dossier.id)
                                   .order_by(DisclosureComment.id)))


def resolve_comment(actor: User, comment_id: int, resolution: str) -> DisclosureComment:
    """Record how the office resolved a comment (it may be recorded again, correcting the first)."""
    require(actor, "manage_disclosure")
    comment = row_or_none(DisclosureComment, comment_id)
    if comment is None:
        raise NotFound(Msg(N_("No such comment.")))
    operations.get_dossier(actor, comment.dossier_id)
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationFailed(details=[{"field": "resolution", "message": Msg(
            N_("Say how the comment was resolved."))}])
    if len(resolution) > RESOLUTION_LENGTH:
        raise ValidationFailed(details=[{"field": "resolution", "message": Msg(
            N_("At most %(limit)d characters."), {"limit": RESOLUTION_LENGTH})}])
    comment.resolution, comment.resolved_by, comment.resolved_at = resolution, actor, utcnow()
    db.session.flush()
    return comment
