"""Maximum-weight b-matching: choose pairs so that the total score is as high as possible while nobody is
in more pairs than her capacity. Exact, not greedy.

Small pools (up to `EXACT_EDGES` feasible pairs) are solved as an integer programme over every feasible
pair (HiGHS through `scipy.optimize.milp`): the optimum, full stop.

Large pools start from each person's best candidates and solve the linear relaxation with the dual
simplex (HiGHS through highspy, one model kept warm from round to round); the duals price every pair
left out (column generation, the caller computes the prices), and pairs that could improve the total are
added until none can. An integral relaxation is then a certificate: no pairing of the whole pool scores
more. A bipartite pool (for example Canada x partner countries) always ends there. In a general pool the
relaxation can be half-integral on odd cycles; the integer programme over every pair generated is then
solved exactly, and the result records its gap to the relaxation's bound (typically a few millionths of
the total).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

log = logging.getLogger(__name__)

EXACT_EDGES = 20_000
EXACT_COLUMNS = 300_000  # generated pairs the integer programme takes on when the relaxation is fractional
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


class _RestrictedLP:
    """The linear relaxation over the edges added so far, kept in one HiGHS model: new edges are added as
    columns and the dual simplex restarts from the last basis, so a pricing round costs a few pivots rather
    than a solve from scratch."""

    def __init__(self, capacity: np.ndarray) -> None:
        n = len(capacity)
        self.highs = _new_highs()
        self.highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
        empty_int, empty = np.array([], dtype=np.int32), np.array([], dtype=float)
        self.highs.addRows(n, np.full(n, -highspy.kHighsInf), capacity.astype(float), 0, empty_int, empty_int, empty)

    def add(self, u: np.ndarray, v: np.ndarray, w: np.ndarray) -> None:
        m = len(u)
        if m == 0:
            return
        index = np.empty(2 * m, dtype=np.int32)
        index[0::2], index[1::2] = u, v
        starts = np.arange(0, 2 * m, 2, dtype=np.int32)
        self.highs.addCols(m, w.astype(float), np.zeros(m), np.ones(m), 2 * m, starts, index, np.ones(2 * m))

    def solve(self) -> tuple[np.ndarray, np.ndarray, float]:
        """(edge values, each person's dual price, the objective)."""
        self.highs.run()
        status = self.highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"the assignment's linear programme failed: {self.highs.modelStatusToString(status)}")
        solution = self.highs.getSolution()
        objective = float(self.highs.getInfo().objective_function_value)
        return np.asarray(solution.col_value), np.abs(np.asarray(solution.row_dual)), objective


_banner_lock = threading.Lock()
_banner_shown = False


def _new_highs() -> highspy.Highs:
    """A silent HiGHS instance. HiGHS prints a banner to the process's stdout the first time one is made
    (which would corrupt `--json` output), so the first is made with stdout pointed at /dev/null."""
    global _banner_shown
    with _banner_lock:
        if not _banner_shown:
            sys.stdout.flush()
            saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            try:
                highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(devnull)
            _banner_shown = True
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("solver", "simplex")
    return highs


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
        return _exact(n, capacity, u, v, w, time_limit)
    x, u, v, w, bound, rounds = _column_generation(n, capacity, u, v, w, pricer)
    fractional = (x > EPS) & (x < 1 - EPS)
    if not fractional.any():
        chosen = np.flatnonzero(x > 0.5)
        return Solution(_edges(u, v, chosen), float(w[chosen].sum()), bound, "lp", rounds, len(u))
    chosen = _integral(n, capacity, u, v, w, x, time_limit)
    return Solution(_edges(u, v, chosen), float(w[chosen].sum()), bound, "lp+milp", rounds, len(u))


def _edges(u: np.ndarray, v: np.ndarray, chosen: np.ndarray) -> list[tuple[int, int]]:
    return [(int(u[i]), int(v[i])) for i in chosen]


def _exact(n: int, capacity, u, v, w, time_limit: float) -> Solution:
    """Every edge at once: the relaxation first (when it is integral it is the optimum), else the integer
    programme."""
    relaxed = linprog(-w, A_ub=_incidence(n, u, v), b_ub=capacity, bounds=(0, 1), method="highs-ds")
    if relaxed.status == 0 and not ((relaxed.x > EPS) & (relaxed.x < 1 - EPS)).any():
        chosen = np.flatnonzero(relaxed.x > 0.5)
        total = float(w[chosen].sum())
        return Solution(_edges(u, v, chosen), total, total, "lp", 1, len(u))
    x, bound = _milp(n, capacity, u, v, w, time_limit)
    chosen = np.flatnonzero(x > 0.5)
    total = float(w[chosen].sum())
    return Solution(_edges(u, v, chosen), total, max(bound, total), "milp", 1, len(u))


def _column_generation(n: int, capacity, u, v, w, pricer: Pricer | None):
    """The relaxation over the given edges, with the pricer's edges added until none prices in:
    (x, u, v, w with every edge generated, the relaxation's objective, rounds)."""
    lp = _RestrictedLP(capacity)
    lp.add(u, v, w)
    rounds = 0
    while True:
        rounds += 1
        x, duals, objective = lp.solve()
        if pricer is None:
            break
        nu, nv, nw = pricer(duals)
        nu, nv = np.minimum(nu, nv), np.maximum(nu, nv)
        new = ~np.isin(nu * n + nv, u * n + v)  # an edge at its upper bound also prices positive
        nu, nv, nw = nu[new], nv[new], nw[new]
        if len(nu) == 0:
            break
        log.debug("assignment round %d: %d edges, %d more priced in", rounds, len(u), len(nu))
        lp.add(nu, nv, nw)
        u, v, w = np.concatenate([u, nu]), np.concatenate([v, nv]), np.concatenate([w, nw])
    return x, u, v, w, objective, rounds


def _integral(n: int, capacity, u, v, w, x: np.ndarray, time_limit: float) -> np.ndarray:
    """The chosen edges when the relaxation `x` is fractional.

    Odd cycles split some pairs in halves. The integer programme over every pair generated so far (the
    relaxation's support and the best candidates) is solved exactly; its distance to the relaxation's
    bound is the gap reported. When it does not finish in time, the integral pairs are kept and only
    the leftover is solved."""
    if len(u) <= EXACT_COLUMNS:
        try:
            x_int, _ = _milp(n, capacity, u, v, w, time_limit)
            return np.flatnonzero(x_int > 0.5)
        except RuntimeError:
            log.warning("the integer programme over %d pairs ran out of time; solving the leftover only", len(u))
    fixed = np.flatnonzero(x > 1 - EPS)
    left = capacity - np.bincount(u[fixed], minlength=n) - np.bincount(v[fixed], minlength=n)
    open_edges = np.flatnonzero((x <= 1 - EPS) & (left[u] > 0) & (left[v] > 0))
    order = open_edges[np.argsort(-x[open_edges], kind="stable")][:EXACT_EDGES]
    sub, _ = _milp(n, left, u[order], v[order], w[order], time_limit)
    return np.concatenate([fixed, order[sub > 0.5]])
