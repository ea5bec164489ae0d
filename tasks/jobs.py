"""The jobs. They take ids, run in the app context, and are safe to run twice."""
from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from sqlalchemy import select, update

from tasks.mail import build_message, send_message
from workflow.models import Notice, db, utcnow

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
# A notice claimed this long ago whose worker never reported back is offered again.
STALE_CLAIM = dt.timedelta(minutes=15)


def claim(notice_id: int) -> bool:
    """Take the notice for sending; only one worker can win it."""
    result = db.session.execute(
        update(Notice).where(Notice.id == notice_id, Notice.status == "pending")
        .values(status="sending", claimed_at=utcnow(), attempts=Notice.attempts + 1))
    db.session.commit()
    return result.rowcount == 1


@shared_task(bind=True, max_retries=MAX_ATTEMPTS - 1)
def deliver_notice(self, notice_id: int) -> str:
    if not claim(notice_id):
        return "skipped"
    notice = db.session.get(Notice, notice_id)
    try:
        send_message(build_message(notice), notice.idempotency_key)
    except Exception as error:  # noqa: BLE001 - any failure to send is retried, then recorded
        final = notice.attempts >= MAX_ATTEMPTS
        notice.status = "failed" if final else "pending"
        notice.last_error = f"{type(error).__name__}: {error}"[:2000]
        db.session.commit()
        log.warning("notice %s not sent (attempt %s): %s", notice_id, notice.attempts, error)
        if final:
            return "failed"
        raise self.retry(countdown=min(2 ** notice.attempts * 5, 600), exc=error) from None
    notice.status = "sent"
    notice.sent_at = utcnow()
    notice.last_error = None
    db.session.commit()
    return "sent"


@shared_task
def relay_pending_notices() -> int:
    """Queue every notice still waiting: those whose job could not be sent, or whose worker died."""
    db.session.execute(update(Notice).where(Notice.status == "sending", Notice.claimed_at < utcnow() - STALE_CLAIM)
                       .values(status="pending"))
    db.session.commit()
    ids = list(db.session.scalars(select(Notice.id).where(Notice.status == "pending").order_by(Notice.id)))
    for notice_id in ids:
        deliver_notice.delay(notice_id)
    return len(ids)
