"""Award decisions (DOMAIN.md, "The round as the office runs it", Decision): the office drafts one from the dossiers
waiting for a decision, prints the draft, uploads the signed copy and records it; recording confers every dossier it
lists at once.

Which step confers is the procedures' business: the step each declares for the batch `decision`, taken through
`batch.fire_all` (all or nothing, one history row per dossier) with the decision's number and date as its inputs.
"""
from __future__ import annotations

from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from workflow import operations
from workflow.batch import fire_all
from workflow.documents import PDF, DocumentStore
from workflow.errors import BatchRefused, InvalidTransition, NotFound, UnsupportedMedia, ValidationFailed
from workflow.i18n import N_, Msg
from workflow.models import (
    AwardType, Decision, DecisionItem, DecisionStatus, Dossier, Issuer, Unit, User, db, row_or_none, utcnow,
)
from workflow.permissions import require, visible_dossiers
from workflow.procedure import Step, catalogue

NUMBER_LENGTH = Decision.__table__.c.number.type.length
TEXT_LENGTH = 255
MAX_DOSSIERS = 2000
FIELDS = {"number": N_("The decision number is required."), "decided_on": N_("The decision date is required."),
          "signer_name": N_("The signer's name is required."), "signer_title": N_("The signer's title is required."),
          "issuer": N_("Choose who issues the decision.")}


def decision_step(dossier: Dossier) -> Step | None:
    """The step a recorded decision takes on the dossier from where it is."""
    return operations.procedure_of(dossier).batch_step("decision", dossier.state)


def _waiting_states() -> list[str]:
    """Every state some procedure's decision step leaves."""
    return sorted({step.source for procedure in catalogue() for step in procedure.steps if step.batch == "decision"})


def _on_draft():
    return (select(DecisionItem.dossier_id).join(Decision)
            .where(Decision.status == DecisionStatus.PREPARED))


def waiting_dossiers(actor: User, award_type_code: str | None = None, unit_code: str | None = None) -> list[Dossier]:
    """The dossiers a new decision may list: waiting for one and on no other draft; of one award type and one unit if
    given. By award type, unit and name."""
    require(actor, "manage_decisions")
    query = (visible_dossiers(actor).where(Dossier.state.in_(_waiting_states()), Dossier.id.not_in(_on_draft()))
             .join(AwardType, Dossier.award_type_id == AwardType.id).join(Unit, Dossier.unit_id == Unit.id)
             .order_by(AwardType.rank, AwardType.id, Unit.sort_order, Unit.id, Dossier.nominee_name_key, Dossier.id))
    if award_type_code:
        query = query.where(AwardType.code == award_type_code)
    if unit_code:
        query = query.where(Unit.code == unit_code)
    return [dossier for dossier in db.session.scalars(query) if decision_step(dossier) is not None]


def letter_field_errors(data: dict, required: dict[str, str], field: str = "number") -> list[dict]:
    """What is missing or too long among the `required` fields (name: the message when missing) of a numbered
    administrative letter (a decision, a forwarding letter): its number `field` has NUMBER_LENGTH characters at
    most, other texts TEXT_LENGTH."""
    errors = []
    for name, missing in required.items():
        value = data.get(name)
        if isinstance(value, str):
            value = value.strip()
        limit = NUMBER_LENGTH if name == field else TEXT_LENGTH
        if not value:
            errors.append({"field": name, "message": Msg(missing)})
        elif isinstance(value, str) and len(value) > limit:
            errors.append({"field": name, "message": Msg(N_("At most %(limit)d characters."), {"limit": limit})})
    return errors


def number_taken(number: str, field: str = "number") -> dict:
    return {"field": field, "message": Msg(N_("A decision numbered “%(number)s” already exists."),
                                           {"number": number})}


def draft_decision(actor: User, data: dict, dossier_ids: list[int]) -> Decision:
    """A draft decision (number, date `decided_on`, signer's name and title, issuer's code) listing the dossiers of
    `dossier_ids`, all or none: each must wait for a decision, be on no other draft, and be of an award type the
    issuer confers. The number is unique: a number already used is refused beside its field."""
    require(actor, "manage_decisions")
    errors = letter_field_errors(data, FIELDS)
    number = (data.get("number") or "").strip()
    issuer = None
    if data.get("issuer"):
        issuer = db.session.scalar(select(Issuer).where(Issuer.code == str(data["issuer"])))
        if issuer is None:
            errors.append({"field": "issuer", "message": Msg(N_("No such issuer."))})
    if number and db.session.scalar(select(Decision.id).where(Decision.number == number)) is not None:
        errors.append(number_taken(number))
    ids = list(dict.fromkeys(dossier_ids))
    if not ids:
        errors.append({"field": "dossier_ids", "message": Msg(N_("Choose at least one dossier."))})
    elif len(ids) > MAX_DOSSIERS:
        errors.append({"field": "dossier_ids", "message": Msg(N_("At most %(limit)d dossiers."),
                                                              {"limit": MAX_DOSSIERS})})
    if errors:
        raise ValidationFailed(details=errors)
    listed, _loaded = {}, load_dossiers(ids)
    on_draft = dict(db.session.execute(select(DecisionItem.dossier_id, Decision.number).join(Decision).where(
        Decision.status == DecisionStatus.PREPARED, DecisionItem.dossier_id.in_(ids))).all())
    refusals = []
    for dossier_id in ids:
        try:
            dossier = operations.get_dossier(actor, dossier_id)
        except NotFound as error:
            refusals.append((dossier_id, error.code, error.message))
            continue
        name = dossier.nominee_name
        if decision_step(dossier) is None:
            state = Msg(operations.procedure_of(dossier).state_label(dossier.state))
            refusals.append((dossier_id, "invalid_transition", Msg(
                N_("“%(name)s” is not waiting for a decision: it is “%(state)s”."), {"name": name, "state": state})))
        elif dossier_id in on_draft:
            refusals.append((dossier_id, "on_draft_decision", Msg(
                N_("“%(name)s” is already listed in the draft decision “%(number)s”."),
                {"name": name, "number": on_draft[dossier_id]})))
        elif dossier.award_type.issuer_id != issuer.id:
            refusals.append((dossier_id, "issuer_mismatch", Msg(
                N_("“%(name)s”: %(award)s is conferred by %(issuer)s."),
                {"name": name, "award": dossier.award_type.name, "issuer": dossier.award_type.issuer.name})))
        else:
            listed[dossier_id] = dossier
    if refusals:
        raise BatchRefused(details=[{"field": "dossier_ids", "dossier": dossier_id, "rule": rule, "message": message}
                                    for dossier_id, rule, message in refusals])
    decision = Decision(number=number, decided_on=data["decided_on"], signer_name=data["signer_name"].strip(),
                        signer_title=data["signer_title"].strip(), issuer=issuer, drafted_by_id=actor.id,
                        items=[DecisionItem(dossier=dossier) for dossier in listed.values()])
    try:
        with db.session.begin_nested():
            db.session.add(decision)
            db.session.flush()
    except IntegrityError:
        # Another request took the number between the check and the write.
        raise ValidationFailed(details=[number_taken(number)]) from None
    return decision


def load_dossiers(ids: list[int], lock: bool = False) -> list[Dossier]:
    """Read the dossiers of `ids` in one statement (locked, in id order, if `lock`), for the one-by-one steps that
    follow to find them in the session: the caller holds the list, as the session holds its objects weakly."""
    query = (select(Dossier).where(Dossier.id.in_(ids)).options(*operations.DOCUMENTS_WHEN_USED)
             .execution_options(populate_existing=True))
    if lock:
        query = query.order_by(Dossier.id).with_for_update(of=Dossier)
    return list(db.session.scalars(query).unique())


def get_decision(actor: User, decision_id: int) -> Decision:
    require(actor, "manage_decisions")
    decision = row_or_none(Decision, decision_id)
    if decision is None:
        raise NotFound(Msg(N_("No such decision.")))
    return decision


def decision_of(dossier: Dossier) -> Decision | None:
    """The recorded decision that conferred the dossier, if a decision record did."""
    return db.session.scalar(select(Decision).join(DecisionItem).where(
        DecisionItem.dossier_id == dossier.id, Decision.status == DecisionStatus.RECORDED)
        .order_by(Decision.id.desc()).limit(1))


def decisions(actor: User) -> list[Decision]:
    """Every decision, the latest first."""
    require(actor, "manage_decisions")
    return list(db.session.scalars(select(Decision).order_by(Decision.decided_on.desc(), Decision.id.desc())))


def _require_draft(decision: Decision) -> None:
    if not decision.is_draft:
        raise InvalidTransition(Msg(N_("The decision “%(number)s” is already recorded."), {"number": decision.number}))


def attach_signed_copy(actor: User, decision: Decision, filename: str, data: bytes | BinaryIO,
                       store: DocumentStore) -> Decision:
    """Keep the signed decision (a PDF, judged like any document) in place of any copy uploaded before."""
    require(actor, "manage_decisions")
    _require_draft(decision)
    stored = store.save(db.session, filename, data)
    if stored.content_type != PDF.content_type:
        raise UnsupportedMedia(Msg(N_("The signed decision is uploaded as a PDF.")))
    if decision.signed_storage_name:
        store.discard_after_commit(db.session, decision.signed_storage_name)
    decision.signed_filename, decision.signed_storage_name = stored.filename, stored.storage_name
    decision.signed_size, decision.signed_sha256 = stored.size, stored.sha256
    decision.signed_uploaded_at = utcnow()
    db.session.flush()
    return decision


def cancel_decision(actor: User, decision: Decision, store: DocumentStore) -> None:
    """Drop a draft decision (a mistaken one holds its dossiers back from any other draft): its dossiers are offered
    again, its signed copy, if uploaded, goes once the removal commits. A recorded decision stays."""
    require(actor, "manage_decisions")
    db.session.execute(select(Decision.id).where(Decision.id == decision.id).with_for_update())
    db.session.refresh(decision, ["status"])
    _require_draft(decision)
    if decision.signed_storage_name:
        store.discard_after_commit(db.session, decision.signed_storage_name)
    db.session.delete(decision)
    db.session.flush()


def with_signed_copy(decision: Decision) -> Decision:
    """The decision, if its signed copy is uploaded."""
    if not decision.signed_storage_name:
        raise NotFound(Msg(N_("The signed decision has not been uploaded yet.")))
    return decision


def record_decision(actor: User, decision: Decision) -> list[Dossier]:
    """Record the signed decision: every dossier it lists is conferred by its procedure's decision step, with the
    decision's number and date, or none is (BatchRefused, a reason per dossier)."""
    require(actor, "manage_decisions")
    # A second recording waits for the first and finds the decision recorded.
    db.session.execute(select(Decision.id).where(Decision.id == decision.id).with_for_update())
    db.session.refresh(decision, ["status", "signed_storage_name"])
    _require_draft(decision)
    if not decision.signed_storage_name:
        raise ValidationFailed(details=[{"field": "signed_pdf", "message": Msg(
            N_("Upload the signed decision before recording it."))}])
    inputs = operations.EventInput(decision_number=decision.number, decision_date=decision.decided_on)
    ids = list(db.session.scalars(select(DecisionItem.dossier_id).where(DecisionItem.decision_id == decision.id)
                                  .order_by(DecisionItem.id)))
    _loaded = load_dossiers(ids, lock=True)
    # Recorded before the steps, for an amendment of a final list that they make to name the issuer (a refusal
    # rolls it back with them).
    decision.status, decision.recorded_at, decision.recorded_by_id = DecisionStatus.RECORDED, utcnow(), actor.id
    db.session.flush()
    return fire_all(actor, ids, decision_step,
                    N_("“%(name)s” cannot be conferred while it is “%(state)s”."), lambda _dossier, _step: inputs)
