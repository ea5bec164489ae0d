"""The in-app inbox of notices."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tasks.dispatch import commit
from web.pages.forms import ActionForm
from workflow import inbox as notices

bp = Blueprint("inbox", __name__)


@bp.route("/inbox")
@login_required
def index():
    return render_template("pages/inbox.html", notices=notices.inbox(current_user), form=ActionForm())


@bp.route("/inbox/read", methods=["POST"])
@login_required
def mark_read():
    if ActionForm().validate_on_submit():
        notices.mark_all_read(current_user)
        commit()
        flash(_("All notices are marked as read."), "success")
    return redirect(url_for("inbox.index"))
