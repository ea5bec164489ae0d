"""Several nodes on one PostgreSQL, one Redis and one object store: two gunicorn servers and two Celery workers,
each with local folders of its own, as on separate machines."""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
import requests

from tests.conftest import free_ports
from tests.factories import PASSWORD, PDF
from tests.test_honours_list import LIST_URL, conferred
from workflow.accounts import issue_token
from workflow.models import db

PROJECT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
pytestmark = [pytest.mark.worker, pytest.mark.redis]


def node_environment(app, folder: Path, postgres_url: str, redis_url: str) -> dict:
    """What an operator gives every node: the shared services and keys; the folders are the node's own."""
    config = app.config
    folder.mkdir(parents=True)
    return {**os.environ, "APP_ENV": "testing", "DATABASE_URL": postgres_url, "REDIS_URL": redis_url,
            "SECRET_KEY": config["SECRET_KEY"], "HISTORY_KEY": config["HISTORY_KEY"],
            "STORAGE_URL": config["STORAGE_URL"], "STORAGE_ACCESS_KEY": config["STORAGE_ACCESS_KEY"],
            "STORAGE_SECRET_KEY": config["STORAGE_SECRET_KEY"], "EXPORT_ASYNC_ROWS": "0",
            "INSTANCE_DIR": str(folder / "instance"), "UPLOAD_DIR": str(folder / "uploads"),
            "EXPORT_DIR": str(folder / "exports"), "MAIL_DIR": str(folder / "mail")}


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running(command: list[str], env: dict, log: Path):
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            stop(process)


def web_server(env: dict, port: int, log: Path):
    return running([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                    "--timeout", "120", "wsgi:app"], env, log)


def worker(env: dict, name: str, log: Path):
    return running([sys.executable, "-m", "celery", "-A", "tasks", "worker", "--pool=solo", "--concurrency=1",
                    f"--hostname={name}@%h", "--without-mingle", "--without-gossip", "--loglevel=warning"], env, log)


def wait_until(check, what: str, logs: list[Path], seconds: float = 120):
    deadline = time.monotonic() + seconds
    while True:
        try:
            found = check()
        except (requests.ConnectionError, requests.Timeout):
            found = None
        if found:
            return found
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-2000:]}" for log in logs)
            pytest.fail(f"{what} did not happen in time\n{tails}", pytrace=False)
        time.sleep(0.3)


@pytest.mark.parametrize("storage_backend", ["s3"])
def test_two_servers_and_two_workers_share_files_sessions_and_limits(app, factory, tmp_path, postgres_url,
                                                                     redis_url, storage_backend):
    redis.Redis.from_url(redis_url).flushdb()  # no sign-in failures counted by earlier tests
    conferred(factory, "Trần Thị Ưng")
    draft = factory.dossier("draft", unit="ba-dinh")
    submitter = factory.user_once("submitter", "ba-dinh")
    office = factory.user_once("office", "van-phong")
    submitter_token, _ = issue_token(submitter, 1)
    office_token, _ = issue_token(office, 1)
    db.session.commit()
    ports = free_ports(2)
    servers = [f"http://127.0.0.1:{port}" for port in ports]
    logs = [tmp_path / name for name in ("web-a.log", "web-b.log", "worker-1.log", "worker-2.log")]
    env = [node_environment(app, tmp_path / name, postgres_url, redis_url) for name in ("a", "b", "w1", "w2")]

    with web_server(env[0], ports[0], logs[0]), web_server(env[1], ports[1], logs[1]):
        for server in servers:
            wait_until(lambda server=server: requests.get(f"{server}/healthz", timeout=5).ok, f"{server} start", logs)

        # A document uploaded through one server downloads through the other, checked against its hash.
        submitter_api = requests.Session()
        submitter_api.headers["Authorization"] = f"Bearer {submitter_token}"
        uploaded = submitter_api.post(f"{servers[0]}/api/v1/dossiers/{draft.id}/documents", data={"kind": "other"},
                                      files={"file": ("to-trinh.pdf", PDF)}, timeout=60)
        assert uploaded.status_code == 201, uploaded.text
        downloaded = submitter_api.get(f"{servers[1]}/api/v1/dossiers/{draft.id}/documents/{uploaded.json()['id']}",
                                       timeout=60)
        assert downloaded.status_code == 200 and downloaded.content == PDF
        assert uploaded.json()["sha256"] == hashlib.sha256(downloaded.content).hexdigest()

        # An export made by either worker downloads from either server.
        office_api = requests.Session()
        office_api.headers["Authorization"] = f"Bearer {office_token}"

        def export_made_through(server: str) -> dict:
            started = office_api.post(f"{server}{LIST_URL}/exports", json={"format": "xlsx"}, timeout=60)
            assert started.status_code == 202, started.text

            def done():
                job = office_api.get(f"{server}/api/v1/exports/{started.json()['id']}", timeout=30).json()
                return job if job["status"] not in ("pending", "running") else None
            job = wait_until(done, "an export", logs)
            assert job["status"] == "done", job
            return job

        with worker(env[2], "one", logs[2]) as first:
            by_first = export_made_through(servers[0])
            with worker(env[3], "two", logs[3]):
                stop(first)
                by_second = export_made_through(servers[1])
        for job in (by_first, by_second):
            files = [office_api.get(f"{server}{job['download']}", timeout=60) for server in servers]
            assert [response.status_code for response in files] == [200, 200]
            assert files[0].content == files[1].content and files[0].content.startswith(b"PK\x03\x04")

        # A session begun on one server holds on the other; sign-in failures count on both together.
        browser = requests.Session()
        token = TOKEN.search(browser.get(f"{servers[0]}/login", timeout=30).text).group(1)
        signed_in = browser.post(f"{servers[0]}/login", data={"username": office.username, "password": PASSWORD,
                                                              "csrf_token": token}, allow_redirects=False, timeout=30)
        assert signed_in.status_code == 302, signed_in.text
        page = browser.get(f"{servers[1]}/dossiers", allow_redirects=False, timeout=30)
        assert page.status_code == 200 and "/logout" in page.text
        stranger, nobody = requests.Session(), f"nobody-{uuid.uuid4().hex[:8]}"
        statuses = []
        for attempt in range(6):
            server = servers[attempt % 2]
            token = TOKEN.search(stranger.get(f"{server}/login", timeout=30).text).group(1)
            statuses.append(stranger.post(f"{server}/login", data={"username": nobody, "password": "x",
                                                                   "csrf_token": token}, timeout=30).status_code)
        assert statuses == [401] * 5 + [429]

    for name in ("a", "b", "w1", "w2"):
        assert not list((tmp_path / name / "uploads").rglob("*")) and not list((tmp_path / name / "exports").rglob("*"))
