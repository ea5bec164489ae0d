"""4. Scale: the dossier list (API and page), the dashboard and a council session with 1,000 versus 100,000 dossiers.

Goal: the large case at most 1.5 times the small one, in time and in the web worker's peak memory.
Two databases are filled alike (50 and 500 dossiers at the tiny size): eleven yearly campaigns (ten
closed, their dossiers mostly conferred; the current one open, its dossiers spread over the
workflow's states), the units and award types of the reference data, the council (the chair and 8
members), each dossier with its required documents, its history and the office's notice of its
submission; each dossier that went through the council's vote with its members' vote records and
ballots and its fixed tally on a closed session of its campaign; each dossier waiting for the vote
with some of its votes. Timed in-process, in turns against both databases (the median of each): the
API's first page and a filtered page, the office's list page, a person's name and a broad name search
sorted by name, a submitter's list page and the office's dashboard; then `bench.council`'s session
(200 dossiers of the current campaign waiting for the vote, 9 ballot sheets, closing, minutes). Then
each database is served by one gunicorn worker making the same requests, whose peak resident memory
(VmHWM) is read.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import requests
from flask.testing import FlaskClient

from bench.council import (
    MEMBERS, PLACE, agenda, agenda_size, council_members, remove_agenda, run_session, seat_council,
)
from bench.decision import decision_size, remove_decided, run_decision, waiting
from bench.harness import (
    Scale, app_settings, at_most, interleaved_medians, make_app, peak_rss_mib, postgres_database, scratch_dir,
)
from bench.workload import (
    CAMPAIGN, HONOURED, PASSWORD, REFERENCE, SUBMISSION, Cast, link_nominees, prepare_cast, shortest_paths,
)
from workflow.documents import DocumentStore
from workflow.models import User, db
from workflow.text import name_key, search_key

ORDER = 4
GOAL = 1.5
PROJECT_DIR = Path(__file__).resolve().parent.parent
CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

# What is timed: (figure, who asks, what). The office sees every submitted dossier; a submitter
# only those of her unit (Ba Đình, one of 32 nominating units). The first search looks for one
# person (0.3 % of the dossiers match); the broad one for a surname and middle name (5 %).
TARGETS = (
    ("scale_api_list", "bench-office", "/api/v1/dossiers"),
    ("scale_api_list_filtered", "bench-office", f"/api/v1/dossiers?state={HONOURED}&award_type=bk_thanh_hoi&page=2"),
    ("scale_list_page", "bench-office", "/dossiers"),
    ("scale_list_page_search", "bench-office", "/dossiers?q=nguyen+thi+lan&sort=name"),
    ("scale_list_page_search_broad", "bench-office", "/dossiers?q=nguyen+thi&sort=name"),
    ("scale_list_page_submitter", "bench-submitter", "/dossiers"),
    ("scale_dashboard", "bench-office", "/dashboard"),
)

# The people and collectives nominated. Surnames are weighted as in Vietnam (Nguyễn first by far).
SURNAMES = ["Nguyễn"] * 8 + ["Trần"] * 3 + ["Lê"] * 2 + ["Phạm"] * 2 + [
    "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLE_NAMES = ["Thị"] * 4 + ["Thu", "Thanh", "Ngọc", "Minh", "Thùy", "Kim", "Hồng"]
GIVEN_NAMES = ("Lan", "Hương", "Mai", "Hoa", "Hằng", "Nga", "Phương", "Thảo", "Trang", "Linh", "Hà", "Yến",
               "Loan", "Oanh", "Dung", "Huyền", "Vân", "Nhung", "Tuyết", "Xuân")
COLLECTIVES = ("Chi hội Phụ nữ tổ dân phố số {n}", "Chi hội Phụ nữ thôn {n}", "Hội LHPN phường số {n}",
               "Tuyến phố kiểu mẫu số {n}", "Tổ vay vốn tiết kiệm số {n}")
POSITIONS = ("Chi hội trưởng", "Chi hội phó", "Chủ tịch Hội LHPN phường", "Phó Chủ tịch Hội LHPN xã", "Hội viên")
ACHIEVEMENTS = ("Hoàn thành xuất sắc nhiệm vụ năm; vận động hội viên tham gia các phong trào thi đua, "
                "xây dựng gia đình 5 không 3 sạch, hỗ trợ phụ nữ phát triển kinh tế, giúp đỡ hội viên "
                "khó khăn; tổ chức sinh hoạt chi hội đều đặn, thu hút hội viên trẻ; phối hợp với các "
                "đoàn thể bảo vệ môi trường, xây dựng tuyến phố văn minh.")


def _current_weight(state: str) -> int:
    if state in REFERENCE.honoured_states:
        return 10
    return 3 if state in REFERENCE.dead_states else 12


# The states of the current campaign's dossiers (of the reference procedure: each live state alike, few ended
# without an award) and of the closed campaigns' (mostly honoured, some ended without, a few drafts left), with
# their weights.
CURRENT_STATES = {state: _current_weight(state) for state in REFERENCE.states}
CLOSED_STATES = {state: 74 if state in REFERENCE.honoured_states else 20 / len(REFERENCE.dead_states)
                 if state in REFERENCE.dead_states else 6 for state in REFERENCE.states
                 if state in REFERENCE.final_states or state == REFERENCE.initial}
AWARD_TYPE_WEIGHTS = {"bk_tw_hoi": 10, "bk_thanh_hoi": 40, "chi_hoi_tieu_bieu": 12, "can_bo_co_so_gioi": 18,
                      "uy_thac_nhcsxh": 10, "tuyen_pho_kieu_mau": 10}
PAST_YEARS = range(2015, 2025)

# The history a dossier in each state has behind it, for an award type decided by a higher authority (True) or
# at city level: the reference procedure's shortest way there.
PATHS = {forwarded: shortest_paths(REFERENCE, forwarded) for forwarded in (False, True)}


def history_path(state: str, forwarded: bool) -> list[tuple[str, str, str, str]]:
    """(event, from, to, who acted) of each step on the way to `state`."""
    return [(step.event, step.source, step.dest, step.role) for step in PATHS[forwarded][state]]


def submitted_on_the_way(state: str, forwarded: bool) -> bool:
    return any(step.effect("mark_submitted") is not None for step in PATHS[forwarded][state])


@dataclass(frozen=True)
class World:
    """The ids the generated dossiers refer to."""

    campaigns: list[tuple[int, int]]  # (id, year); the current campaign first
    award_types: dict[str, tuple[int, str, bool]]  # code -> (id, subject, forwarded)
    units: list[tuple[int, str]]  # nominating units: (id, name)
    submitters: dict[int, int]  # unit id -> its submitter's user id
    staff: dict[str, int]  # office, appraiser, chair -> user id
    council: list[int]  # the chair and the council members, in the order of their ids


def prepare_world(conn, cast, council: list[int]) -> World:
    """The closed campaigns of past years and one submitter per nominating unit (Ba Đình has the cast's)."""
    with conn.cursor() as cursor:
        cursor.execute("UPDATE campaigns SET status = 'closed' WHERE code <> %s", (CAMPAIGN,))
        for year in PAST_YEARS:
            cursor.execute(
                "INSERT INTO campaigns (code, name, year, submission_deadline, ceremony_date, status, created_at) "
                "VALUES (%s, %s, %s, %s, %s, 'closed', %s) ON CONFLICT (code) DO NOTHING",
                (f"tk-{year}", f"Tổng kết công tác Hội năm {year}", year, dt.date(year, 12, 20),
                 dt.date(year + 1, 1, 3), dt.datetime(year, 9, 1)))
        cursor.execute(
            "INSERT INTO users (username, password_hash, role, unit_id, email, full_name, name_key, active, "
            "created_at, notice_delivery) SELECT 'submitter-' || u.code, s.password_hash, 'submitter', u.id, "
            "u.code || '@example.org', u.name, u.name_key, true, now(), 'immediate' FROM units u "
            "JOIN users s ON s.username = 'bench-submitter' "
            "WHERE u.kind IN ('district', 'member_org') AND u.code <> 'ba-dinh'")
        campaigns = cursor.execute("SELECT id, year FROM campaigns ORDER BY code <> %s, year DESC",
                                   (CAMPAIGN,)).fetchall()
        award_types = {code: (id_, subject, forwarded) for id_, code, subject, forwarded in cursor.execute(
            "SELECT id, code, subject, forwarded FROM award_types")}
        units = cursor.execute("SELECT id, name FROM units WHERE kind IN ('district', 'member_org') "
                               "ORDER BY sort_order").fetchall()
        submitters = dict(cursor.execute("SELECT unit_id, id FROM users WHERE role = 'submitter'").fetchall())
    conn.commit()
    return World(campaigns=campaigns, award_types=award_types, units=units, submitters=submitters,
                 staff={"office": cast.office, "appraiser": cast.appraiser, "chair": cast.chair}, council=council)


def _name(rng: random.Random, collective: bool) -> str:
    if collective:
        return rng.choice(COLLECTIVES).format(n=rng.randint(1, 120))
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"


def dossier_rows(world: World, count: int) -> list[tuple]:
    """`count` dossiers in the order they were created, as a real table holds them (a fixed seed)."""
    rows = []
    rng = random.Random(6)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    today = now.date()
    type_codes, type_weights = list(AWARD_TYPE_WEIGHTS), list(AWARD_TYPE_WEIGHTS.values())
    for ordinal in range(count):
        campaign_id, year = world.campaigns[ordinal % len(world.campaigns)]
        current = ordinal % len(world.campaigns) == 0
        type_id, subject, forwarded = world.award_types[rng.choices(type_codes, type_weights)[0]]
        unit_id, unit_name = rng.choice(world.units)
        kind = subject if subject != "any" else rng.choice(("individual", "collective"))
        # only the states the award type can reach (a city-level one is never forwarded)
        states = {state: weight for state, weight in (CURRENT_STATES if current else CLOSED_STATES).items()
                  if state in PATHS[forwarded]}
        state = rng.choices(list(states), list(states.values()))[0]
        name = _name(rng, kind == "collective")
        if current:
            created = now - dt.timedelta(days=rng.uniform(5, 60))
            updated = created + (now - created) * rng.random()
        else:
            created = dt.datetime(year, 9, 15) + dt.timedelta(days=rng.uniform(0, 90))
            updated = created + dt.timedelta(days=rng.uniform(1, 100))
        due = today + dt.timedelta(days=rng.randint(-10, 7)) if state in REFERENCE.due_states else None
        conferred = state in REFERENCE.honoured_states
        individual = kind == "individual"
        rows.append((campaign_id, type_id, unit_id, kind, name, name_key(name), search_key(name),
               rng.choice(POSITIONS) if individual else None, unit_name if individual else None,
               rng.randint(1960, 2000) if individual else None, "female" if individual else None,
               ACHIEVEMENTS, state, 1 + len(history_path(state, forwarded)), submitted_on_the_way(state, forwarded),
               due,
               f"{rng.randint(1, 999)}/QĐ-HPN" if conferred else None, updated.date() if conferred else None,
               world.submitters[unit_id], created, updated))
    return sorted(rows, key=lambda row: row[-2])


DOSSIER_COLUMNS = ("campaign_id, award_type_id, unit_id, nominee_kind, nominee_name, nominee_name_key, "
                   "nominee_search, nominee_position, nominee_workplace, nominee_birth_year, nominee_gender, "
                   "achievements, state, version, ever_submitted, due_date, decision_number, decision_date, "
                   "created_by_id, created_at, updated_at")


def load_dossiers(conn, world: World, count: int) -> None:
    """The dossiers by COPY, then their documents, history and notices in set-based INSERTs. The dossiers come in
    as the registry's migration finds them, without their nominee; `link_nominees` gives them theirs."""
    with conn.cursor() as cursor:
        cursor.execute("ALTER TABLE dossiers ALTER COLUMN nominee_id DROP NOT NULL")
        with cursor.copy(f"COPY dossiers ({DOSSIER_COLUMNS}) FROM STDIN") as copy:
            for row in dossier_rows(world, count):
                copy.write_row(row)
        cursor.execute(
            "INSERT INTO documents (dossier_id, kind, filename, storage_name, content_type, size, sha256, "
            "uploaded_by_id, uploaded_at) "
            "SELECT d.id, k.kind, k.kind || '.pdf', md5(d.id || k.kind), 'application/pdf', 100000 + d.id % 90000, "
            "md5(k.kind || d.id) || md5(d.id || k.kind), d.created_by_id, d.created_at "
            "FROM dossiers d JOIN award_types t ON t.id = d.award_type_id "
            "CROSS JOIN LATERAL json_array_elements_text(t.required_documents) AS k(kind)")
        _load_history(cursor, world)
        _load_council(cursor, world)
        cursor.execute(
            "INSERT INTO notices (idempotency_key, recipient_id, dossier_id, kind, params, status, attempts, "
            "created_at, sent_at, read_at) "
            "SELECT md5(%(event)s::text || d.id), %(office)s, d.id, %(event)s::text, "
            "json_build_object('event', %(event)s::text, 'state', %(state)s::text, 'nominee', d.nominee_name, "
            "'comment', null), 'sent', 1, d.created_at, "
            "d.created_at, CASE WHEN d.state = %(state)s::text THEN NULL ELSE d.updated_at END "
            "FROM dossiers d WHERE d.ever_submitted",
            {"event": SUBMISSION.event, "state": SUBMISSION.dest, "office": world.staff["office"]})
    conn.commit()


def _load_history(cursor, world: World) -> None:
    """Each dossier's way to its state, one row per transition; the hashes only fill their columns."""
    paths = [(state, forwarded, seq, event, source, target, role)
             for forwarded in (False, True) for state in PATHS[forwarded]
             for seq, (event, source, target, role) in enumerate(history_path(state, forwarded), start=1)]
    cursor.execute("CREATE TEMPORARY TABLE paths (state text, forwarded boolean, seq int, event text, "
                   "from_state text, to_state text, role text) ON COMMIT DROP")
    cursor.executemany("INSERT INTO paths VALUES (%s, %s, %s, %s, %s, %s, %s)", paths)
    cursor.execute(
        "INSERT INTO history (dossier_id, seq, event, from_state, to_state, actor_id, actor_username, comment, "
        "details, at, prev_hash, hash) "
        "SELECT d.id, p.seq, p.event, p.from_state, p.to_state, u.id, u.username, NULL, '{}', "
        "d.created_at + (d.updated_at - d.created_at) * p.seq / (d.version - 1), "
        "md5('h' || d.id || (p.seq - 1)) || md5('x' || d.id || (p.seq - 1)), "
        "md5('h' || d.id || p.seq) || md5('x' || d.id || p.seq) "
        "FROM dossiers d JOIN award_types t ON t.id = d.award_type_id "
        "JOIN paths p ON p.state = d.state AND p.forwarded = t.forwarded "
        "JOIN users u ON u.id = CASE p.role WHEN 'submitter' THEN d.created_by_id WHEN 'office' THEN %(office)s "
        "WHEN 'appraiser' THEN %(appraiser)s ELSE %(chair)s END", world.staff)


def _load_council(cursor, world: World) -> None:
    """The votes of past rounds and the one under way, with the `paths` of `_load_history`. Each dossier that went
    through the council's vote has its members' records and secret ballots (all members, or all but the last, mostly
    agreeing, as it passed) and an item with its fixed tally on a closed session of its campaign (sessions of at most
    500 dossiers, the members' attendance and notices); each dossier waiting for the vote has some of its votes."""
    cursor.execute(
        "CREATE TEMPORARY TABLE votes_cast ON COMMIT DROP AS "
        "SELECT d.id AS dossier_id, d.campaign_id, p.seq IS NOT NULL AS closed, "
        "CASE WHEN p.seq IS NULL THEN d.id %% (%(members)s + 1) ELSE %(members)s - (d.id %% 3 = 0)::int END "
        "AS voters, coalesce(p.seq, d.version) AS version, "
        "(CASE WHEN p.seq IS NULL THEN d.updated_at "
        "ELSE d.created_at + (d.updated_at - d.created_at) * p.seq / (d.version - 1) END)::date AS cast_on, "
        "(row_number() OVER (PARTITION BY d.campaign_id, p.seq IS NULL ORDER BY d.id) - 1) / 500 AS chunk "
        "FROM dossiers d JOIN award_types t ON t.id = d.award_type_id "
        "LEFT JOIN paths p ON p.state = d.state AND p.forwarded = t.forwarded AND p.from_state = ANY(%(voting)s) "
        "WHERE p.seq IS NOT NULL OR d.state = ANY(%(voting)s)",
        {"members": len(world.council), "voting": sorted(REFERENCE.voting_states)})
    cursor.execute(
        "INSERT INTO vote_records (dossier_id, user_id, cast_on) "
        "SELECT v.dossier_id, m.id, v.cast_on FROM votes_cast v "
        "JOIN unnest(%s::int[]) WITH ORDINALITY AS m(id, n) ON m.n <= v.voters", (world.council,))
    cursor.execute(
        "INSERT INTO ballots (id, dossier_id, agree) "
        "SELECT gen_random_uuid()::text, v.dossier_id, "
        "CASE WHEN v.closed AND n > 1 THEN true "
        "ELSE (ARRAY[true, true, true, false, NULL])[(v.dossier_id + n) % 5 + 1] END "
        "FROM votes_cast v CROSS JOIN LATERAL generate_series(1, v.voters) AS n")
    cursor.execute(
        "CREATE TEMPORARY TABLE sessions_held ON COMMIT DROP AS "
        "SELECT nextval(pg_get_serial_sequence('council_sessions', 'id')) AS id, campaign_id, chunk, "
        "max(cast_on) AS held_on FROM votes_cast WHERE closed GROUP BY campaign_id, chunk")
    cursor.execute(
        "INSERT INTO council_sessions (id, held_on, place, status, convened_by_id, convened_at, closed_at) "
        "SELECT id, held_on, %s, 'closed', %s, held_on - 7, held_on FROM sessions_held",
        (PLACE, world.staff["office"]))
    cursor.execute(
        "INSERT INTO council_session_items (session_id, dossier_id, eligible, \"cast\", agree, disagree, abstain, "
        "passed, dossier_version) "
        "SELECT s.id, v.dossier_id, %s, count(*), count(*) FILTER (WHERE b.agree), "
        "count(*) FILTER (WHERE NOT b.agree), count(*) FILTER (WHERE b.agree IS NULL), true, v.version "
        "FROM votes_cast v JOIN sessions_held s USING (campaign_id, chunk) "
        "JOIN ballots b ON b.dossier_id = v.dossier_id WHERE v.closed "
        "GROUP BY s.id, v.dossier_id, v.version ORDER BY s.id, v.dossier_id", (len(world.council),))
    cursor.execute(
        "INSERT INTO council_session_attendance (session_id, user_id, present) "
        "SELECT s.id, m.id, m.n < %(members)s OR s.id %% 3 <> 0 FROM sessions_held s "
        "CROSS JOIN unnest(%(council)s::int[]) WITH ORDINALITY AS m(id, n)",
        {"members": len(world.council), "council": world.council})
    cursor.execute(
        "INSERT INTO notices (idempotency_key, recipient_id, kind, params, status, attempts, created_at, sent_at, "
        "read_at) "
        "SELECT 'council_session:' || s.id || ':' || m.id, m.id, 'council_session', "
        "json_build_object('session', s.id, 'held_on', s.held_on, 'place', %s::text, "
        "'count', (SELECT count(*) FROM council_session_items i WHERE i.session_id = s.id)), 'sent', 1, "
        "s.held_on - 7, s.held_on - 7, s.held_on - 6 FROM sessions_held s CROSS JOIN unnest(%s::int[]) AS m(id)",
        (PLACE, world.council))


def fill_database(url: str, folder: Path, count: int) -> tuple[object, Cast]:
    """A migrated app over a database holding `count` dossiers, analysed as autovacuum would leave it, and the
    people who act in it."""
    folder.mkdir(parents=True, exist_ok=True)
    app = make_app(folder, url)
    with app.app_context():
        cast = prepare_cast()
        council = [member.id for member in seat_council(cast)]
    with psycopg.connect(url) as conn:
        load_dossiers(conn, prepare_world(conn, cast, council), count)
    with app.app_context():
        link_nominees()
    with psycopg.connect(url) as conn:
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
    return app, cast


# Asking ------------------------------------------------------------------------------------------

class Visitor:
    """Someone signed in to the pages (a session cookie) and to the API (a bearer token)."""

    def __init__(self, client, username: str):
        self.client = client
        token = CSRF_TOKEN.search(client.get("/login").text).group(1)
        signed_in = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
        if signed_in.status_code != 302:
            raise RuntimeError(f"{username} could not sign in: {signed_in.status_code}")
        issued = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
        self.bearer = {"Authorization": f"Bearer {json.loads(issued.text)['token']}"}

    def get(self, path: str):
        response = self.client.get(path, headers=self.bearer if path.startswith("/api/") else {})
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code}")
        return response


def visitors(client_for) -> dict[str, Visitor]:
    return {username: Visitor(client_for(), username) for username in {user for _, user, _ in TARGETS}}


def timed_requests(apps: dict[int, object], repeat: int) -> dict[tuple[str, int], float]:
    """Median seconds of each target at each size, in turns, through the Flask test client."""
    askers = {count: visitors(lambda app=app: FlaskClient(app, app.response_class, use_cookies=True))
              for count, app in apps.items()}
    works = {(name, count): (lambda who=askers[count][username], path=path: who.get(path))
             for name, username, path in TARGETS for count in apps}
    for work in works.values():  # warm up: templates compiled, statements cached, pages read
        work()
    return interleaved_medians(works, repeat)


def timed_sessions(apps: dict[int, object], casts: dict[int, Cast], count: int, repeat: int) -> dict[int, float]:
    """Median seconds of `bench.council`'s session of `count` dossiers at each size, in turns. Each session has a new
    agenda in the current campaign; the one before is removed, and the last at the end: the databases keep their
    sizes."""
    agendas: dict[int, list[int]] = {}
    held: set[int] = set()

    def new_agendas():
        for size in held | (apps.keys() - agendas.keys()):
            with apps[size].app_context():
                if size in agendas:
                    remove_agenda(agendas[size])
                agendas[size] = agenda(casts[size], count)
        held.clear()

    def session(size: int):
        with apps[size].app_context():
            run_session(db.session.get(User, casts[size].office), council_members(), agendas[size])
        held.add(size)

    works = {size: (lambda size=size: session(size)) for size in apps}
    new_agendas()
    for work in works.values():  # warm up, as the list figures do
        work()
    seconds = interleaved_medians(works, repeat, new_agendas)
    for size, app in apps.items():
        with app.app_context():
            remove_agenda(agendas[size])
    return seconds


@dataclass(frozen=True)
class Server:
    """A gunicorn server being started: its arbiter process, its address and its log."""

    process: subprocess.Popen
    base: str
    log: Path

    def worker_pid(self) -> int:
        """The pid of the one worker, once the server answers (the arbiter only forks it)."""
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(requests.RequestException):  # not listening yet, or too busy starting
                if requests.get(f"{self.base}/healthz", timeout=5).status_code == 200:
                    break
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start: {self.log.read_text()[-2000:]}")
            time.sleep(0.2)
        pid = self.process.pid
        return int(Path(f"/proc/{pid}/task/{pid}/children").read_text().split()[0])


@contextlib.contextmanager
def gunicorn(folder: Path, url: str) -> Iterator[Server]:
    """A gunicorn server of one worker for the app over `url`, starting; stopped on leaving."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = ", ".join(f"{key}={value!r}" for key, value in app_settings(folder, url).items())
    log = folder / "gunicorn.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
             f"web:create_app('development', {settings})"],
            cwd=PROJECT_DIR, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield Server(process, f"http://127.0.0.1:{port}", log)
    finally:
        process.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown: nothing is left to finish
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class HttpClient(requests.Session):
    """requests with the test client's calling convention: paths relative to one server."""

    def __init__(self, base: str):
        super().__init__()
        self.base = base

    def get(self, path, **kwargs):
        return super().get(self.base + path, allow_redirects=False, timeout=60, **kwargs)

    def post(self, path, **kwargs):
        return super().post(self.base + path, allow_redirects=False, timeout=60, **kwargs)


def served_peak_mib(server: Server, repeat: int) -> tuple[float, float]:
    """Peak resident memory of the server's worker once started, and once it has served every target
    `repeat` times."""
    worker = server.worker_pid()
    started = peak_rss_mib(worker)
    askers = visitors(lambda: HttpClient(server.base))
    for _ in range(repeat):
        for _, username, path in TARGETS:
            askers[username].get(path)
    for asker in askers.values():
        asker.client.close()
    return started, peak_rss_mib(worker)


def timed_decisions(apps: dict[int, object], casts: dict[int, Cast], count: int, repeat: int) -> dict[int, float]:
    """Median seconds of `bench.decision`'s decision conferring `count` dossiers at each size, in turns. Each
    decision lists new dossiers waiting for one; those of the decision before are removed, and the last at the end:
    the databases keep their sizes."""
    waiting_ids: dict[int, list[int]] = {}
    decided: set[int] = set()

    def new_batches():
        for size in decided | (apps.keys() - waiting_ids.keys()):
            with apps[size].app_context():
                if size in waiting_ids:
                    remove_decided(waiting_ids[size])
                waiting_ids[size] = waiting(casts[size], count)
        decided.clear()

    def decide(size: int):
        with apps[size].app_context():
            store = DocumentStore(apps[size].config["UPLOAD_DIR"], 10 * 1024 * 1024)
            run_decision(db.session.get(User, casts[size].office), waiting_ids[size], store)
        decided.add(size)

    works = {size: (lambda size=size: decide(size)) for size in apps}
    new_batches()
    for work in works.values():  # warm up, as the list figures do
        work()
    seconds = interleaved_medians(works, repeat, new_batches)
    for size, app in apps.items():
        with app.app_context():
            remove_decided(waiting_ids[size])
    return seconds


def run(scale: Scale):
    small, large = scale.pick((1_000, 100_000), (50, 500))
    repeat = scale.pick(15, 2)
    with contextlib.ExitStack() as stack:
        urls = {count: stack.enter_context(postgres_database()) for count in (small, large)}
        folder = stack.enter_context(scratch_dir())
        apps, casts, loading = {}, {}, {}
        for count, url in urls.items():
            started = time.perf_counter()
            apps[count], casts[count] = fill_database(url, folder / str(count), count)
            loading[count] = time.perf_counter() - started
        try:
            seconds = timed_requests(apps, repeat)
            session_seconds = timed_sessions(apps, casts, agenda_size(scale), scale.repeat)
            decision_seconds = timed_decisions(apps, casts, decision_size(scale), scale.repeat)
        finally:
            for app in apps.values():
                with app.app_context():
                    db.engine.dispose()
        for name, _, path in TARGETS:
            low, high = seconds[(name, small)], seconds[(name, large)]
            yield at_most(name, high / low, GOAL,
                          f"{small:,}: {low * 1000:.1f} ms, {large:,}: {high * 1000:.1f} ms "
                          f"(GET {path}, median of {repeat})")
        low, high = session_seconds[small], session_seconds[large]
        yield at_most("council_session_scale", high / low, GOAL,
                      f"{small:,}: {low:.2f} s, {large:,}: {high:.2f} s for a council session of "
                      f"{agenda_size(scale)} dossiers and {MEMBERS} members (convening, {MEMBERS} ballot sheets, "
                      f"closing, minutes DOCX), median of {scale.repeat}")
        low, high = decision_seconds[small], decision_seconds[large]
        yield at_most("decision_confer_scale", high / low, GOAL,
                      f"{small:,}: {low:.2f} s, {large:,}: {high:.2f} s for a decision conferring "
                      f"{decision_size(scale)} dossiers (drafting, the signed PDF, recording), "
                      f"median of {scale.repeat}")
        servers = {count: stack.enter_context(gunicorn(folder / str(count), url)) for count, url in urls.items()}
        peaks = {count: served_peak_mib(server, scale.pick(3, 1)) for count, server in servers.items()}
    (small_start, small_peak), (large_start, large_peak) = peaks[small], peaks[large]
    yield at_most("scale_memory", large_peak / small_peak, GOAL,
                  f"peak RSS of the web process: {small:,}: {small_peak:.0f} MiB, {large:,}: {large_peak:.0f} MiB "
                  f"(a gunicorn worker serving each request above {scale.pick(3, 1)} times; "
                  f"{small_start:.0f} and {large_start:.0f} MiB once started; the databases took "
                  f"{loading[small]:.1f} s and {loading[large]:.1f} s to make)")
