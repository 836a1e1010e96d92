"""Matching's text similarity: embedding cosines rescaled to 0..1 between cut-offs measured per model.

MiniLM's unrelated texts sit near cosine 0.1 and close ones near 0.7; multilingual-e5-small crowds
everything between 0.7 and 1.0. The same 0..1 similarity therefore needs each model's own [low, high]
(assistant/embeddings/thresholds.json, measured by `python -m evals.calibrate_thresholds`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.embeddings.thresholds import cutoff, scale


def rescale(cos: np.ndarray, low: float = 0.2, high: float = 0.7) -> np.ndarray:
    return np.clip((cos - low) / (high - low), 0.0, 1.0)


@dataclass(frozen=True)
class Scales:
    """The cosine cut-offs of one embedding model (MiniLM's by default)."""

    text: tuple[float, float] = (0.2, 0.7)
    goals: tuple[float, float] = (0.1, 0.6)
    sector: tuple[float, float] = (0.2, 0.8)
    close_goals: float = 0.55

    @classmethod
    def of(cls, model: str) -> Scales:
        return cls(
            scale(model, "text_scale"),
            scale(model, "goals_scale"),
            scale(model, "sector_scale"),
            float(cutoff(model, "close_goals")),
        )
