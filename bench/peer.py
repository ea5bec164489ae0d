"""8. Against a peer: the same lifecycles run by SpiffWorkflow, the Python BPMN engine an organisation
might pick instead, with its state kept in the same PostgreSQL.

The peer runs the reference workflow as the BPMN model beside this file (reference_workflow.bpmn),
one workflow instance per dossier, kept as SpiffWorkflow's own JSON serialisation (the model's spec
included, as BpmnWorkflowSerializer writes it: 15 to 19 kB) in a text column of a table of the
benchmark's, `spiff_workflows`.
Each transition is one transaction, as a web request of such an application would make it: load the
serialised workflow, restore it, complete the ready user task with the decision, run the engine to
the next wait, serialise, write it back with a version-checked UPDATE, append the hash-chained history
row (after reading the chain's last row, as ours does) and write the notice rows, then commit. A vote
restores the workflow under a row lock to check that voting is open, then writes the voter's record
and rewrites the shuffled ballots in our tables, as ours does; it changes nothing in the workflow.

The peer talks to PostgreSQL through psycopg 3 directly (ours goes through SQLAlchemy on the same
driver), knows the notices' recipients and the actors' names without asking the database, and checks
no rule beyond what its model says (the event must leave the current state): no roles, quotas,
duplicates, documents or vote counts, all of which ours checks. Each of these favours the peer.
"""
from __future__ import annotations

import json
import secrets
import uuid
from pathlib import Path

import psycopg
from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser, BpmnValidator
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.defaults import EndEvent

from bench.harness import Scale, at_least, interleaved_medians, make_app, postgres_database, scratch_dir
from bench.workload import (
    LIFECYCLE, TRANSITIONS_PER_LIFECYCLE, Cast, _chain_hash, prepare_cast, prepare_drafts, run_lifecycle,
)
from workflow.definition import COUNCIL_REVIEW, NOTICE_AUDIENCE
from workflow.history import GENESIS
from workflow.i18n import today
from workflow.models import utcnow

ORDER = 8

MODEL = Path(__file__).with_name("reference_workflow.bpmn")
PROCESS_ID = "award_dossier"
SERIALIZER = BpmnWorkflowSerializer()


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


class SpiffPeer:
    """Dossiers' workflows run by SpiffWorkflow and stored, serialised, on one psycopg connection."""

    def __init__(self, conn: psycopg.Connection, cast: Cast):
        self.conn = conn
        self.cast = cast
        self.spec = load_spec()
        self.usernames = dict(conn.execute("SELECT id, username FROM users"))
        self.audience = {"office": [cast.office], "appraisers": [cast.appraiser], "council": list(cast.council),
                         "submitters": [cast.submitter]}
        with conn.transaction():
            conn.execute("CREATE TABLE spiff_workflows (dossier_id integer PRIMARY KEY REFERENCES dossiers (id), "
                         "serialized text NOT NULL, version integer NOT NULL)")

    def start(self, dossier_ids: list[int]) -> None:
        """A workflow for each new dossier, waiting in draft."""
        rows = []
        for dossier_id in dossier_ids:
            workflow = BpmnWorkflow(self.spec)
            workflow.do_engine_steps()
            rows.append((dossier_id, SERIALIZER.serialize_json(workflow)))
        with self.conn.transaction(), self.conn.cursor() as cursor:
            cursor.executemany("INSERT INTO spiff_workflows (dossier_id, serialized, version) VALUES (%s, %s, 1)",
                               rows)

    def fire(self, actor_id: int, dossier_id: int, event: str, fields: dict) -> None:
        """One transition in one transaction."""
        with self.conn.transaction():
            serialized, version = self.conn.execute(
                "SELECT serialized, version FROM spiff_workflows WHERE dossier_id = %s", (dossier_id,)).fetchone()
            workflow = SERIALIZER.deserialize_json(serialized)
            task = workflow.get_next_task(state=TaskState.READY, manual=True)
            source = task.task_spec.name
            task.data.update(decision=event, actor=self.usernames[actor_id], **fields)
            task.run()
            workflow.do_engine_steps()  # the gateway routes on the decision, or refuses it
            dest = state_of(workflow)
            updated = self.conn.execute(
                "UPDATE spiff_workflows SET serialized = %s, version = %s WHERE dossier_id = %s AND version = %s",
                (SERIALIZER.serialize_json(workflow), version + 1, dossier_id, version))
            if updated.rowcount != 1:
                raise RuntimeError("stale version")
            self._record(actor_id, dossier_id, event, source, dest, fields.get("comment"))

    def _record(self, actor_id: int, dossier_id: int, event: str, source: str, dest: str,
                comment: str | None) -> None:
        last = self.conn.execute("SELECT seq, hash FROM history WHERE dossier_id = %s ORDER BY seq DESC LIMIT 1",
                                 (dossier_id,)).fetchone()
        seq, previous = (last[0] + 1, last[1]) if last else (1, GENESIS)
        now = utcnow()
        content = {"dossier": dossier_id, "seq": seq, "event": event, "from": source, "to": dest,
                   "actor": self.usernames[actor_id], "comment": comment, "details": {},
                   "at": now.isoformat(timespec="microseconds"), "prev": previous}
        self.conn.execute(
            "INSERT INTO history (dossier_id, seq, event, from_state, to_state, actor_id, actor_username, "
            "comment, details, at, prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (dossier_id, seq, event, source, dest, actor_id, self.usernames[actor_id], comment, "{}", now, previous,
             _chain_hash(content)))
        group = NOTICE_AUDIENCE.get(dest)
        if group is None:
            return
        params = json.dumps({"event": event, "state": dest, "comment": comment}, ensure_ascii=False)
        with self.conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO notices (idempotency_key, recipient_id, dossier_id, kind, params, status, attempts, "
                "created_at) VALUES (%s, %s, %s, %s, %s, 'pending', 0, %s)",
                [(uuid.uuid4().hex, recipient, dossier_id, event, params, now) for recipient in self.audience[group]])

    def vote(self, member_id: int, dossier_id: int, agree: bool) -> None:
        with self.conn.transaction():
            serialized = self.conn.execute("SELECT serialized FROM spiff_workflows WHERE dossier_id = %s FOR UPDATE",
                                           (dossier_id,)).fetchone()[0]
            if state_of(SERIALIZER.deserialize_json(serialized)) != COUNCIL_REVIEW:
                raise RuntimeError("voting is closed")
            self.conn.execute("INSERT INTO vote_records (dossier_id, user_id, cast_on) VALUES (%s, %s, %s)",
                              (dossier_id, member_id, today()))
            ballots = [row[0] for row in self.conn.execute(
                "SELECT agree FROM ballots WHERE dossier_id = %s", (dossier_id,))] + [agree]
            secrets.SystemRandom().shuffle(ballots)
            self.conn.execute("DELETE FROM ballots WHERE dossier_id = %s", (dossier_id,))
            with self.conn.cursor() as cursor:
                cursor.executemany("INSERT INTO ballots (id, dossier_id, agree) VALUES (%s, %s, %s)",
                                   [(str(uuid.uuid4()), dossier_id, choice) for choice in ballots])

    def require_state(self, dossier_ids: list[int], state: str) -> None:
        for dossier_id, serialized in self.conn.execute(
                "SELECT dossier_id, serialized FROM spiff_workflows WHERE dossier_id = ANY(%s)", (dossier_ids,)):
            if state_of(SERIALIZER.deserialize_json(serialized)) != state:
                raise RuntimeError(f"the peer left dossier {dossier_id} short of {state}")

    def lifecycle(self, dossier_id: int) -> None:
        """The workload's lifecycle: the same events, data and votes as `run_lifecycle`."""
        for event, fields in LIFECYCLE:
            if event == "vote":
                for member_id in self.cast.council:
                    self.vote(member_id, dossier_id, True)
                continue
            if event == "confer":
                fields = {**fields, "decision_date": today().isoformat()}
            self.fire(self.cast.actor_for(event), dossier_id, event, fields)


def run(scale: Scale):
    lifecycles = scale.pick(40, 2)
    with postgres_database() as url, scratch_dir() as folder:
        app = make_app(folder, url)
        with app.app_context(), psycopg.connect(url, autocommit=True) as conn:
            try:
                cast = prepare_cast()
                peer = SpiffPeer(conn, cast)
                batches = {"ours": [], "peer": []}

                def setup():
                    batches["ours"] = prepare_drafts(cast, lifecycles)
                    batches["peer"] = prepare_drafts(cast, lifecycles)
                    peer.start(batches["peer"])

                def ours():
                    for dossier_id in batches["ours"]:
                        run_lifecycle(cast, dossier_id)

                def spiff():
                    for dossier_id in batches["peer"]:
                        peer.lifecycle(dossier_id)

                setup()
                ours()  # warm up caches, the connection pool and the statement caches
                spiff()
                seconds = interleaved_medians({"ours": ours, "peer": spiff}, scale.repeat, setup)
                peer.require_state(batches["peer"], "conferred")
            finally:
                app.extensions["sqlalchemy"].engine.dispose()
    transitions = lifecycles * TRANSITIONS_PER_LIFECYCLE
    ours_rate, peer_rate = transitions / seconds["ours"], transitions / seconds["peer"]
    yield at_least("peer_spiffworkflow", ours_rate / peer_rate, 3,
                   f"ours {ours_rate:.0f} transitions/s, SpiffWorkflow {peer_rate:.0f}/s "
                   f"({lifecycles} lifecycles of {TRANSITIONS_PER_LIFECYCLE} transitions and 3 votes, "
                   f"median of {scale.repeat})")
