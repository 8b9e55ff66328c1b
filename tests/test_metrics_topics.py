"""Tests for auditor.metrics.topics: closed forms, vendi-score agreement, summaries, scale."""
from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from vendi_score import vendi  # noqa: E402  (a test extra: missing fails)

from auditor.metrics import topics as T

pytestmark = pytest.mark.filterwarnings("ignore:Please import `csr_matrix`:DeprecationWarning")


def unit_random(n: int, d: int, seed: int = 0) -> np.ndarray:
    X = np.random.default_rng(seed).normal(size=(n, d))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def brute_mean_cosine(X: np.ndarray) -> float:
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    K = U @ U.T
    n = len(U)
    return (K.sum() - np.trace(K)) / (n * (n - 1))


def brute_nn(X: np.ndarray) -> np.ndarray:
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    K = U @ U.T
    np.fill_diagonal(K, -np.inf)
    return K.max(axis=1)


# --------------------------------------------------------------------------- closed forms


def test_orthogonal_embeddings():
    X = np.eye(6)
    assert T.mean_pairwise_cosine(X) == 0.0
    assert T.vendi_score(X) == pytest.approx(6.0, abs=1e-9)
    assert T.nearest_neighbour_similarity(X) == 0.0


def test_identical_embeddings():
    X = np.tile([[0.6, 0.8, 0.0]], (5, 1))
    assert T.mean_pairwise_cosine(X) == pytest.approx(1.0)
    assert T.vendi_score(X) == pytest.approx(1.0)
    assert T.nearest_neighbour_similarity(X) == pytest.approx(1.0)


def test_two_clusters_closed_form():
    # 3 copies of e1 and 3 of e2: pairs within a group have cos 1 (2*3*2 = 12 ordered pairs),
    # across groups 0, so the mean over 30 ordered pairs is 12/30; the kernel has eigenvalues
    # 1/2, 1/2, so Vendi = exp(log 2) = 2.
    X = np.repeat(np.eye(2), 3, axis=0)
    assert T.mean_pairwise_cosine(X) == pytest.approx(12 / 30)
    assert T.vendi_score(X) == pytest.approx(2.0)


def test_rows_renormalised_and_zero_rows_dropped():
    X = unit_random(20, 5, seed=1)
    scaled = X * np.arange(1, 21)[:, None]
    assert T.mean_pairwise_cosine(scaled) == pytest.approx(T.mean_pairwise_cosine(X))
    assert T.vendi_score(scaled) == pytest.approx(T.vendi_score(X))
    with_zero = np.vstack([X, np.zeros((1, 5))])
    assert T.mean_pairwise_cosine(with_zero) == pytest.approx(T.mean_pairwise_cosine(X))


@pytest.mark.parametrize(
    "func", [T.mean_pairwise_cosine, T.vendi_score, T.nearest_neighbour_similarity]
)
def test_degenerate_inputs_give_nan(func):
    assert math.isnan(func(np.zeros((0, 4))))
    assert math.isnan(func(np.ones((1, 4))))
    assert math.isnan(func(np.zeros((3, 4))))  # no direction at all


def test_mean_cosine_matches_brute_force():
    X = np.random.default_rng(3).normal(size=(40, 7))
    assert T.mean_pairwise_cosine(X) == pytest.approx(brute_mean_cosine(X), abs=1e-12)


# --------------------------------------------------------------------------- Vendi


@pytest.mark.parametrize(
    "K, expected",
    [
        (np.array([[1, 0.9, 0], [0.9, 1, 0], [0, 0, 1]]), 2.1573),
        (np.ones((4, 4)), 1.0),
        (np.eye(5), 5.0),
    ],
)
def test_vendi_kernel_known_values(K, expected):
    assert T.vendi_score_from_kernel(K) == pytest.approx(expected, abs=1e-4)
    assert T.vendi_score_from_kernel(K) == pytest.approx(vendi.score_K(K), abs=1e-9)


def test_vendi_kernel_degenerate():
    assert math.isnan(T.vendi_score_from_kernel(np.ones((1, 1))))
    assert math.isnan(T.vendi_score_from_kernel(np.ones((2, 3))))


@pytest.mark.parametrize("n, d, seed", [(60, 8, 0), (12, 30, 1), (200, 16, 2)])
def test_vendi_agrees_with_vendi_score_package(n, d, seed):
    X = unit_random(n, d, seed)
    ours = T.vendi_score(X)
    assert ours == pytest.approx(vendi.score_K(X @ X.T), rel=1e-8)
    assert ours == pytest.approx(vendi.score_dual(X), rel=1e-8)
    assert 1.0 <= ours <= min(n, d) + 1e-9


def test_vendi_from_kernel_agrees_with_package_score():
    X = unit_random(15, 4, seed=5)
    samples = list(X)
    ref = vendi.score(samples, lambda a, b: float(a @ b))
    assert T.vendi_score_from_kernel(X @ X.T) == pytest.approx(ref, rel=1e-8)
    assert T.vendi_score(X) == pytest.approx(ref, rel=1e-8)


# --------------------------------------------------------------------------- summaries


def test_summaries_merge_to_direct_values():
    X = unit_random(300, 12, seed=7)
    parts = np.array_split(X, [50, 51, 170])  # uneven, includes a single-row part
    s = sum(T.embedding_sum(p) for p in parts)
    M = sum(T.second_moment(p) for p in parts)
    assert np.allclose(s, T.embedding_sum(X))
    assert np.allclose(M, T.second_moment(X))
    assert T.mean_pairwise_cosine_from_summary(s, len(X)) == pytest.approx(
        T.mean_pairwise_cosine(X), abs=1e-12
    )
    assert T.vendi_from_second_moment(M, len(X)) == pytest.approx(T.vendi_score(X), rel=1e-10)


def test_summary_degenerate():
    assert math.isnan(T.mean_pairwise_cosine_from_summary(np.ones(3), 1))
    assert math.isnan(T.vendi_from_second_moment(np.eye(3), 0))


# --------------------------------------------------------------------------- nearest neighbours


def test_nn_similarity_matches_brute_force():
    X = np.random.default_rng(11).normal(size=(57, 6))
    expected = brute_nn(X).mean()
    assert T.nearest_neighbour_similarity(X, chunk=5) == pytest.approx(expected, abs=1e-12)


def test_nn_similarity_sees_near_duplicates_the_mean_hides():
    X = np.eye(10)
    X_dup = np.vstack([X, X])  # every document has an exact twin
    assert T.mean_pairwise_cosine(X_dup) == pytest.approx(1 / 19)
    assert T.nearest_neighbour_similarity(X_dup) == pytest.approx(1.0)


def test_nn_similarity_sampled_is_seeded():
    X = unit_random(500, 8, seed=4)
    a = T.nearest_neighbour_similarity(X, sample_size=50, random_state=1)
    b = T.nearest_neighbour_similarity(X, sample_size=50, random_state=1)
    c = T.nearest_neighbour_similarity(X, sample_size=50, random_state=2)
    assert a == b
    assert a != c
    # a sample estimates the full value
    assert a == pytest.approx(T.nearest_neighbour_similarity(X), abs=0.05)
    # sampled rows are still compared against every row, never themselves
    rows = np.sort(np.random.default_rng(1).choice(500, size=50, replace=False))
    assert a == pytest.approx(brute_nn(X)[rows].mean(), abs=1e-12)


def test_nearest_neighbours_topk_and_self_exclusion():
    X = np.random.default_rng(9).normal(size=(30, 5))
    X[7] = X[3]  # exact duplicate of row 3
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    idx, sims = T.nearest_neighbours(U, U, k=4, exclude_self=True, chunk=7)
    assert idx.shape == sims.shape == (30, 4)
    K = U @ U.T
    np.fill_diagonal(K, -np.inf)
    expected = -np.sort(-K, axis=1)[:, :4]
    assert np.allclose(sims, expected)
    assert np.all(np.diff(sims, axis=1) <= 1e-15)  # best first
    assert not np.any(idx == np.arange(30)[:, None])  # never self
    assert idx[3, 0] == 7 and idx[7, 0] == 3  # duplicates still found
    idx_in, _ = T.nearest_neighbours(U, U, k=1)
    assert np.array_equal(idx_in[:, 0], np.where(np.arange(30) == 7, 3, np.arange(30)))


def test_nearest_neighbours_query_indices_and_clipping():
    X = unit_random(10, 3, seed=2)
    rows = np.array([2, 5])
    idx, sims = T.nearest_neighbours(X[rows], X, k=50, exclude_self=True, query_indices=rows)
    assert idx.shape == (2, 9)
    assert 2 not in idx[0] and 5 not in idx[1]
    empty_idx, empty_sims = T.nearest_neighbours(X[:0], X, k=3)
    assert empty_idx.shape == (0, 3)


# --------------------------------------------------------------------------- scale


def test_no_n_by_n_matrix_on_50k_rows():
    X = unit_random(50_000, 32, seed=0).astype(np.float32)
    tracemalloc.start()
    try:
        nn = T.nearest_neighbour_similarity(X, sample_size=200, chunk=64)
        mc = T.mean_pairwise_cosine(X)
        vs = T.vendi_score(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # an n x n float64 matrix would need 20 GB; the inputs themselves need ~13 MB as float64
    assert peak < 150e6
    assert 0.0 < nn < 1.0
    assert abs(mc) < 0.01
    assert 25 < vs <= 32


# --------------------------------------------------------------------------- properties

finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
matrices = st.tuples(st.integers(2, 12), st.integers(1, 6)).flatmap(
    lambda s: arrays(np.float64, s, elements=finite)
).filter(lambda X: np.all(np.linalg.norm(X, axis=1) > 1e-3))


@settings(max_examples=60, deadline=None)
@given(X=matrices, seed=st.integers(0, 2**16))
def test_order_invariance_and_ranges(X, seed):
    perm = np.random.default_rng(seed).permutation(len(X))
    n, d = X.shape
    for f in (T.mean_pairwise_cosine, T.vendi_score, T.nearest_neighbour_similarity):
        assert f(X) == pytest.approx(f(X[perm]), abs=1e-9)
    mc = T.mean_pairwise_cosine(X)
    assert -1 / (n - 1) - 1e-9 <= mc <= 1 + 1e-9
    vs = T.vendi_score(X)
    assert 1 - 1e-9 <= vs <= min(n, d) + 1e-9
    nn = T.nearest_neighbour_similarity(X)
    assert nn >= mc - 1e-9  # a maximum is at least the mean
