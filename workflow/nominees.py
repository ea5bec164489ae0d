"""The nominee registry: persons and collectives that live across campaigns, each dossier referring to one.

A new dossier is linked to the entry its submitter picks, or else to the one entry that fits exactly (same kind,
unit and name key, the same year of birth where both are known); otherwise a new entry is made. The office merges
two entries found to be one nominee, and the merge is recorded with both entries as they were.
"""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select, update

from workflow.award_history import move_history
from workflow.errors import NotFound, ValidationFailed
from workflow.i18n import N_, Msg, today
from workflow.models import MAX_ID, Campaign, Dossier, Nominee, NomineeMerge, User, db, utcnow
from workflow.permissions import can_see_nominee, require, visible_dossiers, visible_nominees
from workflow.text import name_key, search_key

COLLECTIVE_KINDS = {
    "branch": N_("Women's union branch (chi hội)"),
    "commune_union": N_("Ward or commune women's union"),
    "district_union": N_("District women's union"),
    "other": N_("Other collective"),
}
IDENTITY_NUMBER = re.compile(r"[0-9]{12}")
# The fields a merge may fill in on the kept entry when it lacks them and the merged one has them.
FILLABLE = ("birth_date", "birth_year", "gender", "position", "identity_number", "collective_kind")
MAX_MATCHES = 20


def registry_errors(nominee: dict) -> list[dict]:
    """What is wrong with the registry's own fields of a nominee (those the dossier does not keep)."""
    errors = []
    number = nominee.get("identity_number")
    if number and not IDENTITY_NUMBER.fullmatch(number):
        errors.append({"field": "nominee.identity_number",
                       "message": Msg(N_("The citizen identity number (CCCD) has exactly 12 digits."))})
    born = nominee.get("birth_date")
    if born is not None:
        if not (dt.date(1900, 1, 1) <= born <= today()):
            errors.append({"field": "nominee.birth_date", "message": Msg(N_("The date of birth is not plausible."))})
        elif nominee.get("birth_year") is not None and nominee["birth_year"] != born.year:
            errors.append({"field": "nominee.birth_year",
                           "message": Msg(N_("The year of birth differs from the date of birth."))})
    collective_kind = nominee.get("collective_kind")
    if collective_kind is not None:
        if nominee.get("kind") != "collective":
            errors.append({"field": "nominee.collective_kind",
                           "message": Msg(N_("Only a collective has a kind of collective."))})
        elif collective_kind not in COLLECTIVE_KINDS:
            errors.append({"field": "nominee.collective_kind", "message": Msg(
                N_("Unknown kind of collective; use one of: %(kinds)s."), {"kinds": ", ".join(COLLECTIVE_KINDS)})})
    return errors


def _birth_year(nominee: dict) -> int | None:
    born = nominee.get("birth_date")
    return nominee.get("birth_year") or (born.year if born else None)


def get_nominee(actor: User, nominee_id: int) -> Nominee:
    """An entry the actor sees (a merged one too: it names the entry it was merged into)."""
    require(actor, "see_nominees")
    nominee = db.session.get(Nominee, nominee_id) if 0 < nominee_id <= MAX_ID else None
    if nominee is None or not can_see_nominee(actor, nominee):
        raise NotFound(Msg(N_("No such nominee.")))
    return nominee


def exact_match(unit_id: int, kind: str, key: str, birth_year: int | None) -> Nominee | None:
    """The one entry of the unit that is this nominee beyond doubt; None when there is none, or several that the
    year of birth does not tell apart."""
    query = select(Nominee).where(Nominee.unit_id == unit_id, Nominee.kind == kind, Nominee.name_key == key,
                                  Nominee.merged_into_id.is_(None))
    if birth_year is not None:
        query = query.where(Nominee.birth_year.is_(None) | (Nominee.birth_year == birth_year))
    fits = list(db.session.scalars(query.order_by(Nominee.id).limit(MAX_MATCHES)))
    if len(fits) > 1 and birth_year is not None:
        fits = [fit for fit in fits if fit.birth_year == birth_year]
    return fits[0] if len(fits) == 1 else None


def nominee_for(actor: User, unit_id: int, nominee: dict, nominee_id: int | None = None,
                new_entry: bool = False) -> Nominee:
    """The entry a dossier of `unit_id` for `nominee` (fields already checked) refers to: the one picked
    (`nominee_id`, which the actor must see and which must be of the same kind), else the exact match (unless a
    `new_entry` is asked for: a namesake), else a new entry."""
    if nominee_id is not None:
        entry = get_nominee(actor, nominee_id)
        if entry.merged_into_id is not None:
            entry = db.session.get(Nominee, entry.merged_into_id)
        if entry.kind != nominee["kind"]:
            raise ValidationFailed(details=[{"field": "nominee_id", "message": Msg(
                N_("The nominee picked is a %(kind)s; the dossier names a %(wanted)s."),
                {"kind": Msg(KIND_LABELS[entry.kind]), "wanted": Msg(KIND_LABELS[nominee["kind"]])})}])
        return entry
    entry = None if new_entry else exact_match(unit_id, nominee["kind"], name_key(nominee["name"]),
                                               _birth_year(nominee))
    if entry is not None:
        return entry
    entry = Nominee(kind=nominee["kind"], name=nominee["name"], unit_id=unit_id, birth_year=_birth_year(nominee),
                    birth_date=nominee.get("birth_date"), gender=nominee.get("gender"),
                    position=nominee.get("position"), identity_number=nominee.get("identity_number") or None,
                    collective_kind=nominee.get("collective_kind"), created_by_id=actor.id)
    db.session.add(entry)
    db.session.flush()
    return entry


KIND_LABELS = {"individual": N_("individual"), "collective": N_("collective")}


def find_nominees(actor: User, text: str, kind: str | None = None, birth_year: int | None = None) -> list[Nominee]:
    """The entries the actor sees whose name starts like `text` (with or without diacritics, either tone-mark
    placement), the first in the order of the search key's index; among them, those whose name key starts alike,
    then those born in `birth_year`, come first."""
    require(actor, "see_nominees")
    prefix = search_key(text)
    if not prefix:
        return []
    pattern = prefix.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"
    # In byte order, as the look-up indexes hold the key (migration 0026privacy): on PostgreSQL the prefix is then a
    # range of the index, which gives the order too, whatever the database's collation.
    key = Nominee.search_key.collate("C") if db.session.get_bind().dialect.name == "postgresql" \
        else Nominee.search_key
    query = select(Nominee).where(visible_nominees(actor), Nominee.merged_into_id.is_(None),
                                  key.like(pattern, escape="/"))
    if kind is not None:
        query = query.where(Nominee.kind == kind)
    found = db.session.scalars(query.order_by(key, Nominee.id).limit(MAX_MATCHES))
    key = name_key(text)
    return sorted(found, key=lambda entry: (not entry.name_key.startswith(key),
                                            birth_year is not None and entry.birth_year != birth_year))


def nominations_of(actor: User, nominee: Nominee) -> list[Dossier]:
    """The entry's dossiers the actor sees, across campaigns, newest campaign first."""
    return list(db.session.scalars(
        visible_dossiers(actor).join(Dossier.campaign).where(Dossier.nominee_id == nominee.id)
        .order_by(Campaign.year.desc(), Dossier.id.desc())))


def nomination_records(nominee: Nominee) -> list[Dossier]:
    """Every dossier of the entry, drafts of any unit included (what is held about the nominee), oldest first."""
    return list(db.session.scalars(select(Dossier).where(Dossier.nominee_id == nominee.id).order_by(Dossier.id)))


def nominee_fields(nominee: Nominee) -> dict:
    """The entry's fields as a merge record keeps them."""
    return {"id": nominee.id, "kind": nominee.kind, "name": nominee.name, "name_key": nominee.name_key,
            "unit": nominee.unit.code, "birth_date": nominee.birth_date.isoformat() if nominee.birth_date else None,
            "birth_year": nominee.birth_year, "gender": nominee.gender, "position": nominee.position,
            "identity_number": nominee.identity_number, "collective_kind": nominee.collective_kind,
            "merged_into": nominee.merged_into_id, "created_at": nominee.created_at.isoformat()}


def merge_nominees(actor: User, nominee_id: int, into_id: int | None) -> NomineeMerge:
    """Merge the entry `nominee_id` into `into_id`, which is kept: the merged entry's dossiers refer to the kept
    one, which takes the fields it lacks from the merged one; the merged entry stays, pointing at the kept one."""
    merged = get_nominee(actor, nominee_id)
    require(actor, "merge_nominees")
    if into_id is None:
        raise ValidationFailed(details=[{"field": "into", "message": Msg(N_("Name the entry to keep."))}])
    kept = get_nominee(actor, into_id)
    # Both rows locked, in one order, so that two merges of the same entries wait for each other.
    db.session.execute(select(Nominee.id).where(Nominee.id.in_([merged.id, kept.id]))
                       .order_by(Nominee.id).with_for_update())
    db.session.refresh(merged)
    db.session.refresh(kept)
    errors = []
    if merged.id == kept.id:
        errors.append({"field": "into", "message": Msg(N_("An entry cannot be merged into itself."))})
    for entry in (merged, kept):
        if entry.merged_into_id is not None:
            errors.append({"field": "into" if entry is kept else "nominee", "message": Msg(
                N_("Entry #%(entry)d was already merged into entry #%(kept)d."),
                {"entry": entry.id, "kept": entry.merged_into_id})})
    if merged.kind != kept.kind:
        errors.append({"field": "into", "message": Msg(N_("A person and a collective cannot be merged."))})
    if errors:
        raise ValidationFailed(details=errors)
    record = NomineeMerge(kept_id=kept.id, merged_id=merged.id, actor_id=actor.id, at=utcnow(),
                          kept_before=nominee_fields(kept), merged_before=nominee_fields(merged))
    for field in FILLABLE:
        if getattr(kept, field) is None and getattr(merged, field) is not None:
            setattr(kept, field, getattr(merged, field))
    merged.merged_into_id = kept.id
    record.dossier_ids = list(db.session.scalars(
        update(Dossier).where(Dossier.nominee_id == merged.id).values(nominee_id=kept.id).returning(Dossier.id)
        .execution_options(synchronize_session="fetch")))
    move_history(merged, kept)
    # Entries merged into the merged one before now point at the kept one.
    db.session.execute(update(Nominee).where(Nominee.merged_into_id == merged.id).values(merged_into_id=kept.id)
                       .execution_options(synchronize_session="fetch"))
    db.session.add(record)
    db.session.flush()
    return record


def merges_of(nominee: Nominee) -> list[NomineeMerge]:
    """The merges the entry took part in, oldest first."""
    return list(db.session.scalars(
        select(NomineeMerge).where((NomineeMerge.kept_id == nominee.id) | (NomineeMerge.merged_id == nominee.id))
        .order_by(NomineeMerge.at, NomineeMerge.id)))
