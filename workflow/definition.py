"""The reference workflow, declared once.

Everything else (the shared state machine, the permission checks, the diagram on the dossier
page, the tests' expectations) is derived from these tables.
"""
from dataclasses import dataclass

from workflow.i18n import N_

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

STATES = (
    DRAFT, SUBMITTED, RETURNED, IN_APPRAISAL, COUNCIL_REVIEW, APPROVED, FORWARDED,
    CONFERRED, REJECTED, DECLINED, WITHDRAWN,
)
FINAL_STATES = frozenset({CONFERRED, REJECTED, DECLINED, WITHDRAWN})
# States in which a dossier no longer counts against quotas or blocks a duplicate nomination.
DEAD_STATES = frozenset({WITHDRAWN, REJECTED, DECLINED})
EDITABLE_STATES = frozenset({DRAFT, RETURNED})

STATE_LABELS = {
    DRAFT: N_("Draft"),
    SUBMITTED: N_("Submitted"),
    RETURNED: N_("Returned for supplement"),
    IN_APPRAISAL: N_("In appraisal"),
    COUNCIL_REVIEW: N_("Council review"),
    APPROVED: N_("Approved"),
    FORWARDED: N_("Forwarded to higher authority"),
    CONFERRED: N_("Conferred"),
    REJECTED: N_("Not recommended"),
    DECLINED: N_("Declined by higher authority"),
    WITHDRAWN: N_("Withdrawn"),
}

ROLES = ("submitter", "office", "appraiser", "council", "chair", "admin")
ROLE_LABELS = {
    "submitter": N_("Submitter"),
    "office": N_("Office"),
    "appraiser": N_("Appraiser"),
    "council": N_("Council member"),
    "chair": N_("Chair"),
    "admin": N_("Administrator"),
}

# Who, relative to the dossier, may fire a step:
#   own_unit     a submitter of the dossier's unit
#   any          anyone holding the role
#   responsible  an appraiser of the department responsible for the award type
SUBMITTER_OF_UNIT = "own_unit"
ANYONE_WITH_ROLE = "any"
RESPONSIBLE_DEPARTMENT = "responsible"


@dataclass(frozen=True)
class Step:
    event: str
    source: str
    dest: str
    role: str
    scope: str = ANYONE_WITH_ROLE
    rules: tuple[str, ...] = ()


SUBMIT_RULES = ("unit_active", "campaign_open", "deadline", "required_documents", "quota", "duplicate_nominee")
RESUBMIT_RULES = ("unit_active", "campaign_open", "due_date", "required_documents", "quota", "duplicate_nominee")

STEPS: tuple[Step, ...] = (
    Step("submit", DRAFT, SUBMITTED, "submitter", SUBMITTER_OF_UNIT, SUBMIT_RULES),
    Step("withdraw", DRAFT, WITHDRAWN, "submitter", SUBMITTER_OF_UNIT),
    Step("withdraw", SUBMITTED, WITHDRAWN, "submitter", SUBMITTER_OF_UNIT),
    Step("withdraw", RETURNED, WITHDRAWN, "submitter", SUBMITTER_OF_UNIT),
    Step("accept", SUBMITTED, IN_APPRAISAL, "office", rules=("required_documents",)),
    Step("return", SUBMITTED, RETURNED, "office", rules=("reason_required", "due_date_valid")),
    Step("return", IN_APPRAISAL, RETURNED, "appraiser", RESPONSIBLE_DEPARTMENT,
         ("conflict_of_interest", "reason_required", "due_date_valid")),
    Step("return", COUNCIL_REVIEW, RETURNED, "chair",
         rules=("conflict_of_interest", "reason_required", "due_date_valid")),
    Step("resubmit", RETURNED, SUBMITTED, "submitter", SUBMITTER_OF_UNIT, RESUBMIT_RULES),
    Step("recommend", IN_APPRAISAL, COUNCIL_REVIEW, "appraiser", RESPONSIBLE_DEPARTMENT,
         ("conflict_of_interest", "note_required")),
    Step("reject", IN_APPRAISAL, REJECTED, "appraiser", RESPONSIBLE_DEPARTMENT,
         ("conflict_of_interest", "reason_required")),
    Step("reject", COUNCIL_REVIEW, REJECTED, "chair", rules=("conflict_of_interest", "reason_required")),
    Step("approve", COUNCIL_REVIEW, APPROVED, "chair", rules=("conflict_of_interest", "vote_quorum", "vote_threshold")),
    Step("forward", APPROVED, FORWARDED, "office", rules=("forwarded_type",)),
    Step("confer", APPROVED, CONFERRED, "office", rules=("city_level_type", "decision_required")),
    Step("confer", FORWARDED, CONFERRED, "office", rules=("decision_required",)),
    Step("decline", FORWARDED, DECLINED, "office", rules=("answer_required",)),
)

EVENTS = tuple(dict.fromkeys(step.event for step in STEPS))
EVENT_LABELS = {
    "submit": N_("Submit"),
    "withdraw": N_("Withdraw"),
    "accept": N_("Accept for appraisal"),
    "return": N_("Return for supplement"),
    "resubmit": N_("Resubmit"),
    "recommend": N_("Recommend to the council"),
    "reject": N_("Reject"),
    "approve": N_("Approve"),
    "forward": N_("Forward to higher authority"),
    "confer": N_("Record the award decision"),
    "decline": N_("Record the refusal"),
}
# History rows that are not transitions: changes to a dossier's content.
CONTENT_EVENT_LABELS = {
    "edit": N_("Edited"),
    "add_document": N_("Document added"),
    "remove_document": N_("Document removed"),
}

STEP_BY_EVENT_AND_SOURCE = {(step.event, step.source): step for step in STEPS}

# Who gets a notice when a dossier enters a state.
NOTICE_AUDIENCE = {
    SUBMITTED: "office",
    IN_APPRAISAL: "appraisers",
    COUNCIL_REVIEW: "council",
    RETURNED: "submitters",
    APPROVED: "submitters",
    REJECTED: "submitters",
    CONFERRED: "submitters",
    DECLINED: "submitters",
    FORWARDED: "submitters",
}

RETURN_DUE_DAYS = 7
