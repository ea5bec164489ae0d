"""Steps taken on many dossiers at once (DOMAIN.md, "The round as the office runs it"): all or nothing.

Each dossier moves by its own procedure's step, through `operations.fire_event` (one history row each, its
notices); if any is refused, `BatchRefused` names every refused dossier and why (a rule code), and the caller's
single rollback undoes the others. Which step a batch takes is the caller's question, answered from the procedure.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from workflow import operations
from workflow.errors import BatchRefused, GuardFailed, ValidationFailed, WorkflowError
from workflow.i18n import N_, Msg
from workflow.models import Dossier, User
from workflow.permissions import may_fire, require
from workflow.procedure import Step


def fire_all(actor: User, dossier_ids: Iterable[int], step_of: Callable[[Dossier], Step | None], cannot: str,
             inputs: Callable[[Dossier, Step], operations.EventInput] | None = None,
             field: str = "dossier_ids") -> list[Dossier]:
    """Take, on every dossier of `dossier_ids`, the step `step_of` picks from where it is, or take none.

    `cannot` is the (translatable) refusal for a dossier with no such step, or whose step the actor may not take:
    it gets %(name)s and %(state)s. `inputs` gives the step's inputs per dossier.
    """
    ids = list(dict.fromkeys(dossier_ids))
    if not ids:
        raise ValidationFailed(details=[{"field": field, "message": Msg(N_("Choose at least one dossier."))}])
    moved, refusals = [], []
    for dossier_id in ids:
        name = f"#{dossier_id}"
        try:
            dossier = operations.get_dossier(actor, dossier_id)
            name = dossier.nominee_name
            step = step_of(dossier)
            if step is None or not may_fire(actor, step, dossier):
                state = Msg(operations.procedure_of(dossier).state_label(dossier.state))
                refusals.append((dossier_id, "invalid_transition", Msg(cannot, {"name": name, "state": state})))
                continue
            data = inputs(dossier, step) if inputs else operations.EventInput()
            moved.append(operations.fire_event(actor, dossier, step.event, dossier.version, data))
        except GuardFailed as error:
            refusals.extend((dossier_id, failure.rule, naming(name, failure.message)) for failure in error.failures)
        except WorkflowError as error:
            refusals.append((dossier_id, error.code, naming(name, error.message)))
    if refusals:
        raise BatchRefused(details=[{"field": field, "dossier": dossier_id, "rule": rule, "message": message}
                                    for dossier_id, rule, message in refusals])
    return moved


def fire_event_on_all(actor: User, dossier_ids: Iterable[int], event: str) -> list[Dossier]:
    """The dossier list's bulk action: `event` on every dossier of `dossier_ids`, each by its procedure's step for
    that event from where it is, or on none."""
    require(actor, "act_in_bulk")

    def step_of(dossier: Dossier) -> Step | None:
        return operations.procedure_of(dossier).step_by_event_and_source.get((event, dossier.state))
    return fire_all(actor, dossier_ids, step_of, N_("“%(name)s” cannot take this action while it is “%(state)s”."),
                    field="dossier")


def naming(name: str, message: Msg) -> Msg:
    """A refusal in a batch, saying which dossier it is about."""
    return Msg(N_("%(name)s: %(reason)s"), {"name": name, "reason": message})
