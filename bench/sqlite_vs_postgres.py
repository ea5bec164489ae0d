"""7. SQLite (the embedded default of `make run`) versus PostgreSQL, for the transition workload of
benchmark 1 at 1 and at 8 concurrent clients (threads, each with its own session and its own dossiers)."""
from __future__ import annotations

import threading
import time

from bench.harness import Scale, app_in_context, at_least, postgres_database, scratch_dir
from bench.workload import TRANSITIONS_PER_LIFECYCLE, load_people, prepare_cast, prepare_drafts, run_lifecycle
from workflow.models import db

ORDER = 7
CLIENTS = (1, 8)


def _throughput(app, cast, clients: int, lifecycles_each: int) -> tuple[float, int]:
    """Transitions per second with `clients` threads at once, and how many lifecycles failed."""
    batches = [prepare_drafts(cast, lifecycles_each) for _ in range(clients)]
    failures = []
    start_line = threading.Barrier(clients + 1)

    def client(dossier_ids: list[int]) -> None:
        with app.app_context():
            people = load_people(cast)
            db.session.commit()  # no transaction left open while waiting for the others (SQLite would queue on it)
            start_line.wait()
            for dossier_id in dossier_ids:
                try:
                    run_lifecycle(cast, people, dossier_id)
                except Exception as error:  # noqa: BLE001 - counted and reported: the figure says "errors"
                    failures.append(error)
                    db.session.rollback()

    threads = [threading.Thread(target=client, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    start_line.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return clients * lifecycles_each * TRANSITIONS_PER_LIFECYCLE / seconds, len(failures)


def _measure(database_url: str, folder, scale: Scale) -> dict[int, tuple[float, int]]:
    results = {}
    with app_in_context(folder, database_url) as app:
        cast = prepare_cast()
        _throughput(app, cast, 1, scale.pick(5, 1))  # warm up
        for clients in CLIENTS:
            rates = [_throughput(app, cast, clients, scale.pick(max(4, 40 // clients), 1))
                     for _ in range(scale.repeat)]
            rates.sort()
            results[clients] = (rates[len(rates) // 2][0], sum(errors for _, errors in rates))
    return results


def run(scale: Scale):
    with scratch_dir() as folder, postgres_database() as postgres_url:
        sqlite = _measure(f"sqlite:///{folder / 'awards.sqlite3'}", folder, scale)
        postgres = _measure(postgres_url, folder, scale)
    for clients in CLIENTS:
        (lite, lite_errors), (pg, pg_errors) = sqlite[clients], postgres[clients]
        errors = lite_errors + pg_errors
        yield at_least(f"sqlite_vs_postgres_{clients}_client{'s' if clients > 1 else ''}",
                       0.0 if errors else lite / pg, 0.5,
                       f"SQLite {lite:.0f} transitions/s, PostgreSQL {pg:.0f}/s, {clients} at once, "
                       f"errors {errors}")
