"""The office's page to export the honours list and follow a large export's progress bar.

The page's script drives the export API with a short-lived token issued to the signed-in person.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user, login_required

from tasks.dispatch import commit
from workflow.accounts import issue_token

exports_page = Blueprint("exports_page", __name__)
EXPORT_ROLES = ("office", "chair")


@exports_page.route("/exports/honours-list", methods=["GET"])
@login_required
def honours_list_exports():
    if current_user.role not in EXPORT_ROLES:
        abort(403)
    token, _expires = issue_token(current_user, current_app.config["API_TOKEN_HOURS"])
    commit()
    return render_template("exports/honours_list.html", api_token=token)
