"""The inbox page (/inbox), the office's page of failed notices (/notices/failed), and the unread count
that every page's layout can show (`unread_notices` in the template context).

The pages use the signed-in user of Flask-Login when the application has a login manager.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_babel import gettext as _

from tasks.dispatch import commit, queue_delivery
from tasks.mail import link_for, subject_for
from workflow import notices
from workflow.errors import WorkflowError

inbox_pages = Blueprint("inbox", __name__)


def signed_in_user():
    if getattr(current_app, "login_manager", None) is None:
        return None
    from flask_login import current_user

    return current_user._get_current_object() if current_user.is_authenticated else None


@inbox_pages.app_context_processor
def unread_notices() -> dict:
    user = signed_in_user()
    return {"unread_notices": notices.unread_count(user) if user else 0}


def _require_user():
    user = signed_in_user()
    if user is None:
        abort(401)
    return user


@inbox_pages.get("/inbox")
def inbox():
    user = _require_user()
    rows = [(row, subject_for(row), link_for(row)) for row in notices.inbox(user)]
    return render_template("inbox/inbox.html", title=_("Notices"), rows=rows)


@inbox_pages.post("/inbox/<int:notice_id>/read")
def read(notice_id: int):
    try:
        notices.mark_notice_read(_require_user(), notice_id)
    except WorkflowError:
        abort(404)
    commit()
    return redirect(url_for("inbox.inbox"))


@inbox_pages.get("/notices/failed")
def failed():
    user = _require_user()
    try:
        rows = notices.notices_by_status(user, "failed")
    except WorkflowError:
        abort(403)
    return render_template("inbox/failed.html", title=_("Notices not delivered"),
                           rows=[(row, subject_for(row)) for row in rows])


@inbox_pages.post("/notices/<int:notice_id>/retry")
def retry(notice_id: int):
    try:
        notice = notices.retry_notice(_require_user(), notice_id)
    except WorkflowError:
        abort(403)
    commit()
    queue_delivery([notice.id])
    return redirect(url_for("inbox.failed"))
