"""Unit packets (DOMAIN.md, "Unit packet"): documents a unit uploads once per campaign stand for the matching required
documents of each of its dossiers of that campaign; the unit submits every draft at once, all or nothing, and the
office accepts the packet whole."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from tests.conftest import BOTH_STORES, stored_objects
from tests.factories import PDF
from tests.web_helpers import csrf_token, sign_in
from web.storage import document_store
from workflow import operations as ops
from workflow.models import Dossier, HistoryEntry, PacketDocument, db
from workflow.packets import acceptance_step, return_step, submission_step
from workflow.procedure import catalogue
from workflow.rules import missing_documents

pytestmark = pytest.mark.usefixtures("light_password_hashing")

REFERENCE = catalogue().current("reference")
SUBMIT = submission_step(REFERENCE)
# The office's step from the submitted state that neither ends the dossier nor gives it back.
ACCEPT = next(step for step in REFERENCE.steps if step.source == SUBMIT.dest and step.role == "office"
              and step.dest not in REFERENCE.dead_states | REFERENCE.editable_states)
CAMPAIGN, UNIT = "test-campaign", "ba-dinh"
PACKET = f"/api/v1/packets/{CAMPAIGN}/{UNIT}"
# A Windows program named like a PDF.
DISGUISED = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def draft(factory, name: str, unit: str = UNIT, campaign: str = CAMPAIGN, report: bool = True) -> Dossier:
    """A draft holding its own achievement report (if `report`), and no tờ trình: that comes from the packet."""
    dossier = factory.draft("bk_thanh_hoi", unit, name=name, campaign=campaign, documents=False)
    if report:
        ops.add_document(factory.user_once("submitter", unit), dossier, "bao_cao_thanh_tich", "bao-cao.pdf", PDF,
                         document_store())
        db.session.commit()
    return dossier


def upload(api, kind: str = "to_trinh", data: bytes = PDF, filename: str = "to-trinh.pdf", path: str = PACKET):
    return api.post(f"{path}/documents", data={"kind": kind, "file": (io.BytesIO(data), filename)},
                    content_type="multipart/form-data")


def stored_files(app) -> set[str]:
    with app.app_context():
        return stored_objects()


def reread(dossier: Dossier) -> Dossier:
    db.session.rollback()
    return db.session.get(Dossier, dossier.id)


def history_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(HistoryEntry))


def state_of(dossier: Dossier) -> str:
    """The dossier's state as stored now, whatever the session holds."""
    db.session.rollback()
    return db.session.scalar(select(Dossier.state).where(Dossier.id == dossier.id))


def last_row(dossier: Dossier) -> HistoryEntry:
    return db.session.scalars(select(HistoryEntry).where(HistoryEntry.dossier_id == dossier.id)
                              .order_by(HistoryEntry.seq.desc())).first()


def test_the_steps_are_found_in_the_procedure(factory):
    assert (SUBMIT.source, SUBMIT.role) == (REFERENCE.initial, "submitter")
    assert SUBMIT.dest not in REFERENCE.dead_states
    office = factory.user_once("office", "van-phong")
    assert acceptance_step(REFERENCE, office) == ACCEPT
    giving_back = return_step(REFERENCE, office)
    assert (giving_back.source, giving_back.role) == (SUBMIT.dest, "office")
    assert giving_back.dest in REFERENCE.editable_states
    assert acceptance_step(REFERENCE, factory.user_once("chair", "thanh-hoi")) is None


def test_a_packet_document_stands_for_the_required_document_of_its_units_dossiers_in_its_campaign(factory):
    mine = [draft(factory, "Lê Thị Một"), draft(factory, "Trần Thị Hai")]
    other_unit = draft(factory, "Phạm Thị Ba", unit="hoan-kiem")
    other_campaign = draft(factory, "Đỗ Thị Bốn", campaign="other-campaign")
    assert all(missing_documents(d) == ["to_trinh"] for d in [*mine, other_unit, other_campaign])
    api = factory.api(factory.user_once("submitter", UNIT))

    response = upload(api)

    assert response.status_code == 201, response.json
    assert (response.json["kind"], response.json["filename"]) == ("to_trinh", "to-trinh.pdf")
    assert [missing_documents(reread(d)) for d in mine] == [[], []]
    assert missing_documents(reread(other_unit)) == ["to_trinh"]
    assert missing_documents(reread(other_campaign)) == ["to_trinh"]
    packet = api.get(PACKET)
    assert packet.status_code == 200
    assert [d["id"] for d in packet.json["documents"]] == [response.json["id"]]
    assert {d["id"]: (d["missing_documents"], d["from_packet"]) for d in packet.json["dossiers"]} == {
        d.id: ([], ["to_trinh"]) for d in mine}
    assert [d["id"] for d in api.get(f"{PACKET}/documents").json] == [response.json["id"]]
    download = api.get(f"{PACKET}/documents/{response.json['id']}")
    assert (download.status_code, download.data) == (200, PDF)


def test_the_packet_is_submitted_whole_or_not_at_all_with_a_reason_for_each_dossier(factory):
    ready = draft(factory, "Lê Thị Sẵn Sàng")
    lacking = draft(factory, "Trần Thị Thiếu", report=False)
    elsewhere = draft(factory, "Phạm Thị Khác", unit="hoan-kiem")
    api = factory.api(factory.user_once("submitter", UNIT))
    assert upload(api).status_code == 201
    before = history_count()

    refused = api.post(f"{PACKET}/submission")

    assert refused.status_code == 422
    assert refused.json["error"]["code"] == "batch_refused"
    assert [(d["dossier"], d["rule"]) for d in refused.json["error"]["details"]] == [
        (lacking.id, "required_documents")]
    assert "Trần Thị Thiếu" in refused.json["error"]["details"][0]["message"]
    assert history_count() == before
    assert reread(ready).state == REFERENCE.initial

    ops.add_document(factory.user_once("submitter", UNIT), reread(lacking), "bao_cao_thanh_tich", "bc.pdf", PDF,
                     document_store())
    db.session.commit()
    before = history_count()
    submitted = api.post(f"{PACKET}/submission")

    assert submitted.status_code == 200, submitted.json
    assert sorted(item["dossier"] for item in submitted.json) == sorted([ready.id, lacking.id])
    assert history_count() == before + 2
    for dossier in (ready, lacking):
        dossier = reread(dossier)
        assert dossier.state == SUBMIT.dest and dossier.ever_submitted
        row = last_row(dossier)
        assert (row.event, row.from_state, row.to_state) == (SUBMIT.event, SUBMIT.source, SUBMIT.dest)
    assert reread(elsewhere).state == REFERENCE.initial
    again = api.post(f"{PACKET}/submission")
    assert (again.status_code, again.json["error"]["code"]) == (422, "validation_error")


def test_the_office_accepts_the_packet_whole(factory):
    dossiers = [draft(factory, name) for name in ("Lê Thị Một", "Trần Thị Hai")]
    submitter = factory.api(factory.user_once("submitter", UNIT))
    assert upload(submitter).status_code == 201
    assert submitter.post(f"{PACKET}/submission").status_code == 200
    office_user = factory.user_once("office", "van-phong")
    office = factory.api(office_user)
    assert submitter.post(f"{PACKET}/acceptance").json["error"]["code"] == "forbidden"
    assert office.post(f"{PACKET}/submission").json["error"]["code"] == "forbidden"
    seen = office.get(PACKET)
    assert {d["id"]: d["state"] for d in seen.json["dossiers"]} == {d.id: SUBMIT.dest for d in dossiers}
    before = history_count()

    accepted = office.post(f"{PACKET}/acceptance")

    assert accepted.status_code == 200, accepted.json
    assert sorted((i["dossier"], i["state"]) for i in accepted.json) == sorted((d.id, ACCEPT.dest) for d in dossiers)
    assert history_count() == before + 2
    for dossier in dossiers:
        row = last_row(reread(dossier))
        assert (row.event, row.to_state, row.actor_username) == (ACCEPT.event, ACCEPT.dest, office_user.username)
    nothing_left = office.post(f"{PACKET}/acceptance")
    assert (nothing_left.status_code, nothing_left.json["error"]["code"]) == (422, "validation_error")


def test_acceptance_is_all_or_nothing(factory):
    dossiers = [draft(factory, name) for name in ("Lê Thị Một", "Trần Thị Hai")]
    submitter = factory.api(factory.user_once("submitter", UNIT))
    assert upload(submitter).status_code == 201
    assert submitter.post(f"{PACKET}/submission").status_code == 200
    # The packet's tờ trình is withdrawn behind the office's back: acceptance checks the documents again.
    db.session.execute(PacketDocument.__table__.delete())
    db.session.commit()
    before = history_count()

    refused = factory.api(factory.user_once("office", "van-phong")).post(f"{PACKET}/acceptance")

    assert refused.json["error"]["code"] == "batch_refused"
    assert sorted((d["dossier"], d["rule"]) for d in refused.json["error"]["details"]) == sorted(
        (d.id, "required_documents") for d in dossiers)
    assert history_count() == before
    assert {reread(d).state for d in dossiers} == {SUBMIT.dest}


def test_another_units_packet_does_not_exist_for_a_submitter_and_is_closed_to_others(app, factory):
    dossier = draft(factory, "Lê Thị Một")
    stranger = factory.api(factory.user_once("submitter", "hoan-kiem"))
    before = history_count()
    files_before = stored_files(app)
    for response in (stranger.get(PACKET), stranger.get(f"{PACKET}/documents"), upload(stranger),
                     stranger.post(f"{PACKET}/submission"), stranger.post(f"{PACKET}/acceptance")):
        assert (response.status_code, response.json["error"]["code"]) == (404, "not_found")
    chair = factory.api(factory.user_once("chair", "thanh-hoi"))
    for response in (chair.get(PACKET), upload(chair), chair.post(f"{PACKET}/submission")):
        assert (response.status_code, response.json["error"]["code"]) == (403, "forbidden")
    office = factory.api(factory.user_once("office", "van-phong"))
    assert upload(office).json["error"]["code"] == "forbidden"
    for path in ("/api/v1/packets/no-such-campaign/ba-dinh", "/api/v1/packets/test-campaign/no-such-unit"):
        assert factory.api(factory.user_once("submitter", UNIT)).get(path).status_code == 404
    assert history_count() == before
    assert db.session.scalar(select(func.count()).select_from(PacketDocument)) == 0
    assert reread(dossier).state == REFERENCE.initial
    assert stored_files(app) == files_before


@BOTH_STORES
def test_a_disguised_or_misplaced_upload_is_refused_and_leaves_nothing(app, factory):
    draft(factory, "Lê Thị Một")
    api = factory.api(factory.user_once("submitter", UNIT))
    files_before = stored_files(app)

    disguised = upload(api, data=DISGUISED, filename="to-trinh.pdf")
    wrong_kind = upload(api, kind="bao_cao_thanh_tich")
    active = upload(api, data=PDF.replace(b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/JavaScript/JS(x)>>"))

    assert (disguised.status_code, disguised.json["error"]["code"]) == (415, "unsupported_media_type")
    assert (wrong_kind.status_code, wrong_kind.json["error"]["code"]) == (422, "validation_error")
    assert (active.status_code, active.json["error"]["code"]) == (415, "unsupported_media_type")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PacketDocument)) == 0
    assert stored_files(app) == files_before


def packet_rows(dossier: Dossier) -> list[tuple[str, str]]:
    return [(row.event, row.details["filename"]) for row in db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.dossier_id == dossier.id, HistoryEntry.event.like("%packet_document"))
        .order_by(HistoryEntry.seq))]


@BOTH_STORES
def test_the_history_of_each_editable_dossier_of_the_packet_shows_its_documents_coming_and_going(app, factory):
    drafts = [draft(factory, name) for name in ("Lê Thị Một", "Trần Thị Hai")]
    withdrawn = factory.dossier("withdrawn", name="Vũ Thị Rút")
    other_unit = draft(factory, "Phạm Thị Ba", unit="hoan-kiem")
    api = factory.api(factory.user_once("submitter", UNIT))
    files_before = stored_files(app)

    added = upload(api).json
    list_ = upload(api, kind="danh_sach", filename="danh-sach.pdf").json
    assert {reread(d).version for d in drafts} == {4}  # 1 when created, its report, the two packet documents
    removed = api.delete(f"{PACKET}/documents/{added['id']}")

    assert removed.status_code == 204
    assert [missing_documents(reread(d)) for d in drafts] == [["to_trinh"], ["to_trinh"]]
    assert [d["id"] for d in api.get(f"{PACKET}/documents").json] == [list_["id"]]
    assert api.get(f"{PACKET}/documents/{added['id']}").status_code == 404
    assert stored_files(app) - files_before == {document_store().object_name(
        db.session.get(PacketDocument, list_["id"]).storage_name)}
    for dossier in drafts:
        assert packet_rows(reread(dossier)) == [("add_packet_document", "to-trinh.pdf"),
                                                ("add_packet_document", "danh-sach.pdf"),
                                                ("remove_packet_document", "to-trinh.pdf")]
        assert last_row(dossier).details["packet_document"] == added["id"]
        assert last_row(dossier).actor_username == factory.user_once("submitter", UNIT).username
    # A withdrawn dossier is no longer changed by its unit's packet, and another unit's never was.
    assert packet_rows(reread(withdrawn)) == packet_rows(reread(other_unit)) == []
    again = api.delete(f"{PACKET}/documents/{added['id']}")
    assert (again.status_code, again.json["error"]["code"]) == (404, "not_found")


def test_a_packet_document_stays_once_a_dossier_of_the_packet_is_submitted(app, factory):
    ready = draft(factory, "Lê Thị Sẵn Sàng")
    api = factory.api(factory.user_once("submitter", UNIT))
    document = upload(api).json
    assert api.post(f"{PACKET}/submission").status_code == 200
    late = draft(factory, "Trần Thị Muộn")
    before, files_before = history_count(), stored_files(app)

    refused = api.delete(f"{PACKET}/documents/{document['id']}")

    assert (refused.status_code, refused.json["error"]["code"]) == (409, "invalid_transition")
    assert [d["dossier"] for d in refused.json["error"]["details"]] == [ready.id]
    assert "Lê Thị Sẵn Sàng" in refused.json["error"]["details"][0]["message"]
    assert history_count() == before and stored_files(app) == files_before
    assert missing_documents(reread(ready)) == missing_documents(reread(late)) == []
    # A document added now is recorded on the draft only: the submitted dossier's checklist was judged already.
    added = upload(api, kind="danh_sach", filename="danh-sach.pdf")
    assert added.status_code == 201
    assert packet_rows(reread(late)) == [("add_packet_document", "danh-sach.pdf")]
    assert packet_rows(reread(ready)) == [("add_packet_document", "to-trinh.pdf")]


def test_only_the_units_submitter_removes_a_packet_document(factory):
    draft(factory, "Lê Thị Một")
    document = upload(factory.api(factory.user_once("submitter", UNIT))).json
    path = f"{PACKET}/documents/{document['id']}"
    stranger = factory.api(factory.user_once("submitter", "hoan-kiem")).delete(path)
    assert (stranger.status_code, stranger.json["error"]["code"]) == (404, "not_found")
    office = factory.api(factory.user_once("office", "van-phong")).delete(path)
    assert (office.status_code, office.json["error"]["code"]) == (403, "forbidden")
    elsewhere = factory.api(factory.user_once("submitter", UNIT)).delete(
        f"/api/v1/packets/other-campaign/{UNIT}/documents/{document['id']}")
    assert elsewhere.status_code == 404
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PacketDocument)) == 1


# Pages ------------------------------------------------------------------------------------------

def form_token(page: str, action: str) -> str:
    form = re.search(r'<form[^>]*action="' + re.escape(action) + r'"[^>]*>(.*?)</form>', page, re.S)
    assert form, action
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.group(1)).group(1)


def test_the_unit_uploads_and_submits_its_packet_and_the_office_accepts_it_on_the_pages(app, factory):
    dossiers = [draft(factory, name) for name in ("Lê Thị Một", "Trần Thị Hai")]
    submitter = sign_in(app, factory.user_once("submitter", UNIT))
    path = f"/packets/{CAMPAIGN}/{UNIT}"

    page = submitter.get(path)
    assert page.status_code == 200
    assert "Hồ sơ chung của đơn vị" in page.text
    uploaded = submitter.post(f"{path}/documents", data={
        "csrf_token": form_token(page.text, f"{path}/documents"), "kind": "to_trinh",
        "file": (io.BytesIO(PDF), "to-trinh.pdf")}, content_type="multipart/form-data")
    assert uploaded.status_code == 302
    refused = submitter.post(f"{path}/documents", data={
        "csrf_token": csrf_token(submitter, path), "kind": "to_trinh",
        "file": (io.BytesIO(DISGUISED), "x.pdf")}, content_type="multipart/form-data", follow_redirects=True)
    assert refused.status_code == 200 and "PDF" in refused.text
    assert db.session.scalar(select(func.count()).select_from(PacketDocument)) == 1

    dossier_page = submitter.get(f"/dossiers/{dossiers[0].id}")
    assert "từ hồ sơ chung của đơn vị" in dossier_page.text

    page = submitter.get(path)
    assert "Nộp cả hồ sơ chung" in page.text
    submitted = submitter.post(f"{path}/submission", data={"csrf_token": form_token(page.text, f"{path}/submission")})
    assert submitted.status_code == 302
    assert {reread(d).state for d in dossiers} == {SUBMIT.dest}

    office_user = factory.user_once("office", "van-phong")
    office = sign_in(app, office_user)
    listing = office.get("/packets")
    assert listing.status_code == 200 and path in listing.text
    page = office.get(path)
    assert "Tiếp nhận cả hồ sơ chung" in page.text and "Lê Thị Một" in page.text
    giving_back = return_step(REFERENCE, office_user)
    assert all(f"/dossiers/{d.id}/events/{giving_back.event}" in page.text for d in dossiers)
    accepted = office.post(f"{path}/acceptance", data={"csrf_token": form_token(page.text, f"{path}/acceptance")})
    assert accepted.status_code == 302
    assert {reread(d).state for d in dossiers} == {ACCEPT.dest}
    stranger = sign_in(app, factory.user_once("submitter", "hoan-kiem"))
    assert stranger.get(path).status_code == 404
    assert path not in stranger.get("/packets").text
    assert path in submitter.get("/packets").text
    assert sign_in(app, factory.user_once("chair", "thanh-hoi")).get("/packets").status_code == 403


def test_the_unit_removes_a_packet_document_on_the_packet_page_until_it_submits(app, factory):
    dossier = draft(factory, "Lê Thị Một")
    api = factory.api(factory.user_once("submitter", UNIT))
    document = upload(api).json
    submitter = sign_in(app, factory.user_once("submitter", UNIT))
    path = f"/packets/{CAMPAIGN}/{UNIT}"
    action = f"{path}/documents/{document['id']}/delete"

    page = submitter.get(path).text
    button = re.search(r'<form[^>]*action="' + re.escape(action) + r'"[^>]*>.*?</form>', page, re.S).group()
    assert "data-confirm=" in button and "to-trinh.pdf" in button
    assert submitter.post(action).status_code == 400  # no CSRF token
    assert db.session.scalar(select(func.count()).select_from(PacketDocument)) == 1
    removed = submitter.post(action, data={"csrf_token": form_token(page, action)}, follow_redirects=True)
    assert removed.status_code == 200 and "Đã xóa tài liệu." in removed.text
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PacketDocument)) == 0
    history = submitter.get(f"/dossiers/{dossier.id}").text
    assert "Đã thêm tài liệu vào hồ sơ chung của đơn vị" in history
    assert "Đã xóa tài liệu khỏi hồ sơ chung của đơn vị" in history

    # Once the packet is submitted, the page offers no removal, and a removal sent anyway is refused with the reason.
    kept = upload(api).json
    assert api.post(f"{PACKET}/submission").status_code == 200
    page = submitter.get(path).text
    assert "to-trinh.pdf" in page and f"/documents/{kept['id']}/delete" not in page
    assert "không thể xóa các tài liệu dùng chung nữa" in page
    refused = submitter.post(f"{path}/documents/{kept['id']}/delete", data={"csrf_token": csrf_token(submitter, path)},
                             follow_redirects=True)
    assert refused.status_code == 200 and "Lê Thị Một" in refused.text
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PacketDocument)) == 1
    stranger = sign_in(app, factory.user_once("submitter", "hoan-kiem"))
    assert stranger.post(f"{path}/documents/{kept['id']}/delete",
                         data={"csrf_token": csrf_token(stranger, "/packets")}).status_code == 404


def test_a_packet_runs_on_sqlite_too(sqlite_factory):
    from workflow import packets

    dossiers = [draft(sqlite_factory, name) for name in ("Lê Thị Một", "Trần Thị Hai")]
    submitter = sqlite_factory.user_once("submitter", UNIT)
    packet = packets.get_packet(submitter, CAMPAIGN, UNIT)
    packets.add_packet_document(submitter, packet, "to_trinh", "to-trinh.pdf", PDF, document_store())
    assert sorted(d.id for d in packets.submit_packet(submitter, packet)) == sorted(d.id for d in dossiers)
    db.session.commit()
    office = sqlite_factory.user_once("office", "van-phong")
    summary, = packets.packet_summaries(office)
    assert (summary.unit.code, summary.dossiers, summary.waiting) == (UNIT, 2, 2)
    packets.accept_packet(office, packets.get_packet(office, CAMPAIGN, UNIT))
    db.session.commit()
    assert {reread(d).state for d in dossiers} == {ACCEPT.dest}


def test_a_dossier_returned_from_the_packet_page_comes_back_to_it(app, factory):
    dossiers = [draft(factory, name) for name in ("Lê Thị Một", "Trần Thị Hai")]
    api = factory.api(factory.user_once("submitter", UNIT))
    assert upload(api).status_code == 201 and api.post(f"{PACKET}/submission").status_code == 200
    office_user = factory.user_once("office", "van-phong")
    office = sign_in(app, office_user)
    path = f"/packets/{CAMPAIGN}/{UNIT}"
    giving_back = return_step(REFERENCE, office_user)
    link = f"/dossiers/{dossiers[0].id}/events/{giving_back.event}?back=packet"
    assert f'href="{link}"' in office.get(path).text
    form = office.get(link).text
    assert f'<a href="{path}">Hủy</a>' in form  # cancelling goes back to the packet too

    done = office.post(link, data={"csrf_token": csrf_token(office, link), "version": reread(dossiers[0]).version,
                                   "reason_to_trinh": "Thiếu chữ ký"})
    assert (done.status_code, done.headers["Location"]) == (302, path)
    assert state_of(dossiers[0]) == giving_back.dest
    back = office.get(path).text
    assert "Đã thực hiện: hồ sơ “Lê Thị Một” hiện ở trạng thái" in back
    # Without the packet's mark, the same action still lands on the dossier's own page.
    direct = f"/dossiers/{dossiers[1].id}/events/{giving_back.event}"
    done = office.post(direct, data={"csrf_token": csrf_token(office, direct),
                                     "version": reread(dossiers[1]).version, "reason_to_trinh": "Thiếu chữ ký"})
    assert done.headers["Location"] == f"/dossiers/{dossiers[1].id}"


def test_the_packet_takes_documents_only_while_one_of_its_dossiers_can_change(app, factory):
    dossiers = [draft(factory, name) for name in ("Lê Thị Một", "Trần Thị Hai")]
    submitter_user = factory.user_once("submitter", UNIT)
    api = factory.api(submitter_user)
    submitter = sign_in(app, submitter_user)
    path = f"/packets/{CAMPAIGN}/{UNIT}"
    assert upload(api).status_code == 201
    assert f'action="{path}/documents"' in submitter.get(path).text
    assert api.post(f"{PACKET}/submission").status_code == 200

    closed = submitter.get(path).text
    assert f'action="{path}/documents"' not in closed
    assert "Không còn hồ sơ nào của hồ sơ chung được sửa đổi: hồ sơ chung không nhận thêm tài liệu." in closed
    refused = upload(api, filename="to-trinh-moi.pdf")
    assert (refused.status_code, refused.json["error"]["code"]) == (422, "validation_error")
    assert db.session.scalar(select(func.count()).select_from(PacketDocument)) == 1

    office = factory.api(factory.user_once("office", "van-phong"))
    returned = office.post(f"/api/v1/dossiers/{dossiers[0].id}/events", json={
        "event": return_step(REFERENCE, factory.user_once("office", "van-phong")).event,
        "version": reread(dossiers[0]).version, "comment": "Tờ trình thiếu chữ ký"})
    assert returned.status_code == 200, returned.json
    assert f'action="{path}/documents"' in submitter.get(path).text
    assert upload(api, filename="to-trinh-moi.pdf").status_code == 201
