"""/readyz says the speech model's state in `asr`, without changing its status or its other fields."""

from __future__ import annotations

from fastapi.testclient import TestClient

from assistant.knowledge.ingest import Ingestor
from assistant.speech import ScriptedTranscriber
from web.app import create_app


def test_ready_says_the_speech_model_is_not_loaded_yet(hash_runtime, small_corpus):
    Ingestor(hash_runtime.settings, hash_runtime.embedder).ingest([small_corpus])
    with TestClient(create_app(hash_runtime.settings, hash_runtime)) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready" and ready.json()["asr"] == "not loaded"


def test_not_ready_still_says_the_speech_state(hash_runtime):
    hash_runtime.transcriber = ScriptedTranscriber()
    with TestClient(create_app(hash_runtime.settings, hash_runtime)) as client:
        ready = client.get("/readyz")
        assert client.get("/healthz").json() == {"status": "ok", "detail": None}
    assert ready.status_code == 503
    assert ready.json()["asr"] == "ready" and "mentor ingest" in ready.json()["detail"]
