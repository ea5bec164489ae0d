"""The nominee registry's pages without a script: the new dossier form offers the registry's entries of the name
typed and takes the one picked, the nominee page lists the nominations across campaigns, the office merges there."""
from __future__ import annotations

import re

from sqlalchemy import select

from tests.web_helpers import csrf_token, sign_in
from workflow.models import Dossier, Nominee, NomineeMerge, db


def new_dossier(client, name: str, campaign: str, **fields):
    return client.post("/dossiers/new", data={
        "csrf_token": csrf_token(client, "/dossiers/new"), "campaign": campaign, "award_type": "bk_thanh_hoi",
        "kind": "individual", "name": name, "birth_year": "1975", "gender": "female", "achievements": "Xuất sắc",
        **fields})


def test_the_form_offers_the_entry_of_either_spelling_and_takes_the_one_picked(app, factory):
    for code in ("c2023", "c2024"):
        factory.campaign(code)
    first = factory.draft(campaign="c2023", name="Lê Thị Hòa", birth_year=1975)
    client = sign_in(app, factory.user_once("submitter", "ba-dinh"), language="en")

    offered = new_dossier(client, "Lê Thị Hoà", "c2024")
    assert offered.status_code == 200
    assert "The registry already holds nominees of that name" in offered.text
    assert re.search(rf'<input type="radio" name="nominee_id" value="{first.nominee_id}">\s*Lê Thị Hòa', offered.text)
    assert db.session.scalar(select(Dossier).where(Dossier.nominee_name == "Lê Thị Hoà")) is None

    saved = new_dossier(client, "Lê Thị Hoà", "c2024", nominee_id=str(first.nominee_id))
    assert saved.status_code == 302, saved.text
    dossier_path = saved.headers["Location"]
    created = db.session.scalar(select(Dossier).where(Dossier.nominee_name == "Lê Thị Hoà"))
    assert created.nominee_id == first.nominee_id
    assert f'href="/nominees/{first.nominee_id}"' in client.get(dossier_path).text

    page = client.get(f"/nominees/{first.nominee_id}")
    assert page.status_code == 200
    assert f'href="/dossiers/{first.id}"' in page.text and f'href="/dossiers/{created.id}"' in page.text
    assert "Merge into another entry" not in page.text  # the office's

    namesake = new_dossier(client, "Lê Thị Hòa", "c2024", award_type="can_bo_co_so_gioi", nominee_id="new")
    assert namesake.status_code == 302, namesake.text
    assert db.session.scalar(select(Nominee.id).order_by(Nominee.id.desc())) != first.nominee_id

    outsider = sign_in(app, factory.user_once("submitter", "hoan-kiem"), language="en")
    assert outsider.get(f"/nominees/{first.nominee_id}").status_code == 404


def test_the_office_merges_two_entries_on_the_nominee_page(app, factory):
    factory.campaign("c2023")
    # Submitted: the office sees a unit's dossiers once they are.
    kept = factory.dossier("submitted", campaign="c2023", name="Lê Thị Hòa", birth_year=1975)
    other = factory.dossier("submitted", name="Le Thi Hoa", birth_year=1975)
    assert kept.nominee_id != other.nominee_id
    client = sign_in(app, factory.user_once("office", "van-phong"), language="en")

    page = client.get(f"/nominees/{other.nominee_id}")
    assert "Merge into another entry" in page.text
    assert f'href="/nominees/{kept.nominee_id}"' in page.text  # offered as an entry with a similar name
    refused = client.post(f"/nominees/{other.nominee_id}/merge",
                          data={"csrf_token": csrf_token(client, f"/nominees/{other.nominee_id}"),
                                "into": str(other.nominee_id)})
    assert refused.status_code == 400
    assert "cannot be merged into itself" in refused.text

    merged = client.post(f"/nominees/{other.nominee_id}/merge",
                         data={"csrf_token": csrf_token(client, f"/nominees/{other.nominee_id}"),
                               "into": str(kept.nominee_id)})
    assert merged.status_code == 302
    assert merged.headers["Location"] == f"/nominees/{kept.nominee_id}"
    page = client.get(merged.headers["Location"])
    assert f'href="/dossiers/{kept.id}"' in page.text and f'href="/dossiers/{other.id}"' in page.text
    assert f"merged entry no. {other.nominee_id} (“Le Thi Hoa”)" in page.text
    assert "This entry was merged into another one." in client.get(f"/nominees/{other.nominee_id}").text
    assert db.session.scalar(select(NomineeMerge.merged_id)) == other.nominee_id
