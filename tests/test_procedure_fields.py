"""A procedure's `fields`: what its dossiers hold besides the nominee, checked on creation and on every edit
(API and pages alike) with the app's one input policy; a refusal is a clear 422 and changes nothing. The loader
refuses a field it cannot use, naming its line."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.factories import details_for
from workflow.models import AwardType, Dossier, db
from workflow.procedure import ProcedureError, catalogue, parse

pytestmark = pytest.mark.usefixtures("light_password_hashing")

GIFT = next(p for p in catalogue() if Path(p.source).name == "tet-gift-v1.yaml")
VALID = details_for(GIFT)


def fields_of(answer) -> dict[str, str]:
    return {detail["field"]: detail["message"] for detail in answer.json["error"]["details"]}


def count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Dossier))


def create(api, details, language=None):
    award_type = db.session.scalar(select(AwardType.code).where(AwardType.procedure == GIFT.code))
    return api.post("/api/v1/dossiers", json={
        "campaign": "test-campaign", "award_type": award_type, "details": details,
        "nominee": {"kind": "individual", "name": "Lê Thị Thử", "birth_year": 1970}})


@pytest.mark.parametrize("change, field, message", [
    ({"address": None}, "details.address", "Address is required."),
    ({"gift_value": "nhiều"}, "details.gift_value", "Gift value (VND): write a whole number."),
    ({"gift_value": True}, "details.gift_value", "Gift value (VND): write a whole number."),
    ({"gift_value": 99_999}, "details.gift_value", "Gift value (VND): a whole number from 100000 to 10000000."),
    ({"gift_value": 10_000_001}, "details.gift_value", "Gift value (VND): a whole number from 100000 to 10000000."),
    ({"situation": "Khó"}, "details.situation", "Situation: at least 10 characters."),
    ({"situation": "x" * 1001}, "details.situation", "Situation: at most 1000 characters."),
    ({"address": ["Hà Nội"]}, "details.address", "Address: write it as text."),
    ({"gift": "vang"}, "details.gift", "Proposed gift: choose one of Cash, Goods (rice, essentials), Savings book."),
    ({"address": "Số 1\x07 phố Huế, Hà Nội"}, "details.address",
     "The text holds a control character (U+0007), which is not allowed here."),
    ({"colour": "đỏ"}, "details.colour", "“colour” is not a field of this procedure."),
    ({"handed_over_on": "2024-12-01"}, "details.handed_over_on",
     "“handed_over_on” is not a field of this procedure."),
])
def test_a_bad_value_is_refused_with_its_field_and_nothing_is_created(app, factory, change, field, message):
    factory.campaign()
    api = factory.api(factory.user_once("submitter", "ba-dinh"), language="en")
    before = count()
    answer = create(api, {key: value for key, value in {**VALID, **change}.items() if value is not None})
    assert answer.status_code == 422, answer.json
    assert answer.json["error"]["code"] == "validation_error" and fields_of(answer) == {field: message}
    assert count() == before


def test_the_message_is_vietnamese_by_default_and_dates_take_either_form(app, factory):
    factory.campaign()
    api = factory.api(factory.user_once("submitter", "ba-dinh"))
    answer = create(api, {**VALID, "gift_value": 5})
    assert fields_of(answer) == {"details.gift_value": "Giá trị quà (đồng): số nguyên từ 100000 đến 10000000."}
    assert create(api, {**VALID, "address": "  Thôn   Đông,  xã Tây  "}).json["details"]["address"] == \
        "Thôn Đông, xã Tây"


def test_an_edit_is_checked_and_a_refused_one_changes_nothing(app, factory):
    award_type = db.session.scalar(select(AwardType.code).where(AwardType.procedure == GIFT.code))
    dossier = factory.draft(award_type)
    api = factory.api(factory.user_once("submitter", "ba-dinh"), language="en")
    refused = api.patch(f"/api/v1/dossiers/{dossier.id}", json={
        "version": dossier.version, "details": {"gift_value": -1, "situation": ""}})
    assert refused.status_code == 422
    assert fields_of(refused) == {"details.gift_value": "Gift value (VND): a whole number from 100000 to 10000000.",
                                  "details.situation": "Situation is required."}
    db.session.expire_all()
    unchanged = db.session.get(Dossier, dossier.id)
    assert (unchanged.version, unchanged.details) == (dossier.version, VALID)
    done = api.patch(f"/api/v1/dossiers/{dossier.id}", json={"version": dossier.version,
                                                             "details": {"gift": "savings"}})
    assert done.status_code == 200 and done.json["details"] == {**VALID, "gift": "savings"}


def test_a_procedure_without_fields_takes_no_details(app, factory):
    factory.campaign()
    api = factory.api(factory.user_once("submitter", "ba-dinh"), language="en")
    answer = api.post("/api/v1/dossiers", json={"campaign": "test-campaign", "award_type": "bk_thanh_hoi",
                                               "nominee": {"kind": "individual", "name": "Lê Thị Khen"},
                                               "details": {"address": "Hà Nội"}})
    assert answer.status_code == 422 and list(fields_of(answer)) == ["details.address"]
    plain = api.post("/api/v1/dossiers", json={"campaign": "test-campaign", "award_type": "bk_thanh_hoi",
                                              "nominee": {"kind": "individual", "name": "Lê Thị Khen"}})
    assert plain.status_code == 201 and plain.json["details"] == {}


SOURCE = Path(GIFT.source).read_text(encoding="utf-8")


def faults_of(text: str) -> list[tuple[int, str]]:
    with pytest.raises(ProcedureError) as refused:
        parse(text, "gift.yaml")
    return [(line, fault) for _name, line, fault in refused.value.faults]


def line_of(text: str, marker: str) -> int:
    return text[:text.index(marker)].count("\n") + 1


@pytest.mark.parametrize("old, new, fault", [
    ("address:    {type: text,", "address:    {type: money,", "field 'address': 'type' must be one of text, int, "
                                                              "date, choice"),
    ("required: true, min: 5, max: 255}", "required: true, min: 300, max: 255}", "field 'address': 'min' is above "
                                                                                 "'max'"),
    ("required: true, min: 5, max: 255}", "required: true, min: 5, max: 255, colour: red}",
     "field 'address': unknown key 'colour'; known: choices, en, max, min, recorded, required, type, vi"),
    ("handed_over_on: {type: date, vi: \"Ngày trao quà\", en: \"Handed over on\", recorded: true}",
     "handed_over_on: {type: date, vi: \"Ngày trao quà\", en: \"Handed over on\"}",
     "effect 'record_date' needs 'field': a field of type date with recorded: true, not 'handed_over_on'"),
    ("    type: choice\n", "    type: choice\n    min: 1\n", "field 'gift': 'min' is only for text and int fields"),
])
def test_a_faulty_field_is_named_with_its_line(old, new, fault):
    assert old in SOURCE
    text = SOURCE.replace(old, new, 1)
    faults = faults_of(text)
    assert [message for _line, message in faults] == [fault]
    assert faults[0][0] > 0


def test_a_choice_needs_its_choices():
    start = SOURCE.index("    choices:\n")
    end = SOURCE.index("  gift_value:")
    faults = faults_of(SOURCE[:start] + SOURCE[end:])
    assert faults == [(line_of(SOURCE, "  gift:"), "field 'gift': a choice needs 'choices', a mapping of code: "
                                                   "{vi, en}")]
