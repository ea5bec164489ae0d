"""The web app the HTTP benchmark serves under gunicorn: `gunicorn 'bench.http_server:create_server()'`.

It is the product's app as deployed, plus a baseline blueprint under /bench/raw that does one
step's writes of the raw-SQL workload on a psycopg connection of its own, with no checks. The
settings come from the environment variables below, which bench/http.py sets.
"""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import psycopg
from flask import Blueprint, Flask, request

from bench.harness import app_settings
from bench.workload import Cast, raw_transition, raw_vote

DATABASE_URL = "BENCH_HTTP_DATABASE_URL"  # a plain postgresql:// URL
REDIS_URL = "BENCH_HTTP_REDIS_URL"
FOLDER = "BENCH_HTTP_FOLDER"
CAST = "BENCH_HTTP_CAST"  # the Cast's fields, as JSON


def create_server() -> Flask:
    from web import create_app
    from web.security import csrf

    database_url = os.environ[DATABASE_URL]
    app = create_app("production", **app_settings(Path(os.environ[FOLDER]), database_url,
                                                  REDIS_URL=os.environ[REDIS_URL], RATELIMIT_ENABLED=True))
    fields = json.loads(os.environ[CAST])
    baseline = raw_blueprint(database_url, Cast(**{**fields, "council": tuple(fields["council"])}))
    csrf.exempt(baseline)
    app.register_blueprint(baseline)
    return app


def raw_blueprint(database_url: str, cast: Cast) -> Blueprint:
    """POST /bench/raw/dossiers/<id>/events {"event", "version", "previous"} -> {"version", "hash"};
    POST /bench/raw/dossiers/<id>/votes {"member"} -> 201. One transaction each."""
    blueprint = Blueprint("bench_raw", __name__, url_prefix="/bench/raw")
    local = threading.local()

    def connection() -> psycopg.Connection:
        if getattr(local, "conn", None) is None or local.conn.closed:
            local.conn = psycopg.connect(database_url)
        return local.conn

    @blueprint.post("/dossiers/<int:dossier_id>/events")
    def event(dossier_id: int):
        body = request.get_json()
        conn = connection()
        with conn.transaction():
            digest = raw_transition(conn, cast, dossier_id, body["event"], body["version"], body["previous"])
        return {"version": body["version"] + 1, "hash": digest}

    @blueprint.post("/dossiers/<int:dossier_id>/votes")
    def vote(dossier_id: int):
        conn = connection()
        with conn.transaction():
            raw_vote(conn, dossier_id, request.get_json()["member"])
        return {"dossier": dossier_id, "voted": True}, 201

    return blueprint
