"""The in-app inbox of notices, and the office's list of notices that could not be delivered."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tasks.dispatch import queue_delivery
from web.pages.forms import ActionForm
from workflow import notices
from workflow.models import NoticeStatus
from workflow.notice_text import notice_lines, notice_link, notice_subject
from workflow.unit_of_work import commit

bp = Blueprint("inbox", __name__)


@bp.route("/inbox")
@login_required
def index():
    base_url = current_app.config["BASE_URL"]
    rows = [(notice, notice_subject(notice, gettext), notice_lines(notice, gettext), notice_link(notice, base_url))
            for notice in notices.inbox(current_user)]
    return render_template("pages/inbox.html", rows=rows, form=ActionForm())


@bp.route("/inbox/read", methods=["POST"])
@login_required
def mark_read():
    if ActionForm().validate_on_submit():
        notices.mark_all_read(current_user)
        commit()
        flash(_("All notices are marked as read."), "success")
    return redirect(url_for("inbox.index"))


@bp.route("/notices/failed")
@login_required
def failed():
    failed_notices = notices.notices_by_status(current_user, NoticeStatus.FAILED)
    rows = [(notice, notice_subject(notice, gettext)) for notice in failed_notices]
    return render_template("pages/notices_failed.html", rows=rows, form=ActionForm())


@bp.route("/notices/<int:notice_id>/retry", methods=["POST"])
@login_required
def retry(notice_id: int):
    if ActionForm().validate_on_submit():
        notice = notices.retry_notice(current_user, notice_id)
        commit()
        queue_delivery([notice.id])
        flash(_("The notice will be sent again."), "success")
    return redirect(url_for("inbox.failed"))
