"""The eligibility check at submit (DOMAIN.md, "Nominees and their award history") with 1,000,000 past award lines in
the database: 100,000 nominees with ten lines each. Ours: the rules of the set in force for each dossier, with what
each finds in the nominee's history, as the submit guard reads them (`eligibility.refusals`), for 200 dossiers, half
of whose nominees received the same award last year. The baseline asks the same question as one indexed SQL query
through the same driver: the latest line of that nominee and award type within the rule's years.
"""
from __future__ import annotations

import datetime as dt

import psycopg
from sqlalchemy import select, text, update

from bench.harness import Scale, app_in_context, at_least, interleaved_medians, postgres_database, scratch_dir
from bench.workload import AWARD_TYPE, prepare_cast, prepare_drafts
from workflow import eligibility
from workflow.i18n import today
from workflow.models import AwardType, Dossier, EligibilityRule, RuleSet, db

ORDER = 12
LINES_PER_NOMINEE = 10
YEARS = 2  # the rule: not the same award within two years
BASELINE = ("SELECT id, year, decision_number, decision_date, issuer FROM award_records "
            "WHERE nominee_id = %s AND award_type_id = %s AND revocation_number IS NULL "
            "AND year <= %s AND year > %s - %s "
            "ORDER BY year DESC, id DESC LIMIT 1")


def fill_history(nominees: int, award_type_id: int, other_type_id: int, this_year: int) -> None:
    """`nominees` entries of ten lines each, in set-based statements: the lines of the years before the last two,
    of both award types."""
    unit = db.session.scalar(text("SELECT id FROM units WHERE code = 'ba-dinh'"))
    db.session.execute(text(
        "INSERT INTO nominees (kind, name, name_key, search_key, unit_id, created_at) "
        "SELECT 'individual', 'Trần Thị ' || n, 'trần thị ' || n, 'tran thi ' || n, :unit, now() "
        "FROM generate_series(1, :count) AS n"), {"unit": unit, "count": nominees})
    db.session.execute(text(
        "INSERT INTO award_records (nominee_id, award_type_id, form, title, title_key, year, decision_number, "
        "decision_date, issuer, source, created_at) "
        "SELECT nominee.id, CASE WHEN line % 2 = 0 THEN :type ELSE :other END, 'Bằng khen', 'Danh hiệu ' || line, "
        "'danh hiệu ' || line, :year - 2 - line, line || '/QĐ-HPN', make_date(:year - 2 - line, 12, 15), "
        "'Ban Thường vụ', 'import', now() "
        "FROM nominees AS nominee CROSS JOIN generate_series(1, :lines) AS line WHERE nominee.kind = 'individual' "
        "AND nominee.name LIKE 'Trần Thị %'"),
        {"type": award_type_id, "other": other_type_id, "year": this_year, "lines": LINES_PER_NOMINEE})
    db.session.execute(text("ANALYZE nominees"))
    db.session.execute(text("ANALYZE award_records"))
    db.session.commit()


def prepare(cast, count: int, nominees: int) -> list[Dossier]:
    award_type = db.session.scalar(select(AwardType).where(AwardType.code == AWARD_TYPE))
    other = db.session.scalar(select(AwardType.id).where(AwardType.code != AWARD_TYPE).order_by(AwardType.id))
    year = today().year
    fill_history(nominees, award_type.id, other, year)
    rules = RuleSet(name="Nghị định 98/2023/NĐ-CP", legal_basis="Nghị định 98/2023/NĐ-CP",
                    in_force_from=dt.date(2024, 1, 1))
    db.session.add(rules)
    db.session.add(EligibilityRule(rule_set=rules, award_type=award_type, kind="not_within_years", years=YEARS,
                                   article="Điều 24", severity="refuse"))
    ids = prepare_drafts(cast, count)
    # Each draft names one of the nominees with a history, spread over the table; half received the award last year.
    first = db.session.scalar(text("SELECT min(id) FROM nominees WHERE name LIKE 'Trần Thị %'"))
    step = max(1, nominees // count)
    for index, dossier_id in enumerate(ids):
        nominee_id = first + index * step
        db.session.execute(update(Dossier).where(Dossier.id == dossier_id).values(nominee_id=nominee_id))
        if index % 2 == 0:
            db.session.execute(text(
                "INSERT INTO award_records (nominee_id, award_type_id, form, title, title_key, year, "
                "decision_number, decision_date, issuer, source, created_at) VALUES (:nominee, :type, "
                "'Bằng khen', 'Bằng khen', 'bằng khen', :year, '99/QĐ-HPN', :day, 'Ban Thường vụ', 'import', "
                "now())"), {"nominee": nominee_id, "type": award_type.id, "year": year - 1,
                                   "day": dt.date(year - 1, 12, 20)})
    db.session.commit()
    return list(db.session.scalars(select(Dossier).where(Dossier.id.in_(ids)).order_by(Dossier.id)))


def run(scale: Scale):
    count = scale.pick(200, 10)
    nominees = scale.pick(1_000_000 // LINES_PER_NOMINEE, 100)
    with postgres_database() as url, scratch_dir() as folder:
        with app_in_context(folder, url), psycopg.connect(url) as conn:
            dossiers = prepare(prepare_cast(), count, nominees)
            lines = db.session.scalar(text("SELECT count(*) FROM award_records"))
            found = {}

            def ours():
                found["ours"] = sum(len(eligibility.refusals(dossier)) for dossier in dossiers)

            def raw():
                with conn.cursor() as cursor:
                    found["raw"] = sum(cursor.execute(BASELINE, (
                        dossier.nominee_id, dossier.award_type_id, dossier.campaign.year, dossier.campaign.year,
                        YEARS)).fetchone() is not None for dossier in dossiers)
                conn.commit()

            ours()  # warm up caches and the connection pool
            raw()
            if found["ours"] != found["raw"] or found["ours"] != (count + 1) // 2:
                raise RuntimeError(f"the checks disagree: ours {found['ours']}, raw {found['raw']}")
            seconds = interleaved_medians({"ours": ours, "raw": raw}, scale.pick(7, 1))
    yield at_least("eligibility_submit", seconds["raw"] / seconds["ours"], 0.5,
                   f"ours {seconds['ours'] * 1000 / count:.3f} ms, one indexed SQL query "
                   f"{seconds['raw'] * 1000 / count:.3f} ms per dossier, with {lines:,} award lines "
                   f"({count} dossiers, half refused), median of {scale.pick(7, 1)}")
