"""Index versions: the newest complete older version is the one kept, and CURRENT naming garbage or an
incomplete version falls back to the newest complete one."""

from __future__ import annotations

import pytest

from assistant.errors import IndexCorruptError
from assistant.knowledge.ingest import Ingestor
from assistant.retrieval.index import IndexStore
from tests.conftest import guide, write


def _truncate(store: IndexStore, version: str) -> None:
    chunks = store.root / version / "chunks.jsonl"
    chunks.write_text(chunks.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")


def test_a_write_keeps_the_newest_complete_version_not_a_damaged_newer_one(
    settings, small_corpus, hash_runtime, tmp_path
):
    ingestor = Ingestor(settings, hash_runtime.embedder)
    first = ingestor.ingest([small_corpus]).version
    upload = write(tmp_path / "uploads" / "new.md", guide("new", "en", "New", {"Part": "Packaging for markets."}))
    second = ingestor.ingest([upload]).version  # held only by the second version
    store = IndexStore(settings.index_dir)
    _truncate(store, second)
    assert store.problem(second) and store.problem(first) is None
    write(small_corpus / "en" / "other.md", guide("other", "en", "Other", {"Part": "Prices and margins."}))
    third = ingestor.ingest([small_corpus])
    assert store.versions() == [third.version, first]  # the damaged one went, the complete one stayed
    assert {"new.en", "other.en", "credit.fr"} <= set(store.load().documents)  # new.en read again from its file


def test_current_naming_an_incomplete_version_falls_back(settings, small_corpus, hash_runtime):
    ingestor = Ingestor(settings, hash_runtime.embedder)
    first = ingestor.ingest([small_corpus]).version
    write(small_corpus / "en" / "new.md", guide("new", "en", "New", {"Part": "Packaging for markets."}))
    second = ingestor.ingest([small_corpus]).version
    _truncate(IndexStore(settings.index_dir), second)
    store = IndexStore(settings.index_dir)  # a fresh reader, as another worker would be
    assert store.current_version() == first
    assert store.load().version == first


def test_current_naming_garbage_with_nothing_complete_is_corrupt_not_a_path(settings, small_corpus, hash_runtime):
    Ingestor(settings, hash_runtime.embedder).ingest([small_corpus])
    store = IndexStore(settings.index_dir)
    _truncate(store, store.current_version())
    store = IndexStore(settings.index_dir)
    with pytest.raises(IndexCorruptError) as info:
        store.load()
    assert str(settings.data_dir) not in str(info.value)
