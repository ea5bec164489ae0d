"""The honours list: one data source for the JSON, every export and the per-unit packs.

The final list holds the conferred dossiers of a campaign, grouped by award type in rank order (highest
first), numbered (STT) within each group; within a group rows follow the units' configured order, then
the Vietnamese alphabetical order of the given name (the last word of a person's name), then the whole
name, compared with ICU's collation for locale `vi`. After the conferred groups come the dossiers still waiting for
a higher authority's answer (a pending state, "chờ quyết định") and the awards revoked, each with its revoking
decision. Before decisions are recorded the office may look at a provisional list of the approved dossiers.

Once finalised, the list is a snapshot, version 1: its content and hash are kept, and every export of it is made
from it. A later step on a dossier the latest version shows (a pending one conferred or declined, an award revoked)
adds, in the step's transaction, the next version: an amendment, the list rebuilt for the dossiers the version
before held, naming that version's hash and what changed. Every version stays downloadable as it was.
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
from workflow.errors import GuardFailed, InvalidTransition, NotFound, RuleFailure
from workflow.i18n import N_, VIETNAM, Msg, today
from workflow.invitations import send_invitations
from workflow.models import (
    AwardType, Campaign, Decision, DecisionItem, DecisionStatus, Dossier, HonoursListSnapshot, Issuer, Revocation, Unit,
    User, db, utcnow,
)
from workflow.permissions import require
from workflow.procedure import catalogue
from workflow.procedure_use import in_states

# Which dossiers each list holds, by what their state is in their procedure (workflow.procedure.STATE_FLAGS):
# the final list the honoured ones; the provisional one those approved, whether or not a decision is recorded.
LISTED = "honoured_states"
PROVISIONAL = "decided_states"
# The final list's other sections: the dossiers waiting for a higher authority, and the awards revoked.
PENDING = "pending_states"
REVOCATIONS = "revoked_states"
DEFAULT_PLACE = "Hà Nội"
# What an amendment says of each dossier whose place on the list it changed: the section it moved to.
CHANGE_BY_SECTION = {"groups": "awarded", "revocations": "revocation", None: "refused"}


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
    # A finalised list's version (1, then one more for each amendment), the hash of the version before, and what
    # changed since it; a list not finalised has no version.
    version: int | None = None
    previous_sha256: str | None = None
    changes: tuple[dict, ...] = ()

    @property
    def row_count(self) -> int:
        return sum(len(group["items"]) for group in self.data["groups"])

    @property
    def pending(self) -> list[dict]:
        """The groups of the dossiers waiting for a higher authority's answer (none in a list made before)."""
        return self.data.get("pending", [])

    @property
    def revocations(self) -> list[dict]:
        """The groups of the awards revoked, each item with its `revocation` (none in a list made before)."""
        return self.data.get("revocations", [])

    def api_json(self) -> dict:
        if self.provisional:
            return {**self.data, "provisional": True}
        return {**self.data, "version": self.version, "changes": list(self.changes)}

    def for_unit(self, unit_code: str, unit_name: str) -> HonoursList:
        """The same list restricted to one nominating unit's awardees, numbered afresh (a unit's pack)."""
        def of_unit(groups: list[dict]) -> list[dict]:
            kept = []
            for group in groups:
                items = [item for item in group["items"] if item["unit"] == unit_code]
                if items:
                    kept.append({**group, "items": [{**item, "stt": n} for n, item in enumerate(items, 1)]})
            return kept

        data = {**self.data, "groups": of_unit(self.data["groups"])}
        for section in ("pending", "revocations"):
            if section in data:
                data[section] = of_unit(data[section])
        changes = tuple(change for change in self.changes if change["unit"] == unit_code)
        return replace(self, data=data, unit_name=unit_name, changes=changes)

    def dossier_sections(self) -> dict[int, str]:
        """Each dossier the list shows, with its section ("groups", "pending" or "revocations"). A list frozen before
        its rows named their dossiers names none, and so is never amended."""
        return {item["dossier"]: section for section in ("groups", "pending", "revocations")
                for group in self.data.get(section, []) for item in group["items"] if "dossier" in item}

    def item_of(self, dossier_id: int) -> tuple[dict, dict] | None:
        """The group and the item the list shows `dossier_id` in, if any."""
        for section in ("groups", "pending", "revocations"):
            for group in self.data.get(section, []):
                for item in group["items"]:
                    if item.get("dossier") == dossier_id:
                        return group, item
        return None

    def to_snapshot(self) -> dict:
        return {"list": self.data, "campaign_name": self.campaign_name, "organisation": self.organisation,
                "place": self.place, "issued_on": self.issued_on.isoformat(), "version": self.version,
                "previous_sha256": self.previous_sha256, "changes": list(self.changes)}

    @classmethod
    def from_snapshot(cls, content: dict) -> HonoursList:
        data = content["list"]
        return cls(data=data, campaign_name=content["campaign_name"], organisation=content["organisation"],
                   place=content["place"],
                   issued_on=dt.date.fromisoformat(content["issued_on"]),
                   generated_at=dt.datetime.fromisoformat(data["generated_at"]),
                   version=content.get("version"), previous_sha256=content.get("previous_sha256"),
                   changes=tuple(content.get("changes", ())))


def canonical_json(content: dict) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def organisation_name() -> str:
    """The letterhead's organisation: the city-level unit's name, as the data says."""
    city = db.session.scalar(select(Unit).where(Unit.kind == "city").order_by(Unit.sort_order, Unit.id))
    return city.name if city else ""


def _position(dossier: Dossier) -> str:
    return ", ".join(part for part in (dossier.nominee_position, dossier.nominee_workplace) if part)


def recorded_issuers(campaign_id: int) -> dict[int, str]:
    """By dossier of the campaign conferred by a recorded decision, the name of the decision's issuer."""
    return dict(db.session.execute(
        select(DecisionItem.dossier_id, Issuer.name).join(Decision, DecisionItem.decision_id == Decision.id)
        .join(Issuer, Decision.issuer_id == Issuer.id).join(Dossier, DecisionItem.dossier_id == Dossier.id)
        .where(Decision.status == DecisionStatus.RECORDED, Dossier.campaign_id == campaign_id)).all())


def build_list_data(campaign: Campaign, states: str, generated_at: dt.datetime,
                    only: set[int] | None = None) -> dict:
    """The list in API.md's shape, read from the dossiers of `campaign` in their procedure's `states`
    (LISTED or PROVISIONAL); the final list (LISTED) adds the sections `pending` and `revocations`. `only`
    restricts it to those dossiers (an amendment's)."""
    sections = {"groups": states} if states == PROVISIONAL else {"groups": states, "pending": PENDING,
                                                                  "revocations": REVOCATIONS}
    where = [Dossier.campaign_id == campaign.id, db.or_(*(in_states(kind) for kind in sections.values()))]
    if only is not None:
        where.append(Dossier.id.in_(sorted(only)))
    dossiers = db.session.scalars(select(Dossier).join(AwardType, Dossier.award_type_id == AwardType.id)
                                  .where(*where).options(lazyload(Dossier.documents))).unique().all()
    revoked = {revocation.dossier_id: revocation for revocation in db.session.scalars(select(Revocation).where(
        Revocation.dossier_id.in_([d.id for d in dossiers])))} if "revocations" in sections else {}
    issuers = recorded_issuers(campaign.id)
    loaded = catalogue()
    data = {"campaign": campaign.code, "generated_at": generated_at.astimezone(VIETNAM).isoformat()}
    for section, kind in sections.items():
        data[section] = _groups([d for d in dossiers if d.state in loaded.states_of(d.procedure, kind)], revoked,
                                issuers)
    return data


def _groups(dossiers: list[Dossier], revoked: dict[int, Revocation], issuers: dict[int, str]) -> list[dict]:
    """The dossiers grouped by award type in rank order, numbered within each group, in the list's order."""
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
        groups.append({"award_type": award_type.code, "award_name": award_type.name, "items": [
            _item(number, dossier, revoked.get(dossier.id), issuers) for number, dossier in enumerate(members, 1)]})
    return groups


def _item(number: int, dossier: Dossier, revocation: Revocation | None, issuers: dict[int, str]) -> dict:
    item = {
        "stt": number,
        "dossier": dossier.id,
        "nominee_name": dossier.nominee_name,
        "position": _position(dossier),
        "unit": dossier.unit.code,
        "unit_name": dossier.unit.name,
        "decision_number": dossier.decision_number,
        "decision_date": dossier.decision_date.isoformat() if dossier.decision_date else None,
        # The recorded decision's issuer; for a dossier conferred without a decision record, its award type's.
        "issuer": issuers.get(dossier.id, dossier.award_type.issuer.name),
    }
    if revocation is not None:
        item["revocation"] = {"number": revocation.decision_number, "date": revocation.decision_date.isoformat(),
                              "reason": revocation.reason}
    return item


def snapshot_for(campaign: Campaign) -> HonoursListSnapshot | None:
    """The latest version of the campaign's finalised list."""
    return db.session.scalar(select(HonoursListSnapshot).where(HonoursListSnapshot.campaign_id == campaign.id)
                             .order_by(HonoursListSnapshot.version.desc()).limit(1))


def snapshot_versions(campaign: Campaign) -> list[HonoursListSnapshot]:
    """Every version of the campaign's finalised list, the first first."""
    return list(db.session.scalars(select(HonoursListSnapshot).where(HonoursListSnapshot.campaign_id == campaign.id)
                                   .order_by(HonoursListSnapshot.version)))


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
    """Freeze the campaign's final list as its version 1; afterwards it is exported from this snapshot, byte for byte
    alike. Dossiers still waiting for a higher authority are on it, in their section; those waiting for the union's
    own decision are not, so they hold it back.

    The invitation to the ceremony for each awardee is written in the same transaction.
    """
    campaign = campaign_by_code(campaign_code)
    require(actor, "finalise_honours_list")
    _lock(campaign)
    if snapshot_for(campaign) is not None:
        raise InvalidTransition(Msg(N_("The honours list of “%(campaign)s” is already final."),
                                    {"campaign": campaign.name}))
    failures = []
    undecided = db.session.scalar(select(db.func.count(Dossier.id)).where(
        Dossier.campaign_id == campaign.id, in_states(PROVISIONAL), ~in_states(LISTED), ~in_states(PENDING)))
    if undecided:
        failures.append(RuleFailure("decisions_pending", Msg(
            N_("%(count)d approved dossiers still await a decision; record them before finalising."),
            {"count": undecided})))
    now = utcnow().replace(microsecond=0)
    data = build_list_data(campaign, LISTED, now)
    if not data["groups"]:
        failures.append(RuleFailure("list_empty", Msg(N_("No dossier of this campaign has been conferred yet."))))
    if failures:
        raise GuardFailed(failures)
    snapshot = _freeze(campaign, actor, HonoursList(
        data=data, campaign_name=campaign.name, organisation=organisation_name(), place=place,
        issued_on=now.astimezone(VIETNAM).date(), generated_at=now, version=1))
    send_invitations(campaign)
    return snapshot


def _lock(campaign: Campaign) -> None:
    """One finalisation or amendment of a campaign's list at a time, even when two requests race: the campaign row
    is the lock."""
    db.session.execute(select(Campaign.id).where(Campaign.id == campaign.id).with_for_update())


def _freeze(campaign: Campaign, actor: User, document: HonoursList) -> HonoursListSnapshot:
    content = canonical_json(document.to_snapshot())
    snapshot = HonoursListSnapshot(campaign=campaign, version=document.version, content=content,
                                   previous_sha256=document.previous_sha256, finalised_at=document.generated_at,
                                   finalised_by_id=actor.id, sha256=hashlib.sha256(content.encode()).hexdigest())
    db.session.add(snapshot)
    db.session.flush()
    return snapshot


# The amendment each campaign's list received in the session's current transaction: (transaction, snapshot id).
AMENDED_IN_TRANSACTION = "honours_list_amendments"


def amend_honours_list(actor: User, dossier: Dossier) -> HonoursListSnapshot | None:
    """The amendment a step on `dossier` makes, which moved it out of a state a finalised list shows (its
    procedure's `listed_states`): the next version of the list, rebuilt for the dossiers the version before held,
    with what changed. Steps of one transaction (a batch answer) make one amendment together. Nothing when the
    campaign's list is not final or does not show the dossier."""
    campaign = dossier.campaign
    _lock(campaign)
    latest = snapshot_for(campaign)
    if latest is None:
        return None
    shown = snapshot_list(latest)
    if dossier.id not in shown.dossier_sections():
        return None
    amended = db.session.info.setdefault(AMENDED_IN_TRANSACTION, {})
    transaction, amended_id = amended.get(campaign.id, (None, None))
    if transaction is db.session().get_transaction() and amended_id == latest.id:
        base = db.session.scalar(select(HonoursListSnapshot).where(
            HonoursListSnapshot.campaign_id == campaign.id, HonoursListSnapshot.version == latest.version - 1))
        earlier = snapshot_list(base)
        db.session.delete(latest)
        db.session.flush()
    else:
        base, earlier = latest, shown
    now = utcnow().replace(microsecond=0)
    data = build_list_data(campaign, LISTED, now, only={*shown.dossier_sections(), dossier.id})
    document = HonoursList(data=data, campaign_name=earlier.campaign_name, organisation=earlier.organisation,
                           place=earlier.place, issued_on=now.astimezone(VIETNAM).date(), generated_at=now,
                           version=base.version + 1, previous_sha256=base.sha256)
    snapshot = _freeze(campaign, actor, replace(document, changes=changes_between(earlier, document)))
    amended[campaign.id] = (db.session().get_transaction(), snapshot.id)
    if campaign.ceremony_date is None or campaign.ceremony_date >= today():
        # An awardee conferred by a late answer is invited as those of the first version were (once each).
        send_invitations(campaign)
    return snapshot


def changes_between(earlier: HonoursList, later: HonoursList) -> tuple[dict, ...]:
    """What `later` changes of `earlier`'s dossiers, in `earlier`'s order: each dossier whose section differs, with
    the change (CHANGE_BY_SECTION) and the decision that made it."""
    before, after = earlier.dossier_sections(), later.dossier_sections()
    changes = []
    for dossier_id, section in before.items():
        if after.get(dossier_id) == section or after.get(dossier_id) not in CHANGE_BY_SECTION:
            continue
        group, item = later.item_of(dossier_id) or earlier.item_of(dossier_id)
        decision = item.get("revocation") or {"number": item["decision_number"], "date": item["decision_date"]}
        changes.append({"dossier": dossier_id, "change": CHANGE_BY_SECTION[after.get(dossier_id)],
                        "nominee_name": item["nominee_name"], "unit": item["unit"], "unit_name": item["unit_name"],
                        "award_name": group["award_name"],
                        "decision_number": decision["number"] if after.get(dossier_id) else None,
                        "decision_date": decision["date"] if after.get(dossier_id) else None})
    return tuple(changes)


def verify_versions(snapshots: list[HonoursListSnapshot]) -> list[str]:
    """What is wrong with a campaign's chain of versions (the first first), one line each; none when every version
    hashes to its stored hash and names the one before it."""
    faults = []
    previous = None
    for expected, snapshot in enumerate(snapshots, 1):
        content = json.loads(snapshot.content)
        if hashlib.sha256(snapshot.content.encode()).hexdigest() != snapshot.sha256:
            faults.append(f"version {snapshot.version}: its content does not match its hash")
        if snapshot.version != expected or content.get("version", 1) != expected:
            faults.append(f"version {snapshot.version}: expected version {expected}")
        link = previous.sha256 if previous is not None else None
        if snapshot.previous_sha256 != link or content.get("previous_sha256") != link:
            faults.append(f"version {snapshot.version}: does not name the hash of the version before")
        previous = snapshot
    return faults


def read_list_versions(actor: User, campaign_code: str) -> tuple[Campaign, list[HonoursListSnapshot]]:
    campaign = campaign_by_code(campaign_code)
    require(actor, "read_honours_list")
    return campaign, snapshot_versions(campaign)


def read_list_version(actor: User, campaign_code: str, version: int) -> HonoursList:
    """Version `version` of the campaign's finalised list, as it was frozen."""
    campaign = campaign_by_code(campaign_code)
    require(actor, "read_honours_list")
    snapshot = db.session.scalar(select(HonoursListSnapshot).where(
        HonoursListSnapshot.campaign_id == campaign.id, HonoursListSnapshot.version == version))
    if snapshot is None:
        raise NotFound(Msg(N_("The honours list of “%(campaign)s” has no version %(version)d."),
                           {"campaign": campaign.name, "version": version}))
    return snapshot_list(snapshot)
