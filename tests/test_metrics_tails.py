"""Tests for auditor.metrics.tails: hapax mass, baseline topic clusters and their shares."""
from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.features.lexicon import phrase_stop_words
from auditor.metrics import tails as TL

# --------------------------------------------------------------------------- rare words


def test_rare_word_mass_by_hand():
    # tokens: a b b | a c ; df: a 2, b 1, c 1 -> rare tokens b, b, c = 3 of 5
    assert TL.rare_word_mass([["a", "b", "b"], ["a", "c"]]) == pytest.approx(0.6)


def test_rare_word_mass_closed_forms():
    disjoint = [[f"{i}-{j}" for j in range(7)] for i in range(4)]
    assert TL.rare_word_mass(disjoint) == 1.0
    assert TL.rare_word_mass([["x", "y", "x"]] * 3) == 0.0
    assert math.isnan(TL.rare_word_mass([["a", "b"]]))
    assert math.isnan(TL.rare_word_mass([]))
    assert math.isnan(TL.rare_word_mass([[], []]))


@settings(max_examples=60, deadline=None)
@given(
    docs=st.lists(st.lists(st.sampled_from("abcdefgh"), max_size=10), min_size=2, max_size=8),
    seed=st.integers(0, 1000),
)
def test_rare_word_mass_range_and_order(docs, seed):
    value = TL.rare_word_mass(docs)
    shuffled = list(docs)
    random.Random(seed).shuffle(shuffled)
    if sum(map(len, docs)) == 0:
        assert math.isnan(value)
    else:
        assert 0.0 <= value <= 1.0
        assert TL.rare_word_mass(shuffled) == pytest.approx(value)


# --------------------------------------------------------------------------- clusters


def blobs(centres: np.ndarray, per: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    noise_rows = rng.normal(size=(len(centres) * per, centres.shape[1]))
    X = np.repeat(centres, per, axis=0) + noise * noise_rows
    return X / np.linalg.norm(X, axis=1, keepdims=True), np.repeat(np.arange(len(centres)), per)


def test_default_k():
    assert [TL.default_k(n) for n in (0, 8, 200, 450, 10**6)] == [2, 2, 10, 15, 50]


def test_fit_recovers_separated_topics_and_is_seeded():
    X, truth = blobs(np.eye(4, 16), per=40, noise=0.05, seed=0)
    C = TL.fit_topic_clusters(X, k=4, random_state=0)
    assert C.shape == (4, 16)
    assert np.allclose(np.linalg.norm(C, axis=1), 1.0)
    labels = TL.assign_clusters(X, C)
    # each true topic maps to exactly one cluster
    mapping = {t: set(labels[truth == t]) for t in range(4)}
    assert all(len(v) == 1 for v in mapping.values())
    assert len(set().union(*mapping.values())) == 4
    assert np.array_equal(C, TL.fit_topic_clusters(X, k=4, random_state=0))


def test_fit_default_k_minibatch_and_degenerate():
    X, _ = blobs(np.eye(8, 8), per=700, noise=0.3, seed=1)  # n = 5600 > 5000: MiniBatchKMeans
    C = TL.fit_topic_clusters(X, random_state=0)
    assert C.shape == (TL.default_k(5600), 8) == (50, 8)
    assert TL.fit_topic_clusters(np.zeros((0, 3))).shape == (0, 3)
    # k is capped at the number of distinct rows
    assert TL.fit_topic_clusters(np.tile([[1.0, 0.0]], (5, 1)), k=3).shape == (1, 2)


def test_assign_clusters_matches_brute_force_and_chunking():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(101, 5))
    C = rng.normal(size=(7, 5))
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    V = C / np.linalg.norm(C, axis=1, keepdims=True)
    expected = np.argmax(U @ V.T, axis=1)
    assert np.array_equal(TL.assign_clusters(X, C, chunk=10), expected)
    assert np.array_equal(TL.assign_clusters(X, C), expected)
    assert TL.assign_clusters(np.zeros((0, 5)), C).shape == (0,)


def test_cluster_shares():
    assert TL.cluster_shares(np.array([0, 0, 2, 1]), 3).tolist() == [0.5, 0.25, 0.25]
    assert TL.cluster_shares(np.array([0, 5, -1]), 2).tolist() == [1.0, 0.0]
    assert np.isnan(TL.cluster_shares(np.array([], dtype=int), 3)).all()


def test_topic_coverage_closed_forms():
    assert TL.topic_coverage(np.full(5, 0.2)) == pytest.approx(5.0)
    assert TL.topic_coverage(np.array([0.0, 1.0, 0.0])) == pytest.approx(1.0)
    # two topics at 1/2 each plus empty ones: exp(log 2)
    assert TL.topic_coverage(np.array([0.5, 0.0, 0.5, 0.0])) == pytest.approx(2.0)
    assert math.isnan(TL.topic_coverage(np.array([])))
    assert math.isnan(TL.topic_coverage(np.full(3, np.nan)))


def test_lost_topic_mass_by_hand():
    q = np.array([0.4, 0.3, 0.2, 0.1])
    # cluster 0 grew; cluster 1 fell to 0.2 (> 0.15, not counted); 2 fell to 0.05 (< 0.1: 0.15);
    # 3 fell to 0 (0.1): total 0.25
    p = np.array([0.75, 0.2, 0.05, 0.0])
    assert TL.lost_topic_mass(q, p) == pytest.approx(0.25)
    assert TL.lost_topic_mass(q, q) == 0.0
    assert TL.lost_topic_mass(np.array([0.5, 0.5, 0.0]), np.array([0, 0, 1.0])) == 1.0
    assert math.isnan(TL.lost_topic_mass(np.full(2, np.nan), np.array([0.5, 0.5])))
    with pytest.raises(ValueError):
        TL.lost_topic_mass(np.ones(2), np.ones(3))


def test_vanished_clusters_by_hand():
    q = np.array([0.02, 0.3, 0.2, 0.48])
    p = np.array([0.0, 0.07, 0.05, 0.88])
    # cluster 0 too small in the baseline; 1: 0.07 <= 0.075; 2: 0.05 <= 0.05; 3 grew
    assert TL.vanished_clusters(q, p) == [1, 2]
    assert TL.vanished_clusters(q, p, max_ratio=0.24) == [1]
    assert TL.vanished_clusters(q, p, min_baseline_share=0.01) == [1, 2, 0]


@settings(max_examples=60, deadline=None)
@given(
    q=st.lists(st.floats(0, 1), min_size=2, max_size=8).filter(lambda v: sum(v) > 0),
    seed=st.integers(0, 1000),
)
def test_share_measures_ranges(q, seed):
    q = np.array(q) / sum(q)
    p = np.random.default_rng(seed).dirichlet(np.ones(len(q)))
    assert 0.0 <= TL.lost_topic_mass(q, p) <= 1.0 + 1e-12
    assert 1.0 - 1e-9 <= TL.topic_coverage(p) <= len(p) + 1e-9
    perm = np.random.default_rng(seed).permutation(len(q))
    assert TL.lost_topic_mass(q[perm], p[perm]) == pytest.approx(TL.lost_topic_mass(q, p))


# --------------------------------------------------------------------------- keywords


def test_cluster_keywords_ctfidf_by_hand():
    docs = [
        ["the", "cargo", "build", "cargo"],
        ["cargo", "build", "and", "x"],
        ["async", "await", "the", "build"],
        ["marketing", "copy"],
    ]
    labels = [0, 0, 1, 5]  # label 5 is out of range and ignored; cluster 2 is empty
    # counted words (stopwords "the", "and" and 1-letter "x" removed):
    # c0: cargo 3, build 2 (size 5); c1: async 1, await 1, build 1 (size 3); A = 4.
    # c0: cargo 3/5*log(1+4/3) = 0.508, build 2/5*log(1+4/3) = 0.339
    # c1: async, await 1/3*log(5) = 0.536; build 1/3*log(1+4/3) = 0.282
    got = TL.cluster_keywords(docs, labels, k=3, top=3, stop_words=phrase_stop_words())
    assert got == [["cargo", "build"], ["async", "await", "build"], []]
    assert TL.cluster_keywords([], [], k=2) == [[], []]
