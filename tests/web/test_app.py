"""The HTTP API: health, readiness, search and JSON errors (in-process), and a real server on loopback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.knowledge.ingest import Ingestor
from tests.conftest import ROOT
from web.app import create_app


@pytest.fixture
def client(hash_runtime, small_corpus):
    Ingestor(hash_runtime.settings, hash_runtime.embedder).ingest([small_corpus])
    with TestClient(create_app(hash_runtime.settings, hash_runtime)) as test_client:
        yield test_client


def test_health_and_ready(client):
    assert client.get("/healthz").json() == {"status": "ok", "detail": None}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_not_ready_before_any_ingest(hash_runtime):
    with TestClient(create_app(hash_runtime.settings, hash_runtime)) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert "mentor ingest" in ready.json()["detail"]
        search = client.get("/v1/search", params={"q": "credit"})
        assert search.status_code == 503
        assert search.json()["code"] == "not_indexed"


def test_search_returns_the_cli_shape(client):
    response = client.get("/v1/search", params={"q": "savings groups microfinance", "k": 2})
    assert response.status_code == 200
    data = response.json()
    assert data["language"] == "en"
    assert data["results"][0]["chunk_id"] == "credit.en#savings-groups-1"
    assert len(data["results"]) == 2


@pytest.mark.parametrize(
    "params",
    [{"q": ""}, {"q": "   "}, {"q": "credit", "k": "many"}, {"q": "credit", "k": 0}, {"q": "credit", "lang": "de"}, {}],
)
def test_bad_search_parameters_are_4xx_json(client, params):
    response = client.get("/v1/search", params=params)
    assert 400 <= response.status_code < 500
    body = response.json()
    assert set(body) == {"code", "message"} and body["message"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.integration
def test_real_server_on_loopback(kb_runtime):
    port = _free_port()
    env = {
        **os.environ,
        "MENTOR_DATA_DIR": str(kb_runtime.settings.data_dir),
        "MENTOR_EMBEDDING_MODEL": kb_runtime.embedder.name,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        else:
            pytest.fail("server never became ready")
        response = httpx.get(
            f"http://127.0.0.1:{port}/v1/search",
            params={"q": "dans quels pays le programme de coopération volontaire est présent", "k": 3},
        )
        assert response.status_code == 200
        data = response.json()
        assert data["language"] == "fr"
        assert data["results"][0]["language"] == "fr"
        assert data["results"][0]["doc_id"] == "programme-overview"
        assert json.loads(httpx.get(f"http://127.0.0.1:{port}/openapi.json").text)["paths"]["/v1/search"]
    finally:
        server.terminate()
        server.wait(timeout=20)
