"""The office's settings: campaigns and award types."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from web.pages import gate
from web.pages.views import form_view
from web.pages.forms import ActionForm, AwardTypeForm, CampaignForm, RuleForm, RuleSetForm
from web.pages.views import show_refusal
from workflow import eligibility
from workflow import settings as office_settings
from workflow.errors import NotFound, WorkflowError
from workflow.i18n import today
from workflow.unit_of_work import commit
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


# Eligibility rule sets ---------------------------------------------------------------------------

@bp.route("/rule-sets", methods=["GET", "POST"])
def rule_sets():
    form = RuleSetForm()

    def create():
        return eligibility.create_rule_set(current_user, {
            "name": form.name.data, "legal_basis": form.legal_basis.data, "in_force_from": form.in_force_from.data,
            "in_force_until": form.in_force_until.data})
    return form_view(form, create, _("The rule set is created; add its rules."),
                     lambda rule_set: url_for("settings.rule_set", rule_set_id=rule_set.id), "pages/rule_sets.html",
                     rule_sets=eligibility.rule_sets(current_user), in_force=eligibility.in_force_on(today()))


def _rule_form() -> RuleForm:
    form = RuleForm()
    form.award_type.choices = [(t.code, t.name) for t in db.session.scalars(
        select(AwardType).order_by(AwardType.rank, AwardType.code))]
    form.kind.choices = [(code, _(label)) for code, label in eligibility.RULE_KINDS.items()]
    form.severity.choices = [(code, _(label)) for code, label in eligibility.SEVERITIES.items()]
    return form


@bp.route("/rule-sets/<int:rule_set_id>", methods=["GET", "POST"])
def rule_set(rule_set_id: int):
    existing = eligibility.get_rule_set(current_user, rule_set_id)
    form = _rule_form()

    def add():
        return eligibility.add_rule(current_user, existing, {
            "award_type": form.award_type.data, "kind": form.kind.data, "years": form.years.data,
            "title": form.title.data, "article": form.article.data, "severity": form.severity.data})
    return form_view(form, add, _("The rule is added."), url_for("settings.rule_set", rule_set_id=rule_set_id),
                     "pages/rule_set.html", rule_set=existing, kinds=eligibility.RULE_KINDS,
                     severities=eligibility.SEVERITIES, action_form=ActionForm())


@bp.route("/rule-sets/<int:rule_set_id>/rules/<int:rule_id>/deactivate", methods=["POST"])
def deactivate_rule(rule_set_id: int, rule_id: int):
    existing = eligibility.get_rule_set(current_user, rule_set_id)
    if ActionForm().validate_on_submit():
        try:
            eligibility.deactivate_rule(current_user, existing, rule_id)
            commit()
            flash(_("The rule no longer applies."), "success")
        except NotFound:
            raise
        except WorkflowError as error:
            show_refusal(error)
    return redirect(url_for("settings.rule_set", rule_set_id=rule_set_id))

