"""Fixtures for the HTTP tests: an app over the small corpus (hash embedder) and a token per role."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.ingest import Ingestor
from web.app import create_app


@pytest.fixture
def api_runtime(hash_runtime, small_corpus):
    """The hash runtime with the small corpus ingested and a low abstention threshold (hash vectors)."""
    hash_runtime.settings.abstain_threshold = 0.2
    Ingestor(hash_runtime.settings, hash_runtime.embedder).ingest([small_corpus])
    return hash_runtime


@pytest.fixture
def api(api_runtime):
    """A TestClient with the lifespan run (model, index and database loaded)."""
    with TestClient(create_app(api_runtime.settings, api_runtime)) as test_client:
        yield test_client


@pytest.fixture
def tokens(api_runtime) -> dict[str, str]:
    """One token per role: {'staff': ..., 'admin': ..., 'evaluator': ...}."""
    return {role: api_runtime.storage.create_token(f"{role}-user", role) for role in ("staff", "admin", "evaluator")}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
