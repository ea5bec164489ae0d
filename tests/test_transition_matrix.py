"""Every event from every state, by every kind of person, through the API, for every loaded procedure: each
step allowed for the people its role and scope name, refused for the others and from the other states.

The cases come from the procedure files (workflow/procedures/), read as README.md's "Writing a procedure"
says: a step's `role` and `scope` say who may fire it, `from` and `to` where it leads.
"""
import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.factories import path_to, step_input
from workflow.models import Dossier, HistoryEntry, db
from workflow.procedure import EACH_PARTY, PARTY, RESPONSIBLE_DEPARTMENT, VOTE_RULES, catalogue

pytestmark = pytest.mark.usefixtures("light_password_hashing")

SUBMITTER = "submitter of the unit"
OFFICE = "office"
APPRAISER = "appraiser of the responsible department"
OTHER_APPRAISER = "appraiser of another department"
COUNCIL = "council"
CHAIR = "chair"
ADMIN = "admin"
# Each kind of person: (role, whether they are the one a step's scope names: the unit's, the department's).
PEOPLE = {SUBMITTER: ("submitter", True), OFFICE: ("office", True), APPRAISER: ("appraiser", True),
          OTHER_APPRAISER: ("appraiser", False), COUNCIL: ("council", True), CHAIR: ("chair", True),
          ADMIN: ("admin", True)}
ROLES = tuple(PEOPLE)
# The kinds of person above do not yet model departments named as a step's parties: a procedure with such steps
# (co-appraisal) is covered by tests/test_co_appraisal.py until they do.
PROCEDURES = {f"{p.code}-v{p.version}": p for p in catalogue()
              if not any(step.scope in (PARTY, EACH_PARTY) for step in p.steps)}
CASES = [(key, state, event, role) for key, procedure in PROCEDURES.items()
         for state in procedure.states for event in procedure.events for role in ROLES]
REFERENCE = catalogue().current("reference")
EVENTS = REFERENCE.events


def fits(role: str, step) -> bool:
    """Whether this kind of person is one the step's role and scope name."""
    name, in_scope = PEOPLE[role]
    return name == step.role and (in_scope or step.scope != RESPONSIBLE_DEPARTMENT)


def expected_outcome(procedure, state: str, event: str, role: str, ever_submitted: bool) -> tuple[int, str]:
    """(status, state or error code) that API.md's check order gives."""
    if role != SUBMITTER and not ever_submitted:
        return 404, "not_found"  # reviewers see a dossier only once it has been submitted
    step = procedure.step_by_event_and_source.get((event, state))
    if step is not None and fits(role, step):
        return 200, step.dest
    if any(fits(role, other) for other in procedure.steps if other.event == event):
        return 409, "invalid_transition"
    return 403, "forbidden"


def actor(factory, role: str, dossier: Dossier):
    responsible = dossier.award_type.responsible_unit.code
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


def event_body(procedure, event: str, version: int) -> dict:
    """The event with what its steps ask for (dates as the API takes them)."""
    body = {"event": event, "version": version}
    for step in (step for step in procedure.steps if step.event == event):
        body.update({name: value.isoformat() if isinstance(value, dt.date) else value
                     for name, value in step_input(step).items()})
    return body


@pytest.mark.parametrize(("procedure_key", "state", "event", "role"), CASES)
def test_event_from_state_by_role(factory, procedure_key, state, event, role):
    procedure = PROCEDURES[procedure_key]
    step = procedure.step_by_event_and_source.get((event, state))
    path = path_to(procedure, state)
    dossier = factory.dossier_in(procedure, state, factory.award_type_for(procedure, path + ([step] if step else [])))
    if step is not None and VOTE_RULES & set(step.rules):
        factory.votes_for(dossier)
    user = actor(factory, role, dossier)
    before = snapshot(dossier.id)
    status, outcome = expected_outcome(procedure, state, event, role, dossier.ever_submitted)

    response = factory.api(user).post(f"/api/v1/dossiers/{dossier.id}/events",
                                      json=event_body(procedure, event, before[1]))

    assert response.status_code == status, response.json
    if status == 200:
        assert (response.json["state"], response.json["version"]) == (outcome, before[1] + 1)
        assert snapshot(dossier.id) == (outcome, before[1] + 1, before[2] + 1)
        row = last_history_row(dossier.id)
        assert (row.event, row.from_state, row.to_state, row.actor_username) == (event, state, outcome, user.username)
    else:
        assert response.json["error"]["code"] == outcome
        assert snapshot(dossier.id) == before


def test_every_step_of_every_procedure_is_a_case_that_succeeds():
    """The matrix holds a success for each step of each loaded procedure: none is left untried."""
    succeeding = {(key, step.event, step.source) for key, procedure in PROCEDURES.items() for step in procedure.steps}
    assert succeeding == {(key, event, state) for key, state, event, role in CASES
                          if (step := PROCEDURES[key].step_by_event_and_source.get((event, state))) is not None
                          and fits(role, step)}
    assert len(CASES) >= len(REFERENCE.states) * len(REFERENCE.events) * len(ROLES)


@pytest.mark.parametrize("event", EVENTS)
def test_reviewers_do_not_see_a_draft_withdrawn_before_submission(factory, event):
    """A withdrawn draft was never submitted, so it stays hidden from the city union (404, not 403)."""
    dossier = factory.dossier("withdrawn")
    before = snapshot(dossier.id)
    for role in ROLES[1:]:
        response = factory.api(actor(factory, role, dossier)).post(
            f"/api/v1/dossiers/{dossier.id}/events", json=event_body(REFERENCE, event, before[1]))
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
    status, code = expected_outcome(REFERENCE, "withdrawn", event, role, True)

    response = factory.api(actor(factory, role, dossier)).post(f"/api/v1/dossiers/{dossier.id}/events",
                                                               json=event_body(REFERENCE, event, before[1]))

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

    response = factory.api(user).post(f"/api/v1/dossiers/{dossier.id}/events",
                                      json=event_body(REFERENCE, event, before[1]))

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
                                                               json=event_body(REFERENCE, event, before[1] - 1))
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
