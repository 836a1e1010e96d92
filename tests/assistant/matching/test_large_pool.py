"""The large-pool path of the cohort assignment (column generation over cached pairs, or over pairs scored
again each round when the pool is too big to cache) against the exact integer programme on the same pool,
and the pair-by-pair scores against the block scores they must equal."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.embeddings import HashEmbedder
from assistant.matching import cohort as cohort_module
from assistant.matching.matcher import Matcher
from assistant.matching.profiles import load_profiles
from tests.assistant.matching.conftest import DEMO_COHORT


@pytest.fixture(scope="module")
def demo(taxonomy):
    profiles, _ = load_profiles(DEMO_COHORT, taxonomy)
    matcher = Matcher(taxonomy, HashEmbedder())
    return matcher, matcher.features(profiles)


def solve(matcher, f, directions, monkeypatch, exact_hint, cached):
    monkeypatch.setattr(cohort_module, "EXACT_EDGES_HINT", exact_hint)
    monkeypatch.setattr(cohort_module, "CACHED_EDGES", cached)
    monkeypatch.setattr(cohort_module, "CANDIDATES_PER_PERSON", 2)  # so the duals must price pairs in
    return matcher.cohort(f, directions=frozenset(directions))


@pytest.mark.parametrize("directions", [{"north-south"}, {"north-south", "south-south", "national"}])
def test_the_large_pool_paths_reach_the_exact_optimum(demo, monkeypatch, directions):
    matcher, f = demo
    exact = solve(matcher, f, directions, monkeypatch, exact_hint=10**9, cached=10**9)
    cached = solve(matcher, f, directions, monkeypatch, exact_hint=0, cached=10**9)
    rescored = solve(matcher, f, directions, monkeypatch, exact_hint=0, cached=0)
    assert exact.solution.method in ("lp", "milp") and exact.solution.optimal
    for large in (cached, rescored):
        assert large.solution.method in ("lp", "lp+milp")
        assert large.solution.rounds > 1  # pairs were priced in
        assert large.solution.bound >= exact.solution.total - 1e-6  # the relaxation bounds every assignment
        assert large.solution.total == pytest.approx(exact.solution.total, abs=1e-4 * exact.solution.total)
    if directions == {"north-south"}:  # bipartite: the relaxation is integral, the optimum is certified
        assert cached.solution.optimal and rescored.solution.optimal


def test_pair_scores_equal_the_block_scores(demo):
    matcher, f = demo
    rng = np.random.default_rng(3)
    a, b = rng.integers(0, len(f), 300), rng.integers(0, len(f), 300)
    pairs = matcher.scorer.pairs(f, a, b)
    for k in range(len(a)):
        block = matcher.scorer.block(f, np.array([a[k]]))
        assert pairs.score[k] == pytest.approx(block.score[0, b[k]], abs=1e-5)
        assert pairs.fit_out[k] == pytest.approx(block.fit_out[0, b[k]], abs=1e-6)
        assert pairs.fit_in[k] == pytest.approx(block.fit_in[0, b[k]], abs=1e-6)
        assert pairs.compat[k] == pytest.approx(block.compat[0, b[k]], abs=1e-6)
        assert pairs.feasible[k] == block.feasible[0, b[k]]
    assert pairs.feasible.any() and not pairs.feasible.all()  # both outcomes were compared
    forbidden = {(int(a[0]), int(b[0]))}
    assert not matcher.scorer.pairs(f, a[:1], b[:1], forbidden=forbidden).feasible[0]
    assert not matcher.scorer.pairs(f, b[:1], a[:1], forbidden=forbidden).feasible[0]
