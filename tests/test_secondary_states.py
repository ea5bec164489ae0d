"""The statuses of notices, exports and campaigns: named once (enums), stored as the same words as before,
and the API's lists of them unchanged."""
import pytest
from sqlalchemy import text

from workflow.models import Campaign, CampaignStatus, ExportJob, ExportStatus, Notice, NoticeStatus, db
from workflow.notices import new_notice

pytestmark = pytest.mark.usefixtures("light_password_hashing")


def stored(table: str, row_id) -> str:
    return db.session.execute(text(f"SELECT status FROM {table} WHERE id = :id"), {"id": row_id}).scalar_one()


def test_statuses_are_stored_as_the_words_they_always_were_and_read_back_as_members(app, factory):
    office = factory.user("office")
    notice = new_notice(office, "remind_vote", {"items": []})
    campaign = factory.campaign(status=CampaignStatus.CLOSED)
    job = ExportJob(kind="honours_list", campaign_id=campaign.id, format="xlsx", requested_by_id=office.id)
    db.session.add(job)
    db.session.commit()

    assert (stored("notices", notice.id), stored("campaigns", campaign.id), stored("export_jobs", job.id)) == (
        "pending", "closed", "pending")
    db.session.expire_all()
    assert db.session.get(Notice, notice.id).status is NoticeStatus.PENDING
    assert db.session.get(Campaign, campaign.id).status is CampaignStatus.CLOSED
    assert db.session.get(ExportJob, job.id).status is ExportStatus.PENDING


def test_rows_written_before_keep_their_meaning(app, factory):
    """A row whose status was written as a bare word (an older version, a raw statement) reads as its member."""
    office = factory.user("office")
    notice = new_notice(office, "remind_vote", {"items": []})
    db.session.commit()
    db.session.execute(text("UPDATE notices SET status = 'digested' WHERE id = :id"), {"id": notice.id})
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Notice, notice.id).status is NoticeStatus.DIGESTED


def test_the_api_takes_and_gives_the_same_words(app, factory):
    office = factory.user("office")
    api = factory.api(office)
    assert api.get("/api/v1/notices?status=sent").status_code == 200
    refused = api.get("/api/v1/notices?status=SENT")
    assert refused.status_code == 422 and refused.json["error"]["code"] == "validation_error"

    created = api.post("/api/v1/campaigns", json={"code": "tk-2030", "name": "Tổng kết 2030", "year": 2030,
                                                   "status": "closed"})
    assert created.status_code == 201, created.json
    assert created.json["status"] == "closed"
    listed = {row["code"]: row["status"] for row in api.get("/api/v1/campaigns").json}
    assert listed["tk-2030"] == "closed"
    assert api.post("/api/v1/campaigns", json={"code": "tk-2031", "name": "Tổng kết 2031", "year": 2031,
                                               "status": "ended"}).status_code == 422
