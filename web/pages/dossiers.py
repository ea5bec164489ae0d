"""Dossier pages: the list (filters, search, bulk actions), create and edit, documents, workflow actions, votes."""
from __future__ import annotations


from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from workflow.unit_of_work import commit
from web.pages import outcome_label, render_msg, requires
from web.pages.forms import (
    ActionForm, BulkForm, DossierForm, EventForm, OverrideForm, ReplaceForm, ResolutionForm, UploadForm, VoteForm,
    input_fields,
)
from web.pages.views import form_view, show_refusal, ticked_ids
from web.storage import document_store, document_text, send_document, send_inline
from workflow import batch, council, decisions, disclosure, eligibility, forwardings, operations, queries
from workflow.receipts import receipt_of
from workflow.documents import DOCX, INLINE_TYPES
from workflow.procedure import EACH_PARTY, Step, catalogue
from workflow.errors import BatchRefused, Forbidden, NotFound, WorkflowError
from workflow.i18n import vndate
from workflow.models import AwardType, Campaign, CampaignStatus, Dossier, Unit, db
from workflow.nominees import find_nominees
from workflow.parties import awaited_after, opinions, party_names, unit_names
from workflow.permissions import (
    holds, may_change_dossier, may_vote, require_may_change_dossier, sees_own_unit_only, takes,
)
from workflow.rules import (
    COUNCIL_MINUTES, DOCUMENT_KINDS, from_packet, has_voted, latest_window, missing_documents, tally, tally_fixed,
)

bp = Blueprint("dossier_pages", __name__, url_prefix="/dossiers")


def _bulk_form() -> BulkForm:
    """The bulk action's form, offering the events of the person's role whose steps ask for nothing."""
    form = BulkForm()
    events = dict.fromkeys(step.event for procedure in catalogue() for step in procedure.steps
                           if not step.inputs and takes(current_user, step))
    form.event.choices = [(event, _(catalogue().event_label(event))) for event in events]
    return form


def _dossier(dossier_id: int):
    return operations.get_dossier(current_user, dossier_id)


def _choices(model, order, active_only: bool = True):
    query = select(model)
    if active_only and hasattr(model, "active"):
        query = query.where(model.active.is_(True))
    return [(row.code, row.name) for row in db.session.scalars(query.order_by(*order))]


MAX_PAGE = 100_000


def _int_arg(name: str, default: int) -> int:
    try:
        return min(max(1, int(request.args.get(name, default))), MAX_PAGE)
    except ValueError:
        return default


@bp.route("")
@login_required
def index():
    criteria = queries.DossierFilter(
        campaign=request.args.get("campaign") or None, state=request.args.get("state") or None,
        unit=request.args.get("unit") or None, award_type=request.args.get("award_type") or None,
        text=request.args.get("q") or None, sort=request.args.get("sort") or "updated",
        page=_int_arg("page", 1), per_page=min(_int_arg("per_page", 50), queries.MAX_PER_PAGE))
    items, total = queries.search_dossiers(current_user, criteria, with_documents=False)
    pages = max(1, -(-total // criteria.per_page))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "pages/dossiers.html", items=items, total=total, criteria=criteria, pages=pages, args=args,
        campaigns=_choices(Campaign, (Campaign.year.desc(), Campaign.code), active_only=False),
        award_types=_choices(AwardType, (AwardType.rank, AwardType.code)),
        units=_choices(Unit, (Unit.sort_order, Unit.name)) if not sees_own_unit_only(current_user) else [],
        states=catalogue().states, sorts=list(queries.SORTS),
        bulk_form=_bulk_form() if holds(current_user, "act_in_bulk") else None)


@bp.route("/bulk", methods=["POST"])
@login_required
@requires("act_in_bulk")
def bulk():
    form = _bulk_form()
    if not form.validate_on_submit():
        flash(_("Choose an action."), "error")
        return redirect(url_for("dossier_pages.index"))
    ids = ticked_ids()
    try:
        moved = batch.fire_event_on_all(current_user, ids, form.event.data)
        commit()
    except BatchRefused as error:
        db.session.rollback()
        reasons: dict[int, list[str]] = {}
        for detail in error.details:
            reasons.setdefault(detail["dossier"], []).append(render_msg(detail["message"]))
        results = [(dossier_id, _nominee_name(dossier_id), "refused" if dossier_id in reasons else "unchanged",
                    reasons.get(dossier_id, []))
                   for dossier_id in dict.fromkeys(ids)]
        return render_template("pages/bulk_result.html", results=results, event=form.event.data, refused=True), 422
    except WorkflowError as error:
        show_refusal(error)
        return redirect(url_for("dossier_pages.index"))
    results = [(dossier.id, dossier.nominee_name, "done",
                [_("The dossier is now “%(state)s”.", state=_state_label(dossier.state))]) for dossier in moved]
    return render_template("pages/bulk_result.html", results=results, event=form.event.data)


def _nominee_name(dossier_id: int) -> str:
    try:
        return _dossier(dossier_id).nominee_name
    except NotFound:
        return f"#{dossier_id}"


def _fill_dossier_choices(form: DossierForm) -> None:
    form.campaign.choices = [(c.code, c.name) for c in db.session.scalars(
        select(Campaign).where(Campaign.status == CampaignStatus.OPEN).order_by(Campaign.year.desc(), Campaign.code))]
    form.award_type.choices = _choices(AwardType, (AwardType.rank, AwardType.code))


def _nominee(form: DossierForm) -> dict:
    return {"kind": form.kind.data, "name": form.name.data.strip(), "position": form.position.data or None,
            "workplace": form.workplace.data or None, "birth_year": form.birth_year.data,
            "gender": form.gender.data or None}


def _details_input_name(procedure, item) -> str:
    return f"details-{procedure.code}-{item.name}"


def _details_inputs(procedures, stored: dict | None = None) -> list[dict]:
    """The inputs of the fields the procedures ask for, one group a procedure, filled in with what was posted or,
    on a GET, with the dossier's `stored` details (dates as dd/mm/yyyy)."""
    groups = []
    for procedure in procedures:
        items = []
        for item in procedure.entered_fields:
            name = _details_input_name(procedure, item)
            if request.method == "POST":
                value = request.form.get(name, "")
            else:
                value = (stored or {}).get(item.name, "")
                value = vndate(value) if item.type == "date" and value else str(value)
            items.append({"field": item, "name": name, "value": value})
        if items:
            groups.append({"procedure": procedure, "items": items})
    return groups


def _posted_details(procedure) -> dict:
    """The values posted for the fields of `procedure`, as typed (workflow.dossier_fields checks them)."""
    return {item.name: request.form.get(_details_input_name(procedure, item), "")
            for item in procedure.entered_fields}


def _procedure_of_award_type(code: str | None):
    procedure_code = db.session.scalar(select(AwardType.procedure).where(AwardType.code == code))
    return catalogue().latest.get(procedure_code)


# The form's choice of no registry entry but a new one.
NEW_ENTRY = "new"


@bp.route("/new", methods=["GET", "POST"])
@login_required
@requires("nominate")
def new():
    form = DossierForm()
    _fill_dossier_choices(form)
    offered = set(db.session.scalars(select(AwardType.procedure).where(AwardType.active.is_(True))))
    procedures = [procedure for code, procedure in catalogue().latest.items() if code in offered]

    picked = request.form.get("nominee_id", "")
    matches = []
    if request.method == "POST" and form.validate() and not picked:
        # Without a pick, the registry's entries of that name are offered first (the form's script shows them
        # while the name is typed).
        matches = find_nominees(current_user, form.name.data, form.kind.data, form.birth_year.data)
        if matches:
            flash(_("The registry already holds nominees of that name: pick the one this nomination is for, or a "
                    "new entry, and save again."), "info")
            return render_template("pages/dossier_form.html", form=form, dossier=None, matches=matches,
                                   details_groups=_details_inputs(procedures))

    def create():
        procedure = _procedure_of_award_type(form.award_type.data)
        return operations.create_dossier(current_user, form.campaign.data, form.award_type.data, _nominee(form),
                                         form.achievements.data or "",
                                         _posted_details(procedure) if procedure else None,
                                         nominee_id=int(picked) if picked.isdigit() and len(picked) < 10 else None,
                                         new_entry=picked == NEW_ENTRY)
    return form_view(form, create, _("The draft is saved. Add the required documents, then submit it."),
                     _dossier_page, "pages/dossier_form.html", dossier=None, matches=[],
                     details_groups=_details_inputs(procedures))


def _dossier_page(dossier) -> str:
    return url_for("dossier_pages.view", dossier_id=dossier.id)


@bp.route("/<int:dossier_id>/edit", methods=["GET", "POST"])
@login_required
def edit(dossier_id: int):
    dossier = _dossier(dossier_id)
    require_may_change_dossier(current_user, dossier)
    form = DossierForm()
    del form.campaign, form.award_type  # fixed once the dossier exists
    if request.method == "GET":
        for field in ("kind", "name", "position", "workplace", "birth_year", "gender"):
            getattr(form, field).data = getattr(dossier, f"nominee_{field}")
        form.gender.data = dossier.nominee_gender or ""
        form.achievements.data = dossier.achievements
        form.version.data = dossier.version
    procedure = operations.procedure_of(dossier)
    return form_view(form, lambda: operations.edit_dossier(current_user, dossier, _version(form.version.data),
                                                           _nominee(form), form.achievements.data or "",
                                                           _posted_details(procedure)),
                     _("The changes are saved."), _dossier_page, "pages/dossier_form.html", dossier=dossier,
                     details_groups=_details_inputs([procedure], dossier.details))


def _version(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


@bp.route("/<int:dossier_id>")
@login_required
def view(dossier_id: int):
    dossier = _dossier(dossier_id)
    steps = operations.available_steps(current_user, dossier)
    procedure = operations.procedure_of(dossier)
    # What the last return asked, while the unit answers it and while its answer is examined.
    asked = ("due" if dossier.state in procedure.due_states
             else "answered" if dossier.state in procedure.answer_states else None)
    last_return = queries.last_return(dossier) if asked else None
    answer = queries.return_answer(dossier, last_return) if last_return else None
    to_replace = answer.to_replace if answer and asked == "due" else []
    upload_form = None
    can_edit = (may_change_dossier(current_user, dossier)
                and dossier.state in procedure.editable_states)
    if can_edit:
        upload_form = UploadForm()
        upload_form.kind.choices = [(code, _(label)) for code, label in DOCUMENT_KINDS.items()]
        upload_form.kind.data = next(iter(to_replace or missing_documents(dossier)), None)
    show_tally = holds(current_user, "see_tally") and dossier.ever_submitted
    voting = may_vote(current_user) and dossier.state in procedure.voting_states
    voted = voting and has_voted(current_user, dossier)
    vote_open = voting and not voted and not tally_fixed(dossier)
    # No tally while nobody has voted in this round (the ballots go when the dossier comes back to the council), nor
    # for a member who has yet to cast their own vote.
    vote_tally = tally(dossier) if show_tally and not operations.tally_withheld(current_user, dossier) else None
    history = queries.history_of(dossier)
    entered = next((row for row in reversed(history) if row.from_state != row.to_state), None)
    return render_template(
        "pages/dossier.html", dossier=dossier, procedure=procedure, steps=steps, asked=asked,
        history=history, actors=queries.actor_names(history),
        state_name=outcome_label(procedure, entered) if entered and entered.to_state == dossier.state else None,
        last_return=last_return, to_replace=to_replace, supplied=answer.supplied if answer else set(),
        unchanged=asked == "due" and answer is not None and not answer.changed,
        replace_form=ReplaceForm() if can_edit and to_replace else None,
        next_dossier=queries.next_in_queue(current_user, dossier.id), texts=_document_texts(dossier),
        inline_types=INLINE_TYPES, revocation=queries.revocation_of(dossier), receipt=receipt_of(dossier),
        forwarded=forwardings.forwarding_of(dossier),
        decision=decisions.decision_of(dossier) if holds(current_user, "manage_decisions") else None,
        opinions=opinions(dossier, procedure.steps),
        parties=unit_names({row.details.get("party") for row in history} - {None}),
        missing=missing_documents(dossier), from_packet=from_packet(dossier), upload_form=upload_form,
        action_form=ActionForm(), can_edit=can_edit, council_minutes=COUNCIL_MINUTES,
        tally=vote_tally if vote_tally and vote_tally.cast else None,
        council_sessions=(council.sessions_of(dossier)
                          if show_tally and holds(current_user, "see_council_sessions") else []),
        vote_form=VoteForm() if vote_open else None, voted=voted, findings=eligibility.findings(dossier),
        override_form=OverrideForm() if holds(current_user, "override_eligibility") else None,
        **_disclosure(dossier))


@bp.route("/<int:dossier_id>/eligibility/override", methods=["POST"])
@login_required
def override_warning(dossier_id: int):
    dossier = _dossier(dossier_id)
    form = OverrideForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for overriding the warning."), "error")
        return redirect(url_for("dossier_pages.view", dossier_id=dossier.id) + "#eligibility")
    try:
        operations.override_warning(current_user, dossier, form.rule.data, form.reason.data, form.version.data)
        commit()
        flash(_("The warning is overridden; the reason is kept in the dossier's history."), "success")
    except (NotFound, Forbidden):
        raise
    except WorkflowError as error:
        show_refusal(error)
    return redirect(url_for("dossier_pages.view", dossier_id=dossier.id) + "#eligibility")


@bp.route("/<int:dossier_id>/receipt")
@login_required
def receipt(dossier_id: int):
    """The printable receipt of a submitted dossier: its code, the date it was received, its documents."""
    dossier = _dossier(dossier_id)
    found = receipt_of(dossier)
    if found is None:
        raise NotFound()
    return render_template("pages/receipt.html", dossier=dossier, receipt=found)


def _document_texts(dossier) -> dict[int, list[str] | None]:
    """The text of each Word document of the dossier, read to be shown in the page (None when unreadable)."""
    return {doc.id: document_text(doc) for doc in dossier.documents if doc.content_type == DOCX.content_type}


def _disclosure(dossier) -> dict:
    """The dossier's latest disclosure window and the comments received, for those who see them; with a form to
    resolve each for the office."""
    if not holds(current_user, "see_disclosure_comments"):
        return {"window": None, "comments": []}
    comments = disclosure.comments_of(current_user, dossier)
    forms = {c.id: ResolutionForm(prefix=f"c{c.id}", formdata=None) for c in comments} \
        if holds(current_user, "manage_disclosure") else {}
    return {"window": latest_window(dossier), "comments": comments, "resolution_forms": forms}


@bp.route("/<int:dossier_id>/documents", methods=["POST"])
@login_required
def upload(dossier_id: int):
    dossier = _dossier(dossier_id)
    form = UploadForm()
    form.kind.choices = list(DOCUMENT_KINDS.items())
    if not form.validate_on_submit():
        flash(_("Choose the kind of document and a file."), "error")
        return redirect(url_for("dossier_pages.view", dossier_id=dossier.id))
    store = document_store()
    try:
        operations.add_document(current_user, dossier, form.kind.data, form.file.data.filename or "",
                                form.file.data.stream, store)
        commit()
        flash(_("The document is added."), "success")
    except WorkflowError as error:
        show_refusal(error)
    return redirect(url_for("dossier_pages.view", dossier_id=dossier.id) + "#documents")


@bp.route("/<int:dossier_id>/documents/<int:document_id>/delete", methods=["POST"])
@login_required
def remove_document(dossier_id: int, document_id: int):
    dossier = _dossier(dossier_id)
    try:
        operations.remove_document(current_user, dossier, document_id, document_store())
        commit()
        flash(_("The document is removed."), "success")
    except (NotFound, Forbidden):
        raise
    except WorkflowError as error:
        show_refusal(error)
    return redirect(url_for("dossier_pages.view", dossier_id=dossier.id) + "#documents")


@bp.route("/<int:dossier_id>/documents/<int:document_id>/replace", methods=["POST"])
@login_required
def replace_document(dossier_id: int, document_id: int):
    dossier = _dossier(dossier_id)
    form = ReplaceForm()
    if not form.validate_on_submit():
        flash(_("Choose the new file."), "error")
        return redirect(url_for("dossier_pages.view", dossier_id=dossier.id) + "#documents")
    store = document_store()
    data = form.file.data.stream.read(store.max_bytes + 1)
    try:
        operations.replace_document(current_user, dossier, document_id, form.file.data.filename or "", data, store)
        commit()
        flash(_("The document is replaced."), "success")
    except (NotFound, Forbidden):
        raise
    except WorkflowError as error:
        show_refusal(error)
    return redirect(url_for("dossier_pages.view", dossier_id=dossier.id) + "#documents")


@bp.route("/<int:dossier_id>/documents/<int:document_id>")
@login_required
def download(dossier_id: int, document_id: int):
    return send_document(operations.get_document(_dossier(dossier_id), document_id))


@bp.route("/<int:dossier_id>/documents/<int:document_id>/inline")
@login_required
def inline(dossier_id: int, document_id: int):
    """A PDF or an image of the dossier, to be shown inside its page (the same rights as the download)."""
    document = operations.get_document(_dossier(dossier_id), document_id)
    if document.content_type not in INLINE_TYPES:
        raise NotFound()
    return send_inline(document)


def _comment(step, form) -> tuple[str | None, tuple[str, ...]]:
    """The comment as given, or, when the step asks for it per document, one line per missing or faulty
    document, then the general remark; with the kinds of document that have a reason."""
    if step is None or not any(item.per_document for item in step.inputs):
        return form.comment.data, ()
    lines, kinds = [], []
    for code, label in DOCUMENT_KINDS.items():
        reason = (getattr(form, f"reason_{code}").data or "").strip()
        if reason:
            lines.append(f"- {_(label)}: {reason}")
            kinds.append(code)
    general = (form.comment.data or "").strip()
    if general:
        lines.append(general)
    return "\n".join(lines), tuple(kinds)


def _back_page(dossier) -> str:
    """Where an action taken from the unit packet's page goes back to (`?back=packet`): that page; else the
    dossier's."""
    if request.args.get("back") == "packet":
        return url_for("packet_pages.view", campaign=dossier.campaign.code, unit=dossier.unit.code)
    return _dossier_page(dossier)


@bp.route("/<int:dossier_id>/events/<event>", methods=["GET", "POST"])
@login_required
def event(dossier_id: int, event: str):
    dossier = _dossier(dossier_id)
    step = next((s for s, _failures in operations.available_steps(current_user, dossier) if s.event == event), None)
    form = EventForm()
    if request.method == "POST" and form.validate_on_submit():
        comment, documents = _comment(step, form)
        # "… and open the next dossier": the one after this in the person's queue, known before this one leaves it.
        following = queries.next_in_queue(current_user, dossier.id) if request.form.get("then") == "next" else None
        try:
            operations.fire_event(current_user, dossier, event, _version(form.version.data), operations.EventInput(
                comment=comment, due_date=form.due_date.data, decision_number=form.decision_number.data,
                decision_date=form.decision_date.data, date=form.date.data, documents=documents))
            commit()
            if request.form.get("then") == "next":
                flash(_("Done: “%(name)s” is now “%(state)s”.", name=dossier.nominee_name,
                        state=_outcome(event, step, dossier)), "success")
                if following is None:
                    flash(_("Nothing else waits for you in your queues."), "info")
                    return redirect(url_for("home.index"))
                return redirect(_dossier_page(following))
            if step is not None and step.scope == EACH_PARTY and dossier.state == step.source:
                flash(_("Your unit's opinion is recorded; the dossier moves on once every unit named has given "
                        "its own."), "success")
            elif request.args.get("back") == "packet":  # among the packet's dossiers, say which one moved
                flash(_("Done: “%(name)s” is now “%(state)s”.", name=dossier.nominee_name,
                        state=_outcome(event, step, dossier)), "success")
            else:
                flash(_("Done: the dossier is now “%(state)s”.", state=_outcome(event, step, dossier)), "success")
            return redirect(_back_page(dossier))
        except (NotFound, Forbidden):
            raise
        except WorkflowError as error:
            show_refusal(error, form)
            if step is None or not step.inputs:
                return redirect(_back_page(dossier))
    elif request.method == "POST":
        # The errors of the fields the page shows are beside them; the others (version, CSRF) in a banner.
        shown = {item.name for item in step.inputs} if step is not None else set()
        if shown.intersection(form.errors):
            flash(_("Correct the fields marked below."), "error")
        for name, errors in form.errors.items():
            for message in errors if name not in shown else ():
                flash(message, "error")
    if step is None:
        if request.method == "POST":
            return redirect(_back_page(dossier))
        abort(404)
    if request.method == "GET":
        form.version.data = dossier.version
        form.due_date.data = operations.default_due_date(step)
    awaited = party_names(awaited_after(current_user, dossier, step)) if step.scope == EACH_PARTY else []
    return render_template("pages/event.html", dossier=dossier, procedure=operations.procedure_of(dossier), step=step,
                           form=form,
                           fields=input_fields(form, step), document_kinds=DOCUMENT_KINDS,
                           awaited=awaited, joint=step.scope == EACH_PARTY, back=_back_page(dossier),
                           missing=missing_documents(dossier),
                           next_dossier=queries.next_in_queue(current_user, dossier.id)), \
        400 if request.method == "POST" else 200


def _state_label(state: str) -> str:
    return _(catalogue().state_label(state))


def _outcome(event: str, step: Step | None, dossier: Dossier) -> str:
    """The dossier's state as the step just taken names it (the chair's refusal: "Không phê duyệt")."""
    return _(catalogue().outcome_label(event, step.source if step else None, dossier.state))


@bp.route("/<int:dossier_id>/vote", methods=["POST"])
@login_required
def vote(dossier_id: int):
    dossier = _dossier(dossier_id)
    form = VoteForm()
    if form.validate_on_submit():
        try:
            operations.cast_vote(current_user, dossier, operations.VOTE_CHOICES[form.vote.data])
            commit()
            flash(_("Your vote is recorded. It is secret and cannot be changed."), "success")
        except (NotFound, Forbidden):
            raise
        except WorkflowError as error:
            show_refusal(error)
    else:
        flash(_("Choose agree, disagree or abstain."), "error")
    return redirect(url_for("dossier_pages.view", dossier_id=dossier.id))
