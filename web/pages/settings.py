"""The office's settings: campaigns and award types."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from web.pages import gate
from web.pages.views import form_view
from web.pages.forms import AwardTypeForm, CampaignForm
from workflow import settings as office_settings
from workflow.campaigns import INVITATION_FIELDS
from workflow.models import AwardType, Campaign, db
from workflow.procedure import catalogue
from workflow.rules import DOCUMENT_KINDS

bp = Blueprint("settings", __name__, url_prefix="/settings")


gate(bp, "manage_settings")


@bp.route("/campaigns")
def campaigns():
    rows = db.session.scalars(select(Campaign).order_by(Campaign.year.desc(), Campaign.code))
    award_types = db.session.scalars(select(AwardType).order_by(AwardType.rank, AwardType.code))
    return render_template("pages/settings.html", campaigns=list(rows), award_types=list(award_types))


def _campaign_data(form: CampaignForm) -> dict:
    return {"name": form.name.data.strip(), "year": form.year.data,
            "submission_deadline": form.submission_deadline.data, "ceremony_date": form.ceremony_date.data,
            "ceremony_time": form.ceremony_time.data or None, "ceremony_place": form.ceremony_place.data or None,
            "status": form.status.data, **{name: (form[name].data or "").strip() or None for name in INVITATION_FIELDS}}


@bp.route("/campaigns/new", methods=["GET", "POST"])
@bp.route("/campaigns/<code>", methods=["GET", "POST"])
def campaign(code: str | None = None):
    existing = None
    if code is not None:
        existing = db.session.scalar(select(Campaign).where(Campaign.code == code))
        if existing is None:
            abort(404)
    form = CampaignForm(obj=existing)

    def save():
        if existing is None:
            return office_settings.add_campaign(current_user, _campaign_data(form) | {
                "code": (form.code.data or "").strip()})
        return office_settings.update_campaign(current_user, existing, _campaign_data(form))
    return form_view(form, save, _("The campaign is saved."), url_for("settings.campaigns"),
                     "pages/campaign_form.html", campaign=existing)


def _shown(field: str, value) -> str:
    """A recorded setting as the office reads it."""
    if value is None or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field == "required_documents":
        return ", ".join(_(DOCUMENT_KINDS[kind]) if kind in DOCUMENT_KINDS else kind for kind in value)
    if field == "procedure" and value in catalogue().latest:
        return _(catalogue().current(value).title["en"])
    if field in office_settings.REFERENCE_FIELDS:
        model = office_settings.REFERENCE_FIELDS[field]
        row = db.session.scalar(select(model).where(model.code == value))
        return row.name if row is not None else str(value)
    return str(value)


@bp.route("/award-types/<code>", methods=["GET", "POST"])
def award_type(code: str):
    existing = office_settings.get_award_type(code)
    # By code: the award type's own attributes are the rows.
    form = AwardTypeForm(obj=existing, award_form_code=existing.award_form.code, issuer_code=existing.issuer.code)
    form.award_form_code.choices = [(row.code, row.name) for row in office_settings.award_forms()]
    form.issuer_code.choices = [(row.code, row.name) for row in office_settings.issuers()]
    form.required_documents.choices = [(kind, _(label)) for kind, label in DOCUMENT_KINDS.items()]
    form.procedure.choices = [(code, _(procedure.title["en"]))
                              for code, procedure in sorted(catalogue().latest.items())]

    def save():
        return office_settings.update_award_type(current_user, existing, {
            "name": form.name.data.strip(), "rank": form.rank.data, "forwarded": form.forwarded.data,
            "required_documents": list(form.required_documents.data), "quota_per_unit": form.quota_per_unit.data,
            "vote_quorum": form.vote_quorum.data, "vote_threshold": form.vote_threshold.data,
            "legal_basis": form.legal_basis.data or "", "active": form.active.data,
            "disclosure_days": form.disclosure_days.data or 0, "vote_denominator": form.vote_denominator.data,
            "award_form": form.award_form_code.data, "issuer": form.issuer_code.data,
            **({"procedure": form.procedure.data} if form.procedure.data else {})})
    labels = {field: form[field].label.text for field in form._fields} | {
        "award_form": form.award_form_code.label.text, "issuer": form.issuer_code.label.text}
    changes = [(change, labels.get(change.field, change.field),
                _shown(change.field, change.old_value), _shown(change.field, change.new_value))
               for change in office_settings.award_type_changes(current_user, existing)]
    return form_view(form, save, _("The award type is saved."), url_for("settings.campaigns") + "#award-types",
                     "pages/award_type_form.html", award_type=existing, changes=changes)
