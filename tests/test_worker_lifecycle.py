"""A dossier's whole life with a real Celery worker process on Redis delivering e-mail to a real SMTP server."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import os
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.conftest import make_app, service_missing
from tests.factories import PDF, ApiClient
from workflow.accounts import issue_token
from workflow.i18n import today
from workflow.models import Notice, User, db

PROJECT_DIR = Path(__file__).resolve().parent.parent
CELERY = PROJECT_DIR / ".venv" / "bin" / "celery"
BASE_URL = "https://khenthuong.example.vn"
WORKER_START_TIMEOUT = 60
DELIVERY_TIMEOUT = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler keeping every message it is given."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.hostname, controller.port, inbox
    controller.stop()


@pytest.fixture
def worker_env(tmp_path, postgres_url, redis_url, smtp_server):
    host, port, _ = smtp_server
    env = {key: value for key, value in os.environ.items() if key not in ("SMTP_USER", "SMTP_PASSWORD", "MAIL_DIR")}
    env.update(APP_ENV="testing", DATABASE_URL=postgres_url, REDIS_URL=redis_url, SMTP_HOST=host, SMTP_PORT=str(port),
               SMTP_STARTTLS="0", SECRET_KEY="test-secret", INSTANCE_DIR=str(tmp_path / "instance"),
               UPLOAD_DIR=str(tmp_path / "uploads"), BASE_URL=BASE_URL, BABEL_DEFAULT_LOCALE="vi",
               PYTHONUNBUFFERED="1")
    return env


@pytest.fixture
def broker_app(tmp_path, postgres_url, redis_url, smtp_server, app):
    """An in-process app on the test database whose jobs go to Redis (the `app` fixture cleans the tables)."""
    host, port, _ = smtp_server
    return make_app(tmp_path, postgres_url, REDIS_URL=redis_url, SMTP_HOST=host, SMTP_PORT=port, BASE_URL=BASE_URL)


@pytest.fixture
def worker(tmp_path, worker_env, broker_app):
    """`celery -A tasks worker` as a subprocess, ready to take jobs; killed at the end whatever happens."""
    if not CELERY.exists():
        service_missing("the celery command in .venv", FileNotFoundError(CELERY))
    name = f"awards-test-{uuid.uuid4().hex[:8]}@%h"
    log_path = tmp_path / "worker.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(CELERY), "-A", "tasks", "worker", "--pool=solo", "--loglevel=info", "-n", name,
             "--without-gossip", "--without-mingle"],
            cwd=PROJECT_DIR, env=worker_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        control = broker_app.extensions["celery"].control
        hostname = name.replace("%h", socket.gethostname())
        deadline = time.monotonic() + WORKER_START_TIMEOUT
        while not control.ping(destination=[hostname], timeout=1):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Celery worker did not start:\n{log_path.read_text()[-4000:]}")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def api_for(broker_app, user: User) -> ApiClient:
    token, _ = issue_token(user, 1)
    db.session.commit()
    return ApiClient(broker_app.test_client(), token)


def post_event(api, dossier: dict, event: str, **fields) -> dict:
    response = api.post(f"/api/v1/dossiers/{dossier['id']}/events",
                        json={"event": event, "version": dossier["version"], **fields})
    assert response.status_code == 200, response.json
    return response.json


def wait_until_all_sent(expected: int, log_path: Path) -> list[Notice]:
    deadline = time.monotonic() + DELIVERY_TIMEOUT
    while True:
        db.session.expire_all()
        notices = list(db.session.scalars(select(Notice).order_by(Notice.id)))
        db.session.commit()
        if len(notices) == expected and all(n.status == "sent" for n in notices):
            return notices
        if time.monotonic() > deadline:
            pytest.fail(f"notices not all sent: {[(n.id, n.kind, n.status, n.last_error) for n in notices]}\n"
                        f"{log_path.read_text()[-4000:] if log_path.exists() else ''}")
        time.sleep(0.3)


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_a_lifecycle_delivers_one_email_per_notice_through_the_worker(
        factory, broker_app, worker, smtp_server, tmp_path):
    _, _, inbox = smtp_server
    campaign = factory.campaign("tk-worker", name="Tổng kết công tác Hội năm 2024")
    offices = [factory.user("office"), factory.user("office")]
    factory.user("office", active=False)
    appraisers = [factory.user("appraiser", "van-phong"), factory.user("appraiser", "van-phong")]
    factory.user("appraiser", "ban-tuyen-giao")
    council = factory.council(3)
    chair = factory.user("chair")
    submitters = [factory.user("submitter", "cau-giay"), factory.user("submitter", "cau-giay")]
    factory.user("submitter", "ba-dinh")
    submitter_api = api_for(broker_app, submitters[0])
    office_api = api_for(broker_app, offices[0])

    def new_dossier(name: str) -> dict:
        created = submitter_api.post("/api/v1/dossiers", json={
            "campaign": campaign.code, "award_type": "bk_thanh_hoi",
            "nominee": {"kind": "individual", "name": name, "birth_year": 1980}, "achievements": "Xuất sắc"})
        assert created.status_code == 201, created.json
        for kind in ("to_trinh", "bao_cao_thanh_tich"):
            uploaded = submitter_api.post(f"/api/v1/dossiers/{created.json['id']}/documents",
                                          data={"kind": kind, "file": (io.BytesIO(PDF), f"{kind}.pdf")},
                                          content_type="multipart/form-data")
            assert uploaded.status_code == 201, uploaded.json
        return submitter_api.get(f"/api/v1/dossiers/{created.json['id']}").json

    conferred = new_dossier("Nguyễn Thị Hằng")
    conferred = post_event(submitter_api, conferred, "submit")
    conferred = post_event(office_api, conferred, "accept")
    conferred = post_event(api_for(broker_app, appraisers[0]), conferred, "recommend", comment="Đủ tiêu chuẩn")
    for member in council:
        assert api_for(broker_app, member).post(f"/api/v1/dossiers/{conferred['id']}/votes",
                                                json={"vote": "agree"}).status_code == 201
    conferred = post_event(api_for(broker_app, chair), conferred, "approve")
    conferred = post_event(office_api, conferred, "confer", decision_number="15/QĐ-HPN", decision_date="2024-12-25")
    assert conferred["state"] == "conferred"

    returned = new_dossier("Lê Thị Mai")
    returned = post_event(submitter_api, returned, "submit")
    due = today() + dt.timedelta(days=45)  # a return's due date lies within a year
    returned = post_event(office_api, returned, "return", comment="Thiếu chữ ký trên tờ trình",
                          due_date=due.isoformat())
    assert returned["state"] == "returned"

    emails = lambda users: sorted(u.email for u in users)  # noqa: E731
    expected = [  # (dossier, event, recipients)
        (conferred, "submit", emails(offices)),
        (conferred, "accept", emails(appraisers)),
        (conferred, "recommend", emails([*council, chair])),  # the chair is a voting member
        (conferred, "approve", emails(submitters)),
        (conferred, "confer", emails(submitters)),
        (returned, "submit", emails(offices)),
        (returned, "return", emails(submitters)),
    ]
    notices = wait_until_all_sent(sum(len(r) for _, _, r in expected), tmp_path / "worker.log")

    by_key = {}
    for recipients, message in inbox.messages:
        assert len(recipients) == 1
        assert message["To"] == recipients[0]
        by_key.setdefault(message["X-Notice-Key"], []).append((recipients[0], message))
    assert len(inbox.messages) == len(notices)
    assert sorted(by_key) == sorted(n.idempotency_key for n in notices)
    assert all(len(copies) == 1 for copies in by_key.values())

    state_labels = {"submit": "Đã nộp", "accept": "Đang thẩm định", "recommend": "Hội đồng xét",
                    "approve": "Đã phê duyệt", "confer": "Đã khen thưởng", "return": "Trả lại bổ sung"}
    for dossier, event, recipients in expected:
        rows = [n for n in notices if n.dossier_id == dossier["id"] and n.kind == event]
        assert sorted(n.recipient.email for n in rows) == recipients, event
        for row in rows:
            ((recipient, message),) = by_key[row.idempotency_key]
            assert recipient == row.recipient.email
            text = text_of(message)
            nominee = "Nguyễn Thị Hằng" if dossier is conferred else "Lê Thị Mai"
            for needed in (nominee, "Bằng khen", campaign.name, state_labels[event],
                           f"{BASE_URL}/dossiers/{dossier['id']}"):
                assert needed in text, (event, needed, text)
            assert nominee in message["Subject"]
            assert text.startswith("Kính gửi"), text
    return_text = text_of(by_key[next(n.idempotency_key for n in notices if n.kind == "return")][0][1])
    assert "Thiếu chữ ký trên tờ trình" in return_text
    assert due.strftime("%d/%m/%Y") in return_text
    confer_text = text_of(by_key[next(n.idempotency_key for n in notices if n.kind == "confer")][0][1])
    assert "15/QĐ-HPN" in confer_text and "25/12/2024" in confer_text


def test_an_eager_app_keeps_delivering_in_process_beside_an_app_on_a_broker(factory, tmp_path, postgres_url, app):
    """Jobs follow their own app's Celery settings, not those of whichever app was created last."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead_port = closed.getsockname()[1]
    make_app(tmp_path / "other", postgres_url, REDIS_URL=f"redis://127.0.0.1:{dead_port}/0")
    dossier = factory.dossier("draft")
    office = factory.user("office")
    api = factory.api(factory.user_once("submitter", "ba-dinh"))

    response = api.post(f"/api/v1/dossiers/{dossier.id}/events", json={"event": "submit", "version": dossier.version})

    assert response.status_code == 200, response.json
    (notice,) = db.session.scalars(select(Notice))
    assert (notice.recipient_id, notice.status) == (office.id, "sent")
    assert (Path(app.config["MAIL_DIR"]) / f"{notice.idempotency_key.replace(':', '_')}.eml").exists()

