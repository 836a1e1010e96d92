"""The fairness and quality report: our cohort assignment against a random feasible pairing and a
one-directional one, on the same pool, hard constraints and capacities, overall and by country and language.

Works on the pool's `Features`; the assignment itself is `cohort.py`'s.
"""

from __future__ import annotations

import random
from collections import defaultdict

import numpy as np

from assistant.config import SUPPORTED_LANGUAGES
from assistant.matching.cohort import Assigner
from assistant.matching.directions import DIRECTIONS
from assistant.matching.scoring import MIN_FIT, Features, Scorer, row_blocks


class FairnessReport:
    def __init__(self, scorer: Scorer, assigner: Assigner, allow_same_organisation: bool = False) -> None:
        self.scorer = scorer
        self.assigner = assigner
        self.allow_same_organisation = allow_same_organisation

    def report(self, f: Features, directions=frozenset(DIRECTIONS), seed: int = 7) -> dict:
        """Ours against a random feasible pairing and a one-directional one (see `Matcher.report`)."""
        ours = self.assigner.cohort(f, directions)
        ours_idx = [(f.index[p.a], f.index[p.b]) for p in ours.pairs]
        one_dir = self._one_directional_pairs(f, directions)
        random_pairs = self._random_pairs(f, directions, seed)
        out = {
            "ours": self.metrics(f, ours_idx),
            "random": self.metrics(f, random_pairs),
            "one_directional": self.metrics(f, one_dir),
        }
        out["checks"] = _checks(out, ours.summary())
        return out

    def _hard(self, f: Features, rows: np.ndarray, directions) -> np.ndarray:
        return self.scorer.feasible(f, rows, directions, self.allow_same_organisation)

    def _one_directional_pairs(self, f: Features, directions) -> list[tuple[int, int]]:
        """The best pairs by one side's needs only (the better of the two fits), under the same constraints."""

        def one_directional(rows):
            block = self.scorer.block(f, rows, directions, self.allow_same_organisation)
            best_side = np.maximum(block.fit_out, block.fit_in)
            return best_side, self._hard(f, rows, directions) & (best_side >= MIN_FIT)

        return self.assigner.assign(f, one_directional, f.capacity.copy(), 30.0).pairs

    def _random_pairs(self, f: Features, directions, seed: int) -> list[tuple[int, int]]:
        """Feasible pairs taken in a seeded random order while both still have capacity."""
        rng = random.Random(seed)
        edges = []
        for rows in row_blocks(len(f)):
            r, c = np.nonzero(self._hard(f, rows, directions) & (np.arange(len(f))[None, :] > rows[:, None]))
            edges.extend(zip((rows[r]).tolist(), c.tolist(), strict=True))
        rng.shuffle(edges)
        left = f.capacity.copy()
        random_pairs = []
        for i, j in edges:
            if left[i] > 0 and left[j] > 0:
                random_pairs.append((i, j))
                left[i] -= 1
                left[j] -= 1
        return random_pairs

    def metrics(self, f: Features, pairs: list[tuple[int, int]]) -> dict:
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
            return _group(members & eligible, matched, person_scores, person_weaker)

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


def _group(members: np.ndarray, matched: np.ndarray, person_scores, person_weaker) -> dict:
    """The figures of one group of eligible people (a country, a language)."""
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


def _checks(out: dict, solver: dict) -> dict:
    """The report's goals: the weaker side's fit against the one-directional baseline, the gap between
    countries, no pair without a shared language."""
    base = out["one_directional"]["mean_weaker_fit"]
    rates = [c["match_rate"] for c in out["ours"]["by_country"].values()]
    average = out["ours"]["match_rate"]
    return {
        "weaker_fit_ratio_vs_one_directional": round(out["ours"]["mean_weaker_fit"] / base, 3) if base else None,
        "weaker_fit_goal_met": bool(base == 0 or out["ours"]["mean_weaker_fit"] >= 1.5 * base),
        "largest_country_gap_points": round(max(0.0, max((average - r) * 100 for r in rates)), 1) if rates else 0.0,
        "country_goal_met": all((average - r) * 100 <= 10 for r in rates),
        "language_violations_zero": out["ours"]["language_violations"] == 0,
        "solver": solver,
    }
