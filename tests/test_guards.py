"""Every guard of the reference workflow: a case that passes, and one that fails with its rule code
and changes nothing. Deadlines are counted in Vietnam's time, inclusive of the day."""
import datetime as dt
import unicodedata
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from workflow.i18n import VIETNAM, today
from tests.web_helpers import csrf_token, sign_in
from workflow.models import AwardType, Campaign, Dossier, HistoryEntry, Unit, db
from workflow.procedure import catalogue

pytestmark = pytest.mark.usefixtures("light_password_hashing")


def vietnam_time(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VIETNAM)


def snapshot(dossier_id: int) -> tuple:
    db.session.rollback()  # see what the request committed
    dossier = db.session.get(Dossier, dossier_id)
    rows = db.session.scalar(select(func.count()).select_from(HistoryEntry)
                             .where(HistoryEntry.dossier_id == dossier_id))
    return dossier.state, dossier.version, rows, dossier.due_date, dossier.decision_number


def actor(factory, dossier: Dossier, event: str):
    db.session.refresh(dossier)
    return factory.actor_for(dossier, event)


def fire(factory, dossier: Dossier, event: str, user=None, **fields):
    db.session.refresh(dossier)
    user = user or actor(factory, dossier, event)
    return factory.api(user).post(f"/api/v1/dossiers/{dossier.id}/events",
                                  json={"event": event, "version": dossier.version, **fields})


def assert_passes(factory, dossier: Dossier, event: str, **fields) -> dict:
    response = fire(factory, dossier, event, **fields)
    assert response.status_code == 200, response.json
    return response.json


def assert_refused(factory, dossier: Dossier, event: str, rules: list[str], user=None, **fields) -> dict:
    """The event fails with exactly these rule codes in `details`, and the dossier is untouched."""
    before = snapshot(dossier.id)
    response = fire(factory, dossier, event, user, **fields)
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error["code"] == "guard_failed"
    assert [detail["rule"] for detail in error["details"]] == rules
    assert all(detail["message"].strip() for detail in error["details"])
    assert snapshot(dossier.id) == before
    return error


def set_award_type(code: str, **fields) -> None:
    award_type = db.session.scalar(select(AwardType).where(AwardType.code == code))
    for key, value in fields.items():
        setattr(award_type, key, value)
    db.session.commit()


def campaign_with_deadline(code: str, deadline: dt.date) -> Campaign:
    campaign = Campaign(code=code, name=f"Đợt {code}", year=deadline.year, submission_deadline=deadline,
                        ceremony_date=deadline + dt.timedelta(days=14))
    db.session.add(campaign)
    db.session.commit()
    return campaign


# campaign_open ----------------------------------------------------------------------------------

def test_campaign_open(factory):
    open_dossier = factory.dossier("draft")
    assert_passes(factory, open_dossier, "submit")

    dossier = factory.dossier("draft")
    returned = factory.dossier("returned")
    for campaign in db.session.scalars(select(Campaign)):
        campaign.status = "closed"
    db.session.commit()
    error = assert_refused(factory, dossier, "submit", ["campaign_open"])
    assert "Đợt test-campaign" in error["details"][0]["message"]
    assert_refused(factory, returned, "resubmit", ["campaign_open"])


def test_a_closed_campaign_refuses_new_dossiers(factory):
    factory.campaign("closed-campaign", status="closed")
    submitter = factory.user_once("submitter", "ba-dinh")

    response = factory.api(submitter).post("/api/v1/dossiers", json={
        "campaign": "closed-campaign", "award_type": "bk_thanh_hoi",
        "nominee": {"kind": "individual", "name": "Nguyễn Thị Hoa"}, "achievements": "Xuất sắc"})

    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_error"
    assert [detail["field"] for detail in response.json["error"]["details"]] == ["campaign"]
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0


# unit_active ------------------------------------------------------------------------------------

def deactivate(code: str) -> None:
    db.session.scalar(select(Unit).where(Unit.code == code)).active = False
    db.session.commit()


def test_unit_active_on_submit_and_resubmit(factory):
    dossier = factory.dossier("draft", unit="ba-dinh")
    returned = factory.dossier("returned", unit="ba-dinh")
    elsewhere = factory.dossier("draft", unit="hoan-kiem")
    deactivate("ba-dinh")
    error = assert_refused(factory, dossier, "submit", ["unit_active"])
    assert "Hội LHPN quận Ba Đình" in error["details"][0]["message"]
    assert_refused(factory, returned, "resubmit", ["unit_active"])
    assert_passes(factory, elsewhere, "submit")
    assert_passes(factory, dossier, "withdraw")  # what it had sent can still be taken back


def test_unit_active_on_creation(factory):
    factory.campaign()
    submitter = factory.user_once("submitter", "ba-dinh")
    deactivate("ba-dinh")
    response = factory.api(submitter).post("/api/v1/dossiers", json={
        "campaign": "test-campaign", "award_type": "bk_thanh_hoi",
        "nominee": {"kind": "individual", "name": "Nguyễn Thị Hoa"}, "achievements": "Xuất sắc"})
    assert response.status_code == 422
    assert response.json["error"]["code"] == "guard_failed"
    assert [detail["rule"] for detail in response.json["error"]["details"]] == ["unit_active"]
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0


def test_unit_active_on_the_pages(app, factory):
    dossier = factory.dossier("draft", unit="ba-dinh")
    submitter = sign_in(app, factory.user_once("submitter", "ba-dinh"))
    deactivate("ba-dinh")
    token = csrf_token(submitter, "/dossiers/new")
    refused = submitter.post("/dossiers/new", data={"csrf_token": token, "campaign": "test-campaign",
                                                    "award_type": "bk_thanh_hoi", "kind": "individual",
                                                    "name": "Ngô Thị Mới"})
    assert refused.status_code == 400 and "không còn hoạt động" in refused.text
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == 1
    before = snapshot(dossier.id)
    submitted = submitter.post(f"/dossiers/{dossier.id}/events/submit",
                               data={"csrf_token": token, "version": str(dossier.version)}, follow_redirects=True)
    assert "không còn hoạt động" in submitted.text
    assert snapshot(dossier.id) == before


# deadline and due_date (Vietnam time, inclusive) ------------------------------------------------

def test_deadline_allows_submitting_until_the_end_of_the_day_in_vietnam(factory):
    with time_machine.travel(vietnam_time(2026, 12, 10, 9, 0), tick=False):
        campaign_with_deadline("deadline-test", dt.date(2026, 12, 20))
        on_time = factory.draft(campaign="deadline-test")
        late = factory.draft(campaign="deadline-test")
    with time_machine.travel(vietnam_time(2026, 12, 20, 23, 59), tick=False):
        assert_passes(factory, on_time, "submit")
    # 00:30 on the 21st in Hanoi is still the 20th in UTC: the deadline has passed all the same.
    with time_machine.travel(vietnam_time(2026, 12, 21, 0, 30), tick=False):
        assert dt.datetime.now(dt.UTC).date() == dt.date(2026, 12, 20)
        error = assert_refused(factory, late, "submit", ["deadline"])
        assert "20/12/2026" in error["details"][0]["message"]


def test_a_draft_may_be_created_after_the_deadline(factory):
    with time_machine.travel(vietnam_time(2026, 12, 22, 8, 0), tick=False):
        campaign_with_deadline("deadline-passed", dt.date(2026, 12, 20))
        submitter = factory.user_once("submitter", "ba-dinh")
        response = factory.api(submitter).post("/api/v1/dossiers", json={
            "campaign": "deadline-passed", "award_type": "bk_thanh_hoi",
            "nominee": {"kind": "individual", "name": "Trần Thị Lan"}, "achievements": ""})
        assert response.status_code == 201, response.json


def test_due_date_of_a_return_replaces_the_campaign_deadline(factory):
    with time_machine.travel(vietnam_time(2026, 12, 1, 9, 0), tick=False):
        campaign_with_deadline("due-date-test", dt.date(2026, 12, 3))
        on_time = factory.dossier("submitted", campaign="due-date-test")
        late = factory.dossier("submitted", campaign="due-date-test")
        for dossier in (on_time, late):
            assert_passes(factory, dossier, "return", comment="Bổ sung biên bản", due_date="2026-12-05")
    # The campaign deadline (3 December) has passed, the return's due date (5 December) has not.
    with time_machine.travel(vietnam_time(2026, 12, 5, 23, 59), tick=False):
        assert_passes(factory, on_time, "resubmit")
    with time_machine.travel(vietnam_time(2026, 12, 6, 0, 30), tick=False):
        error = assert_refused(factory, late, "resubmit", ["due_date"])
        assert "05/12/2026" in error["details"][0]["message"]


# required_documents -----------------------------------------------------------------------------

def test_required_documents_at_submit(factory):
    complete = factory.draft()
    assert_passes(factory, complete, "submit")

    bare = factory.draft(documents=False)
    error = assert_refused(factory, bare, "submit", ["required_documents"])
    assert "Tờ trình".casefold() in error["details"][0]["message"].casefold()


def test_required_documents_at_accept(factory):
    complete = factory.dossier("submitted")
    assert_passes(factory, complete, "accept")

    # The office has since added a document to the award type's requirements.
    incomplete = factory.dossier("submitted")
    set_award_type("bk_thanh_hoi", required_documents=["to_trinh", "bao_cao_thanh_tich", "danh_sach"])
    assert_refused(factory, incomplete, "accept", ["required_documents"])


# quota ------------------------------------------------------------------------------------------

def test_quota_per_unit(factory):
    # tuyen_pho_kieu_mau: one per unit and campaign.
    first = factory.dossier("submitted", award_type="tuyen_pho_kieu_mau", unit="ba-dinh")
    second = factory.draft("tuyen_pho_kieu_mau", "ba-dinh")
    other_unit = factory.draft("tuyen_pho_kieu_mau", "hoan-kiem")

    error = assert_refused(factory, second, "submit", ["quota"])
    assert "1" in error["details"][0]["message"]
    assert_passes(factory, other_unit, "submit")

    factory.advance(first, "withdraw")
    assert_passes(factory, second, "submit")


def test_quota_is_freed_by_a_rejection_and_counts_up_to_its_limit(factory):
    # chi_hoi_tieu_bieu: two per unit and campaign.
    rejected = factory.dossier("rejected", award_type="chi_hoi_tieu_bieu")
    factory.dossier("submitted", award_type="chi_hoi_tieu_bieu")
    second = factory.draft("chi_hoi_tieu_bieu")
    third = factory.draft("chi_hoi_tieu_bieu")

    assert rejected.state == "rejected"
    assert_passes(factory, second, "submit")
    assert_refused(factory, third, "submit", ["quota"])


# duplicate_nominee ------------------------------------------------------------------------------

NFD_SHOUTED = "  " + unicodedata.normalize("NFD", "NGUYỄN   THỊ\tHOA") + " "


@pytest.mark.parametrize(("second", "refused"), [
    ({"name": NFD_SHOUTED, "birth_year": 1980}, True),
    ({"name": "nguyễn thị hoa"}, True),
    ({"name": "Nguyễn Thị Hoa", "birth_year": 1981}, False),
    ({"name": "Nguyễn Thị Hoà", "birth_year": 1980}, False),
    ({"name": "Nguyễn Thị Hoa", "birth_year": 1980, "kind": "collective"}, False),
], ids=["nfd-case-whitespace", "no-birth-year", "other-birth-year", "other-name", "other-kind"])
@pytest.mark.parametrize("second_unit", ["ba-dinh", "hoan-kiem"])
def test_duplicate_nominee(factory, second, refused, second_unit):
    factory.dossier("submitted", name="Nguyễn Thị Hoa", birth_year=1980)
    dossier = factory.draft("bk_thanh_hoi", second_unit, **second)

    if refused:
        error = assert_refused(factory, dossier, "submit", ["duplicate_nominee"])
        assert "Nguyễn Thị Hoa".casefold() in unicodedata.normalize("NFC", error["details"][0]["message"]).casefold()
    else:
        assert_passes(factory, dossier, "submit")


def test_duplicate_nominee_first_without_birth_year(factory):
    factory.dossier("in_appraisal", name="Lê Thị Mai")
    assert_refused(factory, factory.draft(unit="dong-anh", name="Lê Thị Mai", birth_year=1975), "submit",
                   ["duplicate_nominee"])


def test_duplicate_nominee_of_another_award_type_is_allowed(factory):
    factory.dossier("submitted", award_type="bk_tw_hoi", name="Lê Thị Mai")
    assert_passes(factory, factory.draft("bk_thanh_hoi", name="Lê Thị Mai"), "submit")


@pytest.mark.parametrize("first_state", ["withdrawn", "rejected", "declined"])
def test_duplicate_nominee_is_freed_when_the_first_is_dead(factory, first_state):
    award_type = "bk_tw_hoi"
    first = factory.dossier("submitted", award_type=award_type, name="Phạm Thị Duyên")
    second = factory.draft(award_type, "hoan-kiem", name="Phạm Thị Duyên")
    assert_refused(factory, second, "submit", ["duplicate_nominee"])

    for event in {"withdrawn": ["withdraw"], "rejected": ["accept", "reject"],
                  "declined": ["accept", "recommend", "votes", "approve", "forward", "decline"]}[first_state]:
        factory.advance(first, event)
    assert first.state == first_state
    assert_passes(factory, second, "submit")


def test_duplicate_nominee_also_guards_resubmission(factory):
    factory.dossier("submitted", unit="hoan-kiem", name="Đỗ Thị Ơn")
    returned = factory.dossier("returned", name="Đỗ Thị Hồng")
    # While it was returned, its nominee was changed to someone another unit has nominated.
    edited = factory.api(factory.user_once("submitter", "ba-dinh")).patch(
        f"/api/v1/dossiers/{returned.id}", json={"version": returned.version, "nominee": {"name": "đỗ thị ơn"}})
    assert edited.status_code == 200, edited.json
    assert_refused(factory, returned, "resubmit", ["duplicate_nominee"])


# reasons, notes, answers ------------------------------------------------------------------------

@pytest.mark.parametrize(("state", "event", "rule"), [
    ("submitted", "return", "reason_required"),
    ("in_appraisal", "return", "reason_required"),
    ("council_review", "return", "reason_required"),
    ("in_appraisal", "reject", "reason_required"),
    ("council_review", "reject", "reason_required"),
    ("in_appraisal", "recommend", "note_required"),
    ("forwarded", "decline", "answer_required"),
])
@pytest.mark.parametrize("comment", [None, "", "   \n "])
def test_comment_required(factory, state, event, rule, comment):
    dossier = factory.dossier(state)
    fields = {} if comment is None else {"comment": comment}
    assert_refused(factory, dossier, event, [rule], **fields)
    assert assert_passes(factory, dossier, event, comment="Lý do cụ thể")["state"] != state


# return: due dates ------------------------------------------------------------------------------

def test_return_due_date_defaults_to_seven_working_days_ahead(factory):
    # 00:30 on Friday 24 April 2026 in Hanoi, still the 23rd in UTC. Seven working days from the 24th skip the
    # weekends, Giỗ Tổ Hùng Vương (27 April), 30 April and 1 May: 28, 29 April, 4 to 8 May.
    with time_machine.travel(vietnam_time(2026, 4, 24, 0, 30), tick=False):
        dossier = factory.dossier("submitted")
        returned = assert_passes(factory, dossier, "return", comment="Thiếu biên bản")
    assert returned["due_date"] == "2026-05-08"


def test_return_keeps_a_given_due_date(factory):
    dossier = factory.dossier("in_appraisal")
    due = (today() + dt.timedelta(days=12)).isoformat()
    assert assert_passes(factory, dossier, "return", comment="Bổ sung", due_date=due)["due_date"] == due


def test_due_date_valid(factory):
    with time_machine.travel(vietnam_time(2026, 12, 10, 0, 15), tick=False):
        dossier = factory.dossier("submitted")
        assert_refused(factory, dossier, "return", ["due_date_valid"], comment="Bổ sung", due_date="2026-12-09")
        assert assert_passes(factory, dossier, "return", comment="Bổ sung",
                             due_date="2026-12-10")["due_date"] == "2026-12-10"


def test_due_date_at_most_a_year_ahead_in_vietnam(factory):
    # 00:15 on 10 December 2026 in Hanoi, still the 9th in UTC: the year runs to 10 December 2027.
    with time_machine.travel(vietnam_time(2026, 12, 10, 0, 15), tick=False):
        dossier = factory.dossier("submitted")
        error = assert_refused(factory, dossier, "return", ["due_date_valid"], comment="Bổ sung",
                               due_date="2027-12-11")
        assert "10/12/2027" in error["details"][0]["message"]
        assert_refused(factory, dossier, "return", ["due_date_valid"], comment="Bổ sung", due_date="2099-01-01")
        assert assert_passes(factory, dossier, "return", comment="Bổ sung",
                             due_date="2027-12-10")["due_date"] == "2027-12-10"


def test_date_valid(factory):
    """A step that records a date (the Tết gift list's hand-over) takes one of the past year, today included."""
    step = next(step for procedure in catalogue() for step in procedure.steps_with("record_date"))
    procedure = next(p for p in catalogue() if step in p.steps)
    with time_machine.travel(vietnam_time(2026, 12, 10, 0, 15), tick=False):
        dossier = factory.dossier_in(procedure, step.source, factory.award_type_for(procedure, [step]))
        office = factory.actor_of_step(dossier, step)
        assert_refused(factory, dossier, step.event, ["date_valid"], user=office)
        assert_refused(factory, dossier, step.event, ["date_valid"], user=office, date="2026-12-11")
        error = assert_refused(factory, dossier, step.event, ["date_valid"], user=office, date="2025-12-09")
        assert "10/12/2025" in error["details"][0]["message"]
        response = fire(factory, dossier, step.event, office, date="2025-12-10")
        assert response.status_code == 200 and step.effect("record_date")["field"] in response.json["details"]


def test_a_year_after_29_february_is_28_february():
    from workflow.rules import a_year_after
    assert a_year_after(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)
    assert a_year_after(dt.date(2027, 3, 1)) == dt.date(2028, 3, 1)


# conflict_of_interest ---------------------------------------------------------------------------

def test_conflict_of_interest(factory):
    appraiser = factory.user("appraiser", "van-phong")
    own_unit = factory.dossier("in_appraisal", unit="van-phong")
    other_unit = factory.dossier("in_appraisal", unit="ba-dinh")
    assert_refused(factory, own_unit, "recommend", ["conflict_of_interest"], user=appraiser, comment="Đạt")
    response = fire(factory, other_unit, "recommend", user=appraiser, comment="Đạt")
    assert response.status_code == 200, response.json


def test_conflict_of_interest_only_flagged_when_so_configured(app, factory, monkeypatch):
    # The app's own setting decides, read when the rule runs (not a process-wide copy made at start-up).
    monkeypatch.setitem(app.config, "CONFLICT_OF_INTEREST", "flag")
    appraiser = factory.user("appraiser", "van-phong")
    dossier = factory.dossier("in_appraisal", unit="van-phong")

    response = fire(factory, dossier, "recommend", user=appraiser, comment="Đạt")

    assert response.status_code == 200, response.json
    row = db.session.scalars(select(HistoryEntry).where(HistoryEntry.dossier_id == dossier.id)
                             .order_by(HistoryEntry.seq.desc())).first()
    assert (row.event, row.details) == ("recommend", {"conflict_of_interest": True})


def test_an_unknown_conflict_of_interest_setting_refuses(app, factory, monkeypatch):
    monkeypatch.setitem(app.config, "CONFLICT_OF_INTEREST", "Flag ")
    appraiser = factory.user("appraiser", "van-phong")
    assert_refused(factory, factory.dossier("in_appraisal", unit="van-phong"), "recommend", ["conflict_of_interest"],
                   user=appraiser, comment="Đạt")


def test_a_step_context_counts_the_days_in_vietnam(factory):
    from workflow.procedure import catalogue
    from workflow.rules import StepContext

    dossier = factory.dossier("draft")
    # 20:00 in UTC, the server's zone, is already 03:00 of the next day in Vietnam.
    with time_machine.travel(dt.datetime(2026, 12, 20, 20, 0, tzinfo=ZoneInfo("UTC")), tick=False):
        context = StepContext(actor=factory.user("submitter", "ba-dinh"), dossier=dossier,
                              step=catalogue().current("reference").steps[0])
        assert context.today == dt.date(2026, 12, 21)


# forwarded_type, city_level_type, decision_required ---------------------------------------------

def test_forwarded_type(factory):
    assert_passes(factory, factory.dossier("approved", award_type="bk_tw_hoi"), "forward")
    assert_refused(factory, factory.dossier("approved", award_type="bk_thanh_hoi"), "forward", ["forwarded_type"])


def test_city_level_type(factory):
    decision = {"decision_number": "01/QĐ-HPN", "decision_date": today().isoformat()}
    assert_passes(factory, factory.dossier("approved", award_type="bk_thanh_hoi"), "confer", **decision)
    assert_refused(factory, factory.dossier("approved", award_type="bk_tw_hoi"), "confer", ["city_level_type"],
                   **decision)


@pytest.mark.parametrize("state", ["approved", "forwarded"])
@pytest.mark.parametrize("decision", [
    {},
    {"decision_number": "07/QĐ-HPN"},
    {"decision_date": "2026-12-20"},
    {"decision_number": "   ", "decision_date": "2026-12-20"},
], ids=["nothing", "no-date", "no-number", "blank-number"])
def test_decision_required(factory, state, decision):
    dossier = factory.dossier(state)
    assert_refused(factory, dossier, "confer", ["decision_required"], **decision)
    conferred = assert_passes(factory, dossier, "confer", decision_number=" 07/QĐ-HPN ", decision_date="2026-12-20")
    assert conferred["decision"] == {"number": "07/QĐ-HPN", "date": "2026-12-20"}


# vote_quorum, vote_threshold --------------------------------------------------------------------

def vote(factory, dossier: Dossier, members, agree: bool) -> None:
    for member in members:
        response = factory.api(member).post(f"/api/v1/dossiers/{dossier.id}/votes",
                                            json={"vote": "agree" if agree else "disagree"})
        assert response.status_code == 201, response.json


def test_vote_quorum(factory):
    # A low threshold (one agreeing vote of four: three council members and the chair) so that only the quorum
    # (three of four) can fail.
    set_award_type("bk_thanh_hoi", vote_threshold=Decimal("0.25"))
    members = factory.council(3)
    dossier = factory.dossier("council_review")
    vote(factory, dossier, members[:1], True)
    error = assert_refused(factory, dossier, "approve", ["vote_quorum"])
    assert "1" in error["details"][0]["message"] and "4" in error["details"][0]["message"]
    vote(factory, dossier, members[1:3], False)
    assert assert_passes(factory, dossier, "approve")["state"] == "approved"


def test_vote_threshold(factory):
    members = factory.council(3)
    dossier = factory.dossier("council_review")
    vote(factory, dossier, members[:2], True)
    vote(factory, dossier, members[2:], False)
    assert_refused(factory, dossier, "approve", ["vote_threshold"])

    unanimous = factory.dossier("council_review")
    vote(factory, unanimous, members, True)
    assert assert_passes(factory, unanimous, "approve")["state"] == "approved"


def test_no_votes_fail_both_vote_rules(factory):
    factory.council(3)
    dossier = factory.dossier("council_review")
    assert_refused(factory, dossier, "approve", ["vote_quorum", "vote_threshold"])


def test_party_already_gave_opinion(factory):
    award_type = db.session.scalar(select(AwardType).where(AwardType.code == "chi_hoi_tieu_bieu"))
    award_type.procedure = "co-appraisal"  # the Office and Ban Xây dựng tổ chức Hội each recommend
    db.session.commit()
    dossier = factory.dossier("in_appraisal", award_type="chi_hoi_tieu_bieu")
    xdtc = factory.user_once("appraiser", "ban-xdtc")
    response = fire(factory, dossier, "recommend", xdtc, comment="Đủ điều kiện")
    assert (response.status_code, response.json["state"]) == (200, "in_appraisal")
    assert_refused(factory, dossier, "recommend", ["party_already_gave_opinion"], xdtc, comment="Đủ điều kiện")
    office_appraiser = factory.user_once("appraiser", "van-phong")
    assert fire(factory, dossier, "recommend", office_appraiser, comment="Thống nhất").json["state"] == \
        "council_review"


def test_every_rule_code_is_covered():
    """This module tests each rule the workflow declares; a new rule needs its cases here."""
    from workflow.rules import RULES

    covered = {"unit_active", "campaign_open", "deadline", "due_date", "required_documents", "quota",
               "duplicate_nominee", "reason_required", "note_required", "answer_required", "due_date_valid",
               "conflict_of_interest", "forwarded_type", "city_level_type", "decision_required", "vote_quorum",
               "vote_threshold", "party_already_gave_opinion", "date_valid"}
    # The public disclosure's rules have their cases in tests/test_disclosure.py.
    covered |= {"disclosure_window", "disclosure_resolved"}
    # The eligibility rules read the award history: their cases are in tests/test_award_history.py.
    covered |= {"eligibility"}
    assert set(RULES) == covered



def test_rule_messages_name_the_rule_and_speak_english_on_request(factory):
    dossier = factory.draft(documents=False)
    response = factory.api(factory.user_once("submitter", "ba-dinh"), "en").post(
        f"/api/v1/dossiers/{dossier.id}/events", json={"event": "submit", "version": dossier.version})
    assert response.json["error"]["details"] == [{
        "rule": "required_documents",
        "message": "Required documents are missing: Proposal letter (tờ trình), Achievement report."}]


def test_the_conflict_policy_is_read_from_the_environment(monkeypatch):
    from config import config_for

    assert config_for("production").CONFLICT_OF_INTEREST == "refuse"
    monkeypatch.setenv("CONFLICT_OF_INTEREST", "flag")
    assert config_for("production").CONFLICT_OF_INTEREST == "flag"
