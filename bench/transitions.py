"""1. Transition throughput on PostgreSQL: full lifecycles through the workflow operations versus the
same writes in raw SQL through the same driver (psycopg 3)."""
from __future__ import annotations

import psycopg

from bench.harness import Scale, app_in_context, at_least, interleaved_medians, postgres_database, scratch_dir
from bench.workload import (
    TRANSITIONS_PER_LIFECYCLE, load_people, prepare_cast, prepare_drafts, raw_lifecycle, run_lifecycle,
)

ORDER = 1


def run(scale: Scale):
    lifecycles = scale.pick(60, 3)
    with postgres_database() as url, scratch_dir() as folder:
        with app_in_context(folder, url), psycopg.connect(url) as conn:
            cast = prepare_cast()
            people = load_people(cast)
            batches = {"ours": [], "raw": []}

            def setup():
                batches["ours"] = prepare_drafts(cast, lifecycles)
                batches["raw"] = prepare_drafts(cast, lifecycles)

            def ours():
                for dossier_id in batches["ours"]:
                    run_lifecycle(cast, people, dossier_id)

            def raw():
                for dossier_id in batches["raw"]:
                    raw_lifecycle(conn, cast, dossier_id)

            setup()
            ours()  # warm up caches, the connection pool and the statement caches
            raw()
            seconds = interleaved_medians({"ours": ours, "raw": raw}, scale.repeat, setup)
    transitions = lifecycles * TRANSITIONS_PER_LIFECYCLE
    ours_rate, raw_rate = transitions / seconds["ours"], transitions / seconds["raw"]
    yield at_least("transition_throughput", ours_rate / raw_rate, 0.5,
                   f"ours {ours_rate:.0f} transitions/s, raw SQL {raw_rate:.0f}/s "
                   f"({lifecycles} lifecycles of {TRANSITIONS_PER_LIFECYCLE} transitions and "
                   f"3 votes, median of {scale.repeat})")
