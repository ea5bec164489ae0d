"""Each person's own account: their password and the API tokens issued to them."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from workflow.unit_of_work import commit
from web.pages.views import form_view
from web.pages.forms import ActionForm, PasswordChangeForm
from workflow.accounts import change_own_password, revoke_token, tokens_of

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.before_request
@login_required
def signed_in_only():
    pass


@bp.route("")
def index():
    return render_template("pages/account.html", form=PasswordChangeForm(), tokens=tokens_of(current_user))


@bp.route("/password", methods=["POST"])
def password():
    form = PasswordChangeForm()

    def change():
        change_own_password(current_user, form.current_password.data, form.new_password.data,
                            form.confirm_password.data)
        # This session carries on, in the user's new session generation.
        login_user(current_user._get_current_object())
    return form_view(form, change, _("Your password is changed; you are signed out everywhere else."),
                     url_for("account.index"), "pages/account.html", tokens=tokens_of(current_user))


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke(token_id: int):
    if ActionForm().validate_on_submit():
        revoke_token(current_user, token_id)
        commit()
        flash(_("The token is revoked."), "success")
    return redirect(url_for("account.index"))
