"""5. The nominee registry's look-up while typing a name: 1,000,000 entries against 10,000 (goal: at most 1.5 times).

Two PostgreSQL databases hold the reference data and the registry filled alike (2,000 and 20,000 entries at the
tiny size): persons (85 %) named with Vietnam's surnames, middle and given names, many of them namesakes as in life,
and collectives, spread over the 32 nominating units, each person with a date of birth and most with an identity
number. Timed in-process through the API (`GET /api/v1/nominees?q=`), in turns against both databases (the median
of each): a name typed as the page asks while typing, one request per step ("ng", "nguy", "nguyễn t", "nguyễn thị l",
"nguyễn thị lan"), by the office (every entry) and by a submitter (her unit's), and the rarer "tr" ... "trần thu
hương" by the office. Each figure is the time of the whole name at the large size over the small one.
"""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from urllib.parse import quote

import psycopg
from flask.testing import FlaskClient

from bench.harness import Scale, at_most, interleaved_medians, make_app, postgres_database, scratch_dir
from bench.scale import COLLECTIVES, GIVEN_NAMES, MIDDLE_NAMES, POSITIONS, SURNAMES, Visitor
from bench.workload import prepare_cast
from workflow.models import db
from workflow.text import display_name, name_key, search_key

ORDER = 5
GOAL = 1.5
TYPED = {
    "registry_lookup_office": ("bench-office", ("ng", "nguy", "nguyễn t", "nguyễn thị l", "nguyễn thị lan")),
    "registry_lookup_submitter": ("bench-submitter", ("ng", "nguy", "nguyễn t", "nguyễn thị l", "nguyễn thị lan")),
    "registry_lookup_rare_name": ("bench-office", ("tr", "tran t", "trần thu", "trần thu hư", "trần thu hương")),
}
COLUMNS = ("kind, name, name_key, search_key, unit_id, birth_date, birth_year, gender, position, identity_number, "
           "collective_kind, created_at")


def entry_rows(units: list[int], count: int):
    """`count` registry entries (a fixed seed); the keys of each distinct name computed once."""
    rng = random.Random(15)
    keys: dict[str, tuple[str, str, str]] = {}
    created = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    for ordinal in range(count):
        unit = rng.choice(units)
        if rng.random() < 0.85:
            name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"
            born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(40 * 365))
            person = (born, born.year, "female", rng.choice(POSITIONS),
                      f"001{rng.randrange(10**9):09d}" if rng.random() < 0.7 else None, None)
            kind = "individual"
        else:
            name = rng.choice(COLLECTIVES).format(n=rng.randint(1, 300))
            person, kind = (None, None, None, None, None, "branch"), "collective"
        if name not in keys:
            keys[name] = (display_name(name), name_key(name), search_key(name))
        yield (kind, *keys[name], unit, *person, created + dt.timedelta(seconds=ordinal))


def fill_registry(url: str, folder: Path, count: int):
    """A migrated app over a database with the reference data, the benchmark's people and `count` entries,
    analysed as autovacuum would leave it."""
    folder.mkdir(parents=True, exist_ok=True)
    app = make_app(folder, url)
    with app.app_context():
        prepare_cast()
    with psycopg.connect(url) as conn:
        units = [row[0] for row in conn.execute(
            "SELECT id FROM units WHERE kind IN ('district', 'member_org') ORDER BY sort_order")]
        with conn.cursor().copy(f"COPY nominees ({COLUMNS}) FROM STDIN") as copy:
            for row in entry_rows(units, count):
                copy.write_row(row)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE nominees")
    return app


def typing(visitor: Visitor, steps: tuple[str, ...]):
    def work():
        for typed in steps:
            visitor.get(f"/api/v1/nominees?q={quote(typed)}")
    return work


def run(scale: Scale):
    sizes = scale.pick((10_000, 1_000_000), (2_000, 20_000))
    repeat = scale.pick(21, 1)  # each round is short: many of them, against the noise of a shared machine
    with scratch_dir() as folder, postgres_database() as small_url, postgres_database() as large_url:
        apps = {size: fill_registry(url, folder / str(size), size) for size, url in
                zip(sizes, (small_url, large_url), strict=True)}
        visitors = {size: {username: Visitor(FlaskClient(app, app.response_class, use_cookies=True), username)
                           for username in {username for username, _ in TYPED.values()}}
                    for size, app in apps.items()}
        works = {(name, size): typing(visitors[size][username], steps)
                 for name, (username, steps) in TYPED.items() for size in sizes}
        for work in works.values():  # warm up: statements prepared, pages of the index read
            work()
        seconds = interleaved_medians(works, repeat)
        for app in apps.values():
            with app.app_context():
                db.engine.dispose()
    small, large = sizes
    for name, (_, steps) in TYPED.items():
        ratio = seconds[(name, large)] / seconds[(name, small)]
        yield at_most(name, ratio, GOAL, f"{len(steps)} look-ups while typing: {seconds[(name, large)] * 1000:.1f} ms "
                      f"at {large:,} entries, {seconds[(name, small)] * 1000:.1f} ms at {small:,}")
