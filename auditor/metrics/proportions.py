"""Comparing two proportions from counts: Fisher's exact test (one-sided).

Used where a share of documents is compared between a period and its baseline with small
counts (a phrase in 4 of 25 posts against 0 of 100), where normal approximations fail.
"""
from __future__ import annotations

import math

__all__ = ["fisher_exact_greater"]

_TINY = 1e-17  # a term this small relative to the running sum no longer changes a float64 sum


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_exact_greater(c1: int, n1: int, c2: int, n2: int) -> float:
    """One-sided Fisher exact test that the share ``c1/n1`` exceeds ``c2/n2``: the p-value.

    Formula: with the margins fixed (N = n1 + n2 documents, K = c1 + c2 containing the item), the
    count of the first group is hypergeometric under the null (equal shares), and
    ``p = P(X >= c1) = sum_{x=c1}^{min(K, n1)} C(K, x) C(N - K, n1 - x) / C(N, n1)``.

    Range: (0, 1]; smaller = stronger evidence that the first share is larger. Terms are
    summed from ``x = c1`` upwards by the ratio of consecutive terms, stopping once a term no
    longer changes the sum. Same value as ``scipy.stats.fisher_exact(..., alternative="greater")``
    (tested). Raises ``ValueError`` for counts outside ``0 <= c <= n``.

    References: Fisher (1935), *The Design of Experiments*; Agresti (2002), *Categorical Data
    Analysis*, 3.5.

    >>> round(fisher_exact_greater(4, 25, 0, 100), 6)  # "site" in 4 of 25 posts, 0 of 100
    0.001305
    >>> round(fisher_exact_greater(0, 25, 3, 100), 9)  # nothing seen: no evidence
    1.0
    """
    if not (0 <= c1 <= n1 and 0 <= c2 <= n2):
        raise ValueError(f"counts must satisfy 0 <= c <= n, got {c1}/{n1} and {c2}/{n2}")
    n, k = n1 + n2, c1 + c2
    top = min(k, n1)
    log_first = _log_choose(k, c1) + _log_choose(n - k, n1 - c1) - _log_choose(n, n1)
    term, total, x = 1.0, 1.0, c1
    while x < top:
        term *= (k - x) * (n1 - x) / ((x + 1) * (n - k - n1 + x + 1))
        total += term
        x += 1
        if term < _TINY * total:
            break
    return min(1.0, math.exp(log_first) * total)
