"""The conflict-of-interest rule is written twice, once in Python (`has_conflict`, checked on each step) and once in
SQL (`council_without_conflict`, which counts the council in the ballot tally): both must say the same of every
member, for an individual and for a collective, whatever the spelling of a name."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.test_council_sessions import VOTING
from workflow.models import Unit, db
from workflow.rules import council_members, has_conflict

pytestmark = pytest.mark.postgres


def unit_name(code: str) -> str:
    return db.session.scalar(select(Unit.name).where(Unit.code == code))


@pytest.mark.parametrize("kind", ["individual", "collective"])
def test_the_python_rule_and_the_sql_rule_agree_on_every_member(factory, kind):
    if kind == "individual":
        dossier = factory.dossier(VOTING, name="Lê Thị Hòa", unit="ba-dinh")
    else:
        dossier = factory.dossier(VOTING, award_type="uy_thac_nhcsxh", name=unit_name("hoan-kiem").upper(),
                                  unit="ba-dinh")
    members = {
        "of the nominating unit": factory.user("council", "ba-dinh", full_name="Phạm Thị Một"),
        "the nominee, spelt otherwise": factory.user("council", "thanh-hoi", full_name="LÊ THỊ HOÀ"),
        "of the nominated collective": factory.user("council", "hoan-kiem", full_name="Trần Thị Hai"),
        "unrelated": factory.user("chair", "thanh-hoi", full_name="Vũ Thị Ba"),
    }
    counted = {member.id for member in council_members(dossier)}
    said = {why: (has_conflict(member, dossier), member.id not in counted) for why, member in members.items()}
    assert all(python == sql for python, sql in said.values()), said
    expected = {"of the nominating unit": True, "the nominee, spelt otherwise": kind == "individual",
                "of the nominated collective": kind == "collective", "unrelated": False}
    assert {why: python for why, (python, _sql) in said.items()} == expected
