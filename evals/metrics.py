"""Retrieval metrics on document ids, each a small named function (ranked ids in, one number out)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def unique_in_order(ids: Sequence[str]) -> list[str]:
    """Chunk hits name documents several times; a ranking of documents keeps the first occurrence."""
    seen: set[str] = set()
    return [i for i in ids if not (i in seen or seen.add(i))]


def hit_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    return 1.0 if any(doc in relevant for doc in ranked[:k]) else 0.0


def recall_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant) if relevant else 0.0


def mrr_at(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    for position, doc in enumerate(ranked[:k], start=1):
        if doc in relevant:
            return 1.0 / position
    return 0.0


def ndcg_at(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    dcg = sum(1.0 / math.log2(p + 1) for p, doc in enumerate(ranked[:k], start=1) if doc in relevant)
    ideal = sum(1.0 / math.log2(p + 1) for p in range(1, min(len(relevant), k) + 1))
    return dcg / ideal if ideal else 0.0
