"""Shipped passage vectors: used when verified, refused (with a warning) when anything does not match."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

from assistant.embeddings import CachedEmbedder, HashEmbedder, load_seed, write_seed
from assistant.embeddings.seed import paths, text_key
from assistant.knowledge.ingest import Ingestor
from tests.conftest import write


class CountingEmbedder(HashEmbedder):
    """The hash fake, counting the texts it really embeds."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded = 0

    def embed_batch(self, texts):
        self.embedded += len(texts)
        return super().embed_batch(texts)


class OtherVectors(HashEmbedder):
    """Same name and width, other vectors: what a differently-computing engine looks like."""

    def embed_batch(self, texts):
        return np.roll(super().embed_batch(texts), 1, axis=1)


TEXTS = ["passage: Groupes d'épargne", "passage: Ferias comerciales", "passage: Loan file"]


@pytest.fixture
def seed_dir(tmp_path):
    embedder = HashEmbedder()
    rows = {text_key(t): v for t, v in zip(TEXTS, embedder.embed_batch(TEXTS), strict=True)}
    write_seed(tmp_path / "seed", embedder, rows)
    return tmp_path / "seed"


def test_verified_vectors_are_used_instead_of_the_model(seed_dir, tmp_path):
    inner = CountingEmbedder()
    seed = load_seed(seed_dir, inner)
    assert seed is not None and len(seed) == 3
    inner.embedded = 0  # the probe, embedded again to check the engine
    cached = CachedEmbedder(inner, tmp_path / "cache", seed)
    vectors = cached.embed_batch([*TEXTS, "passage: not shipped"])
    assert (cached.seeded, cached.misses, inner.embedded) == (3, 1, 1)
    np.testing.assert_array_equal(vectors, HashEmbedder().embed_batch([*TEXTS, "passage: not shipped"]))
    again = CachedEmbedder(inner, tmp_path / "cache", seed)
    again.embed_batch(TEXTS)
    assert (again.hits, again.seeded, inner.embedded) == (3, 0, 1)  # written to the cache the first time


def test_a_changed_file_is_refused(seed_dir, caplog):
    data, _ = paths(seed_dir, "hash-256")
    raw = bytearray(data.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    data.write_bytes(bytes(raw))
    with caplog.at_level(logging.WARNING):
        assert load_seed(seed_dir, HashEmbedder()) is None
    assert "fails its checksum" in caplog.text


def test_vectors_of_another_model_or_weights_are_refused(seed_dir, caplog):
    class Renamed(HashEmbedder):
        name = "hash-256"
        weights_sha256 = "f" * 64

    _, manifest = paths(seed_dir, "hash-256")
    with caplog.at_level(logging.WARNING):
        assert load_seed(seed_dir, Renamed()) is None
    assert "other model weights" in caplog.text
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**data, "model": "other"}))
    assert load_seed(seed_dir, HashEmbedder()) is None


def test_an_engine_that_computes_differently_here_is_refused(seed_dir, caplog):
    with caplog.at_level(logging.WARNING):
        assert load_seed(seed_dir, OtherVectors()) is None
    assert "probe" in caplog.text


def test_a_missing_folder_or_file_is_simply_no_seed(tmp_path):
    assert load_seed(None, HashEmbedder()) is None
    assert load_seed(tmp_path / "nothing", HashEmbedder()) is None


def test_an_ingest_embeds_only_the_guides_that_changed_since_the_vectors_were_shipped(settings, small_corpus, tmp_path):
    first = settings.model_copy(update={"data_dir": tmp_path / "a"})
    Ingestor(first, HashEmbedder()).ingest([small_corpus])
    cached = CachedEmbedder(HashEmbedder(), first.cache_dir)
    write_seed(tmp_path / "shipped", HashEmbedder(), cached.rows())
    cached.close()

    fresh = settings.model_copy(update={"data_dir": tmp_path / "b", "embedding_seed_dir": tmp_path / "shipped"})
    report = Ingestor(fresh, CountingEmbedder()).ingest([small_corpus])
    assert report.embedded == 0 and report.shipped == report.chunks > 0

    write(small_corpus / "es" / "ferias.md", (small_corpus / "es" / "ferias.md").read_text() + "\nNuevo párrafo.\n")
    changed = settings.model_copy(update={"data_dir": tmp_path / "c", "embedding_seed_dir": tmp_path / "shipped"})
    embedder = CountingEmbedder()
    report = Ingestor(changed, embedder).ingest([small_corpus])
    ferias = sum(1 for c in Ingestor(changed, embedder).index_store.load().chunks if c.doc_id == "ferias")
    assert report.embedded == embedder.embedded - 1 == ferias  # the probe check is the one extra text
    assert report.shipped == report.chunks - ferias
