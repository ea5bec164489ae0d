"""A council session (DOMAIN.md, "Council session"): 200 dossiers waiting for the vote, 9 members (the chair
and 8 council members). Ours: convening through the workflow operations, one ballot sheet per member (each its
own transaction), closing with the tallies and the minutes (DOCX and PDF, each stored once) attached to every dossier.
The baseline does the same writes in raw SQL through the same driver (the session and its agenda, the members'
notices, each vote's record and the dossier's ballots rewritten, the attendance and the fixed tallies, the documents
and a signed history row for each) and hands the same minutes to the same DOCX and PDF writers.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from pathlib import Path

import psycopg
from sqlalchemy import delete, select, update

from bench.harness import Scale, app_in_context, at_least, interleaved_medians, postgres_database, scratch_dir
from bench.workload import Cast, _user, prepare_cast, prepare_drafts
from workflow import council
from web.storage import document_store
from workflow.exports.minutes import minutes_docx, minutes_pdf
from workflow.i18n import today
from workflow.models import (
    Ballot, CouncilSession, CouncilSessionAttendance, CouncilSessionItem, Document, Dossier, HistoryEntry, Notice, User,
    VoteRecord, db, utcnow,
)
from workflow.procedure import REFERENCE_CODE, catalogue

ORDER = 8
MEMBERS = 9  # the chair and 8 council members
PLACE = "Hội trường 1A, 7 Tôn Thất Thuyết"
CITY = "Hà Nội"
HISTORY_KEY = uuid.uuid4().bytes
VOTING_STATE = next(iter(sorted(catalogue().current(REFERENCE_CODE).voting_states)))


def agenda_size(scale: Scale) -> int:
    return scale.pick(200, 5)


def seat_council(cast: Cast) -> list[User]:
    """The chair and the council members, MEMBERS in all: the cast's and as many more as it lacks."""
    for n in range(len(cast.council) + 1, MEMBERS):
        _user(f"bench-council-{n}", "council", "thanh-hoi")
    db.session.commit()
    members = council_members()
    assert len(members) == MEMBERS
    return members


def council_members() -> list[User]:
    """The chair and the council members, by id: who fills a ballot sheet in `run_session`."""
    return list(db.session.scalars(select(User).where(User.role.in_(["council", "chair"])).order_by(User.id)))


def choice(member_index: int, dossier_index: int) -> str:
    """Mostly agreeing, with some disagreement and abstention, the same for ours and the baseline."""
    return ("agree", "agree", "agree", "disagree", "abstain")[(member_index + dossier_index) % 5]


def agenda(cast, count: int) -> list[int]:
    """`count` dossiers waiting for the council's vote."""
    ids = prepare_drafts(cast, count)
    db.session.execute(update(Dossier).where(Dossier.id.in_(ids))
                       .values(state=VOTING_STATE, ever_submitted=True, version=4))
    db.session.commit()
    return ids


def remove_agenda(ids: list[int]) -> None:
    """Everything `agenda` and `run_session` wrote about the dossiers `ids` deleted: the sessions that had them on
    their agenda (attendance, items, the members' notices), the votes, the documents, the history and the dossiers. A
    database measured again and again keeps its size."""
    sessions = list(db.session.scalars(select(CouncilSessionItem.session_id)
                                       .where(CouncilSessionItem.dossier_id.in_(ids)).distinct()))
    for session in sessions:
        db.session.execute(delete(Notice).where(Notice.idempotency_key.startswith(f"council_session:{session}:")))
    db.session.execute(delete(CouncilSessionAttendance).where(CouncilSessionAttendance.session_id.in_(sessions)))
    db.session.execute(delete(CouncilSessionItem).where(CouncilSessionItem.session_id.in_(sessions)))
    db.session.execute(delete(CouncilSession).where(CouncilSession.id.in_(sessions)))
    for table in (VoteRecord, Ballot, Document, HistoryEntry):
        db.session.execute(delete(table).where(table.dossier_id.in_(ids)))
    db.session.execute(delete(Dossier).where(Dossier.id.in_(ids)))
    db.session.commit()


def run_session(office: User, members: list[User], ids: list[int]) -> None:
    session = council.convene_council_session(office, today(), PLACE, ids)
    db.session.commit()
    session_id = session.id
    for m, member in enumerate(members):
        session = council.get_council_session(office, session_id)
        council.submit_ballot_sheet(member, session, {str(d): choice(m, i) for i, d in enumerate(ids)})
        db.session.commit()
    session = council.get_council_session(office, session_id)
    council.close_council_session(office, session, [member.id for member in members[:-1]], document_store(),
                                  council.MinutesWriting(str, "en", CITY))
    db.session.commit()


def store_minutes(folder: Path, name: str, data: bytes) -> tuple:
    """The file written under a generated name, as the document store does: the documents' row values."""
    storage_name = uuid.uuid4().hex
    path = folder / storage_name[:2] / storage_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return name, storage_name, len(data), hashlib.sha256(data).hexdigest()


def raw_session(conn, office: tuple[int, str], members: list[tuple[int, str]], ids: list[int], names: dict,
                folder: Path) -> None:
    now, day = utcnow(), today()
    with conn.transaction():
        session_id = conn.execute(
            "INSERT INTO council_sessions (held_on, place, status, convened_by_id, convened_at) "
            "VALUES (%s, %s, 'convened', %s, %s) RETURNING id", (day, PLACE, office[0], now)).fetchone()[0]
        with conn.cursor() as cursor:
            cursor.executemany("INSERT INTO council_session_items (session_id, dossier_id) VALUES (%s, %s)",
                               [(session_id, d) for d in ids])
            params = json.dumps({"session": session_id, "held_on": day.isoformat(), "place": PLACE,
                                 "count": len(ids)}, ensure_ascii=False)
            cursor.executemany(
                "INSERT INTO notices (idempotency_key, recipient_id, kind, params, status, attempts, created_at) "
                "VALUES (%s, %s, 'council_session', %s, 'pending', 0, %s)",
                [(f"council_session:{session_id}:{member}", member, params, now) for member, _ in members])
    agree = {"agree": True, "disagree": False, "abstain": None}
    for m, (member, _) in enumerate(members):
        with conn.transaction(), conn.cursor() as cursor:
            for i, dossier_id in enumerate(ids):
                cursor.execute("INSERT INTO vote_records (dossier_id, user_id, cast_on) VALUES (%s, %s, %s)",
                               (dossier_id, member, day))
                ballots = [row[0] for row in cursor.execute("DELETE FROM ballots WHERE dossier_id = %s "
                                                            "RETURNING agree", (dossier_id,))]
                cursor.executemany("INSERT INTO ballots (id, dossier_id, agree) VALUES (%s, %s, %s)",
                                   [(str(uuid.uuid4()), dossier_id, choice_)
                                    for choice_ in [*ballots, agree[choice(m, i)]]])
    rows = []
    with conn.transaction(), conn.cursor() as cursor:
        cursor.executemany("INSERT INTO council_session_attendance (session_id, user_id, present) "
                           "VALUES (%s, %s, %s)", [(session_id, member, n < len(members) - 1)
                                                   for n, (member, _) in enumerate(members)])
        for dossier_id in ids:
            cast, yes, no, abstain = cursor.execute(
                "SELECT count(*), count(*) FILTER (WHERE agree), count(*) FILTER (WHERE NOT agree), "
                "count(*) FILTER (WHERE agree IS NULL) FROM ballots WHERE dossier_id = %s", (dossier_id,)).fetchone()
            passed = cast * 3 >= len(members) * 2 and yes * 10 >= len(members) * 7
            cursor.execute("UPDATE council_session_items SET eligible = %s, \"cast\" = %s, agree = %s, "
                           "disagree = %s, abstain = %s, passed = %s, dossier_version = 6 "
                           "WHERE session_id = %s AND dossier_id = %s",
                           (len(members), cast, yes, no, abstain, passed, session_id, dossier_id))
            rows.append(council.MinutesRow(names[dossier_id], "Bằng khen", "Hội LHPN quận Ba Đình", len(members),
                                           cast, yes, no, abstain, passed))
        cursor.execute("UPDATE council_sessions SET status = 'closed', closed_at = %s WHERE id = %s",
                       (utcnow(), session_id))
        # The minutes, each file stored once, a document and a signed history row for each on every dossier.
        secretary, = cursor.execute("SELECT coalesce(full_name, username) FROM users WHERE id = %s",
                                    (office[0],)).fetchone()
        chair = cursor.execute("SELECT coalesce(full_name, username) FROM users WHERE role = 'chair' AND active "
                               "ORDER BY id LIMIT 1").fetchone()
        minutes = council.Minutes(session_id, day, PLACE, [name for _, name in members[:-1]], [members[-1][1]], rows,
                                  secretary, chair[0] if chair else "")
        files = [store_minutes(folder, f"bien-ban-hop-hoi-dong-{session_id}.{extension}",
                               make(minutes, str, CITY, "en"))
                 for extension, make in (("pdf", minutes_pdf), ("docx", minutes_docx))]
        cursor.executemany(
            "INSERT INTO documents (dossier_id, kind, filename, storage_name, content_type, size, sha256, uploaded_at) "
            "VALUES (%s, 'bien_ban_hoi_dong', %s, %s, 'application/octet-stream', %s, %s, %s)",
            [(dossier_id, *stored, now) for dossier_id in ids for stored in files])
        for seq, (filename, _, _, sha256) in enumerate(files, start=4):
            details = json.dumps({"kind": "bien_ban_hoi_dong", "filename": filename, "sha256": sha256,
                                  "session": session_id})
            signed = [(dossier_id, hmac.new(HISTORY_KEY, f"{dossier_id}:{seq}:{details}".encode(),
                                            hashlib.sha256).hexdigest()) for dossier_id in ids]
            cursor.executemany("UPDATE dossiers SET version = %s, history_head = %s, updated_at = %s "
                               "WHERE id = %s AND version = %s",
                               [(seq + 1, digest, now, dossier_id, seq) for dossier_id, digest in signed])
            cursor.executemany(
                "INSERT INTO history (dossier_id, seq, event, from_state, to_state, actor_id, actor_username, "
                "details, at, prev_hash, hash) VALUES (%s, %s, 'add_document', %s, %s, %s, %s, %s, %s, '', %s)",
                [(dossier_id, seq, VOTING_STATE, VOTING_STATE, office[0], office[1], details, now, digest)
                 for dossier_id, digest in signed])


def run(scale: Scale):
    count = agenda_size(scale)
    with postgres_database() as url, scratch_dir() as folder:
        with app_in_context(folder, url), psycopg.connect(url) as conn:
            cast = prepare_cast()
            members = seat_council(cast)
            office = db.session.get(User, cast.office)
            raw_members = [(member.id, member.display_name) for member in members]
            batches = {"ours": [], "raw": [], "names": {}}

            def setup():
                batches["ours"], batches["raw"] = agenda(cast, count), agenda(cast, count)
                batches["names"] = dict(db.session.execute(select(Dossier.id, Dossier.nominee_name)
                                                           .where(Dossier.id.in_(batches["raw"]))).all())
                db.session.commit()

            def ours():
                run_session(office, members, batches["ours"])

            def raw():
                raw_session(conn, (office.id, office.username), raw_members, batches["raw"], batches["names"],
                            folder / "raw-minutes")

            setup()
            ours()  # warm up caches and the connection pool
            raw()
            seconds = interleaved_medians({"ours": ours, "raw": raw}, scale.repeat, setup)
    yield at_least("council_session", seconds["raw"] / seconds["ours"], 0.5,
                   f"ours {seconds['ours']:.2f} s, raw SQL {seconds['raw']:.2f} s for a session of {count} dossiers "
                   f"and {MEMBERS} members (convening, {MEMBERS} ballot sheets, closing with the minutes attached), "
                   f"median of {scale.repeat}")
