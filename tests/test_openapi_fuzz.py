"""Fuzzing every operation of the OpenAPI document: no 5xx, and every answer fits the document."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from workflow.accounts import issue_token
from workflow.models import db

# Every endpoint of API.md (the honours list belongs to a later part of the work).
API_ENDPOINTS = {
    ("post", "/api/v1/tokens"), ("get", "/api/v1/units"), ("get", "/api/v1/award-types"),
    ("get", "/api/v1/campaigns"), ("post", "/api/v1/campaigns"), ("post", "/api/v1/dossiers"),
    ("get", "/api/v1/dossiers"), ("get", "/api/v1/dossiers/{dossier_id}"), ("patch", "/api/v1/dossiers/{dossier_id}"),
    ("post", "/api/v1/dossiers/{dossier_id}/documents"),
    ("get", "/api/v1/dossiers/{dossier_id}/documents/{document_id}"),
    ("delete", "/api/v1/dossiers/{dossier_id}/documents/{document_id}"),
    ("post", "/api/v1/dossiers/{dossier_id}/events"), ("get", "/api/v1/dossiers/{dossier_id}/history"),
    ("post", "/api/v1/dossiers/{dossier_id}/votes"), ("get", "/api/v1/dossiers/{dossier_id}/tally"),
}
MAX_EXAMPLES = 15


def test_the_document_describes_every_endpoint_of_the_api(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    described = {(method, path) for path, operations in document["paths"].items()
                 for method in operations if method != "parameters"}
    assert API_ENDPOINTS <= described
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert all(p["in"] in ("path", "query", "header", "cookie") for p in operation.get("parameters", [])), \
                (method, path)
            assert operation.get("summary"), (method, path)
            if path != "/api/v1/tokens":
                assert operation.get("security") == [{"bearerAuth": []}], (method, path)


@pytest.fixture
def fuzz_data(factory):
    """Something to find: dossiers in several states of the submitter's unit, with documents, and a council."""
    factory.council(3)
    dossiers = [factory.dossier(state, unit="ba-dinh") for state in ("draft", "submitted", "council_review")]
    factory.dossier("returned", unit="hoan-kiem")
    return dossiers


@pytest.mark.parametrize("role, unit", [("submitter", "ba-dinh"), ("office", "van-phong"), (None, None)],
                         ids=["submitter", "office", "anonymous"])
def test_fuzzing_finds_no_server_error_and_no_answer_outside_the_schema(app, factory, fuzz_data, role, unit):
    headers = {}
    if role:
        token, _ = issue_token(factory.user(role, unit), 2)
        db.session.commit()
        headers["Authorization"] = f"Bearer {token}"
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    problems = []
    answered: dict[str, set[int]] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= len(API_ENDPOINTS)

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call_and_validate(headers=headers,
                                              checks=[not_a_server_error, response_schema_conformance])
            answered.setdefault(f"{case.method.upper()} {case.path}", set()).add(response.status_code)

        try:
            check()
        except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 - report every operation's failures
            problems.append(f"{operation.method.upper()} {operation.path}: {failure}")
        finally:
            db.session.rollback()

    assert not problems, "\n\n".join(problems)
    # The cases reached the application as the user they stand for, not only its refusals.
    expected = {200} if role else {401}
    for path in ("/api/v1/units", "/api/v1/award-types", "/api/v1/campaigns", "/api/v1/dossiers"):
        assert answered[f"GET {path}"] & expected, (path, answered[f"GET {path}"])
