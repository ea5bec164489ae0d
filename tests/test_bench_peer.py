"""The peer benchmark's BPMN model is the reference workflow: the same steps, and nothing else; and the
peer does the application work ours does, so that only the engines differ."""
import ast

import pytest
from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.defaults import UserTask
from SpiffWorkflow.exceptions import WorkflowException
from sqlalchemy import select

from bench.peer import SERIALIZER, SpiffPeer, load_spec, state_of
from bench.workload import load_people, prepare_cast, prepare_drafts, run_lifecycle
from workflow import operations as ops
from workflow.errors import Forbidden, GuardFailed, InvalidTransition, StaleVersion
from workflow.history import verify_history
from workflow.models import Ballot, Dossier, HistoryEntry, Notice, VoteRecord, db
from workflow.procedure import catalogue

REFERENCE = catalogue().current("reference")


def decision_of(expression: str) -> str:
    """The event in a flow's condition, which reads `decision == "event"`."""
    comparison = ast.parse(expression, mode="eval").body
    assert isinstance(comparison, ast.Compare) and comparison.left.id == "decision"
    return comparison.comparators[0].value


def test_the_model_has_the_reference_steps():
    spec = load_spec()
    waiting = {name for name, task_spec in spec.task_specs.items() if isinstance(task_spec, UserTask)}
    steps = set()
    for name in waiting:
        (gateway,) = spec.task_specs[name].outputs
        steps |= {(decision_of(condition.args[0]), name, target) for condition, target in gateway.cond_task_specs}
    # A state waits for someone where a step leaves it: the honoured one too, which a revocation leaves.
    assert waiting == {step.source for step in REFERENCE.steps}
    assert steps == {(step.event, step.source, step.dest) for step in REFERENCE.steps}


def run_events(events: list[str]) -> BpmnWorkflow:
    workflow = BpmnWorkflow(load_spec())
    workflow.do_engine_steps()
    for event in events:
        workflow = SERIALIZER.deserialize_json(SERIALIZER.serialize_json(workflow))
        task = workflow.get_next_task(state=TaskState.READY, manual=True)
        task.data["decision"] = event
        task.run()
        workflow.do_engine_steps()
    return workflow


def test_a_returned_dossier_goes_round_again_and_ends_in_its_final_state():
    workflow = run_events(["submit", "accept", "return", "resubmit", "accept", "recommend", "approve", "forward",
                           "decline"])
    assert workflow.is_completed()
    assert state_of(workflow) == "declined"


def test_an_event_that_does_not_leave_the_state_is_refused():
    with pytest.raises(WorkflowException):
        run_events(["submit", "approve"])


@pytest.fixture
def peer(app):
    peer = SpiffPeer()
    peer.create_table()
    yield peer
    db.session.rollback()
    peer.drop_table()


def written(dossier_id: int) -> dict:
    """What a lifecycle left in the database about a dossier, less what differs by dossier and by time."""
    dossier = db.session.get(Dossier, dossier_id)
    notices = db.session.scalars(select(Notice).where(Notice.dossier_id == dossier_id).order_by(Notice.id))
    return {
        "dossier": (dossier.state, dossier.version, dossier.ever_submitted, dossier.due_date,
                    dossier.decision_number, dossier.decision_date),
        "history": [(e.seq, e.event, e.from_state, e.to_state, e.actor_id, e.actor_username, e.comment, e.details)
                    for e in db.session.scalars(select(HistoryEntry).where(HistoryEntry.dossier_id == dossier_id)
                                                .order_by(HistoryEntry.seq))],
        "notices": [(n.idempotency_key.replace(f":{dossier_id}:", ":"), n.recipient_id, n.kind, n.status,
                     {k: v for k, v in n.params.items() if k != "nominee"}) for n in notices],
        "ballots": sorted(db.session.scalars(select(Ballot.agree).where(Ballot.dossier_id == dossier_id))),
        "voters": sorted(db.session.scalars(select(VoteRecord.user_id).where(VoteRecord.dossier_id == dossier_id))),
    }


def test_the_peer_writes_what_ours_writes(peer):
    cast = prepare_cast()
    people = load_people(cast)
    ours_id, peer_id = prepare_drafts(cast, 2)
    peer.start([peer_id])
    run_lifecycle(cast, people, ours_id)
    run_lifecycle(cast, people, peer_id, peer.fire_event)
    assert peer.state(peer_id) == "conferred"
    assert written(peer_id) == written(ours_id)
    # office, appraiser, the council and the chair (a voting member), the submitter twice
    assert len(written(peer_id)["notices"]) == 8
    assert verify_history() == []


@pytest.mark.parametrize("event, role, version_offset, refusal", [
    ("submit", "office", 0, Forbidden),
    ("accept", "office", 0, InvalidTransition),
    ("submit", "submitter", -1, StaleVersion),
    ("recommend", "appraiser", 0, GuardFailed),  # from in appraisal, without the appraisal note
])
def test_the_peer_refuses_what_ours_refuses(peer, event, role, version_offset, refusal):
    cast = prepare_cast()
    people = load_people(cast)
    dossier_ids = prepare_drafts(cast, 2)
    peer.start(dossier_ids)
    for fire_event, dossier_id in zip((ops.fire_event, peer.fire_event), dossier_ids, strict=True):
        dossier = ops.get_dossier(people[cast.submitter], dossier_id)
        if event == "recommend":
            for step in ("submit", "accept"):
                fire_event(people[cast.actor_for(step)], dossier, step, dossier.version)
        with pytest.raises(refusal):
            fire_event(people[getattr(cast, role)], dossier, event, dossier.version + version_offset)
