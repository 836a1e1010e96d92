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

What the server uses is `GapGroups`, the same grouping done incrementally so that no view re-embeds or
re-clusters anything: a gap is embedded once, when it is recorded, and joins the group whose leader (its
first question) is nearest within the model's cut-off, or leads a new one; the leaders are cached in
memory and read again only from the last one seen. A view reads the largest groups' counts from the
database, a bounded amount of work however many gaps a flood recorded (`group_gaps` remains the
whole-batch clustering, for a list of gaps in hand).
"""

from __future__ import annotations

import threading
from collections import Counter

import numpy as np

from assistant.embeddings import Embedder, embed_queries
from assistant.embeddings.thresholds import cutoff

VIEW_GROUPS = 200  # groups a view shows (the largest, then the most recent)
VIEW_MEMBERS = 50  # recent questions read per group for its examples and languages answered from
BACKFILL_PER_VIEW = 200  # gaps recorded before grouping on arrival, grouped per view


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


class GapGroups:
    """Records gaps (`record_gap(question, language, scores)`, what the answerer calls) grouped on arrival,
    and shows the groups (`view()`), over the store and the embedding model."""

    def __init__(self, store, embedder: Embedder, distance: float | None = None) -> None:
        self.store = store
        self.embedder = embedder
        self.distance = float(cutoff(embedder.name, "gap_distance")) if distance is None else distance
        self._ids: list[int] = []
        self._buffer = np.zeros((0, 0), dtype=np.float32)
        self._leaders = self._buffer
        self._lock = threading.Lock()

    def record_gap(self, question: str, language: str, scores: dict) -> None:
        vector = self._embed([question])[0]
        with self._lock:  # one placement at a time in this process, so a new group is seen by the next gap
            group = self._nearest(vector)
            group = self.store.record_grouped_gap(
                question, language, scores, self.embedder.name, vector.tobytes(), group
            )
            self._remember(group, vector)

    def view(self) -> list[dict]:
        """The groups as `/v1/gaps` and the console show them (the shape of `group_gaps`)."""
        self._backfill()
        out = []
        for summary in self.store.gap_group_summaries(VIEW_GROUPS, VIEW_MEMBERS):
            members = summary["members"]
            wording = Counter(" ".join(m["question"].lower().split()) for m in members)
            answered_from = Counter(
                lang for m in members for lang in (m.get("scores") or {}).get("answered_from") or []
            )
            out.append(
                {
                    "question": members[0]["question"],
                    "count": summary["count"],
                    "languages": summary["languages"],
                    "last_seen": summary["last_seen"],
                    "examples": [q for q, _ in wording.most_common(5)],
                    "answered_from": dict(answered_from),
                }
            )
        out.sort(key=lambda g: g["last_seen"], reverse=True)
        out.sort(key=lambda g: g["count"], reverse=True)
        return out

    def _backfill(self) -> None:
        """Group a bounded batch of gaps recorded before they were grouped on arrival."""
        pending = self.store.ungrouped_gaps(BACKFILL_PER_VIEW)
        if not pending:
            return
        vectors = self._embed([question for _, question in reversed(pending)])
        with self._lock:
            for (gap_id, _), vector in zip(reversed(pending), vectors, strict=True):
                group = self._nearest(vector)
                if group is None:
                    group = self.store.new_gap_group(self.embedder.name, vector.tobytes())
                self.store.place_gap(gap_id, vector.tobytes(), group)
                self._remember(group, vector)

    def _embed(self, texts: list[str]) -> np.ndarray:
        vectors = np.asarray(embed_queries(self.embedder, texts), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1.0, norms)

    def _nearest(self, vector: np.ndarray) -> int | None:
        """The group whose leader is nearest to `vector` within the cut-off, or None."""
        self._refresh(len(vector))
        if not self._ids:
            return None
        similarities = self._leaders @ vector
        best = int(np.argmax(similarities))
        return self._ids[best] if 1.0 - float(similarities[best]) <= self.distance else None

    def _refresh(self, dimension: int) -> None:
        """Read the groups other workers (or a restart) made since the last one this process saw."""
        after = self._ids[-1] if self._ids else 0
        for group_id, blob in self.store.gap_leaders(self.embedder.name, after):
            leader = np.frombuffer(blob, dtype=np.float32)
            if len(leader) == dimension:
                self._remember(group_id, leader)

    def _remember(self, group_id: int, vector: np.ndarray) -> None:
        if self._ids and group_id <= self._ids[-1]:
            return  # known (ids only grow)
        n = len(self._ids)
        if n == len(self._buffer) or self._buffer.shape[1] != len(vector):
            grown = np.zeros((max(64, 2 * n), len(vector)), dtype=np.float32)  # doubling: appends stay cheap
            grown[:n] = self._buffer[:n] if n else grown[:0]
            self._buffer = grown
        self._buffer[n] = vector
        self._ids.append(group_id)
        self._leaders = self._buffer[: n + 1]
