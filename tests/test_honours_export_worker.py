"""A large export runs in a real Celery worker process; the web process only queues it and reports progress."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import make_app
from tests.test_honours_list import CAMPAIGN, LIST_URL, conferred, office_api, xlsx_rows

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def worker_app(app, postgres_url, redis_url, tmp_path):
    """An app on the same database whose jobs go through Redis, with a worker process serving them."""
    exports = tmp_path / "exports"
    queued_app = make_app(tmp_path, postgres_url, REDIS_URL=redis_url, EXPORT_ASYNC_ROWS=1)
    env = {**os.environ, "APP_ENV": "testing", "DATABASE_URL": postgres_url, "REDIS_URL": redis_url,
           "SECRET_KEY": "test-secret", "INSTANCE_DIR": str(tmp_path / "instance"), "EXPORT_DIR": str(exports),
           "UPLOAD_DIR": str(tmp_path / "uploads"), "MAIL_DIR": str(tmp_path / "mail")}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tasks", "worker", "--pool=solo", "--concurrency=1",
         "--without-mingle", "--without-gossip", "--loglevel=warning"],
        cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield queued_app
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


@pytest.mark.worker
@pytest.mark.redis
def test_a_large_export_is_made_by_a_worker_and_downloaded_when_done(factory, worker_app):
    conferred(factory, "Trần Thị Ưng")
    conferred(factory, "Lê Thị Ánh", unit="ung-hoa")
    token_api = office_api(factory)
    token_api.client = worker_app.test_client()
    with worker_app.app_context():
        started = token_api.post(LIST_URL + "/exports", json={"format": "xlsx"})
        assert started.status_code == 202, started.json
        assert started.json["status"] == "pending" and started.json["download"] is None
        job_url = f"/api/v1/exports/{started.json['id']}"
        deadline = time.monotonic() + 90
        job = started.json
        while job["status"] in ("pending", "running") and time.monotonic() < deadline:
            time.sleep(0.5)
            job = token_api.get(job_url).json
        assert (job["status"], job["progress"], job["total"]) == ("done", 2, 2), job
        download = token_api.get(job["download"])
        assert download.status_code == 200
        _, rows = xlsx_rows(download.data)
        assert [row[1] for row in rows if isinstance(row[0], int)] == ["Trần Thị Ưng", "Lê Thị Ánh"]
        assert f"danh-sach-khen-thuong-{CAMPAIGN}.xlsx" in download.headers["Content-Disposition"]
