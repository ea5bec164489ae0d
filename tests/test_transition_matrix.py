"""Every event from every state, by every kind of person, through the API, for every loaded procedure: each
step allowed for the people its role and scope name, refused for the others and from the other states.

The cases come from the procedure files (workflow/procedures/), read as README.md's "Writing a procedure"
says: a step's `role` and `scope` say who may fire it, `from` and `to` where it leads.
"""
import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.factories import path_to, step_input
from workflow.models import Dossier, HistoryEntry, Unit, db
from workflow.procedure import (
    ANYONE_WITH_ROLE, EACH_PARTY, PARTY, RESPONSIBLE_DEPARTMENT, SUBMITTER_OF_UNIT, VOTE_RULES, catalogue,
)

pytestmark = pytest.mark.usefixtures("light_password_hashing")

SUBMITTER = "submitter of the unit"
OFFICE = "office"
APPRAISER = "appraiser of the responsible department"
PARTY_APPRAISER = "appraiser of a department named as a party"
OTHER_APPRAISER = "appraiser of a department neither responsible nor named as a party"
COUNCIL = "council"
CHAIR = "chair"
ADMIN = "admin"
# Where a kind of person works: relative to the dossier (its unit, its award type's responsible department, a
# unit its procedure's steps name under `parties`, another department), or a unit by its code.
OWN, RESPONSIBLE, NAMED_PARTY, OTHER_DEPARTMENT = "own unit", "responsible", "party", "other department"
# Each kind of person: (role, where they work).
PEOPLE = {SUBMITTER: ("submitter", OWN), OFFICE: ("office", "van-phong"), APPRAISER: ("appraiser", RESPONSIBLE),
          PARTY_APPRAISER: ("appraiser", NAMED_PARTY), OTHER_APPRAISER: ("appraiser", OTHER_DEPARTMENT),
          COUNCIL: ("council", "thanh-hoi"), CHAIR: ("chair", "thanh-hoi"), ADMIN: ("admin", "thanh-hoi")}
# The scope a step names each kind of person by, where it does.
NAMED_BY = {OWN: (SUBMITTER_OF_UNIT,), RESPONSIBLE: (RESPONSIBLE_DEPARTMENT,), NAMED_PARTY: (PARTY, EACH_PARTY)}
PROCEDURES = {f"{p.code}-v{p.version}": p for p in catalogue()}


def parties_of(procedure) -> tuple[str, ...]:
    return tuple(dict.fromkeys(party for step in procedure.steps for party in step.parties))


def roles_for(procedure) -> tuple[str, ...]:
    """The kinds of person tried on `procedure`: a party's appraiser where its steps name parties."""
    return tuple(role for role in PEOPLE if role != PARTY_APPRAISER or parties_of(procedure))


CASES = [(key, state, event, role) for key, procedure in PROCEDURES.items()
         for state in procedure.states for event in procedure.events for role in roles_for(procedure)]
STATES = list(dict.fromkeys((key, state) for key, state, _, _ in CASES))
REFERENCE = catalogue().current("reference")
EVENTS = REFERENCE.events
REFERENCE_ROLES = roles_for(REFERENCE)


def unit_of(role: str, dossier: Dossier, procedure) -> str:
    """The code of the unit this kind of person works in, for this dossier."""
    where = PEOPLE[role][1]
    responsible = dossier.award_type.responsible_unit.code
    parties = parties_of(procedure)
    if where == OWN:
        return dossier.unit.code
    if where == RESPONSIBLE:
        return responsible
    if where == NAMED_PARTY:  # one other than the responsible department where there is one
        return next((party for party in parties if party != responsible), parties[0])
    if where == OTHER_DEPARTMENT:
        return db.session.scalars(select(Unit.code).where(Unit.kind == "department", Unit.active.is_(True),
                                                          Unit.code.not_in([responsible, *parties]))
                                  .order_by(Unit.sort_order, Unit.code)).first()
    return where


def named(role: str, step) -> bool:
    """Whether the step names this kind of person: their role, and their place if its scope asks for one."""
    name, where = PEOPLE[role]
    return name == step.role and (step.scope == ANYONE_WITH_ROLE or step.scope in NAMED_BY.get(where, ()))


def fits(person: tuple[str, str], step, dossier: Dossier) -> bool:
    """Whether a holder of the role working in the unit (person: role, unit code) may take the step on the dossier."""
    role, unit = person
    if role != step.role:
        return False
    if step.scope == SUBMITTER_OF_UNIT:
        return unit == dossier.unit.code
    if step.scope == RESPONSIBLE_DEPARTMENT:
        return unit == dossier.award_type.responsible_unit.code
    if step.scope in (PARTY, EACH_PARTY):
        return unit in step.parties
    return True


def expected_outcome(procedure, state: str, event: str, person: tuple[str, str], dossier: Dossier) \
        -> tuple[int, str, list[str]]:
    """(status, state or error code, the rules a refusal names) that API.md's check order gives."""
    if person[0] != "submitter" and not dossier.ever_submitted:
        return 404, "not_found", []  # reviewers see a dossier only once it has been submitted
    step = procedure.step_by_event_and_source.get((event, state))
    if step is not None and fits(person, step, dossier):
        return 200, step.dest, []
    others = [other for other in procedure.steps if other.event == event]
    if any(fits(person, other, dossier) for other in others):
        return 409, "invalid_transition", []
    # a holder of the role of a step that only named units take, whose unit is not one of them
    parties_only = any(other.parties and other.role == person[0] for other in others)
    return 403, "forbidden", ["not_a_party"] if parties_only else []


def actor(factory, role: str, dossier: Dossier, procedure=REFERENCE):
    return factory.user_once(PEOPLE[role][0], unit_of(role, dossier, procedure))


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


class Dossiers:
    """The dossiers one state's cases are tried on. A refusal changes nothing, so the refused cases share one
    dossier per award type; a case that moves a dossier gets a new one."""

    def __init__(self, factory, procedure, state: str):
        self.factory, self.procedure, self.state = factory, procedure, state
        self.path = path_to(procedure, state)
        self.shared: dict[str, Dossier] = {}

    def award_type(self, step) -> str:
        return self.factory.award_type_for(self.procedure, self.path + ([step] if step else []))

    def new(self, step) -> Dossier:
        dossier = self.factory.dossier_in(self.procedure, self.state, self.award_type(step))
        if step is not None and VOTE_RULES & set(step.rules):
            self.factory.votes_for(dossier)
        return dossier

    def for_refusal(self, step) -> Dossier:
        award_type = self.award_type(step)
        if award_type not in self.shared:
            self.shared[award_type] = self.new(step)
        return self.shared[award_type]


def try_case(factory, dossiers: Dossiers, event: str, role: str) -> list[str]:
    """Fire `event` as this kind of person; what differs from the expected outcome, as messages."""
    procedure, state = dossiers.procedure, dossiers.state
    step = procedure.step_by_event_and_source.get((event, state))
    probe = dossiers.for_refusal(step)
    person = (PEOPLE[role][0], unit_of(role, probe, procedure))
    status, outcome, rules = expected_outcome(procedure, state, event, person, probe)
    dossier = dossiers.new(step) if status == 200 else probe
    if status == 200 and step.scope == EACH_PARTY:
        # the other units have given their opinion: this one's moves the dossier on
        factory.give_opinions(dossier, step, [party for party in step.parties if party != person[1]])
    user = factory.user_once(*person)
    before = snapshot(dossier.id)

    response = factory.api(user).post(f"/api/v1/dossiers/{dossier.id}/events",
                                      json=event_body(procedure, event, before[1]))

    case = f"{event} by {role}"
    if response.status_code != status:
        return [f"{case}: status {response.status_code}, expected {status}: {response.json}"]
    faults = []
    if status == 200:
        row = last_history_row(dossier.id)
        if (response.json["state"], response.json["version"]) != (outcome, before[1] + 1) \
                or snapshot(dossier.id) != (outcome, before[1] + 1, before[2] + 1) \
                or (row.event, row.from_state, row.to_state, row.actor_username) != (event, state, outcome,
                                                                                    user.username):
            faults.append(f"{case}: moved to {snapshot(dossier.id)} with history {row.event} "
                          f"{row.from_state}->{row.to_state}, expected {outcome} at version {before[1] + 1}")
    else:
        if response.json["error"]["code"] != outcome:
            faults.append(f"{case}: error {response.json['error']['code']}, expected {outcome}")
        if status == 403 and [d["rule"] for d in response.json["error"].get("details") or []] != rules:
            faults.append(f"{case}: refusal names {response.json['error'].get('details')}, expected {rules}")
        if snapshot(dossier.id) != before:
            faults.append(f"{case}: the refused event changed the dossier: {before} -> {snapshot(dossier.id)}")
    return faults


@pytest.mark.parametrize(("procedure_key", "state"), STATES, ids=[f"{key}-{state}" for key, state in STATES])
def test_every_event_by_every_kind_of_person_from_state(factory, procedure_key, state):
    """Each case of this state, fired through the API: all that differ from what the procedure says are listed."""
    dossiers = Dossiers(factory, PROCEDURES[procedure_key], state)
    faults = [fault for key, case_state, event, role in CASES if (key, case_state) == (procedure_key, state)
              for fault in try_case(factory, dossiers, event, role)]
    assert not faults, "\n".join(faults)


def test_every_step_of_every_procedure_is_a_case_that_succeeds():
    """The matrix holds a success for each step of each loaded procedure, by a kind of person the step names:
    none is left untried."""
    succeeding = {(key, step.event, step.source) for key, procedure in PROCEDURES.items() for step in procedure.steps}
    assert succeeding == {(key, event, state) for key, state, event, role in CASES
                          if (step := PROCEDURES[key].step_by_event_and_source.get((event, state))) is not None
                          and named(role, step)}
    assert {key for key, *_ in CASES} == {f"{p.code}-v{p.version}" for p in catalogue()}
    assert len(CASES) >= len(REFERENCE.states) * len(REFERENCE.events) * len(REFERENCE_ROLES)


# Steps the named units take together (scope each_party) ------------------------------------------

EACH_PARTY_STEPS = [(key, step) for key, procedure in PROCEDURES.items() for step in procedure.steps
                    if step.scope == EACH_PARTY]


def fire(factory, user, dossier_id: int, procedure, event: str):
    version = snapshot(dossier_id)[1]
    return factory.api(user).post(f"/api/v1/dossiers/{dossier_id}/events",
                                  json=event_body(procedure, event, version))


@pytest.mark.parametrize(("procedure_key", "step"), EACH_PARTY_STEPS,
                         ids=[f"{key}-{step.event}-{step.source}" for key, step in EACH_PARTY_STEPS])
def test_each_party_step_moves_the_dossier_with_the_last_opinion_only(factory, procedure_key, step):
    procedure = PROCEDURES[procedure_key]
    path = path_to(procedure, step.source)
    dossier = factory.dossier_in(procedure, step.source, factory.award_type_for(procedure, path + [step]))
    if VOTE_RULES & set(step.rules):
        factory.votes_for(dossier)
    *first, last = step.parties
    for party in first:
        before = snapshot(dossier.id)
        user = factory.user_once(step.role, party)

        given = fire(factory, user, dossier.id, procedure, step.event)

        assert given.status_code == 200, given.json
        assert snapshot(dossier.id) == (step.source, before[1] + 1, before[2] + 1)
        row = last_history_row(dossier.id)
        assert (row.event, row.from_state, row.to_state, row.details["party"]) == \
            (step.event, step.source, step.source, party)

        before = snapshot(dossier.id)
        again = fire(factory, user, dossier.id, procedure, step.event)
        assert (again.status_code, again.json["error"]["code"]) == (422, "guard_failed")
        assert [detail["rule"] for detail in again.json["error"]["details"]] == ["party_already_gave_opinion"]
        assert snapshot(dossier.id) == before

    outsider = factory.user_once(step.role, unit_of(OTHER_APPRAISER, dossier, procedure))
    refused = fire(factory, outsider, dossier.id, procedure, step.event)
    assert (refused.status_code, refused.json["error"]["code"]) == (403, "forbidden")
    assert [detail["rule"] for detail in refused.json["error"]["details"]] == ["not_a_party"]

    before = snapshot(dossier.id)
    moved = fire(factory, factory.user_once(step.role, last), dossier.id, procedure, step.event)
    assert moved.status_code == 200, moved.json
    assert snapshot(dossier.id) == (step.dest, before[1] + 1, before[2] + 1)


def test_the_matrix_covers_a_step_the_named_units_take_together():
    assert EACH_PARTY_STEPS


@pytest.mark.parametrize("event", EVENTS)
def test_reviewers_do_not_see_a_draft_withdrawn_before_submission(factory, event):
    """A withdrawn draft was never submitted, so it stays hidden from the city union (404, not 403)."""
    dossier = factory.dossier("withdrawn")
    before = snapshot(dossier.id)
    for role in REFERENCE_ROLES[1:]:
        response = factory.api(actor(factory, role, dossier)).post(
            f"/api/v1/dossiers/{dossier.id}/events", json=event_body(REFERENCE, event, before[1]))
        assert (response.status_code, response.json["error"]["code"]) == (404, "not_found"), role
    assert snapshot(dossier.id) == before


def withdrawn_after_submission(factory):
    dossier = factory.dossier("submitted")
    return factory.advance(dossier, "withdraw")


@pytest.mark.parametrize("role", REFERENCE_ROLES)
@pytest.mark.parametrize("event", EVENTS)
def test_nothing_leaves_a_dossier_withdrawn_after_submission(factory, event, role):
    dossier = withdrawn_after_submission(factory)
    before = snapshot(dossier.id)
    status, code, _ = expected_outcome(REFERENCE, "withdrawn", event,
                                       (PEOPLE[role][0], unit_of(role, dossier, REFERENCE)), dossier)

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
