"""Character layer: how many of this period's posts read unlike the baseline's?

A classifier two-sample test (Lopez-Paz & Oquab, ICLR 2017, "Revisiting classifier two-sample
tests"): when two sets of posts come from the same writing, a classifier trained to tell them
apart does no better than chance; a brand whose posts now read differently (a new voice, a
language model's favourite words) becomes separable. The features are the words and word pairs
a post uses (presence, not counts, over those at least two posts use), the classifier a smoothed
log-odds sum (Bernoulli naive Bayes without the absence terms), fitted with K-fold
cross-fitting so every post is scored by a model that never saw it. The model is linear and
fitted in closed form, so ``permutations`` relabellings are scored in the same matrix products,
which gives the exact null of the statistics for these two sets: mean, sd and a p-value.

Two statistics of the held-out scores: the ROC AUC (how separable the sets are as a whole) and
the **share of the period's posts that score above the baseline posts' 90th percentile**
(``UNLIKE_QUANTILE``): posts that read unlike the baseline. By chance that share is about 10%;
when only part of a period changed (60% of the posts written by a model), the share rises with
that part while the AUC dilutes, so the share is the more sensitive test of a partial switch
(and reads as "58% of posts read unlike the baseline's, 10% would by chance"). The verdict
compares that share, with the permutation sd as its standard error, with the baseline's own
period-to-period value like any other metric (``auditor.app.measure.fill_character``).

Pure: word lists in, numbers out; memory O(nnz + V * permutations), never n x n.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scipy import sparse

__all__ = ["Separability", "separability", "auc_columns"]


#: a period's post "reads unlike the baseline" above this quantile of the baseline's scores
UNLIKE_QUANTILE = 0.9


@dataclass(frozen=True)
class Separability:
    """Cross-fitted statistics of this pair of sets and their permutation nulls."""

    auc: float
    auc_null_mean: float
    unlike: float          # share of the second set's posts above the first's 90th percentile
    unlike_null_mean: float
    unlike_null_sd: float
    p_value: float         # permutation p-value of ``unlike``


NAN_SEPARABILITY = Separability(*(math.nan,) * 6)


def auc_columns(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """ROC AUC of every column of ``scores`` against the 0/1 column of ``labels`` (ties count
    half: the Mann-Whitney U over n1 * n0).

    >>> s = np.array([[0.1], [0.4], [0.35], [0.8]]); y = np.array([[0], [0], [1], [1]])
    >>> float(auc_columns(s, y)[0])
    0.75
    """
    from scipy.stats import rankdata

    ranks = rankdata(scores, axis=0)
    n1 = labels.sum(axis=0)
    n0 = labels.shape[0] - n1
    with np.errstate(divide="ignore", invalid="ignore"):
        auc: np.ndarray = ((ranks * labels).sum(axis=0) - n1 * (n1 + 1) / 2) / (n1 * n0)
    return auc


def unlike_share(scores: np.ndarray, labels: np.ndarray, q: float = UNLIKE_QUANTILE
                 ) -> np.ndarray:
    """Per column: the share of label-1 rows scoring above the ``q`` quantile of the label-0
    rows' scores.

    >>> s = np.array([[0.1], [0.2], [0.3], [0.9], [0.25]]); y = np.array([[0], [0], [0], [1], [1]])
    >>> unlike_share(s, y, 0.5).tolist()
    [1.0]
    """
    pos = labels == 1
    with np.errstate(all="ignore"):
        cut = np.nanquantile(np.where(pos, np.nan, scores), q, axis=0)
        share: np.ndarray = ((scores > cut) & pos).sum(axis=0) / pos.sum(axis=0)
    return share


def _features(doc: Sequence[str]) -> set[str]:
    """A post's words and adjacent word pairs."""
    return set(doc) | {f"{a} {b}" for a, b in zip(doc, doc[1:])}


def _presence(docs_a: Sequence[Sequence[str]], docs_b: Sequence[Sequence[str]],
              min_df: int) -> sparse.csr_matrix:
    """Binary document x feature matrix (CSR) over the words and word pairs in at least
    ``min_df`` documents."""
    from scipy import sparse

    df: dict[str, int] = {}
    sets = [_features(d) for d in list(docs_a) + list(docs_b)]
    for s in sets:
        for w in s:
            df[w] = df.get(w, 0) + 1
    vocab = {w: j for j, w in enumerate(sorted(w for w, c in df.items() if c >= min_df))}
    rows, cols = [], []
    for i, s in enumerate(sets):
        js = [vocab[w] for w in s if w in vocab]
        rows.extend([i] * len(js))
        cols.extend(js)
    data = np.ones(len(rows), dtype=np.float64)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(sets), len(vocab)))


def _cross_fitted(X: sparse.csr_matrix, Y: np.ndarray, fold: np.ndarray, folds: int,
                  smoothing: float) -> np.ndarray:
    """Held-out scores of every column of labels ``Y`` (one fit per fold, all columns at once).
    Counts are whole numbers, so ``log(count + smoothing)`` is a table look-up."""
    n = X.shape[0]
    table = np.log(np.arange(n + 1) + smoothing)
    sizes = np.maximum(np.asarray(X.sum(axis=1)).ravel(), 1.0)[:, None]
    scores = np.zeros(Y.shape)
    for k in range(folds):
        tr, te = fold != k, fold == k
        Xt, Yt = X[tr], Y[tr]
        pos = np.rint(np.asarray(Xt.T @ Yt)).astype(np.int64)
        neg = np.rint(np.asarray(Xt.sum(axis=0)).reshape(-1, 1)).astype(np.int64) - pos
        npos = Yt.sum(axis=0)
        nneg = Yt.shape[0] - npos
        W = (table[pos] - table[neg]
             - np.log(npos + 2 * smoothing) + np.log(nneg + 2 * smoothing))
        scores[te] = np.asarray(X[te] @ W) / sizes[te]
    return scores


def separability(docs_a: Sequence[Sequence[str]], docs_b: Sequence[Sequence[str]], *,
                 permutations: int = 200, folds: int = 5, repeats: int = 4,
                 smoothing: float = 0.5, min_df: int = 2,
                 random_state: int = 0) -> Separability:
    """How well a cross-fitted word-presence classifier separates ``docs_b`` from ``docs_a``.

    For fold k, with ``a_w`` / ``b_w`` the numbers of training posts of each side holding word
    ``w`` and ``n_a`` / ``n_b`` the side sizes, the weight is
    ``w_w = log((b_w + s) / (n_b + 2 s)) - log((a_w + s) / (n_a + 2 s))`` (``s`` =
    ``smoothing``) and a held-out post scores the *mean* of ``w_w`` over its words (a sum would
    grow with the post's length, and longer posts would read as different for that alone). The
    AUC of the held-out scores (``docs_b`` positive) and the share of ``docs_b`` above the 90th
    percentile of ``docs_a``'s scores are compared with the same statistics for ``permutations``
    random relabellings (same folds): null means, the share's null sd and
    ``p = (1 + #{perm share >= observed}) / (1 + permutations)``. Both statistics are averaged
    over ``repeats`` fold assignments (for the observed labels and every relabelling alike): with
    a few dozen posts, which posts share a fold moves the held-out scores as much as the data
    does, and averaging that out sharpens the test.

    Range: AUC 0..1, share 0..1 (about 0.1 by chance); higher = the sets read more differently.
    NaN when a side has fewer than ``folds`` posts or no word is shared by two posts.

    References: Lopez-Paz & Oquab 2017 (classifier two-sample tests); Evidently's
    domain-classifier drift (ROC AUC > 0.55 reads as drift).

    >>> a = [["the", "food", "was", "good"]] * 6 + [["good", "food", "here"]] * 6
    >>> b = [["overall", "the", "ambiance", "was", "delightful"]] * 6 \\
    ...     + [["overall", "delightful", "service"]] * 6
    >>> r = separability(a, b, permutations=50)
    >>> r.auc, r.unlike, r.p_value < 0.05
    (1.0, 1.0, True)
    """
    n_a, n_b = len(docs_a), len(docs_b)
    if min(n_a, n_b) < folds:
        return NAN_SEPARABILITY
    X = _presence(docs_a, docs_b, min_df)
    if X.shape[1] == 0:
        return NAN_SEPARABILITY
    n = n_a + n_b
    rng = np.random.default_rng(random_state)
    y = np.r_[np.zeros(n_a), np.ones(n_b)]
    Y = np.column_stack([y] + [rng.permutation(y) for _ in range(permutations)])
    aucs = np.zeros(Y.shape[1])
    unlike = np.zeros(Y.shape[1])
    for _ in range(max(repeats, 1)):
        scores = _cross_fitted(X, Y, rng.permutation(n) % folds, folds, smoothing)
        aucs += auc_columns(scores, Y)
        unlike += unlike_share(scores, Y)
    aucs /= max(repeats, 1)
    unlike /= max(repeats, 1)
    null = unlike[1:]
    if not np.isfinite(unlike[0]) or null.size < 2:
        return NAN_SEPARABILITY
    p = (1 + int(np.count_nonzero(null >= unlike[0] - 1e-12))) / (1 + null.size)
    return Separability(float(aucs[0]), float(aucs[1:].mean()), float(unlike[0]),
                        float(null.mean()), float(null.std(ddof=1)), p)


def unlike_posts(docs_a: Sequence[Sequence[str]], docs_b: Sequence[Sequence[str]], *,
                 folds: int = 5, repeats: int = 4, smoothing: float = 0.5, min_df: int = 2,
                 random_state: int = 0) -> np.ndarray:
    """Per post of ``docs_b``: how often it reads unlike ``docs_a``, i.e. the share of
    ``repeats`` cross-fitted fold assignments in which its held-out score (the classifier of
    :func:`separability`, observed labels only) is above the ``UNLIKE_QUANTILE`` quantile of
    ``docs_a``'s held-out scores. Its mean over the posts is :func:`separability`'s ``unlike``
    for the same folds; by chance each post reads unlike about ``1 - UNLIKE_QUANTILE`` of the
    time. Used to say *which* posts carry the character layer's move (provenance, the action
    list). All NaN under the conditions that make :func:`separability` NaN.

    >>> a = [["the", "food", "was", "good"]] * 6 + [["good", "food", "here"]] * 6
    >>> b = [["overall", "the", "ambiance", "was", "delightful"]] * 6 + a[:2]
    >>> unlike_posts(a, b).round(2).tolist()
    [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0]
    """
    n_a, n_b = len(docs_a), len(docs_b)
    if min(n_a, n_b) < folds:
        return np.full(n_b, np.nan)
    X = _presence(docs_a, docs_b, min_df)
    if X.shape[1] == 0:
        return np.full(n_b, np.nan)
    rng = np.random.default_rng(random_state)
    y = np.r_[np.zeros(n_a), np.ones(n_b)][:, None]
    hits = np.zeros(n_b)
    for _ in range(max(repeats, 1)):
        scores = _cross_fitted(X, y, rng.permutation(n_a + n_b) % folds, folds, smoothing)[:, 0]
        cut = np.quantile(scores[:n_a], UNLIKE_QUANTILE)
        hits += scores[n_a:] > cut
    return hits / max(repeats, 1)
