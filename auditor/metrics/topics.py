"""Topic layer: how spread out the documents are in embedding space.

Every function takes an ``(n, d)`` float array of document embeddings (unit rows expected; rows are
renormalised defensively, and all-zero rows, which have no direction, are dropped). Memory is
O(n d + d^2) or O(chunk * n): no function builds the n x n similarity matrix.

Two quantities come from mergeable summaries so that a monthly run (or a partitioned corpus) can add
summaries instead of re-reading embeddings:

- ``embedding_sum(X)`` (a d-vector) -> ``mean_pairwise_cosine_from_summary(s, n)``
- ``second_moment(X)`` (a d x d matrix) -> ``vendi_from_second_moment(M, n)``

Summaries of disjoint parts add: ``embedding_sum(A) + embedding_sum(B) == embedding_sum(A ++ B)``.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = [
    "embedding_sum",
    "mean_pairwise_cosine",
    "mean_pairwise_cosine_from_summary",
    "nearest_neighbour_similarity",
    "nearest_neighbours",
    "second_moment",
    "vendi_from_second_moment",
    "vendi_score",
    "vendi_score_from_kernel",
]

_EIG_FLOOR = 1e-12


def _unit_rows(X: np.ndarray) -> np.ndarray:
    """Return ``X`` as float64 with unit rows; rows of zero norm (no direction) are dropped."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        X = X.reshape(len(X), -1) if X.size else np.zeros((0, 0))
    norms = np.linalg.norm(X, axis=1)
    keep = norms > 0
    unit: np.ndarray = X[keep] / norms[keep, None]
    return unit


def _entropy_exp(eigenvalues: np.ndarray) -> float:
    """exp(Shannon entropy) of the eigenvalues above 1e-12, renormalised to sum to one."""
    w = np.asarray(eigenvalues, dtype=np.float64)
    # not a threshold: a numerical floor
    w = w[w > _EIG_FLOOR]
    if w.size == 0:
        return float("nan")
    p = w / w.sum()
    return float(math.exp(-np.sum(p * np.log(p))))


# --------------------------------------------------------------------------- mean pairwise cosine


def embedding_sum(X: np.ndarray) -> np.ndarray:
    """Sum of the unit-normalised rows of ``X``: the mergeable summary of mean pairwise cosine.

    Returns a float64 vector of length d. Sums of disjoint parts add.

    >>> embedding_sum(np.array([[3.0, 4.0], [0.0, 2.0]])).tolist()
    [0.6, 1.8]
    """
    U = _unit_rows(X)
    if U.shape[0] == 0:
        return np.zeros(np.asarray(X).shape[-1] if np.asarray(X).ndim == 2 else 0)
    total: np.ndarray = U.sum(axis=0)
    return total


def mean_pairwise_cosine_from_summary(s: np.ndarray, n: int) -> float:
    """Mean pairwise cosine from the summed unit embeddings ``s`` of ``n`` documents.

    Formula: (||s||^2 - n) / (n (n - 1)), because ||sum_i e_i||^2 = n + sum_{i != j} e_i . e_j
    for unit vectors e_i.

    Range -1/(n-1)..1; higher = more homogeneous. ``n < 2`` gives ``nan``.

    >>> mean_pairwise_cosine_from_summary(np.array([2.0, 0.0]), 2)
    1.0
    """
    n = int(n)
    if n < 2:
        return float("nan")
    s = np.asarray(s, dtype=np.float64)
    return float((s @ s - n) / (n * (n - 1)))


def mean_pairwise_cosine(X: np.ndarray) -> float:
    """Mean cosine similarity over all ordered pairs of distinct documents.

    Formula: mean_{i != j} cos(e_i, e_j) = (||sum_i e_i||^2 - n) / (n (n - 1)), computed in O(n d)
    time and O(d) extra memory (no n x n matrix).

    Range: -1/(n-1)..1 (1 when every document points the same way); higher = more homogeneous.

    Parameters
    ----------
    X : (n, d) array of embeddings; rows are renormalised, zero rows dropped.

    Returns
    -------
    float, ``nan`` for fewer than two (non-zero) rows.

    Notes
    -----
    Equal to ``mean_pairwise_cosine_from_summary(embedding_sum(X), n)``; use that form to merge
    periods or partitions. Like every spread measure it depends on the sample; compare periods on
    equal-size samples.

    References
    ----------
    The identity is the standard one for unit vectors; cf. the homogenization score of Padmakumar &
    He (ICLR 2024), which averages pairwise similarities.

    >>> mean_pairwise_cosine(np.eye(3))
    0.0
    """
    U = _unit_rows(X)
    return mean_pairwise_cosine_from_summary(U.sum(axis=0), U.shape[0])


# --------------------------------------------------------------------------- Vendi score


def second_moment(X: np.ndarray) -> np.ndarray:
    """Uncentred second moment X^T X (d x d, float64) of the unit-normalised rows.

    The mergeable summary for the Vendi score: second moments of disjoint parts add.

    >>> second_moment(np.array([[1.0, 0.0], [0.0, 2.0]])).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    U = _unit_rows(X)
    moment: np.ndarray = U.T @ U
    return moment


def vendi_from_second_moment(M: np.ndarray, n: int) -> float:
    """Vendi score (linear kernel) from the second moment ``M = X^T X`` of ``n`` unit rows.

    Formula: exp(-sum_k l_k log l_k), l_k the eigenvalues of M / n above 1e-12 (renormalised to
    sum to one, which they do up to rounding since trace(M) = n).

    Range 1..min(n, d); higher = more diverse, lower = more homogeneous. ``n < 2`` gives ``nan``.

    >>> vendi_from_second_moment(np.eye(2) * 5, 10)
    2.0
    """
    n = int(n)
    if n < 2:
        return float("nan")
    M = np.asarray(M, dtype=np.float64)
    M = (M + M.T) / 2.0
    return _entropy_exp(np.linalg.eigvalsh(M / n))


def vendi_score(X: np.ndarray) -> float:
    """Vendi score with the cosine (linear) kernel: the effective number of distinct documents.

    Formula: VS = exp(-sum_k l_k log l_k), l_k the eigenvalues of K / n with K_ij = cos(e_i, e_j).
    For a linear kernel K = X X^T, whose non-zero eigenvalues equal those of the d x d matrix X^T X,
    so VS is computed from eigvalsh(X^T X / n): O(n d^2) time and O(d^2) memory (for a sample
    smaller than d, the equally exact n x n Gram form is cheaper). Eigenvalues at or below 1e-12
    are ignored.

    Range: 1..min(n, d); 1 when all documents coincide, n for mutually orthogonal ones.
    Higher = more diverse; lower = more homogeneous.

    Parameters
    ----------
    X : (n, d) embeddings (renormalised rows; zero rows are dropped).

    Returns
    -------
    float; ``nan`` below two non-zero rows.

    Notes
    -----
    Equal to ``vendi_from_second_moment(second_moment(X), n)``. The score grows with n (Vendi-Score
    issue #8: 20.96 +/- 1.83 on samples of 200 vs 25.86 on 10,000 items), so compare equal-size
    samples. Matches ``vendi_score.vendi.score_dual`` / ``score_K(X @ X.T)`` of the ``vendi-score``
    package, which keep every positive eigenvalue instead of flooring at 1e-12.

    References
    ----------
    Friedman & Dieng (2022), "The Vendi Score: A Diversity Evaluation Metric for Machine Learning".

    >>> vendi_score(np.eye(4))
    4.0
    """
    U = _unit_rows(X)
    n = U.shape[0]
    if n < 2:
        return float("nan")
    if n < U.shape[1]:  # a small sample: the n x n Gram matrix has the same non-zero spectrum
        return vendi_from_second_moment(U @ U.T, n)
    return vendi_from_second_moment(U.T @ U, n)


def vendi_score_from_kernel(K: np.ndarray) -> float:
    """Vendi score of an explicit (small) n x n similarity matrix with unit diagonal.

    Formula: exp of the Shannon entropy of the eigenvalues of K / n (those above 1e-12).

    Range 1..n; higher = more diverse. For tests and tiny inputs only: it is O(n^2) memory by
    construction. ``n < 2`` gives ``nan``.

    References
    ----------
    Friedman & Dieng (2022); known values from the ``vendi-score`` package.

    >>> round(vendi_score_from_kernel(np.array([[1, .9, 0], [.9, 1, 0], [0, 0, 1]])), 4)
    2.1573
    """
    K = np.asarray(K, dtype=np.float64)
    if K.ndim != 2 or K.shape[0] != K.shape[1] or K.shape[0] < 2:
        return float("nan")
    n = K.shape[0]
    return _entropy_exp(np.linalg.eigvalsh((K + K.T) / (2.0 * n)))


# --------------------------------------------------------------------------- nearest neighbours


def nearest_neighbours(
    Q: np.ndarray,
    X: np.ndarray,
    *,
    k: int = 1,
    exclude_self: bool = False,
    query_indices: np.ndarray | None = None,
    chunk: int = 1024,
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` most cosine-similar rows of ``X`` for each row of ``Q``, in chunks.

    Formula: for query q, the k largest values of cos(q, x_j) over rows j of X (best first; ties
    broken by the lower index).

    Parameters
    ----------
    Q : (m, d) query embeddings. X : (n, d) reference embeddings. Rows are renormalised; zero rows
        get similarity 0 to everything (they are not dropped here, so indices stay aligned).
    k : neighbours per query; clipped to the number of candidates.
    exclude_self : if True, query i may not match row ``query_indices[i]`` of X (by default
        ``query_indices = arange(m)``, i.e. Q is X or its first m rows). Exclusion is by index, so
        an exact duplicate elsewhere in X still counts as a neighbour.
    query_indices : positions in X of the query rows, used only with ``exclude_self``.
    chunk : queries per block; memory is O(chunk * n).

    Returns
    -------
    (indices, sims): int64 and float64 arrays of shape (m, k') with k' = min(k, candidates).

    >>> idx, sims = nearest_neighbours(np.eye(3), np.eye(3), k=1)
    >>> idx.ravel().tolist(), sims.ravel().tolist()
    ([0, 1, 2], [1.0, 1.0, 1.0])
    """
    Qu = _safe_unit(Q)
    Xu = _safe_unit(X)
    m, n = Qu.shape[0], Xu.shape[0]
    if exclude_self:
        qi = np.arange(m) if query_indices is None else np.asarray(query_indices, dtype=np.int64)
    k_eff = max(0, min(int(k), n - (1 if exclude_self else 0)))
    indices = np.zeros((m, k_eff), dtype=np.int64)
    sims = np.zeros((m, k_eff), dtype=np.float64)
    if m == 0 or k_eff == 0:
        return indices, sims
    chunk = max(1, int(chunk))
    for start in range(0, m, chunk):
        stop = min(m, start + chunk)
        S = Qu[start:stop] @ Xu.T  # (chunk, n)
        if exclude_self:
            rows = np.arange(stop - start)
            S[rows, qi[start:stop]] = -np.inf
        if k_eff < n:
            part = np.argpartition(-S, k_eff - 1, axis=1)[:, :k_eff]
        else:
            part = np.broadcast_to(np.arange(n), (stop - start, n))
        part_sims = np.take_along_axis(S, part, axis=1)
        order = np.lexsort((part, -part_sims), axis=1)
        indices[start:stop] = np.take_along_axis(part, order, axis=1)
        sims[start:stop] = np.take_along_axis(part_sims, order, axis=1)
    return indices, sims


def _safe_unit(X: np.ndarray) -> np.ndarray:
    """Unit rows, keeping zero rows as zeros (index-preserving)."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        return np.zeros((0, 0))
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    unit: np.ndarray = np.divide(X, norms, out=np.zeros_like(X), where=norms > 0)
    return unit


def nearest_neighbour_similarity(
    X: np.ndarray,
    *,
    sample_size: int | None = None,
    random_state: int | None = 0,
    chunk: int = 1024,
) -> float:
    """Mean, over (sampled) documents, of the cosine similarity to their nearest other document.

    Formula: mean_{i in S} max_{j != i} cos(e_i, e_j), S all rows or a uniform sample without
    replacement of ``sample_size`` rows (neighbours are always searched among all n rows).

    Range -1..1; higher = more homogeneous (near-duplicates push it towards 1, which the mean
    pairwise cosine hides).

    Parameters
    ----------
    X : (n, d) embeddings; rows renormalised, zero rows dropped.
    sample_size : number of query rows; ``None`` (or >= n) uses all rows. Time O(|S| n d).
    random_state : seed for ``np.random.default_rng`` choosing the sample.
    chunk : query rows per block; memory O(chunk * n), never n x n.

    Returns
    -------
    float, ``nan`` for fewer than two rows.

    Notes
    -----
    The complement of the chamfer distance of the ``diversity`` package. The value rises with n
    (more candidates, closer neighbours): compare equal-size samples.

    >>> nearest_neighbour_similarity(np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]))
    0.6666666666666666
    """
    U = _unit_rows(X)
    n = U.shape[0]
    if n < 2:
        return float("nan")
    if sample_size is not None and 0 < int(sample_size) < n:
        rng = np.random.default_rng(random_state)
        rows = np.sort(rng.choice(n, size=int(sample_size), replace=False))
    elif sample_size is not None and int(sample_size) <= 0:
        return float("nan")
    else:
        rows = np.arange(n)
    _, sims = nearest_neighbours(
        U[rows], U, k=1, exclude_self=True, query_indices=rows, chunk=chunk
    )
    return float(sims[:, 0].mean())
