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
from tasks.letters import invitation_pdf
from workflow.campaigns import campaign_by_code
from workflow.invitations import invitation_params
from workflow.models import Notice, db
from workflow.reference import CAMPAIGN_2024, VENUE_2024


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
    factory.campaign("le-2026", ceremony_time="08:00", ceremony_place=VENUE_2024)
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
        assert "08:00" in text and date_text in text and VENUE_2024 in text
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


PLAN_EVENT = "Hội nghị tổng kết công tác Hội năm 2024, phát động phong trào thi đua năm 2025"


def letter_text(pdf: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_the_letter_says_what_the_campaign_sets(app, factory):
    factory.campaign("gm-2026", ceremony_time="08:00", ceremony_place=VENUE_2024, event_title=PLAN_EVENT,
                     invitation_number="15", signer_name="Phan Thị Hương",
                     signer_title="TM. BAN THƯỜNG VỤ\nPHÓ CHỦ TỊCH",
                     invitation_recipients="- Như trên;\n- Các Hội LHPN quận, huyện, thị xã;\n- Lưu: VP.")
    person = factory.dossier("conferred", campaign="gm-2026", name="Nguyễn Thị Hằng", position="Chi hội trưởng")
    collective = factory.dossier("conferred", campaign="gm-2026", award_type="uy_thac_nhcsxh",
                                 name="Chi hội Phụ nữ tổ dân phố số 5")

    text = letter_text(invitation_pdf(invitation_params(person)))
    assert "Số: 15/GM-HPN" in text
    assert f"Tới dự: {PLAN_EVENT}" in text and "Lễ tổng kết" not in text
    assert "Nguyễn Thị Hằng, Chi hội trưởng" in text and "Đại diện" not in text
    assert "TM. BAN THƯỜNG VỤ PHÓ CHỦ TỊCH" in text and text.rstrip().endswith("Phan Thị Hương")
    assert "Nơi nhận: - Như trên; - Các Hội LHPN quận, huyện, thị xã; - Lưu: VP." in text
    assert f"Địa điểm: {VENUE_2024}." in text

    assert "Đại diện Chi hội Phụ nữ tổ dân phố số 5" in letter_text(invitation_pdf(invitation_params(collective)))


def test_without_a_number_the_letter_leaves_it_to_be_filled_by_hand(app, factory):
    awardee = factory.dossier("conferred", campaign="gm-blank", name="Trần Thị Ánh")
    text = letter_text(invitation_pdf(invitation_params(awardee)))
    assert "Số: /GM-HPN" in text
    assert "TM. BAN THƯỜNG VỤ CHỦ TỊCH" in text and "Nơi nhận: - Như trên; - Lưu: VP." in text
    # A letter queued before campaigns said these (its params lack them) reads the same.
    old = {key: value for key, value in invitation_params(awardee).items()
           if key not in ("invitation_symbol", "signer_title", "invitation_recipients", "event_title")}
    assert "Số: /GM-HPN" in letter_text(invitation_pdf(old))


def test_the_2024_reference_campaign_invites_to_the_plans_event_in_hall_1a(app):
    seeded = campaign_by_code(CAMPAIGN_2024["code"])
    assert seeded.event_title == PLAN_EVENT
    assert seeded.ceremony_place == "Hội trường 1A, số 7 phố Tôn Thất Thuyết, phường Dịch Vọng Hậu, quận Cầu Giấy"
    assert (seeded.invitation_symbol, seeded.signer_title) == ("GM-HPN", "TM. BAN THƯỜNG VỤ\nCHỦ TỊCH")


def test_the_office_sets_the_letter_through_the_api(factory):
    office = factory.api(factory.user("office"))
    body = {"code": "tk-2025", "name": "Tổng kết công tác Hội năm 2025", "year": 2025, "event_title": PLAN_EVENT,
            "invitation_number": "07", "signer_name": "Phan Thị Hương",
            "invitation_recipients": "- Như trên;\n- Lưu: VP, Ban Tuyên giáo."}
    created = office.post("/api/v1/campaigns", json=body)
    assert created.status_code == 201, created.json
    assert created.json.items() >= (body | {"invitation_symbol": "GM-HPN",
                                            "signer_title": "TM. BAN THƯỜNG VỤ\nCHỦ TỊCH"}).items()
    refused = office.post("/api/v1/campaigns", json=body | {"code": "tk-2025b", "invitation_symbol": ""})
    assert refused.status_code == 422 and "invitation_symbol" in str(refused.json)
