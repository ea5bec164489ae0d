"""Procedures as data: the files under workflow/procedures/, read, checked and turned into machines.

A procedure file (YAML) declares a workflow: its states, its steps (who fires which event from where to
where, under which rules, asking for which inputs, with which effects, telling whom), each labelled in
Vietnamese and English. The loader refuses a file with any fault, naming the file, the line and the
fault; the app does not start with one. Each (code, version) gets one shared `transitions` machine.

Nothing outside the procedure files names a state or an event: the code asks what a state or a step is
(final, dead, editable, honoured, decided, voting; a step's effects, style and label), and the test
tests/test_procedure_names.py keeps it so. This module imports no models.
"""
from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from transitions import Machine

PROCEDURES_DIR = Path(__file__).resolve().parent / "procedures"
REFERENCE_CODE = "reference"
LOCALES = ("vi", "en")

ROLES = ("submitter", "office", "appraiser", "council", "chair", "admin")
# Who, relative to the dossier, may fire a step:
#   own_unit     a submitter of the dossier's unit
#   any          anyone holding the role
#   responsible  an appraiser of the department responsible for the award type
#   party        a holder of the role in one of the units the step names under `parties`
#   each_party   a holder of the role in each of those units: each firing records that unit's opinion (a history
#                row, no change of state), and the last unit's moves the dossier on
SUBMITTER_OF_UNIT = "own_unit"
ANYONE_WITH_ROLE = "any"
RESPONSIBLE_DEPARTMENT = "responsible"
PARTY = "party"
EACH_PARTY = "each_party"
SCOPES = (SUBMITTER_OF_UNIT, ANYONE_WITH_ROLE, RESPONSIBLE_DEPARTMENT, PARTY, EACH_PARTY)
# How a unit is named under `parties` (its code; whether such a unit exists is checked at start-up).
UNIT_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
# The rule of every each_party step (added when the file does not name it): a unit gives its opinion once.
ONE_OPINION_PER_PARTY = "party_already_gave_opinion"

# The guard vocabulary: the rule codes of workflow/rules.py (checked against it when the rules load).
RULE_CODES = frozenset({
    "unit_active", "campaign_open", "deadline", "due_date", "required_documents", "quota", "duplicate_nominee",
    "reason_required", "note_required", "answer_required", "due_date_valid", "conflict_of_interest",
    "forwarded_type", "city_level_type", "decision_required", "vote_quorum", "vote_threshold", ONE_OPINION_PER_PARTY,
    "disclosure_window", "disclosure_resolved", "date_valid", "eligibility",
})
# What an event may ask for, and the type of each.
INPUT_TYPES = {"comment": "text", "due_date": "date", "decision_number": "text", "decision_date": "date",
               "date": "date"}
# The rules that check an event's inputs, and which: a step with one of them must declare those inputs. The
# pages leave these rules out of a step's refusals before its form is filled in.
INPUT_RULES = {"reason_required": ("comment",), "note_required": ("comment",), "answer_required": ("comment",),
               "due_date_valid": ("due_date",), "decision_required": ("decision_number", "decision_date"),
               "date_valid": ("date",)}
# What an input may say besides its type: `per_document` asks for the comment one line per kind of document.
INPUT_KEYS = {"type", "required", "per_document"}
# What a step may do besides moving the state (workflow/operations.py carries them out):
#   mark_submitted  the dossier counts as submitted (quotas, visibility); a former due date is cleared
#   set_due_date    the due date given, or `working_days` working days ahead (holidays excluded)
#   record_decision the decision's number and date
#   reset_vote      the council votes afresh; the history keeps the count of the earlier vote
#   open_disclosure a public disclosure window opens for the award type's disclosure_days working days
#   record_date     the `date` input, kept in the dossier's field `field` (a field of type date, `recorded: true`)
#   record_revocation the decision revoking the award (number, date; the comment is the reason), kept apart from the
#                   decision that conferred it, which stays as it was
EFFECTS = {"mark_submitted": (), "set_due_date": ("working_days",), "record_decision": (), "reset_vote": (),
           "open_disclosure": (), "record_date": ("field",), "record_revocation": ()}
# The rule a step opening a disclosure window must have: it refuses an award type with no window (0 days).
DISCLOSURE_RULE = "disclosure_window"
# The batch actions a step is taken in (a step's `batch`), each by one step from a state at most:
#   unit_packet        the unit submits its packet, every ready dossier at once: a step of the unit from the initial
#                      state
#   packet_acceptance  the office accepts a submitted packet whole: from where the unit_packet step leads, on
#   packet_return      a single dossier of a packet goes back to the unit: from there to an editable state
#   council_session    the chair approves a closed council session's passing dossiers: a step with a vote rule
#   disclosure         the office makes a set of dossiers public: a step with the effect open_disclosure
#   decision           a recorded award decision confers the dossiers it lists: a step with the effect record_decision
#   forwarding         the office sends dossiers to a higher authority with its letter: to a state that a decision
#                      step and a forwarding_refusal step leave (where the authority's answer is recorded)
#   forwarding_refusal the authority's answer declines a forwarded dossier: from where a forwarding step leads, with
#                      the answer as its required input `comment`
BATCHES = ("unit_packet", "packet_acceptance", "packet_return", "council_session", "disclosure", "decision",
           "forwarding", "forwarding_refusal")
# The batches a higher authority's answer takes on a forwarded dossier.
ANSWERS = ("decision", "forwarding_refusal")
# Who may be told of a step (workflow/notices.py).
AUDIENCES = ("office", "appraisers", "council", "submitters")
# What a state may say of itself besides its labels (all false unless given):
#   final     no step leaves it
#   dead      final, and the dossier no longer counts against quotas or blocks a duplicate nomination
#   editable  the unit may change the nominee and the documents
#   decided   approved: on the provisional honours list, waiting for the decision to be recorded
#   honoured  final, and the award is given: the honours list, the invitations, the "conferred" counts; the only
#             final state a step may leave, towards a dead state (the award revoked)
#   voting    the council votes while the dossier is here (a vote rule's step leaves it; reset_vote enters it)
#   pending   decided, and waiting for a higher authority's answer: a finalised honours list shows it in its section
#             "chờ quyết định", and the answer amends the list
STATE_FLAGS = ("final", "dead", "editable", "decided", "honoured", "voting", "pending")
# The rules that count the council's vote: their steps leave a voting state.
VOTE_RULES = frozenset({"vote_quorum", "vote_threshold"})
# How a step's button looks: `danger` for a step that cannot be undone (the page asks to confirm it).
STEP_STYLES = ("primary", "danger")
# What a dossier of a procedure asks for besides the nominee (`fields:`), kept in the dossier's `details`:
#   text    one line; `max` characters at most (default TEXT_FIELD_MAX), `min` at least
#   int     a whole number from `min` to `max`
#   date    a date
#   choice  one of `choices` (code: {vi, en})
# `required: true` refuses a dossier without it; `recorded: true` is written by a step (effect record_date), never
# typed by the unit.
FIELD_TYPES = ("text", "int", "date", "choice")
FIELD_KEYS = {"type", *LOCALES, "required", "recorded", "min", "max", "choices"}
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
TEXT_FIELD_MAX = 1000


class ProcedureError(Exception):
    """A procedure file that cannot be used; `faults` are (file, line, text)."""

    def __init__(self, faults: list[tuple[str, int, str]]):
        self.faults = faults
        super().__init__("\n".join(f"{name}:{line}: {text}" for name, line, text in faults))


@dataclass(frozen=True)
class Input:
    name: str
    type: str
    required: bool = False
    per_document: bool = False


@dataclass(frozen=True)
class Field:
    """A value a dossier of the procedure holds in its `details` (see FIELD_TYPES)."""
    name: str
    type: str
    label: dict[str, str] = field(compare=False)
    required: bool = False
    recorded: bool = False
    minimum: int | None = None
    maximum: int | None = None
    # (code, {locale: label}) pairs, in the file's order.
    choices: tuple[tuple[str, dict[str, str]], ...] = field(default=(), compare=False)

    def choice_label(self, code: str) -> str:
        """The English label of choice `code` (the message id the pages translate), or the code itself."""
        return dict(self.choices).get(code, {}).get("en", code)


@dataclass(frozen=True)
class Step:
    event: str
    source: str
    dest: str
    role: str
    scope: str = ANYONE_WITH_ROLE
    rules: tuple[str, ...] = ()
    inputs: tuple[Input, ...] = ()
    # (name, {parameter: value}) pairs, in the order the file gives them.
    effects: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    notify: str | None = None
    queue: str | None = None
    style: str = "primary"
    # This step's own {locale: text} label where its event's would mislead (the chair's refusal), else None.
    label: dict[str, str] | None = field(default=None, compare=False)
    # What the dossier's state is called when this step brought it there, where the state's own label would say
    # another step's outcome (the chair's refusal, "Không phê duyệt", leads to the state the appraiser's, "Không đề
    # nghị", names), else None.
    outcome: dict[str, str] | None = field(default=None, compare=False)
    # The codes of the units whose holders of the role fire it (scopes party and each_party).
    parties: tuple[str, ...] = ()
    # The batch action it is taken in (BATCHES), besides one dossier at a time.
    batch: str | None = None

    @property
    def input_rules(self) -> tuple[str, ...]:
        """The step's rules that check its inputs."""
        return tuple(code for code in self.rules if code in INPUT_RULES)

    def effect(self, name: str) -> dict | None:
        """The parameters of effect `name`, or None when the step does not have it."""
        for effect, params in self.effects:
            if effect == name:
                return dict(params)
        return None


@dataclass(frozen=True)
class Procedure:
    code: str
    version: int
    title: dict[str, str]
    initial: str
    states: tuple[str, ...]
    final_states: frozenset[str]
    dead_states: frozenset[str]
    editable_states: frozenset[str]
    decided_states: frozenset[str]  # the honoured and pending states among them
    honoured_states: frozenset[str]
    voting_states: frozenset[str]
    pending_states: frozenset[str]
    state_labels: dict[str, dict[str, str]]
    event_labels: dict[str, dict[str, str]]
    steps: tuple[Step, ...]
    source: str = ""
    # The work queues the steps name, in the order the file declares them.
    queue_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    # What its dossiers hold besides the nominee, in the file's order.
    fields: tuple[Field, ...] = ()
    step_by_event_and_source: dict[tuple[str, str], Step] = field(default_factory=dict, compare=False)
    machine: Machine | None = field(default=None, compare=False, repr=False)

    @property
    def events(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(step.event for step in self.steps))

    @cached_property
    def initial_states(self) -> frozenset[str]:
        """The initial state, as a set like the others (`Catalogue.states_of`)."""
        return frozenset({self.initial})

    @property
    def entered_fields(self) -> tuple[Field, ...]:
        """The fields the unit fills in (not those a step records)."""
        return tuple(item for item in self.fields if not item.recorded)

    def paths(self, allowed: Callable[[Step], bool] = lambda _step: True) -> dict[str, list[Step]]:
        """The shortest run of `allowed` steps from the initial state to each state they reach (the file's order
        breaks ties)."""
        paths: dict[str, list[Step]] = {self.initial: []}
        frontier = [self.initial]
        while frontier:
            following = []
            for source in frontier:
                for step in self.steps:
                    if step.source == source and step.dest not in paths and allowed(step):
                        paths[step.dest] = paths[source] + [step]
                        following.append(step.dest)
            frontier = following
        return paths

    def path_to(self, state: str) -> list[Step]:
        """The shortest run of steps from the initial state to `state`."""
        return self.paths()[state]

    def batch_step(self, batch: str, source: str | None = None) -> Step | None:
        """The step batch action `batch` takes from `source` (from wherever it is declared, when not given)."""
        return next((step for step in self.steps
                     if step.batch == batch and (source is None or step.source == source)), None)

    def steps_with(self, effect: str) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if step.effect(effect) is not None)

    @cached_property
    def revoked_states(self) -> frozenset[str]:
        """Where an award ends when it is revoked: the states a step from an honoured state leads to (all dead)."""
        return frozenset(step.dest for step in self.steps if step.source in self.honoured_states)

    @cached_property
    def listed_states(self) -> frozenset[str]:
        """The states a finalised honours list shows a dossier in and a step can leave: a step from one of them
        amends the list."""
        return self.honoured_states | self.pending_states

    @cached_property
    def due_states(self) -> frozenset[str]:
        """Where a dossier waits for its unit until a due date: the states a `set_due_date` step leads to."""
        return frozenset(step.dest for step in self.steps_with("set_due_date"))

    @cached_property
    def disclosure_states(self) -> frozenset[str]:
        """Where a dossier is on public disclosure: the states an `open_disclosure` step leads to."""
        return frozenset(step.dest for step in self.steps_with("open_disclosure"))

    @cached_property
    def due_events(self) -> frozenset[str]:
        """The events that ask the unit for something by a due date (the returns)."""
        return frozenset(step.event for step in self.steps_with("set_due_date"))

    @cached_property
    def answer_states(self) -> frozenset[str]:
        """Where the unit's answer to a return is examined: the live states a step from a due state leads to."""
        due = self.due_states
        return frozenset(step.dest for step in self.steps if step.source in due and step.dest not in self.dead_states)

    @cached_property
    def columns(self) -> tuple[str, ...]:
        """The states a submitted dossier can be in, in the file's order: the counts' columns (dashboard,
        statistics). The initial state is left out unless a step leads back to it."""
        entered = {step.dest for step in self.steps}
        return tuple(state for state in self.states if state in entered)

    def tone(self, state: str) -> str:
        """How a state's badge looks, from what the state is."""
        if state in self.honoured_states:
            return "honoured"
        if state in self.dead_states or state in self.final_states:
            return "closed"
        if state in self.due_states:
            return "due"
        if state in self.decided_states:
            return "decided"
        return "initial" if state == self.initial else "open"

    def step_label(self, step: Step) -> str:
        """The English label of `step` (its own, or its event's): the message id the pages translate."""
        return step.label["en"] if step.label else self.event_label(step.event)

    def outcome_label(self, step: Step) -> str:
        """The English name of where `step` leads (its own outcome, or its state's label)."""
        return step.outcome["en"] if step.outcome else self.state_label(step.dest)

    def next_state(self, state: str, event: str) -> str:
        """Where `event` leads from `state`; raises MachineError when the machine does not allow it."""
        position = _Position(state)
        self.machine.events[event].trigger(position)
        return position.state

    def state_label(self, state: str) -> str:
        """The English label, which is the message id the pages translate (see `label_translations`)."""
        return self.state_labels[state]["en"]

    def event_label(self, event: str) -> str:
        return self.event_labels[event]["en"]

    def queue_label(self, queue: str) -> str:
        return self.queue_labels[queue]["en"]

    def queue_steps(self) -> dict[str, tuple[Step, ...]]:
        """The work queues in the file's order, each with the steps whose dossiers wait in it."""
        return {queue: tuple(step for step in self.steps if step.queue == queue) for queue in self.queue_labels}


class _Position:
    """What a machine moves: a state, apart from the dossier whose row records it."""

    __slots__ = ("state",)

    def __init__(self, state: str):
        self.state = state


# Reading ------------------------------------------------------------------------------------------

class _Node(dict):
    """A mapping of the file, with the line of itself and of each of its keys."""

    line: int = 0
    lines: dict


class _Seq(list):
    line: int = 0


class _LineLoader(yaml.SafeLoader):
    pass


def _mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Node:
    result = _Node()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader: _LineLoader, node: yaml.SequenceNode) -> _Seq:
    result = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


class _Checker:
    """Collects every fault of one file with its line, so that the author sees them all at once."""

    def __init__(self, name: str):
        self.name = name
        self.faults: list[tuple[str, int, str]] = []

    def fault(self, line: int, text: str) -> None:
        self.faults.append((self.name, line, text))

    def line_of(self, node, key=None) -> int:
        if isinstance(node, _Node) and key is not None and key in node.lines:
            return node.lines[key]
        return getattr(node, "line", 0)

    def mapping(self, node, where: str, line: int) -> _Node | None:
        if not isinstance(node, dict):
            self.fault(line, f"{where} must be a mapping")
            return None
        return node

    def labels(self, node, where: str, line: int) -> dict[str, str]:
        node = self.mapping(node, where, line)
        if node is None:
            return {locale: "" for locale in LOCALES}
        result = {}
        for locale in LOCALES:
            text = node.get(locale)
            if not isinstance(text, str) or not text.strip():
                self.fault(self.line_of(node, locale) or node.line, f"{where} needs a label in '{locale}'")
                text = ""
            result[locale] = text
        return result


def parse(text: str, name: str) -> Procedure:
    """The procedure in `text` (a file's content; `name` says which file in the messages)."""
    check = _Checker(name)
    try:
        document = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader that records lines
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise ProcedureError([(name, mark.line + 1 if mark else 0,
                               f"not valid YAML: {getattr(error, 'problem', None) or error}")]) from None
    top = check.mapping(document, "the file", 1)
    if top is None:
        raise ProcedureError(check.faults)
    for key in top:
        if key not in {"code", "version", "title", "initial", "states", "events", "queues", "fields", "steps"}:
            check.fault(check.line_of(top, key), f"unknown key '{key}'")
    code = top.get("code")
    if not isinstance(code, str) or not code.strip():
        check.fault(check.line_of(top, "code") or 1, "'code' is required (a short name, e.g. reference)")
        code = ""
    version = top.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        check.fault(check.line_of(top, "version") or 1, "'version' must be a whole number from 1")
        version = 0
    title = check.labels(top.get("title"), "'title'", check.line_of(top, "title") or 1)

    states: dict[str, dict] = {}
    state_lines: dict[str, int] = {}
    states_node = check.mapping(top.get("states"), "'states'", check.line_of(top, "states") or 1) or _Node()
    for state, spec in states_node.items():
        line = check.line_of(states_node, state)
        state_lines[state] = line
        spec = check.mapping(spec, f"state '{state}'", line) or _Node()
        for key in spec:
            if key not in {*LOCALES, *STATE_FLAGS}:
                check.fault(check.line_of(spec, key), f"state '{state}': unknown key '{key}'; "
                                                      f"known: {', '.join((*LOCALES, *STATE_FLAGS))}")
            elif key in STATE_FLAGS and not isinstance(spec[key], bool):
                check.fault(check.line_of(spec, key), f"state '{state}': '{key}' must be true or false")
        states[state] = {"labels": check.labels(spec, f"state '{state}'", line),
                         **{flag: spec.get(flag) is True for flag in STATE_FLAGS}}
        flags = states[state]
        if flags["dead"] and not flags["final"]:
            check.fault(line, f"state '{state}': only a final state can be dead")
        if flags["honoured"] and (not flags["final"] or flags["dead"]):
            check.fault(line, f"state '{state}': an honoured state is final and not dead")
        if flags["decided"] and flags["dead"]:
            check.fault(line, f"state '{state}': a decided state cannot be dead")
        if flags["voting"] and flags["final"]:
            check.fault(line, f"state '{state}': the council cannot vote in a final state")
        if flags["pending"] and (flags["final"] or flags["honoured"] or flags["voting"] or flags["editable"]):
            check.fault(line, f"state '{state}': a pending state waits for an answer: it is neither final, honoured, "
                              "voting nor editable")
    initial = top.get("initial")
    if initial not in states:
        check.fault(check.line_of(top, "initial") or 1, f"'initial' names an unknown state '{initial}'")

    events_node = check.mapping(top.get("events"), "'events'", check.line_of(top, "events") or 1) or _Node()
    event_labels = {event: check.labels(spec, f"event '{event}'", check.line_of(events_node, event))
                    for event, spec in events_node.items()}
    queues_node = check.mapping(top.get("queues", _Node()), "'queues'", check.line_of(top, "queues") or 1) or _Node()
    queue_labels = {queue: check.labels(spec, f"queue '{queue}'", check.line_of(queues_node, queue))
                    for queue, spec in queues_node.items()}

    fields = _parse_fields(check, top)

    steps: list[Step] = []
    step_lines: list[int] = []
    steps_node = top.get("steps")
    if not isinstance(steps_node, list) or not steps_node:
        check.fault(check.line_of(top, "steps") or 1, "'steps' must be a list of steps")
        steps_node = []
    for item in steps_node:
        step = _parse_step(check, item, states, event_labels, queue_labels)
        if step is not None:
            steps.append(step)
            step_lines.append(item.line)
    # The graph is judged only when every step could be read: a refused step would make states look unreachable.
    whole = len(steps) == len(steps_node)

    by_event_and_source: dict[tuple[str, str], Step] = {}
    for step, line in zip(steps, step_lines, strict=True):
        key = (step.event, step.source)
        if key in by_event_and_source:
            check.fault(line, f"two steps with the event '{step.event}' from '{step.source}'")
        by_event_and_source.setdefault(key, step)
    queues: dict[tuple[str, str], tuple[str, int]] = {}
    for step, line in zip(steps, step_lines, strict=True):
        if step.queue is None:
            continue
        earlier = queues.setdefault((step.source, step.role), (step.queue, line))
        if earlier[0] != step.queue:
            check.fault(line, f"the {step.role}'s dossiers in '{step.source}' are in the queue '{earlier[0]}' "
                              f"(line {earlier[1]}), not '{step.queue}'")
    if initial in states and steps and whole:
        reached = {initial}
        queue = deque([initial])
        while queue:
            state = queue.popleft()
            for step in steps:
                if step.source == state and step.dest not in reached:
                    reached.add(step.dest)
                    queue.append(step.dest)
        for state in states:
            if state not in reached:
                check.fault(state_lines[state], f"state '{state}' cannot be reached from '{initial}'")
        for state, spec in states.items():
            if not spec["final"] and not any(step.source == state for step in steps):
                check.fault(state_lines[state], f"state '{state}' is not final and has no step out of it")
        for state, spec in states.items():
            for step in (step for step in steps if step.source == state and spec["final"]):
                if not spec["honoured"]:
                    check.fault(state_lines[state], f"state '{state}' is final but a step leaves it")
                elif not states[step.dest]["dead"]:
                    check.fault(state_lines[state], f"state '{state}' is honoured: a step may leave it only towards "
                                                    f"a dead state (the award revoked), not '{step.dest}'")
    for event in event_labels if whole else ():
        if not any(step.event == event for step in steps):
            check.fault(check.line_of(events_node, event), f"event '{event}' is used by no step")
    for queue in queue_labels if whole else ():
        if not any(step.queue == queue for step in steps):
            check.fault(check.line_of(queues_node, queue), f"queue '{queue}' is named by no step")
    if whole:
        _check_batches(check, initial, states, steps, step_lines)
    for step, line in zip(steps, step_lines, strict=True):
        counted = sorted(VOTE_RULES.intersection(step.rules))
        if counted and not states[step.source]["voting"]:
            check.fault(line, f"rule '{counted[0]}' counts the council's vote, but '{step.source}' is not a "
                              "voting state (voting: true)")
        if step.effect("open_disclosure") is not None and DISCLOSURE_RULE not in step.rules:
            check.fault(line, f"effect 'open_disclosure' needs the rule '{DISCLOSURE_RULE}', which refuses an award "
                              "type with no disclosure window")
        if step.effect("record_revocation") is not None and not states[step.source]["honoured"]:
            check.fault(line, f"effect 'record_revocation' revokes an award, but '{step.source}' is not an honoured "
                              "state")
        if step.effect("reset_vote") is not None and not states[step.dest]["voting"]:
            check.fault(line, f"effect 'reset_vote' leads to '{step.dest}', which is not a voting state (voting: true)")
        recorded = step.effect("record_date")
        if recorded is not None:
            target = next((item for item in fields if item.name == recorded.get("field")), None)
            if target is None or target.type != "date" or not target.recorded:
                check.fault(line, f"effect 'record_date' needs 'field': a field of type date with recorded: true, "
                                  f"not '{recorded.get('field')}'")
            if not any(item.name == "date" and item.required for item in step.inputs):
                check.fault(line, "effect 'record_date' needs the input 'date', required")
    if check.faults:
        raise ProcedureError(check.faults)

    state_names = tuple(states)
    machine = Machine(model=None, states=list(state_names), initial=initial, auto_transitions=False,
                      transitions=[{"trigger": s.event, "source": s.source, "dest": s.dest} for s in steps])
    return Procedure(
        code=code, version=version, title=title, initial=initial, states=state_names,
        final_states=frozenset(s for s, spec in states.items() if spec["final"]),
        dead_states=frozenset(s for s, spec in states.items() if spec["dead"]),
        editable_states=frozenset(s for s, spec in states.items() if spec["editable"]),
        decided_states=frozenset(s for s, spec in states.items()
                                 if spec["decided"] or spec["honoured"] or spec["pending"]),
        honoured_states=frozenset(s for s, spec in states.items() if spec["honoured"]),
        voting_states=frozenset(s for s, spec in states.items() if spec["voting"]),
        pending_states=frozenset(s for s, spec in states.items() if spec["pending"]),
        state_labels={s: spec["labels"] for s, spec in states.items()}, event_labels=event_labels,
        steps=tuple(steps), source=name, queue_labels=queue_labels, fields=fields,
        step_by_event_and_source=by_event_and_source,
        machine=machine)


def _parse_fields(check: _Checker, top: _Node) -> tuple[Field, ...]:
    """The file's `fields`: what its dossiers hold besides the nominee."""
    node = check.mapping(top.get("fields", _Node()), "'fields'", check.line_of(top, "fields") or 1) or _Node()
    result = []
    for name, spec in node.items():
        line = check.line_of(node, name)
        if not isinstance(name, str) or not FIELD_NAME.match(name):
            check.fault(line, f"field '{name}': a name is lower-case letters, digits and '_', from a letter")
            continue
        spec = check.mapping(spec, f"field '{name}'", line) or _Node()
        for key in spec:
            if key not in FIELD_KEYS:
                check.fault(check.line_of(spec, key), f"field '{name}': unknown key '{key}'; "
                                                      f"known: {', '.join(sorted(FIELD_KEYS))}")
        kind = spec.get("type")
        if kind not in FIELD_TYPES:
            check.fault(check.line_of(spec, "type") if "type" in spec else line,
                        f"field '{name}': 'type' must be one of {', '.join(FIELD_TYPES)}")
            continue
        label = check.labels(spec, f"field '{name}'", line)
        flags = {}
        for flag in ("required", "recorded"):
            if flag in spec and not isinstance(spec[flag], bool):
                check.fault(check.line_of(spec, flag), f"field '{name}': '{flag}' must be true or false")
            flags[flag] = spec.get(flag) is True
        if flags["required"] and flags["recorded"]:
            check.fault(line, f"field '{name}': a recorded field is written by a step, so it cannot be required")
        if flags["recorded"] and kind != "date":
            check.fault(line, f"field '{name}': only a date can be recorded by a step")
        bounds = {}
        for key in ("min", "max"):
            value = spec.get(key)
            if value is None:
                continue
            if kind not in ("text", "int"):
                check.fault(check.line_of(spec, key), f"field '{name}': '{key}' is only for text and int fields")
            elif not isinstance(value, int) or isinstance(value, bool) or (kind == "text" and value < 0):
                check.fault(check.line_of(spec, key), f"field '{name}': '{key}' must be a whole number")
            else:
                bounds[key] = value
        if kind == "text":
            bounds.setdefault("max", TEXT_FIELD_MAX)
        if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
            check.fault(line, f"field '{name}': 'min' is above 'max'")
        choices = []
        if kind == "choice":
            choices_node = spec.get("choices")
            if not isinstance(choices_node, dict) or not choices_node:
                check.fault(check.line_of(spec, "choices") if "choices" in spec else line,
                            f"field '{name}': a choice needs 'choices', a mapping of code: {{vi, en}}")
            else:
                for code, labels in choices_node.items():
                    if not isinstance(code, str) or not UNIT_CODE.match(code):
                        check.fault(check.line_of(choices_node, code), f"field '{name}': choice '{code}' is not a "
                                                                       "code (lower-case letters, digits, '-', '_')")
                    choices.append((str(code), check.labels(labels, f"choice '{code}' of field '{name}'",
                                                            check.line_of(choices_node, code))))
        elif "choices" in spec:
            check.fault(check.line_of(spec, "choices"), f"field '{name}': 'choices' is only for a choice")
        result.append(Field(name, kind, label, flags["required"], flags["recorded"], bounds.get("min"),
                            bounds.get("max"), tuple(choices)))
    return tuple(result)


STEP_KEYS = {"event", "from", "to", "role", "scope", "rules", "inputs", "effects", "notify", "queue", "style", "label",
             "outcome", "parties", "batch"}


def _parse_step(check: _Checker, node, states: dict, event_labels: dict, queue_labels: dict) -> Step | None:
    line = getattr(node, "line", 0)
    node = check.mapping(node, "a step", line)
    if node is None:
        return None
    for key in node:
        if key not in STEP_KEYS:
            check.fault(check.line_of(node, key), f"unknown key '{key}' in a step")
    before = len(check.faults)
    event = node.get("event")
    if event not in event_labels:
        check.fault(check.line_of(node, "event") or line, f"unknown event '{event}' (declare it under 'events')")
    for key in ("from", "to"):
        if node.get(key) not in states:
            check.fault(check.line_of(node, key) or line, f"unknown state '{node.get(key)}' in '{key}'")
    role = node.get("role")
    if role not in ROLES:
        check.fault(check.line_of(node, "role") or line, f"unknown role '{role}'; known: {', '.join(ROLES)}")
    scope = node.get("scope", ANYONE_WITH_ROLE)
    if scope not in SCOPES:
        check.fault(check.line_of(node, "scope"), f"unknown scope '{scope}'; known: {', '.join(SCOPES)}")
    rules = node.get("rules", [])
    if not isinstance(rules, list):
        check.fault(check.line_of(node, "rules"), "'rules' must be a list")
        rules = []
    for code in rules:
        if code not in RULE_CODES:
            check.fault(getattr(rules, "line", line), f"unknown rule '{code}'")
    parties = _parse_parties(check, node, scope, line)
    if scope == EACH_PARTY and ONE_OPINION_PER_PARTY not in rules:
        rules = [*rules, ONE_OPINION_PER_PARTY]
    if scope != EACH_PARTY and ONE_OPINION_PER_PARTY in rules:
        check.fault(getattr(rules, "line", line), f"rule '{ONE_OPINION_PER_PARTY}' is only for a step of scope "
                                                  f"'{EACH_PARTY}'")
    if scope == EACH_PARTY and node.get("from") == node.get("to"):
        check.fault(check.line_of(node, "to") or line, f"a step of scope '{EACH_PARTY}' must lead to another state: "
                                                       "its opinions are recorded in the state it leaves")
    inputs = []
    inputs_node = node.get("inputs", _Node())
    if check.mapping(inputs_node, "'inputs'", check.line_of(node, "inputs")) is not None:
        for name, spec in inputs_node.items():
            input_line = check.line_of(inputs_node, name)
            if name not in INPUT_TYPES:
                check.fault(input_line, f"unknown input '{name}'; known: {', '.join(INPUT_TYPES)}")
                continue
            spec = check.mapping(spec, f"input '{name}'", input_line) or _Node()
            for key in spec:
                if key not in INPUT_KEYS:
                    check.fault(check.line_of(spec, key), f"input '{name}': unknown key '{key}'")
            kind = spec.get("type", INPUT_TYPES[name])
            if kind != INPUT_TYPES[name]:
                check.fault(input_line, f"input '{name}' is of type '{INPUT_TYPES[name]}', not '{kind}'")
            if spec.get("per_document") is True and name != "comment":
                check.fault(input_line, f"only the comment can be asked per document, not '{name}'")
            inputs.append(Input(name, INPUT_TYPES[name], spec.get("required") is True,
                                spec.get("per_document") is True))
    declared = {item.name for item in inputs}
    for code in rules if isinstance(rules, list) else ():
        for name in INPUT_RULES.get(code, ()):
            if name not in declared:
                check.fault(getattr(rules, "line", line), f"rule '{code}' checks the input '{name}', "
                                                          "which the step does not declare under 'inputs'")
    effects = []
    effects_node = node.get("effects", [])
    if not isinstance(effects_node, list):
        check.fault(check.line_of(node, "effects"), "'effects' must be a list")
        effects_node = []
    for item in effects_node:
        name, params = (item, _Node()) if isinstance(item, str) else (next(iter(item), None), next(
            iter(item.values()), None) or _Node()) if isinstance(item, dict) and len(item) == 1 else (None, None)
        effect_line = getattr(item, "line", 0) or getattr(effects_node, "line", line)
        if name not in EFFECTS:
            check.fault(effect_line, f"unknown effect '{name}'; known: {', '.join(EFFECTS)}")
            continue
        if not isinstance(params, dict) or any(key not in EFFECTS[name] for key in params):
            check.fault(effect_line, f"effect '{name}' takes only: {', '.join(EFFECTS[name]) or 'nothing'}")
            continue
        if name == "set_due_date":
            days = params.get("working_days")
            if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 250:
                check.fault(effect_line, "set_due_date needs working_days, a whole number from 1 to 250")
                continue
        effects.append((name, tuple(sorted(params.items()))))
    notify = node.get("notify")
    if notify is not None and notify not in AUDIENCES:
        check.fault(check.line_of(node, "notify"), f"unknown audience '{notify}'; known: {', '.join(AUDIENCES)}")
    queue = node.get("queue")
    if queue is not None and (not isinstance(queue, str) or queue not in queue_labels):
        check.fault(check.line_of(node, "queue"), f"unknown queue '{queue}' (declare it under 'queues')")
    style = node.get("style", "primary")
    if style not in STEP_STYLES:
        check.fault(check.line_of(node, "style"), f"unknown style '{style}'; known: {', '.join(STEP_STYLES)}")
    label = check.labels(node["label"], "a step's 'label'", check.line_of(node, "label")) if "label" in node else None
    outcome = (check.labels(node["outcome"], "a step's 'outcome'", check.line_of(node, "outcome"))
               if "outcome" in node else None)
    batch = node.get("batch")
    if batch is not None and batch not in BATCHES:
        check.fault(check.line_of(node, "batch"), f"unknown batch '{batch}'; known: {', '.join(BATCHES)}")
    if len(check.faults) > before:
        return None
    return Step(event=event, source=node["from"], dest=node["to"], role=role, scope=scope, rules=tuple(rules),
                inputs=tuple(inputs), effects=tuple(effects), notify=notify, queue=queue, style=style, label=label,
                outcome=outcome, parties=parties, batch=batch)


def _check_batches(check: _Checker, initial: str, states: dict, steps: list[Step], lines: list[int]) -> None:
    """Each batch action takes one step from a state at most, and the step is one it can take (BATCHES)."""
    seen: dict[tuple[str, str], int] = {}
    packet_states = {step.dest for step in steps if step.batch == "unit_packet"}
    forwarded_states = {step.dest for step in steps if step.batch == "forwarding"}
    answered = {(step.batch, step.source) for step in steps if step.batch in ANSWERS}
    for step, line in zip(steps, lines, strict=True):
        if step.batch is None:
            continue
        earlier = seen.setdefault((step.batch, step.source), line)
        if earlier != line:
            check.fault(line, f"batch '{step.batch}' already takes the step on line {earlier} from '{step.source}'")
        elif step.batch == "unit_packet" and (step.source != initial or step.scope != SUBMITTER_OF_UNIT):
            check.fault(line, f"batch 'unit_packet' is the unit's step (scope {SUBMITTER_OF_UNIT}) from the initial "
                              f"state '{initial}'")
        elif step.batch in ("packet_acceptance", "packet_return") and step.source not in packet_states:
            check.fault(line, f"batch '{step.batch}' starts where a 'unit_packet' step leads, not at '{step.source}'")
        elif step.batch == "packet_acceptance" and (states[step.dest]["editable"] or states[step.dest]["dead"]):
            check.fault(line, f"batch 'packet_acceptance' leads on, not back to the unit or to a dead state "
                              f"('{step.dest}')")
        elif step.batch == "packet_return" and not states[step.dest]["editable"]:
            check.fault(line, f"batch 'packet_return' gives the dossier back to the unit: '{step.dest}' is not "
                              "editable")
        elif step.batch == "council_session" and not VOTE_RULES.intersection(step.rules):
            check.fault(line, f"batch 'council_session' approves on the council's tally: the step needs a vote rule "
                              f"({', '.join(sorted(VOTE_RULES))})")
        elif step.batch == "disclosure" and step.effect("open_disclosure") is None:
            check.fault(line, "batch 'disclosure' makes dossiers public: the step needs the effect 'open_disclosure'")
        elif step.batch == "decision" and step.effect("record_decision") is None:
            check.fault(line, "batch 'decision' confers by a recorded decision: the step needs the effect "
                              "'record_decision'")
        elif step.batch == "forwarding" and not {(batch, step.dest) for batch in ANSWERS} <= answered:
            check.fault(line, f"batch 'forwarding' leads where the answer is recorded: a 'decision' step and a "
                              f"'forwarding_refusal' step must leave '{step.dest}'")
        elif step.batch == "forwarding_refusal" and step.source not in forwarded_states:
            check.fault(line, f"batch 'forwarding_refusal' starts where a 'forwarding' step leads, not at "
                              f"'{step.source}'")
        elif step.batch == "forwarding_refusal" and not any(
                item.name == "comment" and item.required for item in step.inputs):
            check.fault(line, "batch 'forwarding_refusal' records the answer: the step needs the required input "
                              "'comment'")


def _parse_parties(check: _Checker, node: _Node, scope: str, line: int) -> tuple[str, ...]:
    """The step's `parties`: unit codes, given for the scopes party and each_party only."""
    parties = node.get("parties")
    where = check.line_of(node, "parties") or line
    if scope not in (PARTY, EACH_PARTY):
        if parties is not None:
            check.fault(where, f"'parties' is only for the scopes '{PARTY}' and '{EACH_PARTY}'")
        return ()
    least = 2 if scope == EACH_PARTY else 1
    if not isinstance(parties, list) or len(parties) < least:
        check.fault(where, f"scope '{scope}' needs 'parties': a list of at least {least} unit code"
                           + ("s" if least > 1 else "") + " (e.g. [van-phong, ban-xdtc])")
        return ()
    for code in parties:
        if not isinstance(code, str) or not UNIT_CODE.match(code):
            check.fault(where, f"'{code}' in 'parties' is not a unit code (lower-case letters, digits, '-', '_')")
    if len(set(map(str, parties))) != len(parties):
        check.fault(where, "a unit is named twice in 'parties'")
    return tuple(map(str, parties))


def load_file(path: Path) -> Procedure:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ProcedureError([(str(path), 0, f"cannot be read: {error}")]) from None
    return parse(text, str(path))


# The loaded procedures ----------------------------------------------------------------------------

class Catalogue:
    """Every procedure version the app runs, by code and version."""

    def __init__(self, procedures: list[Procedure]):
        self.by_key = {(p.code, p.version): p for p in procedures}
        self.latest = {}
        for procedure in sorted(procedures, key=lambda p: p.version):
            self.latest[procedure.code] = procedure

    def get(self, code: str, version: int) -> Procedure:
        return self.by_key[(code, version)]

    def current(self, code: str) -> Procedure:
        """The version new dossiers take."""
        return self.latest[code]

    def __iter__(self):
        return iter(sorted(self.by_key.values(), key=lambda p: (p.code, p.version)))

    @property
    def events(self) -> tuple[str, ...]:
        """Every event of every loaded procedure."""
        return tuple(dict.fromkeys(event for procedure in self for event in procedure.events))

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(state for procedure in self for state in procedure.states))

    def nearest(self, code: str, version: int) -> Procedure | None:
        """Version `version` of procedure `code`, or, its file gone (its dossiers have all finished), the newest
        loaded version of `code`."""
        return self.by_key.get((code, version)) or next(iter(self.versions(code)), None)

    def versions(self, code: str) -> list[Procedure]:
        """The loaded versions of procedure `code`, newest first."""
        return sorted((p for p in self if p.code == code), key=lambda p: -p.version)

    def states_of(self, code: str, attribute: str) -> frozenset[str]:
        """The states that are `attribute` (e.g. "dead_states") in some loaded version of procedure `code`:
        a dossier of a version whose file is gone (a finished one) is judged by its procedure's other versions."""
        return frozenset(state for p in self.versions(code) for state in getattr(p, attribute))

    def union(self, attribute: str) -> frozenset[str]:
        """`attribute` (e.g. "due_states") of every loaded procedure together."""
        return frozenset(name for procedure in self for name in getattr(procedure, attribute))

    def columns(self, codes=None) -> tuple[str, ...]:
        """The count columns (`Procedure.columns`) of the procedures `codes` (all by default), newest version
        first, each state once."""
        return tuple(dict.fromkeys(state for code in (self.latest if codes is None else codes)
                                   for procedure in self.versions(code) for state in procedure.columns))

    def tone(self, state: str) -> str:
        """`Procedure.tone` of `state` in the newest procedure that has it (where the dossier's is not known)."""
        for procedure in sorted(self, key=lambda p: -p.version):
            if state in procedure.state_labels:
                return procedure.tone(state)
        return "open"

    def label_translations(self, locale: str) -> dict[str, str]:
        """Each label's English text (its message id) and its text in `locale`."""
        table = {}
        for procedure in self:
            for labels in [procedure.title, *procedure.state_labels.values(), *procedure.event_labels.values(),
                           *procedure.queue_labels.values(), *(step.label for step in procedure.steps if step.label),
                           *(step.outcome for step in procedure.steps if step.outcome),
                           *(item.label for item in procedure.fields),
                           *(labels for item in procedure.fields for _, labels in item.choices)]:
                table[labels["en"]] = labels.get(locale, labels["en"])
        return table

    def state_label(self, state: str) -> str:
        for procedure in self:
            if state in procedure.state_labels:
                return procedure.state_label(state)
        return state

    def event_label(self, event: str) -> str:
        for procedure in self:
            if event in procedure.event_labels:
                return procedure.event_label(event)
        return event

    def step_label(self, event: str, source: str | None) -> str:
        """The label of the step `event` takes from `source` (its own, or its event's)."""
        for procedure in self:
            step = procedure.step_by_event_and_source.get((event, source))
            if step is not None:
                return procedure.step_label(step)
        return self.event_label(event)

    def outcome_label(self, event: str, source: str | None, state: str) -> str:
        """What `state` is called when the step `event` takes from `source` brought the dossier there."""
        for procedure in self:
            step = procedure.step_by_event_and_source.get((event, source))
            if step is not None and step.dest == state:
                return procedure.outcome_label(step)
        return self.state_label(state)

    def queue_label(self, queue: str) -> str:
        for procedure in self:
            if queue in procedure.queue_labels:
                return procedure.queue_label(queue)
        return queue


def load_directory(directory: Path | str) -> Catalogue:
    """Every `*.yaml` file of `directory`; refuses them all if one is faulty or two share a code and version."""
    directory = Path(directory)
    faults: list[tuple[str, int, str]] = []
    procedures: dict[tuple[str, int], Procedure] = {}
    files = sorted(directory.glob("*.yaml")) if directory.is_dir() else []
    if not files:
        raise ProcedureError([(str(directory), 0, "no procedure files (*.yaml) there")])
    for path in files:
        try:
            procedure = load_file(path)
        except ProcedureError as error:
            faults.extend(error.faults)
            continue
        key = (procedure.code, procedure.version)
        if key in procedures:
            faults.append((str(path), 1, f"{procedure.code} version {procedure.version} is also declared in "
                                         f"{procedures[key].source}"))
        procedures[key] = procedure
    if REFERENCE_CODE not in {code for code, _ in procedures} and not faults:
        faults.append((str(directory), 0, f"the reference procedure '{REFERENCE_CODE}' is missing"))
    if faults:
        raise ProcedureError(faults)
    return Catalogue(list(procedures.values()))


_loaded = {"catalogue": None}


def catalogue() -> Catalogue:
    """The procedures the app runs: those of its PROCEDURES_DIR once it has started, the shipped ones before."""
    if _loaded["catalogue"] is None:
        _loaded["catalogue"] = load_directory(PROCEDURES_DIR)
    return _loaded["catalogue"]


def install(loaded: Catalogue) -> Catalogue:
    """Make `loaded` the procedures the app runs; returns the ones it ran before."""
    before = catalogue()
    _loaded["catalogue"] = loaded
    return before


def describe(procedure: Procedure) -> str:
    """A procedure as `procedures show` prints it."""
    lines = [f"{procedure.code} v{procedure.version}: {procedure.title['en']} / {procedure.title['vi']}",
             f"  file: {procedure.source}", "  states:"]
    for state in procedure.states:
        marks = [word for word, flag in (("initial", state == procedure.initial),
                                         ("final", state in procedure.final_states),
                                         ("dead", state in procedure.dead_states),
                                         ("editable", state in procedure.editable_states),
                                         ("decided", state in procedure.decided_states),
                                         ("honoured", state in procedure.honoured_states),
                                         ("voting", state in procedure.voting_states),
                                         ("pending", state in procedure.pending_states)) if flag]
        labels = procedure.state_labels[state]
        lines.append(f"    {state:<16} {labels['vi']} / {labels['en']}" + (f"  [{', '.join(marks)}]" if marks else ""))
    if procedure.fields:
        lines.append("  fields:")
    for item in procedure.fields:
        marks = [word for word, flag in (("required", item.required), ("recorded", item.recorded)) if flag]
        marks += [f"{key} {value}" for key, value in (("min", item.minimum), ("max", item.maximum))
                  if value is not None]
        marks += [f"choices {', '.join(code for code, _labels in item.choices)}"] if item.choices else []
        lines.append(f"    {item.name:<16} {item.type}: {item.label['vi']} / {item.label['en']}"
                     + (f"  [{'; '.join(marks)}]" if marks else ""))
    lines.append("  steps:")
    for step in procedure.steps:
        extras = [f"label: {step.label['en']} / {step.label['vi']}" if step.label else "",
                  f"style: {step.style}" if step.style != "primary" else "",
                  f"rules: {', '.join(step.rules)}" if step.rules else "",
                  f"effects: {', '.join(name for name, _ in step.effects)}" if step.effects else "",
                  f"notify: {step.notify}" if step.notify else "",
                  f"parties: {', '.join(step.parties)}" if step.parties else ""]
        lines.append(f"    {step.event:<10} {step.source} -> {step.dest} ({step.role}, {step.scope})"
                     + "".join(f"; {extra}" for extra in extras if extra))
    return "\n".join(lines)

