"""The deterministic fake and the on-disk cache keep the embedder contract (fast, no model)."""

from __future__ import annotations

import pytest

from assistant.embeddings import CachedEmbedder, HashEmbedder
from tests.assistant.embeddings.contract import EmbedderContract


class TestHashEmbedder(EmbedderContract):
    knows_meaning = False

    @pytest.fixture
    def embedder(self):
        return HashEmbedder()


class TestCachedEmbedder(EmbedderContract):
    knows_meaning = False

    @pytest.fixture
    def embedder(self, tmp_path):
        cached = CachedEmbedder(HashEmbedder(), tmp_path / "cache")
        yield cached
        cached.close()
