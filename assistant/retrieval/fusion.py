"""Fusion weights: how much the dense side counts, per embedding model and query language.

The weights are measured, not guessed: `python -m evals.calibrate_fusion` grid-searches the dense weight
per language on the evaluation questions and writes `fusion_weights.json` beside this module. The bundled
MiniLM is English-centric, so for French and Spanish BM25 leads; a multilingual model earns more weight.
A model never measured gets the conservative default, and a warning.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from assistant.embeddings.thresholds import UNMEASURABLE, cutoff, warn_unmeasured

WEIGHTS_FILE = Path(__file__).with_name("fusion_weights.json")
DEFAULT_DENSE_WEIGHT = 0.3


@lru_cache(maxsize=1)
def _table() -> dict:
    try:
        return json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"models": {}}


def dense_weight(model: str, language: str, override: float | None = None) -> float:
    if override is not None:
        return override
    per_model = _table().get("models", {}).get(model)
    if per_model is None:
        if model not in UNMEASURABLE:
            warn_unmeasured(model, "the fusion's dense weight")
        per_model = {}
    return float(per_model.get(language, per_model.get("default", DEFAULT_DENSE_WEIGHT)))


def cross_language_penalty(model: str, override: float | None = None) -> float:
    """The factor for chunks in another language than the query's, measured for `model` (thresholds.json):
    MiniLM's 0.8 would bury a French guide that answers a Spanish question under e5's crowded scores."""
    return override if override is not None else float(cutoff(model, "cross_language_penalty"))


def language_centred(model: str) -> bool:
    """Whether the dense scores of `model` are centred per language before fusion (measured: thresholds.json)."""
    return bool(cutoff(model, "language_centring"))


def fuse(bm25: float, bm25_max: float, dense: float, dense_max: float, weight: float) -> float:
    """Convex combination of theoretically min-max normalised scores (BM25 floor 0, cosine floor 0)."""
    lexical = bm25 / bm25_max if bm25_max > 0 else 0.0
    semantic = max(dense, 0.0) / dense_max if dense_max > 0 else 0.0
    return weight * semantic + (1.0 - weight) * lexical
