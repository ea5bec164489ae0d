"""Award decisions: the office drafts one from the dossiers waiting for a decision (filtered by award type and unit),
prints the draft, uploads the signed PDF and records it, which confers every dossier it lists."""
from __future__ import annotations

from flask import Blueprint, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from web.api.decisions import decision_file, signed_file
from web.pages import gate
from web.pages.forms import ActionForm, DecisionForm, SignedDecisionForm
from web.pages.views import form_view, ticked_ids
from web.storage import document_store
from workflow import decisions
from workflow.models import AwardType, Unit, db
from workflow.settings import issuers

bp = Blueprint("decision_pages", __name__)
gate(bp, "manage_decisions")


@bp.route("/decisions", methods=["GET", "POST"])
@login_required
def index():
    """The decisions, latest first, and the form drafting one with the dossiers ticked from those waiting for a
    decision (filtered by award type and unit)."""
    form = DecisionForm()
    form.issuer.choices = [(row.code, row.name) for row in issuers()]
    award_type, unit = request.args.get("award_type") or None, request.args.get("unit") or None
    data = {"number": form.number.data, "decided_on": form.decided_on.data, "signer_name": form.signer_name.data,
            "signer_title": form.signer_title.data, "issuer": form.issuer.data}
    return form_view(
        form, lambda: decisions.draft_decision(current_user, data, ticked_ids("dossier")),
        _("The draft decision is saved: download it, have it signed and upload the signed copy."),
        lambda decision: url_for("decision_pages.view", decision_id=decision.id), "pages/decisions.html",
        decisions=decisions.decisions(current_user), **filter_choices(award_type, unit),
        candidates=decisions.waiting_dossiers(current_user, award_type, unit))


def filter_choices(award_type: str | None, unit: str | None) -> dict:
    """The award type and unit a list of dossiers to tick is filtered by, and the choices of each."""
    return {"award_type": award_type, "unit": unit,
            "award_types": db.session.scalars(select(AwardType).where(AwardType.active.is_(True))
                                              .order_by(AwardType.rank, AwardType.code)).all(),
            "units": db.session.scalars(select(Unit).where(Unit.active.is_(True))
                                        .order_by(Unit.sort_order, Unit.id)).all()}


def _decision_page(decision_id: int, form, operation, success: str):
    decision = decisions.get_decision(current_user, decision_id)
    return form_view(form, lambda: operation(decision), success,
                     url_for("decision_pages.view", decision_id=decision_id), "pages/decision.html",
                     decision=decision, upload_form=form if isinstance(form, SignedDecisionForm)
                     else SignedDecisionForm(formdata=None), action_form=ActionForm(formdata=None))


@bp.route("/decisions/<int:decision_id>", methods=["GET"])
@login_required
def view(decision_id: int):
    return _decision_page(decision_id, ActionForm(), lambda _decision: None, "")


@bp.route("/decisions/<int:decision_id>/signed", methods=["POST"])
@login_required
def signed(decision_id: int):
    form = SignedDecisionForm()
    store = document_store()

    def attach(decision):
        upload = form.file.data
        return decisions.attach_signed_copy(current_user, decision, upload.filename or "",
                                            upload.stream.read(store.max_bytes + 1), store)
    return _decision_page(decision_id, form, attach, _("The signed decision is uploaded."))


@bp.route("/decisions/<int:decision_id>/record", methods=["POST"])
@login_required
def record(decision_id: int):
    return _decision_page(decision_id, ActionForm(), lambda d: decisions.record_decision(current_user, d),
                          _("The decision is recorded: every dossier it lists is conferred."))


@bp.route("/decisions/<int:decision_id>/cancel", methods=["POST"])
@login_required
def cancel(decision_id: int):
    decision = decisions.get_decision(current_user, decision_id)
    return form_view(ActionForm(), lambda: decisions.cancel_decision(current_user, decision, document_store()),
                     _("The draft decision is cancelled: its dossiers are offered again."),
                     url_for("decision_pages.index"), "pages/decision.html", decision=decision,
                     upload_form=SignedDecisionForm(formdata=None), action_form=ActionForm(formdata=None))


@bp.route("/decisions/<int:decision_id>/draft.<any(docx, pdf):format_>")
@login_required
def draft(decision_id: int, format_: str):
    return decision_file(decisions.get_decision(current_user, decision_id), format_)


@bp.route("/decisions/<int:decision_id>/signed.pdf")
@login_required
def signed_copy(decision_id: int):
    return signed_file(decisions.with_signed_copy(decisions.get_decision(current_user, decision_id)))
