"""Content gaps grouped for staff: the same unanswered question asked in different words (or languages)
lands in one group, with its count, languages and when it was last asked. A question answered only from a
guide in another language than hers is recorded too (its scores name `answered_from`), so staff see which
guides are missing in which language.

Questions are embedded with the configured model and clustered by average-linkage agglomerative
clustering on cosine distance (scikit-learn), cut at the distance measured for that model
(`gap_distance` in assistant/embeddings/thresholds.json: 0.45 for MiniLM, whose unrelated questions sit
near cosine 0.1; much less for multilingual-e5-small, whose cosines crowd between 0.7 and 1.0), so
paraphrases join, in any language the model puts in one space, and distinct topics stay apart. Groups are
ordered most frequent first, then most recent.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from assistant.embeddings import Embedder, embed_queries
from assistant.embeddings.thresholds import cutoff


def cluster_labels(vectors: np.ndarray, distance: float) -> np.ndarray:
    """A group label per row: average-linkage clusters of the vectors cut at cosine `distance`."""
    if len(vectors) < 2:
        return np.zeros(len(vectors), dtype=int)
    from sklearn.cluster import AgglomerativeClustering

    return AgglomerativeClustering(
        n_clusters=None, distance_threshold=distance, metric="cosine", linkage="average"
    ).fit_predict(vectors)


def group_gaps(gaps: list[dict], embedder: Embedder, distance: float | None = None) -> list[dict]:
    """`gaps` as `Store.gaps()` returns them; the groups as the API shows them. `distance` overrides the
    cut-off measured for the embedder's model."""
    if not gaps:
        return []
    if len(gaps) == 1:
        labels = np.zeros(1, dtype=int)
    else:
        distance = float(cutoff(embedder.name, "gap_distance")) if distance is None else distance
        labels = cluster_labels(embed_queries(embedder, [g["question"] for g in gaps]), distance)
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
                # Answered, but only from a guide in another language: a translation is what is missing.
                "answered_from": dict(
                    Counter(lang for g in members for lang in (g.get("scores") or {}).get("answered_from") or [])
                ),
            }
        )
    out.sort(key=lambda g: g["last_seen"], reverse=True)
    out.sort(key=lambda g: g["count"], reverse=True)  # stable: equal counts stay newest first
    return out
