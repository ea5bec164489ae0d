"""The in-app inbox: the notices written for a person, newest first, marked read when seen."""
from __future__ import annotations

from sqlalchemy import func, select, update

from workflow.models import Notice, User, db, utcnow

INBOX_SIZE = 100


def inbox(user: User, limit: int = INBOX_SIZE) -> list[Notice]:
    return list(db.session.scalars(select(Notice).where(Notice.recipient_id == user.id)
                                   .order_by(Notice.created_at.desc(), Notice.id.desc()).limit(limit)))


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Notice).where(
        Notice.recipient_id == user.id, Notice.read_at.is_(None)))


def mark_all_read(user: User) -> int:
    """Mark every unread notice of `user` read; how many were."""
    result = db.session.execute(update(Notice).where(Notice.recipient_id == user.id, Notice.read_at.is_(None))
                                .values(read_at=utcnow()))
    return result.rowcount
