"""Normal variation: how far a new period may sit from the reference by chance, and how large a
change is. The one place that says how (README, "How the verdict is decided", point 2).

Every figure here comes from the **validated baseline** alone (Phase I, ``auditor.judge.baseline``
chooses it) and from rules fixed in advance (the floors below), never from the periods being
judged: a spread estimated with the monitored periods included widens exactly when they shifted
(the masking effect; Montgomery, *Introduction to Statistical Quality Control*, ch. 6-7).

For one metric with baseline estimates ``(x_b, se_b)``, ``b = 1..B``:

* ``mu_B`` = mean of ``x_b``; ``s2`` = mean of ``se_b^2`` (sampling noise);
* ``tau^2`` = max(0, var(x_b) - s2): the period-to-period variation beyond sampling noise (a
  random-effects estimate; 0 with a single baseline period);
* with ``B <= SMALL_BASELINE`` periods, ``var(x_b)`` rests on one or two degrees of freedom per
  metric (half the time below half the truth), so ``tau^2`` is never taken below the **pooled
  overdispersion of the baseline**: ``phi`` = the median over the verdict metrics of
  ``var(x_b) / s2``, and ``tau^2 >= (phi - 1) s2`` (quasi-likelihood dispersion pooled across
  metrics; McCullagh & Nelder, *Generalized Linear Models*, 1989, sec. 4.5). It uses the same
  baseline periods only;
* a new period with standard error ``se`` is expected within
  ``sd = sqrt(se^2 + tau^2 + (tau^2 + s2) / B)`` of ``mu_B`` (a prediction sd), never below
  :func:`sd_floor`, which null simulations of shares by sample size fix in advance (the binomial
  sd of one post in the sample) and, for other figures, 1% of the baseline value.

The size of a change (``min_effect`` compares with it, :func:`effect_size`) is relative to the
baseline rate: ``|change| / max(|mu_B|, floor)``, the floor being one post of the sample for
shares of posts and one percentage point for other proportions, so that a rise from a small
base counts by its ratio, not by fixed points.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import median

from auditor.judge.thresholds import PROPORTION_FLOOR, REL_FLOOR, SMALL_BASELINE
from auditor.metrics.registry import MetricSpec
from auditor.types import Estimate


@dataclass(frozen=True)
class Variation:
    """The reference model of one metric (module docstring)."""

    mu: float        # baseline mean
    tau2: float      # period-to-period variance beyond sampling noise
    mean_se2: float  # mean squared standard error of the baseline periods
    n_base: int      # baseline periods with a value
    pooled: bool = False  # tau^2 was raised to the pooled overdispersion


NAN_VARIATION = Variation(math.nan, math.nan, math.nan, 0)


def _values(estimates: Sequence[Estimate]) -> list[Estimate]:
    return [e for e in estimates if not math.isnan(e.value)]


def _mean_se2(vals: Sequence[Estimate]) -> float:
    se2 = [e.se ** 2 for e in vals if not math.isnan(e.se)]
    return sum(se2) / len(se2) if se2 else 0.0


def baseline_model(estimates: Sequence[Estimate], *, dispersion: float = math.nan
                   ) -> Variation:
    """The reference model of one metric from its baseline estimates (NaNs ignored).

    ``dispersion`` is the baseline's pooled overdispersion (:func:`pooled_dispersion`); with at
    most ``SMALL_BASELINE`` periods tau^2 is never below ``(dispersion - 1) * mean se^2``.

    >>> from auditor.types import Estimate
    >>> v = baseline_model([Estimate(1.0, 0, 0, 0.1), Estimate(1.4, 0, 0, 0.1)])
    >>> round(v.mu, 3), round(v.tau2, 3), round(v.mean_se2, 3)
    (1.2, 0.07, 0.01)
    """
    vals = _values(estimates)
    if not vals:
        return NAN_VARIATION
    mu = sum(e.value for e in vals) / len(vals)
    mse2 = _mean_se2(vals)
    tau2 = 0.0
    if len(vals) >= 2:
        var = sum((e.value - mu) ** 2 for e in vals) / (len(vals) - 1)
        tau2 = max(0.0, var - mse2)
    pooled = False
    if len(vals) <= SMALL_BASELINE and not math.isnan(dispersion):
        floor = max(0.0, dispersion - 1.0) * mse2
        if floor > tau2:
            tau2, pooled = floor, True
    return Variation(mu, tau2, mse2, len(vals), pooled)


def pooled_dispersion(per_metric: Mapping[str, Sequence[Estimate]]) -> float:
    """The baseline's overdispersion pooled across metrics: the median over metrics of
    ``var(x_b) / mean se_b^2`` (module docstring). NaN with fewer than two baseline periods or
    no metric with sampling noise.

    >>> from auditor.types import Estimate
    >>> e = lambda *v: [Estimate(x, 0, 0, 1.0) for x in v]
    >>> pooled_dispersion({"a": e(0.0, 2.0), "b": e(0.0, 1.0), "c": e(0.0, 4.0)})
    2.0
    """
    ratios = []
    for ests in per_metric.values():
        vals = _values(ests)
        mse2 = _mean_se2(vals)
        if len(vals) < 2 or mse2 <= 0:
            continue
        mu = sum(e.value for e in vals) / len(vals)
        var = sum((e.value - mu) ** 2 for e in vals) / (len(vals) - 1)
        ratios.append(var / mse2)
    return float(median(ratios)) if ratios else math.nan


def natural_variation(per_metric: Mapping[str, Sequence[Estimate]]) -> dict[str, Variation]:
    """:func:`baseline_model` of every metric, with the pooled dispersion of them all: the
    reference model the verdict, Phase I's leave-one-out check and power all use.

    ``per_metric`` maps a metric to its estimates in the baseline periods only."""
    phi = pooled_dispersion(per_metric)
    return {name: baseline_model(ests, dispersion=phi) for name, ests in per_metric.items()}


def sd_floor(mu: float, *, share: bool, sample_size: int | None) -> float:
    """The smallest prediction sd samey accepts, so that zero estimated variation (identical
    samples, a baseline of one period) never turns a small change into certainty.

    Shares: the binomial sd of a share observed on a period twice the sample size, at a rate of
    at least one post in the sample, ``sqrt(p (1 - p) / (2 m))`` with ``p = clip(mu, 1/m, 1/2)``.
    Other figures: ``REL_FLOOR * |mu|``.

    >>> round(sd_floor(0.0, share=True, sample_size=10), 4)
    0.0671
    >>> sd_floor(2.0, share=False, sample_size=10)
    0.02
    """
    if math.isnan(mu):
        return 0.0
    if share and sample_size:
        m = max(int(sample_size), 2)
        p = min(max(mu, 1.0 / m), 0.5)
        return math.sqrt(p * (1 - p) / (2 * m))
    return REL_FLOOR * abs(mu)


def prediction_sd(se: float, v: Variation, *, share: bool = False,
                  sample_size: int | None = None) -> float:
    """sd of a new period's value around mu_B: ``sqrt(se^2 + tau^2 + (tau^2 + s2) / B)``, never
    below :func:`sd_floor`."""
    se2 = 0.0 if math.isnan(se) else se ** 2
    sd = math.sqrt(se2 + v.tau2 + (v.tau2 + v.mean_se2) / max(v.n_base, 1))
    return max(sd, sd_floor(v.mu, share=share, sample_size=sample_size))


def effect_floor(*, share: bool, proportion: bool, sample_size: int | None) -> float:
    """The smallest base a relative change is measured against: one post of the sample for a
    share of posts, one percentage point for another proportion, none otherwise.

    >>> effect_floor(share=True, proportion=False, sample_size=20)
    0.05
    """
    if share and sample_size:
        return 1.0 / max(int(sample_size), 1)
    if share or proportion:
        return PROPORTION_FLOOR
    return 0.0


def metric_floor(spec: MetricSpec, sample_size: int | None) -> float:
    """:func:`effect_floor` of a registry metric (at least its ``effect_base``)."""
    return max(spec.effect_base,
               effect_floor(share=spec.share, proportion=spec.proportion, sample_size=sample_size))


def effect_size(change: float, mu: float, *, floor: float = 0.0) -> float:
    """The size of a change that ``min_effect`` is compared with: ``|change| / max(|mu|,
    floor)`` (nan when that base is 0).

    >>> effect_size(0.5, 2.0), effect_size(0.05, 0.0, floor=0.05)
    (0.25, 1.0)
    """
    if math.isnan(change) or math.isnan(mu):
        return math.nan
    base = max(abs(mu), floor)
    return abs(change) / base if base > 0 else math.nan
