"""A deterministic bag-of-words embedder: the fake that fast unit tests use instead of a real model."""

from __future__ import annotations

import hashlib
import re

import numpy as np

from assistant.embeddings.base import normalise


class HashEmbedder:
    """A deterministic bag-of-words embedder for fast unit tests; knows nothing about meaning."""

    name = "hash-256"
    dimension = 256
    query_prompt = ""
    passage_prompt = ""

    def __init__(self, max_tokens: int = 128) -> None:
        self.max_tokens = max_tokens

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
                out[row, int.from_bytes(digest[:4], "little") % self.dimension] += 1.0
        return normalise(out)

    def count_tokens(self, text: str) -> int:
        return len(re.findall(r"\w+|[^\w\s]", text))
