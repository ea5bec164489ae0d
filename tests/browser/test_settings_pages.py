"""The office's settings pages in a real browser: the campaign's invitation letter, and the values the plan does not
give, each shown beside its field as the organisation's own choice."""
import pytest

from tests.web_helpers import OWN_CHOICE
from workflow.models import Campaign, db


@pytest.mark.browser
def test_the_office_sets_the_letter_and_sees_which_values_are_its_own(factory, browser):
    office = browser.login(factory.user("office").username)
    office.goto("/settings/campaigns/tk-2024")
    notes = office.locator(".own-choice")
    assert [notes.nth(n).inner_text() for n in range(notes.count())] == [OWN_CHOICE] * 2
    assert "submission_deadline-own" in office.get_by_label("Hạn nộp hồ sơ").get_attribute("aria-describedby").split()
    assert office.input_value("#event_title") == ("Hội nghị tổng kết công tác Hội năm 2024, "
                                                  "phát động phong trào thi đua năm 2025")
    office.get_by_label("Số giấy mời").fill("15")
    office.get_by_label("Họ tên người ký").fill("Nguyễn Thị Tuyết")
    office.get_by_label("Nơi nhận").fill("- Như trên;\n- Các Hội LHPN quận, huyện, thị xã;\n- Lưu: VP.")
    browser.shot(office, "campaign-invitation-letter")
    with office.expect_navigation():
        office.get_by_role("button", name="Lưu").click()
    assert "Đã lưu đợt khen thưởng." in office.content()
    browser.shot(office, "settings-with-own-choices")
    db.session.expire_all()
    campaign = db.session.query(Campaign).filter_by(code="tk-2024").one()
    assert (campaign.invitation_number, campaign.signer_name) == ("15", "Nguyễn Thị Tuyết")
    assert campaign.invitation_recipients.splitlines()[1] == "- Các Hội LHPN quận, huyện, thị xã;"

    office.goto("/settings/award-types/chi_hoi_tieu_bieu")
    assert office.locator(".own-choice").count() == 5
    assert office.locator(".own-choice").first.is_visible()
    browser.shot(office, "award-type-own-choices")
