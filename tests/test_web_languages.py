"""Every page in Vietnamese and in English, with nothing left untranslated, and a complete catalogue."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from tests.factories import RESPONSIBLE
from tests.web_helpers import page_client, sign_in
from web.storage import document_store
from workflow.council import MinutesWriting, close_council_session, convene_council_session
from workflow.decisions import draft_decision
from workflow.disclosure import add_comment
from workflow.i18n import today
from workflow.honours import finalise_honours_list
from workflow.models import (
    AwardForm, AwardType, Campaign, Decision, DisclosureComment, Document, Dossier, HistoryEntry, HonoursListSnapshot,
    Issuer, Unit, User, db,
)
from workflow.procedure import catalogue
from workflow.receipts import receipt_code

CATALOGUE = Path(__file__).resolve().parent.parent / "web/translations/vi/LC_MESSAGES/messages.po"
ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")
# Text that is the same in both languages by nature: the language switch, the date format, symbols.
NEUTRAL = ("English", "Tiếng Việt", "dd/mm/yyyy", "KB", "QĐ-HPN", "XLSX", "DOCX", "PDF", "JSON")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


class TextNodes(HTMLParser):
    """The text a reader sees or hears: text nodes and the labelling attributes."""

    def __init__(self):
        super().__init__()
        self.nodes: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        for name, value in attrs:
            if name in ATTRIBUTES and value:
                self.nodes.append(" ".join(value.split()))

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self.skip:
            self.nodes.append(text)


def text_nodes(html: str) -> set[str]:
    parser = TextNodes()
    parser.feed(html)
    return set(parser.nodes)


def data_strings() -> list[str]:
    """Everything on the pages that is the organisation's data, not the application's text."""
    values = []
    for model, fields in ((Unit, ("code", "name")), (AwardType, ("code", "name", "legal_basis")),
                          (Campaign, ("code", "name", "ceremony_place", "ceremony_time", "event_title",
                                      "invitation_symbol", "signer_name", "signer_title", "invitation_recipients")),
                          (User, ("username", "full_name", "email")),
                          (Dossier, ("nominee_name", "nominee_position", "nominee_workplace", "achievements",
                                     "decision_number")),
                          (Document, ("filename",)), (HistoryEntry, ("comment", "actor_username")),
                          (DisclosureComment, ("body", "contact", "resolution")),
                          (AwardForm, ("code", "name")), (Issuer, ("code", "name")),
                          (Decision, ("number", "signer_name", "signer_title", "signed_filename")),
                          (HonoursListSnapshot, ("sha256",))):
        for row in db.session.scalars(select(model)):
            values += [" ".join(str(getattr(row, f)).split()) for f in fields if getattr(row, f)]
    values += [receipt_code(dossier_id) for dossier_id in db.session.scalars(select(Dossier.id))]  # the same in both
    return sorted({v for v in values if v}, key=len, reverse=True)


def untranslated(node: str, data: list[str]) -> bool:
    if node.endswith("…") and any(value.startswith(node[:-1]) for value in data):
        return False  # data shortened to fit a chart
    rest = node
    for value in data + list(NEUTRAL):
        rest = rest.replace(value, " ")
    return bool(re.search(r"[^\W\d_]{2,}", rest))


ERROR_PAGES = {404: "/no-such-page", 403: "/dashboard"}  # the latter as a submitter


@pytest.fixture
def every_page(app, factory):
    """(user or None, path) for every page of every role, with dossiers in the states the pages show."""
    campaign = factory.campaign("lang-campaign", ceremony_place="Hội trường 1A", ceremony_time="08:00")
    dossiers = {state: factory.dossier(state, campaign=campaign.code) for state in
                ("draft", "submitted", "returned", "in_appraisal", "council_review", "approved", "conferred")}
    dossiers["forwarded"] = factory.dossier("forwarded", campaign=campaign.code)
    submitter = factory.user_once("submitter", "ba-dinh")
    office = factory.user_once("office", "van-phong")
    appraiser = factory.user_once("appraiser", RESPONSIBLE["bk_thanh_hoi"])
    council = factory.user("council", "thanh-hoi")
    chair = factory.user_once("chair", "thanh-hoi")
    admin = factory.user("admin", "thanh-hoi")
    d = {state: dossier.id for state, dossier in dossiers.items()}
    # A finalised list amended twice: a pending dossier conferred, then an award revoked.
    final = factory.campaign("lang-final")
    revoked = factory.dossier("conferred", campaign=final.code)
    answered = factory.dossier("forwarded", campaign=final.code)
    finalise_honours_list(office, final.code)
    db.session.commit()
    factory.advance(answered, "confer")
    factory.advance(revoked, "revoke")
    # Public disclosure: a dossier waiting to be published, and one published with a comment not yet resolved.
    public = catalogue().current("reference_public")
    opening = public.steps_with("open_disclosure")[0]
    public_type = factory.award_type_following(public, forwarded=True).code
    factory.dossier_in(public, opening.source, public_type)
    disclosed = factory.dossier_in(public, opening.dest, public_type, unit="hoan-kiem")
    factory.end_disclosure(disclosed, days_ago=-5)
    add_comment(disclosed.id, "Góp ý về thành tích", None, "0" * 64, 2000)
    db.session.commit()
    # Council sessions: one open on the dossier in council review, one closed on another.
    open_session = convene_council_session(office, today(), "Hội trường 1A", [d["council_review"]])
    closed_session = convene_council_session(office, today(), "Hội trường 1A", [
        factory.dossier("council_review", campaign=campaign.code).id])
    close_council_session(office, closed_session, [chair.id], document_store(), MinutesWriting(str, "en", "Hà Nội"))
    db.session.commit()
    sessions = ("/council-sessions", f"/council-sessions/{open_session.id}", f"/council-sessions/{closed_session.id}")
    decision = draft_decision(office, {"number": "7/QĐ-HPN", "decided_on": today(), "signer_name": "Nguyễn Thị Tuyết",
                                       "signer_title": "TM. BAN THƯỜNG VỤ – CHỦ TỊCH", "issuer": "ban_thuong_vu"},
                              [d["approved"]])
    db.session.commit()
    pages = [(None, "/login"), (None, "/cong-khai")]
    pages += [(submitter, path) for path in (
        "/", "/dossiers", "/dossiers/new", f"/dossiers/{d['draft']}", f"/dossiers/{d['draft']}/edit",
        f"/dossiers/{d['returned']}", f"/dossiers/{d['conferred']}", "/dossiers?q=nguyen&sort=name",
        "/inbox")]
    # Error pages are pages too: each must be translated.
    pages += [(submitter, ERROR_PAGES[404]), (submitter, ERROR_PAGES[403])]
    pages += [(office, path) for path in (
        "/", "/inbox", "/dossiers?state=submitted", f"/dossiers/{d['submitted']}",
        f"/dossiers/{d['submitted']}/events/return",
        f"/dossiers/{d['approved']}/events/confer", f"/dossiers/{d['forwarded']}/events/decline",
        "/dashboard", f"/dashboard?campaign={campaign.code}", "/settings/campaigns", "/settings/campaigns/new",
        f"/settings/campaigns/{campaign.code}", "/settings/award-types/bk_thanh_hoi", "/notices/failed",
        "/exports/honours-list", "/disclosure", f"/dossiers/{disclosed.id}", *sessions, "/decisions",
        f"/decisions/{decision.id}", f"/dossiers/{d['conferred']}/events/revoke", f"/dossiers/{revoked.id}",
        f"/exports/honours-list/{final.code}/versions")]
    pages += [(appraiser, path) for path in (
        "/", f"/dossiers/{d['in_appraisal']}", f"/dossiers/{d['in_appraisal']}/events/recommend",
        f"/dossiers/{d['in_appraisal']}/events/reject")]
    pages += [(council, path) for path in ("/", f"/dossiers/{d['council_review']}", *sessions)]
    pages += [(chair, path) for path in ("/", f"/dossiers/{d['council_review']}", "/dashboard",
                                         f"/dossiers/{d['council_review']}/events/return", *sessions)]
    pages += [(admin, path) for path in ("/", "/admin/users", "/admin/users/new", f"/admin/users/{submitter.id}",
                                         "/admin/units", "/admin/units/new", "/admin/units/ba-dinh")]
    return pages


def test_every_page_answers_in_vietnamese_and_in_english_with_nothing_untranslated(app, factory, every_page):
    submitter = factory.user_once("submitter", "ba-dinh")
    clients = {}

    def fetch(user, path, language):
        key = (user.id if user else None, language)
        if key not in clients:
            if user is None:
                clients[key] = page_client(app)
                clients[key].post("/language", data={"language": language, "csrf_token": _token(clients[key])})
            else:
                clients[key] = sign_in(app, user, language=language)
        return clients[key].get(path)

    data = data_strings()
    for user, path in every_page:
        vi, en = fetch(user, path, "vi"), fetch(user, path, "en")
        expected = next((status for status, page in ERROR_PAGES.items() if (user, path) == (submitter, page)), 200)
        assert vi.status_code == en.status_code == expected, (path, vi.status_code, en.status_code)
        assert '<html lang="vi">' in vi.text and '<html lang="en">' in en.text
        same = {node for node in text_nodes(vi.text) & text_nodes(en.text) if untranslated(node, data)}
        assert not same, f"{path} as {user.role if user else 'anyone'}: not translated: {sorted(same)}"


def _token(client):
    from tests.web_helpers import csrf_token
    return csrf_token(client)


def test_the_untranslated_check_can_fail(app):
    vi = text_nodes("<p>Hồ sơ</p><button aria-label='Close'>x</button><p>Nguyễn Thị A</p>")
    en = text_nodes("<p>Dossiers</p><button aria-label='Close'>x</button><p>Nguyễn Thị A</p>")
    assert {n for n in vi & en if untranslated(n, ["Nguyễn Thị A"])} == {"Close"}


def test_every_message_has_its_vietnamese_translation():
    catalogue = read_po(CATALOGUE.open("rb"))
    messages = [m for m in catalogue if m.id]
    assert len(messages) > 300
    def forms(text) -> tuple[str, ...]:
        return text if isinstance(text, tuple) else (text,)  # a plural message has a form per number

    empty = [m.id for m in messages if not all(forms(m.string))]
    assert not empty, f"untranslated: {empty}"
    for message in messages:
        placeholders = {p for text in forms(message.id) for p in PLACEHOLDER.findall(text)}
        for translation in forms(message.string):
            assert set(PLACEHOLDER.findall(translation)) == placeholders, message.id


def test_the_language_switch_is_remembered_for_the_user(app, factory):
    user = factory.user("office")
    client = sign_in(app, user, language="en")
    assert "My work" in client.get("/").text
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"
    again = sign_in(app, user)
    assert "My work" in again.get("/").text
