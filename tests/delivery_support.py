"""Real moving parts for the delivery tests: an SMTP server, a Redis server and Celery worker processes,
each on its own free port / in its own process group, stopped and restarted at will."""
from __future__ import annotations

import asyncio
import collections
import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis
from aiosmtpd.controller import Controller

from tests.conftest import service_missing

PROJECT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float = 60, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


class _Handler:
    def __init__(self, sink: MailSink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.sink.refused:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.sink.delay:
            # The time a slow server takes to commit the message; a client that vanishes meanwhile
            # makes aiosmtpd cancel this handler, as a real server drops an unfinished transaction.
            await asyncio.sleep(self.sink.delay)
        self.sink.received.append(email.message_from_bytes(envelope.content))
        return "250 2.0.0 Accepted"


class MailSink:
    """An SMTP server (aiosmtpd) on a free port that keeps every message it accepts."""

    def __init__(self, delay: float = 0.0):
        self.port = free_port()
        self.delay = delay
        self.refused: set[str] = set()
        self.received: list[email.message.Message] = []
        self.controller: Controller | None = None

    def start(self) -> MailSink:
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def keys(self) -> collections.Counter:
        """How many SMTP transactions delivered each notice key."""
        return collections.Counter(message["X-Notice-Key"] for message in list(self.received))


class RedisServer:
    """A redis-server of our own, so that stopping it disturbs nobody else's tests."""

    def __init__(self, tmp_path: Path):
        if shutil.which("redis-server") is None:
            service_missing("redis-server")
        self.port = free_port()
        self.dir = tmp_path
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        wait_for(lambda: _pings(client), 20, "redis-server to start")
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


def _pings(client) -> bool:
    try:
        return client.ping()
    except redis.RedisError:
        return False


class Workers:
    """Celery worker processes (`celery -A tasks worker`) against the test database, Redis and SMTP server."""

    def __init__(self, tmp_path: Path, env: dict[str, str]):
        self.tmp_path = tmp_path
        self.env = env
        self.processes: list[subprocess.Popen] = []

    def start(self, name: str, **extra_env) -> subprocess.Popen:
        log = open(self.tmp_path / f"worker-{name}.log", "wb")  # noqa: SIM115 - closed with the process
        env = {**os.environ, **self.env, **{k: str(v) for k, v in extra_env.items()}}
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tasks", "worker", "--pool", "solo", "--loglevel", "INFO",
             "-n", f"{name}-{os.getpid()}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen, sig=signal.SIGKILL) -> None:
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        process.wait(20)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                self.kill(process, signal.SIGTERM)
        self.processes.clear()
        for log in self.tmp_path.glob("worker-*.log"):
            text = log.read_text(errors="replace")
            assert "Traceback (most recent call last)" not in text, f"{log.name} holds a traceback:\n{text[-4000:]}"

    def log(self, name: str) -> str:
        return (self.tmp_path / f"worker-{name}.log").read_text(errors="replace")


def worker_env(database_url: str, redis_url: str, sink: MailSink, tmp_path: Path, **settings) -> dict[str, str]:
    env = {
        "APP_ENV": "testing",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(sink.port),
        "SMTP_TIMEOUT": "3",
        "SECRET_KEY": "test-secret",
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "MAIL_DIR": str(tmp_path / "mail"),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "NOTICE_RETRY_BASE_SECONDS": "0.5",
        "NOTICE_RETRY_MAX_SECONDS": "2",
        "NOTICE_MAX_ATTEMPTS": "20",
        "NOTICE_STALE_CLAIM_SECONDS": "6",
    }
    env.update({key: str(value) for key, value in settings.items()})
    return env


def restore_celery(flask_app) -> None:
    """Make the session app's (eager) Celery the current one again after a test built a queueing app."""
    celery = flask_app.extensions["celery"]
    celery.set_default()
    celery.set_current()
