"""Eligibility rules, versioned by legal basis (DOMAIN.md, "Nominees and their award history").

Rules are data: a rule set names its legal basis and the dates it is in force, and holds rules, each for one award
type. A dossier is judged by the set in force on its campaign's date (`campaign_date`), so that a round keeps its
year's rules when the law changes. Each rule read the nominee's award history (or a collective's emulation ratings)
and refuses or only warns; a refusal stops the submission (the `eligibility` guard of workflow/rules.py), a warning
shows on the dossier's page until an appraiser or the office overrides it with a reason
(`operations.override_warning`), which the dossier's history keeps.

The rules in force for a dossier and what each found are read in one statement.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Integer, and_, bindparam, case, func, or_, select
from sqlalchemy.engine import Dialect

from workflow.errors import NotFound, ValidationFailed
from workflow.i18n import N_, Msg
from workflow.models import (
    MAX_ID, AwardRecord, AwardType, Campaign, Dossier, EligibilityRule, EmulationRating, HistoryEntry, RuleSet, User,
    db,
)
from workflow.permissions import require
from workflow.text import TextRefused, clean_line, clean_lines

# What `years` and `title` mean for each kind of rule.
RULE_KINDS = {
    "not_within_years": N_("Not the same award within N years (N: years; title unused)"),
    "consecutive_title": N_("At least M consecutive years of a title before the campaign's year (M: years; title: "
                            "the title held)"),
    "emulation_rating": N_("A collective's emulation rating (years: 0 for the campaign's year, 1 for the year "
                           "before; title: the rating required)"),
}
SEVERITIES = {"refuse": N_("Refuses"), "warn": N_("Warns only")}
# The history row an overridden warning writes on the dossier.
OVERRIDE_EVENT = "override_warning"
MAX_YEARS = 50
TEXT_LIMIT = 255
LEGAL_BASIS_LIMIT = 5000


def campaign_date(campaign: Campaign) -> dt.date:
    """The date a campaign's rules are taken at: its submission deadline, else the last day of its year."""
    return campaign.submission_deadline or dt.date(campaign.year, 12, 31)


# One statement: the rules of the set in force on `day` for the award type, and for each what it found in the
# nominee's history. A set in force is the latest to come into force among those whose dates hold `day`.
_rules, _sets = EligibilityRule.__table__, RuleSet.__table__
_records, _ratings = AwardRecord.__table__, EmulationRating.__table__
_year = bindparam("year", type_=Integer)
_nominee = bindparam("nominee_id", type_=Integer)
SET_IN_FORCE = (select(_sets.c.id).where(_sets.c.in_force_from <= bindparam("day"),
                                         or_(_sets.c.in_force_until.is_(None),
                                             _sets.c.in_force_until >= bindparam("day")))
                .order_by(_sets.c.in_force_from.desc(), _sets.c.id.desc()).limit(1).scalar_subquery())
_past = _records.alias("past")
SAME_AWARD_FOUND = (select(_past.c.id).where(
    _past.c.nominee_id == _nominee, _past.c.award_type_id == _rules.c.award_type_id,
    _past.c.revocation_number.is_(None), _past.c.year <= _year, _past.c.year > _year - _rules.c.years,
    or_(_past.c.dossier_id.is_(None), _past.c.dossier_id != bindparam("dossier_id", type_=Integer)))
    .order_by(_past.c.year.desc(), _past.c.id.desc()).limit(1).correlate(_rules).scalar_subquery())
TITLE_YEARS = (select(func.count(func.distinct(_past.c.year))).where(
    _past.c.nominee_id == _nominee, _past.c.title_key == _rules.c.title_key,
    _past.c.revocation_number.is_(None),
    _past.c.year >= _year - _rules.c.years, _past.c.year < _year).correlate(_rules).scalar_subquery())
RATING_FOUND = (select(_ratings.c.rating_key).where(_ratings.c.nominee_id == _nominee,
                                                    _ratings.c.year == _year - _rules.c.years)
                .correlate(_rules).scalar_subquery())
# The award found comes whole with its rule's row (its line joined on the id the rule's subquery finds).
RULES_IN_FORCE = (
    select(_rules.c.id, _rules.c.kind, _rules.c.years, _rules.c.title, _rules.c.title_key, _rules.c.article,
           _rules.c.severity, _sets.c.name.label("set_name"), _sets.c.legal_basis,
           _records.c.id.label("award_id"), _records.c.year.label("award_year"),
           _records.c.form.label("award_form"), _records.c.title.label("award_title"),
           _records.c.decision_number, _records.c.decision_date, _records.c.issuer, _records.c.dossier_id,
           case((_rules.c.kind == "consecutive_title", TITLE_YEARS)).label("title_years"),
           case((_rules.c.kind == "emulation_rating", RATING_FOUND)).label("rating_found"))
    .select_from(_rules.join(_sets, _sets.c.id == _rules.c.rule_set_id)
                 .outerjoin(_records, and_(_rules.c.kind == "not_within_years", _records.c.id == SAME_AWARD_FOUND)))
    .where(_rules.c.rule_set_id == SET_IN_FORCE, _rules.c.award_type_id == bindparam("award_type_id"),
           _rules.c.active.is_(True))
    .order_by(_rules.c.id))


class RuleFound(NamedTuple):
    """A rule in force for a dossier (its own and its set's fields) with what it found in the nominee's history."""

    id: int
    kind: str
    years: int
    title: str | None
    title_key: str | None
    article: str
    severity: str
    set_name: str
    legal_basis: str
    award_id: int | None
    award_year: int | None
    award_form: str | None
    award_title: str | None
    decision_number: str | None
    decision_date: dt.date | None
    issuer: str | None
    dossier_id: int | None
    title_years: int | None
    rating_found: str | None


@functools.cache
def _driver_statement(dialect: Dialect) -> tuple[str, dict, tuple | None]:
    """RULES_IN_FORCE as the database driver takes it: its SQL, its constant parameters, and the order of its
    parameters where the driver's are positional."""
    compiled = RULES_IN_FORCE.compile(dialect=dialect)
    return str(compiled), dict(compiled.params), tuple(compiled.positiontup) if compiled.positional else None


def _rules_in_force(dossier: Dossier) -> list[RuleFound]:
    """RULES_IN_FORCE's rows for the dossier, asked of the driver itself on the session's connection: every submission
    asks, and the statement is the whole check, so SQLAlchemy's work per execution would cost more than the database's
    (bench/eligibility.py)."""
    connection = db.session.connection()
    sql, constants, order = _driver_statement(connection.dialect)
    values = {**constants, "day": campaign_date(dossier.campaign), "award_type_id": dossier.award_type_id,
              "year": dossier.campaign.year, "nominee_id": dossier.nominee_id, "dossier_id": dossier.id}
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql, values if order is None else tuple(values[name] for name in order))
        rules = [RuleFound(*row) for row in cursor.fetchall()]
    finally:
        cursor.close()
    # SQLite hands dates back as text.
    return [rule._replace(decision_date=dt.date.fromisoformat(rule.decision_date))
            if isinstance(rule.decision_date, str) else rule for rule in rules]


@dataclass(frozen=True)
class Finding:
    """A rule the dossier does not meet: what it says, the legal text it cites and the evidence found."""

    rule: RuleFound
    message: Msg
    evidence: dict
    override: HistoryEntry | None = None

    @property
    def refuses(self) -> bool:
        return self.rule.severity == "refuse"

    @property
    def citation(self) -> str:
        return citation(self.rule)

    def as_detail(self) -> dict:
        """The guard detail's or the API's fields besides the rule code and the message."""
        detail = {"eligibility_rule": self.rule.id, "kind": self.rule.kind, "severity": self.rule.severity,
                  "rule_set": self.rule.set_name, "legal_basis": self.citation, "evidence": self.evidence}
        if self.override is not None:
            detail["override"] = {"reason": self.override.comment, "by": self.override.actor_username,
                                  "at": self.override.at.isoformat()}
        return detail


def citation(rule: RuleFound) -> str:
    basis = rule.legal_basis.strip()
    return f"{rule.article.strip()}, {basis}" if rule.article.strip() else basis


def record_evidence(rule: RuleFound) -> dict:
    """The award line the rule found, as the evidence a finding cites."""
    return {"award_record": rule.award_id, "year": rule.award_year, "form": rule.award_form,
            "title": rule.award_title,
            "decision_number": rule.decision_number,
            "decision_date": rule.decision_date.isoformat() if rule.decision_date else None,
            "issuer": rule.issuer, "dossier": rule.dossier_id}


def findings(dossier: Dossier) -> list[Finding]:
    """The rules in force for the dossier that it does not meet, refusals and warnings, in the rules' order; each
    warning with the history row that overrode it, if one did."""
    found = [finding for rule in _rules_in_force(dossier) if (finding := _judge(dossier, rule)) is not None]
    if any(not finding.refuses for finding in found):
        overrides = {entry.details.get("eligibility_rule"): entry for entry in db.session.scalars(
            select(HistoryEntry).where(HistoryEntry.dossier_id == dossier.id, HistoryEntry.event == OVERRIDE_EVENT)
            .order_by(HistoryEntry.seq))}
        found = [Finding(f.rule, f.message, f.evidence, overrides.get(f.rule.id)) if not f.refuses else f
                 for f in found]
    return found


def refusals(dossier: Dossier) -> list[Finding]:
    return [finding for finding in findings(dossier) if finding.refuses]


def _judge(dossier: Dossier, rule: RuleFound) -> Finding | None:
    year, name = dossier.campaign.year, dossier.nominee_name
    cited = citation(rule)
    if rule.kind == "not_within_years":
        if rule.award_id is None:
            return None
        return Finding(rule, Msg(
            N_("“%(name)s” already received “%(title)s” in %(year)d (decision no. %(number)s of %(date)s, "
               "%(issuer)s): the same award is not given again within %(years)d years (%(citation)s)."),
            {"name": name, "title": rule.award_title, "year": rule.award_year, "number": rule.decision_number,
             "date": rule.decision_date or "—", "issuer": rule.issuer, "years": rule.years,
             "citation": cited}), record_evidence(rule))
    if rule.kind == "consecutive_title":
        if (rule.title_years or 0) >= rule.years:
            return None
        held = sorted(db.session.scalars(select(AwardRecord.year).distinct().where(
            AwardRecord.nominee_id == dossier.nominee_id, AwardRecord.title_key == rule.title_key,
            AwardRecord.revocation_number.is_(None), AwardRecord.year >= year - rule.years, AwardRecord.year < year)))
        return Finding(rule, Msg(
            N_("“%(name)s” held “%(title)s” in %(held)d of the %(years)d years before %(year)d (%(list)s); "
               "%(years)d consecutive years are required (%(citation)s)."),
            {"name": name, "title": rule.title, "held": len(held), "years": rule.years, "year": year,
             "list": ", ".join(str(y) for y in held) or "—", "citation": cited}),
            {"title": rule.title, "years_held": held, "years_required": list(range(year - rule.years, year))})
    if dossier.nominee_kind != "collective":
        return None
    if rule.rating_found == rule.title_key:
        return None
    rating_year = year - rule.years
    rating = db.session.scalar(select(EmulationRating).where(EmulationRating.nominee_id == dossier.nominee_id,
                                                             EmulationRating.year == rating_year))
    evidence = {"year": rating_year, "rating": rating.rating if rating else None, "required": rule.title}
    if rating is None:
        return Finding(rule, Msg(
            N_("“%(name)s” has no emulation rating recorded for %(year)d; “%(rating)s” is required (%(citation)s)."),
            {"name": name, "year": rating_year, "rating": rule.title, "citation": cited}), evidence)
    return Finding(rule, Msg(
        N_("“%(name)s” is rated “%(found)s” for %(year)d; “%(rating)s” is required (%(citation)s)."),
        {"name": name, "found": rating.rating, "year": rating_year, "rating": rule.title, "citation": cited}),
        evidence)


# Rule sets, managed by the office ----------------------------------------------------------------

def rule_sets(actor: User) -> list[RuleSet]:
    require(actor, "manage_settings")
    return list(db.session.scalars(select(RuleSet).order_by(RuleSet.in_force_from.desc(), RuleSet.id.desc())))


def get_rule_set(actor: User, rule_set_id: int) -> RuleSet:
    require(actor, "manage_settings")
    rule_set = db.session.get(RuleSet, rule_set_id) if 0 < rule_set_id <= MAX_ID else None
    if rule_set is None:
        raise NotFound(Msg(N_("No such rule set.")))
    return rule_set


def _text(data: dict, name: str, errors: list, limit: int, required: bool = True, multiline: bool = False) -> str:
    try:
        value = (clean_lines if multiline else clean_line)(str(data.get(name) or "")).strip()
    except TextRefused as refused:
        errors.append({"field": name, "message": refused.message})
        return ""
    if required and not value:
        errors.append({"field": name, "message": Msg(N_("This field is required."))})
    elif len(value) > limit:
        errors.append({"field": name, "message": Msg(N_("At most %(limit)d characters."), {"limit": limit})})
    return value


def create_rule_set(actor: User, data: dict) -> RuleSet:
    """A rule set (name, legal basis, in force from `in_force_from`, until `in_force_until` if given)."""
    require(actor, "manage_settings")
    errors: list[dict] = []
    name = _text(data, "name", errors, TEXT_LIMIT)
    legal_basis = _text(data, "legal_basis", errors, LEGAL_BASIS_LIMIT, multiline=True)
    start, end = data.get("in_force_from"), data.get("in_force_until")
    if start is None:
        errors.append({"field": "in_force_from", "message": Msg(N_("The date it comes into force is required."))})
    elif end is not None and end < start:
        errors.append({"field": "in_force_until", "message": Msg(
            N_("The end of force cannot come before its start (%(start)s)."), {"start": start})})
    if errors:
        raise ValidationFailed(details=errors)
    rule_set = RuleSet(name=name, legal_basis=legal_basis, in_force_from=start, in_force_until=end,
                       created_by_id=actor.id)
    db.session.add(rule_set)
    db.session.flush()
    return rule_set


def add_rule(actor: User, rule_set: RuleSet, data: dict) -> EligibilityRule:
    """A rule of the set: award type (code), kind, years, title (a title or rating where the kind reads one),
    article cited, severity."""
    require(actor, "manage_settings")
    errors: list[dict] = []
    award_type = None
    if not data.get("award_type"):
        errors.append({"field": "award_type", "message": Msg(N_("Choose an award type."))})
    else:
        award_type = db.session.scalar(select(AwardType).where(AwardType.code == str(data["award_type"])))
        if award_type is None:
            errors.append({"field": "award_type", "message": Msg(N_("No such award type."))})
    kind = data.get("kind")
    if kind not in RULE_KINDS:
        errors.append({"field": "kind", "message": Msg(N_("Choose one of: %(choices)s."),
                                                       {"choices": ", ".join(RULE_KINDS)})})
    if data.get("severity") not in SEVERITIES:
        errors.append({"field": "severity", "message": Msg(N_("Choose one of: %(choices)s."),
                                                           {"choices": ", ".join(SEVERITIES)})})
    years = data.get("years")
    lowest = 0 if kind == "emulation_rating" else 1
    if not isinstance(years, int) or isinstance(years, bool) or not (lowest <= years <= MAX_YEARS):
        errors.append({"field": "years", "message": Msg(N_("A whole number from %(low)d to %(high)d."),
                                                        {"low": lowest, "high": MAX_YEARS})})
    title = _text(data, "title", errors, 500, required=kind in ("consecutive_title", "emulation_rating"))
    article = _text(data, "article", errors, TEXT_LIMIT, required=False)
    if errors:
        raise ValidationFailed(details=errors)
    rule = EligibilityRule(rule_set=rule_set, award_type=award_type, kind=kind, years=years,
                           title=title or None, article=article, severity=data["severity"])
    db.session.add(rule)
    db.session.flush()
    return rule


def deactivate_rule(actor: User, rule_set: RuleSet, rule_id: int) -> EligibilityRule:
    """The rule stops applying; it stays in the set, as dossiers judged by it cite it."""
    require(actor, "manage_settings")
    rule = db.session.get(EligibilityRule, rule_id) if 0 < rule_id <= MAX_ID else None
    if rule is None or rule.rule_set_id != rule_set.id:
        raise NotFound(Msg(N_("No such rule.")))
    rule.active = False
    db.session.flush()
    return rule


def in_force_on(day: dt.date) -> RuleSet | None:
    return db.session.scalar(select(RuleSet).where(RuleSet.id == SET_IN_FORCE), {"day": day})
