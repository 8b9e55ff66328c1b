"""Phase I: choose and check the reference every period is judged against; change points; power.

Statistical process control separates **Phase I** (establish the reference: check that its
periods are in control, set aside shifted stretches) from **Phase II** (judge new periods against
the checked reference); limits estimated from a reference that already contains a shift are too
wide and hide it (Montgomery, *Introduction to Statistical Quality Control*, ch. 6-7). samey runs
Phase I on every audit, on the verdict metrics of ``auditor.metrics.registry``:

1. **Natural variation of the whole history** (:func:`moving_range_tau2`). For each metric the
   period-to-period sd is estimated from moving ranges, ``sigma = median|x_t - x_(t-1)| /
   (0.6745 sqrt 2)``, which a single shift barely moves (it changes one range); ``tau^2_MR =
   max(0, sigma^2 - mean se^2)``. It needs 4 or more periods. It is the natural variation used
   when the baseline is a single period (``verdict.baseline_model``) and the noise scale of the
   change-point test.
2. **Change points** (:func:`change_points`): per metric, binary segmentation with a two-sample
   z: for a stretch and a split, ``z = (mean(after) - mean(before)) / (s sqrt(1/n_b + 1/n_a))``,
   ``s^2 = tau^2_MR + mean se^2`` (never below ``verdict.sd_floor``). The largest ``|z|`` is a
   change point when it clears :func:`z_bound` (simulated so that a steady history of the same
   length shows any change point in at most ``alpha`` of cases, over every split and metric) and
   the shift is at least ``min_effect``; both sides are then searched again. A
   segment may be one period long, so a shift at the second period is found. PELT
   (Killick et al. 2012; the ``ruptures`` package) needs a penalty calibrated per series and gives
   no significance with a dozen points; this test has the verdict's own error control instead.
   A layer shifted where any of its metrics did.
3. **The default baseline**: the candidate window (``ingest.periods.select_baseline``: the first
   third of the periods, at least two with four or more) is cut before the earliest change point
   inside it: the baseline is the earliest stable run. A shift toward sameness ends the baseline
   before it (the change must be judged, not absorbed); a shift away from sameness means the
   first periods were unusually samey: they are set aside and the baseline starts at the shift.
   Then each baseline period is compared with the others (leave-one-out, three or more periods,
   two-sided, Holm over every period and metric, the change-point bound and the effect floor);
   an out-of-control period ends the baseline there (the first period, if it is the odd one, is
   set aside and the baseline starts after it). A trend inside the baseline (Mann-Kendall, four
   or more periods, one-sided toward sameness, Holm over metrics) is reported.
4. **A baseline you give** (``--baseline``) is kept, and every finding above is reported in plain
   words naming the period where it starts.
5. **Power** (:func:`power`): per metric, the smallest change the verdict can detect at 80% power,
   ``(max(Z_MIN, z_(1 - alpha/M)) + z_0.8) x sd``, M the number of comparisons and sd the
   prediction sd of a typical compared period; never below ``min_effect``. Per layer the most
   sensitive metric is reported; a layer that cannot see a change smaller than ``LOW_POWER``
   (25 points for shares, 25% otherwise) is named in an ``ok`` verdict's reasons.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from statistics import NormalDist, median
from typing import Any

import numpy as np

from auditor.config import VerdictOptions
from auditor.judge.thresholds import LOW_POWER, MIN_PERIODS_MR, MR_SCALE, Z_MIN, Z_POWER
from auditor.judge.variation import (
    effect_size,
    metric_floor,
    natural_variation,
    prediction_sd,
    sd_floor,
)
from auditor.judge.verdict import holm
from auditor.metrics.registry import (
    BY_NAME,
    LAYER_FULL,
    LAYERS,
    VERDICT_METRICS,
    in_points,
)
from auditor.types import Estimate


@dataclass(frozen=True)
class ChangePoint:
    """A shift of one metric's series: the period where the new level starts."""

    metric: str
    index: int          # first period of the new level
    before: float       # mean of the stretch before
    after: float        # mean of the stretch after
    z: float            # directed: positive = toward sameness
    effect: float       # percentage points for shares, |relative change| otherwise

    @property
    def toward_sameness(self) -> bool:
        return self.z > 0


@dataclass
class ReferenceCheck:
    """The outcome of Phase I (see the module docstring)."""

    baseline: list[bool]                      # final baseline flags, one per period
    set_aside: list[int] = field(default_factory=list)
    history_tau2: dict[str, float] = field(default_factory=dict)  # change points only
    change_points: dict[str, list[ChangePoint]] = field(default_factory=dict)  # by layer
    findings: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rule: str = "default"
    candidate: list[int] = field(default_factory=list)


# ---------------------------------------------------------------- natural variation

def _mean_se2(series: Sequence[Estimate]) -> float:
    """Mean squared standard error of a metric's estimates (NaN se ignored; 0 when none)."""
    se2 = [e.se ** 2 for e in series if not math.isnan(e.se)]
    return sum(se2) / len(se2) if se2 else 0.0


def moving_range_tau2(estimates: Sequence[Estimate]) -> float:
    """Period-to-period variance beyond sampling noise, from the median moving range.

    ``sigma^2 = (median|x_t - x_(t-1)| / (0.6745 sqrt 2))^2`` (the median of |N(0, 2 s^2)| is
    0.6745 sqrt 2 s); ``tau^2 = max(0, sigma^2 - mean se^2)``. NaN with fewer than
    ``MIN_PERIODS_MR`` values.

    >>> from auditor.types import Estimate
    >>> e = [Estimate(v, v, v, 0.0) for v in (1.0, 2.0, 1.0, 2.0, 1.0)]
    >>> round(moving_range_tau2(e), 4)
    1.0991
    """
    vals = [e for e in estimates if not math.isnan(e.value)]
    if len(vals) < MIN_PERIODS_MR:
        return float("nan")
    diffs = [abs(b.value - a.value) for a, b in zip(vals, vals[1:])]
    sigma = median(diffs) / MR_SCALE
    return max(0.0, sigma ** 2 - _mean_se2(vals))


# ---------------------------------------------------------------- change points

def _max_split_z(x: np.ndarray, se2: float) -> np.ndarray:
    """max over split points of |z| for each row of ``x``, exactly as :func:`change_points_1d`
    scales it: ``s^2 = max(moving-range sigma^2, se^2)`` (the sampling variance ``se2`` is known
    from the repeated samples, the rest is estimated from the row)."""
    T = x.shape[1]
    sigma2 = (np.median(np.abs(np.diff(x, axis=1)), axis=1) / MR_SCALE) ** 2
    s = np.sqrt(np.maximum(sigma2, se2))
    c = np.cumsum(x, axis=1)
    k = np.arange(1, T)
    left = c[:, :-1] / k
    right = (c[:, -1:] - c[:, :-1]) / (T - k)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.abs(right - left) / (s[:, None] * np.sqrt(1 / k + 1 / (T - k)))
    top: np.ndarray = np.nan_to_num(z, nan=0.0).max(axis=1)
    return top


@lru_cache(maxsize=512)
def _bound(T: int, ratio: float, level: float) -> float:
    rng = np.random.default_rng(20261130 + T)
    sims = 20000
    x = math.sqrt(ratio) * rng.standard_normal((sims, T)) + rng.standard_normal((sims, T))
    return float(np.quantile(_max_split_z(x, 1.0), level))


def z_bound(T: int, metrics: int, alpha: float, *, tau2: float = 0.0, se2: float = 1.0) -> float:
    """The change-point threshold of one metric: the ``1 - alpha / metrics`` quantile of its
    largest split z in steady histories of ``T`` periods with this natural variation ``tau2``
    and sampling variance ``se2`` (20,000 seeded simulations of the statistic, its scale
    estimated as in :func:`change_points_1d`). The scale of a dozen points is itself uncertain,
    so a normal quantile would flag about one steady history in six; this bound keeps the rate
    at ``alpha`` per history (Bonferroni over metrics). It depends on ``tau2 / se2`` only (the
    ratio is rounded to two significant digits for caching). Never below ``Z_MIN``."""
    ratio = 0.0 if se2 <= 0 else tau2 / se2
    if se2 <= 0 or ratio > 1e4:
        ratio = 1e4  # no sampling noise known: the scale rests on the moving ranges alone
    ratio = float(f"{ratio:.2g}")
    return max(Z_MIN, _bound(int(T), ratio, 1 - alpha / max(metrics, 1)))


def change_points_1d(values: Sequence[float], se2: float, tau2: float, *, direction: int,
                     z_bound: float, min_effect: float, share: bool, sample_size: int | None,
                     name: str = "", floor: float = 0.0) -> list[ChangePoint]:
    """Binary segmentation of one series (see the module docstring, point 2).

    >>> cps = change_points_1d([.3, .7, .72, .71, .7], 1e-4, 1e-4, direction=1, z_bound=3.5,
    ...                        min_effect=0.05, share=False, sample_size=20)
    >>> [(c.index, round(c.after, 3)) for c in cps]
    [(1, 0.708)]
    """
    x = list(values)
    out: list[ChangePoint] = []

    def search(a: int, b: int) -> None:  # the stretch x[a:b]
        if b - a < 2:
            return
        best = None
        for k in range(a + 1, b):
            left, right = x[a:k], x[k:b]
            mu_l, mu_r = sum(left) / len(left), sum(right) / len(right)
            s = max(math.sqrt(tau2 + se2), sd_floor(mu_l, share=share, sample_size=sample_size))
            if s == 0:
                continue
            z = (mu_r - mu_l) / (s * math.sqrt(1 / len(left) + 1 / len(right)))
            if best is None or abs(z) > abs(best[1]):
                best = (k, z, mu_l, mu_r)
        if best is None:
            return
        k, z, mu_l, mu_r = best
        eff = effect_size(mu_r - mu_l, mu_l, floor=floor)
        if abs(z) >= z_bound and not math.isnan(eff) and eff >= min_effect:
            out.append(ChangePoint(name, k, mu_l, mu_r, direction * z, eff))
            search(a, k)
            search(k, b)

    if any(math.isnan(v) for v in x):
        return []
    search(0, len(x))
    return sorted(out, key=lambda c: c.index)


def change_points(estimates: Sequence[Mapping[str, Estimate]], options: VerdictOptions, *,
                  sample_size: int | None, tau2_mr: Mapping[str, float]
                  ) -> dict[str, list[ChangePoint]]:
    """Change points of every verdict metric over the whole history, grouped by layer (each
    layer's list sorted by period; a layer's change at a period is its strongest metric's)."""
    T = len(estimates)
    if T < MIN_PERIODS_MR:
        return {}
    by_layer: dict[str, dict[int, ChangePoint]] = {}
    for m in VERDICT_METRICS:
        tau2 = tau2_mr.get(m.name, float("nan"))
        if math.isnan(tau2):
            continue
        series = [e[m.name] for e in estimates]
        mse2 = _mean_se2(series)
        bound = z_bound(T, len(VERDICT_METRICS), options.alpha, tau2=tau2, se2=mse2)
        for cp in change_points_1d([s.value for s in series], mse2, tau2,
                                   direction=m.direction, z_bound=bound,
                                   min_effect=options.min_effect, share=m.share,
                                   floor=metric_floor(m, sample_size),
                                   sample_size=sample_size, name=m.name):
            cur = by_layer.setdefault(m.layer, {}).get(cp.index)
            if cur is None or abs(cp.z) > abs(cur.z):
                by_layer[m.layer][cp.index] = cp
    return {layer: [cps[i] for i in sorted(cps)] for layer, cps in by_layer.items()}




# ---------------------------------------------------------------- leave-one-out and trend

def leave_one_out(estimates: Sequence[Mapping[str, Estimate]], base: Sequence[int],
                  options: VerdictOptions, *, sample_size: int | None,
                  z_min: float | Mapping[str, float] = Z_MIN) -> list[dict[str, Any]]:
    """Each baseline period against the other baseline periods (two-sided, Holm over every
    period and metric, the verdict's z and effect floors). Natural variation is the others'
    reference model (``auditor.judge.variation.natural_variation``: two or three periods
    borrow the dispersion pooled across metrics). Because that variation is itself estimated
    from few points, a period is out of control only beyond ``z_min`` (Phase I passes the
    change-point bound :func:`z_bound`). Returns the out-of-control pairs."""
    if len(base) < 3:
        return []
    keys, pvals, zs = [], [], []
    for i in base:
        others = [j for j in base if j != i]
        models = natural_variation({m.name: [estimates[j][m.name] for j in others]
                                    for m in VERDICT_METRICS})
        for m in VERDICT_METRICS:
            v = models[m.name]
            e = estimates[i][m.name]
            if math.isnan(e.value) or math.isnan(v.mu):
                continue
            sd = prediction_sd(e.se, v, share=m.share, sample_size=sample_size)
            z = 0.0 if sd == 0 else m.direction * (e.value - v.mu) / sd
            keys.append((i, m, v.mu, e.value))
            zs.append(z)
            pvals.append(min(1.0, math.erfc(abs(z) / math.sqrt(2.0))))
    out = []
    for (i, m, mu, value), z, p in zip(keys, zs, holm(pvals)):
        eff = effect_size(value - mu, mu, floor=metric_floor(m, sample_size))
        zmin = z_min.get(m.name, Z_MIN) if isinstance(z_min, Mapping) else z_min
        if p <= options.alpha and abs(z) >= zmin and not math.isnan(eff) \
                and eff >= options.min_effect:
            out.append({"kind": "out of control", "period": i, "metric": m.name, "z": z,
                        "value": value, "others": mu})
    return out


def mann_kendall(values: Sequence[float]) -> tuple[float, float]:
    """Kendall's tau between period order and value, and its one-sided p-value for a rise
    (exact for small series; scipy.stats.kendalltau)."""
    from scipy.stats import kendalltau

    res = kendalltau(range(len(values)), values, alternative="greater")
    return float(res.statistic), float(res.pvalue)


def trend_in(estimates: Sequence[Mapping[str, Estimate]], base: Sequence[int],
             options: VerdictOptions, *, sample_size: int | None = None) -> list[dict[str, Any]]:
    """Metrics trending toward sameness across the baseline (Mann-Kendall, Holm over metrics,
    a total change of at least ``min_effect``)."""
    if len(base) < 4:
        return []
    rows = []
    for m in VERDICT_METRICS:
        vals = [estimates[i][m.name].value for i in base]
        if any(math.isnan(v) for v in vals):
            continue
        tau, p = mann_kendall([m.direction * v for v in vals])
        rows.append((m, tau, p, vals))
    out = []
    for (m, tau, _, vals), p_adj in zip(rows, holm([r[2] for r in rows])):
        eff = effect_size(vals[-1] - vals[0], vals[0], floor=metric_floor(m, sample_size))
        if p_adj <= options.alpha and not math.isnan(eff) and eff >= options.min_effect:
            out.append({"kind": "trend", "metric": m.name, "tau": tau, "p_holm": p_adj,
                        "first": vals[0], "last": vals[-1]})
    return out


# ---------------------------------------------------------------- Phase I

def check_reference(labels: Sequence[str], estimates: Sequence[Mapping[str, Estimate]],
                    candidate: Sequence[bool], options: VerdictOptions, *, user_given: bool,
                    sample_size: int | None) -> ReferenceCheck:
    """Phase I (module docstring): the final baseline flags, what was set aside, change points,
    findings and plain-words warnings."""
    T = len(labels)
    tau2_mr = {m.name: moving_range_tau2([e[m.name] for e in estimates]) for m in VERDICT_METRICS}
    cps = change_points(estimates, options, sample_size=sample_size, tau2_mr=tau2_mr)
    cand = [i for i, b in enumerate(candidate) if b]
    ref = ReferenceCheck(list(candidate), rule="user" if user_given else "default",
                         history_tau2={k: v for k, v in tau2_mr.items() if not math.isnan(v)},
                         change_points=cps, candidate=cand)
    if not cand or T < 2:
        return ref
    base = list(cand)
    inside = sorted((cp.index, layer, cp) for layer, lst in cps.items() for cp in lst
                    if base[0] < cp.index <= base[-1])
    findings: list[dict[str, Any]] = []
    seen: set[int] = set()
    for idx, layer, cp in inside:  # in period order; the baseline may shrink as it goes
        if not (base[0] < idx <= base[-1]) or idx in seen:
            continue
        seen.add(idx)
        findings.append({"kind": "shift", "period": idx, "layer": layer, "metric": cp.metric,
                         "before": cp.before, "after": cp.after, "z": cp.z})
        if user_given:
            continue
        if cp.toward_sameness:  # the change starts at idx: the reference ends before it
            base = [i for i in base if i < idx]
        else:  # the periods before were unusually samey: the reference starts at idx
            ref.set_aside.extend(i for i in base if i < idx)
            base = [i for i in base if i >= idx]
    hist = ref.history_tau2
    bound = {m.name: z_bound(T, len(VERDICT_METRICS), options.alpha,
                             tau2=hist.get(m.name, 0.0),
                             se2=_mean_se2([e[m.name] for e in estimates]))
             for m in VERDICT_METRICS}
    loo = leave_one_out(estimates, base, options, sample_size=sample_size, z_min=bound)
    while loo:
        first = min(f["period"] for f in loo)
        f0 = next(f for f in loo if f["period"] == first)
        findings.append({**f0, "layer": BY_NAME[f0["metric"]].layer})
        if user_given:
            break
        if first == base[0] and len(base) >= 2:
            ref.set_aside.append(first)
            base = base[1:]
        else:
            base = [i for i in base if i < first] or base[:1]
        loo = leave_one_out(estimates, base, options, sample_size=sample_size, z_min=bound)
    for f in trend_in(estimates, base, options, sample_size=sample_size):
        findings.append({**f, "period": base[0], "layer": BY_NAME[f["metric"]].layer})
    ref.baseline = [i in base for i in range(T)]
    ref.findings = findings
    ref.warnings = _warnings(labels, cand, base, ref, user_given)
    return ref


def _span(labels: Sequence[str], idx: Sequence[int]) -> str:
    if not idx:
        return "none"
    a, b = labels[idx[0]].split("..")[0], labels[idx[-1]].split("..")[-1]
    return a if a == b else f"{a}..{b}"


def _metric_change(metric: str, before: float, after: float) -> str:
    spec = BY_NAME[metric]
    if in_points(spec):
        return f"{spec.label} {before:.0%} \u2192 {after:.0%}"
    return f"{spec.label} {before:.3g} \u2192 {after:.3g}"


def _warnings(labels: Sequence[str], cand: Sequence[int], base: Sequence[int],
              ref: ReferenceCheck, user_given: bool) -> list[str]:
    out = []
    span = _span(labels, cand)
    for f in ref.findings:
        where = labels[f["period"]]
        layer = LAYER_FULL.get(f["layer"], f["layer"])
        if f["kind"] == "shift":
            way = "toward sameness" if f["z"] > 0 else "away from sameness"
            what = (f"{layer} shifted {way} in {where} "
                    f"({_metric_change(f['metric'], f['before'], f['after'])})")
        elif f["kind"] == "out of control":
            way = "more alike" if f["z"] > 0 else "more varied"
            what = (f"{where} differs from the other baseline periods in {layer}: posts were "
                    f"{way} ({_metric_change(f['metric'], f['others'], f['value'])})")
        else:
            what = (f"{layer} trended toward sameness across it "
                    f"({_metric_change(f['metric'], f['first'], f['last'])})")
        if user_given:
            if f["kind"] == "trend":
                advice = "a shorter --baseline, before the trend builds"
            elif f["kind"] == "out of control" and f["period"] == cand[0]:
                advice = f"a --baseline that starts after {where}"
            else:
                advice = f"a --baseline that ends before {where}"
            out.append(f"Your baseline {span} is not stable: {what}. Periods judged against it "
                       f"may already contain the change; consider {advice}.")
        elif f["kind"] == "trend":
            out.append(f"The baseline {_span(labels, base)} is not fully stable: {what}. Judge "
                       "its later periods with care.")
        else:
            out.append(f"The first periods were not stable: {what}. samey uses "
                       f"{_span(labels, base)} as the baseline"
                       + (f" and sets {_span(labels, ref.set_aside)} aside (shown, not judged)."
                          if ref.set_aside else ", so the change is judged, not absorbed."))
    if len(base) == 1:
        out.append(f"The baseline is a single period ({labels[base[0]]}), so it cannot show the "
                   "brand's normal period-to-period variation: only sampling noise is allowed "
                   "for, so treat flags with care (a longer history gives a longer baseline).")
    return out


# ---------------------------------------------------------------- power

def power(estimates: Sequence[Mapping[str, Estimate]], baseline: Sequence[bool],
          compared: Sequence[int], options: VerdictOptions, *,
          sample_size: int | None) -> dict[str, dict[str, Any]]:
    """Per layer, the smallest change the audit could detect (module docstring, point 5):
    ``{"metric", "label", "baseline", "detectable", "effect", "share", "blind"}`` where
    ``detectable`` is in the metric's units and ``effect`` relative to the baseline rate
    (``auditor.judge.variation.effect_size``)."""
    base = [i for i, b in enumerate(baseline) if b]
    if not base:
        return {}
    M = max(1, len(compared) * len(VERDICT_METRICS))
    z_need = max(Z_MIN, NormalDist().inv_cdf(1 - options.alpha / M)) + Z_POWER
    models = natural_variation({m.name: [estimates[i][m.name] for i in base]
                                for m in VERDICT_METRICS})
    out: dict[str, dict[str, Any]] = {}
    for m in VERDICT_METRICS:
        v = models[m.name]
        ses = [estimates[i][m.name].se for i in (compared or base)
               if not math.isnan(estimates[i][m.name].se)]
        if math.isnan(v.mu) or not ses:
            continue
        sd = prediction_sd(median(ses), v, share=m.share, sample_size=sample_size)
        detect = z_need * sd
        floor = metric_floor(m, sample_size)
        eff = effect_size(detect, v.mu, floor=floor)
        if math.isnan(eff):
            continue
        if eff < options.min_effect:
            eff = options.min_effect
            detect = options.min_effect * max(abs(v.mu), floor)
        cur = out.get(m.layer)
        if cur is None or eff < cur["effect"]:
            out[m.layer] = {"metric": m.name, "label": m.label, "baseline": v.mu,
                            "detectable": detect, "effect": eff, "share": in_points(m),
                            "blind": eff > LOW_POWER}
    return {layer: out[layer] for layer in LAYERS if layer in out}


def power_sentence(layer: str, p: Mapping[str, Any]) -> str:
    """'structure: repeated openings rising by 12 points or more (from 5% of posts)'."""
    if p["share"]:
        return (f"{LAYER_FULL.get(layer, layer)}: {p['label']} rising by "
                f"{100 * p['detectable']:.0f} point"
                f"{'s' if round(100 * p['detectable']) != 1 else ''}"
                f" or more (baseline {p['baseline']:.0%})")
    way = "rising" if BY_NAME[p["metric"]].direction > 0 else "falling"
    return (f"{LAYER_FULL.get(layer, layer)}: {p['label']} {way} by {p['effect']:.0%} or "
            f"more (baseline {p['baseline']:.3g})")


def change_sentence(layer: str, cp: ChangePoint, labels: Sequence[str]) -> str:
    """'wording shifted toward sameness in 2025-02 (4-gram self-repetition averaged 0.8 before,
    1.9 from then on)'."""
    way = "toward sameness" if cp.toward_sameness else "away from sameness"
    spec = BY_NAME[cp.metric]
    points = in_points(spec)

    def f(x: float) -> str:
        return f"{x:.0%}" if points else f"{x:.3g}"

    return (f"{LAYER_FULL.get(layer, layer)} shifted {way} in {labels[cp.index]} "
            f"({spec.label} averaged {f(cp.before)} before, {f(cp.after)} from then on)")


def layer_shift_sentence(layer: str, cps: Sequence[ChangePoint], labels: Sequence[str]) -> str:
    """One sentence per layer: its first shift, with the figures, then the later ones named."""
    first, rest = cps[0], cps[1:]
    out = change_sentence(layer, first, labels)
    if rest:
        names = [labels[c.index] for c in rest]
        out += ", and again in " + (names[0] if len(names) == 1 else
                                    ", ".join(names[:-1]) + " and " + names[-1])
    return out
