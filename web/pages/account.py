"""Each person's own account: their password and the API tokens issued to them."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from workflow.unit_of_work import commit
from web.pages.dossiers import show_form_errors
from web.pages.forms import ActionForm, PasswordChangeForm
from workflow.accounts import change_own_password, revoke_token, tokens_of
from workflow.errors import WorkflowError

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.before_request
@login_required
def signed_in_only():
    pass


def _page(form: PasswordChangeForm, status: int = 200):
    return render_template("pages/account.html", form=form, tokens=tokens_of(current_user)), status


@bp.route("")
def index():
    return _page(PasswordChangeForm())


@bp.route("/password", methods=["POST"])
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            change_own_password(current_user, form.current_password.data, form.new_password.data,
                                form.confirm_password.data)
        except WorkflowError as error:
            show_form_errors(form, error)
        else:
            # This session carries on, in the user's new session generation.
            login_user(current_user._get_current_object())
            commit()
            flash(_("Your password is changed; you are signed out everywhere else."), "success")
            return redirect(url_for("account.index"))
    return _page(form, 400)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke(token_id: int):
    if ActionForm().validate_on_submit():
        revoke_token(current_user, token_id)
        commit()
        flash(_("The token is revoked."), "success")
    return redirect(url_for("account.index"))
