import math

import numpy as np
import pytest

from auditor.metrics.segments import segment_stats, worst_pairs


def unit(a):
    return a / np.linalg.norm(a, axis=1, keepdims=True)


def clusters(sizes, d=16, spread=0.1, seed=0, centres=None):
    rng = np.random.default_rng(seed)
    if centres is None:
        centres = np.eye(d)[: len(sizes)]
    X = np.vstack([unit(c + spread * rng.normal(size=(k, d))) for c, k in zip(centres, sizes)])
    labels = [f"s{i}" for i, k in enumerate(sizes) for _ in range(k)]
    return X, labels


def brute(X, labels):
    """Reference with explicit d x d matrices, pinv and recomputed leave-one-out means."""
    labs = sorted(set(labels))
    y = np.array([labs.index(x) for x in labels])
    C = len(labs)
    mus = np.array([X[y == c].mean(0) for c in range(C)])
    var = np.array([np.mean(np.sum((X[y == c] - mus[c]) ** 2, 1)) for c in range(C)])
    covs = [np.cov(X[y == c].T, bias=True) for c in range(C)]
    SW = sum(covs) / C
    g = mus.mean(0)
    SB = sum(np.outer(m - g, m - g) for m in mus) / C
    nc1 = np.trace(SW @ np.linalg.pinv(SB)) / C
    cdnv = {}
    cos = {}
    for a in range(C):
        for b in range(a + 1, C):
            cdnv[(labs[a], labs[b])] = (var[a] + var[b]) / (2 * np.sum((mus[a] - mus[b]) ** 2))
            u, v = mus[a] - g, mus[b] - g
            cos[(labs[a], labs[b])] = u @ v / np.linalg.norm(u) / np.linalg.norm(v)
    recall = []
    for c in range(C):
        idx = np.flatnonzero(y == c)
        ok = 0
        for i in idx:
            loo = X[np.setdiff1d(idx, [i])].mean(0)
            d_own = np.sum((X[i] - loo) ** 2)
            d_other = min(np.sum((X[i] - mus[k]) ** 2) for k in range(C) if k != c)
            ok += d_own <= d_other
        recall.append(ok / len(idx))
    return dict(var=dict(zip(labs, var)), cdnv=cdnv, cos=cos, nc1=nc1,
                recall=dict(zip(labs, recall)), bal=float(np.mean(recall)))


def test_matches_brute_force_reference():
    rng = np.random.default_rng(4)
    X = unit(rng.normal(size=(40, 6)) + np.repeat(np.eye(6)[:3] * 1.2, [15, 15, 10], axis=0))
    labels = ["a"] * 15 + ["b"] * 15 + ["c"] * 10
    order = rng.permutation(40)  # interleave rows: order must not matter
    X, labels = X[order], [labels[i] for i in order]
    s = segment_stats(X, labels, min_size=5)
    ref = brute(X, labels)
    assert s.labels == ("a", "b", "c")
    assert s.n == {"a": 15, "b": 15, "c": 10}
    for k in ref["var"]:
        assert s.within_variance[k] == pytest.approx(ref["var"][k])
        assert s.ncm_recall[k] == pytest.approx(ref["recall"][k])
        assert s.noisy_share[k] == pytest.approx(1 - ref["recall"][k])
    for k in ref["cdnv"]:
        assert s.cdnv[k] == pytest.approx(ref["cdnv"][k])
        assert s.mean_cosines[k] == pytest.approx(ref["cos"][k])
    assert s.nc1 == pytest.approx(ref["nc1"], rel=1e-8)
    assert s.ncm_balanced_accuracy == pytest.approx(ref["bal"])
    assert 0 < ref["bal"] < 1  # the reference case is not trivial
    assert s.simplex_cosine == -0.5


def test_well_separated_clusters():
    X, labels = clusters([50, 60, 40, 70], spread=0.05)
    s = segment_stats(X, labels)
    assert max(s.cdnv.values()) < 0.05
    assert s.ncm_balanced_accuracy == 1.0
    assert all(v == 0.0 for v in s.noisy_share.values())
    assert s.nc1 < 0.05


def test_merged_clusters_are_confusable():
    rng = np.random.default_rng(1)
    X = unit(np.eye(16)[0] + 0.3 * rng.normal(size=(400, 16)))
    labels = list(rng.choice(["a", "b"], size=400))
    s = segment_stats(X, labels)
    assert s.cdnv[("a", "b")] > 10
    assert abs(s.ncm_balanced_accuracy - 0.5) < 0.12
    assert s.nc1 > 10
    assert worst_pairs(s) == [(("a", "b"), s.cdnv[("a", "b")])]


def test_relabelling_changes_only_names():
    X, labels = clusters([20, 30, 25], spread=0.6, seed=3)
    rename = {"s0": "zeta", "s1": "alpha", "s2": "mid"}
    a = segment_stats(X, labels)
    b = segment_stats(X, [rename[x] for x in labels])
    assert b.nc1 == pytest.approx(a.nc1)
    assert b.ncm_balanced_accuracy == pytest.approx(a.ncm_balanced_accuracy)
    for x, v in a.ncm_recall.items():
        assert b.ncm_recall[rename[x]] == pytest.approx(v)
        assert b.within_variance[rename[x]] == pytest.approx(a.within_variance[x])
    for (p, q), v in a.cdnv.items():
        key = (rename[p], rename[q]) if (rename[p], rename[q]) in b.cdnv else (rename[q], rename[p])
        assert b.cdnv[key] == pytest.approx(v)
        assert b.mean_cosines[key] == pytest.approx(a.mean_cosines[(p, q)])
    # row order does not matter either
    perm = np.random.default_rng(0).permutation(len(labels))
    c = segment_stats(X[perm], [labels[i] for i in perm])
    assert c.nc1 == pytest.approx(a.nc1) and c.cdnv == pytest.approx(a.cdnv)


def test_imbalance_does_not_dominate_balanced_accuracy():
    # a large segment (400) and a small one (20) with overlapping content
    rng = np.random.default_rng(2)
    big = unit(np.eye(16)[0] + 0.35 * rng.normal(size=(400, 16)))
    small = unit(np.eye(16)[0] + 0.3 * np.eye(16)[1] + 0.35 * rng.normal(size=(20, 16)))
    X = np.vstack([big, small])
    labels = ["big"] * 400 + ["small"] * 20
    s = segment_stats(X, labels)
    overall = (s.ncm_recall["big"] * 400 + s.ncm_recall["small"] * 20) / 420
    assert s.ncm_balanced_accuracy == pytest.approx(
        (s.ncm_recall["big"] + s.ncm_recall["small"]) / 2)
    assert abs(s.ncm_balanced_accuracy - overall) > 0.02
    # balanced NC1 / centring: duplicating the big segment's rows changes nothing
    s2 = segment_stats(np.vstack([big, big, small]), ["big"] * 800 + ["small"] * 20)
    assert s2.nc1 == pytest.approx(s.nc1, rel=1e-9)
    assert s2.mean_cosines == pytest.approx(s.mean_cosines)
    ref = brute(X, labels)
    assert s.nc1 == pytest.approx(ref["nc1"], rel=1e-8)


def test_simplex_means_give_equiangular_cosine():
    C, d = 5, 32
    X, labels = clusters([40] * C, d=d, spread=0.02, seed=7)
    s = segment_stats(X, labels)
    assert s.simplex_cosine == pytest.approx(-1 / (C - 1))
    for v in s.mean_cosines.values():
        assert v == pytest.approx(-1 / (C - 1), abs=0.02)
    # an unequal arrangement is not equiangular
    centres = np.eye(d)[:C].copy()
    centres[1] = unit((centres[0] + 0.2 * centres[1])[None])[0]
    X2, labels2 = clusters([40] * C, d=d, spread=0.02, seed=7, centres=centres)
    s2 = segment_stats(X2, labels2)
    assert s2.mean_cosines[("s0", "s1")] > 0.5


def test_too_small_segments_are_listed_and_excluded():
    X, labels = clusters([30, 30, 3, 1], spread=0.2, seed=5)
    s = segment_stats(X, labels, min_size=5)
    assert s.labels == ("s0", "s1")
    assert s.too_small == {"s2": 3, "s3": 1}
    assert set(s.cdnv) == {("s0", "s1")}
    ref = brute(X[:60], labels[:60])
    assert s.ncm_balanced_accuracy == pytest.approx(ref["bal"])
    assert s.nc1 == pytest.approx(ref["nc1"], rel=1e-8)


def test_degenerate_inputs():
    X, labels = clusters([10], spread=0.2)
    s = segment_stats(X, labels)
    assert s.labels == ("s0",) and s.cdnv == {} and math.isnan(s.nc1)
    assert math.isnan(s.ncm_balanced_accuracy) and math.isnan(s.simplex_cosine)
    s = segment_stats(np.zeros((0, 4)), [])
    assert s.labels == () and math.isnan(s.nc1)
    # coinciding means: infinitely confusable
    X = np.array([[1.0, 0], [0, 1.0], [1.0, 0], [0, 1.0]])
    s = segment_stats(X, ["a", "b", "b", "a"], min_size=2)
    assert s.cdnv[("a", "b")] == math.inf and s.nc1 == math.inf
    assert worst_pairs(s)[0][1] == math.inf
    # non-finite rows are ignored
    Xn = np.vstack([X, [np.nan, 0]])
    assert segment_stats(Xn, ["a", "b", "b", "a", "a"], min_size=2).n_ignored == 1
    with pytest.raises(ValueError):
        segment_stats(X, ["a"])


def test_worst_pairs_order():
    X, labels = clusters([30, 30, 30], spread=0.3, seed=8)
    X[60:] = unit(X[60:] + 1.5 * np.eye(16)[0])  # s2 drifts towards s0
    s = segment_stats(X, labels)
    pairs = worst_pairs(s, top=2)
    assert len(pairs) == 2 and pairs[0][0] == ("s0", "s2")
    assert pairs[0][1] == max(s.cdnv.values()) > 2 * pairs[1][1]
    everything = worst_pairs(s, top=10)
    assert [v for _, v in everything] == sorted(s.cdnv.values(), reverse=True)
