"""The cohort assignment: the pairs that maximise a whole pool's total reciprocal score under the hard
constraints and capacities, with each pair's reasons and, for everyone left out, why.

Works on the pool's `Features`; the optimal b-matching itself is `solver.py`'s. Ids are profile ids.
"""

from __future__ import annotations

import time

import numpy as np

from assistant.matching.directions import DIRECTIONS
from assistant.matching.explain import evidence, reasons
from assistant.matching.results import CohortResult, Pair
from assistant.matching.scoring import Features, Scorer, kinds_match, row_blocks
from assistant.matching.solver import Solution, max_weight_b_matching
from assistant.matching.taxonomy import Taxonomy

EXACT_EDGES_HINT = 20_000  # up to this many feasible pairs, the integer programme sees them all
PRICED_PER_ROUND = 20_000
CACHED_EDGES = 20_000_000  # feasible pairs kept in memory for pricing (16 bytes each)
CANDIDATES_PER_PERSON = 10  # the large-pool solver starts from each person's best; duals add the rest

Edges = tuple[np.ndarray, np.ndarray, np.ndarray]  # (u, v, weight) per pair


def _joined(parts: list[Edges]) -> Edges:
    u, v, w = (np.concatenate(column) for column in zip(*parts, strict=True))
    return u, v, w


def _cached_pricer(all_u: np.ndarray, all_v: np.ndarray, all_w: np.ndarray):
    """Prices the pairs kept in memory: the ones whose reduced cost the duals leave positive, best first."""

    def pricer(duals: np.ndarray):
        reduced = all_w - duals[all_u] - duals[all_v]
        found = np.flatnonzero(reduced > 1e-7)
        if len(found) > PRICED_PER_ROUND:
            found = found[np.argpartition(-reduced[found], PRICED_PER_ROUND - 1)[:PRICED_PER_ROUND]]
        return all_u[found].astype(np.int64), all_v[found].astype(np.int64), all_w[found]

    return pricer


def _rescoring_pricer(n: int, weigh, usable: np.ndarray):
    """Prices pairs by scoring the pool again, block by block (when there are too many pairs to keep)."""

    def pricer(duals: np.ndarray):
        found = []
        for rows in row_blocks(n):
            weights, feasible = weigh(rows)
            feasible &= usable[rows][:, None] & usable[None, :] & (np.arange(n)[None, :] > rows[:, None])
            reduced = np.where(feasible, weights - duals[rows][:, None] - duals[None, :], -np.inf)
            r, c = np.nonzero(reduced > 1e-7)
            found.append((rows[r], c, weights[r, c], reduced[r, c]))
        nu, nv, nw, nr = (np.concatenate(parts) for parts in zip(*found, strict=True))
        order = np.argsort(-nr)[:PRICED_PER_ROUND]
        return nu[order], nv[order], nw[order]

    return pricer


class Assigner:
    def __init__(self, taxonomy: Taxonomy, scorer: Scorer, allow_same_organisation: bool = False) -> None:
        self.taxonomy = taxonomy
        self.scorer = scorer
        self.allow_same_organisation = allow_same_organisation

    def assign(self, f: Features, weigh, capacity: np.ndarray, time_limit: float) -> Solution:
        """Optimal pairs for weights given block by block: `weigh(rows) -> (weights, feasible)` (rows x n).

        One pass over the pool keeps every feasible pair (up to `CACHED_EDGES` of them, a few hundred MB at
        most) and each person's best candidates; the solver starts from the candidates and the duals price
        the kept pairs in. Beyond the cache the pool is scored again for each pricing round."""
        n = len(f)
        usable = capacity > 0
        every, top_edges, count = self._scan(f, weigh, usable)
        if count == 0:
            return Solution([], 0.0, 0.0, "empty", 0, 0)
        if count <= EXACT_EDGES_HINT and every is not None:
            u, v, w = _joined(every)
            return max_weight_b_matching(capacity, u, v, w, time_limit=time_limit)
        u, v, w = _joined(top_edges)
        lo, hi = np.minimum(u, v), np.maximum(u, v)
        _, first = np.unique(lo * n + hi, return_index=True)
        u, v, w = lo[first], hi[first], w[first]
        pricer = _cached_pricer(*_joined(every)) if every is not None else _rescoring_pricer(n, weigh, usable)
        del every  # the pricer holds the joined copy
        return max_weight_b_matching(capacity, u, v, w, pricer=pricer, time_limit=time_limit)

    @staticmethod
    def _scan(f: Features, weigh, usable: np.ndarray) -> tuple[list[Edges] | None, list[Edges], int]:
        """(every feasible pair i < j, or None past `CACHED_EDGES`; each row's best candidates; the count)."""
        n = len(f)
        every: list[Edges] | None = []
        top_edges: list[Edges] = []
        count = 0
        for rows in row_blocks(n):
            weights, feasible = weigh(rows)
            feasible = feasible & usable[rows][:, None] & usable[None, :] & (weights > 0)
            r, c = np.nonzero(feasible & (np.arange(n)[None, :] > rows[:, None]))
            count += len(r)
            if every is not None and count <= CACHED_EDGES:
                every.append((rows[r].astype(np.int32), c.astype(np.int32), weights[r, c].astype(np.float64)))
            else:
                every = None
            scored = np.where(feasible, weights, -np.inf)
            k = min(CANDIDATES_PER_PERSON, n - 1)
            best = np.argpartition(-scored, k - 1, axis=1)[:, :k] if k < n else np.argsort(-scored, axis=1)
            values = np.take_along_axis(scored, best, 1)
            keep = np.isfinite(values)
            top_edges.append((np.repeat(rows, best.shape[1])[keep.ravel()], best[keep], values[keep]))
        return every, top_edges, count

    def cohort(
        self,
        f: Features,
        directions=frozenset(DIRECTIONS),
        keep=(),
        forbidden=(),
        lang: str = "en",
        time_limit: float = 30.0,
    ) -> CohortResult:
        """The optimal pairs of the pool (see `Matcher.cohort`)."""
        started = time.perf_counter()
        capacity = f.capacity.copy()
        kept: list[tuple[int, int]] = []
        for a, b in keep:
            if a in f.index and b in f.index:
                i, j = f.index[a], f.index[b]
                kept.append((i, j))
                capacity[i] -= 1
                capacity[j] -= 1
        capacity = np.maximum(capacity, 0)
        banned = f.pair_indices(forbidden) | set(kept)

        def weigh(rows):
            block = self.scorer.block(f, rows, directions, self.allow_same_organisation, banned)
            return block.score, block.feasible

        solution = self.assign(f, weigh, capacity, time_limit) if len(f) > 1 else None
        chosen = [(i, j, False) for i, j in (solution.pairs if solution else [])] + [(i, j, True) for i, j in kept]
        pairs = self.pairs(f, chosen, lang)
        pairs.sort(key=lambda p: -p.score)
        in_pairs = {p.a for p in pairs} | {p.b for p in pairs}
        unmatched = [
            {"id": p.id, "reason": self.why_unmatched(f, f.index[p.id], directions, banned)}
            for p in f.profiles
            if p.id not in in_pairs
        ]
        return CohortResult(pairs, unmatched, solution, time.perf_counter() - started, len(f), sorted(directions))

    def pairs(self, f: Features, chosen: list[tuple[int, int, bool]], lang: str) -> list[Pair]:
        """The chosen pairs (i, j, kept) with their scores, both fits and the reasons, scored pair by pair."""
        if not chosen:
            return []
        a = np.array([i for i, _, _ in chosen])
        b = np.array([j for _, j, _ in chosen])
        scored = self.scorer.pairs(f, a, b, allow_same_organisation=True)
        out = []
        for k, (i, j, kept) in enumerate(chosen):
            ev = evidence(f, self.taxonomy, i, j)
            out.append(
                Pair(
                    a=f.ids[i],
                    b=f.ids[j],
                    score=float(scored.score[k]),
                    fit_ab=float(scored.fit_out[k]),
                    fit_ba=float(scored.fit_in[k]),
                    shared_languages=ev["shared_languages"],
                    reasons=reasons(ev, self.taxonomy, lang, (f.profiles[i].name, f.profiles[j].name)),
                    evidence=ev,
                    kept=kept,
                )
            )
        return out

    def why_unmatched(self, f: Features, i: int, directions=frozenset(DIRECTIONS), banned=frozenset()) -> str:
        """The first hard constraint, in order, that leaves her nobody; else that her partners went elsewhere."""
        p = f.profiles[i]
        if not p.consent:
            return "no consent to matching"
        n = len(f)
        row = np.array([i])
        possible = np.arange(n) != i
        possible &= f.consent & (f.capacity > 0)
        possible &= kinds_match(f.kind[row][:, None], f.kind[None, :])[0]
        if not possible.any():
            return f"nobody in the pool can pair with a {p.kind}"
        possible &= (f.languages[i] @ f.languages.T) > 0
        if not possible.any():
            return f"nobody she could pair with speaks {'/'.join(p.languages)}"
        everything = self.scorer.feasible(f, row, directions, self.allow_same_organisation)[0]
        if not (possible & everything).any():
            return (
                "the directions, organisation or meeting mode allowed in this run leave her nobody "
                "who shares a language"
            )
        fits = self.scorer.block(f, row, directions, self.allow_same_organisation)
        candidates = fits.feasible[0]
        if not candidates.any():
            return "no one who shares her language offers what she needs while needing what she offers"
        banned_here = {b for a, b in banned if a == i} | {a for a, b in banned if b == i}
        left = [j for j in np.flatnonzero(candidates) if j not in banned_here]
        if not left:
            return "her possible partners were rejected or declined before"
        return f"her {len(left)} possible partner(s) were paired elsewhere, where the pool's total score was higher"
