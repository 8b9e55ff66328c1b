"""Per-post measurements of sameness inside one period: what each post adds to the period's
figures (the action list ranks posts by them; provenance sums them by source).

Pure: arrays and key sets in, arrays out; no thresholds.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np

from auditor.metrics.topics import nearest_neighbours

__all__ = ["k_occurrence", "excess_per_post", "holders"]


def k_occurrence(X: np.ndarray, *, k: int = 5, chunk: int = 1024) -> np.ndarray:
    """How many other rows of ``X`` have row i among their ``k`` most cosine-similar rows
    (itself excluded): the k-occurrence ``N_k(i)`` of Radovanovic, Nanopoulos & Ivanovic 2010
    ("Hubs in space", JMLR). A post with a high ``N_k`` sits close to many others: it says
    what many posts of the period say. Range 0..n-1, mean exactly ``min(k, n - 1)``.
    Memory O(chunk * n) (``topics.nearest_neighbours``), never n x n.

    >>> X = np.array([[1.0, 0.0], [0.9, 0.1], [0.9, -0.1], [0.0, 1.0]])
    >>> k_occurrence(X, k=1).tolist()
    [2, 2, 0, 0]
    """
    n = X.shape[0]
    if n < 2:
        return np.zeros(n, dtype=np.int64)
    idx, _ = nearest_neighbours(X, X, k=k, exclude_self=True, chunk=chunk)
    return np.bincount(idx.ravel(), minlength=n).astype(np.int64)


def holders(key_sets: Sequence[Collection[str]]) -> dict[str, int]:
    """How many of the posts hold each key (a post counts a key once).

    >>> sorted(holders([{"a", "b"}, {"a"}]).items())
    [('a', 2), ('b', 1)]
    """
    out: dict[str, int] = {}
    for keys in key_sets:
        for key in set(keys):
            out[key] = out.get(key, 0) + 1
    return out


def excess_per_post(key_sets: Sequence[Collection[str]], baseline_share: Mapping[str, float],
                    keys: Collection[str]) -> np.ndarray:
    """Each post's part of the period's excess holders of ``keys`` (stock frames or phrases):
    ``x_i = sum over keys of (1[post i holds the key] - q_key)``, ``q_key`` the key's baseline
    share of posts. Summed over the posts, ``x`` is the period's holders beyond the baseline
    rate, ``sum_key (k_key - n q_key)``, so a source's share of that sum is its Shapley share
    of an additive game (``metrics.provenance.additive_shares``).

    >>> excess_per_post([{"a"}, {"a", "b"}, set()], {"a": 0.25, "b": 0.0}, ["a", "b"]).tolist()
    [0.75, 1.75, -0.25]
    """
    keys = list(keys)
    q = sum(float(baseline_share.get(key, 0.0)) for key in keys)
    return np.array([sum(key in s for key in keys) - q for s in (set(x) for x in key_sets)],
                    dtype=float)
