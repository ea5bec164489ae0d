"""Unit packets (DOMAIN.md, "Unit packet"): the documents a unit uploads once per campaign for all its dossiers,
its submission of every draft at once, and the office's acceptance of the whole packet.

Which steps submit, accept and return is the procedure's business: the steps its file declares for the batches
`unit_packet`, `packet_acceptance` and `packet_return`. They are taken through `batch.fire_all`: all or nothing, a
history row per dossier.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from workflow import operations
from workflow.batch import fire_all
from workflow.documents import DocumentStore
from workflow.errors import InvalidTransition, NotFound, ValidationFailed
from workflow.i18n import N_, Msg
from workflow.models import Campaign, Dossier, PacketDocument, Unit, User, db, row_or_none
from workflow.permissions import (
    holds, require, require_may_change_packet, require_may_see_packet, takes, visible_dossiers,
)
from workflow.procedure import Procedure, Step, catalogue
from workflow.rules import DOCUMENT_KINDS, PACKET_KINDS, missing_documents


@dataclass(frozen=True)
class Packet:
    campaign: Campaign
    unit: Unit


def get_packet(actor: User, campaign_code: str, unit_code: str) -> Packet:
    """The packet of the unit for the campaign, if the actor may see it (another unit's does not exist for them)."""
    campaign = db.session.scalar(select(Campaign).where(Campaign.code == campaign_code))
    unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
    if campaign is None or unit is None:
        raise NotFound(Msg(N_("No such unit packet.")))
    require_may_see_packet(actor, unit)
    return Packet(campaign, unit)


# The steps ----------------------------------------------------------------------------------------

def submission_step(procedure: Procedure) -> Step | None:
    """The unit's step that submits its packet."""
    return procedure.batch_step("unit_packet")


def submitted_state(procedure: Procedure) -> str | None:
    step = submission_step(procedure)
    return step.dest if step is not None else None


def acceptance_step(procedure: Procedure, actor: User) -> Step | None:
    """The step accepting a submitted packet whole, if the actor takes it."""
    step = procedure.batch_step("packet_acceptance")
    return step if step is not None and takes(actor, step) else None


def return_step(procedure: Procedure, actor: User) -> Step | None:
    """The step giving one dossier of a submitted packet back to the unit, if the actor takes it."""
    step = procedure.batch_step("packet_return")
    return step if step is not None and takes(actor, step) else None


def submission_of(dossier: Dossier) -> Step | None:
    """The submission step, for a dossier in its procedure's initial state."""
    procedure = operations.procedure_of(dossier)
    return submission_step(procedure) if dossier.state == procedure.initial else None


def _acceptance_of(actor: User):
    def step_of(dossier: Dossier) -> Step | None:
        procedure = operations.procedure_of(dossier)
        return acceptance_step(procedure, actor) if dossier.state == submitted_state(procedure) else None
    return step_of


# Reading ----------------------------------------------------------------------------------------

def packet_dossiers(actor: User, packet: Packet) -> list[Dossier]:
    """The packet's dossiers the actor sees, by award type and name."""
    return list(db.session.scalars(visible_dossiers(actor).where(
        Dossier.unit_id == packet.unit.id, Dossier.campaign_id == packet.campaign.id)
        .order_by(Dossier.award_type_id, Dossier.nominee_name_key, Dossier.id)))


def packet_documents(packet: Packet) -> list[PacketDocument]:
    return list(db.session.scalars(select(PacketDocument).where(
        PacketDocument.unit_id == packet.unit.id, PacketDocument.campaign_id == packet.campaign.id)
        .order_by(PacketDocument.id)))


def get_packet_document(packet: Packet, document_id: int) -> PacketDocument:
    document = row_or_none(PacketDocument, document_id)
    if document is None or (document.unit_id, document.campaign_id) != (packet.unit.id, packet.campaign.id):
        raise NotFound(Msg(N_("No such document.")))
    return document


@dataclass(frozen=True)
class PacketEntry:
    dossier: Dossier
    missing: list[str]
    waiting: bool  # submitted, waiting for the office's acceptance


def packet_entries(actor: User, packet: Packet) -> list[PacketEntry]:
    """Each dossier of the packet with the required documents neither it nor the packet holds."""
    entries = []
    for dossier in packet_dossiers(actor, packet):
        procedure = operations.procedure_of(dossier)
        entries.append(PacketEntry(dossier, missing_documents(dossier), dossier.state == submitted_state(procedure)))
    return entries


@dataclass(frozen=True)
class PacketSummary:
    campaign: Campaign
    unit: Unit
    dossiers: int
    waiting: int


def packet_summaries(actor: User) -> list[PacketSummary]:
    """Each unit × campaign with dossiers the actor sees (a submitter: their unit's), how many, and how many wait
    for acceptance."""
    if not holds(actor, "nominate"):
        require(actor, "see_packets")
    visible = visible_dossiers(actor).subquery()
    rows = db.session.execute(
        select(visible.c.campaign_id, visible.c.unit_id, visible.c.procedure, visible.c.procedure_version,
               visible.c.state, func.count())
        .group_by(visible.c.campaign_id, visible.c.unit_id, visible.c.procedure, visible.c.procedure_version,
                  visible.c.state))
    counts: dict[tuple[int, int], list[int]] = {}
    for campaign_id, unit_id, code, version, state, count in rows:
        procedure = catalogue().get(code, version)
        total = counts.setdefault((campaign_id, unit_id), [0, 0])
        total[0] += count
        total[1] += count if state == submitted_state(procedure) else 0
    campaigns = {c.id: c for c in db.session.scalars(select(Campaign).where(
        Campaign.id.in_({key[0] for key in counts})))}
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_({key[1] for key in counts})))}
    summaries = [PacketSummary(campaigns[c], units[u], total, waiting) for (c, u), (total, waiting) in counts.items()]
    return sorted(summaries, key=lambda s: (-s.campaign.year, s.campaign.code, s.unit.sort_order, s.unit.name))


# Changing -----------------------------------------------------------------------------------------

def closed_to_documents(actor: User, packet: Packet) -> list[dict]:
    """Why the packet takes no new document now: its campaign is closed, or every one of its dossiers has left the
    states in which a dossier is still changed (a shared document would change dossiers already under review).
    A packet without dossiers yet takes documents."""
    if not packet.campaign.is_open:
        return [{"field": "campaign", "message": Msg(N_("The campaign “%(campaign)s” is closed."),
                                                     {"campaign": packet.campaign.name})}]
    dossiers = packet_dossiers(actor, packet)
    if dossiers and not any(d.state in operations.procedure_of(d).editable_states for d in dossiers):
        return [{"field": "packet", "message": Msg(N_(
            "No dossier of the packet can still be changed: the packet takes no more documents."))}]
    return []


def add_packet_document(actor: User, packet: Packet, kind: str, filename: str, data: bytes,
                        store: DocumentStore) -> PacketDocument:
    """Add a shared document to the packet, judged like a dossier's (size, type by content, active content)."""
    require_may_change_packet(actor, packet.unit)
    if refusals := closed_to_documents(actor, packet):
        raise ValidationFailed(details=refusals)
    if kind not in PACKET_KINDS:
        raise ValidationFailed(details=[{"field": "kind", "message": Msg(
            N_("A unit packet holds only these kinds of document: %(kinds)s."),
            {"kinds": [Msg(DOCUMENT_KINDS[k]) for k in PACKET_KINDS]})}])
    if len(packet_documents(packet)) >= store.max_per_dossier:
        raise ValidationFailed(details=[{"field": "file", "message": Msg(
            N_("A unit packet holds at most %(limit)d documents."), {"limit": store.max_per_dossier})}])
    covered = _covered_dossiers(packet)
    stored = store.save(db.session, filename, data)
    document = PacketDocument(unit_id=packet.unit.id, campaign_id=packet.campaign.id, kind=kind,
                              filename=stored.filename, storage_name=stored.storage_name,
                              content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
                              uploaded_by_id=actor.id)
    db.session.add(document)
    db.session.flush()
    _record_on_dossiers(actor, covered, "add_packet_document", document)
    return document


def remove_packet_document(actor: User, packet: Packet, document_id: int, store: DocumentStore) -> None:
    """Remove a shared document while the packet's dossiers are editable: once one of them is submitted, the document
    stands in its checklist (dossiers withdrawn or refused do not count)."""
    get_packet_document(packet, document_id)
    require_may_change_packet(actor, packet.unit)
    # A concurrent removal waits here and finds the document gone; a submission waits for the dossiers' rows.
    document = db.session.scalar(select(PacketDocument).where(PacketDocument.id == document_id).with_for_update()
                                 .execution_options(populate_existing=True))
    if document is None:
        raise NotFound(Msg(N_("No such document.")))
    covered = _covered_dossiers(packet)
    submitted = _submitted(covered)
    if submitted:
        raise InvalidTransition(
            Msg(N_("The packet's documents can be removed only while its dossiers are drafts or returned.")),
            details=[{"dossier": d.id, "rule": "invalid_transition", "message": Msg(
                N_("“%(name)s” is “%(state)s”."), {"name": d.nominee_name, "state": Msg(
                    operations.procedure_of(d).state_label(d.state))})} for d in submitted])
    db.session.delete(document)
    db.session.flush()
    store.discard_after_commit(db.session, document.storage_name)
    _record_on_dossiers(actor, covered, "remove_packet_document", document)


def documents_removable(packet: Packet) -> bool:
    """Whether the packet's documents may be removed: none of its dossiers is submitted yet."""
    return not _submitted(db.session.scalars(select(Dossier).where(
        Dossier.unit_id == packet.unit.id, Dossier.campaign_id == packet.campaign.id)))


def _submitted(dossiers) -> list[Dossier]:
    """The dossiers neither editable nor ended (withdrawn, refused), whose checklists count the packet's documents."""
    return [d for d in dossiers if d.state not in operations.procedure_of(d).editable_states
            and d.state not in operations.procedure_of(d).dead_states]


def _covered_dossiers(packet: Packet) -> list[Dossier]:
    """Every dossier of the unit in the campaign, whoever sees it, locked and read afresh: a change to the packet
    changes each of their checklists."""
    return list(db.session.scalars(
        select(Dossier).where(Dossier.unit_id == packet.unit.id, Dossier.campaign_id == packet.campaign.id)
        .order_by(Dossier.id).with_for_update(of=Dossier).execution_options(populate_existing=True)))


def _record_on_dossiers(actor: User, dossiers: list[Dossier], event: str, document: PacketDocument) -> None:
    """A history row on each editable dossier (the others' checklists were judged at their submission), naming the
    packet document, so that a dossier's history shows where its documents came from."""
    details = {"packet_document": document.id, "kind": document.kind, "filename": document.filename,
               "sha256": document.sha256}
    for dossier in dossiers:
        if dossier.state in operations.procedure_of(dossier).editable_states:
            operations.write_change(actor, dossier, event, dossier.state, {}, details)


def submit_packet(actor: User, packet: Packet) -> list[Dossier]:
    """Submit every draft of the packet, or none: BatchRefused names each dossier refused and its rules."""
    require_may_change_packet(actor, packet.unit)
    drafts = [d.id for d in packet_dossiers(actor, packet) if submission_of(d) is not None]
    if not drafts:
        raise ValidationFailed(details=[{"field": "packet", "message": Msg(N_("The packet has no draft to submit."))}])
    return fire_all(actor, drafts, submission_of, N_("“%(name)s” cannot be submitted while it is “%(state)s”."))


def accept_packet(actor: User, packet: Packet) -> list[Dossier]:
    """Accept every submitted dossier of the packet, or none (the office)."""
    require(actor, "see_packets")
    step_of = _acceptance_of(actor)
    waiting = [e.dossier.id for e in packet_entries(actor, packet) if e.waiting]
    if not waiting:
        raise ValidationFailed(details=[{"field": "packet", "message": Msg(
            N_("No dossier of the packet is waiting to be accepted."))}])
    return fire_all(actor, waiting, step_of, N_("“%(name)s” cannot be accepted while it is “%(state)s”."))
