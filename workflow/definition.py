"""The reference workflow, as the rest of the code names it: derived from the reference procedure file.

The procedure itself is data (workflow/procedures/reference-v1.yaml, read by workflow.procedure); this
module gives its states, steps and labels the names the other modules import. A dossier moves on the
procedure version it was created under (`workflow.procedure.catalogue()`), which may differ.
"""
from workflow.i18n import N_
from workflow.procedure import (  # noqa: F401 - re-exported names
    ANYONE_WITH_ROLE, RESPONSIBLE_DEPARTMENT, ROLES, SUBMITTER_OF_UNIT, Input, Step, catalogue,
)

REFERENCE = catalogue().current("reference")

DRAFT = "draft"
SUBMITTED = "submitted"
RETURNED = "returned"
IN_APPRAISAL = "in_appraisal"
COUNCIL_REVIEW = "council_review"
APPROVED = "approved"
FORWARDED = "forwarded"
CONFERRED = "conferred"
REJECTED = "rejected"
DECLINED = "declined"
WITHDRAWN = "withdrawn"

STATES = REFERENCE.states
FINAL_STATES = REFERENCE.final_states
# States in which a dossier no longer counts against quotas or blocks a duplicate nomination.
DEAD_STATES = REFERENCE.dead_states
EDITABLE_STATES = REFERENCE.editable_states

# English labels: the message ids that the pages translate with the procedure files' own labels.
STATE_LABELS = {state: REFERENCE.state_label(state) for state in STATES}

ROLE_LABELS = {
    "submitter": N_("Submitter"),
    "office": N_("Office"),
    "appraiser": N_("Appraiser"),
    "council": N_("Council member"),
    "chair": N_("Chair"),
    "admin": N_("Administrator"),
}

STEPS: tuple[Step, ...] = REFERENCE.steps
EVENTS = REFERENCE.events
EVENT_LABELS = {event: REFERENCE.event_label(event) for event in EVENTS}
# History rows that are not transitions: changes to a dossier's content.
CONTENT_EVENT_LABELS = {
    "edit": N_("Edited"),
    "add_document": N_("Document added"),
    "remove_document": N_("Document removed"),
}

STEP_BY_EVENT_AND_SOURCE = REFERENCE.step_by_event_and_source

# Who gets a notice when a dossier enters a state.
NOTICE_AUDIENCE = {step.dest: step.notify for step in STEPS if step.notify}
