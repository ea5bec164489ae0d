"""Random events by random users on a few dossiers, through the operations layer on PostgreSQL.

After every step: the state is a reference state, version = 1 + history rows, the history rows
chain from-state to to-state, nothing leaves a final state, a refused event changed nothing, and
the hash chain of every dossier verifies.
"""
import datetime as dt
import itertools

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import select

from tests.factories import RESPONSIBLE
from workflow import operations as ops
from workflow.errors import WorkflowError
from workflow.history import verify_history
from workflow.i18n import today
from workflow.models import Dossier, HistoryEntry, User, db
from workflow.procedure import catalogue

STEPS = catalogue().current("reference").steps

REFERENCE_STATES = {"draft", "submitted", "returned", "in_appraisal", "council_review", "approved", "forwarded",
                    "conferred", "rejected", "declined", "withdrawn"}
FINAL_STATES = {"conferred", "rejected", "declined", "withdrawn"}
EVENTS = ["submit", "withdraw", "accept", "return", "resubmit", "recommend", "reject", "approve", "forward",
          "confer", "decline", "publish"]
# (role, unit) of everyone who may try something; the dossiers belong to ba-dinh and hoan-kiem.
PEOPLE = {
    "submitter ba-dinh": ("submitter", "ba-dinh"),
    "submitter hoan-kiem": ("submitter", "hoan-kiem"),
    "office": ("office", "van-phong"),
    "appraiser van-phong": ("appraiser", "van-phong"),
    "appraiser ban-xdtc": ("appraiser", "ban-xdtc"),
    "council 1": ("council", "thanh-hoi"),
    "council 2": ("council", "thanh-hoi"),
    "council 3": ("council", "thanh-hoi"),
    "council ba-dinh": ("council", "ba-dinh"),
    "chair": ("chair", "thanh-hoi"),
    "chair ba-dinh": ("chair", "ba-dinh"),
    "admin": ("admin", "thanh-hoi"),
}
# (starting state, award type, unit, nominee): two nominations of the same person, to exercise the
# duplicate rule, and one dossier that starts further along so that the later steps are reached.
DOSSIERS = (
    ("draft", "bk_thanh_hoi", "ba-dinh", "Nguyễn Thị Hoa"),
    ("council_review", "bk_tw_hoi", "ba-dinh", "Trần Thị Lan"),
    ("submitted", "bk_thanh_hoi", "hoan-kiem", "NGUYỄN  thị hoa"),
)
SETBACKS = {"withdrawn", "returned", "rejected", "declined"}


def test_random_events_keep_every_dossier_consistent(factory, light_password_hashing):
    people = {name: factory.user(role, unit) for name, (role, unit) in PEOPLE.items()}
    people_ids = {name: user.id for name, user in people.items()}
    campaigns = itertools.count(1)

    def person(name):
        return db.session.get(User, people_ids[name])

    def responsible_actor(dossier: Dossier, role: str):
        if role == "submitter":
            return person(f"submitter {dossier.unit.code}")
        if role == "appraiser":
            return person(f"appraiser {RESPONSIBLE[dossier.award_type.code]}")
        return person(role)

    class Workflow(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            campaign = f"property-{next(campaigns)}"
            self.ids = [factory.dossier(state, award_type, unit, name=name, campaign=campaign).id
                        for state, award_type, unit, name in DOSSIERS]
            self.seen = {dossier_id: state for dossier_id, (state, *_) in zip(self.ids, DOSSIERS, strict=True)}

        def attempt(self, dossier_id: int, action) -> None:
            db.session.rollback()
            before = db.session.get(Dossier, dossier_id)
            state, version = before.state, before.version
            try:
                action(db.session.get(Dossier, dossier_id))
                db.session.commit()
            except WorkflowError:
                db.session.rollback()
                after = db.session.get(Dossier, dossier_id)
                assert (after.state, after.version) == (state, version), "a refused action changed the dossier"

        @rule(index=st.integers(0, len(DOSSIERS) - 1), who=st.sampled_from(sorted(PEOPLE)),
              event=st.sampled_from(EVENTS), version_shift=st.sampled_from([0, 0, 0, -1, 1, None]),
              comment=st.sampled_from([None, "", "  ", "Lý do cụ thể"]),
              due_in_days=st.sampled_from([None, -1, 0, 7]),
              decision=st.sampled_from([None, ("", 0), ("12/QĐ-HPN", None), ("12/QĐ-HPN", 0)]))
        def random_event(self, index, who, event, version_shift, comment, due_in_days, decision):
            def action(dossier):
                actor = person(who)
                ops.get_dossier(actor, dossier.id)  # what the API checks first
                version = None if version_shift is None else dossier.version + version_shift
                number, date_offset = decision or (None, None)
                ops.fire_event(actor, dossier, event, version, ops.EventInput(
                    comment=comment,
                    due_date=None if due_in_days is None else today() + dt.timedelta(days=due_in_days),
                    decision_number=number,
                    decision_date=None if date_offset is None else today() + dt.timedelta(days=date_offset)))
            self.attempt(self.ids[index], action)

        @rule(index=st.integers(0, len(DOSSIERS) - 1), onwards=st.booleans(), choice=st.integers(0, 3))
        def expected_event(self, index, onwards, choice):
            """One of the steps the workflow offers from the current state, by the right person;
            `onwards` picks one that moves the dossier forward, so that the later states are reached."""
            def action(dossier):
                steps = [step for step in STEPS if step.source == dossier.state
                         and (not onwards or step.dest not in SETBACKS)]
                if not steps:
                    return
                step = steps[choice % len(steps)]
                ops.fire_event(responsible_actor(dossier, step.role), dossier, step.event, dossier.version,
                               ops.EventInput(comment="Ghi chú", decision_number="12/QĐ-HPN", decision_date=today()))
            self.attempt(self.ids[index], action)

        @rule(index=st.integers(0, len(DOSSIERS) - 1), who=st.sampled_from(sorted(PEOPLE)), agree=st.booleans())
        def vote(self, index, who, agree):
            def action(dossier):
                ops.cast_vote(person(who), dossier, agree)
                assert dossier.state == "council_review"
            self.attempt(self.ids[index], action)

        @rule(index=st.integers(0, len(DOSSIERS) - 1))
        def council_agrees(self, index):
            for name in ("council 1", "council 2", "council 3"):
                self.attempt(self.ids[index], lambda dossier, name=name: ops.cast_vote(person(name), dossier, True))

        @invariant()
        def every_dossier_is_consistent(self):
            db.session.rollback()
            for dossier_id in self.ids:
                dossier = db.session.get(Dossier, dossier_id)
                rows = list(db.session.scalars(select(HistoryEntry).where(HistoryEntry.dossier_id == dossier_id)
                                               .order_by(HistoryEntry.seq)))
                assert dossier.state in REFERENCE_STATES
                assert dossier.version == 1 + len(rows)
                previous = "draft"
                for row in rows:
                    assert row.from_state == previous, (row.event, row.from_state, previous)
                    assert row.to_state in REFERENCE_STATES
                    previous = row.to_state
                assert dossier.state == previous
                if self.seen[dossier_id] in FINAL_STATES:
                    assert dossier.state == self.seen[dossier_id], "an event left a final state"
                self.seen[dossier_id] = dossier.state
            assert verify_history() == []

    run_state_machine_as_test(Workflow, settings=settings(max_examples=30, stateful_step_count=25, deadline=None,
                                                          database=None))
