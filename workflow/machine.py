"""The shared state machines: one per procedure version, built when the procedure files load.

A machine holds no dossiers: an event is fired from a dossier's state, whose column in the database is the
truth, and the operation writes the state the machine arrives at. `machine` and `next_state` are the
reference procedure's.
"""
from workflow.definition import REFERENCE, STEPS

TRANSITIONS = [{"trigger": step.event, "source": step.source, "dest": step.dest} for step in STEPS]
machine = REFERENCE.machine
next_state = REFERENCE.next_state


__all__ = ["next_state", "machine"]
