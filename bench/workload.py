"""The transition workload the benchmarks share: people, drafts ready to submit, and full lifecycles.

A lifecycle takes a draft of a city-level award type along the reference procedure's shortest way to an
honoured state, with three council votes before the step that counts them: in the reference procedure
submit, accept, recommend, the votes, approve and confer, five transitions, each its own transaction, as
five requests would be. The steps, their inputs and who takes them come from the loaded procedure. The raw-SQL
baseline does the same writes per step through the same driver: the version-checked UPDATE of the
dossier, the hash-chained history row and the notice rows, and for a vote the voter's record and
the rewritten ballots; the submission reads the eligibility rules in force, the conferral writes the award line.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from argon2 import PasswordHasher
from sqlalchemy import select, text

from workflow import operations as ops
from bench.harness import HISTORY_KEY
from workflow.history import dossier_digest, keyring, row_hash
from workflow.i18n import today
from workflow.models import (
    HISTORY_GENESIS, AwardType, Campaign, Document, Dossier, Nominee, Unit, User, db, utcnow,
)
from workflow.procedure import REFERENCE_CODE, VOTE_RULES, Procedure, Step, catalogue

REGISTRY_MIGRATION = Path(__file__).resolve().parent.parent / "migrations" / "versions" / "0023_registry.py"

CAMPAIGN = "bench"
AWARD_TYPE = "bk_thanh_hoi"  # decided at city level: no forwarding on its way
COUNCIL_SIZE = 3
REFERENCE = catalogue().current(REFERENCE_CODE)
# The rules that need an award type decided by a higher authority (True) or at city level (False).
FORWARDED_RULES = {"forwarded_type": True, "city_level_type": False}


def shortest_paths(procedure: Procedure, forwarded: bool) -> dict[str, list[Step]]:
    """The shortest run of steps from the initial state to each state a dossier of an award type decided by a
    higher authority (`forwarded`) or at city level can reach."""
    return procedure.paths(lambda step: all(FORWARDED_RULES[code] == forwarded
                                            for code in step.rules if code in FORWARDED_RULES))


HONOURED = next(state for state in REFERENCE.states if state in REFERENCE.honoured_states)
LIFECYCLE_STEPS = tuple(shortest_paths(REFERENCE, forwarded=False)[HONOURED])
TRANSITIONS_PER_LIFECYCLE = len(LIFECYCLE_STEPS)
SUBMISSION = LIFECYCLE_STEPS[0]  # the step that submits the draft
STEP_OF = {step.event: step for step in LIFECYCLE_STEPS}
VOTE = "vote"  # in a lifecycle, the council's votes (not a step of the procedure)
# What each input a step requires is given; a date is today's (None here).
INPUT_VALUES = {"comment": "Đủ điều kiện, đề nghị Hội đồng xét.", "decision_number": "123/QĐ-HPN",
                "decision_date": None, "due_date": None}
LIFECYCLE: tuple[tuple[str, dict], ...] = tuple(
    entry for step in LIFECYCLE_STEPS
    for entry in ([(VOTE, {})] if VOTE_RULES & set(step.rules) else [])
    + [(step.event, {item.name: INPUT_VALUES[item.name] for item in step.inputs if item.required})])


def with_dates(fields: dict, as_text: bool = False) -> dict:
    """A step's fields with today for each date (ISO text for the API)."""
    day = today()
    return {name: (day.isoformat() if as_text else day) if value is None else value for name, value in fields.items()}
# The password hash of the benchmark's users: argon2id at its lowest cost, as only setup signs in.
_cheap_hash = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("bench password")
PASSWORD = "bench password"


@dataclass(frozen=True)
class Cast:
    """The ids of the people who act on the benchmark's dossiers, one per role."""

    submitter: int
    office: int
    appraiser: int
    chair: int
    council: tuple[int, ...]

    def actor_for(self, event: str) -> int:
        """Who takes the lifecycle's step `event`: the cast's holder of its role."""
        return getattr(self, STEP_OF[event].role)


def _user(username: str, role: str, unit_code: str) -> User:
    unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
    user = User(username=username, password_hash=_cheap_hash, role=role, unit=unit,
                email=f"{username}@example.org", full_name=username)
    db.session.add(user)
    return user


def prepare_cast() -> Cast:
    """The campaign and the people; call once per database, inside an app context."""
    db.session.add(Campaign(code=CAMPAIGN, name="Đợt đo hiệu năng", year=today().year,
                            submission_deadline=today() + dt.timedelta(days=60),
                            ceremony_date=today() + dt.timedelta(days=70)))
    people = {
        "submitter": _user("bench-submitter", "submitter", "ba-dinh"),
        "office": _user("bench-office", "office", "van-phong"),
        "appraiser": _user("bench-appraiser", "appraiser", "van-phong"),
        "chair": _user("bench-chair", "chair", "thanh-hoi"),
    }
    council = [_user(f"bench-council-{n}", "council", "thanh-hoi") for n in range(1, COUNCIL_SIZE + 1)]
    db.session.commit()
    return Cast(**{role: user.id for role, user in people.items()}, council=tuple(u.id for u in council))


def prepare_drafts(cast: Cast, count: int) -> list[int]:
    """`count` drafts with their required documents, ready to submit; returns their ids."""
    campaign = db.session.scalar(select(Campaign).where(Campaign.code == CAMPAIGN))
    award_type = db.session.scalar(select(AwardType).where(AwardType.code == AWARD_TYPE))
    submitter = db.session.get(User, cast.submitter)
    dossiers = []
    for _ in range(count):
        name = f"Nguyễn Thị {uuid.uuid4().hex[:12]}"
        dossier = Dossier(campaign=campaign, award_type=award_type, unit_id=submitter.unit_id,
                          nominee_kind="individual", achievements="Thành tích xuất sắc.",
                          created_by_id=submitter.id,
                          nominee=Nominee(kind="individual", name=name, unit_id=submitter.unit_id))
        dossier.set_nominee_name(name)
        for kind in award_type.required_documents:
            dossier.documents.append(Document(kind=kind, filename=f"{kind}.pdf", storage_name=uuid.uuid4().hex,
                                              content_type="application/pdf", size=1000, sha256="0" * 64,
                                              uploaded_by_id=submitter.id))
        dossiers.append(dossier)
    db.session.add_all(dossiers)
    db.session.commit()
    ids = [dossier.id for dossier in dossiers]
    for dossier in dossiers:
        db.session.expunge(dossier)  # a lifecycle reads its dossier and documents as a request would
    return ids


def load_people(cast: Cast) -> dict[int, User]:
    """The acting users, loaded once, as a signed-in user is for the whole of a bulk action."""
    return {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_([cast.submitter, cast.office, cast.appraiser, cast.chair, *cast.council])))}


def run_lifecycle(cast: Cast, people: dict[int, User], dossier_id: int, fire_event=ops.fire_event) -> None:
    """One draft to conferral through the workflow operations, one commit per step.

    The dossier is read once and then kept by the session, as in a bulk action; what each request
    reads on top (its user, the dossier) is measured by the HTTP benchmark. `fire_event` is where a
    transition goes: ours, or the peer benchmark's counterpart on another engine.
    """
    dossier = ops.get_dossier(people[cast.submitter], dossier_id)
    for event, fields in LIFECYCLE:
        if event == VOTE:
            for member_id in cast.council:
                ops.cast_vote(people[member_id], dossier, True)
                db.session.commit()
            continue
        fire_event(people[cast.actor_for(event)], dossier, event, dossier.version,
                   ops.EventInput(**with_dates(fields)))
        db.session.commit()


# The raw-SQL baseline ---------------------------------------------------------------------------

RAW_KEYS = keyring(HISTORY_KEY)
# The dossier's row as the baseline's history rows vouch for it: the drafts' values, by shape.
RAW_DOSSIER = {"campaign_id": 1, "award_type_id": 2, "unit_id": 3, "nominee_kind": "individual",
               "nominee_name": "Nguyễn Thị 0123456789ab", "nominee_position": None, "nominee_workplace": None,
               "nominee_birth_year": None, "nominee_gender": None, "achievements": "Thành tích xuất sắc.",
               "ever_submitted": True, "due_date": None, "decision_number": None, "decision_date": None}


# The eligibility rules in force for a submission and the past award each finds (workflow.eligibility), and the
# award line a conferring step writes (workflow.award_history).
RAW_ELIGIBILITY = (
    "SELECT r.id, (SELECT p.id FROM award_records p WHERE p.nominee_id = d.nominee_id "
    "AND p.award_type_id = r.award_type_id AND p.revocation_number IS NULL "
    "AND p.year <= c.year AND p.year > c.year - r.years "
    "AND (p.dossier_id IS NULL OR p.dossier_id != d.id) ORDER BY p.year DESC, p.id DESC LIMIT 1) "
    "FROM dossiers d JOIN campaigns c ON c.id = d.campaign_id JOIN eligibility_rules r "
    "ON r.award_type_id = d.award_type_id AND r.active AND r.rule_set_id = (SELECT s.id FROM rule_sets s "
    "WHERE s.in_force_from <= c.submission_deadline AND (s.in_force_until IS NULL "
    "OR s.in_force_until >= c.submission_deadline) ORDER BY s.in_force_from DESC, s.id DESC LIMIT 1) "
    "WHERE d.id = %s")
RAW_AWARD_LINE = (
    "INSERT INTO award_records (nominee_id, award_type_id, form, title, title_key, year, decision_number, "
    "decision_date, issuer, dossier_id, source, recorded_by_id, created_at) "
    "SELECT d.nominee_id, d.award_type_id, 'Bằng khen', 'Bằng khen của Ban Chấp hành Hội LHPN thành phố Hà Nội', "
    "'bằng khen của ban chấp hành hội lhpn thành phố hà nội', c.year, %s, %s, 'Ban Thường vụ', d.id, 'decision', "
    "%s, %s FROM dossiers d JOIN campaigns c ON c.id = d.campaign_id WHERE d.id = %s "
    "ON CONFLICT (dossier_id) DO UPDATE SET decision_number = excluded.decision_number, "
    "decision_date = excluded.decision_date")


def raw_lifecycle(conn, cast: Cast, dossier_id: int) -> None:
    """The same writes as `run_lifecycle`, by hand, on a psycopg connection."""
    version, previous = 1, HISTORY_GENESIS
    for event, _ in LIFECYCLE:
        if event == VOTE:
            for member_id in cast.council:  # one transaction per vote, as each member votes on their own
                with conn.transaction():
                    raw_vote(conn, dossier_id, member_id)
            continue
        with conn.transaction():
            previous = raw_transition(conn, cast, dossier_id, event, version, previous)
        version += 1


def raw_vote(conn, dossier_id: int, member_id: int) -> None:
    """A council member's vote: their record, and the dossier's ballots rewritten with one more."""
    conn.execute("INSERT INTO vote_records (dossier_id, user_id, cast_on) VALUES (%s, %s, %s)",
                 (dossier_id, member_id, today()))
    ballots = [row[0] for row in conn.execute(
        "SELECT agree FROM ballots WHERE dossier_id = %s", (dossier_id,))] + [True]
    conn.execute("DELETE FROM ballots WHERE dossier_id = %s", (dossier_id,))
    with conn.cursor() as cursor:
        cursor.executemany("INSERT INTO ballots (id, dossier_id, agree) VALUES (%s, %s, %s)",
                           [(str(uuid.uuid4()), dossier_id, agree) for agree in ballots])


def raw_transition(conn, cast: Cast, dossier_id: int, event: str, version: int, previous: str) -> str:
    """One transition's writes at `version`, chained to the history row hashed `previous`; returns its hash."""
    step = STEP_OF[event]
    source, dest = step.source, step.dest
    usernames = {cast.submitter: "bench-submitter", cast.office: "bench-office",
                 cast.appraiser: "bench-appraiser", cast.chair: "bench-chair"}
    audience = {"office": [cast.office], "appraisers": [cast.appraiser], "council": [*cast.council, cast.chair],
                "submitters": [cast.submitter], None: []}
    now = utcnow()
    actor = cast.actor_for(event)
    # The same signing as ours: the digest of the dossier's row after the step, then the keyed hash.
    after = {**RAW_DOSSIER, "state": dest, "version": version + 1}
    if step.effect("record_decision") is not None:
        after.update(decision_number="123/QĐ-HPN", decision_date=now.date())
    signed = SimpleNamespace(dossier_id=dossier_id, seq=version, event=event, from_state=source, to_state=dest,
                             actor_id=actor, actor_username=usernames[actor], comment=None, details={}, at=now,
                             prev_hash=previous, dossier_digest=dossier_digest(after), key_id=RAW_KEYS.current_id)
    digest = row_hash(signed, RAW_KEYS.current)
    if "eligibility" in step.rules:
        conn.execute(RAW_ELIGIBILITY, (dossier_id,)).fetchall()
    updated = conn.execute(
        "UPDATE dossiers SET state = %s, version = %s, history_head = %s, updated_at = %s, ever_submitted = true "
        "WHERE id = %s AND version = %s", (dest, version + 1, digest, now, dossier_id, version))
    if updated.rowcount != 1:
        raise RuntimeError("stale version")
    if step.effect("record_decision") is not None:
        conn.execute(RAW_AWARD_LINE, ("123/QĐ-HPN", now.date(), actor, now, dossier_id))
    conn.execute(
        "INSERT INTO history (dossier_id, seq, event, from_state, to_state, actor_id, actor_username, "
        "comment, details, at, prev_hash, dossier_digest, key_id, hash) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (dossier_id, version, event, source, dest, actor, usernames[actor], None, "{}", now, previous,
         signed.dossier_digest, signed.key_id, digest))
    # The same parameters as the workflow's notices carry (names as long as the reference data's).
    params = json.dumps({"event": event, "state": dest, "nominee": "Nguyễn Thị 0123456789ab",
                         "award_type": "Bằng khen của Ban Chấp hành Hội LHPN thành phố Hà Nội",
                         "campaign": "Đợt đo hiệu năng", "unit": "Hội LHPN quận Ba Đình", "comment": None,
                         "due_date": None, "decision_number": None, "decision_date": None}, ensure_ascii=False)
    with conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO notices (idempotency_key, recipient_id, dossier_id, kind, params, status, attempts, "
            "created_at) VALUES (%s, %s, %s, %s, %s, 'pending', 0, %s)",
            [(f"{event}:{dossier_id}:{version}:{recipient}", recipient, dossier_id, event, params, now)
             for recipient in audience[step.notify]])
    return digest


def link_nominees() -> float:
    """Give the loaded dossiers their registry entries by the registry migration's own statements; returns the
    seconds it took."""
    spec = importlib.util.spec_from_file_location("registry_migration", REGISTRY_MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    started = time.perf_counter()
    with db.engine.begin() as connection:
        migration.link_dossiers(connection)
        connection.execute(text("ALTER TABLE dossiers ALTER COLUMN nominee_id SET NOT NULL"))
    return time.perf_counter() - started
