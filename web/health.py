"""GET /healthz: is the database reachable, the broker (or are jobs run in-process), and can the stores be written?"""
import redis
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from web.backup import object_stores
from workflow.models import db

health = Blueprint("health", __name__)


def broker_status() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "eager"
    try:
        redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return "down"
    return "ok"


def storage_status() -> str:
    return "ok" if all(store.status() == "ok" for store in object_stores().values()) else "down"


@health.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # noqa: BLE001 - any failure means the database is not usable
        db.session.rollback()
        database = "down"
    storage = storage_status()
    healthy = database == "ok" and storage == "ok"
    body = {"status": "ok" if healthy else "error", "database": database, "broker": broker_status(),
            "storage": storage}
    return jsonify(body), 200 if healthy else 503
