"""The one state machine of the process, built from the declarative definition.

It holds no dossiers: an event is fired from a dossier's state, whose column in the database is the
truth, and the operation writes the state the machine arrives at.
"""
from transitions import Machine

from workflow.definition import DRAFT, STATES, STEPS

TRANSITIONS = [{"trigger": step.event, "source": step.source, "dest": step.dest} for step in STEPS]
machine = Machine(model=None, states=list(STATES), transitions=TRANSITIONS, initial=DRAFT, auto_transitions=False)


class Position:
    """What the machine moves: a state, apart from the dossier whose row records it."""

    __slots__ = ("state",)

    def __init__(self, state: str):
        self.state = state


def next_state(state: str, event: str) -> str:
    """Where `event` leads from `state`; the caller has found the step from `state` already."""
    position = Position(state)
    machine.events[event].trigger(position)
    return position.state

