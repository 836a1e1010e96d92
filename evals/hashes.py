"""The hashes a report records so two runs can be told apart: the dataset, the knowledge base, the model, the
configurations.

The same inputs always give the same hashes; a report's figures are only comparable with another's (a baseline)
when they match.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from assistant.embeddings import resolve_model
from assistant.embeddings.e5_model import E5_ALIASES, WEIGHTS_SHA256
from assistant.errors import AssistantError
from assistant.knowledge.ingest import collect_files


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def tree_hash(paths: list[Path]) -> str:
    """One hash of every file's relative path and content (the knowledge base, a model folder)."""
    digest = hashlib.sha256()
    for file, root, _ in collect_files(paths):
        digest.update(str(file.relative_to(root)).encode() + b"\0" + sha256_file(file).encode() + b"\n")
    return "sha256:" + digest.hexdigest()


def model_hash(name: str) -> str:
    if name.lower() in E5_ALIASES:
        return f"{name} sha256:{WEIGHTS_SHA256}"  # the weights file, checked at every load
    try:
        location = Path(resolve_model(name))
    except AssistantError:  # a missing bundled package or folder is reported by the runtime itself
        return f"{name} (unresolved)"
    return f"{name} {tree_hash([location])}" if location.is_dir() else f"{name} (hub name, not hashed)"


def run_hashes(dataset: Path | None, kb: Path, model: str, configs: dict[str, str]) -> dict:
    """The `hashes` of report.json (`dataset` is the clean set, None when it was not run); `configs` maps each
    configuration to the digest of its fingerprint."""
    return {
        "dataset": "sha256:" + sha256_file(dataset) if dataset else None,
        "knowledge_base": tree_hash([kb]),
        "model": model_hash(model),
        "configs": configs,
    }
