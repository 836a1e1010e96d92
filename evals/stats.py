"""The statistics the evaluation reports its metrics with: percentiles, bootstrap intervals, paired tests.

The random ones (bootstrap, sampled permutations) take a fixed seed, so the same per-case figures always give the
same intervals and p-values.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100, linear interpolation); None when there are no values."""
    if len(values) == 0:
        return None
    return float(np.percentile(np.asarray(values, dtype=float), q, method="linear"))


def mean_ci(
    values: Sequence[float], confidence: float = 0.95, resamples: int = 2000, seed: int = 0
) -> tuple[float, float] | None:
    """Percentile-bootstrap confidence interval of the mean, deterministic for a seed.

    (v, v) when there is one value or all values are equal; None when there are none.
    """
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return None
    if np.all(data == data[0]):
        return float(data[0]), float(data[0])
    result = stats.bootstrap(
        (data,),
        np.mean,
        n_resamples=resamples,
        confidence_level=confidence,
        method="percentile",
        vectorized=True,
        rng=np.random.default_rng(seed),
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def _mean_difference(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(x - y, axis=axis)


def paired_p_value(a: Sequence[float], b: Sequence[float], resamples: int = 10000, seed: int = 0) -> float | None:
    """Two-sided paired permutation test of the mean difference a - b (signs flipped per pair).

    Exact when 2**n <= resamples, deterministic for a seed otherwise. 1.0 when every difference is zero;
    None with fewer than two pairs; ValueError when the samples differ in length.
    """
    if len(a) != len(b):
        raise ValueError(f"a has {len(a)} values, b {len(b)}")
    if len(a) < 2:
        return None
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if np.all(x == y):
        return 1.0
    result = stats.permutation_test(
        (x, y),
        _mean_difference,
        permutation_type="samples",
        vectorized=True,
        n_resamples=resamples,
        alternative="two-sided",
        rng=np.random.default_rng(seed),
    )
    return float(result.pvalue)
