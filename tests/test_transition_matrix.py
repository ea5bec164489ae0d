"""Every event from every state, by every role, through the API: allowed exactly where DOMAIN.md says.

The expectations come from DOMAIN.md's table, written out here on its own (not read from
workflow.definition), so that a wrong entry in the definition shows up as a failure.
"""
import pytest
from sqlalchemy import func, select

from tests.factories import RESPONSIBLE
from workflow.i18n import today
from workflow.models import Dossier, HistoryEntry, db

pytestmark = pytest.mark.usefixtures("light_password_hashing")

SUBMITTER = "submitter of the unit"
OFFICE = "office"
APPRAISER = "appraiser of the responsible department"
OTHER_APPRAISER = "appraiser of another department"
COUNCIL = "council"
CHAIR = "chair"
ADMIN = "admin"
ROLES = (SUBMITTER, OFFICE, APPRAISER, OTHER_APPRAISER, COUNCIL, CHAIR, ADMIN)

# DOMAIN.md, "The reference workflow": (event, from, to, who).
TABLE = (
    ("submit", "draft", "submitted", SUBMITTER),
    ("withdraw", "draft", "withdrawn", SUBMITTER),
    ("withdraw", "submitted", "withdrawn", SUBMITTER),
    ("withdraw", "returned", "withdrawn", SUBMITTER),
    ("accept", "submitted", "in_appraisal", OFFICE),
    ("return", "submitted", "returned", OFFICE),
    ("return", "in_appraisal", "returned", APPRAISER),
    ("return", "council_review", "returned", CHAIR),
    ("resubmit", "returned", "submitted", SUBMITTER),
    ("recommend", "in_appraisal", "council_review", APPRAISER),
    ("reject", "in_appraisal", "rejected", APPRAISER),
    ("reject", "council_review", "rejected", CHAIR),
    ("approve", "council_review", "approved", CHAIR),
    ("forward", "approved", "forwarded", OFFICE),
    ("confer", "approved", "conferred", OFFICE),
    ("confer", "forwarded", "conferred", OFFICE),
    ("decline", "forwarded", "declined", OFFICE),
)
EVENTS = tuple(dict.fromkeys(event for event, *_ in TABLE))
STATES = ("draft", "submitted", "returned", "in_appraisal", "council_review", "approved", "forwarded",
          "conferred", "rejected", "declined", "withdrawn")
ALLOWED = {(event, source): (dest, who) for event, source, dest, who in TABLE}
ROLES_OF_EVENT = {event: {who for e, _, _, who in TABLE if e == event} for event in EVENTS}
# The fields each event's guards need to pass.
FIELDS = {
    "return": {"comment": "Thiếu xác nhận của cấp ủy"},
    "recommend": {"comment": "Đủ điều kiện"},
    "reject": {"comment": "Chưa đủ tiêu chuẩn"},
    "decline": {"comment": "Trung ương Hội không duyệt"},
    "confer": {"decision_number": "15/QĐ-HPN"},
}


def expected_outcome(state: str, event: str, role: str, ever_submitted: bool) -> tuple[int, str]:
    """(status, state or error code) that API.md's check order gives."""
    if role != SUBMITTER and not ever_submitted:
        return 404, "not_found"  # reviewers see a dossier only once it has been submitted
    if (event, state) in ALLOWED and ALLOWED[(event, state)][1] == role:
        return 200, ALLOWED[(event, state)][0]
    if role in ROLES_OF_EVENT[event]:
        return 409, "invalid_transition"
    return 403, "forbidden"


def award_type_for(state: str, event: str) -> str:
    """A forwarded type where forward and decline need one, a city-level one for confer from approved."""
    if state in ("forwarded", "declined") or (state == "approved" and event == "forward"):
        return "bk_tw_hoi"
    return "bk_thanh_hoi"


def actor(factory, role: str, dossier: Dossier):
    responsible = RESPONSIBLE[dossier.award_type.code]
    other_department = "ban-xdtc" if responsible != "ban-xdtc" else "ban-gdxh"
    return {
        SUBMITTER: lambda: factory.user_once("submitter", dossier.unit.code),
        OFFICE: lambda: factory.user_once("office", "van-phong"),
        APPRAISER: lambda: factory.user_once("appraiser", responsible),
        OTHER_APPRAISER: lambda: factory.user_once("appraiser", other_department),
        COUNCIL: lambda: factory.council(1)[0],
        CHAIR: lambda: factory.user_once("chair", "thanh-hoi"),
        ADMIN: lambda: factory.user_once("admin", "thanh-hoi"),
    }[role]()


def snapshot(dossier_id: int) -> tuple[str, int, int]:
    db.session.rollback()  # read what the request committed, not this session's cached rows
    dossier = db.session.get(Dossier, dossier_id)
    rows = db.session.scalar(select(func.count()).select_from(HistoryEntry)
                             .where(HistoryEntry.dossier_id == dossier_id))
    return dossier.state, dossier.version, rows


def last_history_row(dossier_id: int) -> HistoryEntry:
    return db.session.scalars(select(HistoryEntry).where(HistoryEntry.dossier_id == dossier_id)
                              .order_by(HistoryEntry.seq.desc())).first()


def event_body(event: str, version: int) -> dict:
    body = {"event": event, "version": version, **FIELDS.get(event, {})}
    if event == "confer":
        body["decision_date"] = today().isoformat()
    return body


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("event", EVENTS)
@pytest.mark.parametrize("state", STATES)
def test_event_from_state_by_role(factory, state, event, role):
    dossier = factory.dossier(state, award_type=award_type_for(state, event))
    if state == "council_review" and event == "approve":
        for member in factory.council(3):
            factory.api(member).post(f"/api/v1/dossiers/{dossier.id}/votes", json={"vote": "agree"})
    user = actor(factory, role, dossier)
    before = snapshot(dossier.id)
    status, outcome = expected_outcome(state, event, role, dossier.ever_submitted)

    response = factory.api(user).post(f"/api/v1/dossiers/{dossier.id}/events",
                                      json=event_body(event, before[1]))

    assert response.status_code == status, response.json
    if status == 200:
        assert (response.json["state"], response.json["version"]) == (outcome, before[1] + 1)
        assert snapshot(dossier.id) == (outcome, before[1] + 1, before[2] + 1)
        row = last_history_row(dossier.id)
        assert (row.event, row.from_state, row.to_state, row.actor_username) == (event, state, outcome, user.username)
    else:
        assert response.json["error"]["code"] == outcome
        assert snapshot(dossier.id) == before


@pytest.mark.parametrize("event", EVENTS)
def test_reviewers_do_not_see_a_draft_withdrawn_before_submission(factory, event):
    """A withdrawn draft was never submitted, so it stays hidden from the city union (404, not 403)."""
    dossier = factory.dossier("withdrawn")
    before = snapshot(dossier.id)
    for role in ROLES[1:]:
        response = factory.api(actor(factory, role, dossier)).post(
            f"/api/v1/dossiers/{dossier.id}/events", json=event_body(event, before[1]))
        assert (response.status_code, response.json["error"]["code"]) == (404, "not_found"), role
    assert snapshot(dossier.id) == before


def withdrawn_after_submission(factory):
    dossier = factory.dossier("submitted")
    return factory.advance(dossier, "withdraw")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("event", EVENTS)
def test_nothing_leaves_a_dossier_withdrawn_after_submission(factory, event, role):
    dossier = withdrawn_after_submission(factory)
    before = snapshot(dossier.id)
    status, code = expected_outcome("withdrawn", event, role, True)

    response = factory.api(actor(factory, role, dossier)).post(f"/api/v1/dossiers/{dossier.id}/events",
                                                               json=event_body(event, before[1]))

    assert (response.status_code, response.json["error"]["code"]) == (status, code)
    assert status in (403, 409)
    assert snapshot(dossier.id) == before


# Conflict of interest: an appraiser or the chair acting on a dossier nominated by their own unit.
CONFLICT_CASES = (
    ("in_appraisal", "return", APPRAISER),
    ("in_appraisal", "recommend", APPRAISER),
    ("in_appraisal", "reject", APPRAISER),
    ("council_review", "return", CHAIR),
    ("council_review", "reject", CHAIR),
    ("council_review", "approve", CHAIR),
)


@pytest.mark.parametrize(("state", "event", "role"), CONFLICT_CASES)
def test_conflict_of_interest_is_refused(factory, state, event, role):
    if role == APPRAISER:
        # The Office appraises bk_thanh_hoi; here the Office itself nominated the dossier.
        dossier = factory.dossier(state, award_type="bk_thanh_hoi", unit="van-phong")
        user = factory.user("appraiser", "van-phong")
    else:
        dossier = factory.dossier(state, award_type="bk_thanh_hoi", unit="ba-dinh")
        user = factory.user("chair", "ba-dinh")
    if state == "council_review":
        for member in factory.council(3):
            factory.api(member).post(f"/api/v1/dossiers/{dossier.id}/votes", json={"vote": "agree"})
    before = snapshot(dossier.id)

    response = factory.api(user).post(f"/api/v1/dossiers/{dossier.id}/events", json=event_body(event, before[1]))

    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == "guard_failed"
    assert [d["rule"] for d in response.json["error"]["details"]] == ["conflict_of_interest"]
    assert snapshot(dossier.id) == before



# The order of the checks (API.md): visibility 404, role 403, stale_version 409, invalid_transition 409, rules 422.
@pytest.mark.parametrize(("state", "event", "role", "code"), [
    ("draft", "accept", OFFICE, "not_found"),
    ("submitted", "accept", COUNCIL, "forbidden"),
    ("submitted", "recommend", OTHER_APPRAISER, "forbidden"),
    ("submitted", "accept", OFFICE, "stale_version"),
    ("in_appraisal", "accept", OFFICE, "stale_version"),
    ("council_review", "approve", CHAIR, "stale_version"),
])
def test_check_order_with_a_stale_version(factory, state, event, role, code):
    dossier = factory.dossier(state)
    before = snapshot(dossier.id)
    response = factory.api(actor(factory, role, dossier)).post(f"/api/v1/dossiers/{dossier.id}/events",
                                                               json=event_body(event, before[1] - 1))
    assert response.json["error"]["code"] == code
    assert response.status_code == {"not_found": 404, "forbidden": 403, "stale_version": 409}[code]
    assert snapshot(dossier.id) == before


@pytest.mark.parametrize(("method", "suffix", "body"), [
    ("get", "", None),
    ("get", "/history", None),
    ("get", "/tally", None),
    ("post", "/events", {"event": "accept", "version": 1}),
    ("post", "/votes", {"vote": "agree"}),
])
@pytest.mark.parametrize("dossier_id", [2**31, 10**12, 0])
def test_an_id_no_dossier_can_have_is_not_found(factory, method, suffix, body, dossier_id):
    response = getattr(factory.api(factory.council(1)[0]), method)(f"/api/v1/dossiers/{dossier_id}{suffix}",
                                                                   json=body)
    assert (response.status_code, response.json["error"]["code"]) == (404, "not_found")
