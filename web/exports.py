"""The office's page for the honours list: finalise it, export it and follow a large export's progress bar; a
finalised list's versions, each downloadable as it was frozen.

The page's script drives the export API with a short-lived page token, which it asks for with a POST
(showing the page writes nothing): the sign-in session keeps it, it is reused while it has time left and
revoked when the session ends.
"""
from __future__ import annotations

import io
import json

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, send_file, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectField

from workflow.unit_of_work import commit
from web.pages import requires
from web.pages.forms import ActionForm
from workflow.accounts import page_token
from workflow.errors import NotFound
from workflow.exports import FORMATS, export_filename, export_honours_list
from workflow.honours import (
    finalise_honours_list, read_list_version, read_list_versions, snapshot_for, snapshot_list, verify_versions,
)
from workflow.i18n import N_, Msg
from workflow.models import Campaign, db
from workflow.permissions import holds

exports_page = Blueprint("exports_page", __name__)
PAGE_TOKEN_HOURS = 1


class FinaliseForm(ActionForm):
    campaign = SelectField(choices=[])


def finalise_form() -> FinaliseForm:
    form = FinaliseForm()
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.year.desc(), Campaign.id.desc()))
    form.campaign.choices = [(c.code, c.name) for c in campaigns if snapshot_for(c) is None]
    return form


@exports_page.route("/exports/honours-list", methods=["GET"])
@login_required
@requires("read_honours_list")
def honours_list_exports():
    form = finalise_form() if holds(current_user, "finalise_honours_list") else None
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.year.desc(), Campaign.id.desc()))
    finalised = [(campaign, snapshot) for campaign in campaigns if (snapshot := snapshot_for(campaign)) is not None]
    return render_template("exports/honours_list.html", finalise=form, finalised=finalised)


@exports_page.route("/exports/honours-list/<campaign>/versions", methods=["GET"])
@login_required
@requires("read_honours_list")
def versions(campaign):
    found, snapshots = read_list_versions(current_user, campaign)
    return render_template("exports/versions.html", campaign=found, faults=verify_versions(snapshots),
                           versions=[(snapshot, snapshot_list(snapshot)) for snapshot in reversed(snapshots)],
                           formats=[*FORMATS, "json"])


@exports_page.route("/exports/honours-list/<campaign>/versions/<int:version>.<file_format>", methods=["GET"])
@login_required
@requires("read_honours_list")
def download_version(campaign, version, file_format):
    """One version's file, made from its snapshot: the same bytes whenever it is downloaded."""
    document = read_list_version(current_user, campaign, version)
    if file_format == "json":
        data = json.dumps(document.api_json(), ensure_ascii=False, indent=2).encode()
        content_type = "application/json"
    elif file_format in FORMATS:
        data = export_honours_list(document, file_format, _, language=str(get_locale() or "vi"))
        content_type = FORMATS[file_format].content_type
    else:
        raise NotFound(Msg(N_("No such format.")))
    name = export_filename(document, file_format) if file_format in FORMATS else \
        export_filename(document, "xlsx").removesuffix(".xlsx") + ".json"
    response = send_file(io.BytesIO(data), mimetype=content_type, as_attachment=True, download_name=name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@exports_page.route("/exports/honours-list/token", methods=["POST"])
@login_required
@requires("read_honours_list")
def api_token():
    token = session["page_token"] = page_token(current_user, session.get("page_token"), PAGE_TOKEN_HOURS)
    commit()
    return jsonify(token=token)


@exports_page.route("/exports/honours-list/finalise", methods=["POST"])
@login_required
def finalise():
    form = finalise_form()
    if form.validate_on_submit():
        snapshot = finalise_honours_list(current_user, form.campaign.data, current_app.config["HONOURS_LIST_PLACE"])
        name = snapshot.campaign.name
        commit()
        flash(_("The honours list of “%(campaign)s” is final; the invitations are being sent.", campaign=name),
              "success")
    return redirect(url_for("exports_page.honours_list_exports"))
