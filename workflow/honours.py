"""The honours list: one data source for the JSON, every export and the per-unit packs.

The final list holds the conferred dossiers of a campaign, grouped by award type in rank order (highest
first), numbered (STT) within each group; within a group rows follow the units' configured order, then
the Vietnamese alphabetical order of the given name (the last word of a person's name), then the whole
name, compared with ICU's collation for locale `vi`. Before decisions are recorded the office may look
at a provisional list of the approved dossiers. Once finalised, the list is a snapshot: its content and
hash are kept, and every later export is made from it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, replace
from functools import cache

import icu
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from workflow.campaigns import campaign_by_code
from workflow.decisions import recorded_issuers
from workflow.errors import GuardFailed, InvalidTransition, RuleFailure
from workflow.i18n import N_, VIETNAM, Msg, today
from workflow.invitations import send_invitations
from workflow.models import AwardType, Campaign, Dossier, HonoursListSnapshot, Unit, User, db, utcnow
from workflow.permissions import require
from workflow.procedure_use import in_states

# Which dossiers each list holds, by what their state is in their procedure (workflow.procedure.STATE_FLAGS):
# the final list the honoured ones; the provisional one those approved, whether or not a decision is recorded.
LISTED = "honoured_states"
PROVISIONAL = "decided_states"
DEFAULT_PLACE = "Hà Nội"


@cache
def _collator() -> icu.Collator:
    return icu.Collator.createInstance(icu.Locale("vi"))


def sort_key(text: str) -> bytes:
    """Vietnamese collation order (a < ă < â, d < đ, tones after letters) as comparable bytes."""
    return _collator().getSortKey(text)


def given_name(name: str, kind: str) -> str:
    """What a Vietnamese list sorts by: a person's given name (the last word); a collective's whole name."""
    if kind == "individual":
        words = name.split()
        return words[-1] if words else ""
    return name


@dataclass(frozen=True)
class HonoursList:
    """A list as printed: the API's JSON (`data`) and what the document's letterhead needs."""

    data: dict
    campaign_name: str
    organisation: str
    place: str
    issued_on: dt.date
    generated_at: dt.datetime
    provisional: bool = False
    unit_name: str | None = None

    @property
    def row_count(self) -> int:
        return sum(len(group["items"]) for group in self.data["groups"])

    def api_json(self) -> dict:
        return {**self.data, "provisional": True} if self.provisional else self.data

    def for_unit(self, unit_code: str, unit_name: str) -> HonoursList:
        """The same list restricted to one nominating unit's awardees, numbered afresh (a unit's pack)."""
        groups = []
        for group in self.data["groups"]:
            items = [item for item in group["items"] if item["unit"] == unit_code]
            if items:
                groups.append({**group, "items": [{**item, "stt": n} for n, item in enumerate(items, 1)]})
        return replace(self, data={**self.data, "groups": groups}, unit_name=unit_name)

    def to_snapshot(self) -> dict:
        return {"list": self.data, "campaign_name": self.campaign_name, "organisation": self.organisation,
                "place": self.place, "issued_on": self.issued_on.isoformat()}

    @classmethod
    def from_snapshot(cls, content: dict) -> HonoursList:
        data = content["list"]
        return cls(data=data, campaign_name=content["campaign_name"], organisation=content["organisation"],
                   place=content["place"],
                   issued_on=dt.date.fromisoformat(content["issued_on"]),
                   generated_at=dt.datetime.fromisoformat(data["generated_at"]))


def canonical_json(content: dict) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def organisation_name() -> str:
    """The letterhead's organisation: the city-level unit's name, as the data says."""
    city = db.session.scalar(select(Unit).where(Unit.kind == "city").order_by(Unit.sort_order, Unit.id))
    return city.name if city else ""


def _position(dossier: Dossier) -> str:
    return ", ".join(part for part in (dossier.nominee_position, dossier.nominee_workplace) if part)


def build_list_data(campaign: Campaign, states: str, generated_at: dt.datetime) -> dict:
    """The list in API.md's shape, read from the dossiers of `campaign` in their procedure's `states`
    (LISTED or PROVISIONAL)."""
    dossiers = db.session.scalars(
        select(Dossier).join(AwardType, Dossier.award_type_id == AwardType.id)
        .where(Dossier.campaign_id == campaign.id, in_states(states))
        .options(lazyload(Dossier.documents))).unique().all()
    issuers = recorded_issuers(campaign.id)
    by_type: dict[int, list[Dossier]] = {}
    for dossier in dossiers:
        by_type.setdefault(dossier.award_type_id, []).append(dossier)
    award_types = sorted((members[0].award_type for members in by_type.values()),
                         key=lambda award_type: (award_type.rank, award_type.id))
    groups = []
    for award_type in award_types:
        members = sorted(by_type[award_type.id], key=lambda d: (
            d.unit.sort_order, d.unit.id, sort_key(given_name(d.nominee_name, d.nominee_kind)),
            sort_key(d.nominee_name), d.id))
        groups.append({"award_type": award_type.code, "award_name": award_type.name, "items": [{
            "stt": number,
            "nominee_name": dossier.nominee_name,
            "position": _position(dossier),
            "unit": dossier.unit.code,
            "unit_name": dossier.unit.name,
            "decision_number": dossier.decision_number,
            "decision_date": dossier.decision_date.isoformat() if dossier.decision_date else None,
            # The recorded decision's issuer; for a dossier conferred without a decision record, its award type's.
            "issuer": issuers.get(dossier.id, dossier.award_type.issuer.name),
        } for number, dossier in enumerate(members, 1)]})
    return {"campaign": campaign.code, "generated_at": generated_at.astimezone(VIETNAM).isoformat(), "groups": groups}


def snapshot_for(campaign: Campaign) -> HonoursListSnapshot | None:
    return db.session.scalar(select(HonoursListSnapshot).where(HonoursListSnapshot.campaign_id == campaign.id))


def snapshot_list(snapshot: HonoursListSnapshot) -> HonoursList:
    return HonoursList.from_snapshot(json.loads(snapshot.content))


def honours_list(campaign: Campaign, provisional: bool = False, place: str = DEFAULT_PLACE) -> HonoursList:
    """The final list (from its snapshot once finalised, else live), or the provisional one."""
    if not provisional:
        snapshot = snapshot_for(campaign)
        if snapshot is not None:
            return snapshot_list(snapshot)
    now = utcnow()
    data = build_list_data(campaign, PROVISIONAL if provisional else LISTED, now)
    return HonoursList(data=data, campaign_name=campaign.name, organisation=organisation_name(), place=place,
                       issued_on=today(),
                       generated_at=now, provisional=provisional)


def read_honours_list(actor: User, campaign_code: str, provisional: bool = False,
                      place: str = DEFAULT_PLACE) -> HonoursList:
    campaign = campaign_by_code(campaign_code)
    require(actor, "read_honours_list")
    if provisional:
        require(actor, "prepare_provisional_list")
    return honours_list(campaign, provisional, place)


def finalise_honours_list(actor: User, campaign_code: str, place: str = DEFAULT_PLACE) -> HonoursListSnapshot:
    """Freeze the campaign's final list; afterwards it is exported from this snapshot, byte for byte alike.

    The invitation to the ceremony for each awardee is written in the same transaction.
    """
    campaign = campaign_by_code(campaign_code)
    require(actor, "finalise_honours_list")
    # One finalisation per campaign even when two requests race: the campaign row is the lock.
    db.session.execute(select(Campaign.id).where(Campaign.id == campaign.id).with_for_update())
    if snapshot_for(campaign) is not None:
        raise InvalidTransition(Msg(N_("The honours list of “%(campaign)s” is already final."),
                                    {"campaign": campaign.name}))
    failures = []
    pending = db.session.scalar(select(db.func.count(Dossier.id)).where(
        Dossier.campaign_id == campaign.id, in_states(PROVISIONAL), ~in_states(LISTED)))
    if pending:
        failures.append(RuleFailure("decisions_pending", Msg(
            N_("%(count)d approved dossiers still await a decision; record them before finalising."),
            {"count": pending})))
    now = utcnow().replace(microsecond=0)
    data = build_list_data(campaign, LISTED, now)
    if not data["groups"]:
        failures.append(RuleFailure("list_empty", Msg(N_("No dossier of this campaign has been conferred yet."))))
    if failures:
        raise GuardFailed(failures)
    frozen = HonoursList(data=data, campaign_name=campaign.name, organisation=organisation_name(), place=place,
                         issued_on=now.astimezone(VIETNAM).date(), generated_at=now)
    content = canonical_json(frozen.to_snapshot())
    snapshot = HonoursListSnapshot(campaign=campaign, content=content, finalised_at=now, finalised_by_id=actor.id,
                                   sha256=hashlib.sha256(content.encode()).hexdigest())
    db.session.add(snapshot)
    db.session.flush()
    send_invitations(campaign)
    return snapshot

