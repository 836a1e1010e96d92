"""Killing a real ingest part-way leaves the previous index usable (real model, real FAISS, on disk)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from assistant.config import Settings
from assistant.knowledge.ingest import EMBED_BATCH, Ingestor
from assistant.retrieval.index import IndexStore
from assistant.retrieval.search import Retriever
from tests.conftest import ROOT, guide, write

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _cached_rows(path) -> int:
    try:
        with sqlite3.connect(path) as db:
            return db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_sigkill_during_ingest_keeps_the_previous_index(tmp_path, small_corpus, minilm_embedder):
    settings = Settings(data_dir=tmp_path / "data", embedding_model="all-MiniLM-L6-v2", _env_file=None)
    first = Ingestor(settings, minilm_embedder).ingest([small_corpus])
    big = tmp_path / "big"
    for n in range(250):
        write(
            big / f"doc{n:03}.md",
            guide(
                f"doc{n:03}",
                "en",
                f"Guide {n}",
                {
                    f"Part {p}": f"Section {p} of guide {n} explains pricing, bookkeeping and export step {p * n}. " * 6
                    for p in range(4)
                },
            ),
        )
    cache = settings.cache_dir / "embeddings.sqlite"
    before = _cached_rows(cache)
    # MiniLM: a thousand passages must be embedded quickly enough to be killed in the middle.
    env = {**os.environ, "MENTOR_DATA_DIR": str(settings.data_dir), "MENTOR_EMBEDDING_MODEL": minilm_embedder.name}
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "ingest", str(big)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while _cached_rows(cache) <= before:  # embedding has started and written at least one batch
            assert proc.poll() is None, "ingest ended before it could be killed"
            assert time.monotonic() < deadline, "ingest never started embedding"
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    store = IndexStore(settings.index_dir)
    assert store.current_version() == first.version
    data = store.load()
    assert sorted(data.documents) == ["credit.en", "credit.fr", "ferias.es", "meetings.en", "meetings.fr"]
    hits = Retriever(data, minilm_embedder, settings).search("savings groups and microfinance", k=1).hits
    assert hits[0].chunk.doc_id == "credit"

    # The next ingest finishes the job, reusing the vectors the killed run had already cached.
    report = Ingestor(settings, minilm_embedder).ingest([big])
    assert len(report.added) == 250
    assert report.embedded <= report.chunks - EMBED_BATCH
    assert not list(settings.index_dir.glob("tmp-*"))
