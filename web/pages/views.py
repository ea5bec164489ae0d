"""The one shape of a page's form, and the one way a page shows a refusal.

A form view validates the form, calls one operation, commits, flashes and redirects; a refusal
(WorkflowError) or invalid input shows the form again with its errors, answered 400.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from workflow.unit_of_work import commit
from web.pages import render_msg
from workflow.errors import GuardFailed, RuleFailure, WorkflowError
from workflow.procedure import INPUT_RULES
from workflow.rules import INPUT_NAMES
from workflow.models import db


def show_refusal(error: WorkflowError, form: FlaskForm | None = None) -> None:
    """Undo the request's changes and show why: each detail or failed rule beside its field of `form` where it has
    one (read with the field: aria-describedby), flashed otherwise."""
    db.session.rollback()
    if isinstance(error, GuardFailed):
        loose = [failure.message for failure in error.failures
                 if not _beside_fields(form, _rule_inputs(failure), failure.message)]
        flash(render_msg(error.message) if loose else _("Correct the fields marked below."), "error")
        for message in loose:
            flash(render_msg(message), "error")
        return
    flash(render_msg(error.message), "error")
    for detail in error.details:
        if not _beside_fields(form, [str(detail.get("field", "")).split(".")[-1]], detail["message"]):
            flash(render_msg(detail["message"]), "error")


def _rule_inputs(failure: RuleFailure) -> list[str]:
    """The inputs of a step that a failed rule is about: those its rule checks, or the required one missing."""
    if failure.rule == "input_required":
        return [name for name, message in INPUT_NAMES.items() if message == failure.message.msgid]
    return list(INPUT_RULES.get(failure.rule, ()))


def _beside_fields(form: FlaskForm | None, names: list[str], message) -> bool:
    """Add `message` to the errors of `form`'s fields `names`; False when the form has none of them."""
    fields = [getattr(form, name, None) for name in names] if form is not None else []
    fields = [field for field in fields if field is not None and hasattr(field, "errors")]
    for field in fields:
        field.errors = list(field.errors) + [render_msg(message)]
    return bool(fields)


def form_view(form: FlaskForm, operation: Callable[[], object], success: str,
              redirect_to: str | Callable[[object], str], template: str, **context):
    """Answer a form page: on a valid submission run `operation`, commit, flash `success` and redirect
    (`redirect_to` may be made from the operation's result); else the form, with its errors if any."""
    refused = False
    if form.validate_on_submit():
        try:
            result = operation()
            commit()
        except WorkflowError as error:
            show_refusal(error, form)
            refused = True
        else:
            flash(success, "success")
            return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)
    return render_template(template, form=form, **context), 400 if form.errors or refused else 200


def ticked_ids(name: str = "dossier") -> list[int]:
    """The ids ticked in the form's checkboxes `name`; anything that cannot be an id is left out."""
    return [int(value) for value in request.form.getlist(name) if value.isdigit() and len(value) < 11]
