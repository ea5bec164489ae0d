"""Council votes: one secret vote per member while the dossier is in council review, and the tally."""
import threading
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, inspect, select, text

from workflow.models import AwardType, Ballot, Dossier, HistoryEntry, Notice, VoteRecord, db
from workflow.rules import votes_needed

pytestmark = pytest.mark.usefixtures("light_password_hashing")


def vote(factory, user, dossier, choice="agree"):
    return factory.api(user).post(f"/api/v1/dossiers/{dossier.id}/votes", json={"vote": choice})


def tally(factory, user, dossier):
    return factory.api(user).get(f"/api/v1/dossiers/{dossier.id}/tally")


def counts(dossier_id):
    db.session.rollback()
    records = db.session.scalar(select(func.count()).select_from(VoteRecord).where(VoteRecord.dossier_id == dossier_id))
    ballots = db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.dossier_id == dossier_id))
    return records, ballots


def test_one_vote_per_member(factory):
    member, other = factory.council(2)
    dossier = factory.dossier("council_review")

    assert vote(factory, member, dossier, "agree").status_code == 201
    for choice in ("agree", "disagree"):
        again = vote(factory, member, dossier, choice)
        assert (again.status_code, again.json["error"]["code"]) == (409, "already_voted")
    assert vote(factory, other, dossier, "disagree").status_code == 201

    assert counts(dossier.id) == (2, 2)
    result = tally(factory, member, dossier).json
    assert (result["cast"], result["agree"], result["disagree"]) == (2, 1, 1)


@pytest.mark.parametrize("attempt", range(3))
def test_two_simultaneous_votes_by_one_member_count_once(factory, attempt):
    member = factory.council(1)[0]
    dossier = factory.dossier("council_review")
    clients = [factory.api(member), factory.api(member)]
    path = f"/api/v1/dossiers/{dossier.id}/votes"
    start = threading.Barrier(len(clients))
    responses = [None] * len(clients)

    def cast(index, choice):
        start.wait()
        responses[index] = clients[index].post(path, json={"vote": choice})

    threads = [threading.Thread(target=cast, args=(i, choice)) for i, choice in enumerate(("agree", "disagree"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(r.status_code for r in responses) == [201, 409]
    assert [r.json["error"]["code"] for r in responses if r.status_code == 409] == ["already_voted"]
    assert counts(dossier.id) == (1, 1)


def test_a_dossier_back_in_council_review_gets_a_fresh_vote(factory):
    """The chair returned it for supplement; the council votes again on the supplemented dossier."""
    members = factory.council(3)
    dossier = factory.dossier("council_review")
    for member in members:
        assert vote(factory, member, dossier, "disagree").status_code == 201
    for event in ("return", "resubmit", "accept", "recommend"):
        factory.advance(dossier, event)
    assert dossier.state == "council_review"

    assert counts(dossier.id) == (0, 0)
    # A member sees the tally once they have voted again; the office sees it start afresh.
    assert tally(factory, members[0], dossier).status_code == 403
    assert tally(factory, factory.user("office"), dossier).json["cast"] == 0
    recommended = db.session.scalars(select(HistoryEntry).where(
        HistoryEntry.dossier_id == dossier.id, HistoryEntry.event == "recommend").order_by(HistoryEntry.seq)).all()
    assert "earlier_vote" not in recommended[0].details
    # The chair, who returned it, is a member too.
    assert recommended[1].details["earlier_vote"] == {"members": 4, "agree": 0, "disagree": 3, "abstain": 0}
    for member in members:
        assert vote(factory, member, dossier, "agree").status_code == 201
    factory.advance(dossier, "approve")
    assert dossier.state == "approved"


def test_simultaneous_votes_of_different_members_all_count(factory):
    members = factory.council(6)
    dossier = factory.dossier("council_review")
    clients = [factory.api(member) for member in members]
    path = f"/api/v1/dossiers/{dossier.id}/votes"
    start = threading.Barrier(len(clients))
    statuses = []

    def cast(client, choice):
        start.wait()
        statuses.append(client.post(path, json={"vote": choice}).status_code)

    threads = [threading.Thread(target=cast, args=(client, "agree" if i % 3 else "disagree"))
               for i, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert statuses == [201] * len(clients)
    assert counts(dossier.id) == (6, 6)
    result = tally(factory, members[0], dossier).json
    assert (result["cast"], result["agree"], result["disagree"]) == (6, 4, 2)


@pytest.mark.parametrize("state", ["submitted", "in_appraisal", "returned", "approved", "rejected"])
def test_voting_only_in_council_review(factory, state):
    member = factory.user("council")
    dossier = factory.dossier(state)

    response = vote(factory, member, dossier)

    assert (response.status_code, response.json["error"]["code"]) == (409, "voting_closed")
    assert counts(dossier.id)[0] == (3 if state == "approved" else 0)


@pytest.mark.parametrize(("role", "unit"), [
    ("submitter", "ba-dinh"), ("office", "van-phong"), ("appraiser", "van-phong"), ("admin", "thanh-hoi"),
])
def test_only_council_members_vote(factory, role, unit):
    dossier = factory.dossier("council_review", unit="ba-dinh")
    response = vote(factory, factory.user(role, unit), dossier)
    assert (response.status_code, response.json["error"]["code"]) == (403, "forbidden")
    assert counts(dossier.id) == (0, 0)


def test_another_units_submitter_does_not_even_see_the_dossier(factory):
    dossier = factory.dossier("council_review", unit="ba-dinh")
    response = vote(factory, factory.user("submitter", "hoan-kiem"), dossier)
    assert (response.status_code, response.json["error"]["code"]) == (404, "not_found")


def test_an_inactive_member_cannot_vote(factory):
    dossier = factory.dossier("council_review")
    member = factory.user("council")
    client = factory.api(member)
    member.active = False
    db.session.commit()
    refused = client.post(f"/api/v1/dossiers/{dossier.id}/votes", json={"vote": "agree"})
    assert (refused.status_code, refused.json["error"]["code"]) == (401, "unauthorized")
    assert counts(dossier.id) == (0, 0)


def test_a_conflicted_member_is_refused_and_not_counted(factory):
    factory.council(3)
    conflicted = factory.user("council", "ba-dinh")
    dossier = factory.dossier("council_review", unit="ba-dinh")

    response = vote(factory, conflicted, dossier)

    assert response.status_code == 422
    assert response.json["error"]["code"] == "guard_failed"
    assert [d["rule"] for d in response.json["error"]["details"]] == ["conflict_of_interest"]
    assert counts(dossier.id) == (0, 0)
    # Three council members and the chair.
    assert tally(factory, factory.user_once("chair"), dossier).json["members"] == 4
    # On another unit's dossier the same member votes like anyone else.
    other = factory.dossier("council_review", unit="hoan-kiem")
    assert vote(factory, conflicted, other).status_code == 201
    assert tally(factory, factory.user_once("chair"), other).json["members"] == 5


@pytest.mark.parametrize("relation", ["nominee", "collective", "renamed"])
def test_the_person_rule_keeps_a_member_out_however_the_name_is_typed(factory, relation):
    """A member who is the nominee, or whose unit is the nominated collective, neither votes nor counts in the
    denominator; names compare by their key (case, spacing, tone-mark placement), and a renamed member is judged
    by the new name."""
    factory.council(3)
    if relation == "collective":
        member = factory.user("council", "hoi-nu-tri-thuc")
        dossier = factory.dossier("council_review", award_type="chi_hoi_tieu_bieu", name="hội nữ  TRÍ THỨC hà nội")
    else:
        member = factory.user("council", full_name="Other Name" if relation == "renamed" else "Hoàng Thị Hoà")
        dossier = factory.dossier("council_review", name="hoàng  thị HÒA")
    if relation == "renamed":
        member.full_name = "Hoàng Thị Hoà"
        db.session.commit()

    response = vote(factory, member, dossier)

    assert [d["rule"] for d in response.json["error"]["details"]] == ["conflict_of_interest"]
    assert counts(dossier.id) == (0, 0)
    # Three council members and the chair: the conflicted member is not among them.
    assert tally(factory, factory.user_once("chair"), dossier).json["members"] == 4


def test_a_bad_vote_is_a_validation_error(factory):
    member = factory.user("council")
    dossier = factory.dossier("council_review")
    response = factory.api(member).post(f"/api/v1/dossiers/{dossier.id}/votes", json={"vote": "maybe"})
    assert (response.status_code, response.json["error"]["code"]) == (422, "validation_error")
    assert counts(dossier.id) == (0, 0)


# Secrecy ----------------------------------------------------------------------------------------

def test_the_database_holds_no_link_between_voter_and_ballot(app, factory):
    members = factory.council(3)
    dossier = factory.dossier("council_review")
    version = dossier.version
    for member, choice in zip(members, ("agree", "disagree", "agree"), strict=True):
        assert vote(factory, member, dossier, choice).status_code == 201

    schema = inspect(db.engine)
    ballot_columns = {c["name"] for c in schema.get_columns("ballots")}
    record_columns = {c["name"] for c in schema.get_columns("vote_records")}
    # The ballot knows the dossier and the choice, nothing about who or when.
    assert ballot_columns == {"id", "dossier_id", "agree"}
    assert [fk["referred_table"] for fk in schema.get_foreign_keys("ballots")] == ["dossiers"]
    # The record knows who voted (and on which day), not how.
    assert record_columns == {"id", "dossier_id", "user_id", "cast_on"}
    assert not {"agree", "vote", "ballot_id"} & record_columns
    # Ballot keys are random, so their order says nothing about the order of the votes.
    ballot_ids = list(db.session.scalars(select(Ballot.id).where(Ballot.dossier_id == dossier.id)))
    assert all(uuid.UUID(ballot_id).version == 4 for ballot_id in ballot_ids)
    # A vote writes neither a history row nor a notice that could tell.
    db.session.rollback()
    assert db.session.get(Dossier, dossier.id).version == version
    assert db.session.scalar(select(func.count()).select_from(HistoryEntry).where(
        HistoryEntry.dossier_id == dossier.id, HistoryEntry.event.not_in(
            ["add_document", "submit", "accept", "recommend"]))) == 0
    assert db.session.scalar(select(func.count()).select_from(Notice).where(Notice.kind.like("%vote%"))) == 0


def test_ballots_cannot_be_matched_to_voters_by_transaction(factory):
    """PostgreSQL stamps each row with the transaction that wrote it (xmin); a ballot written alone in
    its voter's transaction would carry the voter's stamp. All of a dossier's ballots share one."""
    members = factory.council(4)
    dossier = factory.dossier("council_review")
    for member, choice in zip(members, ("agree", "disagree", "agree", "disagree"), strict=True):
        assert vote(factory, member, dossier, choice).status_code == 201

    db.session.rollback()
    stamps = db.session.execute(text("SELECT xmin::text::bigint, agree FROM ballots WHERE dossier_id = :id"),
                                {"id": dossier.id}).all()
    records = db.session.scalars(text("SELECT xmin::text::bigint FROM vote_records WHERE dossier_id = :id"),
                                 {"id": dossier.id}).all()
    assert sorted(agree for _, agree in stamps) == [False, False, True, True]
    assert len({stamp for stamp, _ in stamps}) == 1
    # A record's own transaction (or the one around its savepoint) wrote either every ballot or none.
    for record in records:
        linked = [agree for stamp, agree in stamps if stamp in (record, record - 1, record + 1)]
        assert len(linked) in (0, len(stamps))


def test_the_tally_names_no_one(factory):
    members = factory.council(3)
    dossier = factory.dossier("council_review")
    vote(factory, members[0], dossier, "agree")
    vote(factory, members[1], dossier, "disagree")

    body = tally(factory, factory.user("office"), dossier).json

    assert body == {"members": 3, "cast": 2, "agree": 1, "disagree": 1, "abstain": 0, "quorum_met": True,
                    "threshold_met": False, "quorum_needed": 2, "agree_needed": 3}
    text = str(body)
    assert not any(member.username in text for member in members)


@pytest.mark.parametrize(("role", "unit", "status"), [
    ("council", "thanh-hoi", 200), ("chair", "thanh-hoi", 200), ("office", "van-phong", 200),
    ("appraiser", "van-phong", 403), ("admin", "thanh-hoi", 403), ("submitter", "ba-dinh", 403),
    ("submitter", "hoan-kiem", 404),
])
def test_tally_is_for_council_chair_and_office(factory, role, unit, status):
    dossier = factory.dossier("council_review", unit="ba-dinh")
    user = factory.user(role, unit)
    if role == "council":  # a member sees the tally once they have voted
        assert tally(factory, user, dossier).status_code == 403
        assert vote(factory, user, dossier).status_code == 201
    response = tally(factory, user, dossier)
    assert response.status_code == status
    if status != 200:
        assert response.json["error"]["code"] == {403: "forbidden", 404: "not_found"}[status]


# Quorum and threshold ---------------------------------------------------------------------------

# members → (votes for the quorum of 2/3, agreeing votes for the threshold of 0.7), rounded up.
ARITHMETIC = {3: (2, 3), 4: (3, 3), 5: (4, 4), 10: (7, 7)}


@pytest.mark.parametrize("members", sorted(ARITHMETIC))
def test_quorum_and_threshold_arithmetic(factory, members):
    quorum, threshold = ARITHMETIC[members]
    chair = factory.user_once("chair")
    council = [chair, *factory.council(members - 1)]  # the chair presides and votes
    dossier = factory.dossier("council_review")

    for cast, member in enumerate(council, start=1):
        assert vote(factory, member, dossier, "agree").status_code == 201
        result = tally(factory, chair, dossier).json
        assert (result["members"], result["cast"], result["agree"]) == (members, cast, cast)
        assert (result["quorum_needed"], result["agree_needed"]) == (quorum, threshold)
        assert result["quorum_met"] is (cast >= quorum)
        assert result["threshold_met"] is (cast >= threshold)
        if cast == threshold:
            break

    approved = factory.api(chair).post(f"/api/v1/dossiers/{dossier.id}/events",
                                       json={"event": "approve", "version": dossier.version})
    assert approved.status_code == 200, approved.json


@pytest.mark.parametrize("members", sorted(ARITHMETIC))
def test_one_agreeing_vote_short_of_the_threshold_is_refused(factory, members):
    quorum, threshold = ARITHMETIC[members]
    council = factory.council(members)
    dossier = factory.dossier("council_review")
    for index, member in enumerate(council):
        vote(factory, member, dossier, "agree" if index < threshold - 1 else "disagree")

    response = factory.api(factory.user_once("chair")).post(
        f"/api/v1/dossiers/{dossier.id}/events", json={"event": "approve", "version": dossier.version})

    assert response.status_code == 422
    assert [d["rule"] for d in response.json["error"]["details"]] == ["vote_threshold"]


@pytest.mark.parametrize(("share", "members", "needed"), [
    ("0.6667", 3, 2), ("0.6667", 4, 3), ("0.6667", 5, 4), ("0.6667", 6, 4), ("0.6667", 10, 7),
    ("0.7", 3, 3), ("0.7", 4, 3), ("0.7", 5, 4), ("0.7", 10, 7),
    ("0.5", 4, 2), ("0.9", 10, 9), ("1", 5, 5), ("0", 5, 0),
])
def test_votes_needed(share, members, needed):
    """A share of the membership, rounded up; a whole number of votes is enough when it is exact."""
    assert votes_needed(Decimal(share), members) == needed


def test_the_reference_fractions_are_two_thirds_and_seven_tenths(app):
    for award_type in db.session.scalars(select(AwardType)):
        assert (award_type.vote_quorum, award_type.vote_threshold) == (Decimal("0.6667"), Decimal("0.7"))


def test_votes_on_sqlite(sqlite_factory):
    dossier = sqlite_factory.dossier("approved")
    assert dossier.state == "approved"
    assert db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.dossier_id == dossier.id)) == 3
