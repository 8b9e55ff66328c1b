"""The check's joint calibration (judge.check): the layers' common watch level keeps the share of
reference posts flagged on any layer at 100 - watch_percentile %, whatever the number of
layers and however they are correlated."""
from __future__ import annotations

import numpy as np
import pytest

from auditor.config import CheckOptions
from auditor.judge.check import joint_level, levels, samey_share, watch_share


def test_joint_level_is_the_smallest_level_that_meets_the_share():
    assert joint_level(lambda q: (100 - q) / 50, start=90.0, share=0.1) == pytest.approx(95.0)
    assert joint_level(lambda q: 0.0, start=90.0, share=0.1) == 90.0
    assert joint_level(lambda q: 1.0 if q < 100 else 0.0, start=90.0, share=0.1) == 100.0


def test_one_layer_copied_three_times_keeps_the_nominal_level():
    """Perfectly correlated layers flag the same posts: the level stays at 90."""
    x = np.random.default_rng(0).normal(size=2000)
    assert levels(x, x.copy(), x.copy(), CheckOptions())[0] == 90.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_independent_layers_need_a_higher_level(seed):
    """Three independent layers at their 90th percentiles flag 1 - 0.9^3 = 27% of posts; the
    joint level is near the 96.5th (1 - 0.965^3 = 10.1%) and flags at most 10%."""
    rng = np.random.default_rng(seed)
    t, w, c = (rng.normal(size=5000) for _ in range(3))
    assert watch_share((t, w, c), 90.0) == pytest.approx(0.271, abs=0.015)
    watch, samey = levels(t, w, c, CheckOptions())
    assert 96.0 <= watch <= 97.0
    assert watch_share((t, w, c), watch) <= 0.10 < watch_share((t, w, c), watch - 0.1)
    # samey: topic and another layer above the 99th percentile is far rarer than 1%
    assert samey == 99.0 and samey_share(t, (w, c), samey) < 0.001


def test_ties_and_constant_layers():
    """A layer that is constant (every post 0 phrases) never flags anyone."""
    rng = np.random.default_rng(4)
    t = rng.normal(size=1000)
    zeros = np.zeros(1000)
    assert levels(t, zeros, zeros, CheckOptions())[0] == 90.0
