"""Notices reach their people exactly once through real Redis, Celery worker processes and SMTP servers,
when Redis, a worker or the mail server fails for a while."""
from __future__ import annotations

import contextlib
import uuid

import pytest
import redis
from sqlalchemy import func, select

from tests.conftest import make_app
from tests.delivery_support import MailSink, RedisServer, Workers, restore_celery, wait_for, worker_env
from tests.factories import Factory
from workflow.models import Notice, db

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker]


@contextlib.contextmanager
def queueing_app(base_app, postgres_url, redis_url, sink: MailSink, tmp_path, **settings):
    """The app as a web process of the distributed stack: jobs go to Redis, mail to the sink."""
    env = worker_env(postgres_url, redis_url, sink, tmp_path, **settings)
    flask_app = make_app(tmp_path / "web", postgres_url, **{
        "REDIS_URL": redis_url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": sink.port, "SMTP_TIMEOUT": 3, **settings})
    workers = Workers(tmp_path, env)
    try:
        with flask_app.app_context():
            yield flask_app, Factory(flask_app), workers
            db.session.remove()
    finally:
        workers.stop_all()
        sink.stop()
        restore_celery(base_app)


def counts_by_status() -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(select(Notice.status, func.count()).group_by(Notice.status))
    result = dict(rows.all())
    db.session.commit()
    return result


def all_keys() -> set[str]:
    keys = set(db.session.scalars(select(Notice.idempotency_key)))
    db.session.commit()
    return keys


def all_sent(expected: int):
    return lambda: counts_by_status() == {"sent": expected}


def submit_through_api(factory, submitter, dossiers):
    api = factory.api(submitter)
    for dossier in dossiers:
        response = api.post(f"/api/v1/dossiers/{dossier.id}/events", json={"event": "submit",
                                                                           "version": dossier.version})
        assert response.status_code == 200, response.json


def fresh(url: str) -> str:
    redis.Redis.from_url(url).flushdb()
    return url


def test_two_workers_relaying_at_once_send_no_notice_twice(app, postgres_url, redis_url, tmp_path):
    from tasks.jobs import relay_pending_notices

    sink = MailSink(delay=0.1).start()
    with queueing_app(app, postgres_url, fresh(redis_url), sink, tmp_path) as (flask_app, factory, workers):
        for _ in range(4):
            factory.user("office")
        for _ in range(10):
            factory.dossier("submitted")  # committed without queueing: only the relays will send
        assert counts_by_status() == {"pending": 40}
        relay_pending_notices.delay()
        relay_pending_notices.delay()
        workers.start("relay-a")
        workers.start("relay-b")
        wait_for(all_sent(40), 90, "all 40 notices sent")
        assert sink.keys() == {key: 1 for key in all_keys()}


def test_stop_redis_while_50_transitions_happen(app, postgres_url, tmp_path):
    from tasks.jobs import relay_pending_notices

    broker = RedisServer(tmp_path).start()
    sink = MailSink().start()
    with queueing_app(app, postgres_url, broker.url, sink, tmp_path) as (flask_app, factory, workers):
        try:
            factory.user("office")
            submitter = factory.user("submitter", "ba-dinh")
            dossiers = [factory.draft() for _ in range(50)]
            workers.start("a")
            broker.stop()
            submit_through_api(factory, submitter, dossiers)
            assert counts_by_status() == {"pending": 50}

            broker.start()
            relay_until(relay_pending_notices, all_sent(50), 120)
            assert sink.keys() == {key: 1 for key in all_keys()}
        finally:
            broker.stop()


def _in_transfer() -> int | None:
    """A notice whose content is on its way to the mail server right now."""
    notice_id = db.session.scalar(select(Notice.id).where(Notice.status == "sending",
                                                          Notice.handed_over_at.is_not(None)))
    db.session.commit()
    return notice_id


def relay_until(relay, condition, timeout: float) -> None:
    """Run the relay sweep every two seconds (as beat would every minute) until the condition holds."""
    def published_and_done():
        if condition():
            return True
        _published(relay)
        return wait_for_quietly(condition, 2)

    wait_for(published_and_done, timeout, "the relay sweep to deliver everything")


def wait_for_quietly(condition, timeout: float) -> bool:
    try:
        return wait_for(condition, timeout)
    except AssertionError:
        return False


def _published(task) -> bool:
    try:
        task.delay()
    except Exception:  # noqa: BLE001 - the broker is still coming back
        return False
    return True


def test_kill_a_worker_while_it_sends(app, postgres_url, redis_url, tmp_path):
    from tasks.jobs import relay_pending_notices

    # The server takes seconds to commit each message, so the kill lands while it is receiving one.
    sink = MailSink(delay=2.0).start()
    slow_server = {"SMTP_TIMEOUT": 6, "NOTICE_STALE_CLAIM_SECONDS": 10}
    with queueing_app(app, postgres_url, fresh(redis_url), sink, tmp_path, **slow_server) as (flask_app, factory,
                                                                                               workers):
        for _ in range(6):
            factory.user("office")
        submitter = factory.user("submitter", "ba-dinh")
        submit_through_api(factory, submitter, [factory.draft()])
        first = workers.start("doomed")
        wait_for(lambda: len(sink.received) >= 1 and _in_transfer(), 60,
                 "the first worker to send a notice and be in the middle of the next")
        workers.kill(first)
        interrupted_id = _in_transfer()
        assert db.session.get(Notice, interrupted_id).status == "sending"
        db.session.commit()

        workers.start("survivor")
        relay_until(relay_pending_notices, lambda: counts_by_status() == {"sent": 6}, 90)
        # The server dropped the transaction the dead worker left unfinished; the recovered claim sent it again.
        assert sink.keys() == {key: 1 for key in all_keys()}
        assert db.session.get(Notice, interrupted_id).attempts == 2


def test_smtp_down_then_up_and_a_permanent_failure(app, postgres_url, redis_url, tmp_path):
    sink = MailSink()
    with queueing_app(app, postgres_url, fresh(redis_url), sink, tmp_path) as (flask_app, factory, workers):
        offices = [factory.user("office") for _ in range(5)]
        submitter = factory.user("submitter", "ba-dinh")
        workers.start("a")
        submit_through_api(factory, submitter, [factory.draft()])

        def retried_while_down():
            db.session.expire_all()
            rows = list(db.session.scalars(select(Notice)))
            db.session.commit()
            return len(rows) == 5 and all(r.attempts >= 2 and r.status == "pending" and r.last_error for r in rows)

        wait_for(retried_while_down, 60, "every notice to be tried twice while the mail server is down")
        sink.start()
        wait_for(all_sent(5), 60, "the notices to go out once the mail server is back")
        assert sink.keys() == {key: 1 for key in all_keys()}

        refused = factory.user("office", username=f"gone-{uuid.uuid4().hex[:6]}")
        sink.refused.add(refused.email)
        submit_through_api(factory, submitter, [factory.draft()])
        wait_for(lambda: counts_by_status() == {"sent": 10, "failed": 1}, 60, "one permanent failure")

        office_api = factory.api(offices[0])
        failed = office_api.get("/api/v1/notices?status=failed")
        assert failed.status_code == 200
        assert [(row["recipient"], row["attempts"]) for row in failed.json] == [(refused.username, 1)]
        assert "550" in failed.json[0]["last_error"]
        assert factory.api(submitter).get("/api/v1/notices?status=failed").status_code == 403

        sink.refused.clear()
        retried = office_api.post(f"/api/v1/notices/{failed.json[0]['id']}/retry")
        assert retried.status_code == 200, retried.json
        wait_for(all_sent(11), 60, "the retried notice to go out")
        assert sink.keys() == {key: 1 for key in all_keys()}
        assert office_api.post(f"/api/v1/notices/{failed.json[0]['id']}/retry").status_code == 409
