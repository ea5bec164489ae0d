"""Award history and eligibility: the import of earlier years and ratings, rule sets by legal basis, a dossier's
eligibility and the override of its warnings."""
from __future__ import annotations

import io

from flask import send_file
from flask_babel import gettext
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from web.api.auth import BEARER_SECURITY, current_user, token_required
from web.api.blueprints import ApiBlueprint
from web.api.schemas import AwardLineOut, In, Lines, RatingOut
from web.storage import import_limits
from workflow import eligibility, history_import, operations
from workflow.documents import XLSX
from workflow.imports import MAX_FILE_BYTES
from workflow.models import AwardRecord, EligibilityRule, EmulationRating, RuleSet
from workflow.permissions import require
from workflow.unit_of_work import commit

blp = ApiBlueprint("history", __name__, url_prefix="/api/v1", description="Award history and eligibility rules")
SHEET_KINDS = tuple(history_import.SHEETS)


class SheetQuery(In):
    kind = fields.String(load_default="history", validate=validate.OneOf(SHEET_KINDS), metadata={
        "description": "`history`: award lines of earlier years; `ratings`: collectives' emulation ratings"})


class HistoryUpload(In):
    kind = fields.String(load_default="history", validate=validate.OneOf(SHEET_KINDS))
    file = Upload(required=True)


class HistoryImportOut(Schema):
    created = fields.Integer(required=True)
    awards = fields.List(fields.Nested(AwardLineOut))
    ratings = fields.List(fields.Nested(RatingOut))


class RuleSetIn(In):
    name = fields.String(required=True)
    legal_basis = Lines(required=True)
    in_force_from = fields.Date(required=True)
    in_force_until = fields.Date(load_default=None, allow_none=True)


class RuleIn(In):
    award_type = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(list(eligibility.RULE_KINDS)))
    years = fields.Integer(required=True, strict=True)
    title = fields.String(load_default=None, allow_none=True)
    article = fields.String(load_default="", allow_none=True)
    severity = fields.String(required=True, validate=validate.OneOf(list(eligibility.SEVERITIES)))


class RuleOut(Schema):
    id = fields.Integer(required=True)
    award_type = fields.String(required=True)
    kind = fields.String(required=True)
    years = fields.Integer(required=True)
    title = fields.String(allow_none=True)
    article = fields.String(required=True)
    severity = fields.String(required=True)
    active = fields.Boolean(required=True)


class RuleSetOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    legal_basis = fields.String(required=True)
    in_force_from = fields.Date(required=True)
    in_force_until = fields.Date(allow_none=True)
    rules = fields.List(fields.Nested(RuleOut), required=True)


class FindingOut(Schema):
    eligibility_rule = fields.Integer(required=True)
    kind = fields.String(required=True)
    severity = fields.String(required=True, metadata={"description": "`refuse` (stops the submission) or `warn`"})
    rule_set = fields.String(required=True)
    legal_basis = fields.String(required=True, metadata={"description": "the article and legal text cited"})
    message = fields.String(required=True)
    evidence = fields.Dict(required=True, metadata={"description": "the past award (or ratings) found"})
    override = fields.Dict(allow_none=True, metadata={"description": "reason, by, at: a warning overridden"})


class EligibilityOut(Schema):
    dossier = fields.Integer(required=True)
    findings = fields.List(fields.Nested(FindingOut), required=True)


class OverrideIn(In):
    rule = fields.Integer(required=True, strict=True, metadata={"description": "the warning's eligibility rule"})
    reason = Lines(required=True, validate=validate.Length(max=2000))
    version = fields.Integer(required=True, strict=True)


def award_line_json(record: AwardRecord) -> dict:
    return {"id": record.id, "nominee": record.nominee_id,
            "award_type": record.award_type.code if record.award_type else None, "form": record.form,
            "title": record.title, "year": record.year, "decision_number": record.decision_number,
            "decision_date": record.decision_date, "issuer": record.issuer, "dossier": record.dossier_id,
            "source": record.source, "revocation_number": record.revocation_number,
            "revoked_on": record.revoked_on}


def rating_json(rating: EmulationRating) -> dict:
    return {"id": rating.id, "nominee": rating.nominee_id, "year": rating.year, "rating": rating.rating}


def rule_json(rule: EligibilityRule) -> dict:
    return {"id": rule.id, "award_type": rule.award_type.code, "kind": rule.kind, "years": rule.years,
            "title": rule.title, "article": rule.article, "severity": rule.severity, "active": rule.active}


def rule_set_json(rule_set: RuleSet) -> dict:
    return {"id": rule_set.id, "name": rule_set.name, "legal_basis": rule_set.legal_basis,
            "in_force_from": rule_set.in_force_from, "in_force_until": rule_set.in_force_until,
            "rules": [rule_json(rule) for rule in rule_set.rules]}


def finding_json(finding: eligibility.Finding) -> dict:
    return {**finding.as_detail(), "message": finding.message.render(gettext)}


@blp.route("/award-history/template", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(SheetQuery, location="query")
@blp.file_response([XLSX.content_type])
def get_template(query):
    """The spreadsheet the office fills in with earlier years' awards (`kind=history`) or ratings (`ratings`)."""
    require(current_user(), "manage_award_history")
    response = send_file(io.BytesIO(history_import.template(query["kind"], gettext)), mimetype=XLSX.content_type,
                         as_attachment=True, download_name=f"mau-{query['kind']}.xlsx", max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blp.route("/award-history/import", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(HistoryUpload, location="multipart")
@blp.response(201, HistoryImportOut)
def post_import(form):
    """Award lines (or ratings) from the filled template (office); any error in any row and nothing is written, every
    wrong row and column listed (`row`, `column`, `message`)."""
    data = form["file"].stream.read(MAX_FILE_BYTES + 1)
    if form["kind"] == "ratings":
        ratings = history_import.import_ratings(current_user(), data, gettext, import_limits())
        body = {"created": len(ratings), "ratings": [rating_json(rating) for rating in ratings]}
    else:
        records = history_import.import_history(current_user(), data, gettext, import_limits())
        body = {"created": len(records), "awards": [award_line_json(record) for record in records]}
    commit()
    return body


@blp.route("/rule-sets", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, RuleSetOut(many=True))
def list_rule_sets():
    """Every rule set, the latest in force first (office)."""
    return [rule_set_json(rule_set) for rule_set in eligibility.rule_sets(current_user())]


@blp.route("/rule-sets", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(RuleSetIn)
@blp.response(201, RuleSetOut)
def post_rule_set(data):
    """A rule set: its name, legal basis and the dates it is in force (office)."""
    rule_set = eligibility.create_rule_set(current_user(), data)
    body = rule_set_json(rule_set)
    commit()
    return body


@blp.route("/rule-sets/<int:rule_set_id>", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, RuleSetOut)
def get_rule_set(rule_set_id):
    """One rule set with its rules, those no longer applying included (office)."""
    return rule_set_json(eligibility.get_rule_set(current_user(), rule_set_id))


@blp.route("/rule-sets/<int:rule_set_id>/rules", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(RuleIn)
@blp.response(201, RuleOut)
def post_rule(data, rule_set_id):
    """A rule of the set for one award type (office)."""
    rule = eligibility.add_rule(current_user(), eligibility.get_rule_set(current_user(), rule_set_id), data)
    body = rule_json(rule)
    commit()
    return body


@blp.route("/rule-sets/<int:rule_set_id>/rules/<int:rule_id>", methods=["DELETE"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, RuleOut)
def delete_rule(rule_set_id, rule_id):
    """The rule stops applying; it stays in the set (office)."""
    rule = eligibility.deactivate_rule(current_user(), eligibility.get_rule_set(current_user(), rule_set_id),
                                       rule_id)
    body = rule_json(rule)
    commit()
    return body


@blp.route("/dossiers/<int:dossier_id>/eligibility", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, EligibilityOut)
def get_eligibility(dossier_id):
    """The eligibility rules in force the dossier does not meet: refusals and warnings, each citing its legal text
    and the evidence found; an overridden warning with its reason."""
    dossier = operations.get_dossier(current_user(), dossier_id)
    return {"dossier": dossier.id, "findings": [finding_json(finding) for finding in eligibility.findings(dossier)]}


@blp.route("/dossiers/<int:dossier_id>/eligibility/overrides", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(OverrideIn)
@blp.response(201, FindingOut)
def post_override(data, dossier_id):
    """Override a warning for a reason (appraisers, office): the dossier's history keeps the reason, the rule, its
    legal text and the evidence."""
    dossier = operations.get_dossier(current_user(), dossier_id)
    operations.override_warning(current_user(), dossier, data["rule"], data["reason"], data["version"])
    finding = next(f for f in eligibility.findings(dossier) if f.rule.id == data["rule"])
    body = finding_json(finding)
    commit()
    return body
