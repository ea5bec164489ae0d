"""The scale benchmark's databases hold the council's past rounds as the product would have left them, and the
council session it measures in them leaves nothing behind."""
from collections import Counter

import psycopg
import pytest

from bench.council import MEMBERS, agenda, council_members, remove_agenda, run_session
from bench.harness import postgres_database
from bench.scale import fill_database
from workflow.models import User, db
from workflow.procedure import REFERENCE_CODE, catalogue

REFERENCE = catalogue().current(REFERENCE_CODE)
TABLES = ("dossiers", "documents", "notices", "vote_records", "ballots", "council_sessions", "council_session_items",
          "council_session_attendance")


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    with postgres_database("awards_test") as url:
        app, cast = fill_database(url, tmp_path_factory.mktemp("scale"), 600)
        with psycopg.connect(url) as conn:
            yield app, cast, conn
        with app.app_context():
            db.engine.dispose()


def test_a_dossier_past_the_vote_has_the_closed_tally_its_ballots_make(filled):
    _, _, conn = filled
    items = {dossier_id: counts for dossier_id, *counts in conn.execute(
        "SELECT i.dossier_id, i.eligible, i.\"cast\", i.agree, i.disagree, i.abstain, i.passed, "
        "i.dossier_version = h.seq FROM council_session_items i JOIN council_sessions s ON s.id = i.session_id "
        "JOIN history h ON h.dossier_id = i.dossier_id AND h.from_state = ANY(%s) WHERE s.status = 'closed'",
        (sorted(REFERENCE.voting_states),))}
    ballots = {dossier_id: tuple(counts) for dossier_id, *counts in conn.execute(
        "SELECT dossier_id, count(*), count(*) FILTER (WHERE agree), count(*) FILTER (WHERE NOT agree), "
        "count(*) FILTER (WHERE agree IS NULL) FROM ballots GROUP BY dossier_id")}
    records = dict(conn.execute("SELECT dossier_id, count(*) FROM vote_records GROUP BY dossier_id").fetchall())
    voted = {dossier_id for (dossier_id,) in conn.execute(
        "SELECT DISTINCT dossier_id FROM history WHERE from_state = ANY(%s)", (sorted(REFERENCE.voting_states),))}
    waiting = {dossier_id for (dossier_id,) in conn.execute(
        "SELECT id FROM dossiers WHERE state = ANY(%s)", (sorted(REFERENCE.voting_states),))}

    assert voted and waiting and set(items) == voted
    for dossier_id, (eligible, cast, agree, disagree, abstain, passed, at_the_vote) in items.items():
        assert (cast, agree, disagree, abstain) == ballots[dossier_id] and records[dossier_id] == cast
        assert eligible == MEMBERS and cast >= MEMBERS - 1 and agree * 10 >= eligible * 7 and passed and at_the_vote
    assert {dossier_id: cast for dossier_id, (cast, *_) in ballots.items() if dossier_id in waiting} == {
        dossier_id: count for dossier_id, count in records.items() if dossier_id in waiting}
    assert set(ballots) <= voted | waiting
    sessions = Counter(conn.execute("SELECT session_id, present FROM council_session_attendance").fetchall())
    assert sessions and set(sessions.values()) <= {1, MEMBERS - 1, MEMBERS}


def test_a_measured_session_leaves_the_database_as_it_found_it(filled):
    app, cast, conn = filled

    def counts():
        found = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}
        conn.commit()
        return found

    before = counts()
    with app.app_context():
        ids = agenda(cast, 3)
        run_session(db.session.get(User, cast.office), council_members(), ids)
        during = counts()
        remove_agenda(ids)

    assert during["council_session_items"] == before["council_session_items"] + 3
    assert during["ballots"] == before["ballots"] + 3 * MEMBERS
    assert counts() == before
