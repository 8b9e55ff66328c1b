"""The character layer's classifier two-sample statistics (auditor.metrics.character)."""
from __future__ import annotations

import math
import random

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from auditor.metrics.character import (
    UNLIKE_QUANTILE,
    auc_columns,
    separability,
    unlike_share,
)

VOCAB = [f"w{i}" for i in range(300)]


def docs(rng: random.Random, n: int, vocab=VOCAB, length=40) -> list[list[str]]:
    return [[rng.choice(vocab) for _ in range(length)] for _ in range(n)]


def test_auc_columns_agrees_with_scikit_learn():
    rng = np.random.default_rng(0)
    s = rng.normal(size=(60, 3))
    s[:, 2] = np.round(s[:, 2])  # ties
    y = rng.integers(0, 2, size=(60, 3))
    for j in range(3):
        assert auc_columns(s, y)[j] == pytest.approx(roc_auc_score(y[:, j], s[:, j]))


def test_disjoint_vocabularies_are_fully_separable():
    rng = random.Random(1)
    a, b = docs(rng, 30, VOCAB[:150]), docs(rng, 30, VOCAB[150:])
    r = separability(a, b, permutations=100)
    assert r.auc == 1.0 and r.unlike == 1.0 and r.p_value == pytest.approx(1 / 101)
    assert r.unlike_null_mean == pytest.approx(1 - UNLIKE_QUANTILE, abs=0.06)


def test_same_writing_is_not_separable_and_the_null_is_calibrated():
    """Two sets from one source: over 40 seeded pairs the p-values are roughly uniform (at most
    15% below 0.1) and the share sits near chance."""
    low = 0
    shares = []
    for seed in range(40):
        rng = random.Random(seed)
        r = separability(docs(rng, 40), docs(rng, 20), permutations=100, random_state=seed)
        low += r.p_value < 0.1
        shares.append(r.unlike)
    assert low <= 6, low
    assert abs(float(np.mean(shares)) - (1 - UNLIKE_QUANTILE)) < 0.05


def test_a_partial_switch_raises_the_unlike_share_with_its_size():
    rng = random.Random(3)
    base = docs(rng, 60, VOCAB[:200])
    shares = []
    for part in (0, 8, 16, 24):
        period = docs(rng, part, VOCAB[150:]) + docs(rng, 24 - part, VOCAB[:200])
        shares.append(separability(base, period, random_state=part).unlike)
    assert shares == sorted(shares) and shares[-1] > 0.9 and shares[0] < 0.3


def test_deterministic_given_the_seed_and_nan_when_too_small():
    rng = random.Random(4)
    a, b = docs(rng, 20), docs(rng, 20)
    assert separability(a, b, random_state=7) == separability(a, b, random_state=7)
    assert math.isnan(separability(a, b[:3]).unlike)
    unique = [[f"u{i}"] for i in range(20)]  # no word in two posts: nothing to learn from
    assert math.isnan(separability(unique[:10], unique[10:]).unlike)


def test_unlike_share_counts_posts_above_the_quantile():
    s = np.array([[1.0], [2.0], [3.0], [4.0], [10.0], [2.5], [0.0]])
    y = np.array([[0], [0], [0], [0], [1], [1], [1]])
    assert unlike_share(s, y, 0.5).tolist() == [pytest.approx(1 / 3)]
