"""The in-app inbox (each user's notices) and, for the office, the delivery of notices with a retry."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from flask import current_app
from flask_babel import gettext

from tasks.dispatch import queue_delivery
from web.api.blueprints import ApiBlueprint
from web.api.auth import BEARER_SECURITY, current_user, token_required
from web.api.schemas import In
from workflow import notices
from workflow.i18n import VIETNAM
from workflow.models import Notice, NoticeStatus
from workflow.notice_text import notice_link, notice_subject
from workflow.unit_of_work import commit

blp = ApiBlueprint("notices", __name__, url_prefix="/api/v1", description="Notices: inbox and delivery")
STATUSES = tuple(status.value for status in NoticeStatus)


class NoticeQuery(In):
    status = fields.String(validate=validate.OneOf(STATUSES))
    unread = fields.Boolean(load_default=False)


class NoticeOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    summary = fields.String(required=True)
    link = fields.String(required=True)
    dossier_id = fields.Integer(allow_none=True)
    recipient = fields.String(required=True)
    status = fields.String(required=True)
    attempts = fields.Integer(required=True)
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    sent_at = fields.DateTime(allow_none=True)
    read = fields.Boolean(required=True)


class DeliveryIn(In):
    notice_delivery = fields.String(required=True, validate=validate.OneOf(notices.DELIVERY_CHOICES))


class DeliveryOut(Schema):
    notice_delivery = fields.String(required=True)
    unread = fields.Integer(required=True)


def notice_json(notice: Notice) -> dict:
    return {
        "id": notice.id, "kind": notice.kind, "summary": notice_subject(notice, gettext),
        "link": notice_link(notice, current_app.config["BASE_URL"]),
        "dossier_id": notice.dossier_id, "recipient": notice.recipient.username, "status": notice.status,
        "attempts": notice.attempts, "last_error": notice.last_error,
        "created_at": notice.created_at.astimezone(VIETNAM),
        "sent_at": notice.sent_at.astimezone(VIETNAM) if notice.sent_at else None,
        "read": notice.read_at is not None,
    }


@blp.route("/notices", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(NoticeQuery, location="query")
@blp.response(200, NoticeOut(many=True))
def list_notices(query):
    """The caller's inbox, newest first; with `status`, the office's view of every notice in that status."""
    if "status" in query:
        rows = notices.notices_by_status(current_user(), query["status"])
    else:
        rows = notices.inbox(current_user(), unread_only=query["unread"])
    return [notice_json(row) for row in rows]


@blp.route("/notices/<int:notice_id>/read", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, NoticeOut)
def read_notice(notice_id):
    """Mark one of the caller's notices read."""
    notice = notices.mark_notice_read(current_user(), notice_id)
    commit()
    return notice_json(notice)


@blp.route("/notices/<int:notice_id>/retry", methods=["POST"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, NoticeOut)
def retry_notice(notice_id):
    """Office: send a failed notice again."""
    notice = notices.retry_notice(current_user(), notice_id)
    commit()
    queue_delivery([notice.id])
    return notice_json(notice)


@blp.route("/notices/delivery", methods=["PUT"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.arguments(DeliveryIn)
@blp.response(200, DeliveryOut)
def put_delivery(data):
    """Choose immediate e-mail or a daily digest."""
    user = current_user()
    released = notices.set_notice_delivery(user, data["notice_delivery"])
    commit()
    queue_delivery(released)
    return {"notice_delivery": user.notice_delivery, "unread": notices.unread_count(user)}
