"""Provenance: how much of a period's move each source (an author, a tool, an agency) made.

A *source* is a player; a *coalition* S of sources keeps its own posts in the period's sample,
and the posts of every other source are replaced, position by position, by a size-matched draw
of baseline posts (the brand's normal writing). The value of S is the layer's metric on that
sample, turned so that higher is more samey (``direction * metric``). So

* ``v(all)`` is the metric on the period's own sample, ``v(empty)`` on a baseline sample of the
  same size and word budget, and ``v(all) - v(empty)`` is the period's move in that sample;
* the **Shapley value** of a source (Shapley 1953) is its marginal effect ``v(S + s) - v(S)``
  averaged over every order in which the sources could join:
  ``phi_s = sum over S not holding s of |S|! (k - |S| - 1)! / k! * (v(S + s) - v(S))``.
  The values add up to the move exactly (efficiency), a source whose posts read like the
  baseline gets 0 (null player), and two sources that write alike get the same (symmetry):
  so "ai-desk made 80% of the move" is a share of a whole, not of a sum that overshoots.

Why baseline posts as the stand-in, and not the other sources' posts (leave-one-source-out,
REFERENCE.md "Attribution and curation")? When two sources both write templated copy, replacing
either by the other changes nothing and both would get zero; and a source that wrote the whole
period would have nobody to be replaced by. Replacing by the baseline asks the question a team
asks: how much less samey would this period be had that source written as the brand used to?

With k sources the exact values cost ``2^k`` metric evaluations per sample
(:func:`shapley_values`); with more sources one random order per sample
(:func:`shapley_in_order`, Castro, Gomez & Tejada 2009, "Polynomial calculation of the Shapley
value based on sampling") costs ``k + 1``, stays exactly efficient for every order and is
unbiased on average. Repeated over samples, the share of each source is the ratio of the
mean values (:func:`ratio_shares`), with a percentile bootstrap over the samples for its 95%
interval.

For figures that are a sum over posts (how many posts hold a stock frame beyond the baseline
rate; how many read unlike the baseline beyond chance) the Shapley value of a source is simply
the sum over its own posts: :func:`additive_shares`, with a bootstrap over posts.

Pure: numbers and callables in, arrays out; randomness only through ``random_state``/``rng``.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

__all__ = ["Shares", "shapley_values", "shapley_in_order", "coalition_rows", "ratio_shares",
           "additive_shares"]

Value = Callable[[frozenset[int]], float]


@dataclass(frozen=True)
class Shares:
    """Each player's share of a whole (summing to one where defined) with a 95% interval.
    NaN throughout when the whole is not a move toward sameness (zero or negative)."""

    value: np.ndarray
    low: np.ndarray
    high: np.ndarray


def shapley_values(k: int, value: Value) -> np.ndarray:
    """Exact Shapley values of ``k`` players for the characteristic function ``value``
    (called once per coalition: ``2^k`` calls).

    ``phi_i = sum_{S subset of N minus i} |S|! (k - |S| - 1)! / k! (v(S + i) - v(S))``.

    >>> glove = lambda s: float(0 in s and bool(s & {1, 2}))  # one left glove, two right
    >>> shapley_values(3, glove).round(4).tolist()
    [0.6667, 0.1667, 0.1667]
    >>> shapley_values(2, lambda s: 3.0 * (0 in s) + 1.0 * (1 in s)).tolist()
    [3.0, 1.0]
    """
    if k == 0:
        return np.zeros(0)
    v = {frozenset(c): float(value(frozenset(c)))
         for size in range(k + 1) for c in combinations(range(k), size)}
    phi = np.zeros(k)
    for i in range(k):
        others = [j for j in range(k) if j != i]
        for size in range(k):
            w = math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
            for c in combinations(others, size):
                s = frozenset(c)
                phi[i] += w * (v[s | {i}] - v[s])
    return phi


def shapley_in_order(order: Sequence[int], value: Value) -> np.ndarray:
    """Marginal contributions of the players joining in ``order`` (``len(order) + 1`` calls):
    one draw of the sampled Shapley value (its mean over uniformly random orders is the exact
    value); they add up to ``v(all) - v(empty)`` for every order.

    >>> glove = lambda s: float(0 in s and bool(s & {1, 2}))
    >>> shapley_in_order([1, 0, 2], glove).tolist()
    [1.0, 0.0, 0.0]
    """
    phi = np.zeros(len(order))
    held: frozenset[int] = frozenset()
    before = float(value(held))
    for i in order:
        held = held | {i}
        after = float(value(held))
        phi[i] = after - before
        before = after
    return phi


def coalition_rows(rows: np.ndarray, fillers: np.ndarray, players: np.ndarray,
                   coalition: frozenset[int]) -> np.ndarray:
    """The sample of a coalition: position j keeps ``rows[j]`` when its player ``players[j]``
    is in the coalition, else takes its baseline stand-in ``fillers[j]`` (the same stand-in
    in every coalition: common random numbers, so coalitions differ only by who is replaced).

    >>> coalition_rows(np.array([10, 11, 12]), np.array([0, 1, 2]), np.array([0, 1, 0]),
    ...                frozenset({0})).tolist()
    [10, 1, 12]
    """
    keep = np.isin(players, np.fromiter(coalition, dtype=np.int64, count=len(coalition)))
    return np.where(keep, rows, fillers)


def _nan_shares(k: int) -> Shares:
    nan = np.full(k, np.nan)
    return Shares(nan, nan.copy(), nan.copy())


def ratio_shares(phi: np.ndarray, *, resamples: int = 200, random_state: int = 0) -> Shares:
    """Shares of a move from per-sample Shapley values ``phi`` (R samples x k players): the
    ratio of means ``mean_r phi[r, s] / mean_r sum_s phi[r, s]``, which sums to one over
    players, and its 95% percentile-bootstrap interval over the samples (``resamples``
    seeded draws of R samples with replacement; a draw whose move is not positive is left
    out). NaN when the mean move is not positive (the samples do not show a move).

    >>> s = ratio_shares(np.array([[3.0, 1.0], [1.0, 1.0]]))
    >>> s.value.tolist()
    [0.6666666666666666, 0.3333333333333333]
    """
    phi = np.asarray(phi, dtype=float)
    if phi.ndim != 2 or phi.shape[0] == 0:
        return _nan_shares(phi.shape[-1] if phi.ndim == 2 else 0)
    k = phi.shape[1]
    total = phi.sum(axis=1)
    if not total.mean() > 0:
        return _nan_shares(k)
    value = phi.mean(axis=0) / total.mean()
    rng = np.random.default_rng(random_state)
    draws = rng.integers(0, phi.shape[0], size=(resamples, phi.shape[0]))
    num = phi[draws].mean(axis=1)                     # resamples x k
    den = total[draws].mean(axis=1)[:, None]
    with np.errstate(all="ignore"):
        boot = np.where(den > 0, num / den, np.nan)
    return _with_interval(value, boot)


def additive_shares(x: np.ndarray, players: np.ndarray, k: int, *, resamples: int = 200,
                    random_state: int = 0) -> Shares:
    """Shares of a sum over posts: player s gets ``sum of x[i] over its posts / sum of x``
    (the Shapley value of an additive game is each player's own part), with a 95% percentile
    bootstrap over posts. NaN when the sum is not positive.

    >>> additive_shares(np.array([1.0, 1.0, 0.0, 2.0]), np.array([0, 0, 1, 1]), 2).value.tolist()
    [0.5, 0.5]
    """
    x = np.asarray(x, dtype=float)
    players = np.asarray(players, dtype=np.int64)
    if x.size == 0 or not x.sum() > 0:
        return _nan_shares(k)
    onehot = np.zeros((x.size, k))
    onehot[np.arange(x.size), players] = 1.0
    parts = x[:, None] * onehot                      # n x k
    value = parts.sum(axis=0) / x.sum()
    rng = np.random.default_rng(random_state)
    draws = rng.integers(0, x.size, size=(resamples, x.size))
    num = parts[draws].sum(axis=1)
    den = x[draws].sum(axis=1)[:, None]
    with np.errstate(all="ignore"):
        boot = np.where(den > 0, num / den, np.nan)
    return _with_interval(value, boot)


def _with_interval(value: np.ndarray, boot: np.ndarray) -> Shares:
    ok = np.isfinite(boot).all(axis=1)
    if not ok.any():
        return Shares(value, np.full_like(value, np.nan), np.full_like(value, np.nan))
    low, high = np.percentile(boot[ok], [2.5, 97.5], axis=0)
    return Shares(value, low, high)
