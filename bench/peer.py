"""8. Against a peer: the same lifecycles run on SpiffWorkflow, the Python BPMN engine an organisation
might pick instead, with its state serialised to the same PostgreSQL on every transition.

Both sides run the workload's lifecycles through `run_lifecycle`: the same acting users held, each
dossier read once per lifecycle by `ops.get_dossier`, the same SQLAlchemy session on the same
database, one commit per step. They do the same application work per transition; only the engine
and where it keeps its state differ.

Ours is `ops.fire_event`: role and scope, version, the step from the dossier's `state` column, the
award type's row lock on a submission, the step's rules; then the shared `transitions` machine gives
the next state and one version-checked UPDATE of the dossier's row records it, with the hash-chained
history row and the notices (one INSERT … SELECT over the audience).

The peer is `SpiffPeer.fire_event`. It makes the same checks with the same code (`ops.check_step`),
except that the step starts from the user task waiting in the dossier's workflow, which SpiffWorkflow
owns. The
workflow is kept in a table of the benchmark's, `spiff_workflows` (dossier_id, serialized, version),
as the JSON BpmnWorkflowSerializer writes, the model's spec included (15 to 19 kB, 12 of them the
spec). A transition reads that row, restores the workflow, completes the ready user task with the
decision data, runs the engine to the next wait (the gateway routes on the decision, or refuses it),
serialises the workflow and writes it back with a version-checked UPDATE, raising on a stale
version. The state the engine reached is mirrored in the dossier's row by ours' very code,
`ops.write_step`, version-checked as well and with the same other columns, because the application
reads that column: the quota and duplicate rules count other dossiers by state, the notices carry
it, the votes check it and the lists of dossiers filter on it; the history row and the notices are
written by the same call.

Votes are data outside the workflow on both sides, the voters' records and the ballots, checked
against the dossier's state under its row lock: the peer casts them with `ops.cast_vote`, as ours
does, and SpiffWorkflow does nothing for them (the council_review task just waits).

So a transition of the peer is one of ours without the `next_state` call on the shared machine, with
a SELECT and an UPDATE of the workflow's row and SpiffWorkflow's restore, run and serialise instead.
The figure is over whole lifecycles: five transitions and three votes, the votes alike on both sides.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser, BpmnValidator
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.defaults import EndEvent
from sqlalchemy import bindparam, column, insert, select, table, text, update

from bench.harness import Scale, app_in_context, at_least, interleaved_medians, postgres_database, scratch_dir
from bench.workload import (
    HONOURED, TRANSITIONS_PER_LIFECYCLE, load_people, prepare_cast, prepare_drafts, run_lifecycle,
)
from workflow import operations as ops
from workflow.errors import StaleVersion
from workflow.models import Dossier, User, db

ORDER = 8

MODEL = Path(__file__).with_name("reference_workflow.bpmn")
PROCESS_ID = "award_dossier"
SERIALIZER = BpmnWorkflowSerializer()

CREATE_WORKFLOWS = text("CREATE TABLE spiff_workflows (dossier_id integer PRIMARY KEY REFERENCES dossiers (id), "
                        "serialized text NOT NULL, version integer NOT NULL)")
DROP_WORKFLOWS = text("DROP TABLE spiff_workflows")
_workflows = table("spiff_workflows", column("dossier_id"), column("serialized"), column("version"))
LOAD_WORKFLOW = select(_workflows.c.serialized, _workflows.c.version).where(
    _workflows.c.dossier_id == bindparam("of_dossier"))
STORE_WORKFLOW = (update(_workflows)
                  .where(_workflows.c.dossier_id == bindparam("of_dossier"),
                         _workflows.c.version == bindparam("expected_version"))
                  .values(serialized=bindparam("serialized"), version=bindparam("version")))


def load_spec():
    """The reference workflow's process, parsed from the model and checked against the BPMN 2.0 schema."""
    parser = BpmnParser(validator=BpmnValidator())
    parser.add_bpmn_file(str(MODEL))
    return parser.get_spec(PROCESS_ID)


def state_of(workflow: BpmnWorkflow) -> str:
    """The dossier's state: the user task waiting for someone, or the end event the workflow reached."""
    waiting = workflow.get_next_task(state=TaskState.READY, manual=True)
    if waiting is not None:
        return waiting.task_spec.name
    return next(task.task_spec.name for task in workflow.get_tasks(state=TaskState.COMPLETED, spec_class=EndEvent))


def decision_data(event: str, actor: User, data: ops.EventInput) -> dict:
    """What completes a user task: the decision, who took it, and what they entered (dates as text, as
    SpiffWorkflow's serialiser keeps no dates)."""
    fields = {"decision": event, "actor": actor.username, "comment": data.comment, "due_date": data.due_date,
              "decision_number": data.decision_number, "decision_date": data.decision_date}
    return {name: value.isoformat() if isinstance(value, dt.date) else value
            for name, value in fields.items() if value is not None}


class SpiffPeer:
    """Dossiers' workflows run by SpiffWorkflow, each serialised in its row of `spiff_workflows`."""

    def __init__(self):
        self.spec = load_spec()

    def create_table(self) -> None:
        db.session.execute(CREATE_WORKFLOWS)
        db.session.commit()

    def drop_table(self) -> None:
        db.session.execute(DROP_WORKFLOWS)
        db.session.commit()

    def start(self, dossier_ids: list[int]) -> None:
        """A workflow for each new dossier, waiting in draft."""
        rows = []
        for dossier_id in dossier_ids:
            workflow = BpmnWorkflow(self.spec)
            workflow.do_engine_steps()
            rows.append({"dossier_id": dossier_id, "serialized": SERIALIZER.serialize_json(workflow), "version": 1})
        db.session.execute(insert(_workflows), rows)
        db.session.commit()

    def load(self, dossier_id: int) -> tuple[BpmnWorkflow, int]:
        serialized, version = db.session.execute(LOAD_WORKFLOW, {"of_dossier": dossier_id}).one()
        return SERIALIZER.deserialize_json(serialized), version

    def store(self, dossier_id: int, workflow: BpmnWorkflow, version: int) -> None:
        updated = db.session.execute(STORE_WORKFLOW, {"serialized": SERIALIZER.serialize_json(workflow),
                                                      "version": version + 1, "of_dossier": dossier_id,
                                                      "expected_version": version})
        if updated.rowcount != 1:
            raise StaleVersion()

    def state(self, dossier_id: int) -> str:
        return state_of(self.load(dossier_id)[0])

    def fire_event(self, actor: User, dossier: Dossier, event: str, version: int | None,
                   data: ops.EventInput = ops.EventInput()) -> Dossier:
        """`ops.fire_event` with SpiffWorkflow in place of our machine and the workflow's row beside the dossier's."""
        workflow, stored_version = self.load(dossier.id)
        step = ops.check_step(actor, dossier, event, version, data, state_of(workflow))
        task = workflow.get_next_task(state=TaskState.READY, manual=True)
        task.data.update(decision_data(event, actor, data))
        task.run()
        workflow.do_engine_steps()  # the gateway routes on the decision, up to the next user task or the end
        self.store(dossier.id, workflow, stored_version)
        return ops.write_step(actor, dossier, step, data, state_of(workflow))


def run(scale: Scale):
    lifecycles = scale.pick(40, 2)
    with postgres_database() as url, scratch_dir() as folder, app_in_context(folder, url):
        cast = prepare_cast()
        people = load_people(cast)
        peer = SpiffPeer()
        peer.create_table()
        batches = {"ours": [], "peer": []}

        def setup():
            batches["ours"] = prepare_drafts(cast, lifecycles)
            batches["peer"] = prepare_drafts(cast, lifecycles)
            peer.start(batches["peer"])

        def ours():
            for dossier_id in batches["ours"]:
                run_lifecycle(cast, people, dossier_id)

        def spiff():
            for dossier_id in batches["peer"]:
                run_lifecycle(cast, people, dossier_id, peer.fire_event)

        setup()
        ours()  # warm up caches, the connection pool and the statement caches
        spiff()
        seconds = interleaved_medians({"ours": ours, "peer": spiff}, scale.repeat, setup)
        short = [dossier_id for dossier_id in batches["peer"] if peer.state(dossier_id) != HONOURED]
        if short:
            raise RuntimeError(f"the peer left dossiers {short} short of conferral")
    transitions = lifecycles * TRANSITIONS_PER_LIFECYCLE
    ours_rate, peer_rate = transitions / seconds["ours"], transitions / seconds["peer"]
    yield at_least("peer_spiffworkflow", ours_rate / peer_rate, 3,
                   f"ours {ours_rate:.0f} transitions/s, SpiffWorkflow {peer_rate:.0f}/s "
                   f"({lifecycles} lifecycles of {TRANSITIONS_PER_LIFECYCLE} transitions and 3 votes, "
                   f"median of {scale.repeat})")
