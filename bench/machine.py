"""2. Machine overhead: firing an event on the one shared `transitions` machine, versus a plain dictionary
lookup of the allowed transition, and versus building a machine for each dossier (and firing it)."""
from __future__ import annotations

import time
import tracemalloc

import psycopg
from transitions import Machine

from bench.harness import Scale, at_least, at_most, app_in_context, median_seconds, postgres_database, scratch_dir
from bench.workload import TRANSITIONS_PER_LIFECYCLE, prepare_cast, prepare_drafts, raw_lifecycle
from workflow.procedure import REFERENCE_CODE, catalogue

ORDER = 2
REFERENCE = catalogue().current(REFERENCE_CODE)
TRANSITIONS = [{"trigger": step.event, "source": step.source, "dest": step.dest} for step in REFERENCE.steps]
next_state = REFERENCE.next_state
# Each step of the reference workflow, from its source state.
FIRINGS = [(step.source, step.event) for step in REFERENCE.steps]


class _Dossier:
    def __init__(self, state: str):
        self.state = state


def _machine_for(dossier: _Dossier) -> Machine:
    """What the shared machine is, built for one dossier."""
    return Machine(model=dossier, states=list(REFERENCE.states), transitions=TRANSITIONS, initial=dossier.state,
                   auto_transitions=False)


def _machine_per_dossier(state: str, event: str) -> str:
    dossier = _Dossier(state)
    _machine_for(dossier)
    getattr(dossier, event)()
    return dossier.state


def _dict_lookup(state: str, event: str) -> str:
    return REFERENCE.step_by_event_and_source[(event, state)].dest


def _microseconds(fire, rounds: int) -> float:
    best = float("inf")
    for _ in range(5):  # the best of five: the least disturbed by the rest of the machine
        start = time.perf_counter()
        for _ in range(rounds):
            for state, event in FIRINGS:
                fire(state, event)
        best = min(best, time.perf_counter() - start)
    return best / (rounds * len(FIRINGS)) * 1e6


def _raw_transition_microseconds(scale: Scale) -> float:
    lifecycles = scale.pick(30, 2)
    with postgres_database() as url, scratch_dir() as folder:
        with app_in_context(folder, url), psycopg.connect(url) as conn:
            cast = prepare_cast()
            batches = iter([prepare_drafts(cast, lifecycles) for _ in range(scale.repeat + 1)])

            def raw():
                for dossier_id in next(batches):
                    raw_lifecycle(conn, cast, dossier_id)

            raw()
            seconds = median_seconds(raw, scale.repeat)
    return seconds / (lifecycles * TRANSITIONS_PER_LIFECYCLE) * 1e6


def _kib_per_machine(count: int) -> float:
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    dossiers = [_Dossier(REFERENCE.initial) for _ in range(count)]
    for dossier in dossiers:
        _machine_for(dossier)
    grown = sum(stat.size_diff for stat in tracemalloc.take_snapshot().compare_to(before, "filename"))
    tracemalloc.stop()
    return grown / count / 1024


def run(scale: Scale):
    rounds = scale.pick(2000, 20)
    assert all(next_state(s, e) == _dict_lookup(s, e) == _machine_per_dossier(s, e) for s, e in FIRINGS)
    shared = _microseconds(next_state, rounds)
    lookup = _microseconds(_dict_lookup, rounds)
    per_dossier = _microseconds(_machine_per_dossier, max(1, rounds // 20))
    kib = _kib_per_machine(scale.pick(200, 5))
    raw_transition = _raw_transition_microseconds(scale)
    yield at_least("machine_vs_dict", lookup / shared, 0.005,
                   f"shared machine {shared:.2f} µs per event, dictionary lookup {lookup:.3f} µs "
                   f"(goal: at most 200 lookups)")
    yield at_most("machine_share_of_transition", shared / raw_transition, 0.02,
                  f"the shared machine's {shared:.2f} µs against {raw_transition:.0f} µs for the fastest whole "
                  f"transition, raw SQL on PostgreSQL")
    yield at_least("machine_vs_per_dossier", per_dossier / shared, 10,
                   f"a machine built per dossier {per_dossier:.0f} µs per event and {kib:.0f} KiB each, "
                   f"the shared machine {shared:.2f} µs and nothing per dossier")
