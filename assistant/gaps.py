"""Content gaps grouped for staff: the same unanswered question asked in different words (or languages)
lands in one group, with its count, languages and when it was last asked.

Questions are embedded with the configured model and clustered by average-linkage agglomerative
clustering on cosine distance (scikit-learn), cut at `distance` so paraphrases join and distinct topics
stay apart. Groups are ordered most frequent first, then most recent.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from assistant.embeddings import Embedder, embed_queries

GROUP_DISTANCE = 0.45


def group_gaps(gaps: list[dict], embedder: Embedder, distance: float = GROUP_DISTANCE) -> list[dict]:
    """`gaps` as `Store.gaps()` returns them; the groups as the API shows them."""
    if not gaps:
        return []
    if len(gaps) == 1:
        labels = np.zeros(1, dtype=int)
    else:
        from sklearn.cluster import AgglomerativeClustering

        vectors = embed_queries(embedder, [g["question"] for g in gaps])
        labels = AgglomerativeClustering(
            n_clusters=None, distance_threshold=distance, metric="cosine", linkage="average"
        ).fit_predict(vectors)
    groups: dict[int, list[dict]] = {}
    for gap, label in zip(gaps, labels.tolist(), strict=True):
        groups.setdefault(label, []).append(gap)
    out = []
    for members in groups.values():
        members.sort(key=lambda g: g["created_at"], reverse=True)
        wording = Counter(" ".join(g["question"].lower().split()) for g in members)
        out.append(
            {
                "question": members[0]["question"],
                "count": len(members),
                "languages": dict(Counter(g["language"] for g in members)),
                "last_seen": members[0]["created_at"],
                "examples": [q for q, _ in wording.most_common(5)],
            }
        )
    out.sort(key=lambda g: g["last_seen"], reverse=True)
    out.sort(key=lambda g: g["count"], reverse=True)  # stable: equal counts stay newest first
    return out
