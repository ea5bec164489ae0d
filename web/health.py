"""GET /healthz: is the database reachable, and the broker (or are jobs run in-process)?"""
import redis
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

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


@health.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # noqa: BLE001 - any failure means the database is not usable
        db.session.rollback()
        database = "down"
    body = {"status": "ok" if database == "ok" else "error", "database": database, "broker": broker_status()}
    return jsonify(body), 200 if database == "ok" else 503
