"""The inputs an event takes come from its step's declaration in the procedure file: the event page shows
those fields, marks the required ones, and a required input left empty is refused by the page and the API."""
import pytest

from tests.web_helpers import csrf_token, sign_in
from workflow.models import Dossier, db
from workflow.procedure import PROCEDURES_DIR, ProcedureError, catalogue, install, load_directory

pytestmark = pytest.mark.usefixtures("light_password_hashing")

V1 = (PROCEDURES_DIR / "reference-v1.yaml").read_text(encoding="utf-8")
# Version 2 asks the office for a comment when it accepts a dossier for appraisal.
V2 = V1.replace("version: 1\n", "version: 2\n").replace(
    "    rules: [required_documents]\n    notify: appraisers\n",
    "    rules: [required_documents]\n    inputs: {comment: {type: text, required: true}}\n    notify: appraisers\n",
)


@pytest.fixture
def accept_with_comment(tmp_path):
    assert V2 != V1.replace("version: 1\n", "version: 2\n")
    (tmp_path / "reference-v1.yaml").write_text(V1, encoding="utf-8")
    (tmp_path / "reference-v2.yaml").write_text(V2, encoding="utf-8")
    before = install(load_directory(tmp_path))
    yield
    install(before)


def test_a_step_that_declares_a_required_comment_asks_for_it_on_the_page_and_the_api(app, factory,
                                                                                      accept_with_comment):
    dossier = factory.dossier("submitted")
    assert dossier.procedure_version == 2
    office_user = factory.user_once("office", "van-phong")
    office = sign_in(app, office_user)
    page = office.get(f"/dossiers/{dossier.id}").text
    assert f'href="/dossiers/{dossier.id}/events/accept"' in page  # a form with a field, not a one-button form
    form = office.get(f"/dossiers/{dossier.id}/events/accept").text
    assert 'name="comment"' in form and "(bắt buộc)" in form and "required" in form
    assert 'name="due_date"' not in form and 'name="decision_number"' not in form

    token = csrf_token(office, f"/dossiers/{dossier.id}")
    refused = office.post(f"/dossiers/{dossier.id}/events/accept", data={"csrf_token": token,
                                                                          "version": dossier.version})
    assert refused.status_code == 400 and "Cần nhập nhận xét." in refused.text
    db.session.expire_all()
    assert db.session.get(Dossier, dossier.id).state == "submitted"

    api = factory.api(office_user, "en")
    answer = api.post(f"/api/v1/dossiers/{dossier.id}/events", json={"event": "accept", "version": dossier.version})
    assert answer.status_code == 422 and answer.json["error"]["code"] == "guard_failed"
    assert answer.json["error"]["details"] == [{"rule": "input_required", "message": "The comment is required."}]
    db.session.expire_all()
    assert db.session.get(Dossier, dossier.id).state == "submitted"

    done = api.post(f"/api/v1/dossiers/{dossier.id}/events",
                    json={"event": "accept", "version": dossier.version, "comment": "Đủ hồ sơ."})
    assert done.status_code == 200 and done.json["state"] == "in_appraisal"


def test_an_event_without_inputs_stays_a_one_button_form(app, factory):
    dossier = factory.dossier("submitted")
    page = sign_in(app, factory.user_once("office", "van-phong")).get(f"/dossiers/{dossier.id}").text
    assert f'action="/dossiers/{dossier.id}/events/accept"' in page
    assert f'href="/dossiers/{dossier.id}/events/return"' in page
    assert catalogue().current("reference").version == 1


def test_a_rule_on_an_input_the_step_does_not_declare_is_refused(tmp_path):
    broken = V1.replace("    rules: [conflict_of_interest, note_required]\n"
                        "    inputs: {comment: {type: text, required: true}}\n",
                        "    rules: [conflict_of_interest, note_required]\n")
    assert broken != V1
    (tmp_path / "reference-v1.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(ProcedureError, match="rule 'note_required' checks the input 'comment'"):
        load_directory(tmp_path)
