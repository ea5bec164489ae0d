"""Forwarding to a higher authority (DOMAIN.md "Forwarding"): the office sends several approved dossiers at once with
the union's letter (tờ trình: number, date, signer) to the authority that confers their award, and records that
authority's answer once: its decision confers the dossiers it names, the others are declined with its text.

The steps are the procedures' business: the one each declares for the batch `forwarding` sends a dossier, the one
for `decision` confers it, the one for `forwarding_refusal` declines it; all are taken through `batch.fire_all`
(all or nothing, one history row per dossier).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from workflow import operations
from workflow.batch import fire_all
from workflow.decisions import decision_step, letter_field_errors, load_dossiers, number_taken
from workflow.errors import BatchRefused, InvalidTransition, NotFound, ValidationFailed
from workflow.i18n import N_, Msg
from workflow.models import (
    AwardType, Decision, DecisionItem, DecisionStatus, Dossier, Forwarding, ForwardingItem, ForwardingOutcome, Issuer,
    Unit, User, db, row_or_none, utcnow,
)
from workflow.permissions import require, visible_dossiers
from workflow.procedure import Step, catalogue

MAX_DOSSIERS = 2000
ANSWER_LENGTH = 4000
FIELDS = {"number": N_("The letter's number is required."), "sent_on": N_("The letter's date is required."),
          "signer_name": N_("The signer's name is required."), "signer_title": N_("The signer's title is required."),
          "authority": N_("Choose the higher authority.")}
ANSWER_FIELDS = {"decision_number": N_("The decision number is required."),
                 "decided_on": N_("The decision date is required."),
                 "signer_name": N_("The signer's name is required."),
                 "signer_title": N_("The signer's title is required.")}


def forwarding_step(dossier: Dossier) -> Step | None:
    return operations.procedure_of(dossier).batch_step("forwarding", dossier.state)


def refusal_step(dossier: Dossier) -> Step | None:
    return operations.procedure_of(dossier).batch_step("forwarding_refusal", dossier.state)


def _forwardable_states() -> list[str]:
    return sorted({step.source for procedure in catalogue() for step in procedure.steps if step.batch == "forwarding"})


def forwardable_dossiers(actor: User, award_type_code: str | None = None, unit_code: str | None = None
                         ) -> list[Dossier]:
    """The dossiers a new forwarding may send: approved, of an award type a higher authority confers; of one award
    type and one unit if given. By award type, unit and name."""
    require(actor, "forward_dossiers")
    query = (visible_dossiers(actor).where(Dossier.state.in_(_forwardable_states()))
             .join(AwardType, Dossier.award_type_id == AwardType.id).join(Unit, Dossier.unit_id == Unit.id)
             .where(AwardType.forwarded.is_(True))
             .order_by(AwardType.rank, AwardType.id, Unit.sort_order, Unit.id, Dossier.nominee_name_key, Dossier.id))
    if award_type_code:
        query = query.where(AwardType.code == award_type_code)
    if unit_code:
        query = query.where(Unit.code == unit_code)
    return [dossier for dossier in db.session.scalars(query) if forwarding_step(dossier) is not None]


def _chosen(ids: list[int], errors: list[dict], field: str = "dossier_ids", empty_ok: bool = False) -> list[int]:
    ids = list(dict.fromkeys(ids))
    if not ids and not empty_ok:
        errors.append({"field": field, "message": Msg(N_("Choose at least one dossier."))})
    elif len(ids) > MAX_DOSSIERS:
        errors.append({"field": field, "message": Msg(N_("At most %(limit)d dossiers."), {"limit": MAX_DOSSIERS})})
    return ids


def forward_dossiers(actor: User, data: dict, dossier_ids: list[int]) -> Forwarding:
    """Send the dossiers of `dossier_ids` to the higher authority `authority` (an issuer's code) with the letter
    (`number`, unique; `sent_on`; `signer_name`, `signer_title`), all or none: each must be of an award type that
    authority confers, and take its procedure's forwarding step."""
    require(actor, "forward_dossiers")
    errors = letter_field_errors(data, FIELDS)
    number = (data.get("number") or "").strip()
    authority = None
    if data.get("authority"):
        authority = db.session.scalar(select(Issuer).where(Issuer.code == str(data["authority"])))
        if authority is None:
            errors.append({"field": "authority", "message": Msg(N_("No such issuer."))})
    if number and db.session.scalar(select(Forwarding.id).where(Forwarding.number == number)) is not None:
        errors.append(_letter_taken(number))
    ids = _chosen(dossier_ids, errors)
    if errors:
        raise ValidationFailed(details=errors)
    refusals = []
    for dossier in load_dossiers(ids):
        if dossier.award_type.issuer_id != authority.id:
            refusals.append({"field": "dossier_ids", "dossier": dossier.id, "rule": "issuer_mismatch", "message": Msg(
                N_("“%(name)s”: %(award)s is conferred by %(issuer)s."), {
                    "name": dossier.nominee_name, "award": dossier.award_type.name,
                    "issuer": dossier.award_type.issuer.name})})
    if refusals:
        raise BatchRefused(details=refusals)
    moved = fire_all(actor, ids, forwarding_step, N_("“%(name)s” cannot be forwarded while it is “%(state)s”."))
    forwarding = Forwarding(number=number, sent_on=data["sent_on"], signer_name=data["signer_name"].strip(),
                            signer_title=data["signer_title"].strip(), authority=authority, created_by_id=actor.id,
                            items=[ForwardingItem(dossier=dossier) for dossier in moved])
    try:
        with db.session.begin_nested():
            db.session.add(forwarding)
            db.session.flush()
    except IntegrityError:
        # Another request took the number between the check and the write.
        raise ValidationFailed(details=[_letter_taken(number)]) from None
    return forwarding


def _letter_taken(number: str) -> dict:
    return {"field": "number", "message": Msg(N_("A forwarding letter numbered “%(number)s” already exists."),
                                              {"number": number})}


def get_forwarding(actor: User, forwarding_id: int) -> Forwarding:
    require(actor, "forward_dossiers")
    forwarding = row_or_none(Forwarding, forwarding_id)
    if forwarding is None:
        raise NotFound(Msg(N_("No such forwarding.")))
    return forwarding


def forwardings(actor: User) -> list[Forwarding]:
    """Every forwarding, the latest first."""
    require(actor, "forward_dossiers")
    return list(db.session.scalars(select(Forwarding).order_by(Forwarding.sent_on.desc(), Forwarding.id.desc())))


def awaiting_items(forwarding: Forwarding) -> list[ForwardingItem]:
    """The dossiers of the forwarding still waiting for the answer (one decided meanwhile by itself is not)."""
    if forwarding.is_answered:
        return []
    return [item for item in forwarding.items
            if decision_step(item.dossier) is not None and refusal_step(item.dossier) is not None]


def answer_forwarding(actor: User, forwarding: Forwarding, data: dict, conferred_ids: list[int]) -> Forwarding:
    """Record the authority's answer, once: its decision (`decision_number`, unique among decisions; `decided_on`;
    `signer_name`, `signer_title`) confers the dossiers of `conferred_ids`; every other dossier still waiting is
    declined with `answer_text`. All or nothing, a reason per dossier refused."""
    require(actor, "forward_dossiers")
    # A second answer waits for the first and finds the forwarding answered.
    db.session.execute(select(Forwarding.id).where(Forwarding.id == forwarding.id).with_for_update())
    db.session.refresh(forwarding, ["answered_at"])
    if forwarding.is_answered:
        raise InvalidTransition(Msg(N_("The answer to the letter “%(number)s” is already recorded."),
                                    {"number": forwarding.number}))
    errors = []
    conferred = _chosen(conferred_ids, errors, "conferred_ids", empty_ok=True)
    _held = load_dossiers([item.dossier_id for item in forwarding.items], lock=True)
    waiting = {item.dossier_id: item for item in awaiting_items(forwarding)}
    declined = [dossier_id for dossier_id in waiting if dossier_id not in conferred]
    text = (data.get("answer_text") or "").strip()
    number = (data.get("decision_number") or "").strip()
    if not waiting:
        errors.append({"field": "conferred_ids", "message": Msg(N_("No dossier of this letter is still waiting for "
                                                                   "the answer."))})
    for dossier_id in conferred:
        if dossier_id not in waiting:
            errors.append({"field": "conferred_ids", "dossier": dossier_id, "message": Msg(
                N_("Dossier #%(id)s is not waiting for this letter's answer."), {"id": dossier_id})})
    if conferred:
        errors += letter_field_errors(data, ANSWER_FIELDS, field="decision_number")
        if number and db.session.scalar(select(Decision.id).where(Decision.number == number)) is not None:
            errors.append(number_taken(number, "decision_number"))
    if declined and not text:
        errors.append({"field": "answer_text", "message": Msg(N_("Write the authority's answer for the dossiers it "
                                                                 "does not confer."))})
    elif len(text) > ANSWER_LENGTH:
        errors.append({"field": "answer_text", "message": Msg(N_("At most %(limit)d characters."),
                                                              {"limit": ANSWER_LENGTH})})
    if errors:
        raise ValidationFailed(details=errors)
    confers = set(conferred)
    decision_inputs = operations.EventInput(decision_number=number, decision_date=data.get("decided_on"))
    refusal_inputs = operations.EventInput(comment=text)
    if conferred:
        # Before the steps, for an amendment of a final list that they make to name the issuer.
        forwarding.decision = _answer_decision(actor, forwarding, data, number, conferred)
    fire_all(actor, conferred + declined, lambda d: decision_step(d) if d.id in confers else refusal_step(d),
             N_("“%(name)s” cannot take the answer while it is “%(state)s”."),
             lambda d, _step: decision_inputs if d.id in confers else refusal_inputs, field="conferred_ids")
    for dossier_id in conferred:
        waiting[dossier_id].outcome = ForwardingOutcome.GRANTED
    for dossier_id in declined:
        waiting[dossier_id].outcome = ForwardingOutcome.REFUSED
    forwarding.answer_text, forwarding.answered_at, forwarding.answered_by_id = text, utcnow(), actor.id
    db.session.flush()
    return forwarding


def _answer_decision(actor: User, forwarding: Forwarding, data: dict, number: str, ids: list[int]) -> Decision:
    """The authority's decision, recorded as it came (it is signed already)."""
    now = utcnow()
    decision = Decision(number=number, decided_on=data["decided_on"], signer_name=data["signer_name"].strip(),
                        signer_title=data["signer_title"].strip(), issuer=forwarding.authority,
                        status=DecisionStatus.RECORDED, drafted_by_id=actor.id, drafted_at=now, recorded_at=now,
                        recorded_by_id=actor.id, items=[DecisionItem(dossier_id=dossier_id) for dossier_id in ids])
    try:
        with db.session.begin_nested():
            db.session.add(decision)
            db.session.flush()
    except IntegrityError:
        raise ValidationFailed(details=[number_taken(number, "decision_number")]) from None
    return decision


def forwarding_of(dossier: Dossier) -> ForwardingItem | None:
    """Where the dossier was last sent, and what came back."""
    return db.session.scalar(select(ForwardingItem).where(ForwardingItem.dossier_id == dossier.id)
                             .order_by(ForwardingItem.id.desc()).limit(1))

