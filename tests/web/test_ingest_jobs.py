"""Ingestion jobs against the real server on loopback (issue 19): bounded work refused with its reason,
staff cancel, and jobs a killed server left behind recovered at the next start."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import create_engine, text

from assistant import Runtime, start_ingest_worker
from assistant.embeddings import HashEmbedder
from assistant.storage.jobs import worker_name
from testkit.loopback import free_port
from tests.conftest import ROOT
from tests.web.served import served

PLAIN = "# Packaging\n\nGood packaging helps products sell at local markets and fairs.\n"


def _runtime_with(runtime: Runtime, **changes) -> Runtime:
    return Runtime(runtime.settings.model_copy(update=changes), embedder=HashEmbedder())


def _long_guide(words: int, topic: str = "packaging") -> bytes:
    sentences = [f"Sentence {i} about {topic} and selling at markets number {i}." for i in range(words // 10)]
    return ("# Long guide\n\n" + "\n\n".join(sentences) + "\n").encode()


# --- 3. bounded work, refused with a reason -------------------------------------------------------------


def test_a_document_over_the_text_limit_is_skipped_with_the_setting_named(corpus_runtime):
    with served(_runtime_with(corpus_runtime, ingest_max_document_chars=2000)) as server:
        job = server.ingest(("long.md", _long_guide(600)), ("short.md", PLAIN.encode()))
        assert job["status"] == "done", job
        [skipped] = job["detail"]["report"]["skipped"]
        assert skipped["path"] == "long.md"
        assert "MENTOR_INGEST_MAX_DOCUMENT_CHARS" in skipped["reason"] and "2000" in skipped["reason"]
        assert "short.en" in server.indexed() and "long.en" not in server.indexed()
        assert not (corpus_runtime.settings.data_dir / "uploads" / "long.md").exists()
        server.client.post("/staff/login", data={"token": server.token}, follow_redirects=False)
        assert "MENTOR_INGEST_MAX_DOCUMENT_CHARS" in server.client.get(f"/staff/jobs/{job['id']}").text


def test_chunks_per_document_and_per_ingest_are_bounded(corpus_runtime):
    runtime = _runtime_with(corpus_runtime, ingest_max_document_chunks=6, ingest_max_job_chunks=5)
    with served(runtime) as server:
        job = server.ingest(("a-big.md", _long_guide(1500)), ("b.md", _long_guide(300)), ("c.md", _long_guide(300)))
        reasons = {s["path"]: s["reason"] for s in job["detail"]["report"]["skipped"]}
        assert "MENTOR_INGEST_MAX_DOCUMENT_CHUNKS" in reasons["a-big.md"]
        assert "MENTOR_INGEST_MAX_JOB_CHUNKS" in reasons["c.md"]
        assert "b.en" in server.indexed()


def test_a_docx_whose_xml_is_too_large_to_parse_is_refused_with_the_reason(corpus_runtime, tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for i in range(3000):
        document.add_paragraph(f"Paragraph {i}: packaging and selling at local markets, fairs and shops.")
    path = tmp_path / "big.docx"
    document.save(path)
    with served(_runtime_with(corpus_runtime, ingest_max_docx_xml_mb=0.1)) as server:
        job = server.ingest(("big.docx", path.read_bytes()))
        [skipped] = job["detail"]["report"]["skipped"]
        assert "MENTOR_INGEST_MAX_DOCX_XML_MB" in skipped["reason"]


# --- 3. staff cancel ------------------------------------------------------------------------------------


@contextmanager
def _index_locked(runtime: Runtime):
    """Hold the index's writer lock, as a long ingest would: a job claimed meanwhile waits at its start."""
    runtime.settings.index_dir.mkdir(parents=True, exist_ok=True)
    with open(runtime.settings.index_dir / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _until(server, job_id: str, status: str, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while (job := server.job(job_id))["status"] != status and time.monotonic() < deadline:
        time.sleep(0.1)
    return job


def test_staff_cancel_a_running_and_a_queued_job_and_nothing_is_indexed(corpus_runtime):
    with served(corpus_runtime) as server:
        before = server.indexed()
        with _index_locked(corpus_runtime):
            first = server.upload(("one.md", PLAIN.encode())).json()["job_id"]
            second = server.upload(("two.md", PLAIN.replace("Packaging", "Labels").encode())).json()["job_id"]
            assert _until(server, first, "running")["status"] == "running"
            assert server.job(second)["status"] == "queued"
            queued = server.client.post(f"/v1/jobs/{second}/cancel", headers=server.auth)
            assert queued.status_code == 202 and queued.json()["status"] == "cancelled"
            server.client.post("/staff/login", data={"token": server.token}, follow_redirects=False)
            page = server.client.get(f"/staff/jobs/{first}").text
            assert f'action="/staff/jobs/{first}/cancel"' in page
            pressed = server.client.post(f"/staff/jobs/{first}/cancel", follow_redirects=False)
            assert pressed.status_code == 303
            assert server.job(first)["cancel_requested"]
        job = server.wait(first)
        assert job["status"] == "cancelled", job
        assert "one.md" in job["error"]  # named: it was not indexed
        assert server.indexed() == before
        assert not (corpus_runtime.settings.data_dir / "uploads" / "one.md").exists()
        assert "Cancelled" in server.client.get(f"/staff/jobs/{first}").text


def test_cancel_needs_an_editor_and_an_existing_job(corpus_runtime):
    with served(corpus_runtime) as server:
        reader = corpus_runtime.store.create_token("reader", "evaluator")
        response = server.client.post("/v1/jobs/nope/cancel", headers=server.auth)
        assert response.status_code == 404
        job_id = server.upload(("one.md", PLAIN.encode())).json()["job_id"]
        refused = server.client.post(f"/v1/jobs/{job_id}/cancel", headers={"Authorization": f"Bearer {reader}"})
        assert refused.status_code == 403


# --- 4. jobs a killed server left behind ----------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def job_runtime(request, corpus_runtime):
    """The corpus runtime on SQLite, and on PostgreSQL (a schema of its own) when MENTOR_TEST_DATABASE_URL is set."""
    if request.param == "sqlite":
        yield corpus_runtime
        return
    url = os.environ.get("MENTOR_TEST_DATABASE_URL", "")
    if not url:
        pytest.skip("PostgreSQL not configured: set MENTOR_TEST_DATABASE_URL (.ci/run sets it)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    scoped = f"{url}{separator}options={quote(f'-csearch_path={schema}')}"
    runtime = _runtime_with(corpus_runtime, database_url=scoped)
    try:
        yield runtime
    finally:
        runtime.database.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_jobs_left_running_and_queued_are_resumed_at_start_up(job_runtime):
    corpus_runtime = job_runtime
    uploads = corpus_runtime.settings.data_dir / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "left.md").write_text(PLAIN, encoding="utf-8")
    (uploads / "queued.md").write_text(PLAIN.replace("Packaging", "Labels"), encoding="utf-8")
    store = corpus_runtime.store
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = store.create_job("ingest", {"files": ["left.md"]})
    store.claim_job("ingest", f"{worker_name().split(':')[0]}:{dead.pid}:000000")  # a worker killed mid-job
    queued = store.create_job("ingest", {"files": ["queued.md"]})
    with served(corpus_runtime) as server:
        assert server.wait(left)["status"] == "done", server.job(left)
        assert server.wait(queued)["status"] == "done", server.job(queued)
        assert {"left.en", "queued.en"} <= server.indexed()


def test_a_job_interrupted_too_often_fails_with_the_reason_and_its_files_named(job_runtime):
    corpus_runtime = job_runtime
    uploads = corpus_runtime.settings.data_dir / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "cursed.md").write_text(PLAIN, encoding="utf-8")
    store = corpus_runtime.store
    job_id = store.create_job("ingest", {"files": ["cursed.md"]})
    for _ in range(2):
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        store.update_job(job_id, status="queued")
        store.claim_job("ingest", f"{worker_name().split(':')[0]}:{dead.pid}:000000")
    with served(corpus_runtime) as server:
        job = server.wait(job_id)
        assert job["status"] == "failed"
        assert "interrupted 2 times" in job["error"] and "cursed.md" in job["error"]
        assert "cursed.en" not in server.indexed()
        server.client.post("/staff/login", data={"token": server.token}, follow_redirects=False)
        page = server.client.get(f"/staff/jobs/{job_id}").text
        assert 'http-equiv="refresh"' not in page  # the page stops polling


def _serve_process(runtime: Runtime, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "MENTOR_DATA_DIR": str(runtime.settings.data_dir),
        "MENTOR_EMBEDDING_MODEL": "hash",
        "MENTOR_INGEST_HEARTBEAT_S": "0.5",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: kill -9 takes the server and its ingest worker
    )


def _ready(url: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not start")


def test_kill_9_during_an_ingest_then_restart_indexes_the_upload(corpus_runtime):
    token = corpus_runtime.store.create_token("editor", "staff")
    auth = {"Authorization": f"Bearer {token}"}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = _serve_process(corpus_runtime, port)
    try:
        _ready(url)
        with _index_locked(corpus_runtime):  # the job is claimed and waits: it is mid-ingest when killed
            files = [("files", ("late.md", PLAIN.encode()))]
            job_id = httpx.post(f"{url}/v1/documents", headers=auth, files=files, timeout=60).json()["job_id"]
            deadline = time.monotonic() + 120
            while httpx.get(f"{url}/v1/jobs/{job_id}", headers=auth).json()["status"] != "running":
                assert time.monotonic() < deadline
                time.sleep(0.1)
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(30)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
    assert corpus_runtime.store.job(job_id)["status"] == "running"  # left behind by the killed server
    server = _serve_process(corpus_runtime, port)
    try:
        _ready(url)
        deadline = time.monotonic() + 120
        while (job := httpx.get(f"{url}/v1/jobs/{job_id}", headers=auth).json())["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
        assert job["status"] == "done", job
        keys = {f"{d['doc_id']}.{d['lang']}" for d in httpx.get(f"{url}/v1/documents", headers=auth).json()}
        assert "late.en" in keys
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(60)


# --- how the worker runs ---------------------------------------------------------------------------------


def test_the_worker_process_runs_at_a_lower_priority_and_stops_on_request(corpus_runtime):
    handle = start_ingest_worker(corpus_runtime)
    try:
        deadline = time.monotonic() + 120
        while os.getpriority(os.PRIO_PROCESS, handle.runner.pid) < corpus_runtime.settings.ingest_nice:
            assert handle.alive() and time.monotonic() < deadline
            time.sleep(0.1)
        assert handle.runner.pid != os.getpid()
    finally:
        handle.stop()
    assert not handle.alive() and handle.runner.exitcode == 0  # stopped by its SIGTERM handler, not killed


def test_the_thread_worker_indexes_an_upload_too(corpus_runtime):
    with served(_runtime_with(corpus_runtime, ingest_worker="thread")) as server:
        job = server.ingest(("threaded.md", PLAIN.encode()))
        assert job["status"] == "done", job
        assert "threaded.en" in server.indexed()
