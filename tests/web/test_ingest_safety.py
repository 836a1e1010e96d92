"""Hostile uploads and faults against the real server on loopback (issue 19): nothing an upload holds can
wipe, stall or crash the knowledge base, and every refusal says why."""

from __future__ import annotations

import shutil

import pytest

from assistant import Runtime
from assistant.embeddings import HashEmbedder
from tests.assistant.knowledge.test_documents import billion_laughs
from tests.web.served import served

GOOD = b"---\nid: hygiene\nlang: en\ntitle: Food hygiene\n---\n\n# Food hygiene\n\nWash your hands before cooking.\n"


@pytest.fixture
def server(corpus_runtime):
    with served(corpus_runtime) as s:
        yield s


def test_front_matter_aliases_skip_the_file_with_its_reason_and_the_server_lives(server):
    before = server.keys()
    job = server.ingest(("laughs.md", billion_laughs().encode()), ("hygiene.md", GOOD))
    assert job["status"] == "done", job
    skipped = job["detail"]["report"]["skipped"]
    assert [s["path"] for s in skipped] == ["laughs.md"]
    assert "alias" in skipped[0]["reason"]
    assert server.keys() == before | {"hygiene.en"}
    assert server.client.get("/readyz").status_code == 200


# --- 1. an upload never becomes the whole index ---------------------------------------------------------


def _runtime_with(runtime: Runtime, **changes) -> Runtime:
    return Runtime(runtime.settings.model_copy(update=changes), embedder=HashEmbedder())


def _truncate_chunks(runtime: Runtime) -> None:
    store = runtime.index_store
    chunks = store.root / store.current_version() / "chunks.jsonl"
    chunks.write_text(chunks.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")


def _chunk_count(server) -> int:
    ready = server.client.get("/readyz")
    assert ready.status_code == 200, ready.text
    return int(ready.json()["detail"].split()[0])


@pytest.mark.parametrize("damage", ["chunk_tokens", "truncated_chunks"])
def test_an_upload_onto_an_unusable_index_rebuilds_every_document(corpus_runtime, damage):
    before = set(corpus_runtime.index_store.load().documents)
    if damage == "chunk_tokens":
        runtime = _runtime_with(corpus_runtime, chunk_tokens=64, chunk_overlap_tokens=8)
    else:
        _truncate_chunks(corpus_runtime)
        runtime = _runtime_with(corpus_runtime)
    with served(runtime) as server:
        job = server.ingest(("hygiene.md", GOOD))
        assert job["status"] == "done", job
        assert job["detail"]["report"]["rebuilt"], job
        assert server.keys() == before | {"hygiene.en"}
        assert _chunk_count(server) > len(before) + 1
        assert server.client.get("/v1/search", params={"q": "savings groups microfinance"}).json()["results"]


def test_a_rebuild_that_would_lose_documents_is_refused_and_the_old_version_stays(corpus_runtime, small_corpus):
    served_before = corpus_runtime.index_store.current_version()
    shutil.rmtree(small_corpus / "fr")  # the sources of credit.fr and meetings.fr are gone
    runtime = _runtime_with(corpus_runtime, chunk_tokens=64, chunk_overlap_tokens=8)
    with served(runtime) as server:
        job = server.ingest(("hygiene.md", GOOD))
        assert job["status"] == "failed", job
        assert "credit.fr" in job["error"] and "meetings.fr" in job["error"]
        assert str(corpus_runtime.settings.data_dir) not in job["error"]
        assert str(small_corpus) not in job["error"]
    assert corpus_runtime.index_store.current_version() == served_before
    assert corpus_runtime.index_store.problem(served_before) is None


def test_current_naming_garbage_answers_from_the_newest_complete_version(corpus_runtime):
    store = corpus_runtime.index_store
    good = store.current_version()
    store.current_file.write_text("../../etc/passwd\n", encoding="utf-8")
    with served(_runtime_with(corpus_runtime)) as server:
        ready = server.client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert good in ready.json()["detail"]
        found = server.client.get("/v1/search", params={"q": "loan file cash-flow records"}).json()
        assert found["results"][0]["doc_id"] == "credit"


def test_a_damaged_index_is_reported_without_server_paths(corpus_runtime):
    _truncate_chunks(corpus_runtime)
    with served(_runtime_with(corpus_runtime)) as server:
        ready = server.client.get("/readyz")
        assert ready.status_code == 503
        detail = ready.json()["detail"]
        assert "cannot be read" in detail or "inconsistent" in detail, detail
        assert "/" not in detail.replace("`mentor ingest`", ""), detail
