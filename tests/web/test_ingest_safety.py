"""Hostile uploads and faults against the real server on loopback (issue 19): nothing an upload holds can
wipe, stall or crash the knowledge base, and every refusal says why."""

from __future__ import annotations

import re
import shutil
from urllib.parse import quote

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
    before = server.indexed()
    job = server.ingest(("laughs.md", billion_laughs().encode()), ("hygiene.md", GOOD))
    assert job["status"] == "done", job
    skipped = job["detail"]["report"]["skipped"]
    assert [s["path"] for s in skipped] == ["laughs.md"]
    assert "alias" in skipped[0]["reason"]
    assert server.indexed() == before | {"hygiene.en"}
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
        assert server.indexed() == before | {"hygiene.en"}
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


# --- 10. any document id can be removed; ids are sanitised at ingest ------------------------------------

ODD_IDS = {"credit": "../up", "meetings": "a/b", "ferias": ""}


def _index_with_odd_ids(runtime: Runtime) -> None:
    """An index as an older version wrote it, before ids were sanitised."""
    store = runtime.index_store
    data = store.load()
    for chunk in data.chunks:
        chunk.doc_id = ODD_IDS.get(chunk.doc_id, chunk.doc_id)
    documents = {}
    for entry in data.documents.values():
        entry["doc_id"] = ODD_IDS.get(entry["doc_id"], entry["doc_id"])
        documents[f"{entry['doc_id']}.{entry['lang']}"] = entry
    data.documents = documents
    store.write(data, runtime.settings.ann_threshold)


def test_documents_with_slashes_dots_or_a_blank_id_can_be_removed(corpus_runtime):
    _index_with_odd_ids(corpus_runtime)
    with served(corpus_runtime) as server:
        assert {"../up.en", "../up.fr", "a/b.en", ".es"} <= server.indexed()
        for key in ("../up.en", "a/b.en", ".es"):
            response = server.client.delete(f"/v1/documents/{quote(key, safe='')}", headers=server.auth)
            assert response.status_code == 200, (key, response.text)
            assert response.json()["removed"] == [key]
        signed_in = server.client.post("/staff/login", data={"token": server.token}, follow_redirects=False)
        assert signed_in.status_code == 303
        page = server.client.get("/staff/documents").text
        actions = re.findall(r'action="(/staff/documents/[^"]+/delete)"', page)
        target = next(a for a in actions if "up.fr" in a)
        assert target == "/staff/documents/..%2Fup.fr/delete"
        removed = server.client.post(target, data={"confirmed": "yes"}, follow_redirects=False)
        assert removed.status_code == 303, removed.text
        assert not {"../up.en", "../up.fr", "a/b.en", ".es"} & server.indexed()
        assert "a/b.fr" in server.indexed()  # one language removed, the other kept


@pytest.mark.parametrize(
    ("declared", "expected"),
    [("../../etc/passwd", "etc/passwd"), ("   ", "blank"), ("a#b", "a-b"), ("x/./y/../z", "x/y/z")],
)
def test_ids_are_sanitised_at_ingest(server, declared, expected):
    text = f"---\nid: '{declared}'\nlang: en\ntitle: Odd\n---\n\n# Odd\n\nPackaging for local markets.\n"
    job = server.ingest(("blank.md", text.encode()))
    assert job["status"] == "done", job
    assert f"{expected}.en" in server.indexed()
    removed = server.client.delete(f"/v1/documents/{quote(expected, safe='')}", headers=server.auth)
    assert removed.status_code == 200 and removed.json()["removed"] == [f"{expected}.en"]


# --- 11. same names in one upload, an upload named like a guide --------------------------------------

PLAIN = "# Packaging\n\nGood packaging helps products sell at local markets and fairs.\n"


def test_files_with_one_stem_are_each_reported_not_silently_dropped(server):
    html = f"<html><body><h1>Packaging</h1><p>{PLAIN}</p></body></html>"
    job = server.ingest(("x.md", PLAIN.encode()), ("x.txt", PLAIN.encode()), ("x.html", html.encode()))
    report = job["detail"]["report"]
    assert report["added"] == ["x.en"]
    assert len(report["skipped"]) == 2
    for skipped in report["skipped"]:
        assert "same id and language" in skipped["reason"] and "x.en" in skipped["reason"]
    signed_in = server.client.post("/staff/login", data={"token": server.token}, follow_redirects=False)
    assert signed_in.status_code == 303
    page = server.client.get(f"/staff/jobs/{job['id']}").text
    assert "Skipped" in page and "same id and language" in page


def test_an_upload_named_like_a_guide_says_it_replaced_it(server):
    text = "Keep records of your loans and repayments every week, and compare lenders before you sign."
    job = server.ingest(("credit.md", text.encode()))
    report = job["detail"]["report"]
    assert report["updated"] == ["credit.en"]
    assert report["replaced"] == [{"key": "credit.en", "previous": "en/credit.md", "by": "credit.md"}]
    server.client.post("/staff/login", data={"token": server.token}, follow_redirects=False)
    page = server.client.get(f"/staff/jobs/{job['id']}").text
    assert "Replaced" in page and "en/credit.md" in page


# --- 14. too many files ------------------------------------------------------------------------------


def test_too_many_files_is_a_documented_413(server):
    limit = server.runtime.settings.max_upload_files
    files = [(f"g{i}.md", PLAIN.encode()) for i in range(limit + 1)]
    response = server.upload(*files)
    assert response.status_code == 413
    assert response.json()["code"] == "too_many_files"
    assert str(limit) in response.json()["message"]
    assert not (server.runtime.settings.data_dir / "uploads").exists()  # nothing was kept


def test_more_files_than_the_parser_takes_is_the_same_documented_413(server):
    response = server.upload(*[(f"g{i}.md", b"x") for i in range(1001)])
    assert response.status_code == 413, response.text
    assert response.json()["code"] == "too_many_files"
