"""The nominee registry: look-up while typing a name, one entry with its nominations, the office's merge."""
from __future__ import annotations

from web.api.auth import BEARER_SECURITY, current_user, token_required
from web.api.blueprints import ApiBlueprint
from web.api.history import award_line_json, rating_json
from web.api.schemas import (
    EntryOut, MergeIn, MergeOut, NomineeDetailOut, NomineeQuery, PersonalRecordOut, RecordQuery,
)
from web.storage import send_personal_record
from workflow import nominees
from workflow.award_history import history_of, ratings_of
from workflow.exports import FORMATS
from workflow.personal_record import personal_record
from workflow.i18n import VIETNAM
from workflow.models import Nominee
from workflow.permissions import nominees_with_personal_data
from workflow.unit_of_work import commit

blp = ApiBlueprint("nominees", __name__, url_prefix="/api/v1", description="The nominee registry")


def entry_json(entry: Nominee, personal: bool) -> dict:
    """The entry, its personal data withheld unless `personal` (the caller may read it)."""
    return {"id": entry.id, "kind": entry.kind, "name": entry.name, "unit": entry.unit.code,
            "unit_name": entry.unit.name, "birth_date": entry.birth_date if personal else None,
            "birth_year": entry.birth_year if personal else None, "gender": entry.gender, "position": entry.position,
            "identity_number": entry.identity_number if personal else None, "personal_data_masked": not personal,
            "collective_kind": entry.collective_kind, "merged_into": entry.merged_into_id}


def entries_json(entries: list[Nominee]) -> list[dict]:
    shown = nominees_with_personal_data(current_user(), entries)
    return [entry_json(entry, entry.id in shown) for entry in entries]


@blp.route("/nominees", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(NomineeQuery, location="query")
@blp.response(200, EntryOut(many=True))
def find_nominees(query):
    """Entries the caller sees whose name starts with `q` (with or without diacritics, either tone-mark placement):
    a submitter their unit's, the office and the appraisers all; at most 20, the closest first."""
    return entries_json(nominees.find_nominees(current_user(), query["q"], query.get("kind"), query.get("birth_year")))


@blp.route("/nominees/<int:nominee_id>", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, NomineeDetailOut)
def get_nominee(nominee_id):
    """One entry, with its nominations across campaigns."""
    entry = nominees.get_nominee(current_user(), nominee_id)
    return {**entries_json([entry])[0], "nominations": [
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
    body = {"id": record.id, "kept": entries_json([kept])[0], "merged": record.merged_id,
            "dossiers": record.dossier_ids,
            "actor": current_user().username, "at": record.at.astimezone(VIETNAM)}
    commit()
    return body


@blp.route("/nominees/<int:nominee_id>/record", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(RecordQuery, location="query")
@blp.response(200, PersonalRecordOut)
@blp.file_response([FORMATS["docx"].content_type], "The record as a Word document, for `format=docx`")
def get_personal_record(query, nominee_id):
    """The nominee's personal record, for that person (office): what the registry keeps about them, unmasked, and
    every nomination with its documents' names, steps and decision; JSON, or `format=docx`."""
    record = personal_record(current_user(), nominee_id)
    return record if query["format"] == "json" else send_personal_record(record, query["format"])
