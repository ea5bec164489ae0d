"""The end of a unit of work: commit, then hand the notices it wrote to the app's sender.

A listener notes the notice rows each flush writes; `commit()` commits and passes their ids to the
sender the app installed (the jobs queue one delivery per row). The sender runs only after the
commit, so a job never looks for a row that is not there yet; without a sender, or when it cannot
queue, the rows stay pending for the relay sweep.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from workflow.models import Notice, db
from workflow.notices import WRITTEN_NOTICE_IDS

NOTICE_SENDER = "notice_sender"  # the key of the app's sender in `app.extensions`


def install_notice_sender(app, send: Callable[[list[int]], None]) -> None:
    """`send(ids)` is called with the ids of the notices each commit of this app wrote."""
    if not event.contains(Session, "after_flush", _collect_new_notices):
        event.listen(Session, "after_flush", _collect_new_notices)
        event.listen(Session, "after_soft_rollback", _forget_notices)
    app.extensions[NOTICE_SENDER] = send


def _collect_new_notices(session: Session, _context) -> None:
    ids = [obj.id for obj in session.new if isinstance(obj, Notice)]
    if ids:
        session.info.setdefault(WRITTEN_NOTICE_IDS, []).extend(ids)


def _forget_notices(session: Session, _previous) -> None:
    session.info.pop(WRITTEN_NOTICE_IDS, None)


def commit() -> None:
    """Commit the unit of work, then send the notices it wrote."""
    db.session.commit()
    send_committed_notices()


def send_committed_notices() -> None:
    ids = db.session.info.pop(WRITTEN_NOTICE_IDS, [])
    send = current_app.extensions.get(NOTICE_SENDER)
    if ids and send is not None:
        send(ids)
