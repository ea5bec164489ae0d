"""3. Transition throughput through the HTTP API under gunicorn, with concurrent clients on loopback,
versus a minimal Flask endpoint doing the same SQL in the same server.

gunicorn runs as docker-compose.yml runs it (sync workers, one request at a time each, the access
log on) and serves bench/http_server.py: the product's app on PostgreSQL and Redis (a request
queues its notices' delivery jobs; no worker runs, the jobs just wait) plus the baseline endpoints.
Each client thread drives dossiers of its own through full lifecycles, one request per transition
and per vote; any answer other than 2xx is an error.
"""
from __future__ import annotations

import contextlib
import dataclasses
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import gunicorn.config

from bench import http_server
from bench.harness import (
    Scale, at_least, interleaved_medians, make_app, postgres_database, redis_database, scratch_dir,
)
from bench.workload import (
    LIFECYCLE, TRANSITIONS_PER_LIFECYCLE, VOTE, Cast, prepare_cast, prepare_drafts, with_dates,
)
from workflow.accounts import issue_token
from workflow.models import HISTORY_GENESIS, User, db

ORDER = 3
PROJECT_DIR = Path(__file__).resolve().parent.parent
WORKERS = 3  # as docker-compose.yml and the Dockerfile start gunicorn: sync workers, no threads
THREADS = 1


class Client:
    """One client's HTTP/1.1 connection. gunicorn's sync workers close it after each answer (in production
    a proxy keeps the browsers' connections), so http.client connects anew for the next request."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.errors: list[str] = []

    def post(self, path: str, body: dict, token: str | None = None) -> dict | None:
        """The answer's JSON, or None after noting an error (a failed request or any status but 2xx)."""
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            self.connection.request("POST", path, json.dumps(body), headers)
            response = self.connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.errors.append(f"POST {path}: {error!r}")
            return None
        if not 200 <= response.status < 300:
            text = " ".join(payload.decode(errors="replace").split())
            self.errors.append(f"POST {path}: {response.status} {text[:300]}")
            return None
        return json.loads(payload)

    def close(self) -> None:
        self.connection.close()


def api_lifecycle(client: Client, cast: Cast, tokens: dict[int, str], dossier_id: int) -> None:
    """Draft to conferral through the public API, each step by the user whose role it is."""
    version = 1
    for event, fields in LIFECYCLE:
        if event == VOTE:
            for member_id in cast.council:
                if client.post(f"/api/v1/dossiers/{dossier_id}/votes", {"vote": "agree"}, tokens[member_id]) is None:
                    return
            continue
        body = {"event": event, "version": version, **with_dates(fields, as_text=True)}
        dossier = client.post(f"/api/v1/dossiers/{dossier_id}/events", body, tokens[cast.actor_for(event)])
        if dossier is None:
            return
        version = dossier["version"]


def raw_lifecycle(client: Client, cast: Cast, dossier_id: int) -> None:
    """The same steps, as many requests, through the baseline endpoints."""
    version, previous = 1, HISTORY_GENESIS
    for event, _ in LIFECYCLE:
        if event == VOTE:
            for member_id in cast.council:
                if client.post(f"/bench/raw/dossiers/{dossier_id}/votes", {"member": member_id}) is None:
                    return
            continue
        step = client.post(f"/bench/raw/dossiers/{dossier_id}/events",
                           {"event": event, "version": version, "previous": previous})
        if step is None:
            return
        version, previous = step["version"], step["hash"]


def drive(port: int, lifecycle: Callable[[Client, int], None], batches: list[list[int]], errors: list[str]) -> None:
    """One thread per batch, all at once, each taking its dossiers through `lifecycle` in turn."""

    def client_thread(batch: list[int]) -> None:
        client = Client(port)
        try:
            for dossier_id in batch:
                lifecycle(client, dossier_id)
        finally:
            client.close()
            errors.extend(client.errors)

    threads = [threading.Thread(target=client_thread, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def gunicorn_command(listening_fd: int) -> list[str]:
    command = [sys.executable, "-m", "gunicorn", "--bind", f"fd://{listening_fd}", "--workers", str(WORKERS),
               "--threads", str(THREADS), "--access-logfile", "-", "bench.http_server:create_server()"]
    if any(setting.name == "control_socket_disable" for setting in gunicorn.config.KNOWN_SETTINGS):
        command.insert(-1, "--no-control-socket")  # gunicorn 25+ would share one under ~/.gunicorn with any other
    return command


@contextlib.contextmanager
def gunicorn_server(folder: Path, database_url: str, redis_url: str, cast: Cast) -> Iterator[int]:
    """gunicorn serving bench/http_server.py on a free loopback port (yielded), stopped afterwards."""
    listener = socket.create_server(("127.0.0.1", 0))  # handed over, so that no other process can take the port
    port = listener.getsockname()[1]
    environment = {**os.environ, http_server.DATABASE_URL: database_url, http_server.REDIS_URL: redis_url,
                   http_server.FOLDER: str(folder), http_server.CAST: json.dumps(dataclasses.asdict(cast))}
    log_path = folder / "gunicorn.log"
    with listener, open(log_path, "wb") as log:
        process = subprocess.Popen(
            gunicorn_command(listener.fileno()), cwd=PROJECT_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT,
            pass_fds=(listener.fileno(),), start_new_session=True)
    try:
        wait_until_healthy(port, process, log_path)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # its own session: the master and its workers
            process.wait()


def wait_until_healthy(port: int, process: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        finally:
            connection.close()
        time.sleep(0.2)
    log_tail = log_path.read_text(errors="replace")[-3000:]
    raise RuntimeError(f"gunicorn did not become healthy (exit status {process.poll()}):\n{log_tail}")


def issue_tokens(cast: Cast) -> dict[int, str]:
    """An API token for each of the cast, keyed by user id (signing in through the API would only add
    a password hash per user to the setup)."""
    tokens = {user_id: issue_token(db.session.get(User, user_id), hours=1)[0]
              for user_id in (cast.submitter, cast.office, cast.appraiser, cast.chair, *cast.council)}
    db.session.commit()
    return tokens


def rounds_of_batches(ids: list[int], clients: int, lifecycles: int) -> Iterator[list[list[int]]]:
    """Each round's batches, one of `lifecycles` dossiers per client, in the order the rounds take them."""
    per_round = clients * lifecycles
    for start in range(0, len(ids), per_round):
        round_ids = ids[start:start + per_round]
        yield [round_ids[client * lifecycles:(client + 1) * lifecycles] for client in range(clients)]


def run(scale: Scale):
    clients = scale.pick(8, 2)
    lifecycles = scale.pick(6, 1)  # per client and round
    rounds = scale.repeat + 1  # the first warms up the workers: imports, connections, statement caches
    with postgres_database() as url, redis_database() as redis_url, scratch_dir() as folder:
        app = make_app(folder, url)
        with app.app_context():
            cast = prepare_cast()
            tokens = issue_tokens(cast)
            drafts = {side: prepare_drafts(cast, rounds * clients * lifecycles) for side in ("ours", "raw")}
            app.extensions["sqlalchemy"].engine.dispose()
        batches = {side: rounds_of_batches(ids, clients, lifecycles) for side, ids in drafts.items()}
        errors: list[str] = []
        with gunicorn_server(folder, url, redis_url, cast) as port:
            works = {
                "ours": lambda: drive(port, lambda client, dossier_id: api_lifecycle(client, cast, tokens, dossier_id),
                                      next(batches["ours"]), errors),
                "raw": lambda: drive(port, lambda client, dossier_id: raw_lifecycle(client, cast, dossier_id),
                                     next(batches["raw"]), errors),
            }
            for work in works.values():
                work()
            seconds = interleaved_medians(works, scale.repeat)
            server_log = (folder / "gunicorn.log").read_text(errors="replace")
    transitions = clients * lifecycles * TRANSITIONS_PER_LIFECYCLE
    ours_rate, raw_rate = transitions / seconds["ours"], transitions / seconds["raw"]
    details = (f"ours {ours_rate:.0f} transitions/s, minimal Flask+SQL {raw_rate:.0f}/s, {clients} clients, "
               f"gunicorn {WORKERS} workers x {THREADS} threads, errors {len(errors)} "
               f"({lifecycles} lifecycles per client with 3 votes each, median of {scale.repeat})")
    if errors:
        yield at_least("http_throughput", 0.0, 0.5, details + f"; first error: {errors[0]}")
        problems = "\n".join(line for line in server_log.splitlines()
                             if not line.startswith("127.0.0.1 ") and " INFO " not in line)
        raise RuntimeError(f"{len(errors)} requests failed, the first: {errors[0]}\n"
                           f"the server's warnings and errors:\n{problems[-5000:]}")
    yield at_least("http_throughput", ours_rate / raw_rate, 0.5, details)
