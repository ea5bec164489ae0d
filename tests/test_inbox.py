"""The in-app inbox, the daily digest preference, and the office's view of delivery."""
from __future__ import annotations

import email
from email import policy
from pathlib import Path

from sqlalchemy import select

from tasks.jobs import send_digests
from tests.web_helpers import csrf_token, sign_in
from workflow.models import Notice, db


def test_inbox_and_daily_digest(app, factory):
    submitter = factory.user_once("submitter", "ba-dinh")
    api = factory.api(submitter)
    assert api.put("/api/v1/notices/delivery", json={"notice_delivery": "weekly"}).status_code == 422
    chosen = api.put("/api/v1/notices/delivery", json={"notice_delivery": "daily"})
    assert chosen.status_code == 200 and chosen.json == {"notice_delivery": "daily", "unread": 0}

    first = factory.dossier("returned", name="Phạm Thị Một")
    second = factory.dossier("returned", name="Phạm Thị Hai")
    inbox = api.get("/api/v1/notices", headers={"Accept-Language": "en"})
    assert inbox.status_code == 200
    assert [(row["dossier_id"], row["status"], row["read"]) for row in inbox.json] == [
        (second.id, "held", False), (first.id, "held", False)]
    assert "Phạm Thị Hai" in inbox.json[0]["summary"]
    assert inbox.json[0]["link"].endswith(f"/dossiers/{second.id}")

    assert api.post(f"/api/v1/notices/{inbox.json[0]['id']}/read").json["read"] is True
    assert [row["dossier_id"] for row in api.get("/api/v1/notices?unread=true").json] == [first.id]
    stranger = factory.api(factory.user("submitter", "cau-giay"))
    assert stranger.post(f"/api/v1/notices/{inbox.json[1]['id']}/read").status_code == 404
    assert stranger.get("/api/v1/notices").json == []

    send_digests.delay()
    send_digests.delay()
    db.session.expire_all()
    digests = list(db.session.scalars(select(Notice).where(Notice.kind == "digest")))
    assert [(d.recipient_id, d.status) for d in digests] == [(submitter.id, "sent")]
    held = db.session.scalars(select(Notice.status).where(Notice.recipient_id == submitter.id,
                                                          Notice.kind == "return"))
    assert set(held) == {"digested"}
    mail_file = Path(app.config["MAIL_DIR"]) / f"{digests[0].idempotency_key.replace(':', '_')}.eml"
    body = email.message_from_bytes(mail_file.read_bytes(), policy=policy.default).get_body(("plain",)).get_content()
    assert "Phạm Thị Một" in body and "Phạm Thị Hai" in body


def test_office_sees_failed_notices_and_only_the_office(app, factory):
    office = factory.api(factory.user("office"))
    dossier = factory.dossier("returned")
    notice = db.session.scalar(select(Notice).where(Notice.dossier_id == dossier.id, Notice.kind == "return"))
    notice.status, notice.last_error, notice.attempts = "failed", "SMTPRecipientsRefused: 550", 1
    db.session.commit()
    failed = office.get("/api/v1/notices?status=failed")
    assert [(row["id"], row["last_error"]) for row in failed.json] == [(notice.id, "SMTPRecipientsRefused: 550")]
    assert office.get("/api/v1/notices?status=lost").status_code == 422
    assert office.post("/api/v1/notices/999999/retry").status_code == 404
    retried = office.post(f"/api/v1/notices/{notice.id}/retry")
    assert retried.status_code == 200
    db.session.expire_all()
    assert db.session.get(Notice, notice.id).status == "sent"


def test_the_office_sees_and_resends_failed_notices_through_the_pages(app, factory, client):
    assert client.get("/notices/failed").status_code == 302  # to the sign-in page
    dossier = factory.dossier("returned")
    notice = db.session.scalar(select(Notice).where(Notice.dossier_id == dossier.id, Notice.kind == "return"))
    notice.status, notice.last_error, notice.attempts = "failed", "SMTPRecipientsRefused: 550", 5
    db.session.commit()

    submitter = sign_in(app, factory.user_once("submitter", "ba-dinh"))
    assert submitter.get("/notices/failed").status_code == 403
    office = sign_in(app, factory.user("office"))
    page = office.get("/notices/failed")
    assert page.status_code == 200 and "SMTPRecipientsRefused: 550" in page.text
    resent = office.post(f"/notices/{notice.id}/retry", data={"csrf_token": csrf_token(office, "/notices/failed")})
    assert resent.status_code == 302
    db.session.expire_all()
    assert db.session.get(Notice, notice.id).status == "sent"
    assert "SMTPRecipientsRefused" not in office.get("/notices/failed").text


def test_back_to_immediate_mail_sends_what_waited_for_a_digest(app, factory):
    submitter = factory.user_once("submitter", "ba-dinh")
    api = factory.api(submitter)
    api.put("/api/v1/notices/delivery", json={"notice_delivery": "daily"})
    dossier = factory.dossier("returned", name="Phạm Thị Chờ")
    waiting = db.session.scalar(select(Notice).where(Notice.recipient_id == submitter.id, Notice.kind == "return"))
    assert waiting.status == "held"

    assert api.put("/api/v1/notices/delivery", json={"notice_delivery": "immediate"}).status_code == 200
    db.session.expire_all()
    sent = db.session.get(Notice, waiting.id)
    assert (sent.status, sent.dossier_id) == ("sent", dossier.id)
    assert (Path(app.config["MAIL_DIR"]) / f"{sent.idempotency_key.replace(':', '_')}.eml").exists()
