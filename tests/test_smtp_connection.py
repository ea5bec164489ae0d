"""A burst of notices goes out over one SMTP connection, and a connection the server has dropped since is
replaced before anything is sent on it: nothing is lost, nothing is sent twice."""
from __future__ import annotations

import email

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tasks.jobs import deliver_notice
from tests.delivery_support import free_port
from workflow.models import Notice, db

pytestmark = pytest.mark.postgres


class Server:
    """An aiosmtpd server noting each message's notice key and the connection (client port) it came on."""

    def __init__(self):
        self.port = free_port()
        self.messages: list[tuple[int, str]] = []
        self.controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((session.peer[1], email.message_from_bytes(envelope.content)["X-Notice-Key"]))
        return "250 2.0.0 Accepted"

    def start(self) -> Server:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp(app, monkeypatch):
    server = Server().start()
    for key, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": server.port, "SMTP_TIMEOUT": 3}.items():
        monkeypatch.setitem(app.config, key, value)
    yield server
    server.stop()


def pending() -> list[Notice]:
    notices = list(db.session.scalars(select(Notice).where(Notice.status == "pending").order_by(Notice.id)))
    db.session.commit()
    return notices


def sent_once(server: Server, notices: list[Notice]) -> bool:
    db.session.expire_all()
    return (sorted(key for _, key in server.messages) == sorted(n.idempotency_key for n in notices)
            and all(n.status == "sent" and n.attempts == 1 for n in notices))


def test_a_burst_of_notices_goes_over_one_connection(factory, smtp):
    for _ in range(3):
        factory.user("office")
    factory.dossier("submitted")
    notices = pending()
    assert [deliver_notice(notice.id) for notice in notices] == ["sent"] * 3
    assert sent_once(smtp, notices)
    assert len({port for port, _ in smtp.messages}) == 1


def test_a_connection_the_restarted_server_dropped_is_replaced_before_sending(factory, smtp):
    for _ in range(2):
        factory.user("office")
    factory.dossier("submitted")
    first, second = pending()
    assert deliver_notice(first.id) == "sent"
    smtp.stop()  # closes the connection kept from the first notice
    smtp.start()
    assert deliver_notice(second.id) == "sent"
    assert sent_once(smtp, [first, second])
    assert len({port for port, _ in smtp.messages}) == 2
