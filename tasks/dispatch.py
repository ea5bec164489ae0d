"""Queueing the delivery of notices, once the commit that wrote them is done.

`install_notice_dispatch` makes `queue_delivery` the app's notice sender (workflow/unit_of_work.py).
If the broker is unreachable the rows stay pending and the relay sweep delivers them later, so a
user's request never fails or waits on Redis.
"""
from __future__ import annotations

import contextlib
import logging
import os
import threading

from flask import Flask

from tasks.celery_app import own_task
from workflow.unit_of_work import install_notice_sender

log = logging.getLogger(__name__)
PUBLISH_CONNECT_TIMEOUT = 1.0


def install_notice_dispatch(app: Flask) -> None:
    install_notice_sender(app, queue_delivery)


def queue_delivery(ids: list[int]) -> None:
    """Queue one delivery job per committed notice; never raises, and gives up at once when Redis is away.

    Celery's pooled producer retries a refused connection for seconds before it fails; here a
    connection without connection retries fails in milliseconds and the relay sweep sends the rows
    instead.
    """
    from tasks.jobs import deliver_notice

    if not ids:
        return
    task = own_task(deliver_notice)
    if task.app.conf.task_always_eager:
        for notice_id in ids:
            task.delay(notice_id)
        return
    try:
        conn = _publishing_connection(task.app)
        for notice_id in ids:
            task.apply_async((notice_id,), connection=conn, retry=False)
    except Exception:  # noqa: BLE001 - any broker failure leaves the rows for the relay sweep
        _close_publishing_connection()
        log.warning("broker unavailable; notices %s left for the relay sweep", ids, exc_info=True)


class _KeptConnection(threading.local):
    """This thread's broker connection, the Celery app it belongs to and the process that opened it."""

    celery = None
    pid = None
    conn = None


_kept = _KeptConnection()


def _publishing_connection(celery):
    """This thread's broker connection for `celery`, kept from one request to the next.

    Opening one per request (a TCP connection, a health check, the queue's declaration) cost several
    times the publishing itself. A connection whose socket went away is reopened by redis-py when it
    is next used; one inherited across a fork is left alone.
    """
    if _kept.celery is celery and _kept.pid == os.getpid():
        return _kept.conn
    _close_publishing_connection()
    options = {**(celery.conf.broker_transport_options or {}), "max_retries": 0}
    _kept.conn = celery.connection_for_write(connect_timeout=PUBLISH_CONNECT_TIMEOUT, transport_options=options)
    _kept.celery, _kept.pid = celery, os.getpid()
    return _kept.conn


def _close_publishing_connection() -> None:
    conn, opened_here = _kept.conn, _kept.pid == os.getpid()
    _kept.celery = _kept.pid = _kept.conn = None
    if conn is not None and opened_here:
        with contextlib.suppress(Exception):
            conn.release()
