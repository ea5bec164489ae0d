"""The Tết gift list (DOMAIN.md, "The Tết gift list"), a second process declared as data only: a whole case
through the API and through the pages, every state and event read from the loaded procedure file.

A district proposes a woman with her details, the responsible department returns the proposal, the district
resubmits it, the department confirms its check, the chair approves, and the office records the gift handed
over with its date. The gift never reaches the honours list.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select, update

from tests.web_helpers import csrf_token, sign_in
from workflow.history import verify_history
from workflow.i18n import today
from workflow.models import AwardType, Dossier, HistoryEntry, db
from workflow.procedure import SUBMITTER_OF_UNIT, catalogue

pytestmark = pytest.mark.usefixtures("light_password_hashing")

GIFT = next(p for p in catalogue() if Path(p.source).name == "tet-gift-v1.yaml")
DEAD = GIFT.dead_states


def _only(steps):
    assert len(steps) == 1, steps
    return steps[0]


# The case's steps, found by what they are, not by their names.
SUBMIT = _only([s for s in GIFT.steps if s.source == GIFT.initial and s.dest not in DEAD])
RETURN = _only(GIFT.steps_with("set_due_date"))
RESUBMIT = _only([s for s in GIFT.steps if s.source == RETURN.dest and s.dest not in DEAD])
CHECK = _only([s for s in GIFT.steps if s.source == SUBMIT.dest and s is not RETURN and s.dest not in DEAD])
APPROVE = _only([s for s in GIFT.steps if s.source == CHECK.dest and s.role == "chair" and s.dest not in DEAD])
HAND_OVER = _only(GIFT.steps_with("record_date"))
CASE = (SUBMIT, RETURN, RESUBMIT, CHECK, APPROVE, HAND_OVER)
RECORDED = HAND_OVER.effect("record_date")["field"]
DETAILS = {"address": "Số 12 ngõ 34 phố Kim Mã, phường Kim Mã, quận Ba Đình",
           "situation": "Mẹ đơn thân nuôi hai con nhỏ, thu nhập thấp, nhà thuê",
           "gift": "cash", "gift_value": 1_000_000}


def gift_award_type() -> AwardType:
    return db.session.scalars(select(AwardType).where(AwardType.procedure == GIFT.code)).one()


def test_the_file_makes_the_case_and_the_reference_data_its_award_type(app):
    assert RESUBMIT.dest == SUBMIT.dest and HAND_OVER.source == APPROVE.dest and HAND_OVER.dest in GIFT.final_states
    assert SUBMIT.scope == RESUBMIT.scope == SUBMITTER_OF_UNIT and {RETURN.role, CHECK.role} == {"appraiser"}
    assert not GIFT.honoured_states and not GIFT.decided_states  # a gift is not an award
    award_type = gift_award_type()
    assert award_type.responsible_unit.code == "ban-gdxh" and award_type.subject == "individual"
    assert {f.name for f in GIFT.entered_fields} == set(DETAILS)


def test_a_whole_case_through_the_api(app, factory):
    factory.campaign()
    award_type = gift_award_type()
    district = factory.api(factory.user_once("submitter", "ba-dinh"))
    department = factory.api(factory.user_once("appraiser", award_type.responsible_unit.code))
    other_department = factory.api(factory.user_once("appraiser", "van-phong"))
    actors = {"submitter": district, "appraiser": department, "chair": factory.api(factory.user_once("chair")),
              "office": factory.api(factory.user_once("office", "van-phong"))}

    listed = {p["code"]: p for p in district.get("/api/v1/procedures").json}
    assert [f["name"] for f in listed[GIFT.code]["fields"]] == [f.name for f in GIFT.fields]
    assert next(t for t in district.get("/api/v1/award-types").json
                if t["code"] == award_type.code)["procedure"] == GIFT.code

    created = district.post("/api/v1/dossiers", json={
        "campaign": "test-campaign", "award_type": award_type.code,
        "nominee": {"kind": "individual", "name": "Nguyễn Thị Nhận Quà", "birth_year": 1958}, "details": DETAILS})
    assert created.status_code == 201, created.json
    body = created.json
    assert (body["state"], body["procedure"], body["details"]) == (GIFT.initial, GIFT.code, DETAILS)
    dossier_id, version = body["id"], body["version"]

    for step in CASE:
        if step is CHECK:
            refused = other_department.post(f"/api/v1/dossiers/{dossier_id}/events",
                                            json={"event": step.event, "version": version})
            assert refused.status_code == 403  # only the department responsible for the gift list checks it
        if step is RESUBMIT:
            patched = district.patch(f"/api/v1/dossiers/{dossier_id}", json={
                "version": version, "details": {"gift_value": 1_500_000}})
            assert patched.status_code == 200, patched.json
            assert patched.json["details"] == {**DETAILS, "gift_value": 1_500_000}
            version = patched.json["version"]
        data = {"event": step.event, "version": version}
        if step is RETURN:
            data["comment"] = "Bổ sung xác nhận hoàn cảnh của chi hội."
        if step is HAND_OVER:
            missing = actors[step.role].post(f"/api/v1/dossiers/{dossier_id}/events", json=data)
            assert missing.status_code == 422 and missing.json["error"]["details"][0]["rule"] == "date_valid"
            ahead = actors[step.role].post(f"/api/v1/dossiers/{dossier_id}/events",
                                           json={**data, "date": (today() + dt.timedelta(days=1)).isoformat()})
            assert ahead.status_code == 422
            data["date"] = today().isoformat()
        answer = actors[step.role].post(f"/api/v1/dossiers/{dossier_id}/events", json=data)
        assert answer.status_code == 200, (step.event, answer.json)
        assert answer.json["state"] == step.dest
        version = answer.json["version"]

    final = district.get(f"/api/v1/dossiers/{dossier_id}").json
    assert final["details"] == {**DETAILS, "gift_value": 1_500_000, RECORDED: today().isoformat()}
    assert final["state"] in GIFT.final_states and final["decision"] is None
    history = [row["event"] for row in district.get(f"/api/v1/dossiers/{dossier_id}/history").json]
    assert [event for event in history if event in GIFT.events] == [step.event for step in CASE]

    honours = actors["office"].get("/api/v1/campaigns/test-campaign/honours-list")
    assert honours.status_code == 200 and "Nguyễn Thị Nhận Quà" not in honours.text


def test_a_whole_case_through_the_pages(app, factory):
    factory.campaign()
    award_type = gift_award_type()
    people = {"submitter": factory.user_once("submitter", "ba-dinh"),
              "appraiser": factory.user_once("appraiser", award_type.responsible_unit.code),
              "chair": factory.user_once("chair"), "office": factory.user_once("office", "van-phong")}
    clients = {role: sign_in(app, user) for role, user in people.items()}
    district = clients["submitter"]
    prefix = f"details-{GIFT.code}-"

    form = district.get("/dossiers/new").text
    assert "Hoàn cảnh" in form and "Quà đề nghị" in form and "Tiền mặt" in form and f'name="{prefix}address"' in form
    token = csrf_token(district, "/dossiers/new")
    base = {"csrf_token": token, "campaign": "test-campaign", "award_type": award_type.code, "kind": "individual",
            "name": "Trần Thị Nhận Quà", "birth_year": "1960", **{prefix + k: str(v) for k, v in DETAILS.items()}}
    refused = district.post("/dossiers/new", data={**base, prefix + "gift_value": "50"})
    assert refused.status_code == 400 and "Giá trị quà (đồng): số nguyên từ 100000 đến 10000000." in refused.text
    assert db.session.scalar(select(Dossier.id).where(Dossier.nominee_name == "Trần Thị Nhận Quà")) is None
    created = district.post("/dossiers/new", data=base)
    assert created.status_code == 302, created.text
    dossier_id = int(created.headers["Location"].rsplit("/", 1)[1])
    page = district.get(f"/dossiers/{dossier_id}").text
    assert "Mẹ đơn thân nuôi hai con nhỏ" in page and "1.000.000" in page and "Tiền mặt" in page

    for step in CASE:
        db.session.expire_all()
        dossier = db.session.get(Dossier, dossier_id)
        client = clients[step.role]
        if step is RESUBMIT:
            edit = client.get(f"/dossiers/{dossier_id}/edit").text
            assert 'value="Số 12 ngõ 34 phố Kim Mã' in edit
            edited = client.post(f"/dossiers/{dossier_id}/edit", data={
                "csrf_token": token, "version": str(dossier.version), "kind": "individual",
                "name": dossier.nominee_name,
                "gender": "", **{prefix + k: str(v) for k, v in DETAILS.items()}, prefix + "gift": "goods"})
            assert edited.status_code == 302, edited.text
            db.session.expire_all()
            dossier = db.session.get(Dossier, dossier_id)
        data = {"csrf_token": csrf_token(client, f"/dossiers/{dossier_id}"), "version": str(dossier.version)}
        if step is RETURN:
            data["comment"] = "Bổ sung xác nhận hoàn cảnh của chi hội."
        if step is HAND_OVER:
            form = client.get(f"/dossiers/{dossier_id}/events/{step.event}").text
            assert 'name="date"' in form and "dd/mm/yyyy" in form
            data["date"] = today().strftime("%d/%m/%Y")
        answer = client.post(f"/dossiers/{dossier_id}/events/{step.event}", data=data)
        assert answer.status_code == 302, (step.event, answer.text)
        db.session.expire_all()
        assert db.session.get(Dossier, dossier_id).state == step.dest

    dossier = db.session.get(Dossier, dossier_id)
    assert dossier.details == {**DETAILS, "gift": "goods", RECORDED: today().isoformat()}
    page = district.get(f"/dossiers/{dossier_id}").text
    assert "Ngày trao quà" in page and today().strftime("%d/%m/%Y") in page and "Hiện vật" in page
    listing = clients["office"].get("/dossiers").text
    assert "Trần Thị Nhận Quà" in listing and "Hiện vật (gạo, nhu yếu phẩm)" in listing
    recorded = db.session.scalar(select(HistoryEntry.details).where(HistoryEntry.dossier_id == dossier_id,
                                                                    HistoryEntry.event == HAND_OVER.event))
    assert recorded["date"] == {"field": RECORDED, "date": today().isoformat()}


def test_a_change_to_the_details_behind_the_apps_back_is_found(app, factory):
    dossier = factory.dossier_in(GIFT, SUBMIT.dest, gift_award_type().code)
    assert verify_history() == []
    db.session.execute(update(Dossier).where(Dossier.id == dossier.id)
                       .values(details={**dossier.details, "gift_value": 9_000_000}))
    db.session.commit()
    assert [(problem.dossier_id, problem.kind) for problem in verify_history()] == [(dossier.id, "changed")]
