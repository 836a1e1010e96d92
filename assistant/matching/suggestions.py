"""Suggestions: each person's best partners, under exposure control, so that no one is shown to more people
than she can take on.

Works on the pool's `Features`; ids are profile ids. The `Matcher` composes this with the cohort assignment
and the fairness report.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from assistant.errors import NotFoundError
from assistant.matching.directions import DIRECTIONS
from assistant.matching.explain import evidence, explain
from assistant.matching.results import Suggestion
from assistant.matching.scoring import Block, Features, Scorer, row_blocks
from assistant.matching.taxonomy import Taxonomy

EXPOSURE_FACTOR = 1  # open suggestions one person may appear in, per pairing she can take


@dataclass
class _Shortlist:
    """Each row's best `keep` candidates, best first (n x keep): column, score and both fits."""

    top: np.ndarray
    score: np.ndarray
    fit_out: np.ndarray
    fit_in: np.ndarray
    options: np.ndarray  # feasible partners per row


class Suggester:
    def __init__(
        self,
        taxonomy: Taxonomy,
        scorer: Scorer,
        allow_same_organisation: bool = False,
        exposure_factor: int = EXPOSURE_FACTOR,
    ) -> None:
        self.taxonomy = taxonomy
        self.scorer = scorer
        self.allow_same_organisation = allow_same_organisation
        self.exposure_factor = exposure_factor

    # -- one person -----------------------------------------------------------------------------------------

    def suggest(
        self,
        f: Features,
        person: str,
        k: int = 3,
        lang: str | None = None,
        exposure: dict[str, int] | None = None,
        taken: dict[str, int] | None = None,
        forbidden=None,
        skip: set[str] | None = None,
        directions=frozenset(DIRECTIONS),
    ) -> list[Suggestion]:
        """Her best `k` partners (see `Matcher.suggest`)."""
        if person not in f.index:
            raise NotFoundError(f"no matching profile {person!r}")
        i = f.index[person]
        block = self.scorer.block(f, np.array([i]), directions, self.allow_same_organisation, f.pair_indices(forbidden))
        return self._pick(f, block, 0, k, lang, exposure or {}, taken or {}, skip or set())

    def _pick(self, f: Features, block: Block, row, k, lang, exposure, taken, skip) -> list[Suggestion]:
        i = int(block.rows[row])
        me = f.profiles[i]
        if taken.get(me.id, 0) >= me.capacity:
            return []
        scores = np.where(block.feasible[row], block.score[row], -np.inf)
        order = np.argsort(-scores, kind="stable")
        out: list[Suggestion] = []
        for j in order:
            if not np.isfinite(scores[j]) or len(out) >= k:
                break
            other = f.profiles[j]
            if other.id in skip or taken.get(other.id, 0) >= other.capacity:
                continue
            if exposure.get(other.id, 0) >= other.capacity * self.exposure_factor:
                continue
            ev = evidence(f, self.taxonomy, i, int(j))
            out.append(
                Suggestion(
                    id=other.id,
                    name=other.name,
                    country=other.country,
                    score=float(block.score[row, j]),
                    fit_to_her=float(block.fit_in[row, j]),
                    fit_from_her=float(block.fit_out[row, j]),
                    shared_languages=ev["shared_languages"],
                    explanation=explain(ev, self.taxonomy, lang or me.preferred_language),
                    evidence=ev,
                )
            )
        return out

    # -- everyone -------------------------------------------------------------------------------------------

    def suggest_all(self, f: Features, k: int = 3, progress=None) -> dict[str, list[Suggestion]]:
        """Suggestions for everyone, with exposure control across the whole pool (see `Matcher.suggest_all`)."""
        keep = min(len(f), max(k * 20, 60))
        shortlist = self._shortlist(f, keep, progress)
        chosen = self._rounds(f, shortlist, k)
        return {f.profiles[i].id: self._suggestions(f, shortlist, i, columns) for i, columns in chosen.items()}

    def _shortlist(self, f: Features, keep: int, progress) -> _Shortlist:
        n = len(f)
        top = np.zeros((n, keep), dtype=np.int64)
        top_score = np.full((n, keep), -np.inf, dtype=np.float32)
        top_out = np.zeros((n, keep), dtype=np.float32)
        top_in = np.zeros((n, keep), dtype=np.float32)
        options = np.zeros(n)
        for rows in row_blocks(n):
            block = self.scorer.block(f, rows, allow_same_organisation=self.allow_same_organisation)
            options[rows] = block.feasible.sum(1)
            scores = np.where(block.feasible, block.score, -np.inf)
            best = np.argpartition(-scores, keep - 1, axis=1)[:, :keep] if keep < n else np.argsort(-scores, axis=1)
            order = np.argsort(-np.take_along_axis(scores, best, 1), axis=1, kind="stable")
            best = np.take_along_axis(best, order, 1)
            top[rows] = best
            top_score[rows] = np.take_along_axis(scores, best, 1)
            top_out[rows] = np.take_along_axis(block.fit_out, best, 1)
            top_in[rows] = np.take_along_axis(block.fit_in, best, 1)
            if progress:
                progress(len(rows))
        return _Shortlist(top, top_score, top_out, top_in, options)

    def _rounds(self, f: Features, shortlist: _Shortlist, k: int) -> dict[int, list[int]]:
        """The shortlist columns shown to each row, round by round, people with the fewest options first:
        everyone gets her best available partner before anyone gets a second, so scarce exposure is spread
        over as many people as possible."""
        n, keep = shortlist.top.shape
        exposure: dict[str, int] = defaultdict(int)
        chosen: dict[int, list[int]] = {int(i): [] for i in range(n)}
        cursor = np.zeros(n, dtype=np.int64)
        order = [int(i) for i in np.argsort(shortlist.options, kind="stable")]
        for _ in range(k):
            for i in order:
                while cursor[i] < keep and np.isfinite(shortlist.score[i, cursor[i]]):
                    col = int(cursor[i])
                    cursor[i] += 1
                    other = f.profiles[int(shortlist.top[i, col])]
                    if exposure[other.id] < other.capacity * self.exposure_factor:
                        exposure[other.id] += 1
                        chosen[i].append(col)
                        break
        return chosen

    def _suggestions(self, f: Features, shortlist: _Shortlist, i: int, columns: list[int]) -> list[Suggestion]:
        me = f.profiles[i]
        suggestions = []
        for col in columns:
            j = int(shortlist.top[i, col])
            other = f.profiles[j]
            ev = evidence(f, self.taxonomy, i, j)
            suggestions.append(
                Suggestion(
                    other.id,
                    other.name,
                    other.country,
                    float(shortlist.score[i, col]),
                    float(shortlist.fit_in[i, col]),
                    float(shortlist.fit_out[i, col]),
                    ev["shared_languages"],
                    explain(ev, self.taxonomy, me.preferred_language),
                    ev,
                )
            )
        return suggestions
