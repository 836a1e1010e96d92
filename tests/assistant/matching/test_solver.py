"""The b-matching solver against brute force, and its column-generation path against the exact solve."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest

from assistant.matching.solver import max_weight_b_matching


def brute_force(capacity: list[int], edges: list[tuple[int, int, float]]) -> float:
    """The best total over every subset of edges that respects the capacities (exhaustive, with the
    obvious pruning: an edge is only taken while both ends have room)."""
    left = list(capacity)
    best = 0.0

    def walk(k: int, total: float) -> None:
        nonlocal best
        if k == len(edges):
            best = max(best, total)
            return
        u, v, w = edges[k]
        walk(k + 1, total)
        if left[u] > 0 and left[v] > 0:
            left[u] -= 1
            left[v] -= 1
            walk(k + 1, total + w)
            left[u] += 1
            left[v] += 1

    walk(0, 0.0)
    return best


def random_instance(rng: random.Random) -> tuple[list[int], list[tuple[int, int, float]]]:
    n = rng.randint(3, 7)
    capacity = [rng.randint(1, 2) for _ in range(n)]
    possible = [(i, j) for i in range(n) for j in range(i + 1, n)]
    chosen = rng.sample(possible, rng.randint(1, min(14, len(possible))))
    edges = []
    for i, j in chosen:
        if rng.random() < 0.5:
            i, j = j, i  # the solver must not care about the order of the ends
        edges.append((i, j, round(rng.uniform(0.01, 1.0), 3)))
    return capacity, edges


def check_feasible(solution, capacity, edges) -> None:
    weight = {frozenset((u, v)): w for u, v, w in edges}
    pairs = [frozenset(p) for p in solution.pairs]
    assert len(pairs) == len(set(pairs)), "a pair chosen twice"
    assert all(len(p) == 2 for p in pairs), "a pair of one person with herself"
    assert all(p in weight for p in pairs), "a pair that is not an edge"
    used = Counter(x for p in solution.pairs for x in p)
    for node, count in used.items():
        assert count <= capacity[node], (node, count, capacity[node])
    assert solution.total == pytest.approx(sum(weight[p] for p in pairs), abs=1e-9)


def solve(capacity, edges, **kwargs):
    u = np.array([e[0] for e in edges])
    v = np.array([e[1] for e in edges])
    w = np.array([e[2] for e in edges])
    return max_weight_b_matching(np.array(capacity), u, v, w, **kwargs)


def test_equals_brute_force_on_200_small_instances():
    rng = random.Random(20240611)
    methods = Counter()
    for _ in range(200):
        capacity, edges = random_instance(rng)
        solution = solve(capacity, edges)
        check_feasible(solution, capacity, edges)
        assert solution.total == pytest.approx(brute_force(capacity, edges), abs=1e-6), (capacity, edges)
        assert solution.optimal
        methods[solution.method] += 1
    assert methods["lp"] and methods["milp"], methods  # both the integral relaxation and the integer programme


def test_an_odd_cycle_is_solved_as_integers():
    # A triangle of weight-1 edges, capacity 1: the relaxation takes half of each edge (1.5); only one pair fits.
    solution = solve([1, 1, 1], [(0, 1, 1.0), (1, 2, 1.0), (0, 2, 1.0)])
    assert len(solution.pairs) == 1
    assert solution.total == pytest.approx(1.0)
    assert solution.bound >= solution.total
    # With capacity 2 everyone takes both her edges.
    assert solve([2, 2, 2], [(0, 1, 1.0), (1, 2, 1.0), (0, 2, 1.0)]).total == pytest.approx(3.0)


def test_no_edges_is_an_empty_solution():
    solution = max_weight_b_matching(np.array([1, 1]), np.array([], dtype=int), np.array([], dtype=int), np.array([]))
    assert solution.pairs == [] and solution.total == 0.0 and solution.optimal


# -- column generation -----------------------------------------------------------------------------------------


def bipartite(rng: np.random.Generator, n: int = 60, density: float = 0.5):
    left = np.arange(n // 2)
    right = np.arange(n // 2, n)
    uu, vv = np.meshgrid(left, right, indexing="ij")
    u, v = uu.ravel(), vv.ravel()
    keep = rng.random(len(u)) < density
    u, v = u[keep], v[keep]
    return u, v, rng.uniform(0.01, 1.0, len(u))


def general(rng: np.random.Generator, n: int = 60, density: float = 0.3):
    uu, vv = np.triu_indices(n, 1)
    keep = rng.random(len(uu)) < density
    u, v = uu[keep], vv[keep]
    return u, v, rng.uniform(0.01, 1.0, len(u))


def column_generation(capacity, u, v, w, start_per_node: int = 2):
    """Start from each node's few best edges; the pricer finds every edge whose weight beats its ends' duals."""
    n = len(capacity)
    start = set()
    for node in range(n):
        mine = np.flatnonzero((u == node) | (v == node))
        start.update(mine[np.argsort(-w[mine])][:start_per_node].tolist())
    start = np.array(sorted(start))
    calls = []

    def pricer(duals):
        calls.append(len(duals))
        assert len(duals) == n
        reduced = w - duals[u] - duals[v]
        found = reduced > 1e-7
        return u[found], v[found], w[found]

    solution = max_weight_b_matching(capacity, u[start], v[start], w[start], pricer=pricer)
    assert calls, "the pricer was never asked"
    return solution, len(start)


@pytest.mark.parametrize("seed", range(8))
def test_column_generation_reaches_the_exact_total_on_bipartite_pools(seed):
    rng = np.random.default_rng(seed)
    u, v, w = bipartite(rng)
    capacity = rng.integers(1, 3, 60)
    exact = max_weight_b_matching(capacity, u, v, w)
    priced, started_with = column_generation(capacity, u, v, w)
    assert started_with < len(u)  # it really started from a subset
    assert priced.total == pytest.approx(exact.total, rel=1e-7)
    assert priced.optimal
    assert priced.bound == pytest.approx(priced.total, rel=1e-6)
    check_feasible(priced, capacity, list(zip(u.tolist(), v.tolist(), w.tolist(), strict=True)))


@pytest.mark.parametrize("seed", range(8))
def test_on_a_general_graph_the_bound_is_above_every_assignment(seed):
    rng = np.random.default_rng(100 + seed)
    u, v, w = general(rng)
    capacity = rng.integers(1, 3, 60)
    exact = max_weight_b_matching(capacity, u, v, w)
    priced, _ = column_generation(capacity, u, v, w)
    check_feasible(priced, capacity, list(zip(u.tolist(), v.tolist(), w.tolist(), strict=True)))
    assert priced.bound >= priced.total - 1e-9
    assert priced.bound >= exact.total - 1e-6  # a bound on every assignment, the optimum included
    assert priced.total <= exact.total + 1e-9
    assert priced.gap == pytest.approx(max(0.0, priced.bound - priced.total))


def test_column_generation_on_an_odd_cycle_falls_back_to_integers():
    # Two disjoint triangles, capacity 1: the relaxation is all halves; the priced solve must still be integral.
    u = np.array([0, 1, 0, 3, 4, 3])
    v = np.array([1, 2, 2, 4, 5, 5])
    w = np.ones(6)
    solution = max_weight_b_matching(np.ones(6), u[:2], v[:2], w[:2], pricer=lambda d: (u, v, w))
    check_feasible(solution, [1] * 6, list(zip(u.tolist(), v.tolist(), w.tolist(), strict=True)))
    assert solution.total == pytest.approx(2.0)
    assert solution.bound >= 3.0 - 1e-9  # the relaxation's 6 halves
