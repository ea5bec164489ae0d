"""Notice rows: who is told what, the in-app inbox, the daily digest and the office's retry.

Writing a row is all the domain does; sending it is the jobs' business (tasks/jobs.py).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, and_, bindparam, case, cast, func, insert, literal, select, true, update

from workflow.errors import InvalidTransition, NotFound, ValidationFailed
from workflow.i18n import N_, Msg
from workflow.models import Dossier, Notice, NoticeStatus, User, db, utcnow
from workflow.permissions import members_of, require, unit_ids_taking
from workflow.procedure import AUDIENCES, Step, catalogue
from workflow.rules import council_without_conflict

DELIVERY_CHOICES = ("immediate", "daily")
# Kinds that must go out at once whatever the reader chose (the letter is needed for the ceremony).
ALWAYS_IMMEDIATE = {"invitation", "digest"}
# Where a session keeps the ids of the notice rows written in its transaction, for delivery after the commit.
WRITTEN_NOTICE_IDS = "new_notice_ids"


def _audience_criteria(group: str):
    """Who of the active users is told, given the parameters of `_audience_units`: `audience_unit_id`, the
    dossier's unit, `audience_unit_ids`, the departments that appraise it next, and the nominee's kind and name key
    for the conflicts of interest. (Parameter names that are not a dossier's columns: the statement may share them
    with the dossier's UPDATE.)"""
    return AUDIENCE_CRITERIA[group](bindparam("audience_unit_id", type_=Integer),
                                    bindparam("audience_unit_ids", expanding=True),
                                    (bindparam("audience_nominee_kind", type_=String),
                                     bindparam("audience_name_key", type_=String)))


AUDIENCE_CRITERIA = {
    "office": lambda unit, departments, nominee: members_of("office"),
    "appraisers": lambda unit, departments, nominee: and_(members_of("appraiser"), User.unit_id.in_(departments)),
    "council": lambda unit, departments, nominee: council_without_conflict(unit, *nominee),
    "submitters": lambda unit, departments, nominee: and_(members_of("submitter"), User.unit_id == unit),
}


def _audience_units(dossier: Dossier, step: Step) -> dict:
    """The units a transition's audience is drawn from. The appraisers told are those of the departments that take
    the appraisers' steps from where `step` leads: each unit such a step names as a party (several departments
    appraising together are all told), the responsible department for the others or when none is named."""
    following = [other for other in catalogue().get(dossier.procedure, dossier.procedure_version).steps
                 if other.source == step.dest]
    return {"audience_unit_id": dossier.unit_id, "audience_nominee_kind": dossier.nominee_kind,
            "audience_name_key": dossier.nominee_name_key,
            "audience_unit_ids": unit_ids_taking(following, "appraiser", dossier)
            or [dossier.award_type.responsible_unit_id]}


def transition_notices_statement(group: str, after=None):
    """The INSERT … SELECT of a transition's notices to `group`, with the parameters of
    `transition_notice_values`. Given `after`, a CTE, nothing is written unless it has a row."""
    notices = Notice.__table__
    rows = select(
        bindparam("key_prefix", type_=String) + cast(User.id, String),
        User.id,
        bindparam("dossier_id", type_=Integer),
        bindparam("kind", type_=String),
        bindparam("params", type_=notices.c.params.type),
        case((User.notice_delivery == "daily", NoticeStatus.HELD.value), else_=NoticeStatus.PENDING.value),
        literal(0),
        bindparam("notice_created_at", type_=notices.c.created_at.type),
    ).where(User.active.is_(True), _audience_criteria(group)).order_by(User.id)
    if after is not None:
        rows = rows.select_from(User.__table__.join(after, true()))
    columns = ["idempotency_key", "recipient_id", "dossier_id", "kind", "params", "status", "attempts", "created_at"]
    return insert(notices).from_select(columns, rows).returning(notices.c.id)


# Built once: a transition's notices are written by one INSERT … SELECT over the audience.
TRANSITION_NOTICES = {group: transition_notices_statement(group) for group in AUDIENCES}


def transition_notice_values(dossier: Dossier, step: Step, seq: int, comment: str | None, changes: dict) -> dict:
    """The parameters of the notices of the transition recorded as history row `seq`, which makes `changes`
    to the dossier."""
    return {"key_prefix": f"{step.event}:{dossier.id}:{seq}:", "dossier_id": dossier.id, "kind": step.event,
            "params": notice_params(dossier, step.event, comment, changes), "notice_created_at": utcnow(),
            **_audience_units(dossier, step)}


def unit_submitters(unit_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.active.is_(True), members_of("submitter"), User.unit_id == unit_id).order_by(User.id)))


def notice_params(dossier: Dossier, event: str, comment: str | None, changes: dict) -> dict:
    """What a transition's notice says, of the dossier as the transition's `changes` leave it."""
    after = {name: changes.get(name, getattr(dossier, name))
             for name in ("state", "due_date", "decision_number", "decision_date")}
    return {
        "event": event,
        "from_state": dossier.state,
        "state": after["state"],
        "nominee": dossier.nominee_name,
        "award_type": dossier.award_type.name,
        "campaign": dossier.campaign.name,
        "unit": dossier.unit.name,
        "comment": comment,
        "due_date": after["due_date"].isoformat() if after["due_date"] else None,
        "decision_number": after["decision_number"],
        "decision_date": after["decision_date"].isoformat() if after["decision_date"] else None,
    }


def new_notice(recipient: User, kind: str, params: dict, dossier_id: int | None = None,
               key: str | None = None) -> Notice:
    """A notice row, held for the digest when its reader chose one."""
    held = recipient.notice_delivery == "daily" and kind not in ALWAYS_IMMEDIATE
    notice = Notice(recipient_id=recipient.id, recipient=recipient, dossier_id=dossier_id, kind=kind,
                    params=params, status=NoticeStatus.HELD if held else NoticeStatus.PENDING)
    if key:
        notice.idempotency_key = key
    db.session.add(notice)
    return notice


def write_transition_notices(dossier: Dossier, step: Step, seq: int, comment: str | None,
                             changes: dict) -> list[int]:
    """The notices of the transition recorded as history row `seq`, one per active member of its audience;
    returns their ids."""
    group = step.notify
    if group is None:
        return []
    ids = list(db.session.scalars(TRANSITION_NOTICES[group],
                                  transition_notice_values(dossier, step, seq, comment, changes)))
    note_written(ids)
    return ids


def note_written(ids: list[int]) -> None:
    """Remember notices written other than as new objects of the session, to be sent after the commit."""
    db.session.info.setdefault(WRITTEN_NOTICE_IDS, []).extend(ids)


def existing_keys(keys: list[str]) -> set[str]:
    if not keys:
        return set()
    return set(db.session.scalars(select(Notice.idempotency_key).where(Notice.idempotency_key.in_(keys))))


# The inbox ---------------------------------------------------------------------------------------

def inbox(user: User, unread_only: bool = False, limit: int = 50) -> list[Notice]:
    query = select(Notice).where(Notice.recipient_id == user.id, Notice.kind != "digest")
    if unread_only:
        query = query.where(Notice.read_at.is_(None))
    return list(db.session.scalars(query.order_by(Notice.created_at.desc(), Notice.id.desc()).limit(limit)))


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count(Notice.id)).where(
        Notice.recipient_id == user.id, Notice.kind != "digest", Notice.read_at.is_(None))) or 0


def mark_all_read(user: User) -> int:
    """Mark every unread notice of `user` read; how many were."""
    result = db.session.execute(update(Notice).where(
        Notice.recipient_id == user.id, Notice.kind != "digest", Notice.read_at.is_(None)).values(read_at=utcnow()))
    return result.rowcount


def mark_notice_read(user: User, notice_id: int) -> Notice:
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.recipient_id != user.id:
        raise NotFound()
    if notice.read_at is None:
        notice.read_at = utcnow()
        db.session.flush()
    return notice


def set_notice_delivery(user: User, choice: str) -> list[int]:
    """Set the user's choice; returns the notices released from a digest, for the caller to send after commit."""
    if choice not in DELIVERY_CHOICES:
        raise ValidationFailed(details=[{"field": "notice_delivery",
                                         "message": Msg(N_("Choose immediate or daily delivery."))}])
    user.notice_delivery = choice
    released: list[int] = []
    if choice == "immediate":
        # What was waiting for a digest goes out now rather than waiting for a digest that never comes.
        released = list(db.session.scalars(select(Notice.id).where(
            Notice.recipient_id == user.id, Notice.status == NoticeStatus.HELD)))
        if released:
            db.session.execute(update(Notice).where(Notice.id.in_(released)).values(status=NoticeStatus.PENDING))
    db.session.flush()
    return released


# The office's view of delivery ---------------------------------------------------------------------

def notices_by_status(actor: User, status: str, limit: int = 200) -> list[Notice]:
    require(actor, "see_notice_delivery")
    return list(db.session.scalars(select(Notice).where(Notice.status == status)
                                   .order_by(Notice.created_at.desc(), Notice.id.desc()).limit(limit)))


def retry_notice(actor: User, notice_id: int) -> Notice:
    """Offer a failed notice again, with a fresh series of attempts."""
    require(actor, "see_notice_delivery")
    notice = db.session.get(Notice, notice_id)
    if notice is None:
        raise NotFound()
    if notice.status != NoticeStatus.FAILED:
        raise InvalidTransition(Msg(N_("Only a failed notice can be sent again.")))
    notice.status = NoticeStatus.PENDING
    notice.attempts = 0
    notice.next_attempt_at = None
    notice.claim_token = None
    db.session.flush()
    return notice


# The daily digest ------------------------------------------------------------------------------------

def write_digests(day: dt.date) -> list[Notice]:
    """One digest notice per reader with held notices; the held rows become part of it, in one transaction."""
    held = select(Notice).where(Notice.status == NoticeStatus.HELD).order_by(Notice.recipient_id, Notice.id)
    if db.session.get_bind().dialect.name == "postgresql":
        held = held.with_for_update(skip_locked=True, of=Notice)
    by_reader: dict[int, list[Notice]] = {}
    for notice in db.session.scalars(held):
        by_reader.setdefault(notice.recipient_id, []).append(notice)
    digests = []
    for rows in by_reader.values():
        key = f"digest:{rows[0].recipient_id}:{day.isoformat()}:{rows[0].id}"
        items = [{"id": row.id, "kind": row.kind, "dossier_id": row.dossier_id, "params": row.params}
                 for row in rows]
        digests.append(new_notice(rows[0].recipient, "digest", {"day": day.isoformat(), "items": items}, key=key))
        for row in rows:
            row.status = NoticeStatus.DIGESTED
    db.session.flush()
    return digests
