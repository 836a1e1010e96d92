"""Maximum-weight b-matching: choose pairs so that the total score is as high as possible while nobody is
in more pairs than her capacity. Exact, not greedy.

Small pools (up to `EXACT_EDGES` feasible pairs) are solved as an integer programme over every feasible
pair (HiGHS through `scipy.optimize.milp`): the optimum, full stop.

Large pools start from each person's best candidates and solve the linear relaxation with the dual
simplex; the duals price every pair left out (column generation, the caller computes the prices in
blocks), and pairs that could improve the total are added until none can. An integral relaxation is then
a certificate: no pairing of the whole pool scores more. A bipartite pool (for example Canada x partner
countries) always ends there. In a general pool the relaxation can be half-integral on odd cycles; the
integral pairs are kept and the small leftover problem is solved exactly, and the result records the gap
to the relaxation's bound (typically a few millionths of the total).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

log = logging.getLogger(__name__)

EXACT_EDGES = 20_000
EPS = 1e-7

Pricer = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]


@dataclass
class Solution:
    pairs: list[tuple[int, int]]
    total: float
    bound: float  # no assignment of the pool can score more than this
    method: str  # "milp", "lp" (integral relaxation) or "lp+milp"
    rounds: int
    edges: int

    @property
    def optimal(self) -> bool:
        return self.bound - self.total <= 1e-6 * max(1.0, abs(self.bound))

    @property
    def gap(self) -> float:
        return max(0.0, self.bound - self.total)


def _incidence(n: int, u: np.ndarray, v: np.ndarray) -> sp.csr_matrix:
    m = len(u)
    rows = np.concatenate([u, v])
    cols = np.concatenate([np.arange(m), np.arange(m)])
    return sp.csr_matrix((np.ones(2 * m), (rows, cols)), shape=(n, m))


def _milp(n: int, capacity: np.ndarray, u, v, w, time_limit: float) -> tuple[np.ndarray, float]:
    """(0/1 choice per edge, the best total any choice could reach); the two agree unless time ran out."""
    if len(u) == 0:
        return np.zeros(0), 0.0
    result = milp(
        -w,
        constraints=LinearConstraint(_incidence(n, u, v), ub=capacity),
        integrality=np.ones(len(u)),
        bounds=Bounds(0, 1),
        options={"time_limit": time_limit},
    )
    if result.x is None:
        raise RuntimeError(
            f"the assignment's integer programme found no solution in {time_limit:.0f} s: {result.message}"
        )
    x = np.round(result.x)
    bound = -getattr(result, "mip_dual_bound", None) if getattr(result, "mip_dual_bound", None) is not None else None
    if result.status == 0 or bound is None:
        bound = float(w[x > 0.5].sum())
    return x, float(bound)


def max_weight_b_matching(
    capacity: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    w: np.ndarray,
    pricer: Pricer | None = None,
    time_limit: float = 30.0,
) -> Solution:
    """Best pairs among edges (u[i], v[i]) of weight w[i] > 0. With a `pricer` (duals -> edges outside
    the set whose weight beats the sum of their ends' duals), missing edges are generated as needed;
    without one, (u, v, w) must be every edge that may be used."""
    n = len(capacity)
    capacity = np.asarray(capacity, dtype=float)
    u, v, w = np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64), np.asarray(w, dtype=float)
    u, v = np.minimum(u, v), np.maximum(u, v)
    if len(u) == 0 and pricer is None:
        return Solution([], 0.0, 0.0, "empty", 0, 0)
    if pricer is None and len(u) <= EXACT_EDGES:
        # The relaxation first: when it is integral it is the optimum; otherwise the integer programme.
        relaxed = linprog(-w, A_ub=_incidence(n, u, v), b_ub=capacity, bounds=(0, 1), method="highs-ds")
        if relaxed.status == 0 and not ((relaxed.x > EPS) & (relaxed.x < 1 - EPS)).any():
            chosen = np.flatnonzero(relaxed.x > 0.5)
            total = float(w[chosen].sum())
            return Solution([(int(u[i]), int(v[i])) for i in chosen], total, total, "lp", 1, len(u))
        x, bound = _milp(n, capacity, u, v, w, time_limit)
        chosen = np.flatnonzero(x > 0.5)
        total = float(w[chosen].sum())
        return Solution([(int(u[i]), int(v[i])) for i in chosen], total, max(bound, total), "milp", 1, len(u))

    rounds = 0
    while True:
        rounds += 1
        result = linprog(-w, A_ub=_incidence(n, u, v), b_ub=capacity, bounds=(0, 1), method="highs-ds")
        if result.status != 0:
            raise RuntimeError(f"the assignment's linear programme failed: {result.message}")
        duals = -result.ineqlin.marginals
        if pricer is None:
            break
        nu, nv, nw = pricer(duals)
        nu, nv = np.minimum(nu, nv), np.maximum(nu, nv)
        new = ~np.isin(nu * n + nv, u * n + v)  # an edge at its upper bound also prices positive
        nu, nv, nw = nu[new], nv[new], nw[new]
        if len(nu) == 0:
            break
        log.debug("assignment round %d: %d edges, %d more priced in", rounds, len(u), len(nu))
        u, v, w = np.concatenate([u, nu]), np.concatenate([v, nv]), np.concatenate([w, nw])
    bound = float(-result.fun)
    x = result.x
    fractional = (x > EPS) & (x < 1 - EPS)
    if not fractional.any():
        chosen = np.flatnonzero(x > 0.5)
        return Solution([(int(u[i]), int(v[i])) for i in chosen], float(w[chosen].sum()), bound, "lp", rounds, len(u))
    # Keep the integral pairs; solve what is left (people with capacity to spare and the pairs among them
    # the relaxation split) exactly.
    fixed = np.flatnonzero(x > 1 - EPS)
    left = capacity - np.bincount(u[fixed], minlength=n) - np.bincount(v[fixed], minlength=n)
    open_edges = np.flatnonzero((x <= 1 - EPS) & (left[u] > 0) & (left[v] > 0))
    order = open_edges[np.argsort(-x[open_edges], kind="stable")][:EXACT_EDGES]
    sub, _ = _milp(n, left, u[order], v[order], w[order], time_limit)
    chosen = np.concatenate([fixed, order[sub > 0.5]])
    return Solution([(int(u[i]), int(v[i])) for i in chosen], float(w[chosen].sum()), bound, "lp+milp", rounds, len(u))
