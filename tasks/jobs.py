"""The jobs. They take ids, run in the app context, and are safe to run twice.

How a notice is sent exactly once
---------------------------------
1. Claim. A row goes pending → sending in its own committed transaction, with a fresh claim token.
   `deliver_notice` claims one row with a conditional UPDATE (only one of two racing workers
   matches `status = 'pending'`); the relay sweep picks rows with SELECT ... FOR UPDATE SKIP LOCKED
   on PostgreSQL so that relays running at once never pick the same row (SQLite has one writer).
2. Hand-over record. Once the SMTP server has accepted the envelope, `handed_over_at` is committed,
   then the content is sent. Before that point nothing can have reached a mailbox.
3. Sent. Right after the server's 250 the row is marked sent — only by the claim that owns it
   (same token), so a worker whose claim was recovered meanwhile cannot overwrite anything.

A worker killed between 1 and 3 leaves the row in `sending`; the relay recovers it after
NOTICE_STALE_CLAIM_SECONDS (longer than any send can take: SMTP_TIMEOUT bounds each step):
- never handed over → pending again, a plain retry: the message did not leave;
- handed over → the server may or may not hold it. It is sent again with the same Message-ID
  (the idempotency key), which mail stores treat as the same message, so the reader sees it once;
  the recovery logs each such notice. No other path ever sends a notice twice: the window is the
  few milliseconds between the server's 250 and our commit (this is the SMTP protocol's own
  limit, RFC 1047; no outbox can close it without the receiver's deduplication).

Failures: a 5xx answer is permanent (failed at once, with the error, for the office to see and
retry); anything else is retried with exponential backoff (NOTICE_RETRY_BASE_SECONDS, doubling, at
most NOTICE_RETRY_MAX_SECONDS) up to NOTICE_MAX_ATTEMPTS. The next try time is kept in the row, so
a retry survives the loss of its Celery message: the relay sweep finds the row when it is due.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
import uuid

from celery import shared_task
from flask import current_app
from sqlalchemy import or_, select, update

from tasks.mail import build_message, is_permanent, send_message
from workflow.i18n import today
from workflow.invitations import send_invitations
from workflow.models import Campaign, Notice, NoticeStatus, db, utcnow
from workflow.notices import write_digests
from workflow.reminders import write_reminders
from workflow.unit_of_work import commit

log = logging.getLogger(__name__)


def setting(name: str, default: float) -> float:
    return float(current_app.config.get(name, default))


def log_job(task: str, started: float, **fields) -> None:
    """One structured line per job run: the fields are keys of its JSON line (logs.JsonFormatter)."""
    fields = {"task": task, **fields, "duration_ms": round((time.monotonic() - started) * 1000, 1)}
    log.info("job %s: %s", task, fields.get("outcome"), extra={"fields": fields})


def _due(now: dt.datetime):
    return (Notice.status == NoticeStatus.PENDING, or_(Notice.next_attempt_at.is_(None), Notice.next_attempt_at <= now))


def claim(notice_id: int) -> str | None:
    """Take the notice for sending; only one worker can win it. Returns the claim token."""
    now = utcnow()
    token = uuid.uuid4().hex
    # A retry's countdown ends when next_attempt_at does; a second of slack absorbs clock rounding.
    result = db.session.execute(
        update(Notice).where(Notice.id == notice_id, *_due(now + dt.timedelta(seconds=1)))
        .values(status=NoticeStatus.SENDING, claimed_at=now, claim_token=token, handed_over_at=None,
                attempts=Notice.attempts + 1))
    db.session.commit()
    return token if result.rowcount == 1 else None


def claim_next() -> tuple[int, str] | None:
    """Claim the oldest due notice nobody else is claiming."""
    now = utcnow()
    query = select(Notice.id).where(*_due(now)).order_by(Notice.id).limit(1)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    notice_id = db.session.scalar(query)
    if notice_id is None:
        db.session.commit()
        return None
    token = uuid.uuid4().hex
    result = db.session.execute(
        update(Notice).where(Notice.id == notice_id, Notice.status == NoticeStatus.PENDING)
        .values(status=NoticeStatus.SENDING, claimed_at=now, claim_token=token, handed_over_at=None,
                attempts=Notice.attempts + 1))
    db.session.commit()
    return (notice_id, token) if result.rowcount == 1 else claim_next()


def _owned(notice_id: int, token: str):
    return update(Notice).where(Notice.id == notice_id, Notice.claim_token == token,
                                Notice.status == NoticeStatus.SENDING)


def send_claimed(notice_id: int, token: str) -> tuple[str, float]:
    """Send a notice this worker has claimed; returns the outcome and, for a retry, its delay in seconds."""
    notice = db.session.get(Notice, notice_id, populate_existing=True)

    def record_hand_over() -> None:
        db.session.execute(_owned(notice_id, token).values(handed_over_at=utcnow()))
        db.session.commit()

    try:
        send_message(build_message(notice), notice.idempotency_key, before_data=record_hand_over)
    except Exception as error:  # noqa: BLE001 - any failure to send is retried, then recorded
        db.session.rollback()
        return _record_failure(notice_id, token, error)
    db.session.execute(_owned(notice_id, token).values(status=NoticeStatus.SENT, sent_at=utcnow(), last_error=None,
                                                       next_attempt_at=None))
    db.session.commit()
    return "sent", 0.0


def _record_failure(notice_id: int, token: str, error: Exception) -> tuple[str, float]:
    notice = db.session.get(Notice, notice_id)
    db.session.refresh(notice)
    message = f"{type(error).__name__}: {error}"[:2000]
    final = is_permanent(error) or notice.attempts >= setting("NOTICE_MAX_ATTEMPTS", 5)
    delay = min(setting("NOTICE_RETRY_BASE_SECONDS", 30) * 2 ** (notice.attempts - 1),
                setting("NOTICE_RETRY_MAX_SECONDS", 600))
    values = {"last_error": message, "claim_token": None}
    if final:
        values["status"] = NoticeStatus.FAILED
    else:
        values.update(status=NoticeStatus.PENDING, next_attempt_at=utcnow() + dt.timedelta(seconds=delay))
    db.session.execute(_owned(notice_id, token).values(**values))
    db.session.commit()
    log.warning("notice %s not sent (attempt %s): %s", notice_id, notice.attempts, message)
    return ("failed", 0.0) if final else ("retry", delay)


@shared_task(bind=True, max_retries=None)
def deliver_notice(self, notice_id: int) -> str:
    started = time.monotonic()
    token = claim(notice_id)
    outcome, delay = send_claimed(notice_id, token) if token else ("skipped", 0.0)
    log_job("deliver_notice", started, notice_id=notice_id, outcome=outcome)
    if outcome == "retry":
        # The countdown stays far below the broker's visibility timeout; if this message is lost the
        # relay sweep still finds the row once next_attempt_at has passed.
        raise self.retry(countdown=delay)
    return outcome


def recover_stale_claims() -> list[int]:
    """Give back claims whose worker never reported: it died, or lost its database connection."""
    cutoff = utcnow() - dt.timedelta(seconds=setting("NOTICE_STALE_CLAIM_SECONDS", 900))
    stale = list(db.session.execute(select(Notice.id, Notice.handed_over_at).where(
        Notice.status == NoticeStatus.SENDING, Notice.claimed_at < cutoff)))
    for notice_id, handed_over_at in stale:
        note = ("worker stopped after handing the message to the mail server; sent again with the same Message-ID"
                if handed_over_at else "worker stopped before sending")
        db.session.execute(update(Notice).where(Notice.id == notice_id, Notice.status == NoticeStatus.SENDING,
                                                Notice.claimed_at < cutoff)
                           .values(status=NoticeStatus.PENDING, claim_token=None, next_attempt_at=None,
                                   last_error=note))
        log.warning("notice %s recovered: %s", notice_id, note,
                    extra={"fields": {"task": "recover_stale_claims", "notice_id": notice_id,
                                      "handed_over": handed_over_at is not None}})
    db.session.commit()
    return [notice_id for notice_id, _ in stale]


@shared_task
def relay_pending_notices() -> int:
    """Send every due notice: those whose job could not be queued, whose retry is due, or whose worker died."""
    started = time.monotonic()
    recovered = recover_stale_claims()
    outcomes: dict[str, int] = {}
    for _ in range(int(setting("NOTICE_RELAY_BATCH", 500))):
        claimed = claim_next()
        if claimed is None:
            break
        outcome, _delay = send_claimed(*claimed)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    log_job("relay_pending_notices", started, recovered=len(recovered), outcome=outcomes)
    return sum(outcomes.values())


@shared_task
def send_reminders() -> int:
    started = time.monotonic()
    rows = write_reminders(today())
    commit()
    log_job("send_reminders", started, notices=len(rows), outcome="written")
    return len(rows)


@shared_task
def send_digests() -> int:
    started = time.monotonic()
    rows = write_digests(today())
    commit()
    log_job("send_digests", started, notices=len(rows), outcome="written")
    return len(rows)


@shared_task
def send_campaign_invitations(campaign_id: int) -> int:
    started = time.monotonic()
    campaign = db.session.get(Campaign, campaign_id)
    rows = send_invitations(campaign) if campaign else []
    commit()
    log_job("send_campaign_invitations", started, campaign_id=campaign_id, notices=len(rows),
            outcome="written" if campaign else "no_such_campaign")
    return len(rows)
