"""Council sessions (DOMAIN.md, "The round as the office runs it"): the office convenes a session on dossiers waiting
for the council, every member fills one secret ballot sheet for the whole agenda (absent members in writing before
the close), conflicted members leave the denominator, closing fixes the tallies and makes the minutes, the chair
approves the passing dossiers in one action."""
from __future__ import annotations

import hashlib
import io
import re
import threading
import zipfile

import psycopg
import pytest
from docx import Document as WordDocument
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.conftest import BOTH_STORES, stored_objects
from tests.delivery_support import wait_for
from tests.web_helpers import csrf_token, sign_in
from workflow.i18n import today
from workflow.models import AwardType, Ballot, CouncilSession, Document, HistoryEntry, Notice, User, VoteRecord, db
from workflow.procedure import catalogue
from workflow.storage import object_store

pytestmark = pytest.mark.usefixtures("light_password_hashing")

REFERENCE = catalogue().current("reference")
VOTING = sorted(REFERENCE.voting_states)[0]
APPROVAL = next(step for step in REFERENCE.steps if step.source == VOTING and "vote_threshold" in step.rules)
CONFLICTED_NAME = "Trần Thị Xung Đột"


@pytest.fixture
def council(factory):
    """Nine members: the chair and eight council members, the first of whom is the nominee of dossier B."""
    chair = factory.user("chair", full_name="Chủ Tịch Hội Đồng")
    members = [factory.user("council", full_name=CONFLICTED_NAME if n == 0 else f"Ủy Viên {n}") for n in range(8)]
    return chair, members


@pytest.fixture
def agenda(factory):
    """A (passes), B (its nominee sits on the council), C (fails)."""
    return [factory.dossier(VOTING, name="Nguyễn Thị An"), factory.dossier(VOTING, name=CONFLICTED_NAME),
            factory.dossier(VOTING, name="Lê Thị Cúc")]


def convene(factory, dossiers, place="Hội trường tầng 3, 19 Lê Thánh Tông"):
    office = factory.user_once("office")
    return factory.api(office).post("/api/v1/council-sessions", json={
        "held_on": today().isoformat(), "place": place, "dossier_ids": [d.id for d in dossiers]})


def sheet(factory, user, session_id, votes):
    return factory.api(user).post(f"/api/v1/council-sessions/{session_id}/ballots",
                                  json={"votes": {str(d.id): choice for d, choice in votes.items()}})


def stored_files(app) -> set[str]:
    with app.app_context():
        return stored_objects()


def ballots_of(dossier_id):
    db.session.rollback()
    return sorted(db.session.scalars(select(Ballot.agree).where(Ballot.dossier_id == dossier_id)),
                  key=lambda agree: (agree is None, agree))


@pytest.mark.parametrize("denominator, eligible", [("membership", (9, 8, 9)), ("present", (7, 6, 7))])
def test_a_session_from_convening_to_approval(factory, council, agenda, denominator, eligible):
    chair, members = council
    a, b, c = agenda
    db.session.get(AwardType, a.award_type_id).vote_denominator = denominator
    db.session.commit()

    response = convene(factory, agenda)
    assert response.status_code == 201, response.json
    session_id = response.json["id"]
    assert [item["dossier"] for item in response.json["items"]] == [a.id, b.id, c.id]
    notified = db.session.scalars(select(Notice.recipient_id).where(Notice.kind == "council_session")).all()
    assert sorted(notified) == sorted([chair.id] + [m.id for m in members])

    # The chair and members 0-6 fill their sheets; member 6 will be absent (voting in writing), member 7 never votes.
    voters = [chair, *members[:7]]
    a_choices = ["agree"] * 7 + ["abstain"]
    b_choices = ["agree"] * 6 + ["disagree"]
    c_choices = ["agree", "agree", "disagree", "disagree", "disagree", "disagree", "disagree", "abstain"]
    b_voters = [voter for voter in voters if voter is not members[0]]
    for index, voter in enumerate(voters):
        votes = {a: a_choices[index], c: c_choices[index]}
        if voter in b_voters:
            votes[b] = b_choices[b_voters.index(voter)]
        assert sheet(factory, voter, session_id, votes).status_code == 201

    # The conflicted member's sheet leaves B out; a sheet naming it is refused, as is a sheet missing a dossier.
    late = members[7]
    assert sheet(factory, members[0], session_id, {a: "agree", b: "agree", c: "agree"}).status_code == 422
    refused = sheet(factory, late, session_id, {a: "agree"})
    assert (refused.status_code, refused.json["error"]["code"]) == (422, "validation_error")
    assert ballots_of(c.id) == [False] * 5 + [True] * 2 + [None]

    # A second sheet by the same member is refused and changes nothing.
    again = sheet(factory, chair, session_id, {a: "disagree", b: "disagree", c: "disagree"})
    assert (again.status_code, again.json["error"]["code"]) == (409, "already_voted")
    assert ballots_of(a.id) == [True] * 7 + [None]

    present = [chair.id] + [m.id for m in members[:6]]
    closed = factory.api(factory.user_once("office")).post(f"/api/v1/council-sessions/{session_id}/closure",
                                                           json={"present": present})
    assert closed.status_code == 200, closed.json
    counts = [(i["members"], i["cast"], i["agree"], i["disagree"], i["abstain"], i["passed"])
              for i in closed.json["items"]]
    assert counts == [(eligible[0], 8, 7, 0, 1, True), (eligible[1], 7, 6, 1, 0, True),
                      (eligible[2], 8, 2, 5, 1, False)]
    assert sorted(closed.json["absent"]) == sorted([members[6].username, late.username])

    # The tallies are fixed: a vote after the close is refused, by sheet or per dossier.
    for response in (sheet(factory, late, session_id, {a: "agree", b: "agree", c: "agree"}),
                     factory.api(late).post(f"/api/v1/dossiers/{a.id}/votes", json={"vote": "agree"})):
        assert (response.status_code, response.json["error"]["code"]) == (409, "voting_closed")
    assert len(ballots_of(a.id)) == 8
    tally = factory.api(chair).get(f"/api/v1/dossiers/{b.id}/tally").json
    assert (tally["members"], tally["cast"], tally["agree"], tally["threshold_met"]) == (eligible[1], 7, 6, True)

    # The chair approves the passing dossiers in one action; the failing one is listed with its rule.
    office = factory.api(factory.user_once("office")).post(f"/api/v1/council-sessions/{session_id}/approval")
    assert (office.status_code, office.json["error"]["code"]) == (403, "forbidden")
    approval = factory.api(chair).post(f"/api/v1/council-sessions/{session_id}/approval")
    assert approval.status_code == 200, approval.json
    assert [(d["dossier"], d["state"]) for d in approval.json["moved"]] == [(a.id, APPROVAL.dest),
                                                                              (b.id, APPROVAL.dest)]
    assert [(r["dossier"], r["rule"]) for r in approval.json["not_passed"]] == [(c.id, "vote_threshold")]
    moved = db.session.scalars(select(HistoryEntry.dossier_id).where(HistoryEntry.event == APPROVAL.event)).all()
    assert sorted(moved) == [a.id, b.id]


def test_the_minutes_give_counts_never_who_voted_how(factory, council, agenda):
    chair, members = council
    a, b, c = agenda
    session_id = convene(factory, agenda).json["id"]
    office = factory.api(factory.user_once("office"))
    assert office.get(f"/api/v1/council-sessions/{session_id}/minutes.docx").status_code == 409
    assert sheet(factory, chair, session_id, {a: "agree", b: "disagree", c: "abstain"}).status_code == 201
    assert office.post(f"/api/v1/council-sessions/{session_id}/closure",
                       json={"present": [chair.id, members[1].id]}).status_code == 200

    docx = office.get(f"/api/v1/council-sessions/{session_id}/minutes.docx")
    assert docx.status_code == 200
    document = WordDocument(io.BytesIO(docx.data))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    assert "BIÊN BẢN HỌP HỘI ĐỒNG THI ĐUA" in paragraphs
    assert today().strftime("%d/%m/%Y") in paragraphs
    assert "Chủ Tịch Hội Đồng" in paragraphs and "Ủy Viên 3" in paragraphs  # present, absent
    rows = [[cell.text for cell in row.cells] for row in document.tables[1].rows]
    assert [row[1] for row in rows[1:]] == ["Nguyễn Thị An", CONFLICTED_NAME, "Lê Thị Cúc"]
    assert [row[4:] for row in rows[1:]] == [["9", "1", "1", "0", "0", "Không đạt"],
                                             ["8", "1", "0", "1", "0", "Không đạt"],
                                             ["9", "1", "0", "0", "1", "Không đạt"]]
    names = {chair.full_name, chair.username, *(m.full_name for m in members[1:])}
    assert not names & {cell for row in rows for cell in row}
    pdf = office.get(f"/api/v1/council-sessions/{session_id}/minutes.pdf")
    assert (pdf.status_code, pdf.mimetype, pdf.data[:5]) == (200, "application/pdf", b"%PDF-")
    assert zipfile.is_zipfile(io.BytesIO(docx.data))
    # Nothing that links a member to a choice was stored.
    assert db.session.scalar(select(func.count()).select_from(VoteRecord)) == 3


@BOTH_STORES
def test_closing_attaches_the_minutes_stored_once_to_each_dossier_of_the_agenda(app, factory, council, agenda):
    chair, members = council
    a, b, c = agenda
    session_id = convene(factory, agenda).json["id"]
    assert sheet(factory, chair, session_id, {a: "agree", b: "disagree", c: "abstain"}).status_code == 201
    files_before = stored_files(app)
    office = factory.api(factory.user_once("office"))
    assert office.post(f"/api/v1/council-sessions/{session_id}/closure",
                       json={"present": [chair.id]}).status_code == 200

    # Two files (DOCX and PDF) for the whole agenda, each a document of every dossier.
    new_files = stored_files(app) - files_before
    assert sorted(object_store().open(name).read(4) for name in new_files) == [b"%PDF", b"PK\x03\x04"]
    names = {f"bien-ban-hop-hoi-dong-{session_id}.pdf", f"bien-ban-hop-hoi-dong-{session_id}.docx"}
    submitter = factory.api(factory.user_once("submitter", "ba-dinh"))
    pdfs = {}
    for dossier in agenda:
        documents = submitter.get(f"/api/v1/dossiers/{dossier.id}").json["documents"]
        minutes = [d for d in documents if d["kind"] == "bien_ban_hoi_dong"]
        assert {d["filename"] for d in minutes} == names
        pdf = pdfs[dossier.id] = next(d for d in minutes if d["filename"].endswith(".pdf"))
        download = submitter.get(f"/api/v1/dossiers/{dossier.id}/documents/{pdf['id']}")
        assert (download.status_code, download.data[:5]) == (200, b"%PDF-")
        assert hashlib.sha256(download.data).hexdigest() == pdf["sha256"]
        # As an upload does, the attachment writes a history row, which names the session.
        rows = db.session.scalars(select(HistoryEntry).where(HistoryEntry.dossier_id == dossier.id,
                                                             HistoryEntry.event == "add_document")).all()
        assert sorted((r.details["filename"], r.details["session"]) for r in rows
                      if r.details["kind"] == "bien_ban_hoi_dong") == sorted(
            (name, session_id) for name in names)
    assert db.session.scalar(select(func.count(func.distinct(Document.storage_name)))
                             .where(Document.kind == "bien_ban_hoi_dong")) == 2
    stranger = factory.api(factory.user_once("submitter", "hoan-kiem"))
    assert stranger.get(f"/api/v1/dossiers/{a.id}/documents/{pdfs[a.id]['id']}").status_code == 404
    # The tally stays fixed although the attachment changed the dossier.
    tally = factory.api(chair).get(f"/api/v1/dossiers/{a.id}/tally").json
    assert (tally["members"], tally["cast"], tally["agree"]) == (9, 1, 1)
    # Nobody removes the council's minutes.
    refused = submitter.delete(f"/api/v1/dossiers/{a.id}/documents/{pdfs[a.id]['id']}")
    assert (refused.status_code, refused.json["error"]["code"]) == (403, "forbidden")


@BOTH_STORES
def test_a_closing_that_cannot_attach_the_minutes_does_not_close(app, factory, council, agenda, monkeypatch):
    chair, _ = council
    a = agenda[0]
    session_id = convene(factory, [a]).json["id"]
    files_before = stored_files(app)
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 0)  # no file fits: storing the minutes fails
    office = factory.api(factory.user_once("office"))
    refused = office.post(f"/api/v1/council-sessions/{session_id}/closure", json={"present": [chair.id]})
    assert (refused.status_code, refused.json["error"]["code"]) == (413, "payload_too_large")
    assert office.get(f"/api/v1/council-sessions/{session_id}").json["status"] == "convened"
    assert db.session.scalar(select(func.count()).select_from(Document)
                             .where(Document.kind == "bien_ban_hoi_dong")) == 0
    assert stored_files(app) == files_before
    assert sheet(factory, chair, session_id, {a: "agree"}).status_code == 201


def test_convening_is_all_or_nothing(factory, council, agenda):
    a, b, c = agenda
    draft = factory.dossier(REFERENCE.initial)
    refused = convene(factory, [a, draft])
    assert (refused.status_code, refused.json["error"]["code"]) == (422, "batch_refused")
    assert [d["dossier"] for d in refused.json["error"]["details"]] == [draft.id]
    assert convene(factory, [a, b]).status_code == 201
    busy = convene(factory, [b, c])
    assert [(d["dossier"], d["rule"]) for d in busy.json["error"]["details"]] == [(b.id, "on_open_session")]
    blank = convene(factory, [c], place="   ")
    assert (blank.status_code, blank.json["error"]["code"]) == (422, "validation_error")
    assert db.session.scalar(select(func.count()).select_from(Notice).where(Notice.kind == "council_session")) == 9


@pytest.mark.parametrize("role", ["council", "chair", "submitter", "appraiser"])
def test_only_the_office_convenes_and_closes(factory, council, agenda, role):
    user = factory.user_once(role)
    response = factory.api(user).post("/api/v1/council-sessions", json={
        "held_on": today().isoformat(), "place": "Hà Nội", "dossier_ids": [agenda[0].id]})
    assert (response.status_code, response.json["error"]["code"]) == (403, "forbidden")


def test_the_chair_and_an_abstention_vote_per_dossier(factory, council, agenda):
    chair, members = council
    a = agenda[0]
    assert factory.api(chair).post(f"/api/v1/dossiers/{a.id}/votes", json={"vote": "agree"}).status_code == 201
    assert factory.api(members[1]).post(f"/api/v1/dossiers/{a.id}/votes", json={"vote": "abstain"}).status_code == 201
    tally = factory.api(chair).get(f"/api/v1/dossiers/{a.id}/tally").json
    assert (tally["members"], tally["cast"], tally["agree"], tally["abstain"]) == (9, 2, 1, 1)


@pytest.mark.parametrize("value, status", [("present", 200), ("quorum", 422)])
def test_the_denominator_is_an_award_type_setting(factory, value, status):
    office = factory.api(factory.user_once("office"))
    response = office.patch("/api/v1/award-types/bk_thanh_hoi", json={"vote_denominator": value})
    assert response.status_code == status
    db.session.rollback()
    stored = db.session.scalar(select(AwardType.vote_denominator).where(AwardType.code == "bk_thanh_hoi"))
    assert stored == (value if status == 200 else "membership")


def test_the_pages_take_a_session_from_convening_to_approval(app, factory, council, agenda):
    chair, members = council
    a, b, c = agenda
    office = sign_in(app, factory.user_once("office"))
    page = office.get(f"/council-sessions?award_type={a.award_type.code}")
    assert page.status_code == 200 and "Nguyễn Thị An" in page.text
    token = csrf_token(office, "/council-sessions")
    blank = office.post("/council-sessions", data={"csrf_token": token, "held_on": "", "place": "Hà Nội",
                                                   "dossier": [str(a.id)]})
    assert blank.status_code == 400
    convened = office.post("/council-sessions", data={"csrf_token": token, "held_on": today().strftime("%d/%m/%Y"),
                                                      "place": "Hà Nội", "dossier": [str(a.id), str(c.id)]})
    assert convened.status_code == 302
    path = convened.headers["Location"]

    for voter, choice in [(chair, "agree")] + [(m, "agree") for m in members[:6]]:
        client = sign_in(app, voter)
        sheet_page = client.get(path)
        assert f'name="vote-{a.id}"' in sheet_page.text and 'type="radio"' in sheet_page.text
        sent = client.post(f"{path}/ballots", data={"csrf_token": csrf_token(client, path),
                                                    f"vote-{a.id}": choice, f"vote-{c.id}": "disagree"})
        assert sent.status_code == 302
        assert f'name="vote-{a.id}"' not in client.get(path).text  # one sheet per member
    incomplete = sign_in(app, members[6])
    refused = incomplete.post(f"{path}/ballots", data={"csrf_token": csrf_token(incomplete, path),
                                                       f"vote-{a.id}": "agree"})
    assert refused.status_code == 400

    closed = office.post(f"{path}/closure", data={"csrf_token": csrf_token(office, path),
                                                  "present": [str(chair.id), str(members[1].id)]})
    assert closed.status_code == 302
    summary = office.get(path).text
    assert "Không đạt" in summary and "Đạt" in summary and "minutes.docx" in summary
    assert office.get(f"{path}/minutes.pdf").data[:5] == b"%PDF-"
    dossier_page = office.get(f"/dossiers/{a.id}").text
    assert f"{path}/minutes.docx" in dossier_page and "Không biểu quyết: 0." in dossier_page
    # The minutes are among the dossier's documents, downloaded from its page.
    session_id = path.rsplit("/", 1)[-1]
    listed = re.search(rf'<a href="(/dossiers/{a.id}/documents/\d+)">bien-ban-hop-hoi-dong-{session_id}\.pdf</a>',
                       dossier_page)
    assert listed and "Biên bản phiên họp Hội đồng Thi đua – Khen thưởng" in dossier_page
    assert office.get(listed.group(1)).data[:5] == b"%PDF-"

    chair_client = sign_in(app, chair)
    approved = chair_client.post(f"{path}/approval", data={"csrf_token": csrf_token(chair_client, path)})
    assert approved.status_code == 302
    db.session.rollback()
    assert [db.session.get(type(a), d.id).state for d in (a, c)] == [APPROVAL.dest, VOTING]


def test_a_session_runs_on_sqlite_too(sqlite_factory):
    """SQLite's migration makes the ballot's choice nullable (a batch rebuild) and its vote takes another path."""
    chair = sqlite_factory.user("chair")
    members = [sqlite_factory.user("council") for _ in range(2)]
    dossier = sqlite_factory.dossier(VOTING)
    session_id = convene(sqlite_factory, [dossier]).json["id"]
    for voter, choice in zip([chair, *members], ("agree", "agree", "abstain"), strict=True):
        assert sheet(sqlite_factory, voter, session_id, {dossier: choice}).status_code == 201
    closed = sqlite_factory.api(sqlite_factory.user_once("office")).post(
        f"/api/v1/council-sessions/{session_id}/closure", json={"present": [chair.id]})
    assert [(i["members"], i["cast"], i["agree"], i["abstain"], i["passed"]) for i in closed.json["items"]] \
        == [(3, 3, 2, 1, False)]


def _waiting_for_locks(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND wait_event_type = 'Lock'").fetchone()[0]


def test_a_vote_waiting_for_a_closing_is_refused_and_changes_nothing(app, factory, council, agenda):
    """The closing holds the agenda's rows while it fixes the tallies; a vote that passed its first checks before the
    closing and then waited for the dossier's row finds the tally fixed, and its ballot is not added."""
    chair, members = council
    a = agenda[0]
    session_id = convene(factory, agenda).json["id"]
    for voter in [chair, *members[1:7]]:
        assert sheet(factory, voter, session_id, {d: "agree" for d in agenda}).status_code == 201
    late, office = members[7], factory.api(factory.user_once("office"))
    late_client = factory.api(late)
    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg", "postgresql")
    db.session.commit()
    results = {}
    with psycopg.connect(url) as holder:
        holder.execute("SELECT id FROM dossiers WHERE id = %s FOR UPDATE", (a.id,))
        closing = threading.Thread(target=lambda: results.setdefault("close", office.post(
            f"/api/v1/council-sessions/{session_id}/closure", json={"present": [chair.id]})))
        closing.start()
        wait_for(lambda: _waiting_for_locks(url) == 1, 30, "the closing to wait for the dossier's row")
        voting = threading.Thread(target=lambda: results.setdefault("vote", late_client.post(
            f"/api/v1/dossiers/{a.id}/votes", json={"vote": "disagree"})))
        voting.start()
        wait_for(lambda: _waiting_for_locks(url) == 2, 30, "the vote to wait behind the closing")
        holder.rollback()
    closing.join(60)
    voting.join(60)

    assert results["close"].status_code == 200, results["close"].json
    assert (results["vote"].status_code, results["vote"].json["error"]["code"]) == (409, "voting_closed")
    fixed = next(item for item in results["close"].json["items"] if item["dossier"] == a.id)
    assert fixed["cast"] == len(ballots_of(a.id)) == 7
    assert db.session.scalar(select(func.count()).select_from(VoteRecord).where(VoteRecord.dossier_id == a.id)) == 7
def test_the_close_form_says_whose_ballot_sheet_is_sent_never_what_it_says(app, factory, council, agenda):
    chair, members = council
    a, b, c = agenda
    session_id = convene(factory, agenda).json["id"]
    assert sheet(factory, chair, session_id, {a: "agree", b: "disagree", c: "abstain"}).status_code == 201
    page = sign_in(app, factory.user_once("office")).get(f"/council-sessions/{session_id}").text
    status = dict(re.findall(r'id="sheet-(\d+)">([^<]+)</span>', page))
    assert status == {str(chair.id): "đã gửi phiếu bầu", **{str(m.id): "chưa gửi phiếu bầu" for m in members}}
    assert f'value="{chair.id}" aria-describedby="sheet-{chair.id}"' in page
    assert not {"Đồng ý", "Không đồng ý"} & set(re.findall(r"<li>.*?</li>", page, re.S))


def test_a_closed_session_shows_who_attended_and_why_the_others_did_not_pass(app, factory, council, agenda):
    chair, members = council
    a, b, c = agenda
    session_id = convene(factory, agenda).json["id"]
    for voter in [chair, *members[1:7]]:
        assert sheet(factory, voter, session_id, {a: "agree", b: "agree", c: "disagree"}).status_code == 201
    assert sheet(factory, members[0], session_id, {a: "agree", c: "agree"}).status_code == 201
    present = [chair.id] + [m.id for m in members[:6]]
    office = factory.api(factory.user_once("office"))
    assert office.post(f"/api/v1/council-sessions/{session_id}/closure", json={"present": present}).status_code == 200

    page = sign_in(app, chair).get(f"/council-sessions/{session_id}").text
    assert ("Thành viên có mặt (7): Chủ Tịch Hội Đồng, Trần Thị Xung Đột, Ủy Viên 1, Ủy Viên 2, Ủy Viên 3, "
            "Ủy Viên 4, Ủy Viên 5.") in page
    assert "Thành viên vắng mặt (2): Ủy Viên 6, Ủy Viên 7." in page
    approval = page[page.index('id="approval"'):]
    assert f'action="/council-sessions/{session_id}/approval"' in approval
    failing = re.findall(r'<li><a href="/dossiers/(\d+)">[^<]+</a>:\s*([^<]+)</li>', approval)
    # B has eight members who may vote and seven agreeing votes: it passes; C has one agreeing vote out of nine.
    assert failing == [(str(c.id), "Chưa đủ phiếu đồng ý: 1 trên 9 thành viên, cần 7.")]


def test_the_minutes_carry_a_number_line_the_place_and_date_and_the_signers(app, factory, council, agenda):
    chair, members = council
    session_id = convene(factory, agenda).json["id"]
    office_user = db.session.scalar(select(CouncilSession.convened_by_id).where(CouncilSession.id == session_id))
    office = factory.api(factory.user_once("office"))
    assert office.post(f"/api/v1/council-sessions/{session_id}/closure", json={"present": [chair.id]}).status_code \
        == 200
    day = today()
    place_date = f"Hà Nội, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    secretary = db.session.get(User, office_user).display_name

    document = WordDocument(io.BytesIO(office.get(f"/api/v1/council-sessions/{session_id}/minutes.docx").data))
    heading = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert heading[2] == ["Số: …/BB-HĐTĐKT", place_date]
    signers = [[cell.text for cell in row.cells] for row in document.tables[-1].rows]
    assert signers[0] == ["THƯ KÝ", "CHỦ TỊCH HỘI ĐỒNG"] and signers[-1] == [secretary, chair.full_name]

    pdf = office.get(f"/api/v1/council-sessions/{session_id}/minutes.pdf").data
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Số: …/BB-HĐTĐKT" in text and place_date in text
    assert text.index("CHỦ TỊCH HỘI ĐỒNG") < text.rindex(chair.full_name) and secretary in text


def test_the_dossier_page_shows_a_tally_only_once_someone_voted_and_the_vote_box_only_while_voting(
        app, factory, council, agenda):
    chair, members = council
    a = agenda[0]
    returned = factory.dossier("returned")
    office = sign_in(app, factory.user_once("office"))
    assert "Kết quả bỏ phiếu của Hội đồng" not in office.get(f"/dossiers/{returned.id}").text
    assert "0 trên 9" not in office.get(f"/dossiers/{a.id}").text

    chair_page = sign_in(app, chair)
    assert 'name="vote"' in chair_page.get(f"/dossiers/{a.id}").text
    for voter in [chair, *members[1:8]]:
        assert factory.api(voter).post(f"/api/v1/dossiers/{a.id}/votes", json={"vote": "agree"}).status_code == 201
    member_page = sign_in(app, members[1])
    voting = member_page.get(f"/dossiers/{a.id}").text
    assert "Bạn đã bỏ phiếu cho hồ sơ này." in voting and "8 trên 9 thành viên đã bỏ phiếu" in voting
    db.session.rollback()
    approved = factory.api(chair).post(f"/api/v1/dossiers/{a.id}/events",
                                       json={"event": APPROVAL.event, "version": db.session.get(type(a), a.id).version})
    assert approved.status_code == 200, approved.json
    for page in (chair_page.get(f"/dossiers/{a.id}").text, member_page.get(f"/dossiers/{a.id}").text):
        assert "Bạn đã bỏ phiếu" not in page and 'name="vote"' not in page
        assert "8 trên 9 thành viên đã bỏ phiếu" in page
