"""Progress of a campaign for the office and the chair."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required
from sqlalchemy import select

from web.charts import bar_chart
from web.pages import requires
from workflow import queries
from workflow.models import Campaign, db

bp = Blueprint("dashboard", __name__)


@bp.route("/dashboard")
@login_required
@requires("see_progress")
def index():
    campaigns = list(db.session.scalars(select(Campaign).order_by(Campaign.year.desc(), Campaign.code)))
    if not campaigns:
        return render_template("pages/dashboard.html", campaigns=[], board=None)
    chosen = next((c for c in campaigns if c.code == request.args.get("campaign")), campaigns[0])
    board = queries.campaign_dashboard(chosen)
    return render_template("pages/dashboard.html", campaigns=campaigns, board=board, bar_chart=bar_chart)
