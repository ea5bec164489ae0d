"""The loaded procedures and the database: which dossiers are in a state of a kind (honoured, dead...) by their
own procedure, which procedure versions the database still needs (a version running dossiers move on
cannot be removed, nor can a procedure an award type follows), and which units the procedures need: those
their steps name as parties."""
from __future__ import annotations

from sqlalchemy import and_, false, func, inspect, or_, select

from workflow.models import AwardType, Dossier, Unit, db
from workflow.procedure import Catalogue, catalogue


def in_states(attribute: str, state=Dossier.state, procedure=Dossier.procedure):
    """Whether a dossier is in one of its procedure's `attribute` states ("honoured_states", "dead_states",
    "due_states"...), as a condition on its `state` and `procedure` columns."""
    loaded = catalogue()
    return or_(false(), *(and_(procedure == code, state.in_(sorted(states))) for code in loaded.latest
                          if (states := loaded.states_of(code, attribute))))


def missing_procedures(loaded: Catalogue) -> list[str]:
    """What the database needs that `loaded` lacks, one line each; none before the schema has the columns."""
    columns = {column["name"] for column in inspect(db.engine).get_columns("dossiers")} \
        if inspect(db.engine).has_table("dossiers") else set()
    if "procedure_version" not in columns:
        return []  # not migrated yet: `flask db upgrade` comes after the start
    faults = []
    rows = db.session.execute(select(Dossier.procedure, Dossier.procedure_version, Dossier.state, func.count())
                              .group_by(Dossier.procedure, Dossier.procedure_version, Dossier.state)).all()
    running: dict[tuple[str, int], int] = {}
    for code, version, state, count in rows:
        if (code, version) in loaded.by_key:
            continue
        # The version's own file is gone: a state final in any loaded version of the procedure counts as final.
        finals = {final for procedure in loaded if procedure.code == code for final in procedure.final_states}
        if state not in finals:
            running[(code, version)] = running.get((code, version), 0) + count
    for (code, version), count in sorted(running.items()):
        faults.append(f"{code} v{version} is still used by {count} running dossier{'s' if count != 1 else ''}; "
                      "keep its file until they finish")
    for code in sorted(set(db.session.scalars(select(AwardType.procedure).distinct())) - set(loaded.latest)):
        faults.append(f"the award types following '{code}' need its file")
    faults.extend(unknown_parties(loaded))
    db.session.rollback()
    return faults


def unknown_parties(loaded: Catalogue) -> list[str]:
    """The units the procedures' steps name as parties that the database does not have, one line each; none
    before the units are loaded (`flask seed` comes after the first start)."""
    units = set(db.session.scalars(select(Unit.code)))
    if not units:
        return []
    return [f"{procedure.source}: {procedure.code} v{procedure.version}, step '{step.event}' from '{step.source}': "
            f"no unit has the code '{party}' named under 'parties'"
            for procedure in loaded for step in procedure.steps for party in step.parties if party not in units]
