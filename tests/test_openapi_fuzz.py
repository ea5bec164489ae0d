"""Fuzzing every operation of the OpenAPI document as a submitter, the office and the chair: schemathesis'
coverage phase (boundary and out-of-range values of every parameter and field) and its fuzzing phase, with
no server error and no answer the document does not declare (status, media type, body).

The same requests on every run (the coverage cases are fixed, the fuzzing is derandomised) and few enough
that the three roles take a few minutes."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)
from sqlalchemy import update

from tests.factories import PDF
from web.storage import document_store
from workflow import operations as ops
from workflow.accounts import issue_token
from workflow.models import Notice, db

pytestmark = pytest.mark.postgres

# Every endpoint of API.md, and those added since.
API_ENDPOINTS = {
    ("post", "/api/v1/tokens"), ("get", "/api/v1/units"), ("get", "/api/v1/award-types"),
    ("patch", "/api/v1/award-types/{code}"), ("get", "/api/v1/award-types/{code}/changes"),
    ("get", "/api/v1/campaigns"), ("post", "/api/v1/campaigns"), ("post", "/api/v1/dossiers"),
    ("get", "/api/v1/dossiers"), ("get", "/api/v1/dossiers/{dossier_id}"), ("patch", "/api/v1/dossiers/{dossier_id}"),
    ("post", "/api/v1/dossiers/{dossier_id}/documents"),
    ("get", "/api/v1/dossiers/{dossier_id}/documents/{document_id}"),
    ("delete", "/api/v1/dossiers/{dossier_id}/documents/{document_id}"),
    ("post", "/api/v1/dossiers/{dossier_id}/events"), ("get", "/api/v1/dossiers/{dossier_id}/history"),
    ("post", "/api/v1/dossiers/{dossier_id}/votes"), ("get", "/api/v1/dossiers/{dossier_id}/tally"),
    ("get", "/api/v1/campaigns/{code}/honours-list"), ("post", "/api/v1/notices/{notice_id}/read"),
    ("post", "/api/v1/notices/{notice_id}/retry"), ("get", "/api/v1/nominees"),
    ("get", "/api/v1/nominees/{nominee_id}"), ("post", "/api/v1/nominees/{nominee_id}/merge"),
}
ROLES = {"submitter": "ba-dinh", "office": "van-phong", "chair": "thanh-hoi"}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
FUZZ_EXAMPLES = 10


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
    """Something to find: dossiers in several states of the submitter's unit and of another, with documents,
    a council, notices (some failed) and a decision."""
    factory.council(3)
    dossiers = [factory.dossier(state, unit="ba-dinh")
                for state in ("draft", "returned", "submitted", "council_review", "conferred")]
    factory.dossier("returned", unit="hoan-kiem")
    ops.add_document(factory.user_once("submitter", "ba-dinh"), dossiers[0], "danh_sach", "list.pdf", PDF,
                     document_store())
    db.session.execute(update(Notice).where(Notice.id % 2 == 0).values(status="failed"))
    db.session.commit()
    return dossiers


@pytest.fixture
def role_headers(factory, fuzz_data, role) -> dict:
    token, _ = issue_token(factory.user_once(role, ROLES[role]), 2)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    # The cases reach the application as the user they stand for, not only its refusals.
    assert factory.app.test_client().get("/api/v1/units", headers=headers).status_code == 200
    return headers


def problems_of(operation, cases, headers: dict) -> list[str]:
    problems = []
    for case in cases:
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 - report every case that fails
            problems.append(f"{operation.label}: {failure}")
        finally:
            db.session.rollback()
    return problems


def fuzzed_cases(operation) -> list:
    cases = []

    @given(case=st.one_of([operation.as_strategy(generation_mode=mode) for mode in MODES]))
    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None, derandomize=True, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    def collect(case):
        cases.append(case)

    collect()
    return cases


@pytest.mark.parametrize("role", sorted(ROLES))
def test_fuzzing_finds_no_server_error_and_no_answer_outside_the_document(app, fuzz_data, role_headers, role):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= len(API_ENDPOINTS)
    problems = []
    for operation in operations:
        # The coverage phase: each parameter and field at its bounds, just past them, of the wrong type, missing.
        coverage = schema.iter_coverage_cases(
            operation, generation_modes=MODES,
            generation_config=schema.config.generation_for(operation=operation, phase="coverage"))
        problems += problems_of(operation, coverage, role_headers)

        # The fuzzing phase: random valid and invalid requests, the same ones on every run.
        fuzzed = fuzzed_cases(operation)
        problems += problems_of(operation, fuzzed, role_headers)
    assert not problems, "\n\n".join(problems)
