"""Procedure versions: a dossier moves on the version it was created under; a new version applies to new
dossiers only; the API, the history and the page show the version; a version running dossiers use cannot be
removed."""
import re
import shutil

import pytest

from tests.conftest import make_app
from tests.web_helpers import sign_in
from workflow.models import Dossier, db
from workflow.procedure import PROCEDURES_DIR, ProcedureError, catalogue, install, load_directory

pytestmark = pytest.mark.usefixtures("light_password_hashing")

V1 = (PROCEDURES_DIR / "reference-v1.yaml").read_text(encoding="utf-8")
# Version 2 makes the nominations public before the council: the appraiser's recommendation opens a
# disclosure, and the office then puts the dossier before the council.
V2 = V1.replace("version: 1\n", "version: 2\n").replace(
    '  council_review: {vi: "Hội đồng xét", en: "Council review", voting: true}\n',
    '  disclosure:     {vi: "Đang công khai", en: "Public disclosure"}\n'
    '  council_review: {vi: "Hội đồng xét", en: "Council review", voting: true}\n',
).replace(
    '  reject:    {vi: "Không đề nghị", en: "Reject"}\n',
    '  reject:    {vi: "Không đề nghị", en: "Reject"}\n'
    '  open_council: {vi: "Đưa ra Hội đồng xét", en: "Put before the council"}\n',
).replace(
    "queues:\n",
    'queues:\n  disclosure: {vi: "Đang công khai: cần đưa ra Hội đồng xét", en: "In public disclosure: to put '
    'before the council"}\n',
).replace(
    "  - event: recommend\n    from: in_appraisal\n    to: council_review\n",
    "  - event: recommend\n    from: in_appraisal\n    to: disclosure\n",
).replace(
    "    effects: [reset_vote]\n    notify: council\n    queue: appraisal\n",
    "    notify: office\n    queue: appraisal\n\n"
    "  - {event: open_council, from: disclosure, to: council_review, role: office, effects: [reset_vote],\n"
    "     notify: council, queue: disclosure}\n",
)


@pytest.fixture
def procedures(tmp_path):
    """A folder of procedure files, and the app's procedures as they were restored afterwards."""
    folder = tmp_path / "procedures"
    folder.mkdir()
    (folder / "reference-v1.yaml").write_text(V1, encoding="utf-8")
    shutil.copy(PROCEDURES_DIR / "tet-gift-v1.yaml", folder)  # the seeded gift list's award type follows it
    before = catalogue()
    yield folder
    install(before)


def test_version_two_is_a_valid_procedure(tmp_path):
    (tmp_path / "reference-v2.yaml").write_text(V2, encoding="utf-8")
    assert "disclosure" in load_directory(tmp_path).get("reference", 2).states


def test_running_dossiers_finish_on_v1_while_new_ones_take_v2(app, factory, procedures):
    old = factory.dossier("in_appraisal")
    assert (old.procedure, old.procedure_version) == ("reference", 1)

    (procedures / "reference-v2.yaml").write_text(V2, encoding="utf-8")
    install(load_directory(procedures))  # as a restart with the new file does
    new = factory.dossier("in_appraisal")
    assert (new.procedure, new.procedure_version) == ("reference", 2)

    factory.advance(old, "recommend")
    assert old.state == "council_review"  # v1: straight to the council
    factory.advance(new, "recommend")
    assert new.state == "disclosure"  # v2: made public first
    office = factory.api(factory.user_once("office", "van-phong"))
    refused = office.post(f"/api/v1/dossiers/{old.id}/events", json={"event": "open_council", "version": old.version})
    assert refused.status_code == 422 and refused.json["error"]["code"] == "validation_error"
    answer = office.post(f"/api/v1/dossiers/{new.id}/events", json={"event": "open_council", "version": new.version})
    assert answer.status_code == 200, answer.json
    assert (answer.json["state"], answer.json["procedure"], answer.json["procedure_version"]) == \
        ("council_review", "reference", 2)

    assert office.get(f"/api/v1/dossiers/{old.id}").json["procedure_version"] == 1
    history = office.get(f"/api/v1/dossiers/{new.id}/history").json
    assert [(row["event"], row["to_state"], row["procedure_version"]) for row in history][-2:] == \
        [("recommend", "disclosure", 2), ("open_council", "council_review", 2)]
    assert {row["procedure_version"] for row in office.get(f"/api/v1/dossiers/{old.id}/history").json} == {1}

    page = sign_in(app, factory.user_once("office", "van-phong")).get(f"/dossiers/{new.id}").text
    assert "Quy trình xét khen thưởng 2024, phiên bản 2" in page and "Đang công khai" in page


def test_a_version_running_dossiers_use_cannot_be_removed(app, factory, procedures, postgres_url, tmp_path):
    running = factory.dossier("submitted")
    factory.dossier("withdrawn")
    (procedures / "reference-v2.yaml").write_text(V2, encoding="utf-8")
    (procedures / "reference-v1.yaml").unlink()

    with pytest.raises(ProcedureError) as refused:
        make_app(tmp_path, postgres_url, PROCEDURES_DIR=str(procedures))
    assert "reference v1 is still used by 1 running dossier; keep its file until they finish" in str(refused.value)
    assert catalogue().get("reference", 1)  # the app's procedures are unchanged

    factory.advance(running, "withdraw")
    make_app(tmp_path, postgres_url, PROCEDURES_DIR=str(procedures))
    assert [(p.code, p.version) for p in catalogue()] == [("reference", 2), ("tet_gift", 1)]
    assert db.session.get(Dossier, running.id).procedure_version == 1


def test_an_award_type_follows_the_procedure_it_names(app, factory, procedures):
    shutil.copy(procedures / "reference-v1.yaml", procedures / "public-v1.yaml")
    (procedures / "public-v1.yaml").write_text(V2.replace("code: reference\nversion: 2", "code: public\nversion: 1"),
                                               encoding="utf-8")
    install(load_directory(procedures))
    award_type = factory.draft().award_type
    award_type.procedure = "public"
    db.session.commit()
    dossier = factory.dossier("in_appraisal")
    assert (dossier.procedure, dossier.procedure_version) == ("public", 1)
    factory.advance(dossier, "recommend")
    assert dossier.state == "disclosure"


def test_the_home_page_shows_the_queues_of_each_dossiers_version(app, factory, procedures):
    """Version 2 renames the office's intake queue: new dossiers wait in it, under the file's label in the
    reader's language, while those begun under version 1 stay in the old one."""
    old = factory.dossier("submitted", name="Hồ sơ theo phiên bản một")
    v2 = V1.replace("version: 1\n", "version: 2\n").replace("    queue: intake\n", "    queue: reception\n").replace(
        '  intake:                    {vi: "Tiếp nhận: hồ sơ đã nộp cần kiểm tra", en: "Intake: submitted dossiers '
        'to check"}\n',
        '  reception:                 {vi: "Bộ phận một cửa: hồ sơ mới nộp", en: "One-stop desk: newly submitted '
        'dossiers"}\n')
    assert v2.count("queue: reception") == 2 and "reception:" in v2
    (procedures / "reference-v2.yaml").write_text(v2, encoding="utf-8")
    install(load_directory(procedures))
    new = factory.dossier("submitted", name="Hồ sơ theo phiên bản hai")
    office = factory.user_once("office", "van-phong")

    home = sign_in(app, office).get("/").text
    queues = dict(re.findall(r'<section class="queue" aria-labelledby="queue-(\w+)">(.*?)</section>', home, re.S))
    assert list(queues) == ["reception", "to_forward_or_decide", "awaiting_higher_authority", "intake",
                            "gift_to_hand_over"]
    reception, intake = queues["reception"], queues["intake"]
    assert "Bộ phận một cửa: hồ sơ mới nộp" in reception
    assert new.nominee_name in reception and old.nominee_name not in reception
    assert old.nominee_name in intake and new.nominee_name not in intake

    english = sign_in(app, office, language="en").get("/").text
    assert "One-stop desk: newly submitted dossiers" in english and "Bộ phận một cửa" not in english


def _enums(node, name: str) -> list[list]:
    """Every `enum` of a property or parameter called `name` in an OpenAPI document."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == name and isinstance(value, dict) and "enum" in value:
                found.append(value["enum"])
            if key == "name" and value == name and "enum" in node.get("schema", {}):
                found.append(node["schema"]["enum"])
            found += _enums(value, name)
    elif isinstance(node, list):
        for item in node:
            found += _enums(item, name)
    return found


def test_the_api_takes_the_states_and_events_of_every_loaded_procedure(app, procedures, postgres_url, tmp_path):
    (procedures / "public-v1.yaml").write_text(V2.replace("code: reference\nversion: 2", "code: public\nversion: 1"),
                                               encoding="utf-8")
    loaded = make_app(tmp_path, postgres_url, PROCEDURES_DIR=str(procedures))
    document = loaded.test_client().get("/api/v1/openapi.json").json
    states, events = _enums(document, "state"), _enums(document, "event")
    assert states and events
    assert all(set(enum) == set(catalogue().states) and "disclosure" in enum for enum in states)
    assert all(set(enum) == set(catalogue().events) and "open_council" in enum for enum in events)
