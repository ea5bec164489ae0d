"""Invitation letters: one PDF per awardee, with the ceremony from the campaign, sent to the unit's submitters."""
from __future__ import annotations

import email
import io
import unicodedata
from email import policy
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from tasks.jobs import send_campaign_invitations
from workflow.models import Notice, db


def invitation_mails(app) -> dict[str, email.message.EmailMessage]:
    keys = set(db.session.scalars(select(Notice.idempotency_key).where(Notice.kind == "invitation")))
    mails = {}
    for path in Path(app.config["MAIL_DIR"]).glob("invitation_*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["X-Notice-Key"] in keys:
            mails[message["X-Notice-Key"]] = message
    return mails


def pdf_text(message) -> str:
    [attachment] = [part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"]
    reader = PdfReader(io.BytesIO(attachment.get_content()))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_invitations_one_letter_per_awardee_to_its_unit(app, factory):
    factory.campaign("le-2026", ceremony_time="08:00", ceremony_place="Hội trường 1A, số 5 Lê Thánh Tông")
    ceremony = factory.campaign("le-2026").ceremony_date
    first = factory.dossier("conferred", campaign="le-2026", unit="ba-dinh", name="Nguyễn Thị Hằng")
    second = factory.dossier("conferred", campaign="le-2026", unit="cau-giay", name="Trần Thị Ánh")
    factory.dossier("approved", campaign="le-2026", unit="dong-da", name="Lê Thị Chưa Xong")
    second_submitter = factory.user("submitter", "ba-dinh")
    runner = app.test_cli_runner()

    result = runner.invoke(args=["invitations", "send", "le-2026"])
    assert result.exit_code == 0, result.output
    assert "3 new" in result.output
    again = runner.invoke(args=["invitations", "send", "le-2026"])
    assert "0 new" in again.output
    assert runner.invoke(args=["invitations", "send", "no-such"]).exit_code == 1
    assert send_campaign_invitations.delay(first.campaign_id).get() == 0

    mails = invitation_mails(app)
    assert len(mails) == 3
    by_recipient = {(m["To"], m["X-Notice-Key"].split(":")[1]) for m in mails.values()}
    ba_dinh = {factory.user_once("submitter", "ba-dinh").email, second_submitter.email}
    assert by_recipient == {(address, str(first.id)) for address in ba_dinh} | {
        (factory.user_once("submitter", "cau-giay").email, str(second.id))}
    date_text = ceremony.strftime("%d/%m/%Y")
    for message in mails.values():
        text = pdf_text(message)
        dossier = first if message["X-Notice-Key"].split(":")[1] == str(first.id) else second
        other = second if dossier is first else first
        assert "GIẤY MỜI" in text
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
        assert dossier.nominee_name in text and other.nominee_name not in text
        assert "08:00" in text and date_text in text and "Hội trường 1A" in text
        assert dossier.award_type.name.split()[0] in text


def test_finalising_the_honours_list_sends_the_invitations(app, factory):
    factory.campaign("fin-2026", ceremony_time="08:00", ceremony_place="Hội trường 1A")
    awardee = factory.dossier("conferred", campaign="fin-2026", unit="tay-ho", name="Đỗ Thị Ơn")
    office = factory.api(factory.user("office"))
    assert invitation_mails(app) == {}

    finalised = office.post("/api/v1/campaigns/fin-2026/honours-list/finalise")
    assert finalised.status_code == 201, finalised.json
    [message] = invitation_mails(app).values()
    assert message["To"] == factory.user_once("submitter", "tay-ho").email
    assert message["X-Notice-Key"].split(":")[1] == str(awardee.id)
    assert "Đỗ Thị Ơn" in pdf_text(message)
    assert office.post("/api/v1/campaigns/fin-2026/honours-list/finalise").status_code == 409
    assert len(invitation_mails(app)) == 1
