"""What the pages show of a step or a state comes from the procedure file: a step's own label and style,
the due date's working days, the badge of a state, and the dashboard's columns for each procedure."""
import re

import pytest
from sqlalchemy import select

from tests.web_helpers import sign_in
from workflow.models import AwardType, db
from workflow.procedure import PROCEDURES_DIR, catalogue, install, load_directory

pytestmark = pytest.mark.usefixtures("light_password_hashing")

V1 = (PROCEDURES_DIR / "reference-v1.yaml").read_text(encoding="utf-8")


def replaced(text: str, old: str, new: str, count: int = 1) -> str:
    assert text.count(old) == count, old
    return text.replace(old, new)


@pytest.fixture
def installed(tmp_path):
    """Install the procedure files given as {name: text}; the app's procedures are restored afterwards."""
    before = catalogue()

    def install_files(files: dict[str, str]):
        for name, text in files.items():
            (tmp_path / name).write_text(text, encoding="utf-8")
        install(load_directory(tmp_path))
    yield install_files
    install(before)


def test_the_chairs_refusal_and_the_appraisers_have_their_own_labels(app, factory):
    appraisal = factory.dossier("in_appraisal")
    appraiser = sign_in(app, factory.user_once("appraiser", "van-phong"))
    assert "Không đề nghị" in appraiser.get(f"/dossiers/{appraisal.id}").text

    review = factory.dossier("council_review")
    chair = sign_in(app, factory.user_once("chair", "thanh-hoi"))
    page = chair.get(f"/dossiers/{review.id}").text
    assert "Không phê duyệt" in page and "Không đề nghị" not in page.split('id="actions"')[1].split("</section>")[0]
    form = chair.get(f"/dossiers/{review.id}/events/reject").text
    assert "<h1>Không phê duyệt</h1>" in form

    factory.advance(review, "reject")
    history = chair.get(f"/dossiers/{review.id}").text.split('id="history"')[1]
    assert "Không phê duyệt" in history and "Không đề nghị" not in history.split("</strong>")[-2]

    english = sign_in(app, factory.user_once("chair", "thanh-hoi"), language="en")
    assert "Refuse approval" in english.get(f"/dossiers/{factory.dossier('council_review').id}").text
    assert "Refuse approval" in english.get(f"/dossiers/{review.id}").text.split('id="history"')[1]


def test_a_danger_step_asks_to_confirm_and_the_others_do_not(app, factory):
    draft = factory.dossier("draft")
    page = sign_in(app, factory.user_once("submitter", "ba-dinh")).get(f"/dossiers/{draft.id}").text
    withdraw = page.split('data-event="withdraw"')[1].split(">")[0]
    submit = page.split('data-event="submit"')[1].split(">")[0]
    assert 'class="danger"' in withdraw and 'data-confirm="Rút hồ sơ? Thao tác không thể hoàn tác."' in withdraw
    assert "data-confirm" not in submit


def test_the_due_dates_hint_counts_the_steps_working_days(app, factory, installed):
    dossier = factory.dossier("submitted")
    office = sign_in(app, factory.user_once("office", "van-phong"))
    assert "mặc định là 7 ngày làm việc kể từ hôm nay" in office.get(f"/dossiers/{dossier.id}/events/return").text
    english = sign_in(app, factory.user_once("office", "van-phong"), language="en")
    assert "7 working days from today" in english.get(f"/dossiers/{dossier.id}/events/return").text

    installed({"reference-v1.yaml": V1, "reference-v2.yaml": replaced(
        replaced(V1, "version: 1\n", "version: 2\n"), "working_days: 7", "working_days: 10", count=3)})
    later = factory.dossier("submitted")
    assert later.procedure_version == 2
    assert "10 working days from today" in english.get(f"/dossiers/{later.id}/events/return").text


def test_a_badge_looks_like_what_its_state_is(app, factory):
    returned = factory.dossier("returned")
    page = sign_in(app, factory.user_once("submitter", "ba-dinh")).get(f"/dossiers/{returned.id}").text
    assert '<span class="badge tone-due">Trả lại bổ sung</span>' in page
    conferred = factory.dossier("conferred")
    page = sign_in(app, factory.user_once("office", "van-phong")).get(f"/dossiers/{conferred.id}").text
    assert '<span class="badge tone-honoured">Đã khen thưởng</span>' in page


def test_the_dashboard_counts_each_procedure_in_its_own_columns(app, factory, installed):
    gifts = replaced(replaced(replaced(V1, "code: reference\n", "code: gifts\n"),
                              'title: {vi: "Quy trình xét khen thưởng 2024", en: "2024 award procedure"}',
                              'title: {vi: "Quy trình quà Tết", en: "Tet gifts"}'),
                     '  in_appraisal:   {vi: "Đang thẩm định", en: "In appraisal"}',
                     '  in_appraisal:   {vi: "Đang kiểm tra hoàn cảnh", en: "Checking the situation"}')
    installed({"reference-v1.yaml": V1, "gifts-v1.yaml": gifts})
    factory.dossier("in_appraisal")
    db.session.get(AwardType, factory.draft("can_bo_co_so_gioi").award_type_id).procedure = "gifts"
    db.session.commit()
    gift = factory.dossier("conferred", award_type="can_bo_co_so_gioi")
    assert gift.procedure == "gifts"

    page = sign_in(app, factory.user_once("office", "van-phong")).get("/dashboard?campaign=test-campaign").text
    assert "Dossiers per unit and state" not in page  # in Vietnamese
    assert "Hồ sơ theo đơn vị và trạng thái: Quy trình xét khen thưởng 2024" in page
    assert "Hồ sơ theo đơn vị và trạng thái: Quy trình quà Tết" in page
    tables = {part.split("</h2>")[0]: part.split("</table>")[0]
              for part in re.split(r'<h2 id="by-unit-\d+">Hồ sơ theo đơn vị và trạng thái: ', page)[1:]}
    reference_table, gifts_table = tables["Quy trình xét khen thưởng 2024"], tables["Quy trình quà Tết"]
    assert "Đang thẩm định" in reference_table and "Đang kiểm tra hoàn cảnh" not in reference_table
    assert "Đang kiểm tra hoàn cảnh" in gifts_table and "Đang thẩm định" not in gifts_table
    # The honoured dossier of the gifts procedure counts as awarded for its award type.
    by_type = page.split('id="by-type"')[1]
    name = db.session.get(AwardType, gift.award_type_id).name
    # The table's row (submitted, awarded, quota), not the chart's text equivalent (its total alone).
    rows = [part.split("</tr>")[0] for part in by_type.split(f'<tr><th scope="row">{name}</th>')[1:]]
    row = next(row for row in rows if row.count("<td>") == 3)
    assert row.count("<td>1</td>") == 2  # submitted, awarded


def test_a_notice_names_the_step_by_its_own_label(app, factory):
    from workflow.models import Notice
    from workflow.notice_text import transition_labels

    review = factory.dossier("council_review")
    factory.advance(review, "reject")
    notice = db.session.scalars(select(Notice).where(Notice.dossier_id == review.id, Notice.kind == "reject")).first()
    assert notice.params["from_state"] == "council_review"
    assert transition_labels(notice, lambda text: text)["event_label"] == "Refuse approval"


def test_the_chairs_refusal_reads_not_approved_wherever_it_shows_and_the_appraisers_not_recommended(app, factory):
    from tasks.mail import build_message
    from workflow.models import Notice

    refused = factory.dossier("council_review")
    factory.advance(refused, "reject")
    not_recommended = factory.dossier("rejected")
    submitter = sign_in(app, factory.user_once("submitter", "ba-dinh"))

    page = submitter.get(f"/dossiers/{refused.id}").text.split('id="diagram"')[0]
    assert '<span class="badge tone-closed">Không phê duyệt</span>' in page
    assert "<span>Hội đồng xét → Không phê duyệt</span>" in page and "Không đề nghị" not in page
    other = submitter.get(f"/dossiers/{not_recommended.id}").text.split('id="diagram"')[0]
    assert '<span class="badge tone-closed">Không đề nghị</span>' in other
    assert "<span>Đang thẩm định → Không đề nghị</span>" in other and "Không phê duyệt" not in other

    for language, chairs, appraisers in (("vi", "Không phê duyệt", "Không đề nghị"),
                                         ("en", "Not approved", "Not recommended")):
        api = factory.api(factory.user_once("submitter", "ba-dinh"), language=language)
        summaries = {item["summary"].split("] ", 1)[1] for item in api.get("/api/v1/notices").json}
        assert f"{refused.nominee_name} – {chairs}" in summaries
        assert f"{not_recommended.nominee_name} – {appraisers}" in summaries

    notice = db.session.scalars(select(Notice).where(Notice.dossier_id == refused.id, Notice.kind == "reject")).first()
    mail = build_message(notice)
    body = mail.get_body(("plain",)).get_content()
    assert mail["Subject"].endswith("– Không phê duyệt") and "Không phê duyệt." in body and "Không đề nghị" not in body

    chair = factory.api(factory.user_once("chair", "thanh-hoi"))
    approved = factory.dossier("approved")
    late = chair.post(f"/api/v1/dossiers/{approved.id}/events",
                      json={"event": "reject", "version": approved.version, "comment": "Muộn."})
    assert late.status_code == 409, late.json
    assert late.json["error"]["message"] == ("Không thể thực hiện “Không phê duyệt” khi hồ sơ đang ở trạng thái "
                                             "“Đã phê duyệt”.")
