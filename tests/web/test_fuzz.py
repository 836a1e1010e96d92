"""Schema-driven fuzzing of every operation in the OpenAPI document: whatever a client sends, the API answers
with a 2xx, 3xx or 4xx, never a 5xx.

Schemathesis collects its tests at import time, so the schema is read at import from an app that is built but
never started (generating the OpenAPI document touches no disk). Each test then sends its requests to a
separate app built by a fixture over the small corpus with the hash embedder in a per-test temporary data
directory, like the other HTTP tests. (`schemathesis.pytest.from_fixture` would avoid the import-time app,
but with pytest 9 it fails: it rewrites `Function._nodeid`, which pytest 9 no longer has.)

Every request carries an admin token, so the fuzzer gets past authentication into the handlers of the staff
routes (the 401/403 answers are covered in `test_security.py`). No operation is excluded; the console
(`/staff/...`) is not in the OpenAPI document, so it is not fuzzed here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from assistant.config import Settings
from tests.web.conftest import bearer
from web.app import create_app

_SCHEMA_ONLY = create_app(Settings(data_dir=Path("never-used"), embedding_model="hash", _env_file=None))
schema = schemathesis.openapi.from_dict(_SCHEMA_ONLY.openapi())


@pytest.fixture
def fuzzed_app(api_runtime) -> FastAPI:
    # Keeps what an accepted upload costs small (the fuzzer's files are small anyway).
    api_runtime.settings.max_upload_mb = 0.25
    return create_app(api_runtime.settings, api_runtime)


def test_the_fuzzer_sees_every_route():
    operations = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    paths = _SCHEMA_ONLY.openapi()["paths"]
    assert operations == {(m.upper(), p) for p, item in paths.items() for m in item}
    assert ("POST", "/v1/documents") in operations and len(operations) >= 10


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_a_server_error(case, fuzzed_app, tokens):
    response = case.call_and_validate(app=fuzzed_app, headers=bearer(tokens["admin"]), checks=[not_a_server_error])
    assert response.status_code < 500
