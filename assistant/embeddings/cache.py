"""An on-disk cache of passage vectors keyed by model and text hash, wrapped around any embedder.

A text the cache lacks is looked up in the shipped vectors (`seed.py`) when given, then embedded; either
way it is written to the cache, so the next ingest of the same text costs a lookup.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import numpy as np

from assistant.embeddings.base import Embedder
from assistant.embeddings.seed import SeedVectors, text_key


class CachedEmbedder:
    """Wraps an embedder with an on-disk cache keyed by model and text hash (SQLite, float32 blobs)."""

    def __init__(self, inner: Embedder, cache_dir: Path, seed: SeedVectors | None = None) -> None:
        self.inner = inner
        self.seed = seed if seed is not None and seed.model == inner.name else None
        self.name = inner.name
        self.dimension = inner.dimension
        self.max_tokens = inner.max_tokens
        self.query_prompt = inner.query_prompt
        self.passage_prompt = inner.passage_prompt
        cache_dir.mkdir(parents=True, exist_ok=True)
        self.path = cache_dir / "embeddings.sqlite"
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS embeddings (model TEXT, text_hash TEXT, vector BLOB, "
            "PRIMARY KEY (model, text_hash))"
        )
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0  # texts the model had to embed
        self.seeded = 0  # texts found in the shipped vectors

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        keys = [text_key(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                part = keys[start : start + 500]
                rows = self._db.execute(
                    f"SELECT text_hash, vector FROM embeddings WHERE model = ? AND text_hash IN "
                    f"({','.join('?' * len(part))})",
                    [self.name, *part],
                ).fetchall()
                found.update((k, np.frombuffer(v, dtype=np.float32)) for k, v in rows)
        missing = [i for i, k in enumerate(keys) if k not in found]
        self.hits += len(texts) - len(missing)
        fresh: dict[str, np.ndarray] = {}
        if self.seed is not None:
            for i in missing:
                vector = self.seed.get(keys[i])
                if vector is not None:
                    fresh[keys[i]] = vector
            self.seeded += len(fresh)
        embed = [i for i in missing if keys[i] not in fresh]
        self.misses += len(embed)
        if embed:
            vectors = self.inner.embed_batch([texts[i] for i in embed])
            fresh.update((keys[i], vectors[j]) for j, i in enumerate(embed))
        if fresh:
            with self._lock, self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)",
                    [(self.name, key, np.asarray(v, dtype=np.float32).tobytes()) for key, v in fresh.items()],
                )
            found.update(fresh)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([found[k] for k in keys]).astype(np.float32)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def close(self) -> None:
        self._db.close()

    def rows(self) -> dict[str, np.ndarray]:
        """Every vector cached for this model, by text key (what `mentor kb export-vectors` ships)."""
        with self._lock:
            rows = self._db.execute("SELECT text_hash, vector FROM embeddings WHERE model = ?", [self.name]).fetchall()
        return {key: np.frombuffer(blob, dtype=np.float32) for key, blob in rows}
