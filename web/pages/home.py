"""The home page: what waits for this person, then the dossiers they may see."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from workflow import operations, queries
from workflow.permissions import holds
from workflow.procedure import catalogue
from workflow.rules import tally

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index():
    queues = queries.work_queues(current_user)
    recent, total = queries.search_dossiers(current_user, queries.DossierFilter(per_page=50))
    tallies = {d.id: tally(d) for queue in queues if queue.with_tally for d in queue.dossiers
               if not operations.tally_withheld(current_user, d)}
    returns = queries.returns_of([d for queue in queues for d in queue.dossiers] + recent)
    by_state = []
    if holds(current_user, "nominate"):
        # What waits for the unit's answer first, then the rest in the procedures' order.
        due = catalogue().union("due_states")
        order = sorted(catalogue().states, key=lambda state: state not in due)
        by_state = [(state, [d for d in recent if d.state == state]) for state in order]
        by_state = [(state, dossiers) for state, dossiers in by_state if dossiers]
    return render_template("pages/home.html", queues=queues, recent=recent, total=total, tallies=tallies,
                           returns=returns, counts=queries.state_counts(current_user), by_state=by_state,
                           voting_queue=queries.VOTING_QUEUE)
