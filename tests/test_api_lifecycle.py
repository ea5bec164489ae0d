"""A dossier through the whole workflow by the HTTP API, every award type, to every final state."""
import pytest

from tests.factories import COLLECTIVE_TYPES, PDF, RESPONSIBLE

AWARD_TYPES = list(RESPONSIBLE)


def post_event(api, dossier, event, **fields):
    response = api.post(f"/api/v1/dossiers/{dossier['id']}/events",
                        json={"event": event, "version": dossier["version"], **fields})
    assert response.status_code == 200, response.json
    return response.json


@pytest.mark.parametrize("award_type", AWARD_TYPES)
def test_draft_to_conferred_through_the_api(factory, award_type):
    factory.campaign("api-campaign")
    submitter = factory.user("submitter", "cau-giay")
    office = factory.user("office")
    appraiser = factory.user("appraiser", RESPONSIBLE[award_type])
    chair = factory.user("chair")
    council = factory.council(3)
    api = factory.api(submitter)
    kind = "collective" if award_type in COLLECTIVE_TYPES else "individual"

    created = api.post("/api/v1/dossiers", json={
        "campaign": "api-campaign", "award_type": award_type,
        "nominee": {"kind": kind, "name": "Nguyễn Thị Hằng", "position": "Chủ tịch", "birth_year": 1979},
        "achievements": "Hoàn thành xuất sắc nhiệm vụ"})
    assert created.status_code == 201, created.json
    dossier = created.json
    assert (dossier["state"], dossier["version"], dossier["unit"]) == ("draft", 1, "cau-giay")
    for kind_code in api.get("/api/v1/award-types").json[AWARD_TYPES.index(award_type)]["required_documents"]:
        upload = api.post(f"/api/v1/dossiers/{dossier['id']}/documents",
                          data={"kind": kind_code, "file": (__import__("io").BytesIO(PDF), f"{kind_code}.pdf")},
                          content_type="multipart/form-data")
        assert upload.status_code == 201, upload.json
    dossier = api.get(f"/api/v1/dossiers/{dossier['id']}").json

    dossier = post_event(api, dossier, "submit")
    dossier = post_event(factory.api(office), dossier, "accept")
    dossier = post_event(factory.api(appraiser), dossier, "recommend", comment="Đạt")
    for member in council:
        assert factory.api(member).post(f"/api/v1/dossiers/{dossier['id']}/votes",
                                        json={"vote": "agree"}).status_code == 201
    tally = factory.api(chair).get(f"/api/v1/dossiers/{dossier['id']}/tally").json
    # Three council members and the chair, who presides and is a member.
    assert tally == {"members": 4, "cast": 3, "agree": 3, "disagree": 0, "abstain": 0, "quorum_met": True,
                     "threshold_met": True, "quorum_needed": 3, "agree_needed": 3}
    dossier = post_event(factory.api(chair), dossier, "approve")
    office_api = factory.api(office)
    if award_type in ("bk_tw_hoi", "chi_hoi_tieu_bieu"):
        dossier = post_event(office_api, dossier, "forward")
    dossier = post_event(office_api, dossier, "confer", decision_number="15/QĐ-HPN", decision_date="2026-12-20")
    assert dossier["state"] == "conferred"
    assert dossier["decision"] == {"number": "15/QĐ-HPN", "date": "2026-12-20"}
    history = api.get(f"/api/v1/dossiers/{dossier['id']}/history").json
    transitions = [row["event"] for row in history if row["from_state"] != row["to_state"]]
    assert transitions[0] == "submit" and transitions[-1] == "confer"
    assert dossier["version"] == 1 + len(history)
