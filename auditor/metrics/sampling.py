"""Equal-size repeated subsampling and its interval.

A corpus-level metric f depends on how many documents it sees, so every period is measured on
``repeats`` random subsamples of the same size ``m`` (without replacement: duplicated documents
would fake repetition), each document cut to the same text budget.

Interval. The point estimate is the mean of f over the R subsamples. Its standard error combines
(a) the finite-population subsampling term: for a statistic that is a mean, the spread ``s`` of f
over size-m subsamples of n documents relates to the error of the full-period estimate by
``s^2 * m / (n - m)`` (exact for means, a first-order approximation otherwise; Politis, Romano &
Wolf, *Subsampling*, 1999), and (b) the Monte-Carlo term ``s^2 / R`` from using R subsamples
rather than all of them:  ``se = s * sqrt(m / (n - m) + 1 / R)``; 95% interval: value +/- 1.96 se,
clipped to the metric's range (a share's interval never goes below 0).

The sample never reaches the period: at ``m = n`` every "sample" is the whole period, the spread
``s`` is 0 and the interval would claim infinite certainty. ``m`` is therefore at most half of
every compared period (:func:`choose_sample_size`); periods too small for that are merged
beforehand (``auditor.ingest.periods.merge_small``).
"""
from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from statistics import NormalDist
from typing import Any

import numpy as np

from auditor.errors import UsageError
from auditor.types import Estimate


def normal_quantile(p: float) -> float:
    """The standard normal quantile (``statistics.NormalDist().inv_cdf``).

    >>> round(normal_quantile(0.975), 4)
    1.96
    """
    return NormalDist().inv_cdf(p)


def normal_sf(z: float) -> float:
    """The standard normal upper tail P(Z > z).

    >>> round(normal_sf(1.959964), 4)
    0.025
    """
    return 0.5 * math.erfc(z / math.sqrt(2.0))


Z95 = normal_quantile(0.975)
MIN_SAMPLE = 5  # the smallest sample samey measures; periods need at least 2 * MIN_SAMPLE posts


def stable_seed(*parts: Any) -> int:
    """A seed derived from ``parts`` (CRC-32 of their repr): the same parts give the same draws
    in every run and process, whatever else was drawn before.

    >>> stable_seed(0, "pool", "2024-01") == stable_seed(0, "pool", "2024-01")
    True
    """
    return zlib.crc32(repr(parts).encode()) & 0x7FFFFFFF


def default_sample_size(period_sizes: Sequence[int], *, cap: int = 200) -> int:
    """Half the smallest period (so every period has spread to measure), at most ``cap``,
    at least 2."""
    if not period_sizes:
        return 2
    return int(max(2, min(cap, min(period_sizes) // 2)))


def choose_sample_size(period_sizes: Sequence[int], labels: Sequence[str],
                       requested: int | None, *, cap: int = 200) -> tuple[int, list[str]]:
    """The sample size ``m`` and plain-words notes.

    Default: half the smallest period, at most ``cap``. An explicit ``requested`` size larger
    than half a period is a usage error (a sample as large as its period has no spread, so its
    interval would be zero-width); it is never silently clamped, because the user asked for it.

    >>> choose_sample_size([400, 600], ["a", "b"], None)
    (200, [])
    >>> choose_sample_size([40, 60], ["a", "b"], None)[0]
    20
    >>> choose_sample_size([40, 60], ["a", "b"], 30)  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    auditor.errors.UsageError: --sample-size 30 is too large: period a has 40 documents and
    samples may be at most half a period (20); use --sample-size 20 or less, or a coarser --period.
    """
    if not period_sizes:
        return 2, []
    small = min(range(len(period_sizes)), key=lambda i: period_sizes[i])
    half = period_sizes[small] // 2
    if requested is not None:
        if requested > half:
            raise UsageError(
                f"--sample-size {requested} is too large: period {labels[small]} has "
                f"{period_sizes[small]} documents and samples may be at most half a period "
                f"({half}); use --sample-size {max(half, 2)} or less, or a coarser --period.")
        return int(requested), []
    m = int(max(2, min(cap, half)))
    notes: list[str] = []
    if len(period_sizes) < 2 or period_sizes[small] < 2 * MIN_SAMPLE:
        return m, notes  # nothing is compared (one period), or the period is set apart
    if half < cap:
        notes.append(f"Samples of {m} documents per period: half of the smallest period "
                     f"({labels[small]}, {period_sizes[small]} documents), so that every "
                     "period has spread to measure.")
    return m, notes


def water_fill(lengths: Sequence[int] | np.ndarray, budget: int) -> np.ndarray:
    """Words to take from each document so that a sample holds exactly ``budget`` words in all
    (or every word it has, when it holds fewer): every document gives ``min(length, c)``, the
    level ``c`` as high as the budget allows, and the words left over go one each to the first
    documents still longer than ``c``. Equal word budgets per sample make the length-dependent
    metrics (compression, n-gram diversity, repetition, rare words) compare like with like when
    posts get shorter or longer (Shaib et al. 2024, arXiv 2403.00553, on length sensitivity).

    >>> water_fill([10, 100, 100], 120).tolist()
    [10, 55, 55]
    >>> water_fill([10, 100, 100], 121).tolist()
    [10, 56, 55]
    >>> water_fill([3, 4], 100).tolist()
    [3, 4]
    """
    lens = np.asarray(lengths, dtype=np.int64)
    if lens.size == 0 or int(lens.sum()) <= budget:
        return lens.copy()
    srt = np.sort(lens)
    # the largest level c with sum(min(len, c)) <= budget
    lo, hi = 0, int(srt[-1])
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if int(np.minimum(srt, mid).sum()) <= budget:
            lo = mid
        else:
            hi = mid - 1
    cuts = np.minimum(lens, lo)
    left = budget - int(cuts.sum())
    more = np.flatnonzero(lens > lo)[:left]
    cuts[more] += 1
    return cuts


def draw_samples(n: int, m: int, repeats: int, rng: np.random.Generator) -> list[np.ndarray]:
    """``repeats`` sorted index arrays of size ``min(m, n)`` drawn without replacement."""
    m = min(m, n)
    return [np.sort(rng.choice(n, size=m, replace=False)) for _ in range(repeats)]


def subsample_estimate(values: Sequence[float], *, m: int, n: int,
                       bounds: tuple[float, float] = (-math.inf, math.inf)) -> Estimate:
    """Point estimate and 95% interval from metric values on R size-m subsamples of n docs,
    the interval clipped to ``bounds``.

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
    if n <= m:  # no spread to measure: unknown, never zero
        return Estimate(value, float("nan"), float("nan"), float("nan"))
    se = s * math.sqrt(m / (n - m) + 1.0 / v.size)
    lo, hi = bounds
    return Estimate(value, max(lo, value - Z95 * se), min(hi, value + Z95 * se), se)
