"""Suggestions: each person's best partners, under exposure control, so that no one is shown to more people
than she can take on, with her main need first.

Her main need is her first stated need. When some feasible partner offers it, one of her suggestions does
(the best such partner, shown first), unless capacity or exposure control leaves none of them available,
and then the list says which (`Suggestions.main_need_status`). Works on the pool's `Features`; ids are
profile ids. The `Matcher` composes this with the cohort assignment and the fairness report.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from assistant.errors import NotFoundError
from assistant.matching.directions import DIRECTIONS
from assistant.matching.explain import evidence, explain_list
from assistant.matching.results import Suggestion, Suggestions
from assistant.matching.scoring import Block, Features, Scorer, row_blocks
from assistant.matching.taxonomy import Taxonomy

EXPOSURE_FACTOR = 1  # open suggestions one person may appear in, per pairing she can take
MAIN_KEEP = 10  # partners offering her main need kept per person for the whole-pool rounds


@dataclass
class _Shortlist:
    """Each row's best `keep` candidates, best first (n x keep): column, score and both fits; and its best
    candidates offering her main need (n x MAIN_KEEP, -1 past the last)."""

    top: np.ndarray
    score: np.ndarray
    fit_out: np.ndarray
    fit_in: np.ndarray
    options: np.ndarray  # feasible partners per row
    main_options: np.ndarray  # feasible partners offering her main need, per row
    main_top: np.ndarray
    main_score: np.ndarray
    main_out: np.ndarray
    main_in: np.ndarray


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
    ) -> Suggestions:
        """Her best `k` partners (see `Matcher.suggest`)."""
        if person not in f.index:
            raise NotFoundError(f"no matching profile {person!r}")
        i = f.index[person]
        block = self.scorer.block(f, np.array([i]), directions, self.allow_same_organisation, f.pair_indices(forbidden))
        return self._pick(f, block, 0, k, lang, exposure or {}, taken or {}, skip or set())

    def _pick(self, f: Features, block: Block, row, k, lang, exposure, taken, skip) -> Suggestions:
        i = int(block.rows[row])
        me = f.profiles[i]
        main = me.needs[0] if me.needs else None
        if taken.get(me.id, 0) >= me.capacity:
            return Suggestions((), main, "unstated" if main is None else "full")
        scores = np.where(block.feasible[row], block.score[row], -np.inf)
        order = [int(j) for j in np.argsort(-scores, kind="stable") if np.isfinite(scores[j])]

        def blocked(j: int) -> str | None:
            other = f.profiles[j]
            if other.id in skip:
                return "shown"
            if taken.get(other.id, 0) >= other.capacity:
                return "full"
            if exposure.get(other.id, 0) >= other.capacity * self.exposure_factor:
                return "exposure"
            return None

        status = "unstated" if main is None else "none"
        picked: list[int] = []
        if main is not None:
            covers = f.offers_main_need(np.array([i]))[0]
            why = [blocked(j) for j in order if covers[j]]
            if None in why:
                picked.append(next(j for j in order if covers[j] and blocked(j) is None))
                status = "covered"
            elif why:  # the most telling reason they are all unavailable
                status = next(s for s in ("full", "exposure", "shown") if s in why)
        for j in order:
            if len(picked) >= k:
                break
            if j not in picked and blocked(j) is None:
                picked.append(j)
        picked = picked[:k]
        return Suggestions(
            self._build(
                f, i, [(j, block.score[row, j], block.fit_out[row, j], block.fit_in[row, j]) for j in picked], lang
            ),
            main,
            status,
        )

    def _build(self, f: Features, i: int, chosen: list[tuple], lang: str | None) -> list[Suggestion]:
        """Suggestions for row i from (column, score, fit out, fit in), explained as one list."""
        me = f.profiles[i]
        evs = [evidence(f, self.taxonomy, i, int(j)) for j, *_ in chosen]
        explained = explain_list(evs, self.taxonomy, lang or me.preferred_language)
        out = []
        for (j, score, fit_out, fit_in), ev, (text, said) in zip(chosen, evs, explained, strict=True):
            other = f.profiles[int(j)]
            out.append(
                Suggestion(
                    id=other.id,
                    name=other.name,
                    country=other.country,
                    score=float(score),
                    fit_to_her=float(fit_in),
                    fit_from_her=float(fit_out),
                    shared_languages=ev["shared_languages"],
                    explanation=text,
                    evidence=ev,
                    reasons=said,
                )
            )
        return out

    # -- everyone -------------------------------------------------------------------------------------------

    def suggest_all(self, f: Features, k: int = 3, progress=None) -> dict[str, Suggestions]:
        """Suggestions for everyone, with exposure control across the whole pool (see `Matcher.suggest_all`)."""
        keep = min(len(f), max(k * 20, 60))
        shortlist = self._shortlist(f, keep, progress)
        chosen, statuses = self._rounds(f, shortlist, k)
        out = {}
        for i, picks in chosen.items():
            me = f.profiles[i]
            main = me.needs[0] if me.needs else None
            out[me.id] = Suggestions(self._build(f, i, picks, None), main, statuses[i])
        return out

    def _shortlist(self, f: Features, keep: int, progress) -> _Shortlist:
        n = len(f)
        top = np.zeros((n, keep), dtype=np.int64)
        top_score = np.full((n, keep), -np.inf, dtype=np.float32)
        top_out = np.zeros((n, keep), dtype=np.float32)
        top_in = np.zeros((n, keep), dtype=np.float32)
        main_keep = min(MAIN_KEEP, n)
        main_top = np.full((n, main_keep), -1, dtype=np.int64)
        main_score = np.full((n, main_keep), -np.inf, dtype=np.float32)
        main_out = np.zeros((n, main_keep), dtype=np.float32)
        main_in = np.zeros((n, main_keep), dtype=np.float32)
        options = np.zeros(n)
        main_options = np.zeros(n)
        for rows in row_blocks(n):
            block = self.scorer.block(f, rows, allow_same_organisation=self.allow_same_organisation)
            options[rows] = block.feasible.sum(1)
            offers_main = f.offers_main_need(rows)
            main_options[rows] = (block.feasible & offers_main).sum(1)
            scores = np.where(block.feasible, block.score, -np.inf)
            for target, (t, s, o, i_) in (
                (scores, (top, top_score, top_out, top_in)),
                (np.where(offers_main, scores, -np.inf), (main_top, main_score, main_out, main_in)),
            ):
                width = t.shape[1]
                best = (
                    np.argpartition(-target, width - 1, axis=1)[:, :width] if width < n else np.argsort(-target, axis=1)
                )
                order = np.argsort(-np.take_along_axis(target, best, 1), axis=1, kind="stable")
                best = np.take_along_axis(best, order, 1)
                t[rows] = best
                s[rows] = np.take_along_axis(target, best, 1)
                o[rows] = np.take_along_axis(block.fit_out, best, 1)
                i_[rows] = np.take_along_axis(block.fit_in, best, 1)
            if progress:
                progress(len(rows))
        return _Shortlist(
            top, top_score, top_out, top_in, options, main_options, main_top, main_score, main_out, main_in
        )

    def _rounds(self, f: Features, shortlist: _Shortlist, k: int) -> tuple[dict[int, list[tuple]], dict[int, str]]:
        """(column, score, fit out, fit in) shown to each row. Everyone's first suggestion is chosen together
        (`_first_choices`): as many women as possible get one, then as many as possible one offering her
        main need; then round by round, people with the fewest options first, everyone gets her best
        available partner before anyone gets another, so scarce exposure is spread over as many people as
        possible."""
        n, keep = shortlist.top.shape
        exposure: dict[str, int] = defaultdict(int)
        chosen: dict[int, list[tuple]] = {int(i): [] for i in range(n)}
        status = {int(i): ("none" if f.main_need[i] >= 0 else "unstated") for i in range(n)}
        cursor = np.zeros(n, dtype=np.int64)

        def free(j: int) -> bool:
            other = f.profiles[j]
            return exposure[other.id] < other.capacity * self.exposure_factor

        def take(i: int, j: int, score, fit_out, fit_in) -> None:
            exposure[f.profiles[j].id] += 1
            chosen[i].append((j, float(score), float(fit_out), float(fit_in)))

        for i, c in _first_choices(f, shortlist, self.exposure_factor):
            if c < 0:  # her best partner offering her main need
                c = -c - 1
                j = int(shortlist.main_top[i, c])
                take(i, j, shortlist.main_score[i, c], shortlist.main_out[i, c], shortlist.main_in[i, c])
            else:
                j = int(shortlist.top[i, c])
                take(i, j, shortlist.score[i, c], shortlist.fit_out[i, c], shortlist.fit_in[i, c])
        for i in range(n):
            if shortlist.main_options[i] > 0:
                status[i] = "exposure"  # until a pick below (or the check at the end) covers it
        order = [int(i) for i in np.argsort(shortlist.options, kind="stable")]
        for _ in range(k):
            for i in order:
                if len(chosen[i]) >= k:
                    continue
                taken = {j for j, *_ in chosen[i]}
                while cursor[i] < keep and np.isfinite(shortlist.score[i, cursor[i]]):
                    col = int(cursor[i])
                    cursor[i] += 1
                    j = int(shortlist.top[i, col])
                    if j not in taken and free(j):
                        take(i, j, shortlist.score[i, col], shortlist.fit_out[i, col], shortlist.fit_in[i, col])
                        break
        for i, picks in chosen.items():  # a later round may still have found one beyond the kept few
            main = int(f.main_need[i])
            if main >= 0 and any(f.offers[j, main] for j, *_ in picks):
                status[i] = "covered"
        return chosen, status


def _first_choices(f: Features, shortlist: _Shortlist, exposure_factor: int) -> list[tuple[int, int]]:
    """Each row's first suggestion under exposure (each person shown to at most capacity x factor rows),
    as (row, shortlist column), or (row, -1 - main column) for a partner offering her main need. An exact
    b-matching (a linear programme whose bipartite constraints make its optimum integral, solved by
    HiGHS): the most rows with a suggestion, then the most with their main need met, then the best scores."""
    n = len(f)
    rows, cols, weights, picks = [], [], [], []
    for i in range(n):
        for c in range(shortlist.top.shape[1]):
            if np.isfinite(shortlist.score[i, c]):
                j = int(shortlist.top[i, c])
                main = int(f.main_need[i])
                covers = main >= 0 and f.offers[j, main] > 0
                rows.append(i)
                cols.append(j)
                weights.append(1000 + 10 * covers + float(shortlist.score[i, c]))
                picks.append((i, c))
        for c in range(shortlist.main_top.shape[1]):
            if np.isfinite(shortlist.main_score[i, c]):
                rows.append(i)
                cols.append(int(shortlist.main_top[i, c]))
                weights.append(1010 + float(shortlist.main_score[i, c]))
                picks.append((i, -1 - c))
    if not picks:
        return []
    m = len(picks)
    r, c = np.array(rows), np.array(cols)
    one_each = sp.csr_matrix((np.ones(m), (r, np.arange(m))), shape=(n, m))
    shown = sp.csr_matrix((np.ones(m), (c, np.arange(m))), shape=(n, m))
    result = linprog(
        -np.array(weights),
        A_ub=sp.vstack([one_each, shown]),
        b_ub=np.concatenate([np.ones(n), f.capacity * exposure_factor]),
        bounds=(0, 1),
        method="highs",
    )
    if result.x is None:  # cannot happen for this bounded, feasible problem; no first choices rather than a crash
        return []
    chosen: dict[int, tuple[int, int]] = {}
    for k in np.flatnonzero(result.x > 0.5):
        i, col = picks[int(k)]
        chosen.setdefault(i, (i, col))  # the same partner may sit in both lists: one pick per row
    return list(chosen.values())
