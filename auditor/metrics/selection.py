"""Diverse subset selection: what ``samey curate`` computes before it decides (pure functions).

The method (README, "samey curate"), and where each part comes from:

1. **Near-copy families** (MinHash LSH, ``metrics.families``): one member of each is eligible.
2. **Topic clusters**: k-means on the embeddings (:func:`default_clusters` of them), as SemDeDup
   (Abbas et al. 2023, arXiv 2303.09540) and D4 (Tirumala et al. 2023, arXiv 2308.12284) do.
3. **Inside each cluster, a greedy farthest-point order** (:func:`farthest_point_order`): the
   first document is the one farthest from the cluster's centroid (D4 prunes the documents
   closest to it, the "prototypical" ones), then each next one is the document least similar
   to all chosen before it (Gonzalez 1985, the greedy 2-approximation of max-min dispersion
   and k-center). Similarity here counts meaning and wording: the average of the embedding
   cosine and the cosine of word-count vectors (``lexical_weight``), since a set can be spread
   in meaning and still repeat its phrasing. Each document's embedding cosine to the most
   similar one ranked before it is SemDeDup's test: at or above ``1 - epsilon`` it is a
   semantic near-copy of that one.
4. **Cluster-balanced selection** (``judge.curate``): clusters are visited round robin in that
   order, so the kept set takes the same number from every cluster until small clusters run
   out (:func:`water_fill` gives the resulting quotas): rare topics are kept whole, crowded
   ones thinned.

Everything here is deterministic and O(m^2 d) per cluster of m documents (no n x n matrix).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "FarthestPoints",
    "default_clusters",
    "farthest_point_order",
    "water_fill",
    "cut_to_budget",
]


def default_clusters(n: int) -> int:
    """Topic clusters for ``n`` documents: ``clip(round(sqrt(n / 2)), 2, 1000)``, at most ``n``.

    The same rule of thumb as the audit's topic clusters (``tails.default_k``), with a higher
    ceiling: curation balances topics, so a large corpus needs finer ones (about 70 clusters
    for 10,000 documents, 707 for a million).

    >>> default_clusters(300), default_clusters(10_000)
    (12, 71)
    >>> default_clusters(5_000_000), default_clusters(1)
    (1000, 1)
    """
    n = max(int(n), 0)
    return int(min(n, min(1000, max(2, round(math.sqrt(n / 2))))))


@dataclass(frozen=True)
class FarthestPoints:
    """A greedy farthest-point order of some rows.

    ``order``: row numbers, first chosen first. ``max_sim[i]``: cosine of row ``i`` to the most
    similar row chosen before it (``nan`` for the first row of the order). ``nearest[i]``: that
    row (``-1`` for the first)."""

    order: np.ndarray
    max_sim: np.ndarray
    nearest: np.ndarray


def _unit(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    out: np.ndarray = np.divide(X, norms, out=np.zeros_like(X), where=norms > 0)
    return out


def farthest_point_order(X: np.ndarray, *, lexical: np.ndarray | None = None,
                         lexical_weight: float = 0.0, d4_start: bool = True,
                         groups: Sequence[int] | np.ndarray | None = None) -> FarthestPoints:
    """Greedy max-min (farthest-point) order of the rows of ``X`` by cosine similarity.

    Formula: with ``s(i, j) = (1 - w) cos(x_i, x_j) + w cos(l_i, l_j)`` (``w`` the
    ``lexical_weight``, ``l`` the rows of ``lexical``; ``w = 0``: meaning only),
    ``o_1 = argmin_i s(i, c)`` (the row least like the centroid ``c``, the mean of the rows;
    the first row when ``d4_start`` is False), then
    ``o_t = argmin_{i not chosen} max_{s < t} s(i, o_s)``: each next row is the one whose most
    similar chosen row is least similar (ties: the lowest row).
    ``groups`` (integers) orders the rows group by group, lower first, the rows of earlier
    groups counting as chosen (protected documents, then a preferred source, then the rest).

    ``max_sim`` and ``nearest`` are always by ``X`` alone: each row's cosine to the most similar
    row chosen before it (SemDeDup's test), whatever ``w`` ordered the rows by.

    Range of ``max_sim``: -1..1; a row with ``max_sim`` near 1 repeats one chosen before it.

    References
    ----------
    Gonzalez (1985), "Clustering to minimize the maximum intercluster distance" (the greedy
    farthest-point traversal); Tirumala et al. (2023), D4 (start from the least prototypical);
    a sum of kernels (meaning and wording), as the Vendi score allows (Friedman & Dieng 2023).

    Notes
    -----
    O(m^2 d) time and O(m d) memory for m rows: each step is one or two matrix-vector products.

    >>> X = np.array([[1.0, 0.0], [0.99, 0.14], [0.0, 1.0], [0.7, 0.7]])
    >>> fp = farthest_point_order(X)
    >>> fp.order.tolist(), fp.nearest.tolist()
    ([2, 0, 3, 1], [2, 0, -1, 2])
    >>> [round(float(s), 2) for s in fp.max_sim]  # row 1 nearly repeats row 0
    [0.0, 0.99, nan, 0.71]
    """
    U = _unit(X)
    m = U.shape[0]
    order = np.zeros(m, dtype=np.int64)
    max_sim = np.full(m, np.nan)
    nearest = np.full(m, -1, dtype=np.int64)
    if m == 0:
        return FarthestPoints(order, max_sim, nearest)
    w = float(lexical_weight) if lexical is not None else 0.0
    V = _unit(lexical) if w and lexical is not None else None
    g = np.zeros(m, dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64)
    best = np.full(m, -np.inf)   # max combined similarity to the chosen rows so far
    best_x = np.full(m, -np.inf)  # max cosine (X) to the chosen rows
    near = np.full(m, -1, dtype=np.int64)
    chosen = np.zeros(m, dtype=bool)
    for t in range(m):
        left = ~chosen & (g == g[~chosen].min())
        if t == 0:
            if not d4_start:
                pick = int(np.flatnonzero(left)[0])
            else:
                sim_c = (1 - w) * (U @ _unit(U.mean(axis=0)[None, :])[0])
                if V is not None:
                    sim_c = sim_c + w * (V @ _unit(V.mean(axis=0)[None, :])[0])
                pick = int(np.flatnonzero(left)[np.argmin(sim_c[left])])
        else:
            cand = np.flatnonzero(left)
            pick = int(cand[np.argmin(best[cand])])
        order[t] = pick
        if t:
            max_sim[pick], nearest[pick] = best_x[pick], near[pick]
        chosen[pick] = True
        sims = U @ U[pick]
        better = sims > best_x
        best_x[better] = sims[better]
        near[better] = pick
        if V is not None:
            sims = (1 - w) * sims + w * (V @ V[pick])
        best = np.maximum(best, sims)
    return FarthestPoints(order, max_sim, nearest)


def water_fill(sizes: Sequence[int], total: int) -> np.ndarray:
    """Quotas that share ``total`` among groups of these sizes as evenly as sizes allow.

    Formula: ``q_c = min(s_c, L)`` with the level ``L`` the largest integer for which
    ``sum_c min(s_c, L) <= total``; what is left (fewer than the groups still above ``L``)
    goes one each to those groups, the smallest first (ties: the lower index). A group smaller
    than the level keeps everything (a rare topic is kept whole); the largest are thinned most.
    ``sum(q) == min(total, sum(sizes))``.

    >>> water_fill([2, 10, 30], 20).tolist()
    [2, 9, 9]
    >>> water_fill([5, 5], 3).tolist()
    [2, 1]
    """
    s = np.asarray(sizes, dtype=np.int64)
    total = int(min(max(int(total), 0), int(s.sum())))
    lo, hi = 0, int(s.max()) if s.size else 0
    while lo < hi:  # the largest level whose quotas fit
        mid = (lo + hi + 1) // 2
        if np.minimum(s, mid).sum() <= total:
            lo = mid
        else:
            hi = mid - 1
    q = np.minimum(s, lo)
    rest = total - int(q.sum())
    for c in sorted(np.flatnonzero(s > lo).tolist(), key=lambda c: (int(s[c]), c))[:rest]:
        q[c] += 1
    return q


def cut_to_budget(docs_words: Sequence[Sequence[str]], budget: int) -> list[list[str]]:
    """The documents' words, in order, until ``budget`` words in all (the last one cut).

    So that sets are compared on the same amount of text (compression ratio, n-gram diversity
    and rare-word mass all change with it: REFERENCE.md, "Length"). Fewer words in all than the
    budget: every word.

    >>> cut_to_budget([["a", "b", "c"], ["d", "e"], ["f"]], 4)
    [['a', 'b', 'c'], ['d']]
    """
    out: list[list[str]] = []
    left = max(int(budget), 0)
    for words in docs_words:
        if left <= 0:
            break
        take = list(words[:left])
        if take:
            out.append(take)
        left -= len(take)
    return out
