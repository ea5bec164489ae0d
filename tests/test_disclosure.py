"""Public disclosure (DOMAIN.md, "Public disclosure"): the office opens it for a set of dossiers at once, anyone
comments on the public page without signing in, and the council reviews a dossier only once its window has ended
and every comment is resolved."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.factories import path_to
from tests.test_procedure_files import altered, faults_of
from tests.web_helpers import page_client, sign_in
from workflow.i18n import today
from workflow.models import DisclosureComment, DisclosureWindow, Dossier, HistoryEntry, db
from workflow.procedure import catalogue
from workflow.rules import latest_window
from workflow.workdays import add_working_days

pytestmark = pytest.mark.usefixtures("light_password_hashing")

PUBLIC = catalogue().current("reference_public")
OPENING = PUBLIC.steps_with("open_disclosure")[0]
# The state the office publishes from, the state of disclosure, and the step that leaves it for the council.
READY, DISCLOSED = OPENING.source, OPENING.dest
TO_COUNCIL = next(step for step in PUBLIC.steps if step.source == DISCLOSED and step.dest in PUBLIC.voting_states)
TOKEN = re.compile(r'name="d(\d+)-csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def award_type(factory):
    return factory.award_type_following(PUBLIC, days=5).code


def ready(factory, award_type, name="Nguyễn Thị Công Khai", unit="ba-dinh") -> Dossier:
    dossier = factory.draft(award_type, unit, name=name)
    for step in path_to(PUBLIC, READY):
        factory.take_step(dossier, step)
    return dossier


def disclosed(factory, award_type, **kwargs) -> Dossier:
    """A dossier published by the office through the API, its window open."""
    dossier = ready(factory, award_type, **kwargs)
    response = factory.api(factory.user_once("office", "van-phong")).post(
        "/api/v1/disclosures", json={"dossier_ids": [dossier.id]})
    assert response.status_code == 201, response.json
    db.session.rollback()
    return db.session.get(Dossier, dossier.id)


def counts() -> tuple[int, int, int]:
    db.session.rollback()
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (DisclosureWindow, DisclosureComment, HistoryEntry))


def comment_form(client, dossier_id: int) -> str:
    page = client.get("/cong-khai")
    assert page.status_code == 200
    return dict(TOKEN.findall(page.text))[str(dossier_id)]


def send_comment(client, dossier_id: int, body="Tôi đề nghị xác minh lại số liệu.", **fields):
    token = comment_form(client, dossier_id)
    data = {f"d{dossier_id}-csrf_token": token, f"d{dossier_id}-body": body,
            **{f"d{dossier_id}-{name}": value for name, value in fields.items()}}
    return client.post(f"/cong-khai/{dossier_id}/y-kien", data=data)


# Opening ----------------------------------------------------------------------------------------

def test_the_office_opens_disclosure_for_a_set_of_dossiers_with_a_history_row_each(factory, award_type):
    dossiers = [ready(factory, award_type, name=name) for name in ("Lê Thị Một", "Trần Thị Hai")]
    office = factory.user_once("office", "van-phong")

    response = factory.api(office).post("/api/v1/disclosures", json={"dossier_ids": [d.id for d in dossiers]})

    assert response.status_code == 201, response.json
    ends_on = add_working_days(today(), 5)
    assert [(item["dossier"], item["state"], item["ends_on"]) for item in response.json] == [
        (d.id, DISCLOSED, ends_on.isoformat()) for d in dossiers]
    db.session.rollback()
    for dossier in dossiers:
        row = db.session.scalars(select(HistoryEntry).where(HistoryEntry.dossier_id == dossier.id)
                                 .order_by(HistoryEntry.seq.desc())).first()
        assert (row.event, row.from_state, row.to_state, row.actor_username) == (
            OPENING.event, READY, DISCLOSED, office.username)
        window = latest_window(db.session.get(Dossier, dossier.id))
        assert (window.ends_on, window.opened_by_id) == (ends_on, office.id)


def test_a_batch_is_all_or_nothing_with_a_reason_for_each_dossier_refused(factory, award_type):
    good = ready(factory, award_type, name="Lê Thị Được")
    too_early = factory.dossier_in(PUBLIC, "in_appraisal", award_type, unit="hoan-kiem")
    office = factory.api(factory.user_once("office", "van-phong"))
    before = counts()

    response = office.post("/api/v1/disclosures", json={"dossier_ids": [good.id, too_early.id, 2**31]})

    assert response.status_code == 422
    assert response.json["error"]["code"] == "batch_refused"
    assert [(d["dossier"], d["rule"]) for d in response.json["error"]["details"]] == [
        (too_early.id, "invalid_transition"), (2**31, "not_found")]
    assert counts() == before
    assert db.session.get(Dossier, good.id).state == READY
    documented = office.get("/api/v1/openapi.json").json["components"]["schemas"]["ErrorDetail"]["properties"]
    assert {key for detail in response.json["error"]["details"] for key in detail} <= set(documented)

    good.award_type.disclosure_days = 0
    db.session.commit()
    refused = office.post("/api/v1/disclosures", json={"dossier_ids": [good.id]})
    assert [(d["dossier"], d["rule"]) for d in refused.json["error"]["details"]] == [(good.id, "disclosure_window")]
    assert counts() == before


def test_only_the_office_opens_disclosure(factory, award_type):
    dossier = ready(factory, award_type)
    before = counts()
    response = factory.api(factory.user_once("chair", "thanh-hoi")).post(
        "/api/v1/disclosures", json={"dossier_ids": [dossier.id]})
    assert (response.status_code, response.json["error"]["code"]) == (403, "forbidden")
    assert counts() == before


def test_the_office_publishes_from_its_page_with_checkboxes(app, factory, award_type):
    dossiers = [ready(factory, award_type, name=name) for name in ("Đỗ Thị Ba", "Vũ Thị Bốn")]
    client = sign_in(app, factory.user_once("office", "van-phong"))
    page = client.get("/disclosure")
    assert page.status_code == 200
    for dossier in dossiers:
        assert f'name="dossier" value="{dossier.id}"' in page.text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)

    too_early = factory.dossier_in(PUBLIC, "in_appraisal", award_type, unit="hoan-kiem")

    refused = client.post("/disclosure", data={"csrf_token": token,
                                               "dossier": [str(d.id) for d in (*dossiers, too_early)]})

    assert refused.status_code == 400
    assert f"{too_early.nominee_name}" in refused.text and "cannot be made public" not in refused.text
    db.session.rollback()
    assert set(db.session.scalars(select(Dossier.state).where(Dossier.id.in_([d.id for d in dossiers])))) == {READY}

    response = client.post("/disclosure", data={"csrf_token": token, "dossier": [str(d.id) for d in dossiers]})

    assert response.status_code == 302
    db.session.rollback()
    assert set(db.session.scalars(select(Dossier.state).where(Dossier.id.in_([d.id for d in dossiers])))) == {DISCLOSED}


def test_the_loader_refuses_a_step_opening_disclosure_without_its_rule():
    text = altered("effects: [reset_vote]", "effects: [reset_vote, open_disclosure]")
    assert any("effect 'open_disclosure' needs the rule 'disclosure_window'" in fault for _, fault in faults_of(text))


# The public page ---------------------------------------------------------------------------------

def test_the_public_page_needs_no_sign_in_and_shows_no_documents_or_birth_dates(app, factory, award_type):
    dossier = disclosed(factory, award_type, name="Hoàng Thị Công Bố")
    dossier.nominee_position = "Chủ tịch Hội LHPN phường"
    dossier.nominee_birth_year = 1971
    dossier.nominee_workplace = "Phường Hàng Trống"
    db.session.commit()

    page = page_client(app).get("/cong-khai")

    assert page.status_code == 200
    assert "Hoàng Thị Công Bố" in page.text and "Chủ tịch Hội LHPN phường" in page.text
    assert dossier.award_type.name in page.text and "Phường Hàng Trống" in page.text and dossier.unit.name in page.text
    assert latest_window(dossier).ends_on.strftime("%d/%m/%Y") in page.text
    assert "1971" not in page.text
    assert "/documents/" not in page.text and ".pdf" not in page.text


def test_a_dossier_whose_window_has_ended_leaves_the_public_page(app, factory, award_type):
    dossier = disclosed(factory, award_type, name="Bùi Thị Hết Hạn")
    factory.end_disclosure(dossier)
    assert "Bùi Thị Hết Hạn" not in page_client(app).get("/cong-khai").text


def test_anyone_may_comment_and_the_office_resolves_it(app, factory, award_type):
    dossier = disclosed(factory, award_type)
    client = page_client(app)

    response = send_comment(client, dossier.id, contact="Nguyễn Văn A, 0912 345 678")

    assert response.status_code == 302
    db.session.rollback()
    comment = db.session.scalar(select(DisclosureComment))
    assert (comment.dossier_id, comment.body, comment.contact, comment.resolved_at) == (
        dossier.id, "Tôi đề nghị xác minh lại số liệu.", "Nguyễn Văn A, 0912 345 678", None)
    assert "127.0.0.1" not in comment.sender_hash and len(comment.sender_hash) == 64
    office = factory.api(factory.user_once("office", "van-phong"))
    listed = office.get(f"/api/v1/dossiers/{dossier.id}/disclosure-comments")
    assert [(c["id"], c["resolution"]) for c in listed.json] == [(comment.id, None)]

    resolved = office.post(f"/api/v1/disclosure-comments/{comment.id}/resolution",
                           json={"resolution": "Đã xác minh với đơn vị: số liệu đúng."})

    assert resolved.status_code == 200, resolved.json
    assert (resolved.json["resolution"], resolved.json["resolved_by"]) == (
        "Đã xác minh với đơn vị: số liệu đúng.", factory.user_once("office", "van-phong").username)


def test_a_comment_too_long_is_refused_and_nothing_is_kept(app, factory, award_type):
    dossier = disclosed(factory, award_type)
    limit = app.config["DISCLOSURE_COMMENT_MAX_CHARS"]
    before = counts()

    response = send_comment(page_client(app), dossier.id, body="x" * (limit + 1))

    assert response.status_code == 400
    assert f"{limit}" in response.text
    assert counts() == before


def test_a_comment_with_a_control_character_is_refused(app, factory, award_type):
    dossier = disclosed(factory, award_type)
    before = counts()
    response = send_comment(page_client(app), dossier.id, body="Ý kiến\x07 có ký tự điều khiển")
    assert response.status_code == 400
    assert "U+0007" in response.text
    assert counts() == before


def test_a_robot_filling_the_trap_field_is_answered_as_if_it_succeeded_but_nothing_is_kept(app, factory, award_type):
    dossier = disclosed(factory, award_type)
    before = counts()
    response = send_comment(page_client(app), dossier.id, website="http://spam.example")
    assert response.status_code == 302
    assert counts() == before


def test_comments_are_rate_limited_per_address(app, factory, award_type):
    dossier = disclosed(factory, award_type)
    client = page_client(app)
    allowed = int(app.config["DISCLOSURE_COMMENT_LIMIT"].split()[0])
    for number in range(allowed):
        assert send_comment(client, dossier.id, body=f"Ý kiến số {number}").status_code == 302

    refused = send_comment(client, dossier.id, body="Một ý kiến quá nhiều")

    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(DisclosureComment)) == allowed


def test_a_comment_on_a_closed_window_is_refused_with_409(app, factory, award_type):
    dossier = disclosed(factory, award_type)
    client = page_client(app)
    token = comment_form(client, dossier.id)
    factory.end_disclosure(dossier)
    before = counts()

    response = client.post(f"/cong-khai/{dossier.id}/y-kien",
                           data={f"d{dossier.id}-csrf_token": token, f"d{dossier.id}-body": "Muộn rồi"})

    assert response.status_code == 409
    assert counts() == before


# Leaving disclosure for the council ----------------------------------------------------------------

def to_council(factory, dossier: Dossier):
    db.session.rollback()
    dossier = db.session.get(Dossier, dossier.id)
    return factory.api(factory.user_once("office", "van-phong")).post(
        f"/api/v1/dossiers/{dossier.id}/events", json={"event": TO_COUNCIL.event, "version": dossier.version})


def test_the_council_waits_for_the_window_to_end_and_every_comment_to_be_resolved(app, factory, award_type):
    dossier = disclosed(factory, award_type)
    assert send_comment(page_client(app), dossier.id).status_code == 302
    before = counts()

    early = to_council(factory, dossier)

    assert early.status_code == 422
    assert [d["rule"] for d in early.json["error"]["details"]] == ["disclosure_window", "disclosure_resolved"]
    assert counts() == before

    factory.end_disclosure(dossier, days_ago=0)  # the window's last day is today: not over yet
    assert [d["rule"] for d in to_council(factory, dossier).json["error"]["details"]] == [
        "disclosure_window", "disclosure_resolved"]

    factory.end_disclosure(dossier)
    unresolved = to_council(factory, dossier)
    assert [d["rule"] for d in unresolved.json["error"]["details"]] == ["disclosure_resolved"]

    comment = db.session.scalar(select(DisclosureComment))
    factory.api(factory.user_once("office", "van-phong")).post(
        f"/api/v1/disclosure-comments/{comment.id}/resolution", json={"resolution": "Đã trả lời người góp ý."})
    allowed = to_council(factory, dossier)

    assert allowed.status_code == 200, allowed.json
    assert allowed.json["state"] == TO_COUNCIL.dest


def test_the_office_resolves_a_comment_on_the_dossier_page(app, factory, award_type):
    dossier = disclosed(factory, award_type)
    assert send_comment(page_client(app), dossier.id, body="Góp ý trên trang").status_code == 302
    comment = db.session.scalar(select(DisclosureComment))
    client = sign_in(app, factory.user_once("office", "van-phong"))
    page = client.get(f"/dossiers/{dossier.id}")
    assert "Góp ý trên trang" in page.text and f'action="/disclosure/comments/{comment.id}/resolution"' in page.text
    token = re.search(rf'name="c{comment.id}-csrf_token"[^>]*value="([^"]+)"', page.text).group(1)

    response = client.post(f"/disclosure/comments/{comment.id}/resolution", data={
        f"c{comment.id}-csrf_token": token, f"c{comment.id}-resolution": "Đã kiểm tra", "dossier": str(dossier.id)})

    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(DisclosureComment, comment.id).resolution == "Đã kiểm tra"


def test_a_submitter_does_not_see_the_comments(factory, award_type):
    dossier = disclosed(factory, award_type)
    response = factory.api(factory.user_once("submitter", "ba-dinh")).get(
        f"/api/v1/dossiers/{dossier.id}/disclosure-comments")
    assert (response.status_code, response.json["error"]["code"]) == (403, "forbidden")


# Settings and demo -------------------------------------------------------------------------------

def test_the_office_sets_an_award_types_disclosure_days(factory):
    office = factory.api(factory.user_once("office", "van-phong"))
    response = office.patch("/api/v1/award-types/bk_tw_hoi", json={"disclosure_days": 7})
    assert (response.status_code, response.json["disclosure_days"]) == (200, 7)
    refused = office.patch("/api/v1/award-types/bk_tw_hoi", json={"disclosure_days": -1})
    assert refused.status_code == 422
    changes = office.get("/api/v1/award-types/bk_tw_hoi/changes").json
    assert [(c["field"], c["old"], c["new"]) for c in changes] == [("disclosure_days", 0, 7)]


def test_the_demo_puts_bk_tw_hoi_on_public_disclosure_with_a_comment(app):
    from tests.test_cli import run

    assert run(app, "demo").exit_code == 0
    db.session.rollback()
    entries = page_client(app).get("/cong-khai")
    in_disclosure = db.session.scalars(select(Dossier).where(Dossier.state == DISCLOSED)).all()
    assert in_disclosure and {d.award_type.code for d in in_disclosure} == {"bk_tw_hoi"}
    assert in_disclosure[0].award_type.disclosure_days == 5
    assert in_disclosure[0].nominee_name in entries.text
    assert db.session.scalar(select(func.count()).select_from(DisclosureComment)
                             .where(DisclosureComment.dossier_id == in_disclosure[0].id)) == 1
    assert re.search(r"\d{2}/\d{2}/\d{4}", entries.text)
