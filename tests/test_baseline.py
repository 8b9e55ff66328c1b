"""Phase I (auditor.judge.baseline): natural variation, change points, the checked baseline,
power; and the verdict's honest uncertainty (finite z, shares in [0, 1], sd floors, sample size
rules)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from auditor.config import VerdictOptions
from auditor.errors import UsageError
from auditor.ingest.periods import merge_small
from auditor.judge.baseline import (
    change_points,
    change_points_1d,
    check_reference,
    moving_range_tau2,
    power,
)
from auditor.judge.variation import Variation, natural_variation, sd_floor
from auditor.judge.verdict import compare, decide
from auditor.metrics.registry import BY_NAME, VERDICT_METRICS, in_points
from auditor.metrics.sampling import choose_sample_size, subsample_estimate
from auditor.types import Estimate

OPTS = VerdictOptions()


def _est(v: float, se: float) -> Estimate:
    return Estimate(v, v - 1.96 * se, v + 1.96 * se, se)


def world(T: int, *, seed: int = 0, tau: float = 0.02, se: float = 0.01,
          shift: dict[str, tuple[int, float]] | None = None) -> list[dict[str, Estimate]]:
    """T periods of every verdict metric around a plausible level, natural variation ``tau``
    and sampling noise ``se`` (relative to the level); ``shift[metric] = (index, factor)``
    multiplies the level from period ``index`` on."""
    rng = np.random.default_rng(seed)
    base = {m.name: (0.3 if in_points(m) else 2.0) for m in VERDICT_METRICS}
    out = []
    for t in range(T):
        row = {}
        for m in VERDICT_METRICS:
            level = base[m.name]
            if shift and m.name in shift and t >= shift[m.name][0]:
                level *= shift[m.name][1]
            v = level * (1 + rng.normal(0, tau) + rng.normal(0, se))
            row[m.name] = _est(v, level * se)
        out.append(row)
    return out


# ---------------------------------------------------------------- natural variation

def test_moving_range_is_robust_to_one_shift():
    steady = [_est(v, 0.0) for v in (1.0, 1.1, 0.9, 1.0, 1.1, 0.9, 1.0)]
    shifted = [_est(v + (5 if i >= 3 else 0), 0.0) for i, v in
               enumerate((1.0, 1.1, 0.9, 1.0, 1.1, 0.9, 1.0))]
    # the shift of 5 would make the plain variance about 6; the moving-range estimate stays
    # at the level of the steady series
    assert moving_range_tau2(shifted) < 3 * moving_range_tau2(steady) < 0.1
    assert math.isnan(moving_range_tau2(steady[:3]))  # too short


# ---------------------------------------------------------------- change points

def test_change_point_at_the_second_period():
    cps = change_points_1d([0.35, 0.73, 0.75, 0.78, 0.80], 1e-4, 4e-4, direction=1,
                           z_bound=3.5, min_effect=0.05, share=False, sample_size=20)
    assert [c.index for c in cps] == [1]
    assert cps[0].toward_sameness


def test_change_point_in_the_middle_and_direction():
    x = [2.0, 2.05, 1.95, 2.0, 1.5, 1.45, 1.55, 1.5]
    cps = change_points_1d(x, 1e-4, 1e-3, direction=-1, z_bound=3.5, min_effect=0.05,
                           share=False, sample_size=20)
    assert [c.index for c in cps] == [4]
    assert cps[0].toward_sameness  # direction -1: a fall is toward sameness


def test_no_change_points_in_steady_series():
    """Validity criterion written before the run: over 200 seeded steady histories of 12
    periods (natural variation and sampling noise only), at most 5% report any change point."""
    hits = 0
    for seed in range(200):
        est = world(12, seed=seed)
        tau2 = {m.name: moving_range_tau2([e[m.name] for e in est]) for m in VERDICT_METRICS}
        if change_points(est, OPTS, sample_size=20, tau2_mr=tau2):
            hits += 1
    assert hits <= 10, hits


def test_small_shift_below_min_effect_is_not_a_change_point():
    cps = change_points_1d([1.0] * 5 + [1.03] * 5, 1e-8, 1e-8, direction=1, z_bound=3.5,
                           min_effect=0.05, share=False, sample_size=20)
    assert cps == []


# ---------------------------------------------------------------- Phase I

LABELS = [f"2025-{i:02d}" for i in range(1, 13)]


def test_default_baseline_is_cut_before_a_shift_inside_it():
    est = world(9, shift={"topics.mean_cosine": (1, 2.0), "wording.self_repetition": (1, 2.0)})
    cand = [True, True, True] + [False] * 6
    ref = check_reference(LABELS[:9], est, cand, OPTS, user_given=False, sample_size=20)
    assert ref.baseline == [True] + [False] * 8
    assert ref.rule == "default"
    assert any("2025-02" in w and "judged, not absorbed" in w for w in ref.warnings)
    assert any("single period" in w for w in ref.warnings)
    assert {"topics", "wording"} <= set(ref.change_points)


def test_user_baseline_is_kept_and_the_shift_named():
    est = world(9, shift={"structure.opening_repetition": (2, 2.5)})
    cand = [True] * 4 + [False] * 5
    ref = check_reference(LABELS[:9], est, cand, OPTS, user_given=True, sample_size=20)
    assert ref.baseline == cand
    assert any(w.startswith("Your baseline 2025-01..2025-04 is not stable") and "2025-03" in w
               for w in ref.warnings)


def test_steady_baseline_is_kept_without_warnings():
    """Criterion written before the run: in 100 seeded steady histories of 9 periods, the
    default baseline is kept as is, with no warning, in at least 90 (change points are
    calibrated to 5% per history)."""
    cand = [True] * 3 + [False] * 6
    kept = 0
    for seed in range(100):
        ref = check_reference(LABELS[:9], world(9, seed=seed), cand, OPTS, user_given=False,
                              sample_size=20)
        kept += ref.baseline == cand and ref.warnings == [] and ref.findings == []
    assert kept >= 90, kept


def test_out_of_control_first_period_is_set_aside():
    est = world(9, seed=1, tau=0.005)
    est[0] = {k: _est(v.value * (1.6 if k == "wording.compression_ratio" else 1.0), v.se)
              for k, v in est[0].items()}
    cand = [True] * 4 + [False] * 5
    ref = check_reference(LABELS[:9], est, cand, OPTS, user_given=False, sample_size=20)
    assert not ref.baseline[0]
    assert ref.baseline[1]


def test_trend_inside_a_user_baseline_is_reported():
    """A steady climb with no step: Mann-Kendall, not the change-point test, must find it."""
    est = world(10, seed=2, tau=0.0, se=0.001)
    for t in range(10):
        est[t]["wording.compression_ratio"] = _est(2.0 * (1 + 0.02 * t), 0.002)
    cand = [True] * 6 + [False] * 4
    ref = check_reference(LABELS[:10], est, cand, OPTS, user_given=True, sample_size=20)
    trends = [f for f in ref.findings if f["kind"] == "trend"]
    assert trends and trends[0]["metric"] == "wording.compression_ratio"
    assert trends[0]["p_holm"] <= OPTS.alpha
    assert any("trended toward sameness" in w and "a shorter --baseline" in w
               for w in ref.warnings)


def test_set_aside_period_is_shown_not_judged():
    est = world(9, seed=1, tau=0.005)
    est[0] = {k: _est(v.value * (1.6 if k == "wording.compression_ratio" else 1.0), v.se)
              for k, v in est[0].items()}
    ref = check_reference(LABELS[:9], est, [True] * 4 + [False] * 5, OPTS, user_given=False,
                          sample_size=20)
    assert ref.set_aside == [0]
    verdicts, overall = decide(LABELS[:9], est, ref.baseline, OPTS, sample_size=20,
                               set_aside=ref.set_aside)
    assert verdicts[0].status == "set aside"
    assert [v.status for v in verdicts[1:4]] == ["baseline"] * 3
    assert [v.status for v in verdicts[4:]] == ["ok"] * 5  # steady after the odd first period


def test_a_shift_toward_sameness_after_a_shift_away_still_cuts_the_baseline():
    est = world(10, seed=4, tau=0.004, se=0.002)
    for t in range(10):  # samey start (set aside), then varied, then samey again from 2025-05
        level = 3.0 if t < 2 else (2.0 if t < 4 else 3.2)
        est[t]["wording.compression_ratio"] = _est(level, 0.004)
    ref = check_reference(LABELS[:10], est, [True] * 5 + [False] * 5, OPTS, user_given=False,
                          sample_size=20)
    assert ref.set_aside == [0, 1]
    assert ref.baseline == [False, False, True, True] + [False] * 6


def test_user_baseline_must_leave_periods_after_it():
    import datetime as dt

    from auditor.ingest.periods import select_baseline
    from auditor.types import Period
    ps = [Period(f"2025-0{i}", dt.date(2025, i, 1), dt.date(2025, i, 28), (i,))
          for i in range(1, 5)]
    with pytest.raises(UsageError, match="reaches the last period"):
        select_baseline(ps, "2025-03..2025-04")


# ---------------------------------------------------------------- power

def test_power_improves_with_data_and_flags_blind_layers():
    few = world(8, se=0.08)
    many = world(8, se=0.01)
    flags = [True] * 3 + [False] * 5
    p_few = power(few, flags, list(range(3, 8)), OPTS, sample_size=5)
    p_many = power(many, flags, list(range(3, 8)), OPTS, sample_size=100)
    for layer in p_many:
        assert p_many[layer]["effect"] <= p_few[layer]["effect"]
    assert any(p["blind"] for p in p_few.values())
    assert p_many["structure"]["effect"] >= OPTS.min_effect


# ---------------------------------------------------------------- honest uncertainty

def test_zero_variance_never_gives_infinite_z():
    spec = BY_NAME["topics.mean_cosine"]
    c = compare(Estimate(0.306, 0.306, 0.306, 0.0), Variation(0.30, 0.0, 0.0, 1),
                spec.direction, share=False, sample_size=40, bounds=spec.bounds)
    assert math.isfinite(c.z) and c.z < 3.5  # +2%: a tiny change is never a verdict
    share = BY_NAME["duplication.near_duplicate_share"]
    c = compare(Estimate(0.05, 0.05, 0.05, 0.0), Variation(0.0, 0.0, 0.0, 1), share.direction,
                share=True, sample_size=40, bounds=share.bounds, floor=1 / 40)
    assert math.isfinite(c.z) and c.z < 3.5
    # from 0%, the change is measured against one post of the sample: two posts' worth
    assert math.isnan(c.rel_change) and c.effect == pytest.approx(2.0)
    assert c.low_limit >= 0.0


def test_share_intervals_and_limits_stay_in_range():
    e = subsample_estimate([0.0, 0.0, 0.1, 0.0], m=10, n=40, bounds=(0.0, 1.0))
    assert e.low >= 0.0 and e.high <= 1.0
    spec = BY_NAME["structure.opening_repetition"]
    c = compare(e, Variation(0.02, 0.0004, 0.001, 3), spec.direction, share=True,
                sample_size=10, bounds=spec.bounds)
    assert 0.0 <= c.low_limit <= c.high_limit <= 1.0


def test_sample_as_large_as_period_is_unknown_not_certain():
    e = subsample_estimate([0.5, 0.5, 0.5], m=10, n=10)
    assert math.isnan(e.se)


def test_sd_floor_values():
    assert sd_floor(0.0, share=True, sample_size=10) == pytest.approx(math.sqrt(0.1 * 0.9 / 20))
    assert sd_floor(-2.0, share=False, sample_size=None) == pytest.approx(0.02)


def test_explicit_sample_size_too_large_is_a_usage_error():
    with pytest.raises(UsageError, match="--sample-size 40 is too large: period b has 45"):
        choose_sample_size([80, 45], ["a", "b"], 40)
    assert choose_sample_size([80, 45], ["a", "b"], 22) == (22, [])


def test_tiny_periods_are_merged_with_a_note():
    import datetime as dt

    from auditor.types import Period
    d = dt.date(2025, 1, 1)
    ps = [Period(f"2025-{i + 1:02d}", d, d, tuple(range(n)))
          for i, n in enumerate([3, 2, 3, 2, 3, 3, 2, 3])]
    merged, notes = merge_small(ps)
    assert all(p.n_docs >= 10 for p in merged)
    assert sum(p.n_docs for p in merged) == 21
    assert merged[0].label.startswith("2025-01..") and notes and "merged" in notes[0]


def test_judged_periods_never_widen_normal_variation():
    """Normal variation comes from the baseline alone: however wildly the judged periods
    swing, a judged period's sd and z are the same (the masking effect cannot happen)."""
    calm = world(8, seed=5, tau=0.002, se=0.004)
    wild = [dict(e) for e in calm]
    for t in (3, 4, 6, 7):  # every judged period but 5 swings hard
        wild[t] = {k: _est(v.value * (1.5 if t % 2 else 0.6), v.se * 3) for k, v in calm[t].items()}
    flags = [True] * 3 + [False] * 5
    v_calm, _ = decide(LABELS[:8], calm, flags, OPTS, sample_size=20)
    v_wild, _ = decide(LABELS[:8], wild, flags, OPTS, sample_size=20)
    for name, c in v_calm[5].comparisons.items():
        w = v_wild[5].comparisons[name]
        assert w.sd == pytest.approx(c.sd) and w.z == pytest.approx(c.z), name


def test_single_period_baseline_allows_sampling_noise_only_with_finite_z():
    est = world(6, seed=5, tau=0.0, se=0.0)
    flags = [True] + [False] * 5
    verdicts, overall = decide(LABELS[:6], est, flags, OPTS, sample_size=20)
    assert overall.status == "ok"
    assert all(math.isfinite(c.z) for v in verdicts for c in v.comparisons.values()
               if not math.isnan(c.z))


def test_small_baseline_borrows_the_dispersion_pooled_across_metrics():
    """Two baseline periods: a metric that happens to agree across them still gets the
    baseline's typical overdispersion (median over metrics of var / se^2)."""
    est = world(2, seed=3, tau=0.05, se=0.01)
    name = "wording.compression_ratio"
    v0 = est[0][name]
    est[1][name] = _est(v0.value, v0.se)  # identical values: own tau^2 = 0
    per = {m.name: [e[m.name] for e in est] for m in VERDICT_METRICS}
    models = natural_variation(per)
    assert models[name].pooled and models[name].tau2 > 0
    ratios = sorted(np.var([e.value for e in per[m]], ddof=1) / np.mean([e.se ** 2 for e in per[m]])
                    for m in per if np.mean([e.se ** 2 for e in per[m]]) > 0)
    phi = float(np.median(ratios))
    assert models[name].tau2 == pytest.approx((phi - 1) * models[name].mean_se2)


