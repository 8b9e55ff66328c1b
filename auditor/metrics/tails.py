"""Tails layer: what the baseline had at its edges and a later period lost.

Shumailov et al. (Nature 2024) show that under recursive training the tails of a distribution
vanish first. Two views: rare words (document hapax mass) and baseline topic clusters (k-means
fitted on baseline embeddings, as MAUVE quantises embeddings, then cluster shares compared).

Memory is O(n) in the number of documents: cluster assignment is chunked (O(chunk * k)).
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Sequence

import numpy as np

__all__ = [
    "assign_clusters",
    "cluster_keywords",
    "cluster_shares",
    "default_k",
    "fit_topic_clusters",
    "lost_topic_mass",
    "rare_word_mass",
    "topic_coverage",
    "vanished_clusters",
]

MINIBATCH_ABOVE = 5000


def rare_word_mass(docs: Sequence[Sequence[str]]) -> float:
    """Document hapax mass: the share of word tokens whose word occurs in exactly one document.

    Formula: RWM = sum_{w : df(w) = 1} tf(w) / sum_w tf(w), tf the token count over the set and df
    the number of documents containing w.

    Range 0..1; lower = the long tail of idiosyncratic words has thinned (more homogeneous).

    Parameters
    ----------
    docs : word tokens per document.

    Returns
    -------
    float; ``nan`` for fewer than two documents or no tokens.

    Notes
    -----
    Strongly dependent on the number of documents and their length: comparing periods is only
    meaningful on equal-size samples with the same text budget per document, which is the caller's
    job (see ``auditor.metrics.sampling``).

    References
    ----------
    Shumailov et al. (2024), "AI models collapse when trained on recursively generated data".

    >>> rare_word_mass([["a", "b", "b"], ["a", "c"]])
    0.6
    """
    docs = [list(d) for d in docs]
    if len(docs) < 2:
        return float("nan")
    tf: Counter[str] = Counter()
    df: Counter[str] = Counter()
    for d in docs:
        tf.update(d)
        df.update(set(d))
    total = sum(tf.values())
    if total == 0:
        return float("nan")
    return sum(c for w, c in tf.items() if df[w] == 1) / total


# --------------------------------------------------------------------------- clusters


def default_k(n: int) -> int:
    """Default number of baseline topic clusters: clip(round(sqrt(n / 2)), 2, 50).

    >>> default_k(200), default_k(3), default_k(100000)
    (10, 2, 50)
    """
    return int(min(50, max(2, round(math.sqrt(max(n, 0) / 2)))))


def _unit(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    unit: np.ndarray = np.divide(X, norms, out=np.zeros_like(X), where=norms > 0)
    return unit


def fit_topic_clusters(
    X: np.ndarray, *, k: int | None = None, random_state: int | None = 0
) -> np.ndarray:
    """Fit topic clusters on (baseline) embeddings; return unit-norm centroids (k, d).

    Method: k-means on the unit rows (``KMeans``, n_init=4; ``MiniBatchKMeans``, n_init=3,
    batch 1024, when n > 5000), centroids then renormalised so assignment is by cosine (an
    approximation of spherical k-means). k defaults to :func:`default_k` and is capped at the
    number of distinct rows.

    Returns
    -------
    float64 array (k, d); shape (0, d) when X has no rows. Deterministic given ``random_state``.

    >>> fit_topic_clusters(np.array([[1.0, 0], [1, 0.01], [0, 1], [0.01, 1]]), k=2).shape
    (2, 2)
    """
    from sklearn.cluster import KMeans, MiniBatchKMeans

    U = _unit(X)
    n = U.shape[0]
    if n == 0:
        return np.zeros((0, U.shape[1] if U.ndim == 2 else 0))
    k = default_k(n) if k is None else int(k)
    k = max(1, min(k, len(np.unique(U, axis=0))))
    # not a threshold: an algorithm chosen for speed
    if n > MINIBATCH_ABOVE:
        model = MiniBatchKMeans(
            n_clusters=k, n_init=3, batch_size=1024, random_state=random_state
        )
    else:
        model = KMeans(n_clusters=k, n_init=4, random_state=random_state)
    model.fit(U)
    return _unit(model.cluster_centers_)


def assign_clusters(X: np.ndarray, centroids: np.ndarray, *, chunk: int = 8192) -> np.ndarray:
    """Label each row with its most cosine-similar centroid (ties: lowest index), in chunks.

    Returns an int64 array of length n (empty when X or the centroids are empty).

    >>> assign_clusters(np.array([[0.9, 0.1], [0.2, 0.8]]), np.eye(2)).tolist()
    [0, 1]
    """
    U = _unit(X)
    C = _unit(centroids)
    n = U.shape[0]
    labels = np.zeros(n, dtype=np.int64)
    if n == 0 or C.shape[0] == 0:
        return labels[:0]
    for start in range(0, n, max(1, int(chunk))):
        labels[start : start + chunk] = np.argmax(U[start : start + chunk] @ C.T, axis=1)
    return labels


def cluster_shares(labels: np.ndarray, k: int) -> np.ndarray:
    """Share of documents in each of the ``k`` clusters (labels outside 0..k-1 are ignored).

    Returns a float64 vector of length k summing to 1, or all ``nan`` when no label is in range.

    >>> cluster_shares(np.array([0, 0, 2, 1]), 3).tolist()
    [0.5, 0.25, 0.25]
    """
    labels = np.asarray(labels, dtype=np.int64)
    labels = labels[(labels >= 0) & (labels < k)]
    if labels.size == 0:
        return np.full(int(k), np.nan)
    return np.bincount(labels, minlength=int(k)).astype(np.float64) / labels.size


def topic_coverage(shares: np.ndarray) -> float:
    """Effective number of topics: exp of the Shannon entropy of the cluster shares.

    Formula: exp(-sum_c p_c log p_c), shares renormalised to sum to one, empty clusters skipped.

    Range 1..k; lower = the period covers fewer of the baseline's topics (narrower).

    Returns ``nan`` for empty, all-zero or ``nan`` shares.

    References
    ----------
    Hill numbers of order 1 (the same construction as the Vendi score).

    >>> topic_coverage(np.array([0.25, 0.25, 0.25, 0.25]))
    4.0
    """
    p = np.asarray(shares, dtype=np.float64)
    if p.size == 0 or np.isnan(p).any() or p.sum() <= 0:
        return float("nan")
    p = p[p > 0] / p.sum()
    return float(math.exp(-np.sum(p * np.log(p))))


def _pair(baseline_shares: np.ndarray, period_shares: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    q = np.asarray(baseline_shares, dtype=np.float64)
    p = np.asarray(period_shares, dtype=np.float64)
    if q.shape != p.shape:
        raise ValueError(f"share vectors differ in length: {q.shape} vs {p.shape}")
    return q, p


def lost_topic_mass(baseline_shares: np.ndarray, period_shares: np.ndarray) -> float:
    """Baseline topic mass the period lost, counting only clusters that more than halved.

    Formula: LTM = sum_{c : p_c < q_c / 2} (q_c - p_c), q the baseline and p the period shares
    over the same baseline clusters.

    Range 0..1; higher = more of the baseline's topics have gone (more homogeneous). Clusters that
    shrank by less than half count as ordinary fluctuation and contribute nothing.

    Returns ``nan`` for empty or ``nan`` shares; raises ``ValueError`` for vectors of different
    lengths (a programming error, not degenerate data).

    >>> lost_topic_mass(np.array([0.5, 0.3, 0.2]), np.array([0.8, 0.2, 0.0]))
    0.2
    """
    q, p = _pair(baseline_shares, period_shares)
    if q.size == 0 or np.isnan(q).any() or np.isnan(p).any():
        return float("nan")
    # not a threshold: the metric's definition (clusters that more than halved, formula above)
    lost = p < q / 2.0
    return float(np.sum(q[lost] - p[lost]))


def vanished_clusters(
    baseline_shares: np.ndarray,
    period_shares: np.ndarray,
    *,
    min_baseline_share: float = 0.03,
    max_ratio: float = 0.25,
) -> list[int]:
    """Clusters that held at least ``min_baseline_share`` of the baseline and kept at most
    ``max_ratio`` of that share in the period, largest baseline share first.

    Formula: {c : q_c >= min_baseline_share and p_c <= max_ratio * q_c}.

    >>> vanished_clusters(np.array([0.5, 0.3, 0.2]), np.array([0.8, 0.2, 0.0]))
    [2]
    """
    q, p = _pair(baseline_shares, period_shares)
    hits = [
        c
        for c in range(q.size)
        if q[c] >= min_baseline_share and p[c] <= max_ratio * q[c]
    ]
    return sorted(hits, key=lambda c: (-q[c], c))


def cluster_keywords(
    docs: Sequence[Sequence[str]], labels: Sequence[int] | np.ndarray, *, k: int, top: int = 6,
    stop_words: Collection[str] = frozenset(),
) -> list[list[str]]:
    """Words characterising each cluster by class-based TF-IDF (c-TF-IDF, as in BERTopic).

    Formula: W(t, c) = tf(t, c) / |c| * log(1 + A / f(t)), tf(t, c) the count of word t in the
    documents of cluster c, |c| the number of counted words in c (L1 normalisation), f(t) the count
    of t over all clusters and A the mean number of counted words per non-empty cluster.
    Stopwords (spaCy English), words without a letter and one-character words are not counted.

    Returns ``k`` lists of at most ``top`` words, best first (ties alphabetical); a cluster with no
    documents gets ``[]``. Labels outside 0..k-1 are ignored.

    References
    ----------
    Grootendorst (2022), "BERTopic: Neural topic modeling with a class-based TF-IDF procedure".

    >>> cluster_keywords([["apple", "pie"], ["apple", "tart"], ["rust", "code"]], [0, 0, 1], k=2,
    ...                  top=2)
    [['apple', 'pie'], ['code', 'rust']]
    """
    stop = frozenset(stop_words)
    counts: list[Counter[str]] = [Counter() for _ in range(int(k))]
    for doc, lab in zip(docs, labels):
        lab = int(lab)
        if 0 <= lab < k:
            counts[lab].update(
                w for w in doc if len(w) > 1 and w not in stop and any(ch.isalpha() for ch in w)
            )
    freq: Counter[str] = Counter()
    for c in counts:
        freq.update(c)
    sizes = [sum(c.values()) for c in counts]
    non_empty = [s for s in sizes if s > 0]
    if not non_empty:
        return [[] for _ in range(int(k))]
    avg = sum(non_empty) / len(non_empty)
    out: list[list[str]] = []
    for c, size in zip(counts, sizes):
        if size == 0:
            out.append([])
            continue
        scored = [((tf / size) * math.log(1.0 + avg / freq[w]), w) for w, tf in c.items()]
        scored.sort(key=lambda x: (-x[0], x[1]))
        out.append([w for _, w in scored[:top]])
    return out
