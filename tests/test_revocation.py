"""Revocation of a conferred award (thu hồi): by a decision with its number, date and reason, through the API and
the pages; the conferring decision stays recorded; the unit is told; a revoked award no longer counts as conferred
in the statistics, the dashboard, the invitations and the honours list."""
from __future__ import annotations

from sqlalchemy import select

from tests.web_helpers import csrf_token, sign_in
from workflow.i18n import today
from workflow.invitations import send_invitations
from workflow.models import Dossier, HistoryEntry, Notice, Revocation, db
from workflow.queries import campaign_dashboard

CAMPAIGN = "test-campaign"
REASON = "Thành tích kê khai không đúng sự thật"


def revocation_body(dossier, **fields):
    body = {"event": "revoke", "version": dossier.version, "decision_number": "45/QĐ-HPN",
            "decision_date": today().isoformat(), "comment": REASON}
    return {**body, **fields}


def test_the_office_revokes_a_conferred_award_by_a_decision_and_the_unit_is_told(factory):
    dossier = factory.dossier("conferred", name="Trần Thị Ưng")
    submitter = factory.user_once("submitter", "ba-dinh")
    office = factory.api(factory.user_once("office", "van-phong"))

    response = office.post(f"/api/v1/dossiers/{dossier.id}/events", json=revocation_body(dossier))
    assert response.status_code == 200, response.json
    assert response.json["state"] == "revoked"
    assert response.json["decision"] == {"number": "123/QĐ-HPN", "date": today().isoformat()}  # the conferring one
    assert response.json["revocation"] == {"number": "45/QĐ-HPN", "date": today().isoformat(), "reason": REASON}

    row = db.session.scalars(select(HistoryEntry).where(HistoryEntry.dossier_id == dossier.id)
                             .order_by(HistoryEntry.seq.desc())).first()
    assert (row.event, row.from_state, row.to_state, row.comment) == ("revoke", "conferred", "revoked", REASON)
    assert row.details["revocation"] == {"number": "45/QĐ-HPN", "date": today().isoformat()}
    notices = db.session.scalars(select(Notice).where(Notice.dossier_id == dossier.id, Notice.kind == "revoke")).all()
    assert [notice.recipient_id for notice in notices] == [submitter.id]
    assert notices[0].params["state"] == "revoked" and notices[0].params["comment"] == REASON
    inbox = factory.api(submitter).get("/api/v1/notices").json
    assert any(item["dossier_id"] == dossier.id and item["kind"] == "revoke" for item in inbox)

    history = factory.api(submitter).get(f"/api/v1/dossiers/{dossier.id}/history").json
    assert history[-1]["event"] == "revoke" and history[-1]["comment"] == REASON


def test_a_revocation_needs_its_decision_and_a_reason_all_refusals_at_once(factory):
    dossier = factory.dossier("conferred")
    office = factory.api(factory.user_once("office", "van-phong"))
    refused = office.post(f"/api/v1/dossiers/{dossier.id}/events",
                          json=revocation_body(dossier, decision_number=None, comment="  "))
    assert refused.status_code == 422 and refused.json["error"]["code"] == "guard_failed"
    assert {detail["rule"] for detail in refused.json["error"]["details"]} == {"decision_required", "reason_required"}
    db.session.expire_all()
    assert db.session.get(Dossier, dossier.id).state == "conferred"
    assert db.session.scalar(select(Revocation)) is None


def test_only_the_office_revokes_and_only_a_conferred_award(factory):
    conferred = factory.dossier("conferred")
    for role, unit in (("submitter", "ba-dinh"), ("chair", "thanh-hoi"), ("appraiser", "van-phong")):
        api = factory.api(factory.user_once(role, unit))
        assert api.post(f"/api/v1/dossiers/{conferred.id}/events",
                        json=revocation_body(conferred)).status_code == 403, role
    approved = factory.dossier("approved")
    office = factory.api(factory.user_once("office", "van-phong"))
    response = office.post(f"/api/v1/dossiers/{approved.id}/events", json=revocation_body(approved))
    assert response.status_code == 409 and response.json["error"]["code"] == "invalid_transition"


def test_a_revoked_award_no_longer_counts_as_conferred(factory):
    kept = factory.dossier("conferred", name="Trần Thị Ưng")
    revoked = factory.dossier("conferred", name="Lê Thị Ánh")
    factory.advance(revoked, "revoke")
    office = factory.api(factory.user_once("office", "van-phong"))

    statistics = office.get(f"/api/v1/campaigns/{CAMPAIGN}/statistics").json
    counts = statistics["totals"]["counts"]["bk_thanh_hoi"]
    assert (counts["nominated"], counts["conferred"]) == (2, 1)
    assert counts["by_state"]["revoked"] == 1 and "revoked" in statistics["states"]

    dashboard = campaign_dashboard(kept.campaign)
    assert dashboard.honoured_by_award_type[kept.award_type_id] == 1

    invitations = send_invitations(kept.campaign)
    assert {notice.dossier_id for notice in invitations} == {kept.id}

    honours = office.get(f"/api/v1/campaigns/{CAMPAIGN}/honours-list").json
    assert [item["nominee_name"] for group in honours["groups"] for item in group["items"]] == ["Trần Thị Ưng"]
    assert [item["nominee_name"] for group in honours["revocations"] for item in group["items"]] == ["Lê Thị Ánh"]


def test_the_office_revokes_on_the_dossier_page_which_then_shows_both_decisions(app, factory):
    dossier = factory.dossier("conferred", name="Trần Thị Ưng")
    office = sign_in(app, factory.user_once("office", "van-phong"))
    page = office.get(f"/dossiers/{dossier.id}").text
    assert "Thu hồi khen thưởng" in page

    form = office.get(f"/dossiers/{dossier.id}/events/revoke").text
    assert "Số quyết định" in form and "Lý do" in form
    token = csrf_token(office, f"/dossiers/{dossier.id}")
    refused = office.post(f"/dossiers/{dossier.id}/events/revoke",
                          data={"csrf_token": token, "version": dossier.version, "decision_number": "45/QĐ-HPN",
                                "decision_date": today().strftime("%d/%m/%Y")})
    assert refused.status_code == 400 and "Cần nêu lý do." in refused.text
    done = office.post(f"/dossiers/{dossier.id}/events/revoke",
                       data={"csrf_token": token, "version": dossier.version, "decision_number": "45/QĐ-HPN",
                             "decision_date": today().strftime("%d/%m/%Y"), "comment": REASON})
    assert done.status_code == 302

    page = office.get(f"/dossiers/{dossier.id}").text
    assert "Đã thu hồi" in page and f"/dossiers/{dossier.id}/events/revoke" not in page
    assert f"Số 123/QĐ-HPN ngày {today():%d/%m/%Y}" in page  # the conferring decision stays visible
    assert f"Theo Quyết định số 45/QĐ-HPN ngày {today():%d/%m/%Y}. Lý do: {REASON}" in page

    english = sign_in(app, factory.user_once("office", "van-phong"), language="en").get(f"/dossiers/{dossier.id}")
    assert "Revoked" in english.text and "Award revoked" in english.text
