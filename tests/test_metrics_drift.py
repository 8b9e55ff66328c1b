import math

import numpy as np
import pytest

from auditor.features.lexicon import stop_words
from auditor.metrics.drift import (
    MMDResult,
    characteristic_words,
    domain_classifier_auc,
    mmd2_rbf,
)

STOP = stop_words()


def unit(a):
    return a / np.linalg.norm(a, axis=1, keepdims=True)


def brute_mmd2(X, Y, sigma):
    def k(a, b):
        return math.exp(-float(np.sum((a - b) ** 2)) / (2 * sigma**2))

    n, m = len(X), len(Y)
    sxx = sum(k(X[i], X[j]) for i in range(n) for j in range(n) if i != j)
    syy = sum(k(Y[i], Y[j]) for i in range(m) for j in range(m) if i != j)
    sxy = sum(k(X[i], Y[j]) for i in range(n) for j in range(m))
    return sxx / (n * (n - 1)) + syy / (m * (m - 1)) - 2 * sxy / (n * m)


def brute_median_distance(Z):
    d = [float(np.linalg.norm(Z[i] - Z[j])) for i in range(len(Z)) for j in range(i + 1, len(Z))]
    return float(np.median(d))


def test_mmd2_matches_brute_force_on_tiny_inputs():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(6, 3))
    Y = rng.normal(loc=0.7, size=(4, 3))
    r = mmd2_rbf(X, Y, n_permutations=0)
    sigma = brute_median_distance(np.vstack([X, Y]))
    assert r.bandwidth == pytest.approx(sigma)
    assert r.mmd2 == pytest.approx(brute_mmd2(X, Y, sigma), rel=1e-10)
    assert math.isnan(r.p_value)


def test_mmd2_permutation_p_value_matches_brute_force():
    rng = np.random.default_rng(9)
    X = rng.normal(size=(5, 2))
    Y = rng.normal(loc=1.0, size=(4, 2))
    r = mmd2_rbf(X, Y, n_permutations=30, random_state=3)
    # replay the function's random stream: no subsampling, then 30 permutations
    gen = np.random.default_rng(3)
    Z = np.vstack([X, Y])
    exceed = 0
    for _ in range(30):
        idx = gen.permutation(9)
        exceed += brute_mmd2(Z[idx[:5]], Z[idx[5:]], r.bandwidth) >= r.mmd2 - 1e-12
    assert r.p_value == pytest.approx((1 + exceed) / 31)


def test_mmd2_symmetry_and_seed():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(30, 4)), rng.normal(size=(25, 4))
    a = mmd2_rbf(X, Y, random_state=1)
    assert a == mmd2_rbf(X, Y, random_state=1)
    assert mmd2_rbf(Y, X, random_state=1).mmd2 == pytest.approx(a.mmd2)


def test_mmd2_same_distribution_not_significant_in_most_seeds():
    small = 0
    for seed in range(10):
        rng = np.random.default_rng(100 + seed)
        X = unit(rng.normal(size=(80, 16)))
        Y = unit(rng.normal(size=(80, 16)))
        r = mmd2_rbf(X, Y, n_permutations=100, random_state=seed)
        assert abs(r.mmd2) < 0.05
        small += r.p_value < 0.05
    assert small <= 3


def test_mmd2_shifted_distribution_detected():
    rng = np.random.default_rng(1)
    shift = np.zeros(16)
    shift[0] = 1.0
    X = unit(rng.normal(size=(150, 16)))
    Y = unit(rng.normal(size=(150, 16)) + 1.5 * shift)
    r = mmd2_rbf(X, Y, n_permutations=100, random_state=0)
    assert r.p_value < 0.05
    assert r.p_value == pytest.approx(1 / 101)
    assert r.mmd2 > 0.02


def test_mmd2_subsamples_large_inputs():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(3000, 8))
    Y = rng.normal(size=(2000, 8)) + 2
    r = mmd2_rbf(X, Y, sample_size=100, n_permutations=20)
    assert r.p_value == pytest.approx(1 / 21)


def test_mmd2_degenerate():
    def nan3(r):
        return all(math.isnan(v) for v in (r.mmd2, r.p_value, r.bandwidth))

    assert nan3(mmd2_rbf(np.zeros((1, 3)), np.zeros((5, 3))))
    assert nan3(mmd2_rbf(np.zeros((4, 3)), np.zeros((5, 2))))
    assert nan3(mmd2_rbf(np.full((3, 2), np.nan), np.zeros((3, 2))))
    r = mmd2_rbf(np.ones((4, 3)), np.ones((5, 3)))
    assert (r.mmd2, r.p_value) == (0.0, 1.0) and math.isnan(r.bandwidth)
    assert isinstance(r, MMDResult)


def test_domain_classifier_auc_same_vs_shifted():
    aucs = []
    for seed in range(3):
        rng = np.random.default_rng(seed)
        X = unit(rng.normal(size=(200, 16)))
        Y = unit(rng.normal(size=(300, 16)))
        aucs.append(domain_classifier_auc(X, Y, random_state=seed))
    assert abs(np.mean(aucs) - 0.5) < 0.08
    rng = np.random.default_rng(7)
    shift = np.zeros(16)
    shift[3] = 1.0
    X = unit(rng.normal(size=(200, 16)))
    Y = unit(rng.normal(size=(200, 16)) + 4.0 * shift)
    assert domain_classifier_auc(X, Y) > 0.9


def test_domain_classifier_auc_degenerate_and_deterministic():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(40, 5)), rng.normal(size=(60, 5)) + 0.3
    assert domain_classifier_auc(X, Y, random_state=4) == \
        domain_classifier_auc(X, Y, random_state=4)
    assert math.isnan(domain_classifier_auc(X[:1], Y))
    assert math.isnan(domain_classifier_auc(X, Y[:, :3]))
    # balanced by subsampling: small side sets the size, folds shrink to fit
    assert 0.0 <= domain_classifier_auc(X[:3], Y, folds=5) <= 1.0


def brute_log_odds(a_counts, b_counts, word):
    na, nb = sum(a_counts.values()), sum(b_counts.values())
    ya, yb = a_counts.get(word, 0), b_counts.get(word, 0)
    al = ya + yb
    a0 = na + nb
    d = math.log((ya + al) / (na + a0 - ya - al)) - math.log((yb + al) / (nb + a0 - yb - al))
    return d / math.sqrt(1 / (ya + al) + 1 / (yb + al))


def test_characteristic_words_known_values():
    a = [["cloud", "pricing", "cloud", "the", "migration"], ["cloud", "savings", "and"]] * 3
    b = [["recipe", "pasta", "the", "pasta"], ["pasta", "sauce", "cloud"]] * 3
    wa, wb = characteristic_words(a, b, top=3, stop_words=STOP)
    assert wa[0][0] == "cloud" and wb[0][0] == "pasta"
    assert "the" not in dict(wa) and "and" not in dict(wb)  # stop words removed
    ca = {"cloud": 9, "pricing": 3, "migration": 3, "savings": 3}
    cb = {"recipe": 3, "pasta": 9, "sauce": 3, "cloud": 3}
    assert wa[0][1] == pytest.approx(brute_log_odds(ca, cb, "cloud"))
    assert wb[0][1] == pytest.approx(brute_log_odds(ca, cb, "pasta"))
    assert all(z > 0 for _, z in wa) and all(z < 0 for _, z in wb)
    # swapping the sides swaps the answers
    wb2, wa2 = characteristic_words(b, a, top=3, stop_words=STOP)
    assert [w for w, _ in wa2] == [w for w, _ in wa] and [w for w, _ in wb2] == [w for w, _ in wb]


def test_characteristic_words_degenerate():
    assert characteristic_words([], [["a"]], stop_words=STOP) == ([], [])
    assert characteristic_words([["the", "and"]], [["cloud", "cloud"]], stop_words=STOP) == ([], [])
    same = [["cloud", "pricing", "cloud"]]
    assert characteristic_words(same, same, min_count=1, stop_words=STOP) == ([], [])
