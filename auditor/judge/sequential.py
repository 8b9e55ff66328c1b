"""The one trend rule: a shift that moves beyond normal variation and stays there escalates,
whether or not it keeps rising.

A one-sided CUSUM (Page 1954; Montgomery, *Introduction to Statistical Quality Control*, ch. 9)
runs over the judged periods of every verdict metric, on its directed z against the reference:

    S_t = max(0, S_(t-1) + min(z_t, Z_CAP) - K)

``K`` = 1 sd is half the 2-sd shift the rule is tuned to catch; ``Z_CAP`` winsorizes one wild
period so that a single outlier cannot hold the sum up for long. A layer is **sustained**
(``samey``) in a period when one of its metrics has ``S_t >= h_samey``, built over two or more
periods (``S_(t-1) > 0``: one period alone is the single-period test's to judge), and is still
beyond the one-sided 95% limit in that period (``z_t >= Z_TREND``, with an effect of at least
``min_effect``); it is **building** (``watch``) at ``h_watch``.

The decision limits are calibrated by simulation on null runs of the same shape, fixed before
any data is seen: ``T`` judged periods compared with a baseline of ``B`` periods, every verdict
metric's z standard normal, with the correlation a shared baseline gives (each z holds the same
baseline error, weight ``1/B``), metrics independent (which only makes the limits
conservative for correlated metrics). ``h_samey`` is the ``1 - ALPHA_SUSTAINED`` quantile of
the largest ``S`` over every metric and period of such a run, ``h_watch`` the
``1 - ALPHA_BUILDING`` quantile: a steady history of that shape is called sustained in at most
``ALPHA_SUSTAINED`` of audits (ARL0 by shape in the README); the two-period and z conditions
only make a signal rarer, so the limits stay conservative.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from auditor.judge.thresholds import (
    ALPHA_BUILDING,
    ALPHA_SUSTAINED,
    CUSUM_K,
    CUSUM_SIMULATIONS,
    Z_CAP,
)


def cusum(zs: Sequence[float], *, k: float = CUSUM_K, cap: float = Z_CAP) -> list[float]:
    """One-sided CUSUM of directed z-scores (a NaN period adds nothing and keeps the sum).

    >>> [round(s, 1) for s in cusum([2.0, 2.5, 0.0, 9.0, float("nan")])]
    [1.0, 2.5, 1.5, 4.5, 4.5]
    """
    out, s = [], 0.0
    for z in zs:
        if not math.isnan(z):
            s = max(0.0, s + min(z, cap) - k)
        out.append(s)
    return out


@lru_cache(maxsize=256)
def _null_maxima(n_base: int, periods: int, metrics: int) -> np.ndarray:
    """Largest CUSUM over every metric and period of ``CUSUM_SIMULATIONS`` null runs (sorted)."""
    rng = np.random.default_rng(20261207 + 1000 * n_base + periods)
    b = max(n_base, 1)
    sims = CUSUM_SIMULATIONS
    best = np.zeros(sims)
    for _ in range(metrics):  # one metric at a time keeps memory at sims x periods
        shared = rng.standard_normal((sims, 1)) / math.sqrt(b)
        z = (rng.standard_normal((sims, periods)) + shared) / math.sqrt(1 + 1 / b)
        s = np.zeros(sims)
        for t in range(periods):
            s = np.maximum(0.0, s + np.minimum(z[:, t], Z_CAP) - CUSUM_K)
            np.maximum(best, s, out=best)
    return np.sort(best)


def limits(n_base: int, periods: int, metrics: int) -> tuple[float, float]:
    """``(h_watch, h_samey)`` for a run of ``periods`` judged periods against ``n_base``
    baseline periods over ``metrics`` metrics (module docstring).

    >>> w, s = limits(3, 6, 16)
    >>> 3 < w < s < 8
    True
    """
    if periods <= 0 or metrics <= 0:
        return math.inf, math.inf
    m = _null_maxima(max(int(n_base), 1), int(periods), int(metrics))
    return (float(np.quantile(m, 1 - ALPHA_BUILDING)),
            float(np.quantile(m, 1 - ALPHA_SUSTAINED)))


def in_control_run_length(n_base: int, metrics: int, *, horizon: int = 60) -> float:
    """The average number of judged periods before a steady history (the null above) is first
    called sustained, with the limits of a ``horizon``-period audit (capped at the horizon):
    the ARL0 the README states."""
    _, h = limits(n_base, horizon, metrics)
    rng = np.random.default_rng(7)
    sims, b = 4000, max(n_base, 1)
    first = np.full(sims, horizon, dtype=float)
    s = np.zeros((sims, metrics))
    shared = rng.standard_normal((sims, metrics)) / math.sqrt(b)
    alive = np.ones(sims, dtype=bool)
    for t in range(horizon):
        z = (rng.standard_normal((sims, metrics)) + shared) / math.sqrt(1 + 1 / b)
        s = np.maximum(0.0, s + np.minimum(z, Z_CAP) - CUSUM_K)
        hit = alive & (s.max(axis=1) >= h)
        first[hit] = t + 1
        alive &= ~hit
    return float(first.mean())
