"""The 2024 plan through the pages: six roles, three award types, a return and resubmission, council votes,
a forwarded award and conferred decisions, all in headless Chromium."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from tests.factories import PDF
from workflow.i18n import today
from workflow.workdays import add_working_days
from workflow.models import Dossier, HistoryEntry, db

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

# award type, nominee kind, nominee name, appraising department
NOMINATIONS = [
    ("bk_thanh_hoi", "individual", "Nguyễn Thị Hồng Nhung", "van-phong"),
    ("bk_tw_hoi", "individual", "Lê Thị Thu Hà", "van-phong"),
    ("tuyen_pho_kieu_mau", "collective", "Chi hội Phụ nữ phố Phan Đình Phùng", "ban-tuyen-giao"),
]


def vn(date: dt.date) -> str:
    return date.strftime("%d/%m/%Y")


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def go(page, selector: str = "form.stack button[type=submit]") -> None:
    """Click something that loads a new page, and wait for it."""
    with page.expect_navigation():
        page.click(selector)


def upload(page, kind: str, path) -> None:
    page.select_option("#kind", kind)
    page.set_input_files("#file", str(path))
    go(page, "form.upload button[type=submit]")


def fire(page, event: str) -> None:
    go(page, f"[data-event={event}]")


def dossier_state(dossier_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Dossier, dossier_id).state


def test_the_2024_plan_through_the_pages(factory, browser, tmp_path):
    pdf = tmp_path / "tai-lieu.pdf"
    pdf.write_bytes(PDF)
    factory.user("admin", "thanh-hoi", username="quantri")
    factory.user("office", "van-phong", username="vanphong", full_name="Trần Thị Mai")
    factory.user("appraiser", "van-phong", username="thamdinh-vp", full_name="Phạm Thu Trang")
    factory.user("appraiser", "ban-tuyen-giao", username="thamdinh-tg", full_name="Đỗ Minh Châu")
    council = [factory.user("council", "thanh-hoi", username=f"hoidong{n}") for n in (1, 2, 3)]
    factory.user("chair", "thanh-hoi", username="chutich", full_name="Nguyễn Thị Chủ Tịch")

    # The office opens the 2024 campaign's submissions until a date still ahead.
    office = browser.login("vanphong")
    office.goto("/settings/campaigns/tk-2024")
    office.fill("#submission_deadline", vn(today() + dt.timedelta(days=20)))
    office.fill("#ceremony_date", vn(today() + dt.timedelta(days=40)))
    browser.shot(office, "office-campaign-settings")
    go(office)
    assert "Đã lưu đợt khen thưởng." in office.content()
    browser.shot(office, "office-settings-saved")

    # The administrator creates the district's submitter account.
    admin = browser.login("quantri")
    assert "Người dùng" in admin.inner_text("nav")
    admin.goto("/admin/users/new")
    admin.fill("#username", "hoi-ba-dinh")
    admin.fill("#full_name", "Vũ Thị Lan")
    admin.fill("#email", "lan@badinh.example.org")
    admin.select_option("#role", "submitter")
    admin.select_option("#unit", "ba-dinh")
    admin.fill("#password", "mat-khau-ba-dinh")
    browser.shot(admin, "admin-new-user")
    go(admin)
    assert "Đã lưu người dùng." in admin.content()
    browser.shot(admin, "admin-users")

    # The submitter creates the three nominations, uploads the documents and submits.
    submitter = browser.login("hoi-ba-dinh", "mat-khau-ba-dinh")
    ids = {}
    for award_type, kind, name, _department in NOMINATIONS:
        submitter.goto("/dossiers/new")
        submitter.select_option("#campaign", "tk-2024")
        submitter.select_option("#award_type", award_type)
        submitter.select_option("#kind", kind)
        submitter.fill("#name", name)
        submitter.fill("#position", "Chi hội trưởng" if kind == "individual" else "")
        submitter.fill("#achievements", "Hoàn thành xuất sắc nhiệm vụ năm 2024.")
        if award_type == "bk_thanh_hoi":
            browser.shot(submitter, "submitter-new-dossier")
        go(submitter)
        submitter.wait_for_url(re.compile(r"/dossiers/\d+$"))
        ids[award_type] = int(submitter.url.rsplit("/", 1)[1])
        upload(submitter, "to_trinh", pdf)
        if award_type == "bk_thanh_hoi":
            refusal = submitter.inner_text(".refused")
            assert "Còn thiếu tài liệu bắt buộc: Báo cáo thành tích." in refusal
            assert submitter.is_disabled("[data-event=submit]")
            browser.shot(submitter, "submitter-submit-refused")
        upload(submitter, "bao_cao_thanh_tich", pdf)
        if kind == "collective":
            upload(submitter, "bien_ban", pdf)
        assert "còn thiếu" not in submitter.inner_text(".checklist")
        fire(submitter, "submit")
        assert "Đã nộp" in submitter.inner_text("h1")
    browser.shot(submitter, "submitter-submitted")
    first, forwarded_one, collective = ids["bk_thanh_hoi"], ids["bk_tw_hoi"], ids["tuyen_pho_kieu_mau"]

    # The office returns the first for a faulty report, and accepts the other two in one bulk action.
    office.goto("/")
    assert office.locator("#queue-intake").count() == 1
    assert all(name in office.content() for _t, _k, name, _d in NOMINATIONS)
    browser.shot(office, "office-home-intake")
    office.goto(f"/dossiers/{first}")
    go(office, "[data-event=return]")
    office.fill("#reason_bao_cao_thanh_tich", "Báo cáo thiếu xác nhận của cấp ủy")
    office.fill("#comment", "Đề nghị bổ sung số liệu năm 2024.")
    due = add_working_days(today(), 7)
    assert office.input_value("#due_date") == vn(due)
    browser.shot(office, "office-return-form")
    go(office)
    assert "Trả lại bổ sung" in office.inner_text("h1")
    office.goto("/dossiers?state=submitted")
    office.check(f"#select-{forwarded_one}")
    office.check(f"#select-{collective}")
    office.select_option("#bulk-event", "accept")
    go(office, "#bulk-form button[type=submit]")
    results = office.inner_text("table")
    assert results.count("Hồ sơ hiện ở trạng thái “Đang thẩm định”.") == 2
    browser.shot(office, "office-bulk-accept")

    # The submitter is told, sees the return first with what was asked and the due date, fixes it and resubmits.
    submitter.goto("/inbox")
    assert "Báo cáo thiếu xác nhận của cấp ủy" in submitter.inner_text(".inbox li.unread")
    browser.shot(submitter, "submitter-inbox")
    submitter.goto("/")
    returned = submitter.inner_text("#queue-returned ~ .table-wrap")
    assert "Báo cáo thiếu xác nhận của cấp ủy" in returned and vn(due) in returned
    browser.shot(submitter, "submitter-home-returned")
    submitter.goto(f"/dossiers/{first}")
    assert "Báo cáo thiếu xác nhận của cấp ủy" in submitter.inner_text(".notice-box")
    go(submitter, "text=Xóa >> nth=1")
    upload(submitter, "bao_cao_thanh_tich", pdf)
    browser.shot(submitter, "submitter-before-resubmit")
    fire(submitter, "resubmit")
    assert "Nộp lại" in submitter.inner_text("h1")  # a resubmitted dossier says so, to the office too
    assert "Báo cáo thiếu xác nhận của cấp ủy" in submitter.inner_text(".notice-box")
    browser.shot(submitter, "submitter-resubmitted")

    office.goto(f"/dossiers/{first}")
    fire(office, "accept")
    assert "Đang thẩm định" in office.inner_text("h1")

    # Each department appraises its own award types.
    for username, dossier_ids in (("thamdinh-vp", [first, forwarded_one]), ("thamdinh-tg", [collective])):
        appraiser = browser.login(username)
        browser.shot(appraiser, f"{username}-home")
        queue = appraiser.inner_text("#queue-appraisal ~ .table-wrap")
        for dossier_id in dossier_ids:
            assert db.session.get(Dossier, dossier_id).nominee_name in queue
            appraiser.goto(f"/dossiers/{dossier_id}")
            go(appraiser, "[data-event=recommend]")
            appraiser.fill("#comment", "Đủ điều kiện, đề nghị Hội đồng xét.")
            go(appraiser)
            assert "Hội đồng xét" in appraiser.inner_text("h1")
        browser.shot(appraiser, f"{username}-recommended")

    # Every council member votes on every dossier, secretly.
    for member in council:
        page = browser.login(member.username)
        assert page.locator("#queue-voting ~ .table-wrap tbody tr").count() == 3
        for dossier_id in ids.values():
            page.goto(f"/dossiers/{dossier_id}")
            page.check("input[name=vote][value=agree]")
            if member is council[0] and dossier_id == first:
                browser.shot(page, "council-vote")
            go(page, "form.vote button[type=submit]")
            assert "Bạn đã bỏ phiếu cho hồ sơ này." in page.content()
        page.goto("/")
        assert page.locator("#queue-voting ~ .table-wrap").count() == 0

    # The chair sees the tallies and approves.
    chair = browser.login("chutich")
    decide = chair.inner_text("#queue-to_decide ~ .table-wrap")
    # The chair is a member too (DOMAIN.md): three agree out of the council and the chair, enough to approve.
    assert decide.count(f"3 đồng ý, 0 không đồng ý trên {len(council) + 1}") == 3
    browser.shot(chair, "chair-home-tallies")
    for dossier_id in ids.values():
        chair.goto(f"/dossiers/{dossier_id}")
        fire(chair, "approve")
        assert "Đã phê duyệt" in chair.inner_text("h1")
    browser.shot(chair, "chair-approved")

    # The office forwards the Central Committee's award, then records every decision.
    office.goto("/dossiers?state=approved")
    office.check(f"#select-{forwarded_one}")
    office.select_option("#bulk-event", "forward")
    go(office, "#bulk-form button[type=submit]")
    assert "Đã thực hiện" in office.inner_text("table")
    assert dossier_state(forwarded_one) == "forwarded"
    for number, dossier_id in enumerate(ids.values(), start=1):
        office.goto(f"/dossiers/{dossier_id}")
        go(office, "[data-event=confer]")
        office.fill("#decision_number", f"{number}/QĐ-HPN")
        office.fill("#decision_date", vn(today()))
        if dossier_id == forwarded_one:
            browser.shot(office, "office-confer-form")
        go(office)
        assert "Đã khen thưởng" in office.inner_text("h1")
        assert f"Số {number}/QĐ-HPN ngày {vn(today())}" in office.inner_text(".facts")
    browser.shot(office, "office-conferred-dossier")
    office.goto("/dashboard?campaign=tk-2024")
    assert "Đã khen thưởng" in office.inner_text("table.matrix")
    browser.shot(office, "office-dashboard")
    chair.goto("/dashboard")
    browser.shot(chair, "chair-dashboard")

    assert {dossier_state(i) for i in ids.values()} == {"conferred"}
    events = list(db.session.scalars(select(HistoryEntry.event).where(HistoryEntry.dossier_id == first)
                                     .order_by(HistoryEntry.seq)))
    assert [e for e in events if e in ("submit", "return", "resubmit", "accept", "confer")] == [
        "submit", "return", "resubmit", "accept", "confer"]

    # On a phone the submitter's pages fit the screen.
    phone = browser.login("hoi-ba-dinh", "mat-khau-ba-dinh", width=390, height=844)
    assert "Đã khen thưởng" in phone.content()
    assert fits_the_screen(phone)
    browser.shot(phone, "phone-home")
    phone.goto(f"/dossiers/{first}")
    assert fits_the_screen(phone)
    browser.shot(phone, "phone-dossier")
    phone.goto("/dossiers?q=nguyen thi hong")
    assert "Nguyễn Thị Hồng Nhung" in phone.content() and "Lê Thị Thu Hà" not in phone.content()
    assert fits_the_screen(phone)
    browser.shot(phone, "phone-search")
