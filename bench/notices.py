"""5. Notice delivery: committed notice rows queued the production way (`send_committed_notices`, one
Celery job per row on Redis) and sent by a real `celery -A tasks worker` (prefork, two processes as in
docker-compose) to a real SMTP server (aiosmtpd), timed until every row is `sent` in PostgreSQL and
every message has reached the server; versus a plain loop that renders the same messages with the
product's `build_message` and sends them one by one over one smtplib connection to the same server.

The worker is started once, before any timing. The server counts the messages of each notice key:
every round must deliver each of its notices exactly once.
"""
from __future__ import annotations

import collections
import os
import signal
import smtplib
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from email.parser import BytesHeaderParser
from pathlib import Path

from aiosmtpd.controller import Controller
from flask import current_app
from sqlalchemy import func, select

from bench.harness import (
    HISTORY_KEY, SECRET_KEY, Scale, at_least, make_app, postgres_database, redis_database, scratch_dir,
)
from bench.workload import SUBMISSION, prepare_cast, prepare_drafts
from tasks.mail import build_message
from workflow.models import Dossier, Notice, User, db
from workflow.notices import new_notice, notice_params
from workflow.unit_of_work import send_committed_notices

ORDER = 5
PROJECT = Path(__file__).resolve().parent.parent
WORKER_PROCESSES = 2  # docker-compose's `--concurrency=2`, and this machine's two cores
WORKER_START_TIMEOUT = 60


class Inbox:
    """An aiosmtpd handler that counts the messages it accepts, by notice key."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received = 0
        self.keys: collections.Counter[str] = collections.Counter()

    async def handle_DATA(self, server, session, envelope):
        key = BytesHeaderParser().parsebytes(envelope.original_content or envelope.content)["X-Notice-Key"]
        with self.lock:
            self.received += 1
            self.keys[key] += 1
        return "250 2.0.0 Accepted"

    def count(self) -> int:
        with self.lock:
            return self.received

    def times_received(self, keys: list[str]) -> collections.Counter[int]:
        """How many of `keys` arrived how many times (exactly once each: {1: len(keys)})."""
        with self.lock:
            return collections.Counter(self.keys[key] for key in keys)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_worker(database_url: str, redis_url: str, smtp_port: int, folder: Path) -> tuple[subprocess.Popen, str]:
    """`celery -A tasks worker` as docker-compose runs it, in a process group of its own; returns it and its name."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("SMTP_USER", "SMTP_PASSWORD", "SMTP_STARTTLS", "MAIL_DIR")}
    env.update(APP_ENV="production", DATABASE_URL=database_url, REDIS_URL=redis_url, SMTP_HOST="127.0.0.1",
               SMTP_PORT=str(smtp_port), SECRET_KEY=SECRET_KEY, HISTORY_KEY=HISTORY_KEY,
               INSTANCE_DIR=str(folder / "instance"), UPLOAD_DIR=str(folder / "uploads"),
               EXPORT_DIR=str(folder / "exports"))
    name = f"bench-notices-{uuid.uuid4().hex[:8]}@%h"
    with open(folder / "worker.log", "wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tasks", "worker", f"--concurrency={WORKER_PROCESSES}",
             "--loglevel=info", "-n", name, "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    return worker, name.replace("%h", socket.gethostname())


def wait_until_ready(worker: subprocess.Popen, hostname: str, folder: Path) -> None:
    control = current_app.extensions["celery"].control
    deadline = time.monotonic() + WORKER_START_TIMEOUT
    while not control.ping(destination=[hostname], timeout=1):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the Celery worker did not start:\n{worker_log(folder)}")


def stop(worker: subprocess.Popen) -> None:
    """Stop the worker and its pool processes (their process group), at once if they linger."""
    for sig, patience in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(worker.pid, sig)
        except ProcessLookupError:
            return
        try:
            worker.wait(patience)
            return
        except subprocess.TimeoutExpired:
            continue


def worker_log(folder: Path) -> str:
    return (folder / "worker.log").read_text(errors="replace")[-4000:]


def write_notices(dossier_id: int, recipient_ids: list[int], count: int) -> list[Notice]:
    """`count` pending notices of a submission, as the workflow writes them, committed (not yet queued)."""
    dossier = db.session.get(Dossier, dossier_id)
    recipients = [db.session.get(User, user_id) for user_id in recipient_ids]
    params = notice_params(dossier, SUBMISSION.event, None, {})
    notices = [new_notice(recipients[n % len(recipients)], SUBMISSION.event, params, dossier_id)
               for n in range(count)]
    db.session.commit()
    return notices


def sent(ids: list[int]) -> int:
    count = db.session.scalar(select(func.count()).where(Notice.id.in_(ids), Notice.status == "sent"))
    db.session.commit()
    return count


def deliver_through_worker(ids: list[int], inbox: Inbox, worker: subprocess.Popen, folder: Path,
                           timeout: float) -> None:
    """Queue the committed notices as a request does after its commit, and wait until all are sent."""
    expected = inbox.count() + len(ids)
    deadline = time.monotonic() + timeout
    send_committed_notices()
    while inbox.count() < expected or sent(ids) < len(ids):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{sent(ids)} of {len(ids)} notices sent, {inbox.count()} messages received"
                               f"\n{worker_log(folder)}")
        time.sleep(0.005)


def send_in_a_loop(notices: list[Notice]) -> None:
    """The baseline: render each message and send it, one after the other, over one connection."""
    config = current_app.config
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"]) as smtp:
        for notice in notices:
            message = build_message(notice)
            smtp.sendmail(config["MAIL_FROM"], [message["To"]],
                          message.as_bytes(policy=message.policy.clone(linesep="\r\n")))


def loose_copies(notices: list[Notice]) -> list[Notice]:
    """Notices with the same content and fresh keys, kept out of the database (the loop has no outbox)."""
    return [Notice(recipient_id=notice.recipient_id, recipient=notice.recipient, dossier_id=notice.dossier_id,
                   kind=notice.kind, params=notice.params, idempotency_key=uuid.uuid4().hex) for notice in notices]


def run(scale: Scale):
    count = scale.pick(500, 10)
    timeout = scale.pick(300, 60)
    inbox = Inbox()
    smtp_server = Controller(inbox, hostname="127.0.0.1", port=free_port())
    with postgres_database() as url, redis_database() as redis_url, scratch_dir() as folder:
        app = make_app(folder, url, REDIS_URL=redis_url, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port)
        smtp_server.start()
        worker = None
        try:
            with app.app_context():
                cast = prepare_cast()
                dossier_id = prepare_drafts(cast, 1)[0]
                recipients = [cast.submitter, cast.office, cast.appraiser, cast.chair, *cast.council]
                worker, hostname = start_worker(url, redis_url, smtp_server.port, folder)
                wait_until_ready(worker, hostname, folder)
                times: dict[str, list[float]] = {"ours": [], "loop": []}
                ours_keys: list[str] = []
                for round_number in range(scale.repeat + 1):  # the first round warms both sides up
                    notices = write_notices(dossier_id, recipients, count)
                    ids, keys = [n.id for n in notices], [n.idempotency_key for n in notices]
                    started = time.perf_counter()
                    deliver_through_worker(ids, inbox, worker, folder, timeout)
                    ours_seconds = time.perf_counter() - started
                    ours_keys += keys

                    copies = loose_copies(notices)
                    received = inbox.count()
                    started = time.perf_counter()
                    send_in_a_loop(copies)
                    loop_seconds = time.perf_counter() - started
                    if inbox.count() - received != count:
                        raise RuntimeError(f"the loop's {count} messages arrived {inbox.count() - received} times")
                    if round_number:
                        times["ours"].append(ours_seconds)
                        times["loop"].append(loop_seconds)
                time.sleep(scale.pick(1.0, 0.2))  # a duplicate would arrive late: give it the time to
                once_each = inbox.times_received(ours_keys)
                attempts = set(db.session.scalars(select(Notice.attempts).where(Notice.status == "sent")))
                db.session.commit()
                if once_each != {1: len(ours_keys)} or attempts != {1}:
                    raise RuntimeError(f"not every notice arrived once: {once_each} times, attempts {attempts}")
                db.engine.dispose()
        finally:
            if worker is not None:
                stop(worker)
            smtp_server.stop()
            app.extensions["celery"].close()
    ours_rate = count / statistics.median(times["ours"])
    loop_rate = count / statistics.median(times["loop"])
    yield at_least("notice_delivery", ours_rate / loop_rate, 0.5,
                   f"outbox → Redis → Celery ({WORKER_PROCESSES} worker processes) → SMTP {ours_rate:.0f} msgs/s, "
                   f"plain smtplib loop {loop_rate:.0f} msgs/s ({count} notices a round, each received exactly "
                   f"once; median of {scale.repeat})")
