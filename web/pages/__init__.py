"""The reviewers' web pages (server-rendered, Vietnamese by default)."""
from __future__ import annotations

from flask import Blueprint, Flask, has_request_context
from flask_babel import get_locale, gettext
from flask_login import current_user, login_required

from web.diagram import workflow_svg
from web.security import exempt_api_from_csrf, init_security
from workflow.administration import UNIT_KINDS
from workflow.definition import CONTENT_EVENT_LABELS, ROLE_LABELS
from workflow.dossier_fields import shown
from workflow.i18n import N_, Msg, vndate
from workflow.notice_text import resubmit_by
from workflow.notices import unread_count
from workflow.nominees import COLLECTIVE_KINDS
from workflow.permissions import can_see_nominee, holds, may_see_personal_data, require, requires_for

from workflow.procedure import Procedure, Step, catalogue
from workflow.receipts import receipt_code
from workflow.rules import DOCUMENT_LABELS

UNIT_KIND_LABELS = {
    "city": N_("City union"), "department": N_("Department"), "district": N_("District union"),
    "affiliated": N_("Affiliated unit"), "member_org": N_("Member organisation"),
}


def _label(table: dict[str, str]):
    def lookup(code: str | None) -> str:
        return gettext(table[code]) if code in table else (code or "")
    return lookup


# `@requires(capability)` under `@login_required`: a page view refused to those who do not hold it.
requires = requires_for(lambda: current_user)


def can(capability: str) -> bool:
    """For templates: whether the signed-in person holds the capability."""
    return holds(current_user, capability)


def gate(bp: Blueprint, capability: str) -> None:
    """Every page of the blueprint: signed in, and holding the capability."""
    @bp.before_request
    @login_required
    def holders_only():
        require(current_user, capability)

def state_label(state: str | None, procedure: Procedure | None = None) -> str:
    """A state's label in the reader's language: as `procedure` names it, else as the first loaded one does."""
    if not state:
        return ""
    if procedure is not None and state in procedure.state_labels:
        return gettext(procedure.state_label(state))
    return gettext(catalogue().state_label(state))


def event_label(event: str | None) -> str:
    if event in CONTENT_EVENT_LABELS:
        return gettext(CONTENT_EVENT_LABELS[event])
    return gettext(catalogue().event_label(event)) if event else ""


def step_label(procedure: Procedure, step: Step) -> str:
    """What a step's button and page say: its own label (the chair's refusal), else its event's."""
    return gettext(procedure.step_label(step))


def history_label(procedure: Procedure, row) -> str:
    """What a history row says it was: the label of the step it records, or of its event."""
    step = procedure.step_by_event_and_source.get((row.event, row.from_state))
    return step_label(procedure, step) if step is not None else event_label(row.event)


def outcome_label(procedure: Procedure, row) -> str:
    """The state a history row led to, as the step it records names it (the chair's refusal: "Không phê duyệt")."""
    step = procedure.step_by_event_and_source.get((row.event, row.from_state))
    if step is not None and step.dest == row.to_state:
        return gettext(procedure.outcome_label(step))
    return state_label(row.to_state, procedure)


def state_tone(state: str | None, procedure: Procedure | None = None) -> str:
    """The look of a state's badge (tone-… in app.css), from what the state is in `procedure` (or the loaded ones)."""
    if procedure is not None and state in procedure.state_labels:
        return procedure.tone(state)
    return catalogue().tone(state) if state else "open"


def waits_for_unit(state: str | None) -> bool:
    """Whether a dossier in `state` waits for its unit's answer to a return, by a due date."""
    return state in catalogue().union("due_states")


def answer_label(state: str | None) -> str | None:
    """What a dossier in `state` is called when the unit's answer to a return brought it there ("Nộp lại", not
    "Đã nộp"): the outcome of the step from a due state that leads there; None if none does."""
    for procedure in catalogue():
        for step in procedure.steps:
            if step.source in procedure.due_states and step.dest == state and state in procedure.answer_states:
                return gettext(procedure.outcome_label(step))
    return None


def dossier_details(dossier) -> list[tuple[str, str]]:
    """The values of the fields the dossier's procedure asks for, each with its label, in the reader's language."""
    procedure = catalogue().nearest(dossier.procedure, dossier.procedure_version)
    if procedure is None or not dossier.details:
        return []
    rows = []
    for item, value in shown(procedure, dossier.details):
        if item.type == "date":
            value = vndate(value)
        elif item.type == "choice":
            value = gettext(value)
        elif item.type == "int":
            value = f"{value:,}".replace(",", ".")
        rows.append((gettext(item.label["en"]), value))
    return rows


def render_msg(message: Msg) -> str:
    return message.render(gettext)


def page_context() -> dict:
    # Jobs render e-mails with these templates too, outside any request and without a signed-in user.
    signed_in = has_request_context() and current_user.is_authenticated
    unread = unread_count(current_user) if signed_in else 0
    return {"current_locale": str(get_locale() or "vi"), "unread_notices": unread, "all_states": catalogue().states}


def init_pages(app: Flask) -> None:
    from web.pages import (
        account, admin, auth, council, dashboard, decisions, disclosure, dossiers, forwardings, home, inbox, nominees,
        packets, settings,
    )

    for module in (auth, home, dossiers, nominees, inbox, dashboard, settings, admin, account, disclosure, packets,
                   council, decisions, forwardings):
        app.register_blueprint(module.bp)
    init_security(app)
    exempt_api_from_csrf(app)
    app.context_processor(page_context)
    app.jinja_env.globals.update(
        state_label=state_label, event_label=event_label, step_label=step_label, history_label=history_label,
        outcome_label=outcome_label,
        state_tone=state_tone, waits_for_unit=waits_for_unit, resubmit_by=resubmit_by, answer_label=answer_label,
        receipt_code=receipt_code,
        role_label=_label(ROLE_LABELS), document_label=_label(DOCUMENT_LABELS),
        unit_kind_label=_label(UNIT_KIND_LABELS), render_msg=render_msg,
        workflow_svg=workflow_svg, unit_kinds=UNIT_KINDS, can=can, dossier_details=dossier_details,
        collective_kind_label=_label(COLLECTIVE_KINDS), sees_nominee=lambda entry: can_see_nominee(current_user, entry),
        sees_personal_data=lambda dossier: may_see_personal_data(current_user, dossier),
    )
