"""Fast equivalents of the n-gram metrics over pre-hashed n-grams.

The reference definitions live in ``wording`` and ``structure`` (token lists in, Python sets and
Counters inside). Audits evaluate them on thousands of samples of the same documents, so the
features step hashes every document's n-grams once (64-bit polynomial hash of integer token
ids) and these functions compute the same quantities with numpy. Equality with the reference
functions is tested (a 64-bit hash collision would be needed to differ).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_P = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multiplier (golden ratio)
NAN = float("nan")


def distinct(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values (like ``np.unique``; a plain sort is ~30x faster than numpy 2's
    hash-based ``np.unique`` for uint64 here).

    >>> distinct(np.array([3, 1, 3], dtype=np.uint64)).tolist()
    [1, 3]
    """
    s = np.sort(a)
    if s.size == 0:
        return s
    return s[np.concatenate(([True], s[1:] != s[:-1]))]


def distinct_first(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values and the position of each one's first occurrence in ``a``: what a
    text budget needs to keep only the n-grams that start early enough.

    >>> v, f = distinct_first(np.array([3, 1, 3, 2], dtype=np.uint64))
    >>> v.tolist(), f.tolist()
    ([1, 2, 3], [1, 3, 0])
    """
    order = np.argsort(a, kind="stable")
    s = a[order]
    if s.size == 0:
        return s, order.astype(np.int32)
    keep = np.concatenate(([True], s[1:] != s[:-1]))
    return s[keep], order[keep].astype(np.int32)


def hash_ngrams(ids: np.ndarray, n: int) -> np.ndarray:
    """64-bit hashes of the n-grams of an integer id sequence, in order (length len(ids)-n+1).

    h = sum_k (id_{i+k} + 1) * P^(n-1-k)  (mod 2^64).

    >>> bool(hash_ngrams(np.array([1, 2, 1, 2]), 2)[0] == hash_ngrams(np.array([1, 2]), 2)[0])
    True
    """
    ids = np.asarray(ids, dtype=np.uint64) + np.uint64(1)
    m = len(ids) - n + 1
    if m <= 0:
        return np.zeros(0, dtype=np.uint64)
    h = np.zeros(m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(n):
            h = h * _P + ids[k:k + m]
    return h


def _df(doc_sets: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(concatenated unique-per-doc hashes, their document frequency, doc boundaries)."""
    lens = np.array([len(s) for s in doc_sets], dtype=np.int64)
    cat = np.concatenate(doc_sets) if len(doc_sets) else np.zeros(0, np.uint64)
    _, inv, counts = np.unique(cat, return_inverse=True, return_counts=True)
    return cat, counts[inv], lens


def self_repetition_hashed(doc_sets: Sequence[np.ndarray]) -> float:
    """``wording.self_repetition`` from each document's *unique* n-gram hashes."""
    if len(doc_sets) < 2:
        return NAN
    _, df, lens = _df(doc_sets)
    bounds = np.concatenate([[0], np.cumsum(lens)])
    sums = np.array([df[a:b].sum() - (b - a) for a, b in zip(bounds[:-1], bounds[1:])],
                    dtype=float)
    return float(np.log1p(sums).mean())


def ngram_diversity_hashed(doc_unique: Sequence[Sequence[np.ndarray]],
                          totals: np.ndarray) -> float:
    """``wording.ngram_diversity`` from per-document *unique* n-gram hashes
    (``doc_unique[d][n-1]`` holds order n) and the number of n-grams of each order in the
    sample (``totals[n-1]``, repeats counted): sum over n of distinct / total. NaN when an
    order has no n-gram."""
    totals = np.asarray(totals)
    if not len(doc_unique) or (totals == 0).any():
        return NAN
    score = 0.0
    for order in range(len(totals)):
        score += distinct(np.concatenate([g[order] for g in doc_unique])).size / totals[order]
    return float(score)


def template_coverage_hashed(doc_grams: Sequence[np.ndarray], doc_eligible: Sequence[np.ndarray],
                             *, doc_unique: Sequence[np.ndarray] | None = None,
                             min_doc_share: float = 0.05, min_docs: int = 3) -> float:
    """``structure.template_share`` (coverage) from per-document shape n-gram hashes (with
    repeats), a per-gram flag saying whether it has enough function words to be a template, and
    optionally each document's unique hashes (precomputed for speed)."""
    import math
    keep = [i for i, g in enumerate(doc_grams) if len(g) > 0]
    if not keep:
        return NAN
    grams = [doc_grams[i] for i in keep]
    uniq = [doc_unique[i] for i in keep] if doc_unique is not None else [distinct(g) for g in grams]
    vals, counts = np.unique(np.concatenate(uniq), return_counts=True)
    min_count = max(int(min_docs), math.ceil(min_doc_share * len(grams) - 1e-12))
    frequent = vals[counts >= min_count]
    cat = np.concatenate(grams)
    hits = np.isin(cat, frequent) & np.concatenate([doc_eligible[i] for i in keep])
    lens = np.array([len(g) for g in grams])
    per_doc = np.add.reduceat(hits.astype(np.int64), np.concatenate([[0], np.cumsum(lens)[:-1]]))
    return float((per_doc / lens).mean())
