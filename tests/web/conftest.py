"""Fixtures for the HTTP tests: an app over the small corpus (hash embedder) and a token per role."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from web.app import create_app


@pytest.fixture
def api_runtime(corpus_runtime):
    """The small corpus, ingested with the hash embedder (tests/conftest.py)."""
    return corpus_runtime


@pytest.fixture
def api(api_runtime):
    """A TestClient with the lifespan run (model, index and database loaded)."""
    with TestClient(create_app(api_runtime.settings, api_runtime)) as test_client:
        yield test_client


@pytest.fixture
def tokens(api_runtime) -> dict[str, str]:
    """One token per role: {'staff': ..., 'admin': ..., 'evaluator': ...}."""
    return {role: api_runtime.store.create_token(f"{role}-user", role) for role in ("staff", "admin", "evaluator")}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
