"""Embedding models: one protocol, the real sentence-transformers implementation, a deterministic fake.

base.py                   the `Embedder` protocol and the query/passage prompt helpers
sentence_model.py         the real model (the bundled all-MiniLM-L6-v2 by default, offline)
hashing.py                `HashEmbedder`, the deterministic fake for fast unit tests
cache.py                  `CachedEmbedder`, passage vectors cached on disk by model and text hash
batching.py               `MicroBatcher`, concurrent queries embedded together in one call

`build_embedder(settings)` picks the implementation the settings name.
"""

from __future__ import annotations

import logging

from assistant.config import Settings
from assistant.embeddings.base import Embedder, embed_passages, embed_queries
from assistant.embeddings.cache import CachedEmbedder
from assistant.embeddings.hashing import HashEmbedder
from assistant.embeddings.sentence_model import SentenceTransformerEmbedder, resolve_model

log = logging.getLogger(__name__)

__all__ = [
    "CachedEmbedder",
    "Embedder",
    "HashEmbedder",
    "SentenceTransformerEmbedder",
    "build_embedder",
    "embed_passages",
    "embed_queries",
    "resolve_model",
]


def build_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for ('hash' gives the test fake)."""
    if settings.embedding_model == "hash":
        return HashEmbedder()
    log.info("loading embedding model %s", settings.embedding_model)
    return SentenceTransformerEmbedder(
        settings.embedding_model,
        device=settings.embedding_device,
        query_prompt=settings.embedding_query_prompt,
        passage_prompt=settings.embedding_passage_prompt,
        batch_size=settings.embedding_batch_size,
        trace=settings.embedding_trace,
    )
