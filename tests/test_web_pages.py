"""The pages' work: returns with reasons per document, search, bulk results, votes, settings and administration."""
from __future__ import annotations

import datetime as dt
import io
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from tests.factories import PDF, RESPONSIBLE
from tests.web_helpers import csrf_token, own_choice_notes, sign_in
from workflow.i18n import today
from workflow.workdays import add_working_days
from workflow import operations
from workflow.operations import can_see
from workflow.models import AwardType, Campaign, Dossier, HistoryEntry, Unit, User, db

pytestmark = pytest.mark.postgres


def fresh(model, key):
    db.session.expire_all()
    return db.session.get(model, key)


def test_a_return_gives_reasons_per_document_and_a_due_date_that_the_unit_sees(app, factory):
    dossier = factory.dossier("submitted")
    office = sign_in(app, factory.user("office"))
    form = office.get(f"/dossiers/{dossier.id}/events/return").text
    assert "Báo cáo thành tích" in form and add_working_days(today(), 7).strftime("%d/%m/%Y") in form
    token = csrf_token(office, f"/dossiers/{dossier.id}")

    refused = office.post(f"/dossiers/{dossier.id}/events/return",
                          data={"csrf_token": token, "version": dossier.version, "due_date": ""})
    assert refused.status_code == 400 and "Cần nêu lý do." in refused.text
    assert fresh(Dossier, dossier.id).state == "submitted"

    bad_date = office.post(f"/dossiers/{dossier.id}/events/return", data={
        "csrf_token": token, "version": dossier.version, "reason_to_trinh": "Thiếu chữ ký", "due_date": "2025-01-01"})
    assert bad_date.status_code == 400 and "Nhập ngày theo dạng dd/mm/yyyy." in bad_date.text

    too_late = office.post(f"/dossiers/{dossier.id}/events/return", data={
        "csrf_token": token, "version": dossier.version, "reason_to_trinh": "Thiếu chữ ký",
        "due_date": (today() + dt.timedelta(days=400)).strftime("%d/%m/%Y")})
    assert too_late.status_code == 400 and "tối đa một năm" in too_late.text
    assert fresh(Dossier, dossier.id).state == "submitted"

    due = today() + dt.timedelta(days=10)
    done = office.post(f"/dossiers/{dossier.id}/events/return", data={
        "csrf_token": token, "version": dossier.version, "reason_to_trinh": "Thiếu chữ ký của Chủ tịch",
        "reason_bao_cao_thanh_tich": "Số liệu chưa khớp", "comment": "Bổ sung trong tuần.",
        "due_date": due.strftime("%d/%m/%Y")})
    assert done.status_code == 302
    returned = fresh(Dossier, dossier.id)
    assert (returned.state, returned.due_date) == ("returned", due)
    comment = db.session.scalar(select(HistoryEntry.comment).where(HistoryEntry.dossier_id == dossier.id,
                                                                   HistoryEntry.event == "return"))
    assert comment == ("- Tờ trình: Thiếu chữ ký của Chủ tịch\n- Báo cáo thành tích: Số liệu chưa khớp\n"
                       "Bổ sung trong tuần.")

    submitter = sign_in(app, factory.user_once("submitter", "ba-dinh"))
    home = submitter.get("/").text
    assert home.index("queue-returned") < home.index("Số liệu chưa khớp")
    assert due.strftime("%d/%m/%Y") in home
    page = submitter.get(f"/dossiers/{dossier.id}").text
    assert "Thiếu chữ ký của Chủ tịch" in page and f"Hạn nộp lại: {due.strftime('%d/%m/%Y')}" in page


def test_a_stale_form_is_refused_with_a_clear_message(app, factory):
    dossier = factory.dossier("submitted")
    office = sign_in(app, factory.user("office"))
    token = csrf_token(office, f"/dossiers/{dossier.id}")
    response = office.post(f"/dossiers/{dossier.id}/events/accept",
                           data={"csrf_token": token, "version": dossier.version - 1}, follow_redirects=True)
    assert "vui lòng tải lại" in response.text
    assert fresh(Dossier, dossier.id).state == "submitted"


def test_search_ignores_diacritics_and_the_list_filters_sorts_and_pages(app, factory):
    factory.dossier("submitted", name="Nguyễn Thị Hằng")
    factory.dossier("submitted", name="Trần Văn Đức", unit="cau-giay")
    for n in range(3):
        factory.dossier("submitted", name=f"Lê Thị Mai {n}")
    office = sign_in(app, factory.user("office"))
    found = office.get("/dossiers?q=nguyen thi").text
    assert "Nguyễn Thị Hằng" in found and "Trần Văn Đức" not in found
    assert "Trần Văn Đức" in office.get("/dossiers?q=DUC").text
    assert "Nguyễn Thị Hằng" not in office.get("/dossiers?unit=cau-giay").text
    sorted_page = office.get("/dossiers?sort=name&per_page=2").text
    assert sorted_page.index("Lê Thị Mai 0") < sorted_page.index("Lê Thị Mai 1")
    assert "Trang 1/3" in sorted_page and "Nguyễn Thị Hằng" not in sorted_page
    assert "Trần Văn Đức" in office.get("/dossiers?sort=name&per_page=2&page=3").text
    searched = office.get("/dossiers?q=thi&sort=name&per_page=2&page=2").text
    assert searched.index("Lê Thị Mai 2") < searched.index("Nguyễn Thị Hằng") and "Lê Thị Mai 1" not in searched
    assert "Trang 2/2" in searched
    assert office.get("/dossiers?q=%25").status_code == 200


def test_a_bulk_action_is_taken_on_every_dossier_or_on_none(app, factory):
    ready = factory.dossier("submitted", name="Đinh Thị Sẵn Sàng")
    also_ready = factory.dossier("submitted", name="Lý Thị Cũng Sẵn")
    already = factory.dossier("in_appraisal", name="Mạc Thị Đã Nhận")
    office = sign_in(app, factory.user("office"))
    token = csrf_token(office, "/dossiers")
    before = db.session.scalar(select(func.count()).select_from(HistoryEntry))

    refused = office.post("/dossiers/bulk", data={"csrf_token": token, "event": "accept",
                                                  "dossier": [str(ready.id), str(already.id)]})
    assert refused.status_code == 422
    rows = refused.text.split("<tr")
    assert any("Mạc Thị Đã Nhận" in row and "Bị từ chối" in row and "Đang thẩm định" in row for row in rows)
    assert any("Đinh Thị Sẵn Sàng" in row and "Không thay đổi" in row for row in rows)
    assert "Không có thay đổi nào" in refused.text
    assert fresh(Dossier, ready.id).state == "submitted"
    assert db.session.scalar(select(func.count()).select_from(HistoryEntry)) == before

    done = office.post("/dossiers/bulk", data={"csrf_token": token, "event": "accept",
                                               "dossier": [str(ready.id), str(also_ready.id)]})
    assert done.status_code == 200
    assert done.text.count("Đã thực hiện") == 2
    assert {fresh(Dossier, d.id).state for d in (ready, also_ready)} == {"in_appraisal"}
    assert db.session.scalar(select(func.count()).select_from(HistoryEntry)) == before + 2

    submitter = sign_in(app, factory.user_once("submitter", "ba-dinh"))
    assert submitter.post("/dossiers/bulk", data={"csrf_token": csrf_token(submitter, "/"), "event": "accept",
                                                  "dossier": [str(ready.id)]}).status_code == 403


def test_council_votes_once_and_secretly_through_the_page(app, factory):
    dossier = factory.dossier("council_review")
    member = factory.council(3)[0]
    client = sign_in(app, member)
    token = csrf_token(client, f"/dossiers/{dossier.id}")
    assert client.post(f"/dossiers/{dossier.id}/vote", data={"csrf_token": token, "vote": "agree"}).status_code == 302
    again = client.post(f"/dossiers/{dossier.id}/vote", data={"csrf_token": token, "vote": "disagree"},
                        follow_redirects=True)
    assert "Bạn đã bỏ phiếu cho hồ sơ này" in again.text
    chair_page = sign_in(app, factory.user_once("chair", "thanh-hoi")).get(f"/dossiers/{dossier.id}").text
    # Three council members and the chair.
    assert "1 trên 4 thành viên đã bỏ phiếu: 1 đồng ý, 0 không đồng ý." in chair_page
    assert member.username not in chair_page


def test_the_submitter_creates_edits_and_manages_documents(app, factory):
    factory.campaign("web-campaign")
    submitter = sign_in(app, factory.user_once("submitter", "ba-dinh"))
    token = csrf_token(submitter, "/dossiers/new")
    refused = submitter.post("/dossiers/new", data={"csrf_token": token, "campaign": "web-campaign",
                                                    "award_type": "uy_thac_nhcsxh", "kind": "individual",
                                                    "name": "Ngô Thị Cá Nhân"})
    assert refused.status_code == 400 and "chỉ dành cho tập thể" in refused.text
    created = submitter.post("/dossiers/new", data={"csrf_token": token, "campaign": "web-campaign",
                                                    "award_type": "uy_thac_nhcsxh", "kind": "collective",
                                                    "name": "Tổ tiết kiệm thôn Đông", "achievements": "Tốt"})
    dossier_id = int(created.headers["Location"].rsplit("/", 1)[1])
    edited = submitter.post(f"/dossiers/{dossier_id}/edit", data={
        "csrf_token": token, "version": "1", "kind": "collective", "name": "Tổ tiết kiệm thôn Đoài",
        "achievements": "Rất tốt", "gender": ""})
    assert edited.status_code == 302
    assert fresh(Dossier, dossier_id).nominee_name == "Tổ tiết kiệm thôn Đoài"
    stale = submitter.post(f"/dossiers/{dossier_id}/edit", data={
        "csrf_token": token, "version": "1", "kind": "collective", "name": "Cũ", "gender": ""})
    assert stale.status_code == 400 and fresh(Dossier, dossier_id).nominee_name == "Tổ tiết kiệm thôn Đoài"

    bad = submitter.post(f"/dossiers/{dossier_id}/documents", data={
        "csrf_token": token, "kind": "to_trinh", "file": (io.BytesIO(b"MZ not a pdf"), "x.exe")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "Chỉ chấp nhận tệp PDF" in bad.text
    submitter.post(f"/dossiers/{dossier_id}/documents", data={
        "csrf_token": token, "kind": "to_trinh", "file": (io.BytesIO(PDF), "to-trinh.pdf")},
        content_type="multipart/form-data")
    dossier = fresh(Dossier, dossier_id)
    assert [d.filename for d in dossier.documents] == ["to-trinh.pdf"]
    page = submitter.get(f"/dossiers/{dossier_id}").text
    assert "Biên bản họp Hội đồng thi đua – khen thưởng của đơn vị — còn thiếu" in page
    submitter.post(f"/dossiers/{dossier_id}/documents/{dossier.documents[0].id}/delete", data={"csrf_token": token})
    assert fresh(Dossier, dossier_id).documents == []


def test_the_office_edits_settings_with_validation(app, factory):
    office = sign_in(app, factory.user("office"))
    token = csrf_token(office, "/settings/campaigns")
    award_type = db.session.scalar(select(AwardType).where(AwardType.code == "bk_thanh_hoi"))
    refused = office.post("/settings/award-types/bk_thanh_hoi", data={
        "csrf_token": token, "name": award_type.name, "rank": "2", "required_documents": ["to_trinh"],
        "vote_quorum": "0.6667", "vote_threshold": "1.5", "active": "y"})
    assert refused.status_code == 400 and "Nhập một tỷ lệ lớn hơn 0 và không quá 1." in refused.text
    assert fresh(AwardType, award_type.id).vote_threshold != 1.5
    saved = office.post("/settings/award-types/bk_thanh_hoi", data={
        "csrf_token": token, "name": award_type.name, "rank": "2", "required_documents": ["to_trinh", "danh_sach"],
        "quota_per_unit": "3", "vote_quorum": "0.5", "vote_threshold": "0.6", "active": "y"})
    assert saved.status_code == 302
    changed = fresh(AwardType, award_type.id)
    assert (changed.required_documents, changed.quota_per_unit, float(changed.vote_threshold)) == (
        ["to_trinh", "danh_sach"], 3, 0.6)

    late = office.post("/settings/campaigns/new", data={
        "csrf_token": token, "code": "tk-2025", "name": "Tổng kết 2025", "year": "2025",
        "submission_deadline": "20/12/2025", "ceremony_date": "01/12/2025", "status": "open"})
    assert late.status_code == 400 and "Ngày tổ chức lễ không được trước hạn nộp hồ sơ." in late.text
    office.post("/settings/campaigns/new", data={
        "csrf_token": token, "code": "tk-2025", "name": "Tổng kết 2025", "year": "2025",
        "submission_deadline": "20/12/2025", "ceremony_date": "03/01/2026", "status": "open"})
    campaign = db.session.scalar(select(Campaign).where(Campaign.code == "tk-2025"))
    assert campaign.submission_deadline == dt.date(2025, 12, 20)
    assert sign_in(app, factory.user("chair")).get("/settings/campaigns").status_code == 403


def test_the_office_sets_the_invitation_letter_on_the_campaign_page(app, factory):
    office = sign_in(app, factory.user("office"))
    page = office.get("/settings/campaigns/tk-2024").text
    assert "Hội nghị tổng kết công tác Hội năm 2024, phát động phong trào thi đua năm 2025" in page
    assert own_choice_notes(page) == {"submission_deadline", "ceremony_time"}
    campaign = db.session.scalar(select(Campaign).where(Campaign.code == "tk-2024"))
    form = {"csrf_token": csrf_token(office, "/settings/campaigns"), "name": campaign.name, "year": "2024",
            "submission_deadline": "20/12/2024", "ceremony_date": "03/01/2025", "ceremony_time": "08:00",
            "ceremony_place": campaign.ceremony_place, "status": "open", "event_title": campaign.event_title,
            "invitation_number": "", "invitation_symbol": "GM-HPN", "signer_name": "Nguyễn Thị Tuyết",
            "signer_title": "TM. BAN THƯỜNG VỤ\r\nCHỦ TỊCH", "invitation_recipients": "- Như trên;\r\n- Lưu: VP."}

    refused = office.post("/settings/campaigns/tk-2024", data=form | {"invitation_symbol": " ", "signer_title": ""})
    assert refused.status_code == 400 and refused.text.count("Vui lòng nhập thông tin này.") == 2
    assert office.post("/settings/campaigns/tk-2024", data=form | {"invitation_number": "15"}).status_code == 302
    saved = fresh(Campaign, campaign.id)
    assert (saved.invitation_number, saved.signer_name, saved.signer_title) == (
        "15", "Nguyễn Thị Tuyết", "TM. BAN THƯỜNG VỤ\nCHỦ TỊCH")
    # Emptied, the number is left for the hand to fill in.
    office.post("/settings/campaigns/tk-2024", data=form)
    assert fresh(Campaign, campaign.id).invitation_number is None

    overview = office.get("/settings/campaigns").text
    assert "* Giá trị do Hội tự quy định — kế hoạch không nêu;" in overview
    headers = re.findall(r"<th scope=\"col\">([^<]+)<span aria-hidden=\"true\">\*</span>", overview)
    assert headers == ["Hạn nộp hồ sơ", "Chỉ tiêu mỗi đơn vị", "Tỷ lệ bỏ phiếu tối thiểu", "Tỷ lệ đồng ý cần đạt"]


def test_the_admin_manages_users_and_units(app, factory):
    admin_user = factory.user("admin", "thanh-hoi")
    admin = sign_in(app, admin_user)
    token = csrf_token(admin, "/admin/units")
    admin.post("/admin/units/new", data={"csrf_token": token, "code": "phuong-ba-dinh", "name": "Hội LHPN phường",
                                         "kind": "district", "parent": "thanh-hoi", "sort_order": "5", "active": "y"})
    unit = db.session.scalar(select(Unit).where(Unit.code == "phuong-ba-dinh"))
    assert unit.parent.code == "thanh-hoi"
    loop = admin.post("/admin/units/thanh-hoi", data={"csrf_token": token, "name": "Thành Hội", "kind": "city",
                                                      "parent": "phuong-ba-dinh", "active": "y"})
    assert loop.status_code == 400 and "Không thể đặt một đơn vị trực thuộc chính nó." in loop.text

    admin.post("/admin/users/new", data={"csrf_token": token, "username": "can-bo-moi", "email": "moi@example.org",
                                         "role": "submitter", "unit": "phuong-ba-dinh", "password": "mat-khau-moi",
                                         "active": "y"})
    user = db.session.scalar(select(User).where(User.username == "can-bo-moi"))
    assert (user.role, user.unit.code) == ("submitter", "phuong-ba-dinh")
    api = factory.api(user)
    assert api.get("/api/v1/units").status_code == 200
    admin.post(f"/admin/users/{user.id}", data={"csrf_token": token, "email": "moi@example.org", "role": "submitter",
                                                "unit": "phuong-ba-dinh", "password": "mat-khau-khac", "active": "y"})
    assert api.get("/api/v1/units").status_code == 401  # a new password ends the old tokens
    admin.post(f"/admin/users/{user.id}", data={"csrf_token": token, "email": "moi@example.org", "role": "appraiser",
                                                "unit": "ban-xdtc", "password": ""})
    changed = fresh(User, user.id)
    assert (changed.role, changed.unit.code, changed.active) == ("appraiser", "ban-xdtc", False)
    self_demotion = admin.post(f"/admin/users/{admin_user.id}", data={
        "csrf_token": token, "email": admin_user.email, "role": "office", "unit": "thanh-hoi", "active": "y"})
    assert self_demotion.status_code == 400 and fresh(User, admin_user.id).role == "admin"
    assert sign_in(app, factory.user("office")).get("/admin/users").status_code == 403


def test_the_dashboard_counts_per_unit_and_shows_overdue_returns(app, factory):
    late = factory.dossier("returned", name="Quách Thị Trễ Hạn")
    late.due_date = today() - dt.timedelta(days=1)
    db.session.commit()
    factory.dossier("submitted", unit="cau-giay", award_type="tuyen_pho_kieu_mau")
    chair = sign_in(app, factory.user_once("chair", "thanh-hoi"))
    page = chair.get("/dashboard?campaign=test-campaign").text
    assert "Quách Thị Trễ Hạn" in page.split('id="overdue"')[1]
    assert "Hội LHPN quận Cầu Giấy" in page and "<svg" in page
    assert RESPONSIBLE  # the award types of the plan are all listed
    assert all(name in page for name in db.session.scalars(select(AwardType.name)))


def test_the_dashboard_lists_the_most_overdue_returns_and_links_to_all_of_them(app, factory, monkeypatch):
    from workflow import queries

    monkeypatch.setattr(queries, "OVERDUE_SHOWN", 2)
    for days_late, name in ((1, "Lê Thị Một Ngày"), (5, "Lê Thị Năm Ngày"), (3, "Lê Thị Ba Ngày")):
        late = factory.dossier("returned", name=name)
        late.due_date = today() - dt.timedelta(days=days_late)
    db.session.commit()
    office = sign_in(app, factory.user_once("office", "van-phong"))
    overdue = office.get("/dashboard?campaign=test-campaign").text.split('id="overdue"')[1]
    assert "(3)" in overdue
    assert overdue.index("Lê Thị Năm Ngày") < overdue.index("Lê Thị Ba Ngày") and "Lê Thị Một Ngày" not in overdue
    assert "/dossiers?campaign=test-campaign&amp;state=returned&amp;sort=due" in overdue


def test_every_demo_login_sees_its_pages_on_sqlite(sqlite_app):
    """`make run`'s setting: SQLite and the demo data; every demo user's pages answer."""
    from web.storage import document_store
    from workflow.council import MinutesWriting
    from workflow.demo import DEMO_PASSWORD, load_demo

    logins, _counts = load_demo(document_store(), MinutesWriting(str, "en", "Hà Nội"))
    db.session.commit()
    users = {u.username: u for u in db.session.scalars(select(User))}
    dossiers = list(db.session.scalars(select(Dossier).limit(30)))
    visible = {(name, d.id): can_see(user, d) for name, user in users.items() for d in dossiers}
    db.session.commit()  # SQLite: end the test's transaction so that the requests can write
    for username, role, _unit in logins:
        client = sign_in(sqlite_app, SimpleNamespace(username=username), password=DEMO_PASSWORD)
        assert client.get("/").status_code == 200, username
        assert client.get("/dossiers?q=nguyen").status_code == 200
        shown = 0
        for dossier in dossiers:
            status = client.get(f"/dossiers/{dossier.id}").status_code
            assert status == (200 if visible[username, dossier.id] else 404), (username, dossier.id, status)
            shown += status == 200
        assert shown, f"{username} sees none of the demo's dossiers"
        if role in ("office", "chair"):
            assert client.get("/dashboard").status_code == 200


def test_a_refused_action_names_the_action_and_state_in_words(app, factory):
    dossier = factory.dossier("submitted")
    office = sign_in(app, factory.user("office"))
    token = csrf_token(office, f"/dossiers/{dossier.id}")
    office.post(f"/dossiers/{dossier.id}/events/accept", data={"csrf_token": token, "version": dossier.version})
    again = office.post(f"/dossiers/{dossier.id}/events/accept", data={"csrf_token": token,
                                                                         "version": dossier.version + 1},
                        follow_redirects=True)
    assert "Không thể thực hiện “Tiếp nhận để thẩm định” khi hồ sơ đang ở trạng thái “Đang thẩm định”." in again.text


def test_form_errors_are_in_the_readers_language(app, factory):
    office = sign_in(app, factory.user("office"))
    token = csrf_token(office, "/settings/campaigns")
    data = {"csrf_token": token, "code": "x" * 80, "name": "", "year": "hai nghìn", "status": "maybe"}
    vietnamese = office.post("/settings/campaigns/new", data=data)
    assert vietnamese.status_code == 400
    for message in ("Vui lòng nhập thông tin này.", "Cần nhập một số nguyên.", "Lựa chọn không hợp lệ.",
                    "Tối đa 64 ký tự."):
        assert message in vietnamese.text
    assert "This field is required." not in vietnamese.text
    office.post("/language", data={"language": "en", "csrf_token": token})
    english = office.post("/settings/campaigns/new", data=data)
    assert "This field is required." in english.text and "At most 64 characters." in english.text
    assert db.session.scalar(select(Campaign).where(Campaign.name == "")) is None


def test_the_inbox_shows_the_notices_and_marks_them_read(app, factory):
    dossier = factory.dossier("returned", name="Kiều Thị Thông Báo")
    submitter = sign_in(app, factory.user_once("submitter", "ba-dinh"))
    assert "Thông báo <span class=\"unread\">(1 mới)</span>" in submitter.get("/").text
    page = submitter.get("/inbox").text
    assert "Kiều Thị Thông Báo" in page and "Trả lại bổ sung" in page and "Thiếu xác nhận" in page
    assert f"/dossiers/{dossier.id}" in page
    submitter.post("/inbox/read", data={"csrf_token": csrf_token(submitter, "/inbox")})
    assert "mới)" not in submitter.get("/").text
    other = sign_in(app, factory.user_once("submitter", "cau-giay"))
    assert "Kiều Thị Thông Báo" not in other.get("/inbox").text


def work_queues_on(page: str) -> dict[str, str]:
    """The work queues of a home page, in order: each one's code and its section (title and dossiers)."""
    sections = re.findall(r'<section class="queue" aria-labelledby="queue-([\w-]+)">(.*?)</section>', page, re.S)
    return dict(sections)


def test_each_roles_home_page_shows_its_work_queues(app, factory):
    names = {state: f"Hồ sơ {state}" for state in
             ("returned", "submitted", "approved", "forwarded", "in_appraisal", "council_review")}
    for state, name in names.items():
        factory.dossier(state, name=name)
    other_department = factory.dossier("in_appraisal", award_type="chi_hoi_tieu_bieu", name="Chi hội khác ban")
    other_unit = factory.dossier("returned", unit="hoan-kiem", name="Hồ sơ đơn vị khác")

    def queues_of(user) -> dict[str, str]:
        return work_queues_on(sign_in(app, user).get("/").text)

    # The Tết gift list's own queues (workflow/procedures/tet-gift-v1.yaml) follow those of the award procedures.
    submitter = queues_of(factory.user_once("submitter", "ba-dinh"))
    assert list(submitter) == ["returned", "gift_returned"]
    assert "Hồ sơ bị trả lại để bổ sung (nộp lại trước hạn)" in submitter["returned"]
    assert names["returned"] in submitter["returned"] and other_unit.nominee_name not in submitter["returned"]

    office = queues_of(factory.user_once("office", "van-phong"))
    # The public disclosure's (reference_public) and the gift list's are empty here.
    assert list(office) == ["intake", "to_forward_or_decide", "awaiting_higher_authority", "to_publish",
                            "in_disclosure", "gift_to_hand_over"]
    assert "Đã đề nghị: cần công khai" in office["to_publish"]
    assert "Tiếp nhận: hồ sơ đã nộp cần kiểm tra" in office["intake"] and names["submitted"] in office["intake"]
    assert names["approved"] in office["to_forward_or_decide"]
    assert names["forwarded"] in office["awaiting_higher_authority"]
    assert names["in_appraisal"] not in "".join(office.values())

    appraiser = queues_of(factory.user_once("appraiser", RESPONSIBLE["bk_thanh_hoi"]))
    assert list(appraiser) == ["appraisal", "gift_to_check"] and "Hồ sơ chờ Ban thẩm định" in appraiser["appraisal"]
    assert names["in_appraisal"] in appraiser["appraisal"]
    assert other_department.nominee_name not in appraiser["appraisal"]

    member = factory.council()[0]
    council = queues_of(member)
    assert list(council) == ["voting"] and "Hồ sơ chờ bạn bỏ phiếu" in council["voting"]
    assert names["council_review"] in council["voting"]
    voting = db.session.scalar(select(Dossier).where(Dossier.nominee_name == names["council_review"]))
    operations.cast_vote(member, voting, True)
    db.session.commit()
    assert names["council_review"] not in queues_of(member).get("voting", "")

    chair = queues_of(factory.user_once("chair", "thanh-hoi"))
    # The chair is a member of the council: the dossiers to vote on too.
    assert list(chair) == ["to_decide", "gift_to_decide", "voting"] and names["council_review"] in chair["to_decide"]
    assert names["council_review"] in chair["voting"]
    assert "kèm kết quả bỏ phiếu" in chair["to_decide"] and "không đồng ý" in chair["to_decide"]

    assert queues_of(factory.user("admin")) == {}
