"""Public disclosure: the office's page that opens it for a set of dossiers, the public page (no sign-in) that
lists the dossiers in disclosure and takes comments, and the office's resolution of a comment."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from web.pages import render_msg, requires
from web.pages.forms import ActionForm, CommentForm, ResolutionForm
from web.pages.views import form_view, ticked_ids
from workflow import disclosure
from workflow.errors import ValidationFailed
from workflow.unit_of_work import commit

bp = Blueprint("disclosure_pages", __name__)


def _sender() -> str:
    return disclosure.sender_hash(request.remote_addr or "", current_app.config["SECRET_KEY"])


@bp.route("/disclosure", methods=["GET", "POST"])
@login_required
@requires("manage_disclosure")
def office():
    """The dossiers the office may make public, with checkboxes: all those ticked are published, or none."""
    form = ActionForm()
    ids = ticked_ids()
    return form_view(form, lambda: disclosure.open_disclosures(current_user, ids),
                     _("The selected dossiers are now on the public disclosure page."),
                     url_for("disclosure_pages.office"), "pages/disclosure.html",
                     dossiers=disclosure.publishable_dossiers(current_user), entries=disclosure.public_entries())


def _public_page(forms: dict | None = None, status: int = 200):
    entries = disclosure.public_entries()
    forms = forms or {}
    by_award: dict[str, list] = {}
    for entry in entries:
        by_award.setdefault(entry.award_type, []).append((entry, forms.get(entry.dossier_id) or CommentForm(
            prefix=f"d{entry.dossier_id}")))
    return render_template("pages/public_disclosure.html", by_award=by_award,
                           max_chars=current_app.config["DISCLOSURE_COMMENT_MAX_CHARS"]), status


@bp.route("/cong-khai")
def public():
    """Without sign-in: each nominee's name, position, unit, award and achievements, and the window's end."""
    return _public_page()


@bp.route("/cong-khai/<int:dossier_id>/y-kien", methods=["POST"])
def comment(dossier_id: int):
    """Anyone's comment (rate-limited per address, see web.security). A closed window answers 409."""
    disclosure.open_window(dossier_id)
    form = CommentForm(prefix=f"d{dossier_id}")
    if form.website.data:
        flash(_("Thank you: your comment has been received."), "success")
        return redirect(url_for("disclosure_pages.public"))
    if not form.validate_on_submit():
        return _public_page({dossier_id: form}, 400)
    try:
        disclosure.add_comment(dossier_id, form.body.data, form.contact.data, _sender(),
                               current_app.config["DISCLOSURE_COMMENT_MAX_CHARS"])
    except ValidationFailed as error:
        for detail in error.details:
            getattr(form, detail["field"]).errors = [render_msg(detail["message"])]
        return _public_page({dossier_id: form}, 400)
    commit()
    flash(_("Thank you: your comment has been received."), "success")
    return redirect(url_for("disclosure_pages.public"))


@bp.route("/disclosure/comments/<int:comment_id>/resolution", methods=["POST"])
@login_required
@requires("manage_disclosure")
def resolve(comment_id: int):
    form = ResolutionForm(prefix=f"c{comment_id}")
    dossier_id = request.form.get("dossier", "")
    if not dossier_id.isdigit():
        abort(400)
    back = url_for("dossier_pages.view", dossier_id=int(dossier_id)) + "#disclosure"
    return form_view(form, lambda: disclosure.resolve_comment(current_user, comment_id, form.resolution.data),
                     _("The resolution is recorded."), back, "pages/resolution_form.html", comment_id=comment_id,
                     dossier_id=dossier_id)
