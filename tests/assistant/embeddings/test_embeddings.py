"""The bundled MiniLM through sentence-transformers: the contract, and the traced (TorchScript) forward
pass gives the eager model's vectors."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from assistant.embeddings import SentenceTransformerEmbedder
from tests.assistant.embeddings.contract import EmbedderContract

pytestmark = pytest.mark.integration

TEXTS = [
    "hello",
    "Comment préparer un dossier de prêt pour la banque ?",
    "¿y cómo empiezo?",
    "Savings groups and microfinance help women who have no collateral. " * 30,  # past the 256-token cap
    "",
]


def test_the_bundled_model_is_traced_and_exact(minilm_embedder):
    real_embedder = minilm_embedder
    assert real_embedder.traced
    eager = SentenceTransformerEmbedder(trace=False)
    assert not eager.traced
    for batch in (TEXTS, TEXTS[:1], TEXTS * 8):  # one text, mixed lengths with padding, several batches
        traced_vectors, eager_vectors = real_embedder.embed_batch(batch), eager.embed_batch(batch)
        assert traced_vectors.shape == (len(batch), 384)
        np.testing.assert_allclose(traced_vectors, eager_vectors, atol=1e-5)
        np.testing.assert_allclose(np.linalg.norm(traced_vectors, axis=1), 1.0, atol=1e-5)


def test_a_model_whose_trace_differs_falls_back_to_eager(monkeypatch, caplog):
    monkeypatch.setattr(
        SentenceTransformerEmbedder, "_encode_traced", lambda self, traced, texts: self._encode_eager(texts) + 0.1
    )
    with caplog.at_level(logging.WARNING):
        embedder = SentenceTransformerEmbedder()
    assert not embedder.traced
    assert "using the eager model" in caplog.text
    assert embedder.embed_batch(["still works"]).shape == (1, 384)


class TestBundledMiniLM(EmbedderContract):
    multilingual = False  # English-centric: the reason multilingual-e5-small is the default

    @pytest.fixture
    def embedder(self, minilm_embedder):
        return minilm_embedder
