"""Equal-size repeated subsampling and its interval.

A corpus-level metric f depends on how many documents it sees, so every period is measured on
``repeats`` random subsamples of the same size ``m`` (without replacement: duplicated documents
would fake repetition), each document cut to the same text budget.

Interval. The point estimate is the mean of f over the R subsamples. Its standard error combines
(a) the finite-population subsampling term: for a statistic that is a mean, the spread ``s`` of f
over size-m subsamples of n documents relates to the error of the full-period estimate by
``s^2 * m / (n - m)`` (exact for means, a first-order approximation otherwise; Politis, Romano &
Wolf, *Subsampling*, 1999), and (b) the Monte-Carlo term ``s^2 / R`` from using R subsamples
rather than all of them:  ``se = s * sqrt(m / (n - m) + 1 / R)``; 95% interval: value +/- 1.96 se.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..types import Estimate

Z95 = 1.959963984540054


def default_sample_size(period_sizes: Sequence[int], *, cap: int = 200) -> int:
    """Half the smallest period (so every period has spread to measure), at most ``cap``,
    at least 2."""
    if not period_sizes:
        return 2
    return int(max(2, min(cap, min(period_sizes) // 2)))


def draw_samples(n: int, m: int, repeats: int, rng: np.random.Generator) -> list[np.ndarray]:
    """``repeats`` sorted index arrays of size ``min(m, n)`` drawn without replacement."""
    m = min(m, n)
    return [np.sort(rng.choice(n, size=m, replace=False)) for _ in range(repeats)]


def subsample_estimate(values: Sequence[float], *, m: int, n: int) -> Estimate:
    """Point estimate and 95% interval from metric values on R size-m subsamples of n docs.

    >>> e = subsample_estimate([1.0, 3.0], m=5, n=10)
    >>> round(e.value, 3), round(e.se, 3)
    (2.0, 1.732)
    """
    v = np.asarray([x for x in values if x is not None and not math.isnan(x)], dtype=float)
    if v.size == 0:
        nan = float("nan")
        return Estimate(nan, nan, nan, nan)
    value = float(v.mean())
    if v.size < 2:
        return Estimate(value, value, value, float("nan"))
    s = float(v.std(ddof=1))
    fpc = m / (n - m) if n > m else 1.0
    se = s * math.sqrt(fpc + 1.0 / v.size)
    return Estimate(value, value - Z95 * se, value + Z95 * se, se)
