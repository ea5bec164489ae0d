"""The one state machine of the process, built from the declarative definition.

It holds no dossiers: an event is fired on a dossier passed in, whose `state` column is the truth.
"""
from transitions import Machine, MachineError

from workflow.definition import DRAFT, STATES, STEPS

machine = Machine(
    model=None,
    states=list(STATES),
    transitions=[{"trigger": step.event, "source": step.source, "dest": step.dest} for step in STEPS],
    initial=DRAFT,
    auto_transitions=False,
)


def fire(dossier, event: str) -> None:
    """Move the dossier along `event`; raises MachineError when the current state does not allow it."""
    machine.events[event].trigger(dossier)


__all__ = ["fire", "machine", "MachineError"]
