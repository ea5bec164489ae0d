"""The nominee registry: look-up while typing a name, one entry with its nominations, the office's merge."""
from __future__ import annotations

from web.api.auth import BEARER_SECURITY, current_user, token_required
from web.api.blueprints import ApiBlueprint
from web.api.schemas import EntryOut, MergeIn, MergeOut, NomineeDetailOut, NomineeQuery
from web.api.history import award_line_json, rating_json
from workflow import nominees
from workflow.award_history import history_of, ratings_of
from workflow.i18n import VIETNAM
from workflow.models import Nominee
from workflow.unit_of_work import commit

blp = ApiBlueprint("nominees", __name__, url_prefix="/api/v1", description="The nominee registry")


def entry_json(entry: Nominee) -> dict:
    return {"id": entry.id, "kind": entry.kind, "name": entry.name, "unit": entry.unit.code,
            "unit_name": entry.unit.name, "birth_date": entry.birth_date, "birth_year": entry.birth_year,
            "gender": entry.gender, "position": entry.position, "identity_number": entry.identity_number,
            "collective_kind": entry.collective_kind, "merged_into": entry.merged_into_id}


@blp.route("/nominees", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(NomineeQuery, location="query")
@blp.response(200, EntryOut(many=True))
def find_nominees(query):
    """Entries the caller sees whose name starts with `q` (with or without diacritics, either tone-mark placement):
    a submitter their unit's, the office and the appraisers all; at most 20, the closest first."""
    return [entry_json(entry) for entry in nominees.find_nominees(
        current_user(), query["q"], query.get("kind"), query.get("birth_year"))]


@blp.route("/nominees/<int:nominee_id>", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, NomineeDetailOut)
def get_nominee(nominee_id):
    """One entry, with its nominations across campaigns."""
    entry = nominees.get_nominee(current_user(), nominee_id)
    return {**entry_json(entry), "nominations": [
        {"dossier": d.id, "campaign": d.campaign.code, "year": d.campaign.year, "award_type": d.award_type.code,
         "state": d.state} for d in nominees.nominations_of(current_user(), entry)],
        "awards": [award_line_json(record) for record in history_of(entry)],
        "ratings": [rating_json(rating) for rating in ratings_of(entry)]}


@blp.route("/nominees/<int:nominee_id>/merge", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(MergeIn)
@blp.response(201, MergeOut)
def merge_nominee(data, nominee_id):
    """Merge this entry into the entry `into`, which is kept (office): the dossiers of both then refer to it, and the
    merge is recorded with both entries' fields as they were."""
    record = nominees.merge_nominees(current_user(), nominee_id, data["into"])
    kept = nominees.get_nominee(current_user(), record.kept_id)
    body = {"id": record.id, "kept": entry_json(kept), "merged": record.merged_id, "dossiers": record.dossier_ids,
            "actor": current_user().username, "at": record.at.astimezone(VIETNAM)}
    commit()
    return body
