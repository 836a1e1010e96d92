"""Shipped passage vectors: the bundled knowledge base embedded once, so a fresh clone serves in seconds.

multilingual-e5-small costs about 0.3 s of CPU per passage here: embedding the bundled guides on a fresh
clone would take minutes before `make run` serves. The vectors of the bundled guides' passages are
therefore shipped (`knowledge_base/vectors/<model>.npz`, keyed like the on-disk cache by the SHA-256 of
the exact text the model saw, prompt included) with a manifest (`<model>.json`) that makes them checkable:

- the file's own SHA-256 (a truncated or edited file is refused);
- the model's name and dimension, and the SHA-256 of the model's weights (another model version is refused);
- a probe: one text and its vector, embedded again at load by the live model, which must give the same
  vector (an engine that computes differently on this CPU is refused).

A refused file is said once, as a warning, and ignored: everything is embedded as usual. A guide that
changed has new text hashes, so its passages miss the shipped vectors and are embedded (and cached) at
ingest, while the unchanged guides still come from here. `mentor kb export-vectors` writes the files.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.embeddings.base import Embedder

log = logging.getLogger(__name__)

PROBE = "passage: Les groupes d'épargne aident les femmes entrepreneures sans garantie."
PROBE_TOLERANCE = 1e-5


def text_key(text: str) -> str:
    """The key of one embedded text, here and in the on-disk cache."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class SeedVectors:
    """Read-only vectors by text key, for one model."""

    model: str
    vectors: dict[str, np.ndarray]

    def get(self, key: str) -> np.ndarray | None:
        return self.vectors.get(key)

    def __len__(self) -> int:
        return len(self.vectors)


def paths(folder: Path, model: str) -> tuple[Path, Path]:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in model)
    return folder / f"{safe}.npz", folder / f"{safe}.json"


def write_seed(folder: Path, embedder: Embedder, rows: dict[str, np.ndarray]) -> Path:
    """Write `rows` (text key -> vector of `embedder`'s model) and its manifest; returns the vectors' path."""
    folder.mkdir(parents=True, exist_ok=True)
    data_path, manifest_path = paths(folder, embedder.name)
    keys = sorted(rows)
    matrix = np.stack([rows[k] for k in keys]).astype(np.float32) if keys else np.zeros((0, embedder.dimension))
    with data_path.open("wb") as handle:
        np.savez_compressed(handle, keys=np.array(keys, dtype="S64"), vectors=matrix.astype(np.float32))
    manifest = {
        "model": embedder.name,
        "dimension": embedder.dimension,
        "weights_sha256": getattr(embedder, "weights_sha256", None),
        "count": len(keys),
        "sha256": file_sha256(data_path),
        "probe": {"text": PROBE, "vector": [round(float(x), 7) for x in embedder.embed_batch([PROBE])[0]]},
    }
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return data_path


def load_seed(folder: Path | None, embedder: Embedder) -> SeedVectors | None:
    """The shipped vectors for `embedder`'s model if present and verified; None (with a warning) otherwise."""
    if folder is None:
        return None
    data_path, manifest_path = paths(folder, embedder.name)
    if not data_path.exists() or not manifest_path.exists():
        return None
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        problem = _problem(manifest, data_path, embedder)
        if problem is None:
            with np.load(data_path, allow_pickle=False) as archive:
                keys, matrix = archive["keys"], archive["vectors"]
            if len(keys) != manifest["count"] or matrix.shape != (len(keys), embedder.dimension):
                problem = "its shape does not match its manifest"
    except (OSError, ValueError, KeyError, TypeError) as exc:
        problem = f"it cannot be read ({exc.__class__.__name__}: {exc})"
    if problem is not None:
        log.warning("ignoring the shipped passage vectors %s: %s; every passage will be embedded", data_path, problem)
        return None
    vectors = {k.decode("ascii"): row for k, row in zip(keys, matrix.astype(np.float32), strict=True)}
    log.info("%d shipped passage vectors for %s verified", len(vectors), embedder.name)
    return SeedVectors(embedder.name, vectors)


def _problem(manifest: dict, data_path: Path, embedder: Embedder) -> str | None:
    if manifest.get("model") != embedder.name or manifest.get("dimension") != embedder.dimension:
        return f"they are for {manifest.get('model')!r} ({manifest.get('dimension')}-d), not {embedder.name!r}"
    weights = getattr(embedder, "weights_sha256", None)
    if weights is not None and manifest.get("weights_sha256") != weights:
        return "they were computed with other model weights"
    if file_sha256(data_path) != manifest.get("sha256"):
        return "the file fails its checksum"
    probe = manifest["probe"]
    expected = np.asarray(probe["vector"], dtype=np.float32)
    got = embedder.embed_batch([probe["text"]])[0]
    if expected.shape != got.shape or float(np.max(np.abs(expected - got))) > PROBE_TOLERANCE:
        return "the model gives another vector for the probe text on this machine"
    return None
