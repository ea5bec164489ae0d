"""The nominee registry: dossiers linked to entries at creation (picked, matched or new), the look-up while typing a
name, another unit's entries hidden, the office's recorded merge, and the migration's linking of stored dossiers."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from workflow.models import Dossier, Nominee, NomineeMerge, db

MIGRATION = Path(__file__).resolve().parents[1] / "migrations" / "versions" / "0023_registry.py"


def person(name: str = "Lê Thị Hòa", **fields) -> dict:
    return {"kind": "individual", "name": name, "position": "Chi hội trưởng", "birth_year": 1975, **fields}


def create(api, campaign: str, nominee: dict, **body):
    response = api.post("/api/v1/dossiers", json={"campaign": campaign, "award_type": "bk_thanh_hoi",
                                                  "nominee": nominee, **body})
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def submitter_api(factory):
    for code in ("c2023", "c2024"):
        factory.campaign(code)
    return factory.api(factory.user_once("submitter", "ba-dinh"))


def test_a_new_nominee_gets_a_new_entry_and_a_second_nomination_finds_it(submitter_api):
    first = create(submitter_api, "c2023", person(birth_date="1975-03-08", identity_number="001175012345"))
    second = create(submitter_api, "c2024", person("Lê Thị Hoà", position="Chủ tịch Hội"))

    assert second["nominee"]["id"] == first["nominee"]["id"]
    assert second["nominee"]["name"] == "Lê Thị Hoà"  # the dossier keeps the name as typed for it
    entry = db.session.get(Nominee, first["nominee"]["id"])
    assert (entry.name, entry.birth_year, entry.birth_date.isoformat(), entry.identity_number, entry.unit.code) == (
        "Lê Thị Hòa", 1975, "1975-03-08", "001175012345", "ba-dinh")
    assert db.session.scalar(select(func.count()).select_from(Nominee)) == 1


def test_another_year_of_birth_or_another_unit_is_another_nominee(factory, submitter_api):
    first = create(submitter_api, "c2023", person())
    other_year = create(submitter_api, "c2024", person(birth_year=1990))
    elsewhere = create(factory.api(factory.user_once("submitter", "hoan-kiem")), "c2024", person())
    ids = {first["nominee"]["id"], other_year["nominee"]["id"], elsewhere["nominee"]["id"]}
    assert len(ids) == 3


def test_the_look_up_finds_either_spelling_without_diacritics_and_only_the_units_entries(factory, submitter_api):
    entry_id = create(submitter_api, "c2023", person())["nominee"]["id"]
    create(factory.api(factory.user_once("submitter", "hoan-kiem")), "c2023", person())

    for typed in ("Lê Thị Hoà", "lê thị hò", "le thi hoa", "LE THI"):
        found = submitter_api.get("/api/v1/nominees", query_string={"q": typed})
        assert found.status_code == 200, found.json
        assert [entry["id"] for entry in found.json] == [entry_id], typed
    assert submitter_api.get("/api/v1/nominees", query_string={"q": "Trần"}).json == []
    office = factory.api(factory.user_once("office", "van-phong"))
    assert len(office.get("/api/v1/nominees", query_string={"q": "le thi hoa"}).json) == 2
    assert office.get("/api/v1/nominees", query_string={"q": "le_%"}).json == []


def test_a_picked_entry_is_taken_even_when_the_name_is_typed_otherwise(submitter_api):
    entry_id = create(submitter_api, "c2023", person())["nominee"]["id"]
    picked = create(submitter_api, "c2024", person("Lê T. Hòa", birth_year=None), nominee_id=entry_id)
    assert picked["nominee"]["id"] == entry_id


def test_another_units_entry_does_not_exist_for_a_submitter(factory, submitter_api):
    other = factory.api(factory.user_once("submitter", "hoan-kiem"))
    entry_id = create(other, "c2023", person())["nominee"]["id"]
    before = db.session.scalar(select(func.count()).select_from(Dossier))

    refused = submitter_api.post("/api/v1/dossiers", json={"campaign": "c2024", "award_type": "bk_thanh_hoi",
                                                           "nominee": person(), "nominee_id": entry_id})
    assert refused.status_code == 404, refused.json
    assert refused.json["error"]["code"] == "not_found"
    assert submitter_api.get(f"/api/v1/nominees/{entry_id}").status_code == 404
    assert submitter_api.post(f"/api/v1/nominees/{entry_id}/merge", json={"into": entry_id}).status_code == 404
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == before


def test_a_picked_collective_cannot_stand_for_a_person_and_a_cccd_has_twelve_digits(submitter_api):
    collective = create(submitter_api, "c2023", {"kind": "collective", "name": "Chi hội 5",
                                                 "collective_kind": "branch"})
    refused = submitter_api.post("/api/v1/dossiers", json={
        "campaign": "c2024", "award_type": "bk_thanh_hoi", "nominee": person(identity_number="12345"),
        "nominee_id": collective["nominee"]["id"]})
    assert refused.status_code == 422
    assert {d["field"] for d in refused.json["error"]["details"]} == {"nominee.identity_number"}
    refused = submitter_api.post("/api/v1/dossiers", json={
        "campaign": "c2024", "award_type": "bk_thanh_hoi", "nominee": person(),
        "nominee_id": collective["nominee"]["id"]})
    assert refused.status_code == 422
    assert refused.json["error"]["details"][0]["field"] == "nominee_id"


def test_the_office_merges_two_entries_keeping_both_nominations_and_the_merge_is_recorded(factory, submitter_api):
    kept = create(submitter_api, "c2023", person())
    # Typed without diacritics: another name key, so another entry, for the office to find and merge.
    merged = create(submitter_api, "c2024", person("Le Thi Hoa", birth_year=None, gender="female",
                                                   identity_number="001175012345"))
    assert merged["nominee"]["id"] != kept["nominee"]["id"]
    office_user = factory.user_once("office", "van-phong")
    office = factory.api(office_user)
    assert submitter_api.post(f"/api/v1/nominees/{merged['nominee']['id']}/merge",
                              json={"into": kept["nominee"]["id"]}).status_code == 403

    response = office.post(f"/api/v1/nominees/{merged['nominee']['id']}/merge", json={"into": kept["nominee"]["id"]})
    assert response.status_code == 201, response.json
    assert response.json["dossiers"] == [merged["id"]]
    assert response.json["kept"]["identity_number"] == "001175012345"  # taken from the merged entry

    detail = submitter_api.get(f"/api/v1/nominees/{kept['nominee']['id']}").json
    assert [n["dossier"] for n in detail["nominations"]] == sorted([kept["id"], merged["id"]], reverse=True)
    assert submitter_api.get(f"/api/v1/dossiers/{merged['id']}").json["nominee"]["id"] == kept["nominee"]["id"]
    record = db.session.scalar(select(NomineeMerge))
    assert (record.kept_id, record.merged_id, record.actor_id) == (
        kept["nominee"]["id"], merged["nominee"]["id"], office_user.id)
    assert record.merged_before["identity_number"] == "001175012345"
    assert record.kept_before["identity_number"] is None
    assert record.merged_before["name"] == "Le Thi Hoa"
    assert db.session.get(Nominee, merged["nominee"]["id"]).merged_into_id == kept["nominee"]["id"]

    again = office.post(f"/api/v1/nominees/{merged['nominee']['id']}/merge", json={"into": kept["nominee"]["id"]})
    assert again.status_code == 422
    itself = office.post(f"/api/v1/nominees/{kept['nominee']['id']}/merge", json={"into": kept["nominee"]["id"]})
    assert itself.status_code == 422


def test_a_renamed_draft_refers_to_the_nominee_it_now_names(submitter_api):
    first = create(submitter_api, "c2023", person())
    draft = create(submitter_api, "c2024", person("Trần Thị Mai", birth_year=1980))
    assert draft["nominee"]["id"] != first["nominee"]["id"]
    edited = submitter_api.patch(f"/api/v1/dossiers/{draft['id']}",
                                 json={"version": draft["version"], "nominee": {"name": "Lê Thị Hoà",
                                                                                "birth_year": 1975}})
    assert edited.status_code == 200, edited.json
    assert edited.json["nominee"]["id"] == first["nominee"]["id"]


def test_an_imported_row_naming_a_registered_person_refers_to_that_entry(submitter_api):
    from tests.test_honours_import import filled, upload

    entry_id = create(submitter_api, "c2023", person())["nominee"]["id"]
    data = filled(submitter_api, [["Cá nhân", "LÊ THỊ HOÀ", "Chủ tịch", None, 1975, "Nữ", "Xuất sắc"],
                                  ["Cá nhân", "Lê Thị Hòa", "Cán bộ", None, 1990, "Nữ", "Tốt"]])
    response = upload(submitter_api, data, campaign="c2024")
    assert response.status_code == 201, response.json
    same, namesake = (item["nominee"]["id"] for item in response.json["items"])
    assert same == entry_id and namesake != entry_id


def test_the_council_does_not_see_the_registry(factory, submitter_api):
    entry_id = create(submitter_api, "c2023", person())["nominee"]["id"]
    member = factory.api(factory.user("council"))
    assert member.get(f"/api/v1/nominees/{entry_id}").status_code == 403
    assert member.get("/api/v1/nominees", query_string={"q": "le"}).status_code == 403


# The migration links the dossiers stored before the registry ------------------------------------------------

def link_dossiers(connection) -> int:
    spec = importlib.util.spec_from_file_location("registry_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.link_dossiers(connection)


@pytest.mark.parametrize("which", ["postgresql", "sqlite"])
def test_the_migration_makes_one_entry_per_nominee_and_links_every_dossier(request, which):
    factory = request.getfixturevalue("factory" if which == "postgresql" else "sqlite_factory")
    factory.campaign("c2023")
    dossiers = [factory.draft(campaign="c2023", name="Lê Thị Hòa", birth_year=1975),
                factory.draft(name="Lê Thị Hoà", birth_year=1975),
                factory.draft("can_bo_co_so_gioi", name="Lê Thị Hòa", birth_year=None),
                factory.draft(unit="hoan-kiem", name="Lê Thị Hòa", birth_year=1975),
                factory.draft("chi_hoi_tieu_bieu", name="Chi hội 7")]
    # As the database held them before the registry: no entries, no links.
    connection = db.session.connection()
    if which == "postgresql":  # SQLite's column has no constraint (see the migration)
        connection.execute(text("ALTER TABLE dossiers ALTER COLUMN nominee_id DROP NOT NULL"))
    connection.execute(text("UPDATE dossiers SET nominee_id = NULL"))
    connection.execute(text("DELETE FROM nominees"))

    assert link_dossiers(connection) == 5
    assert link_dossiers(connection) == 0  # nothing left to link
    links = dict(connection.execute(text("SELECT id, nominee_id FROM dossiers")).all())
    if which == "postgresql":
        connection.execute(text("ALTER TABLE dossiers ALTER COLUMN nominee_id SET NOT NULL"))
    db.session.commit()
    ids = [links[d.id] for d in dossiers]
    assert ids[0] == ids[1]  # one key for both spellings
    assert len(set(ids)) == 4  # no year, another unit, a collective: each its own entry
    entry = db.session.get(Nominee, ids[0])
    assert (entry.name, entry.birth_year, entry.unit.code, entry.search_key) == (
        "Lê Thị Hòa", 1975, "ba-dinh", "le thi hoa")
    assert db.session.get(Nominee, ids[4]).kind == "collective"
