"""Award history and eligibility on the pages: the office's rule sets and import (with every wrong row and column
listed), the refusal at submit naming the rule, its legal text and the 2023 decision, the appraiser's override of a
warning with a reason, and the nominee page's history beside its nominations."""
from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from tests.test_award_history import HOA_2023 as HOA_2023_VI
from tests.test_award_history import LEGAL_BASIS, campaign_of, workbook
from tests.web_helpers import csrf_token, sign_in
from workflow.models import AwardRecord, Dossier, EligibilityRule, HistoryEntry, RuleSet, db


# The pages are read in English here: the kind is written as the English template says it.
HOA_2023 = [cell if cell != "Cá nhân" else "Person" for cell in HOA_2023_VI]


def set_up_rules(client, **rule) -> RuleSet:
    created = client.post("/settings/rule-sets", data={
        "csrf_token": csrf_token(client, "/settings/rule-sets"), "name": "Quy định 2024", "legal_basis": LEGAL_BASIS,
        "in_force_from": "01/01/2024", "in_force_until": ""})
    assert created.status_code == 302, created.text
    rule_set = db.session.scalar(select(RuleSet))
    path = f"/settings/rule-sets/{rule_set.id}"
    added = client.post(path, data={
        "csrf_token": csrf_token(client, path), "award_type": "bk_thanh_hoi", "kind": "not_within_years",
        "years": "2", "title": "", "article": "Khoản 2 Điều 24", "severity": "refuse", **rule})
    assert added.status_code == 302, added.text
    return rule_set


def import_page(client, data: bytes):
    return client.post("/nominees/history-import", data={
        "csrf_token": csrf_token(client, "/nominees/history-import"), "kind": "history",
        "file": (io.BytesIO(data), "lich-su.xlsx")}, content_type="multipart/form-data")


def test_the_office_sets_rules_imports_2023_and_the_2024_submission_is_refused_citing_them(app, factory):
    office = sign_in(app, factory.user_once("office"), language="en")
    rule_set = set_up_rules(office)
    listing = office.get("/settings/rule-sets").text
    assert "In force today: Quy định 2024." in listing and "Nghị định 98/2023/NĐ-CP" in listing
    assert "Khoản 2 Điều 24" in office.get(f"/settings/rule-sets/{rule_set.id}").text

    imported = import_page(office, workbook([HOA_2023]))
    assert imported.status_code == 302, imported.text
    record = db.session.scalar(select(AwardRecord))

    campaign_of(factory, "tong-ket-2024", 2024)
    dossier = factory.draft("bk_thanh_hoi", "ba-dinh", name="Lê Thị Hoà", campaign="tong-ket-2024", birth_year=1975)
    submitter = sign_in(app, factory.user_once("submitter", "ba-dinh"), language="en")
    refused = submitter.post(f"/dossiers/{dossier.id}/events/submit", data={
        "csrf_token": csrf_token(submitter, f"/dossiers/{dossier.id}"), "version": str(dossier.version)},
        follow_redirects=True)
    text = refused.text.replace("&#34;", '"')
    assert "received “Bằng khen" in text and "in 2023 (decision no. 123/QĐ-HPN of 15/12/2023" in text
    assert f"Khoản 2 Điều 24, {LEGAL_BASIS}" in text
    assert 'id="eligibility"' in text and "Refuses the submission" in text
    db.session.expire_all()
    assert db.session.get(Dossier, dossier.id).state == "draft"

    nominee_page = submitter.get(f"/nominees/{record.nominee_id}").text  # the draft is the unit's to see
    assert re.search(r"<td[^>]*>2023</td>\s*<td[^>]*>Bằng khen</td>", nominee_page)
    assert "No. 123/QĐ-HPN of 15/12/2023" in nominee_page and "Imported" in nominee_page
    assert f'href="/dossiers/{dossier.id}"' in nominee_page


def test_a_wrong_file_lists_every_row_and_column_on_the_page_and_imports_nothing(app, factory):
    office = sign_in(app, factory.user_once("office"), language="en")
    bad = ["", "ba-dinh", "Person", "Phạm Thị C", 1980, "no_such_type", "", "", 1800, "", "", ""]
    page = import_page(office, workbook([HOA_2023, bad]))

    assert page.status_code == 400
    assert "The file has 4 errors; nothing was imported." in page.text
    cells = re.findall(r'<td data-label="Row">(\d+)</td><td data-label="Column">([A-Z])</td>', page.text)
    assert cells == [("3", "F"), ("3", "I"), ("3", "J"), ("3", "K")]
    assert db.session.scalar(select(func.count()).select_from(AwardRecord)) == 0
    assert sign_in(app, factory.user_once("submitter", "ba-dinh")).get("/nominees/history-import").status_code == 403


def test_the_appraiser_overrides_a_warning_with_a_reason_the_history_shows(app, factory):
    office = sign_in(app, factory.user_once("office"), language="en")
    set_up_rules(office, severity="warn")
    assert import_page(office, workbook([HOA_2023])).status_code == 302
    campaign_of(factory, "tong-ket-2024", 2024)
    dossier = factory.dossier("submitted", name="Lê Thị Hòa", campaign="tong-ket-2024", birth_year=1975)
    rule = db.session.scalar(select(EligibilityRule))

    appraiser = sign_in(app, factory.user_once("appraiser", "van-phong"), language="en")
    page = appraiser.get(f"/dossiers/{dossier.id}").text
    assert "Warning" in page and 'for="override-reason-' in page
    empty = appraiser.post(f"/dossiers/{dossier.id}/eligibility/override", data={
        "csrf_token": csrf_token(appraiser, f"/dossiers/{dossier.id}"), "rule": str(rule.id),
        "version": str(dossier.version), "reason": ""}, follow_redirects=True)
    assert "Give the reason for overriding the warning." in empty.text
    done = appraiser.post(f"/dossiers/{dossier.id}/eligibility/override", data={
        "csrf_token": csrf_token(appraiser, f"/dossiers/{dossier.id}"), "rule": str(rule.id),
        "version": str(dossier.version), "reason": "Khen năm 2023 là khen đột xuất."}, follow_redirects=True)

    assert "Reason: Khen năm 2023 là khen đột xuất." in done.text
    assert "Eligibility warning overridden" in done.text
    assert db.session.scalar(select(HistoryEntry.comment).where(
        HistoryEntry.dossier_id == dossier.id, HistoryEntry.event == "override_warning")) == \
        "Khen năm 2023 là khen đột xuất."
