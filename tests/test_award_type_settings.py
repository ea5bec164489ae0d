"""The office's changes to an award type's rules: fractions checked as their column stores them (after rounding,
finite, above 0, at most 1) on the page and the API alike, and every change recorded and shown."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from tests.web_helpers import csrf_token, own_choice_notes, sign_in
from workflow.i18n import VIETNAM
from workflow.models import AwardType, AwardTypeChange, Dossier, db
from workflow.procedure import catalogue

pytestmark = pytest.mark.postgres

NOT_FRACTIONS = ["0.00001", "NaN", "inf", "-Infinity", "1.5", "0", "-0.5", "1e999999"]


def stored(code: str = "bk_thanh_hoi") -> tuple:
    db.session.expire_all()
    award_type = db.session.scalar(select(AwardType).where(AwardType.code == code))
    changes = db.session.scalar(select(func.count()).select_from(AwardTypeChange))
    return award_type.vote_quorum, award_type.vote_threshold, changes


def page_form(award_type: AwardType, token: str, **fields) -> dict:
    return {"csrf_token": token, "name": award_type.name, "rank": str(award_type.rank),
            "required_documents": list(award_type.required_documents), "quota_per_unit": "",
            "vote_quorum": str(award_type.vote_quorum), "vote_threshold": str(award_type.vote_threshold),
            "legal_basis": award_type.legal_basis, "active": "y", **fields}


@pytest.mark.parametrize("value", NOT_FRACTIONS)
@pytest.mark.parametrize("field", ["vote_quorum", "vote_threshold"])
def test_the_page_refuses_a_fraction_the_column_would_not_keep(app, factory, field, value):
    office = sign_in(app, factory.user("office"), language="en")
    award_type = db.session.scalar(select(AwardType).where(AwardType.code == "bk_thanh_hoi"))
    before = stored()
    response = office.post("/settings/award-types/bk_thanh_hoi",
                           data=page_form(award_type, csrf_token(office, "/settings/campaigns"), **{field: value}))
    assert response.status_code == 400
    assert "greater than 0 and at most 1" in response.text or "kept to 4 decimal places" in response.text
    assert stored() == before


@pytest.mark.parametrize("body", ['{"vote_quorum": 0.00001}', '{"vote_quorum": NaN}', '{"vote_quorum": Infinity}',
                                  '{"vote_quorum": -Infinity}', '{"vote_quorum": "NaN"}', '{"vote_quorum": 1.5}',
                                  '{"vote_quorum": 0}', '{"vote_quorum": 1e400}', '{"vote_quorum": "1e999999"}'])
def test_the_api_refuses_a_fraction_the_column_would_not_keep(factory, body):
    office = factory.api(factory.user("office"), language="en")
    before = stored()
    response = office.patch("/api/v1/award-types/bk_thanh_hoi", data=body, content_type="application/json")
    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == "validation_error"
    assert [d["field"] for d in response.json["error"]["details"]] == ["vote_quorum"]
    assert stored() == before


def test_a_fraction_is_kept_as_rounded_to_the_column(factory):
    office = factory.api(factory.user("office"))
    response = office.patch("/api/v1/award-types/bk_thanh_hoi",
                            json={"vote_quorum": 0.00005, "vote_threshold": 1.00004})
    assert response.status_code == 200, response.json
    assert (response.json["vote_quorum"], response.json["vote_threshold"]) == (0.0001, 1.0)
    assert stored()[:2] == (Decimal("0.0001"), Decimal("1.0000"))


def test_only_the_office_changes_an_award_type(factory):
    before = stored()
    for role in ("submitter", "chair", "admin"):
        response = factory.api(factory.user(role)).patch("/api/v1/award-types/bk_thanh_hoi", json={"vote_quorum": 0.5})
        assert (response.status_code, response.json["error"]["code"]) == (403, "forbidden")
    missing = factory.api(factory.user("office")).patch("/api/v1/award-types/no-such-type", json={"rank": 3})
    assert (missing.status_code, missing.json["error"]["code"]) == (404, "not_found")
    assert stored() == before


def test_a_change_of_rules_is_recorded_and_shown_on_the_settings_page(app, factory):
    officer = factory.user("office", full_name="Trần Thị Văn Phòng")
    with time_machine.travel(dt.datetime(2024, 12, 2, 9, 5, tzinfo=VIETNAM), tick=False):
        response = factory.api(officer).patch("/api/v1/award-types/bk_thanh_hoi", json={
            "vote_quorum": 0.75, "quota_per_unit": 3, "required_documents": ["to_trinh"], "rank": 2})
    assert response.status_code == 200, response.json
    award_type = db.session.scalar(select(AwardType).where(AwardType.code == "bk_thanh_hoi"))
    changes = {c.field: (c.actor.username, c.at, c.old_value, c.new_value) for c in db.session.scalars(
        select(AwardTypeChange).where(AwardTypeChange.award_type_id == award_type.id))}
    at = dt.datetime(2024, 12, 2, 2, 5, tzinfo=dt.UTC)
    assert changes == {
        "vote_quorum": (officer.username, at, "0.6667", "0.7500"),
        "quota_per_unit": (officer.username, at, None, 3),
        "required_documents": (officer.username, at, ["to_trinh", "bao_cao_thanh_tich"], ["to_trinh"]),
    }  # the rank was 2 already: nothing changed, nothing recorded

    api_changes = factory.api(officer).get("/api/v1/award-types/bk_thanh_hoi/changes").json
    assert {c["field"]: (c["actor"], c["old"], c["new"]) for c in api_changes}["vote_quorum"] == (
        officer.username, "0.6667", "0.7500")

    page = sign_in(app, officer).get("/settings/award-types/bk_thanh_hoi").text
    assert "02/12/2024 09:05" in page and "Trần Thị Văn Phòng" in page
    assert "0.6667 → 0.7500" in page
    assert "— → 3" in page
    assert "Tờ trình, Báo cáo thành tích → Tờ trình" in page

    office = sign_in(app, officer)
    office.post("/settings/award-types/bk_thanh_hoi",
                data=page_form(award_type, csrf_token(office, "/settings/campaigns"), vote_threshold="0.8",
                               quota_per_unit="3"))
    assert stored()[1:] == (Decimal("0.8000"), 4)


# The procedure an award type's dossiers follow --------------------------------------------------

def procedure_of_type(code: str) -> str:
    db.session.expire_all()
    return db.session.scalar(select(AwardType.procedure).where(AwardType.code == code))


def test_changing_the_procedure_applies_to_new_dossiers_only(factory):
    running = factory.dossier("in_appraisal", award_type="chi_hoi_tieu_bieu")
    assert (running.procedure, running.procedure_version) == ("reference", 1)
    office = factory.api(factory.user("office"))

    response = office.patch("/api/v1/award-types/chi_hoi_tieu_bieu", json={"procedure": "co-appraisal"})

    assert response.status_code == 200, response.json
    assert response.json["procedure"] == "co-appraisal"
    listed = {t["code"]: t["procedure"] for t in office.get("/api/v1/award-types").json}
    assert (listed["chi_hoi_tieu_bieu"], listed["bk_thanh_hoi"]) == ("co-appraisal", "reference")
    changes = office.get("/api/v1/award-types/chi_hoi_tieu_bieu/changes").json
    assert [(c["field"], c["old"], c["new"]) for c in changes] == [("procedure", "reference", "co-appraisal")]

    # the dossier under way keeps its procedure: the responsible department alone recommends it
    db.session.expire_all()
    running = db.session.get(Dossier, running.id)
    assert (running.procedure, running.procedure_version) == ("reference", 1)
    factory.advance(running, "recommend")
    assert running.state == "council_review"
    # a new one takes the newest version of the new procedure
    created = factory.draft("chi_hoi_tieu_bieu")
    newest = catalogue().current("co-appraisal").version
    assert (created.procedure, created.procedure_version) == ("co-appraisal", newest)


@pytest.mark.parametrize("value", ["no-such-procedure", "Reference", " reference", ""])
def test_an_unknown_procedure_is_refused(factory, value):
    office = factory.api(factory.user("office"), language="en")
    changes = stored()[2]

    response = office.patch("/api/v1/award-types/chi_hoi_tieu_bieu", json={"procedure": value})

    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == "validation_error"
    assert [d["field"] for d in response.json["error"]["details"]] == ["procedure"]
    assert procedure_of_type("chi_hoi_tieu_bieu") == "reference"
    assert stored()[2] == changes


def test_the_settings_page_changes_the_procedure(app, factory):
    office = sign_in(app, factory.user("office"))
    award_type = db.session.scalar(select(AwardType).where(AwardType.code == "chi_hoi_tieu_bieu"))
    page = office.get("/settings/award-types/chi_hoi_tieu_bieu").text
    assert '<label for="procedure">Quy trình</label>' in page
    assert '<option selected value="reference">' in page
    assert "Quy trình xét khen thưởng 2024 có phối hợp thẩm định" in page

    refused = office.post("/settings/award-types/chi_hoi_tieu_bieu", data=page_form(
        award_type, csrf_token(office, "/settings/campaigns"), quota_per_unit="2", procedure="no-such-procedure"))
    assert refused.status_code == 400
    assert "“no-such-procedure” không phải là quy trình đang được nạp" in refused.text
    assert procedure_of_type("chi_hoi_tieu_bieu") == "reference"

    saved = office.post("/settings/award-types/chi_hoi_tieu_bieu", data=page_form(
        award_type, csrf_token(office, "/settings/campaigns"), quota_per_unit="2", procedure="co-appraisal"))
    assert saved.status_code == 302
    assert procedure_of_type("chi_hoi_tieu_bieu") == "co-appraisal"
    assert factory.draft("chi_hoi_tieu_bieu").procedure == "co-appraisal"


def test_the_values_the_plan_does_not_give_are_shown_as_the_organisations_own(app, factory):
    page = sign_in(app, factory.user("office")).get("/settings/award-types/chi_hoi_tieu_bieu").text
    assert own_choice_notes(page) == {"quota_per_unit", "vote_quorum", "vote_threshold", "vote_denominator",
                                      "disclosure_days"}
    english = sign_in(app, factory.user("office"), language="en").get("/settings/award-types/chi_hoi_tieu_bieu").text
    assert english.count("The organisation's own choice: the plan does not set this value.") == 5
