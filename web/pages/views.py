"""The one shape of a page's form, and the one way a page shows a refusal.

A form view validates the form, calls one operation, commits, flashes and redirects; a refusal
(WorkflowError) or invalid input shows the form again with its errors, answered 400.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, request
from flask_wtf import FlaskForm

from workflow.unit_of_work import commit
from web.pages import render_msg
from workflow.errors import GuardFailed, WorkflowError
from workflow.models import db


def show_refusal(error: WorkflowError, form: FlaskForm | None = None) -> None:
    """Undo the request's changes and show why: each detail beside its field of `form` where it has one,
    flashed otherwise."""
    db.session.rollback()
    flash(render_msg(error.message), "error")
    if isinstance(error, GuardFailed):
        for failure in error.failures:
            flash(render_msg(failure.message), "error")
        return
    for detail in error.details:
        field = getattr(form, detail["field"].split(".")[-1], None) if form is not None else None
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [render_msg(detail["message"])]
        else:
            flash(render_msg(detail["message"]), "error")


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
