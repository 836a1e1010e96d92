"""Suggestions for one person, the optimal pairing of a whole pool, and the fairness report.

The `Matcher` works on profiles and decisions passed in; it knows nothing of the database (the
`MatchingService` in `service.py` brings those). Ids are profile ids.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from assistant.config import SUPPORTED_LANGUAGES
from assistant.errors import NotFoundError
from assistant.matching.explain import evidence, explain, reasons
from assistant.matching.profiles import Profile
from assistant.matching.scoring import (
    DIRECTIONS,
    MIN_FIT,
    Features,
    Scorer,
    kinds_match,
)
from assistant.matching.solver import Solution, max_weight_b_matching
from assistant.matching.taxonomy import Taxonomy

BLOCK = 512
EXACT_EDGES_HINT = 20_000  # up to this many feasible pairs, the integer programme sees them all
PRICED_PER_ROUND = 20_000
CACHED_EDGES = 20_000_000  # feasible pairs kept in memory for pricing (16 bytes each)
CANDIDATES_PER_PERSON = 10  # the large-pool solver starts from each person's best; duals add the rest
EXPOSURE_FACTOR = 1  # open suggestions one person may appear in, per pairing she can take


@dataclass
class Suggestion:
    id: str
    name: str
    country: str | None
    score: float
    fit_to_her: float  # how the candidate's offers meet her needs
    fit_from_her: float  # how her offers meet the candidate's needs
    shared_languages: list[str]
    explanation: str
    evidence: dict

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "score": round(self.score, 4),
            "fit_to_her": round(self.fit_to_her, 4),
            "fit_from_her": round(self.fit_from_her, 4),
            "shared_languages": self.shared_languages,
            "explanation": self.explanation,
        }


@dataclass
class Pair:
    a: str
    b: str
    score: float
    fit_ab: float
    fit_ba: float
    shared_languages: list[str]
    reasons: list[str]
    evidence: dict
    kept: bool = False  # approved earlier and kept by this run

    def as_json(self) -> dict:
        return {
            "a": self.a,
            "b": self.b,
            "score": round(self.score, 4),
            "fit_ab": round(self.fit_ab, 4),
            "fit_ba": round(self.fit_ba, 4),
            "shared_languages": self.shared_languages,
            "reasons": self.reasons,
        }


@dataclass
class CohortResult:
    pairs: list[Pair]
    unmatched: list[dict]
    solution: Solution | None
    seconds: float
    people: int
    directions: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"pairs": [p.as_json() for p in self.pairs], "unmatched": self.unmatched}

    def summary(self) -> dict:
        s = self.solution
        return {
            "people": self.people,
            "pairs": len(self.pairs),
            "unmatched": len(self.unmatched),
            "directions": self.directions,
            "solver": s.method if s else "none",
            "optimal": s.optimal if s else True,
            "total_score": round(sum(p.score for p in self.pairs), 4),
            "bound": round(s.bound, 4) if s else 0.0,
            "seconds": round(self.seconds, 3),
        }


class Matcher:
    def __init__(
        self,
        taxonomy: Taxonomy,
        embedder,
        allow_same_organisation: bool = False,
        exposure_factor: int = EXPOSURE_FACTOR,
    ) -> None:
        self.taxonomy = taxonomy
        self.scorer = Scorer(taxonomy, embedder)
        self.allow_same_organisation = allow_same_organisation
        self.exposure_factor = exposure_factor

    def features(self, profiles: list[Profile]) -> Features:
        return self.scorer.features(profiles)

    def _forbidden(self, f: Features, pairs) -> set[tuple[int, int]]:
        out = set()
        for a, b in pairs or ():
            if a in f.index and b in f.index:
                out.add((f.index[a], f.index[b]))
        return out

    # -- suggestions ----------------------------------------------------------------------------------------

    def suggest(
        self,
        profiles: list[Profile] | Features,
        person: str,
        k: int = 3,
        lang: str | None = None,
        exposure: dict[str, int] | None = None,
        taken: dict[str, int] | None = None,
        forbidden=None,
        skip: set[str] | None = None,
        directions=frozenset(DIRECTIONS),
    ) -> list[Suggestion]:
        """Her best `k` partners. `exposure`: how many people each candidate is shown to right now; a
        candidate already shown to capacity x exposure_factor people is left out. `taken`: pairings each
        person already has (active or approved), which use up capacity. `skip`: ids not to show again."""
        f = profiles if isinstance(profiles, Features) else self.features(profiles)
        if person not in f.index:
            raise NotFoundError(f"no matching profile {person!r}")
        i = f.index[person]
        block = self.scorer.block(
            f, np.array([i]), directions, self.allow_same_organisation, self._forbidden(f, forbidden)
        )
        return self._pick(f, block, 0, k, lang, exposure or {}, taken or {}, skip or set())

    def _pick(self, f, block, row, k, lang, exposure, taken, skip) -> list[Suggestion]:
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

    def suggest_all(self, profiles: list[Profile] | Features, k: int = 3, progress=None) -> dict[str, list[Suggestion]]:
        """Suggestions for everyone, with exposure control across the whole pool: nobody is shown to more
        than capacity x exposure_factor people; each round gives everyone one more (people with the fewest
        options first), so the limit leaves as few people as possible with nothing."""
        f = profiles if isinstance(profiles, Features) else self.features(profiles)
        n = len(f)
        keep = min(n, max(k * 20, 60))
        top = np.zeros((n, keep), dtype=np.int64)
        top_score = np.full((n, keep), -np.inf, dtype=np.float32)
        top_out = np.zeros((n, keep), dtype=np.float32)
        top_in = np.zeros((n, keep), dtype=np.float32)
        options = np.zeros(n)
        for start in range(0, n, BLOCK):
            rows = np.arange(start, min(start + BLOCK, n))
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
        # Round by round, people with the fewest options first: everyone gets her best available partner
        # before anyone gets a second, so scarce exposure is spread over as many people as possible.
        exposure: dict[str, int] = defaultdict(int)
        chosen: dict[int, list[int]] = {int(i): [] for i in range(n)}
        cursor = np.zeros(n, dtype=np.int64)
        order = [int(i) for i in np.argsort(options, kind="stable")]
        for _ in range(k):
            for i in order:
                while cursor[i] < keep and np.isfinite(top_score[i, cursor[i]]):
                    col = int(cursor[i])
                    cursor[i] += 1
                    other = f.profiles[int(top[i, col])]
                    if exposure[other.id] < other.capacity * self.exposure_factor:
                        exposure[other.id] += 1
                        chosen[i].append(col)
                        break
        results: dict[str, list[Suggestion]] = {}
        for i in range(n):
            me = f.profiles[i]
            suggestions = []
            for col in chosen[i]:
                j = int(top[i, col])
                other = f.profiles[j]
                ev = evidence(f, self.taxonomy, i, j)
                suggestions.append(
                    Suggestion(
                        other.id,
                        other.name,
                        other.country,
                        float(top_score[i, col]),
                        float(top_in[i, col]),
                        float(top_out[i, col]),
                        ev["shared_languages"],
                        explain(ev, self.taxonomy, me.preferred_language),
                        ev,
                    )
                )
            results[me.id] = suggestions
        return results

    # -- the whole pool -----------------------------------------------------------------------------------

    def _assign(self, f: Features, weigh, capacity: np.ndarray, time_limit: float) -> Solution:
        """Optimal pairs for weights given block by block: `weigh(rows) -> (weights, feasible)` (rows x n).

        One pass over the pool keeps every feasible pair (up to `CACHED_EDGES` of them, a few hundred MB at
        most) and each person's best candidates; the solver starts from the candidates and the duals price
        the kept pairs in. Beyond the cache the pool is scored again for each pricing round."""
        n = len(f)
        usable = capacity > 0
        every: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = []
        top_edges: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        count = 0
        for start in range(0, n, BLOCK):
            rows = np.arange(start, min(start + BLOCK, n))
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
        if count == 0:
            return Solution([], 0.0, 0.0, "empty", 0, 0)
        if count <= EXACT_EDGES_HINT and every is not None:
            u, v, w = (np.concatenate(parts) for parts in zip(*every, strict=True))
            return max_weight_b_matching(capacity, u, v, w, time_limit=time_limit)
        u, v, w = (np.concatenate(parts) for parts in zip(*top_edges, strict=True))
        lo, hi = np.minimum(u, v), np.maximum(u, v)
        _, first = np.unique(lo * n + hi, return_index=True)
        u, v, w = lo[first], hi[first], w[first]

        if every is not None:
            all_u, all_v, all_w = (np.concatenate(parts) for parts in zip(*every, strict=True))
            del every

            def pricer(duals: np.ndarray):
                reduced = all_w - duals[all_u] - duals[all_v]
                found = np.flatnonzero(reduced > 1e-7)
                if len(found) > PRICED_PER_ROUND:
                    found = found[np.argpartition(-reduced[found], PRICED_PER_ROUND - 1)[:PRICED_PER_ROUND]]
                return all_u[found].astype(np.int64), all_v[found].astype(np.int64), all_w[found]

        else:

            def pricer(duals: np.ndarray):
                found = []
                for start in range(0, n, BLOCK):
                    rows = np.arange(start, min(start + BLOCK, n))
                    weights, feasible = weigh(rows)
                    feasible &= usable[rows][:, None] & usable[None, :] & (np.arange(n)[None, :] > rows[:, None])
                    reduced = np.where(feasible, weights - duals[rows][:, None] - duals[None, :], -np.inf)
                    r, c = np.nonzero(reduced > 1e-7)
                    found.append((rows[r], c, weights[r, c], reduced[r, c]))
                nu, nv, nw, nr = (np.concatenate(parts) for parts in zip(*found, strict=True))
                order = np.argsort(-nr)[:PRICED_PER_ROUND]
                return nu[order], nv[order], nw[order]

        return max_weight_b_matching(capacity, u, v, w, pricer=pricer, time_limit=time_limit)

    def cohort(
        self,
        profiles: list[Profile] | Features,
        directions=frozenset(DIRECTIONS),
        keep=(),
        forbidden=(),
        lang: str = "en",
        time_limit: float = 30.0,
    ) -> CohortResult:
        """The pairs that maximise the pool's total reciprocal score under the hard constraints and
        capacities. `keep`: pairs approved earlier, kept as they are; `forbidden`: pairs rejected or declined,
        never proposed again."""
        started = time.perf_counter()
        f = profiles if isinstance(profiles, Features) else self.features(profiles)
        capacity = f.capacity.copy()
        kept: list[tuple[int, int]] = []
        for a, b in keep:
            if a in f.index and b in f.index:
                i, j = f.index[a], f.index[b]
                kept.append((i, j))
                capacity[i] -= 1
                capacity[j] -= 1
        capacity = np.maximum(capacity, 0)
        banned = self._forbidden(f, forbidden) | set(kept)

        def weigh(rows):
            block = self.scorer.block(f, rows, directions, self.allow_same_organisation, banned)
            return block.score, block.feasible

        solution = self._assign(f, weigh, capacity, time_limit) if len(f) > 1 else None
        chosen = [(i, j, False) for i, j in (solution.pairs if solution else [])] + [(i, j, True) for i, j in kept]
        pairs = self._pairs(f, chosen, lang)
        pairs.sort(key=lambda p: -p.score)
        in_pairs = {p.a for p in pairs} | {p.b for p in pairs}
        unmatched = [
            {"id": p.id, "reason": self.why_unmatched(f, f.index[p.id], directions, banned)}
            for p in f.profiles
            if p.id not in in_pairs
        ]
        return CohortResult(pairs, unmatched, solution, time.perf_counter() - started, len(f), sorted(directions))

    def _pairs(self, f: Features, chosen: list[tuple[int, int, bool]], lang: str) -> list[Pair]:
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

    # -- the fairness and quality report -------------------------------------------------------------------

    def report(self, profiles: list[Profile] | Features, directions=frozenset(DIRECTIONS), seed: int = 7) -> dict:
        """Ours against a random feasible pairing and a one-directional one (the best pairs by one side's
        needs only), on the same pool, the same hard constraints and the same capacities."""
        f = profiles if isinstance(profiles, Features) else self.features(profiles)
        ours = self.cohort(f, directions)
        ours_idx = [(f.index[p.a], f.index[p.b]) for p in ours.pairs]

        def hard(rows):
            return self.scorer.feasible(f, rows, directions, self.allow_same_organisation)

        def one_directional(rows):
            block = self.scorer.block(f, rows, directions, self.allow_same_organisation)
            best_side = np.maximum(block.fit_out, block.fit_in)
            return best_side, hard(rows) & (best_side >= MIN_FIT)

        one_dir = self._assign(f, one_directional, f.capacity.copy(), 30.0).pairs
        rng = random.Random(seed)
        edges = []
        for start in range(0, len(f), BLOCK):
            rows = np.arange(start, min(start + BLOCK, len(f)))
            r, c = np.nonzero(hard(rows) & (np.arange(len(f))[None, :] > rows[:, None]))
            edges.extend(zip((rows[r]).tolist(), c.tolist(), strict=True))
        rng.shuffle(edges)
        left = f.capacity.copy()
        random_pairs = []
        for i, j in edges:
            if left[i] > 0 and left[j] > 0:
                random_pairs.append((i, j))
                left[i] -= 1
                left[j] -= 1
        out = {
            "ours": self._metrics(f, ours_idx),
            "random": self._metrics(f, random_pairs),
            "one_directional": self._metrics(f, one_dir),
        }
        base = out["one_directional"]["mean_weaker_fit"]
        rates = [c["match_rate"] for c in out["ours"]["by_country"].values()]
        average = out["ours"]["match_rate"]
        out["checks"] = {
            "weaker_fit_ratio_vs_one_directional": round(out["ours"]["mean_weaker_fit"] / base, 3) if base else None,
            "weaker_fit_goal_met": bool(base == 0 or out["ours"]["mean_weaker_fit"] >= 1.5 * base),
            "largest_country_gap_points": round(max(0.0, max((average - r) * 100 for r in rates)), 1) if rates else 0.0,
            "country_goal_met": all((average - r) * 100 <= 10 for r in rates),
            "language_violations_zero": out["ours"]["language_violations"] == 0,
            "solver": ours.summary(),
        }
        return out

    def _metrics(self, f: Features, pairs: list[tuple[int, int]]) -> dict:
        """match_rate over the people who can be matched (consented, capacity above 0)."""
        eligible = f.consent & (f.capacity > 0)
        matched = np.zeros(len(f), dtype=bool)
        scores, weaker = [], []
        person_scores: dict[int, list[float]] = defaultdict(list)
        person_weaker: dict[int, list[float]] = defaultdict(list)
        violations = 0
        for i, j in pairs:
            block = self.scorer.block(f, np.array([i]), allow_same_organisation=True)
            score, low = float(block.score[0, j]), float(min(block.fit_out[0, j], block.fit_in[0, j]))
            scores.append(score)
            weaker.append(low)
            matched[[i, j]] = True
            for person in (i, j):
                person_scores[person].append(score)
                person_weaker[person].append(low)
            if not set(f.profiles[i].languages) & set(f.profiles[j].languages):
                violations += 1

        def group(members: np.ndarray) -> dict:
            members = members & eligible
            people = int(members.sum())
            idx = np.flatnonzero(members & matched)
            s = [x for i in idx for x in person_scores[int(i)]]
            w = [x for i in idx for x in person_weaker[int(i)]]
            return {
                "people": people,
                "matched": len(idx),
                "match_rate": round(len(idx) / people, 4) if people else 0.0,
                "mean_score": round(float(np.mean(s)), 4) if s else 0.0,
                "mean_weaker_fit": round(float(np.mean(w)), 4) if w else 0.0,
            }

        countries = sorted({p.country or "?" for p in f.profiles})
        country = np.array([p.country or "?" for p in f.profiles])
        return {
            "pairs": len(pairs),
            "people": int(eligible.sum()),
            "matched": int((matched & eligible).sum()),
            "match_rate": round(float((matched & eligible).sum() / max(1, eligible.sum())), 4),
            "mean_score": round(float(np.mean(scores)), 4) if scores else 0.0,
            "mean_weaker_fit": round(float(np.mean(weaker)), 4) if weaker else 0.0,
            "language_violations": violations,
            "by_country": {c: group(country == c) for c in countries},
            "by_language": {
                code: group(f.languages[:, SUPPORTED_LANGUAGES.index(code)] > 0) for code in SUPPORTED_LANGUAGES
            },
        }
