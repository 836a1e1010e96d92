"""The embedding protocol: what retrieval needs from a model, and the query/passage conveniences built on it.

An implementation writes one primitive, `embed_batch(texts)` returning L2-normalised float32 rows, plus
`count_tokens`. Query and passage prompts (e5 style) are added here, once, for every implementation.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """What retrieval needs from an embedding model."""

    name: str
    dimension: int
    max_tokens: int
    query_prompt: str
    passage_prompt: str

    def embed_batch(self, texts: list[str]) -> np.ndarray: ...

    def count_tokens(self, text: str) -> int: ...


def embed_queries(embedder: Embedder, texts: list[str]) -> np.ndarray:
    return embedder.embed_batch([embedder.query_prompt + t for t in texts])


def embed_passages(embedder: Embedder, texts: list[str]) -> np.ndarray:
    return embedder.embed_batch([embedder.passage_prompt + t for t in texts])


def normalise(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms
