"""Council sessions: the office convenes and closes them, members send their ballot sheet, the chair approves the
passing dossiers; the minutes as DOCX or PDF."""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale, gettext

from web.api.auth import BEARER_SECURITY, current_user, token_required
from web.api.blueprints import ApiBlueprint
from web.api.honours import _attachment, _language
from web.api.schemas import (
    ApprovalOut, BallotSheetIn, BallotSheetOut, ClosureIn, CouncilSessionIn, CouncilSessionOut,
)
from web.errors import render
from web.storage import document_store, minutes_writing
from workflow import council
from workflow.exports import FORMATS
from workflow.exports.minutes import minutes_docx, minutes_pdf
from workflow.i18n import VIETNAM
from workflow.models import CouncilSession, User
from workflow.unit_of_work import commit

blp = ApiBlueprint("council", __name__, url_prefix="/api/v1", description="Council sessions")
MINUTES_FORMATS = {"docx": (minutes_docx, FORMATS["docx"].content_type),
                   "pdf": (minutes_pdf, FORMATS["pdf"].content_type)}


def minutes_file(minutes: council.Minutes, format_: str):
    """The minutes as an attachment in `format_` (docx or pdf), in the reader's language."""
    make, content_type = MINUTES_FORMATS[format_]
    return _attachment(make(minutes, gettext, current_app.config["HONOURS_LIST_PLACE"], language=_language()),
                       content_type, f"bien-ban-hop-hoi-dong-{minutes.session_id}.{format_}")


def close_session(actor: User, session: CouncilSession, present: list[int]) -> CouncilSession:
    """Close the session: the minutes it attaches to its dossiers are in the organisation's language, whoever
    closes it."""
    writing = minutes_writing()
    with force_locale(writing.language):
        return council.close_council_session(actor, session, present, document_store(), writing)


def session_json(session: CouncilSession) -> dict:
    return {
        "id": session.id, "held_on": session.held_on, "place": session.place, "status": session.status.value,
        "closed_at": session.closed_at.astimezone(VIETNAM) if session.closed_at else None,
        "items": [{"dossier": item.dossier_id, "nominee": item.dossier.nominee_name,
                   "award_type": item.dossier.award_type.code, "state": item.dossier.state,
                   "members": item.eligible, "cast": item.cast, "agree": item.agree, "disagree": item.disagree,
                   "abstain": item.abstain, "passed": item.passed} for item in session.items],
        "present": [a.user.username for a in session.attendance if a.present],
        "absent": [a.user.username for a in session.attendance if not a.present],
    }


@blp.route("/council-sessions", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(CouncilSessionIn)
@blp.response(201, CouncilSessionOut)
def post_council_session(data):
    """Convene a session with its agenda (office), all or nothing: `batch_refused` 422 names each dossier refused.
    Every council member is notified."""
    session = council.convene_council_session(current_user(), data["held_on"], data["place"], data["dossier_ids"])
    body = session_json(session)
    commit()
    return body


@blp.route("/council-sessions/<int:session_id>", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, CouncilSessionOut)
def get_council_session(session_id):
    """The session, its agenda and, once closed, the fixed tallies and the attendance; never who voted how."""
    return session_json(council.get_council_session(current_user(), session_id))


@blp.route("/council-sessions/<int:session_id>/ballots", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(BallotSheetIn)
@blp.response(201, BallotSheetOut)
def post_ballot_sheet(data, session_id):
    """The member's one ballot sheet: agree, disagree or abstain for every dossier of the agenda they vote on, all
    secret; a second sheet is refused (409 `already_voted`), as is any after the close (409 `voting_closed`)."""
    session = council.get_council_session(current_user(), session_id)
    voted = council.submit_ballot_sheet(current_user(), session, data["votes"])
    commit()
    return {"session": session_id, "voted": voted}


@blp.route("/council-sessions/<int:session_id>/closure", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(ClosureIn)
@blp.response(200, CouncilSessionOut)
def post_closure(data, session_id):
    """Close the session (office): the members present, the tallies fixed, the minutes (DOCX and PDF) attached to
    each dossier of the agenda as documents of kind `bien_ban_hoi_dong`."""
    session = close_session(current_user(), council.get_council_session(current_user(), session_id), data["present"])
    body = session_json(session)
    commit()
    return body


@blp.route("/council-sessions/<int:session_id>/approval", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, ApprovalOut)
def post_approval(session_id):
    """Approve every passing dossier of the closed session (chair), all or nothing (`batch_refused` 422); the
    dossiers that did not pass are listed with the rule they fail."""
    result = council.approve_council_session(current_user(), council.get_council_session(current_user(), session_id))
    body = {"moved": [{"dossier": d.id, "state": d.state, "version": d.version} for d in result.approved],
            "not_passed": [{"dossier": dossier_id, "rule": rule, "message": render(message)}
                           for dossier_id, rule, message in result.not_passed]}
    commit()
    return body


@blp.route("/council-sessions/<int:session_id>/minutes.<any(docx, pdf):format_>", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.file_response([content_type for _, content_type in MINUTES_FORMATS.values()])
def get_minutes(session_id, format_):
    """The minutes of the closed session (409 `voting_closed` while it is open)."""
    session = council.get_council_session(current_user(), session_id)
    return minutes_file(council.session_minutes(session), format_)
