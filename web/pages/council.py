"""Council sessions: the office convenes one (agenda by award type) and closes it with the attendance, each member
fills the ballot sheet, the chair approves the passing dossiers; the tallies and minutes once closed."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from web.api.council import close_session, minutes_file
from web.pages import gate, render_msg
from web.pages.forms import ActionForm, CouncilSessionForm
from web.pages.views import form_view, ticked_ids
from workflow import council, queries
from workflow.errors import BatchRefused
from workflow.models import AwardType, db
from workflow.unit_of_work import commit
from workflow.permissions import holds, may_fire, may_vote
from workflow.rules import has_voted

bp = Blueprint("council_pages", __name__)
gate(bp, "see_council_sessions")


@bp.route("/council-sessions", methods=["GET", "POST"])
@login_required
def sessions():
    """The sessions, latest first; for the office, the form convening one with the agenda ticked from the dossiers
    waiting for the council (filtered by award type)."""
    form = CouncilSessionForm()
    award_type = request.args.get("award_type") or None
    office = holds(current_user, "manage_council_sessions")
    return form_view(
        form, lambda: council.convene_council_session(current_user, form.held_on.data, form.place.data,
                                                      ticked_ids("dossier")),
        _("The session is convened and the members are notified."),
        lambda session: url_for("council_pages.session", session_id=session.id), "pages/council_sessions.html",
        sessions=council.council_sessions(current_user), office=office, award_type=award_type,
        award_types=db.session.scalars(select(AwardType).where(AwardType.active.is_(True))
                                       .order_by(AwardType.rank, AwardType.code)).all(),
        candidates=council.agenda_candidates(current_user, award_type) if office else [])


def _session_page(session_id: int, form, operation, success: str):
    session = council.get_council_session(current_user, session_id)
    sheet = council.sheet_dossiers(current_user, session) if may_vote(current_user) and session.is_open else []
    members = council.voters() if session.is_open and holds(current_user, "manage_council_sessions") else []
    return form_view(
        form, lambda: operation(session), success, url_for("council_pages.session", session_id=session_id),
        "pages/council_session.html", session=session, sheet=sheet,
        sheet_open=bool(sheet) and not any(has_voted(current_user, dossier) for dossier in sheet),
        members=members, sheets_sent=council.sheets_sent(session, members),
        not_passing=council.not_passing(current_user, session) if not session.is_open else [],
        may_approve=not session.is_open and any(
            item.passed and (step := council.approval_step(item.dossier)) is not None
            and may_fire(current_user, step, item.dossier) for item in session.items),
        choices=[("agree", _("Agree")), ("disagree", _("Disagree")), ("abstain", _("Abstain"))])


@bp.route("/council-sessions/<int:session_id>", methods=["GET"])
@login_required
def session(session_id: int):
    return _session_page(session_id, ActionForm(), lambda _session: None, "")


@bp.route("/council-sessions/<int:session_id>/ballots", methods=["POST"])
@login_required
def ballots(session_id: int):
    votes = {key.removeprefix("vote-"): value for key, value in request.form.items() if key.startswith("vote-")}
    return _session_page(session_id, ActionForm(), lambda s: council.submit_ballot_sheet(current_user, s, votes),
                         _("Your ballot sheet is recorded. The votes are secret and cannot be changed."))


@bp.route("/council-sessions/<int:session_id>/closure", methods=["POST"])
@login_required
def closure(session_id: int):
    present = ticked_ids("present")
    return _session_page(session_id, ActionForm(), lambda s: close_session(current_user, s, present),
                         _("The session is closed: the tallies are fixed and the minutes are ready."))


@bp.route("/council-sessions/<int:session_id>/approval", methods=["POST"])
@login_required
def approval(session_id: int):
    return _session_page(session_id, ActionForm(), lambda s: council.approve_council_session(current_user, s),
                         _("The passing dossiers of the session are approved."))


@bp.route("/council-sessions/<int:session_id>/minutes.<any(docx, pdf):format_>")
@login_required
def minutes(session_id: int, format_: str):
    return minutes_file(council.session_minutes(council.get_council_session(current_user, session_id)),
                        format_)


@bp.route("/ballot", methods=["GET", "POST"])
@login_required
def ballot():
    """The member's ballot on one page: every dossier waiting for their vote (their open sessions' ballot sheets, else
    every dossier open for their vote) with its appraisal note, one choice a row, sent at once, all or nothing."""
    form = ActionForm()
    votes = {key.removeprefix("vote-"): value for key, value in request.form.items() if key.startswith("vote-")}
    errors: dict[int, str] = {}
    if form.validate_on_submit():
        try:
            cast = council.cast_ballot(current_user, votes)
            commit()
        except BatchRefused as error:
            db.session.rollback()
            errors = {detail["dossier"]: render_msg(detail["message"]) for detail in error.details}
            flash(_("Nothing was recorded: %(count)d rows need your attention.", count=len(errors)), "error")
        else:
            flash(_("Your votes on %(count)d dossiers are recorded. They are secret and cannot be changed.",
                    count=len(cast)), "success")
            return redirect(url_for("council_pages.ballot"))
    my_ballot = council.my_ballot(current_user)
    return render_template("pages/ballot.html", form=form, ballot=my_ballot, errors=errors, votes=votes,
                           notes=queries.entry_notes(my_ballot.dossiers),
                           choices=[("agree", _("Agree")), ("disagree", _("Disagree")), ("abstain", _("Abstain"))]), \
        400 if request.method == "POST" else 200
