"""Sampling intervals and the verdict rule (thresholds, Holm, trends) on known inputs."""
import math

import numpy as np
import pytest

from auditor.config import VerdictOptions
from auditor.judge.variation import Variation, baseline_model
from auditor.judge.verdict import compare, decide, holm
from auditor.metrics.registry import VERDICT_METRICS
from auditor.metrics.sampling import (
    default_sample_size,
    draw_samples,
    subsample_estimate,
)
from auditor.types import Estimate


def test_subsample_estimate_known_value():
    e = subsample_estimate([1.0, 3.0], m=5, n=10)
    # s = sqrt(2); se = s * sqrt(5/5 + 1/2)
    assert e.value == 2.0
    assert e.se == pytest.approx(math.sqrt(2) * math.sqrt(1.5))
    assert e.low == pytest.approx(2.0 - 1.959964 * e.se, rel=1e-6)


def test_subsample_se_is_calibrated_for_a_mean():
    """For the sample mean, se from subsampling ~ the true se of the full-period mean."""
    rng = np.random.default_rng(0)
    n, m, trials = 200, 100, 300
    pop_sd = 1.0
    ses, means = [], []
    for _ in range(trials):
        x = rng.normal(0, pop_sd, n)
        vals = [x[idx].mean() for idx in draw_samples(n, m, 50, rng)]
        e = subsample_estimate(vals, m=m, n=n)
        ses.append(e.se)
        means.append(e.value)
    true_se = np.std(means)
    assert np.median(ses) == pytest.approx(true_se, rel=0.25)


def test_draw_samples_without_replacement_and_sizes():
    rng = np.random.default_rng(1)
    s = draw_samples(10, 4, 3, rng)
    assert len(s) == 3 and all(len(set(x)) == 4 for x in s)
    assert default_sample_size([30, 100]) == 15
    assert default_sample_size([1000, 2000]) == 200


def test_holm_known_values():
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    out = holm([0.5, float("nan")])
    assert out[0] == 0.5 and math.isnan(out[1])


def test_baseline_model_separates_noise_from_period_variation():
    ests = [Estimate(1.0, 0, 0, 0.1), Estimate(2.0, 0, 0, 0.1), Estimate(3.0, 0, 0, 0.1)]
    v = baseline_model(ests)
    assert v.mu == 2.0 and v.mean_se2 == pytest.approx(0.01) and v.tau2 == pytest.approx(1 - 0.01)


def test_compare_direction():
    up = compare(Estimate(1.5, 0, 0, 0.1), Variation(1.0, 0.0, 0.01, 2), +1)
    down = compare(Estimate(1.5, 0, 0, 0.1), Variation(1.0, 0.0, 0.01, 2), -1)
    assert up.z > 3 and down.z < -3 and up.p < 0.01 and down.p > 0.99
    assert up.rel_change == pytest.approx(0.5)


def _period(shift_layers=(), value=1.0, shift=0.5, se=0.01):
    out = {}
    for m in VERDICT_METRICS:
        v = value + (m.direction * shift if m.layer in shift_layers else 0.0)
        out[m.name] = Estimate(v, v - 2 * se, v + 2 * se, se)
    return out


def test_decide_statuses():
    labels = ["b1", "b2", "same", "one", "two"]
    ests = [_period(), _period(), _period(), _period(("wording",)),
            _period(("wording", "structure"))]
    flags = [True, True, False, False, False]
    verdicts, overall = decide(labels, ests, flags, VerdictOptions())
    assert [v.status for v in verdicts] == ["baseline", "baseline", "ok", "watch", "samey"]
    assert verdicts[4].moved_layers == ("wording", "structure")
    assert overall.status == "samey" and overall.flagged_periods == ("one", "two")
    assert any(r.startswith("two: wording (repeated words and phrases) moved toward sameness")
               for r in overall.reasons)


def test_a_layer_moved_two_ways_counts_once():
    """Wording moved by its metrics and by its counted phrases (``extra``) is one moved layer:
    watch, not samey; a second layer (segments) makes it samey."""
    labels = ["b1", "b2", "one"]
    ests = [_period(), _period(), _period(("wording",))]
    flags = [True, True, False]
    extra = {"one": [("wording", "stock phrase 'fast paced' in 8 of 25 posts")]}
    verdicts, _ = decide(labels, ests, flags, VerdictOptions(), extra=extra)
    assert verdicts[2].moved_layers == ("wording",) and verdicts[2].status == "watch"
    assert any("fast paced" in r for r in verdicts[2].reasons)
    extra["one"].append(("segments", "two segments converge"))
    verdicts, _ = decide(labels, ests, flags, VerdictOptions(), extra=extra)
    assert verdicts[2].moved_layers == ("wording", "segments") and verdicts[2].status == "samey"


def test_small_relative_change_is_not_a_move():
    ests = [_period(), _period(), _period(("wording", "topics"), shift=0.02, se=0.0001)]
    verdicts, overall = decide(["a", "b", "c"], ests, [True, True, False])
    assert verdicts[2].status == "ok"  # significant but under min_effect (5%)


def test_sustained_trend_gives_samey():
    labels = ["b1", "b2", "p1", "p2", "p3"]
    # one layer drifting up, each step significant but only one layer: trend rule
    ests = [_period(), _period(), _period(("tails",), shift=0.06, se=0.02),
            _period(("tails",), shift=0.07, se=0.02), _period(("tails",), shift=0.08, se=0.02)]
    verdicts, _ = decide(labels, ests, [True, True, False, False, False],
                         VerdictOptions(alpha=1e-12))  # nothing passes Holm: trend only
    assert [v.status for v in verdicts[2:]] == ["ok", "watch", "samey"]
    assert verdicts[4].trend_layers == ("tails",)


def test_single_period_is_ok_with_explanation():
    _, overall = decide(["only"], [_period()], [True])
    assert overall.status == "ok" and "nothing to compare" in overall.reasons[0]


def test_one_period_is_never_a_sustained_shift():
    """A single judged period far out is the single-period test's: watch for one layer, never
    'sustained' (the CUSUM needs two or more periods)."""
    ests = [_period(), _period(), _period(("wording",), shift=0.5)]
    verdicts, _ = decide(["b1", "b2", "p1"], ests, [True, True, False])
    assert verdicts[2].status == "watch" and verdicts[2].trend_layers == ()


def test_a_level_that_jumps_and_stays_becomes_samey_without_rising():
    """The issue's case: wording far beyond normal variation month after month, not rising
    (z about 4.1 each time): samey by the third period on the sustained rule alone."""
    labels = ["b1", "b2", "p1", "p2", "p3"]
    ests = [_period(), _period()] + [_period(("wording",), shift=0.05, se=0.01)] * 3
    verdicts, overall = decide(labels, ests, [True, True, False, False, False],
                               VerdictOptions(alpha=1e-12))  # no single-period move: CUSUM only
    zs = [v.layer_scores["wording"] for v in verdicts[2:]]
    assert all(3.5 < z < 4.5 for z in zs) and zs[0] == pytest.approx(zs[2])
    statuses = [v.status for v in verdicts[2:]]
    assert statuses[0] == "ok" and "samey" in statuses[1:]
    assert any("has stayed beyond normal variation since p1" in r for r in overall.reasons)


def test_cusum_limits_hold_their_false_alarm_rate_on_null_runs():
    """Validity criterion of the sustained rule, written before the run: on 4,000 simulated
    steady histories (12 judged periods, a 3-period baseline, 17 metrics, the shared-baseline
    correlation), the share with any CUSUM at or above h_samey is at most ALPHA_SUSTAINED + 1
    point, and at h_watch at most ALPHA_BUILDING + 1 point (fresh seeds, not the
    calibration's)."""
    from auditor.judge import sequential
    from auditor.judge.thresholds import ALPHA_BUILDING, ALPHA_SUSTAINED

    T, B, M = 12, 3, 17
    h_watch, h_samey = sequential.limits(B, T, M)
    rng = np.random.default_rng(424242)
    sims = 4000
    shared = rng.standard_normal((sims, M)) / math.sqrt(B)
    z = (rng.standard_normal((sims, T, M)) + shared[:, None, :]) / math.sqrt(1 + 1 / B)
    best = np.zeros(sims)
    for i in range(sims):
        best[i] = max(max(sequential.cusum(z[i, :, m])) for m in range(M))
    assert (best >= h_samey).mean() <= ALPHA_SUSTAINED + 0.01
    assert (best >= h_watch).mean() <= ALPHA_BUILDING + 0.01
    assert 0 < h_watch < h_samey
