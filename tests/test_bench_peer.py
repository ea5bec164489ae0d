"""The peer benchmark's BPMN model is the reference workflow: the same steps, and nothing else."""
import ast

import pytest
from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.defaults import UserTask
from SpiffWorkflow.exceptions import WorkflowException

from bench.peer import SERIALIZER, load_spec, state_of
from workflow.definition import FINAL_STATES, STATES, STEPS


def decision_of(expression: str) -> str:
    """The event in a flow's condition, which reads `decision == "event"`."""
    comparison = ast.parse(expression, mode="eval").body
    assert isinstance(comparison, ast.Compare) and comparison.left.id == "decision"
    return comparison.comparators[0].value


def test_the_model_has_the_reference_steps():
    spec = load_spec()
    waiting = {name for name, task_spec in spec.task_specs.items() if isinstance(task_spec, UserTask)}
    steps = set()
    for name in waiting:
        (gateway,) = spec.task_specs[name].outputs
        steps |= {(decision_of(condition.args[0]), name, target) for condition, target in gateway.cond_task_specs}
    assert waiting == set(STATES) - FINAL_STATES
    assert steps == {(step.event, step.source, step.dest) for step in STEPS}


def run_events(events: list[str]) -> BpmnWorkflow:
    workflow = BpmnWorkflow(load_spec())
    workflow.do_engine_steps()
    for event in events:
        workflow = SERIALIZER.deserialize_json(SERIALIZER.serialize_json(workflow))
        task = workflow.get_next_task(state=TaskState.READY, manual=True)
        task.data["decision"] = event
        task.run()
        workflow.do_engine_steps()
    return workflow


def test_a_returned_dossier_goes_round_again_and_ends_in_its_final_state():
    workflow = run_events(["submit", "accept", "return", "resubmit", "accept", "recommend", "approve", "forward",
                           "decline"])
    assert workflow.is_completed()
    assert state_of(workflow) == "declined"


def test_an_event_that_does_not_leave_the_state_is_refused():
    with pytest.raises(WorkflowException):
        run_events(["submit", "approve"])
