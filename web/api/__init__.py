"""The JSON API under /api/v1, documented by the OpenAPI document generated from its schemas."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from web.api.schemas import Error


class AwardsApi(Api):
    ERROR_SCHEMA = Error

    def handle_http_exception(self, error):
        from web.errors import http_error_response

        return http_error_response(error)


def init_api(app: Flask) -> AwardsApi:
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": "Award-dossier approval: dossiers, documents, workflow events, votes."},
        "servers": [{"url": "/"}],
    })
    api = AwardsApi(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    from web.api import (
        council, decisions, disclosure, dossiers, forwardings, history, honours, nominees, notices, packets, reference,
        tokens,
    )

    for module in (tokens, reference, dossiers, nominees, notices, honours, disclosure, packets, council, decisions,
                   forwardings, history):
        api.register_blueprint(module.blp)
    return api
