"""Nominee pages: an entry of the registry with its nominations across campaigns, and the office's merge."""
from __future__ import annotations

import io

from flask import Blueprint, flash, jsonify, redirect, render_template, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from web.pages import render_msg, requires
from web.pages.forms import HistoryImportForm, MergeForm
from web.pages.views import form_view, show_refusal
from web.storage import import_limits, send_personal_record
from workflow import history_import, nominees
from workflow.award_history import history_of, ratings_of
from workflow.accounts import page_token
from workflow.documents import XLSX
from workflow.errors import WorkflowError
from workflow.imports import MAX_FILE_BYTES
from workflow.models import db
from workflow.personal_record import personal_record
from workflow.permissions import holds, nominees_with_personal_data
from workflow.unit_of_work import commit

bp = Blueprint("nominee_pages", __name__, url_prefix="/nominees")
PAGE_TOKEN_HOURS = 8


def _personal(entry) -> bool:
    return entry.id in nominees_with_personal_data(current_user, [entry])


def _page(entry, form: MergeForm | None):
    return render_template(
        "pages/nominee.html", entry=entry, nominations=nominees.nominations_of(current_user, entry),
        merges=nominees.merges_of(entry), form=form, personal=_personal(entry), awards=history_of(entry),
        ratings=ratings_of(entry),
        same_name=[other for other in nominees.find_nominees(current_user, entry.name, entry.kind)
                   if other.id != entry.id] if form is not None else [])


@bp.route("/<int:nominee_id>")
@login_required
def view(nominee_id: int):
    entry = nominees.get_nominee(current_user, nominee_id)
    mergeable = holds(current_user, "merge_nominees") and entry.merged_into_id is None
    return _page(entry, MergeForm() if mergeable else None)


@bp.route("/<int:nominee_id>/merge", methods=["POST"])
@login_required
def merge(nominee_id: int):
    entry = nominees.get_nominee(current_user, nominee_id)
    form = MergeForm()
    return form_view(form, lambda: nominees.merge_nominees(current_user, entry.id, form.into.data),
                     _("The entries are merged: their nominations are now this entry's."),
                     lambda record: url_for("nominee_pages.view", nominee_id=record.kept_id),
                     "pages/nominee.html", entry=entry, nominations=nominees.nominations_of(current_user, entry),
                     merges=nominees.merges_of(entry), same_name=[], personal=_personal(entry),
                     awards=history_of(entry), ratings=ratings_of(entry))


@bp.route("/<int:nominee_id>/record.<any(json, docx):file_format>")
@login_required
@requires("export_personal_record")
def record(nominee_id: int, file_format: str):
    """The nominee's personal record, to hand to that person."""
    return send_personal_record(personal_record(current_user, nominee_id), file_format)


@bp.route("/token", methods=["POST"])
@login_required
@requires("see_nominees")
def api_token():
    """The token the dossier form's script looks up the registry with while a name is typed."""
    token = session["page_token"] = page_token(current_user, session.get("page_token"), PAGE_TOKEN_HOURS)
    commit()
    return jsonify(token=token)


@bp.route("/history-import", methods=["GET", "POST"])
@login_required
@requires("manage_award_history")
def history_import_page():
    """The office loads earlier years' awards or collectives' ratings from its spreadsheet: all rows or none, every
    wrong row and column listed."""
    form = HistoryImportForm()
    problems, refused = [], False
    if form.validate_on_submit():
        data = form.file.data.stream.read(MAX_FILE_BYTES + 1)
        run = history_import.import_ratings if form.kind.data == "ratings" else history_import.import_history
        try:
            imported = run(current_user, data, _, import_limits())
            commit()
        except WorkflowError as error:
            refused = True
            problems = [detail for detail in error.details if "row" in detail]
            if problems:
                db.session.rollback()
                flash(render_msg(error.message), "error")
            else:
                show_refusal(error)
        else:
            flash(_("%(count)d rows imported.", count=len(imported)), "success")
            return redirect(url_for("nominee_pages.history_import_page"))
    status = 400 if form.errors or refused else 200
    return render_template("pages/history_import.html", form=form, problems=problems), status


@bp.route("/history-import/template/<any(history, ratings):kind>")
@login_required
@requires("manage_award_history")
def history_template(kind: str):
    response = send_file(io.BytesIO(history_import.template(kind, _)), mimetype=XLSX.content_type,
                         as_attachment=True, download_name=f"mau-{kind}.xlsx", max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

