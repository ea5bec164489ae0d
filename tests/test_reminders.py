"""Daily reminders across deadlines, weekends and Tết 2026, with a frozen clock."""
from __future__ import annotations

import collections
import datetime as dt

import time_machine
from sqlalchemy import select

from tasks.jobs import send_reminders
from workflow import operations as ops
from workflow.models import Campaign, Notice, db
from workflow.workdays import is_working_day, working_days_until

FEB = 2


def at_7_30_in_hanoi(day: int):
    return time_machine.travel(dt.datetime(2026, FEB, day, 0, 30, tzinfo=dt.UTC), tick=False)


def test_working_days_skip_weekends_and_tet(app):
    assert not is_working_day(dt.date(2026, 2, 17))  # Tết
    assert not is_working_day(dt.date(2026, 2, 21))  # Saturday
    assert working_days_until(dt.date(2026, 2, 13), dt.date(2026, 2, 23)) == 1
    assert working_days_until(dt.date(2026, 2, 11), dt.date(2026, 2, 24)) == 4
    assert working_days_until(dt.date(2026, 2, 24), dt.date(2026, 2, 24)) == 0
    assert working_days_until(dt.date(2026, 2, 26), dt.date(2026, 2, 25)) < 0


def test_reminders_across_deadlines_and_holidays(factory):
    with at_7_30_in_hanoi(11):
        council = factory.council(3)
        campaign = factory.campaign("tet-2026")
        campaign.submission_deadline = dt.date(2026, 2, 24)
        draft = factory.draft(campaign="tet-2026", unit="ba-dinh")
        returned = factory.dossier("returned", unit="cau-giay")
        returned.due_date = dt.date(2026, 2, 25)
        voting = factory.dossier("council_review", unit="dong-da")
        ops.cast_vote(council[0], voting, True)
        db.session.commit()
        drafter = factory.user_once("submitter", "ba-dinh")
        returnee = factory.user_once("submitter", "cau-giay")
        assert db.session.get(Campaign, campaign.id).submission_deadline == dt.date(2026, 2, 24)
        assert draft.state == "draft"

    for day in range(11, 28):
        with at_7_30_in_hanoi(day):
            send_reminders.delay()
            send_reminders.delay()  # a second run on the same day tells nobody twice
    db.session.expire_all()

    sent = collections.defaultdict(list)
    for notice in db.session.scalars(select(Notice).where(Notice.kind.like("remind_%")).order_by(Notice.id)):
        sent[(notice.kind, notice.recipient_id)].append(int(notice.params["day"][-2:]))
    working = [11, 12, 13, 23, 24, 25, 26, 27]
    assert sent == {
        ("remind_deadline", drafter.id): [12, 13, 23, 24],
        ("remind_return", returnee.id): [23, 24, 25, 26, 27],
        ("remind_vote", council[1].id): working,
        ("remind_vote", council[2].id): working,
    }
    statuses = set(db.session.scalars(select(Notice.status).where(Notice.kind.like("remind_%"))))
    assert statuses == {"sent"}


def test_how_far_ahead_reminders_start_is_the_apps_setting(app, factory, monkeypatch):
    from workflow.reminders import write_reminders

    with at_7_30_in_hanoi(11):
        campaign = factory.campaign("tet-2026")
        campaign.submission_deadline = dt.date(2026, 2, 24)  # 4 working days after 11 February
        factory.draft(campaign="tet-2026", unit="ba-dinh")
        returned = factory.dossier("returned", unit="cau-giay")
        returned.due_date = dt.date(2026, 2, 13)  # 2 working days after 11 February
        db.session.commit()
        drafter = factory.user_once("submitter", "ba-dinh")
        returnee = factory.user_once("submitter", "cau-giay")
        day = dt.date(2026, 2, 11)

        monkeypatch.setitem(app.config, "REMINDER_DEADLINE_WORKING_DAYS", 3)
        monkeypatch.setitem(app.config, "REMINDER_RETURN_WORKING_DAYS", 1)
        assert write_reminders(day) == []
        db.session.rollback()

        monkeypatch.setitem(app.config, "REMINDER_DEADLINE_WORKING_DAYS", 4)
        monkeypatch.setitem(app.config, "REMINDER_RETURN_WORKING_DAYS", 2)
        told = sorted((notice.kind, notice.recipient_id) for notice in write_reminders(day))
        assert told == sorted([("remind_deadline", drafter.id), ("remind_return", returnee.id)])
