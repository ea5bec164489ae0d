"""A step several departments take together (scope each_party): the co-appraisal procedure, where the Office and
Ban Xây dựng tổ chức Hội each recommend a "Chi hội Phụ nữ Thủ đô tiêu biểu" dossier before it goes to the council."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import make_app
from tests.web_helpers import csrf_token, sign_in
from workflow import operations as ops
from workflow.history import verify_history
from workflow.models import AwardType, Dossier, HistoryEntry, Notice, db
from workflow.parties import opinions as party_opinions
from workflow.procedure import PROCEDURES_DIR, ProcedureError, catalogue, parse
from workflow.queries import work_queues

CO_APPRAISAL_TEXT = (PROCEDURES_DIR / "co-appraisal-v1.yaml").read_text(encoding="utf-8")
NOTE = {"comment": "Đủ điều kiện đề nghị Hội đồng xét."}


@pytest.fixture
def joint(app, factory):
    """A chi_hoi_tieu_bieu dossier in appraisal under the co-appraisal procedure."""
    award_type = db.session.scalar(select(AwardType).where(AwardType.code == "chi_hoi_tieu_bieu"))
    award_type.procedure = "co-appraisal"
    db.session.commit()
    dossier = factory.dossier("in_appraisal", award_type="chi_hoi_tieu_bieu")
    assert (dossier.procedure, dossier.state) == ("co-appraisal", "in_appraisal")
    return dossier


def appraiser_api(factory, unit: str, language: str | None = None):
    return factory.api(factory.user_once("appraiser", unit), language)


def fire(api, dossier_id: int, event: str, **body):
    version = api.get(f"/api/v1/dossiers/{dossier_id}").json["version"]
    return api.post(f"/api/v1/dossiers/{dossier_id}/events", json={"event": event, "version": version, **body})


def opinions(api, dossier_id: int) -> list[tuple[str, bool]]:
    return [(o["party"], o["given"]) for o in api.get(f"/api/v1/dossiers/{dossier_id}").json["opinions"]]


def test_the_dossier_goes_to_the_council_only_once_each_department_has_recommended(factory, joint):
    xdtc, office = appraiser_api(factory, "ban-xdtc"), appraiser_api(factory, "van-phong")
    version = joint.version
    assert opinions(xdtc, joint.id) == [("van-phong", False), ("ban-xdtc", False)]

    first = fire(xdtc, joint.id, "recommend", comment="Ban XDTC: đủ điều kiện.")
    assert first.status_code == 200, first.json
    assert (first.json["state"], first.json["version"]) == ("in_appraisal", version + 1)
    given = [o for o in first.json["opinions"] if o["given"]]
    assert [(o["party"], o["actor"]) for o in given] == [("ban-xdtc", factory.user_once("appraiser", "ban-xdtc")
                                                          .username)]
    assert given[0]["party_name"] == "Ban Xây dựng tổ chức Hội"
    assert opinions(office, joint.id) == [("van-phong", False), ("ban-xdtc", True)]

    last = fire(office, joint.id, "recommend", comment="Văn phòng: thống nhất đề nghị.")
    assert last.status_code == 200, last.json
    assert (last.json["state"], last.json["opinions"]) == ("council_review", [])

    history = office.get(f"/api/v1/dossiers/{joint.id}/history").json
    assert [(row["event"], row["from_state"], row["to_state"], row["party"], row["comment"]) for row in history][-2:] \
        == [("recommend", "in_appraisal", "in_appraisal", "ban-xdtc", "Ban XDTC: đủ điều kiện."),
            ("recommend", "in_appraisal", "council_review", "van-phong", "Văn phòng: thống nhất đề nghị.")]
    assert verify_history() == []


def test_a_department_gives_its_opinion_once(factory, joint):
    xdtc = appraiser_api(factory, "ban-xdtc")
    version = joint.version
    assert fire(xdtc, joint.id, "recommend", **NOTE).status_code == 200

    again = fire(xdtc, joint.id, "recommend", comment="")
    assert again.status_code == 422
    assert again.json["error"]["code"] == "guard_failed"
    # reported with the step's other refusals
    assert [d["rule"] for d in again.json["error"]["details"]] == ["note_required", "party_already_gave_opinion"]
    assert "Ban Xây dựng tổ chức Hội đã cho ý kiến ngày" in again.json["error"]["details"][1]["message"]
    db.session.expire_all()
    stored = db.session.get(Dossier, joint.id)
    assert (stored.state, stored.version) == ("in_appraisal", version + 1)


def test_an_appraiser_of_another_department_is_refused(factory, joint):
    other = appraiser_api(factory, "ban-tuyen-giao", language="en")
    version = joint.version
    refused = fire(other, joint.id, "recommend", **NOTE)
    assert refused.status_code == 403
    error = refused.json["error"]
    assert error["code"] == "forbidden"
    assert error["message"] == ("Only Văn phòng, Ban Xây dựng tổ chức Hội take “Recommend to the council” on this "
                                "dossier; your unit is not one of them.")
    assert [d["rule"] for d in error["details"]] == ["not_a_party"]
    assert fire(other, joint.id, "return", comment="Thiếu biên bản").status_code == 403
    db.session.expire_all()
    assert db.session.get(Dossier, joint.id).version == version


def test_a_return_by_either_department_sets_the_opinions_aside(factory, joint):
    xdtc, office = appraiser_api(factory, "ban-xdtc"), appraiser_api(factory, "van-phong")
    assert fire(xdtc, joint.id, "recommend", **NOTE).status_code == 200
    returned = fire(office, joint.id, "return", comment="Bổ sung biên bản họp chi hội.")
    assert returned.status_code == 200 and returned.json["state"] == "returned"
    factory.advance(db.session.get(Dossier, joint.id), "resubmit")
    factory.advance(db.session.get(Dossier, joint.id), "accept")

    assert opinions(xdtc, joint.id) == [("van-phong", False), ("ban-xdtc", False)]
    again = fire(xdtc, joint.id, "recommend", **NOTE)
    assert again.status_code == 200 and again.json["state"] == "in_appraisal"
    assert fire(office, joint.id, "recommend", **NOTE).json["state"] == "council_review"


def test_either_department_may_reject(factory, joint):
    rejected = fire(appraiser_api(factory, "van-phong"), joint.id, "reject", comment="Chưa đủ tiêu chuẩn.")
    assert rejected.status_code == 200 and rejected.json["state"] == "rejected"
    rows = db.session.scalars(select(HistoryEntry).where(HistoryEntry.dossier_id == joint.id)
                              .order_by(HistoryEntry.seq)).all()
    assert rows[-1].details == {"party": "van-phong"}


def test_the_pages_show_the_opinions_given_and_awaited(app, factory, joint):
    xdtc_user, office_user = factory.user_once("appraiser", "ban-xdtc"), factory.user_once("appraiser", "van-phong")
    office_pages = sign_in(app, office_user)
    form = office_pages.get(f"/dossiers/{joint.id}/events/recommend").text
    assert "còn chờ: Ban Xây dựng tổ chức Hội" in form

    xdtc_pages = sign_in(app, xdtc_user)
    answer = xdtc_pages.post(f"/dossiers/{joint.id}/events/recommend", data={
        "csrf_token": csrf_token(xdtc_pages, f"/dossiers/{joint.id}"), "version": joint.version,
        "comment": "Ban XDTC: đủ điều kiện."}, follow_redirects=True)
    assert answer.status_code == 200
    assert "Đã ghi nhận ý kiến của đơn vị bạn" in answer.text
    assert "đang chờ ý kiến của Văn phòng" in answer.text
    assert "Ban Xây dựng tổ chức Hội (" in answer.text and "đã cho ý kiến ngày" in answer.text
    assert "đã cho ý kiến ngày" in xdtc_pages.get(f"/dossiers/{joint.id}").text
    # the department that has given its opinion is told why it cannot give another
    assert "đã cho ý kiến ngày" in xdtc_pages.get(f"/dossiers/{joint.id}").text.split('id="actions"')[1]

    assert "Đây là ý kiến cuối cùng còn chờ" in office_pages.get(f"/dossiers/{joint.id}/events/recommend").text


def test_every_co_appraising_department_is_told_of_a_dossier_to_appraise(app, factory):
    """Accepted for appraisal, a dossier whose recommendation both departments give reaches the appraisers of
    each (the outbox rows, sent as mail), and of no other department."""
    award_type = db.session.scalar(select(AwardType).where(AwardType.code == "chi_hoi_tieu_bieu"))
    award_type.procedure = "co-appraisal"
    db.session.commit()
    told = [factory.user("appraiser", "van-phong"), factory.user("appraiser", "ban-xdtc"),
            factory.user("appraiser", "ban-xdtc")]
    not_told = [factory.user("appraiser", "ban-tuyen-giao"), factory.user("appraiser", "ban-xdtc", active=False)]
    dossier = factory.dossier("submitted", award_type="chi_hoi_tieu_bieu")

    accepted = fire(factory.api(factory.user_once("office", "van-phong")), dossier.id, "accept")
    assert accepted.status_code == 200 and accepted.json["state"] == "in_appraisal"

    db.session.expire_all()
    rows = db.session.scalars(select(Notice).where(Notice.dossier_id == dossier.id, Notice.kind == "accept")).all()
    assert sorted(row.recipient_id for row in rows) == sorted(user.id for user in told)
    assert {user.id for user in not_told}.isdisjoint(row.recipient_id for row in rows)
    assert {row.status for row in rows} == {"sent"}
    mail = Path(app.config["MAIL_DIR"])
    assert all((mail / f"{row.idempotency_key.replace(':', '_')}.eml").exists() for row in rows)


def test_the_responsible_department_alone_is_told_under_the_reference_procedure(app, factory):
    office_appraiser, xdtc_appraiser = factory.user("appraiser", "van-phong"), factory.user("appraiser", "ban-xdtc")
    dossier = factory.dossier("submitted", award_type="chi_hoi_tieu_bieu")
    assert dossier.procedure == "reference"

    assert fire(factory.api(factory.user_once("office", "van-phong")), dossier.id, "accept").status_code == 200

    recipients = db.session.scalars(select(Notice.recipient_id).where(Notice.dossier_id == dossier.id,
                                                                      Notice.kind == "accept")).all()
    assert recipients == [xdtc_appraiser.id]
    assert office_appraiser.id not in recipients


def appraisal_queue(app, user) -> str:
    home = sign_in(app, user).get("/").text
    queues = dict(re.findall(r'<section class="queue" aria-labelledby="queue-(\w+)">(.*?)</section>', home, re.S))
    return queues.get("appraisal", "")


def test_a_department_that_has_recommended_no_longer_finds_the_dossier_in_its_queue(app, factory, joint):
    xdtc_user, office_user = factory.user_once("appraiser", "ban-xdtc"), factory.user_once("appraiser", "van-phong")
    assert joint.nominee_name in appraisal_queue(app, xdtc_user)
    assert joint.nominee_name in appraisal_queue(app, office_user)
    assert joint.nominee_name not in appraisal_queue(app, factory.user_once("appraiser", "ban-tuyen-giao"))

    assert fire(factory.api(xdtc_user), joint.id, "recommend", **NOTE).status_code == 200
    assert joint.nominee_name not in appraisal_queue(app, xdtc_user)
    assert joint.nominee_name in appraisal_queue(app, office_user)


# The file --------------------------------------------------------------------------------------

def faults_of(text: str) -> list[str]:
    with pytest.raises(ProcedureError) as refused:
        parse(text, "trial.yaml")
    return [fault for _, _, fault in refused.value.faults]


def test_the_co_appraisal_file_names_the_office_and_ban_xdtc():
    procedure = parse(CO_APPRAISAL_TEXT, "co-appraisal-v1.yaml")
    recommend = procedure.step_by_event_and_source[("recommend", "in_appraisal")]
    assert (recommend.scope, recommend.parties) == ("each_party", ("van-phong", "ban-xdtc"))
    assert "party_already_gave_opinion" in recommend.rules  # added to every each_party step


@pytest.mark.parametrize(("old", "new", "fault"), [
    ("    scope: each_party\n    parties: [van-phong, ban-xdtc]\n", "    scope: each_party\n",
     "scope 'each_party' needs 'parties': a list of at least 2 unit codes (e.g. [van-phong, ban-xdtc])"),
    ("    scope: each_party\n    parties: [van-phong, ban-xdtc]\n", "    scope: each_party\n    parties: [van-phong]\n",
     "scope 'each_party' needs 'parties': a list of at least 2 unit codes (e.g. [van-phong, ban-xdtc])"),
    ("    scope: each_party\n    parties: [van-phong, ban-xdtc]\n",
     "    scope: each_party\n    parties: [van-phong, van-phong]\n", "a unit is named twice in 'parties'"),
    ("    scope: each_party\n    parties: [van-phong, ban-xdtc]\n",
     "    scope: each_party\n    parties: [van-phong, Ban XDTC]\n",
     "'Ban XDTC' in 'parties' is not a unit code (lower-case letters, digits, '-', '_')"),
    ("    scope: each_party\n    parties: [van-phong, ban-xdtc]\n",
     "    scope: responsible\n    parties: [van-phong, ban-xdtc]\n",
     "'parties' is only for the scopes 'party' and 'each_party'"),
    ("    scope: each_party\n    parties: [van-phong, ban-xdtc]\n    rules: [conflict_of_interest, note_required]",
     "    parties: [van-phong, ban-xdtc]\n    rules: [conflict_of_interest, note_required, party_already_gave_opinion]",
     "rule 'party_already_gave_opinion' is only for a step of scope 'each_party'"),
])
def test_a_malformed_parties_is_a_fault(old, new, fault):
    assert CO_APPRAISAL_TEXT.count(old) == 1, old
    assert fault in faults_of(CO_APPRAISAL_TEXT.replace(old, new))


def test_a_party_that_names_no_unit_stops_the_start(app, postgres_url, tmp_path):
    procedures = tmp_path / "procedures"
    procedures.mkdir()
    (procedures / "reference-v1.yaml").write_text((PROCEDURES_DIR / "reference-v1.yaml").read_text(encoding="utf-8"),
                                                  encoding="utf-8")
    (procedures / "co-appraisal-v1.yaml").write_text(CO_APPRAISAL_TEXT.replace(
        "    scope: each_party\n    parties: [van-phong, ban-xdtc]", "    scope: each_party\n    parties: [van-phong, "
        "ban-xd-tc]"), encoding="utf-8")
    db.session.commit()
    with pytest.raises(ProcedureError) as refused:
        make_app(tmp_path, postgres_url, PROCEDURES_DIR=str(procedures))
    assert "step 'recommend' from 'in_appraisal': no unit has the code 'ban-xd-tc' named under 'parties'" \
        in str(refused.value)


def test_the_demo_puts_chi_hoi_tieu_bieu_on_the_co_appraisal_procedure(app):
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    award_type = db.session.scalar(select(AwardType).where(AwardType.code == "chi_hoi_tieu_bieu"))
    assert award_type.procedure == "co-appraisal"
    dossiers = db.session.scalars(select(Dossier).where(Dossier.award_type_id == award_type.id)).all()
    assert {d.procedure for d in dossiers} == {"co-appraisal"}
    waiting = next(d for d in dossiers if d.state == "in_appraisal")
    steps = catalogue().current("co-appraisal").steps
    assert [(o.party, o.given) for o in party_opinions(waiting, steps)] == [("van-phong", False), ("ban-xdtc", True)]
    forwarded = next(d for d in dossiers if d.state == "forwarded")
    recommended = db.session.scalars(select(HistoryEntry.details).where(HistoryEntry.dossier_id == forwarded.id,
                                                                        HistoryEntry.event == "recommend")).all()
    assert sorted(details["party"] for details in recommended) == ["ban-xdtc", "van-phong"]


def test_the_joint_step_runs_on_sqlite_too(sqlite_factory):
    award_type = db.session.scalar(select(AwardType).where(AwardType.code == "chi_hoi_tieu_bieu"))
    award_type.procedure = "co-appraisal"
    db.session.commit()
    dossier = sqlite_factory.dossier("in_appraisal", award_type="chi_hoi_tieu_bieu")
    xdtc, office = (sqlite_factory.user_once("appraiser", unit) for unit in ("ban-xdtc", "van-phong"))

    ops.fire_event(xdtc, dossier, "recommend", dossier.version, ops.EventInput(comment="Đủ điều kiện"))
    db.session.commit()
    assert dossier.state == "in_appraisal"
    assert [d.id for queue in work_queues(xdtc) for d in queue.dossiers] == []
    assert [d.id for queue in work_queues(office) for d in queue.dossiers] == [dossier.id]

    ops.fire_event(office, dossier, "recommend", dossier.version, ops.EventInput(comment="Thống nhất"))
    db.session.commit()
    assert dossier.state == "council_review"
    assert verify_history() == []
