"""The audit verdict: metric estimates per period -> status and reasons.

How a period is judged (README, "How the verdict is decided"):

1. **Normal variation** comes from the validated baseline alone (``auditor.judge.variation``):
   for each metric a mean ``mu_B``, sampling noise and the period-to-period variation ``tau^2``
   (two or three baseline periods borrow the baseline's dispersion pooled across metrics; one
   period allows sampling noise only). A new period is expected within the prediction sd
   ``sqrt(se_P^2 + tau^2 + (tau^2 + mean se^2) / B)`` of ``mu_B``, never below a floor fixed
   in advance. The judged periods never widen it. Control limits for charts:
   ``mu_B +/- 3 sqrt(tau^2 + mean se^2)`` (NannyML's default), clipped to the metric's range.
2. **Direction.** ``z = direction * (value - mu_B) / sd``: only moves toward homogeneity count
   (the character layer: toward reading unlike the baseline).
3. **Multiple comparisons.** One-sided p-values of all (metric, judged period) pairs are
   adjusted together with Holm's method at ``alpha`` (family-wise error rate).
4. **Effect size.** A significant metric counts as *moved* only if it is also at least
   ``Z_MIN`` = 3.5 sd out and its effect, relative to the baseline rate
   (``variation.effect_size``), is at least ``min_effect``. The 3.5 sd floor comes from null
   trials (random half splits of real blogs): z is close to standard normal but with heavier
   tails (compositional clumps such as release posts); see ``bench/validity.py``.
5. **Whole-period excess** (``auditor.judge.excess``): a stock frame or phrase counted over every
   post of the period moves the structure or wording layer; they arrive in ``extra`` with the
   segments layer.
6. **Sustained shifts** (``auditor.judge.sequential``, the one trend rule): a CUSUM per metric
   over the judged periods; a layer whose metric has built the sum past its calibrated limit
   over two or more periods, and is still beyond the one-sided 95% limit, is *sustained*
   (``samey``) or *building* (``watch``), whether or not it keeps rising.
7. **Status of a period.** ``samey``: two or more layers moved, or one layer sustained.
   ``watch``: one layer moved, or one building. ``ok`` otherwise. Baseline periods are
   ``baseline``; periods before the baseline are ``before`` and Phase I's odd periods
   ``set aside`` (shown for context, not judged).
8. **Overall.** The worst status over the judged periods; its reasons are those of the first
   and the latest period at that status, and the others are named.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

from auditor.config import VerdictOptions
from auditor.judge import sequential, variation
from auditor.judge.thresholds import Z_MIN, Z_TREND
from auditor.judge.variation import Variation
from auditor.metrics.registry import (
    BY_NAME,
    LAYER_FULL,
    LAYERS,
    VERDICT_METRICS,
)
from auditor.metrics.sampling import MIN_SAMPLE
from auditor.results import Comparison
from auditor.types import STATUSES, Estimate, PeriodStatus, Status, worst


@dataclass(frozen=True)
class PeriodVerdict:
    """One period as judged (baseline, before and set-aside periods carry their comparisons for
    context and no reasons)."""

    label: str
    status: PeriodStatus
    moved_layers: tuple[str, ...] = ()
    trend_layers: tuple[str, ...] = ()     # sustained (judge.sequential)
    building_layers: tuple[str, ...] = ()  # building toward a sustained shift
    layer_scores: Mapping[str, float] = field(default_factory=dict)
    comparisons: Mapping[str, Comparison] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Overall:
    """The audit's overall verdict: the worst judged period's status, the reasons that speak for
    it, and every flagged period."""

    status: Status
    reasons: tuple[str, ...]
    flagged_periods: tuple[str, ...] = ()


def _phi_sf(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (step-down, monotone), NaN kept as NaN.

    >>> [round(p, 3) for p in holm([0.01, 0.04, 0.03])]
    [0.03, 0.06, 0.06]
    """
    idx = [i for i, p in enumerate(pvalues) if not math.isnan(p)]
    order = sorted(idx, key=lambda i: pvalues[i])
    m, out, running = len(order), [float("nan")] * len(pvalues), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        out[i] = running
    return out




def compare(est: Estimate, v: Variation, direction: int, *, share: bool = False,
            sample_size: int | None = None,
            bounds: tuple[float, float] = (-math.inf, math.inf),
            floor: float = 0.0) -> Comparison:
    """Directed z and one-sided p of one period's estimate against the reference model ``v``
    (``auditor.judge.variation``); ``floor`` is the effect's smallest base (``effect_floor``).

    z is always finite: the prediction sd has a floor (:func:`~auditor.judge.variation.sd_floor`).
    """
    mu = v.mu
    lo_b, hi_b = bounds
    if math.isnan(v.mean_se2):
        low = high = float("nan")
    else:
        limit = 3 * max(math.sqrt(v.tau2 + v.mean_se2),
                        variation.sd_floor(mu, share=share, sample_size=sample_size))
        low, high = max(lo_b, mu - limit), min(hi_b, mu + limit)
    if math.isnan(est.value) or math.isnan(mu):
        nan = float("nan")
        return Comparison(mu, nan, nan, nan, nan, low_limit=low, high_limit=high)
    sd = variation.prediction_sd(est.se, v, share=share, sample_size=sample_size)
    change = est.value - mu
    rel = change / abs(mu) if mu != 0 else float("nan")
    z = 0.0 if sd == 0 else direction * change / sd  # sd == 0 only when mu == 0 and no floor
    return Comparison(mu, change, rel, z, _phi_sf(z),
                      effect=variation.effect_size(change, mu, floor=floor), sd=sd,
                      low_limit=low, high_limit=high)


def _beyond(z: float) -> str:
    return "far beyond" if z >= 10 else "beyond"


def _reason(layer: str, label: str, comps: Mapping[str, Comparison],
            values: Mapping[str, Estimate]) -> str:
    """'2026-03: structure (openings, closings, templates) moved toward sameness: more posts open
    with the same words (81% of posts vs 12% in the baseline, far beyond normal variation).'"""
    moved = [n for n, c in comps.items() if c.moved and BY_NAME[n].layer == layer]
    parts = []
    for n in sorted(moved, key=lambda n: -comps[n].z)[:2]:
        c, spec = comps[n], BY_NAME[n]
        if spec.share:
            fig = f"{spec.label} {values[n].value:.0%} of posts vs {c.baseline:.0%}"
        elif spec.proportion:
            fig = f"{spec.label} {values[n].value:.0%} vs {c.baseline:.0%}"
        else:
            fig = f"{spec.label} {values[n].value:.3g} vs {c.baseline:.3g}"
        parts.append(f"{spec.plain} ({fig} in the baseline, {_beyond(c.z)} normal variation)")
    return f"{label}: {LAYER_FULL[layer]} moved toward sameness: " + "; ".join(parts) + "."


def judged_periods(baseline_flags: Sequence[bool], set_aside: Sequence[int] = ()) -> list[int]:
    """Indices of the periods that are judged: after the first baseline period, not in the
    baseline, not set aside (periods before the baseline are measured for context only).

    >>> judged_periods([False, True, True, False, False], set_aside=[3])
    [4]
    """
    base_i = [i for i, b in enumerate(baseline_flags) if b]
    first = base_i[0] if base_i else 0
    return [i for i, b in enumerate(baseline_flags)
            if not b and i > first and i not in set(set_aside)]


def _sustained_sums(comps: Mapping[int, Mapping[str, Comparison]], comp_i: Sequence[int],
                    n_base: int) -> tuple[dict[int, dict[str, float]], tuple[float, float]]:
    """The CUSUM of every verdict metric over the judged periods (``judge.sequential``) and
    the ``(h_watch, h_samey)`` limits for this many periods and baseline periods."""
    sums: dict[int, dict[str, float]] = {i: {} for i in comps}
    for m in VERDICT_METRICS:
        for i, s in zip(comp_i, sequential.cusum([comps[i][m.name].z for i in comp_i])):
            sums[i][m.name] = s
    return sums, sequential.limits(n_base, len(comp_i), len(VERDICT_METRICS))


def _held(comps: Mapping[str, Comparison], sums: Mapping[str, float],
          before: Mapping[str, float], h: float, options: VerdictOptions) -> list[str]:
    """Layers with a metric whose CUSUM reached ``h`` over two or more periods (its sum was
    already above 0 in the judged period ``before``: one period alone is the single-period
    test's to judge) and that is still beyond the one-sided 95% limit now, by at least the
    minimum effect."""
    out = []
    for layer in LAYERS:
        if any(sums.get(n, 0.0) >= h and before.get(n, 0.0) > 0 and c.z >= Z_TREND
               and c.effect >= options.min_effect
               for n, c in comps.items() if BY_NAME[n].layer == layer):
            out.append(layer)
    return out


def _run_start(sums: Mapping[int, Mapping[str, float]], comp_i: Sequence[int], i: int,
               layer: str) -> int:
    """The first period of the run that brought ``layer``'s strongest sum to period ``i``."""
    names = [m.name for m in VERDICT_METRICS if m.layer == layer]
    name = max(names, key=lambda n: sums[i].get(n, 0.0))
    pos = list(comp_i).index(i)
    while pos > 0 and sums[comp_i[pos - 1]].get(name, 0.0) > 0:
        pos -= 1
    return comp_i[pos]


def decide(period_labels: Sequence[str], estimates: Sequence[Mapping[str, Estimate]],
           baseline_flags: Sequence[bool], options: VerdictOptions = VerdictOptions(), *,
           extra: Mapping[str, Sequence[tuple[str, str]]] | None = None,
           sample_size: int | None = None,
           set_aside: Sequence[int] = ()) -> tuple[list[PeriodVerdict], Overall]:
    """Judge every period against the baseline.

    Normal variation comes from the baseline periods alone (``auditor.judge.variation``);
    ``sample_size`` sets the floor of share metrics' sd and effects; ``set_aside``
    indexes periods that Phase I set aside (status ``set aside``: shown, not judged).

    ``extra`` maps a period label to layers judged elsewhere with their own tests (the segments
    layer: ``[("segments", reason), ...]``); each counts as one more moved layer.

    Returns one PeriodVerdict per period (baseline periods get status ``baseline``) and the
    :class:`Overall` verdict.
    """
    base_i = [i for i, b in enumerate(baseline_flags) if b]
    comp_i = judged_periods(baseline_flags, set_aside)
    models = variation.natural_variation({m.name: [estimates[i][m.name] for i in base_i]
                                for m in VERDICT_METRICS})
    comps: dict[int, dict[str, Comparison]] = {i: {} for i in range(len(period_labels))}
    keys, pvals = [], []
    for i in range(len(period_labels)):
        for m in VERDICT_METRICS:
            c = compare(estimates[i][m.name], models[m.name], m.direction,
                        share=m.share, sample_size=sample_size, bounds=m.bounds,
                        floor=variation.metric_floor(m, sample_size))
            comps[i][m.name] = c
            if i in comp_i:
                keys.append((i, m.name))
                pvals.append(c.p)
    for (i, name), p_adj in zip(keys, holm(pvals)):
        c = comps[i][name]
        shifted = (not math.isnan(p_adj) and p_adj <= options.alpha and c.z >= Z_MIN
                   and c.effect >= options.min_effect)
        comps[i][name] = Comparison(**{**c.to_dict(), "p_holm": p_adj, "moved": shifted})

    sums, (h_watch, h_samey) = _sustained_sums(comps, comp_i, len(base_i))
    verdicts: list[PeriodVerdict] = []
    for i, label in enumerate(period_labels):
        scores = {}
        for layer in LAYERS:
            zs = [c.z for n, c in comps[i].items() if BY_NAME[n].layer == layer
                  and not math.isnan(c.z) and c.effect >= options.min_effect]
            scores[layer] = max(zs) if zs else 0.0
        if baseline_flags[i] or i not in comp_i:
            st: PeriodStatus = "baseline" if baseline_flags[i] \
                else "set aside" if i in set(set_aside) else "before"
            verdicts.append(PeriodVerdict(label, st, layer_scores=scores,
                                          comparisons=comps[i]))
            continue
        moved = [layer for layer in LAYERS
                 if any(c.moved for n, c in comps[i].items() if BY_NAME[n].layer == layer)]
        extra_here = list((extra or {}).get(label, ()))
        # a layer moved by its metrics and by its counted frames or phrases is one layer
        moved += sorted({layer for layer, _ in extra_here} - set(moved))
        pos = comp_i.index(i)
        before = sums[comp_i[pos - 1]] if pos else {}
        trend = _held(comps[i], sums[i], before, h_samey, options)
        building = [layer for layer in _held(comps[i], sums[i], before, h_watch, options)
                    if layer not in trend]
        status: Status = "ok"
        if len(moved) >= 2 or trend:
            status = "samey"
        elif moved or building:
            status = "watch"
        reasons = [_reason(layer, label, comps[i], estimates[i]) for layer in moved
                   if any(c.moved for n, c in comps[i].items() if BY_NAME[n].layer == layer)]
        reasons += [f"{label}: {why}" for _, why in extra_here]
        for layer in trend:
            since = period_labels[_run_start(sums, comp_i, i, layer)]
            reasons.append(f"{label}: {LAYER_FULL[layer]} has stayed beyond normal variation "
                           f"since {since} (a sustained shift).")
        for layer in building:
            if layer not in moved:
                since = period_labels[_run_start(sums, comp_i, i, layer)]
                reasons.append(f"{label}: {LAYER_FULL[layer]} has leaned toward sameness since "
                               f"{since}; watch whether it holds.")
        verdicts.append(PeriodVerdict(label, status, tuple(moved), tuple(trend),
                                      tuple(building), scores, comps[i], tuple(reasons)))

    return verdicts, overall_verdict(verdicts)


def overall_verdict(verdicts: Sequence[PeriodVerdict]) -> Overall:
    """The worst status over the judged periods; its reasons are those of the first and the
    latest period at that status, and the others are named."""
    compared = [v for v in verdicts if v.status in STATUSES]
    if not compared:
        return Overall("ok", ("Only one period: nothing to compare with. Use a finer --period "
                              "or a lower --min-docs to split the corpus.",))
    # ``compared`` keeps the judged periods only: their status is a Status
    worst_status: Status = worst(cast(Status, v.status) for v in compared)
    flagged = tuple(v.label for v in compared if v.status != "ok")
    if worst_status == "ok":
        n = len(compared)
        return Overall("ok", (f"Nothing moved beyond normal variation in the {n} compared "
                              f"period{'s' if n != 1 else ''} against the baseline.",), flagged)
    # The first and the latest period at the worst status speak for the rest (every period's
    # own reasons stay in its verdict).
    worst_v = [v for v in compared if v.status == worst_status]
    keep = worst_v[:1] + worst_v[-1:] if len(worst_v) > 1 else worst_v
    reasons = [r for v in keep for r in v.reasons]
    if len(worst_v) > 2:
        reasons.append(f"Also {worst_status} in "
                       + ", ".join(v.label for v in worst_v[1:-1]) + ".")
    return Overall(worst_status, tuple(reasons), flagged)


def with_context(overall: Overall, *, judged: bool, merged_into_one: int | None,
                 sample_size: int, blind_layers: Sequence[str]) -> Overall:
    """The overall verdict with what it rests on said: a corpus whose small periods were merged
    into one (``merged_into_one`` posts) has nothing to compare; an ``ok`` over ``judged``
    periods, with samples too small to see moderate changes in ``blind_layers``
    (``judge.baseline.power``), says that it rests on little data."""
    if merged_into_one is not None:
        return dataclasses.replace(overall, reasons=(
            f"Nothing to compare: the {merged_into_one} posts form a single period once periods "
            "too small to sample are merged (see the note). samey needs at least two periods of "
            f"{2 * MIN_SAMPLE} or more posts; add more content or a longer history.",))
    if overall.status == "ok" and judged and blind_layers:
        return dataclasses.replace(overall, reasons=overall.reasons + (
            f"This ok rests on little data: with samples of {sample_size} posts per period "
            "samey could not see moderate changes in "
            + _join([LAYER_FULL[b] for b in blind_layers]) + " (see \"what samey could see\"); "
            "more posts per period, or a coarser --period, would.",))
    return overall


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
