"""Segments: the neural-collapse lens on labelled embeddings (product lines, audiences, channels).

Are segments converging (their content becoming confusable) or is one segment collapsing onto a
single voice? Each segment ``c`` (the documents with label ``c``) has a mean ``mu_c`` and a
within variance; pairs of segments are compared by their class-distance-normalised variance, and
the whole by NC1 and nearest-segment-mean accuracy. Everything is computed from per-segment
sums, in O(n d + C d + C^2) memory (projections onto the at most C - 1 between-segment
directions replace d x d matrices): no n x n matrix.

References: Papyan, Han & Donoho 2020, "Prevalence of neural collapse during the terminal phase of
deep learning training", PNAS 117(40); Galanti, György & Hutter 2022, "On the role of neural
collapse in transfer learning", ICLR.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt

from auditor.metrics.sampling import stable_seed

__all__ = ["SegmentStats", "segment_stats", "worst_pairs"]

NAN = float("nan")
L = TypeVar("L", bound=Hashable)  # a segment label


@dataclass(frozen=True)
class SegmentStats(Generic[L]):
    """Per-segment and pairwise neural-collapse figures (see :func:`segment_stats`).

    Pair dictionaries are keyed ``(a, b)`` with ``a`` before ``b`` in ``labels``.
    ``means`` is a ``(C, d)`` array aligned with ``labels``.
    """

    labels: tuple[L, ...]
    too_small: dict[L, int]
    n: dict[L, int]
    means: np.ndarray
    within_variance: dict[L, float]
    cdnv: dict[tuple[L, L], float]
    mean_cosines: dict[tuple[L, L], float]
    simplex_cosine: float
    nc1: float
    ncm_recall: dict[L, float]
    ncm_balanced_accuracy: float
    noisy_share: dict[L, float]
    n_ignored: int = 0


def _ordered(labels: Sequence[L]) -> list[L]:
    uniq: list[Any] = list(dict.fromkeys(labels))  # not always orderable: the TypeError below
    try:
        return sorted(uniq)
    except TypeError:
        return sorted(uniq, key=repr)


def segment_stats(
    X: np.ndarray,
    labels: Sequence[L],
    *,
    min_size: int = 5,
) -> SegmentStats[L]:
    """Neural-collapse statistics of embeddings grouped by segment label.

    For kept segments ``c = 1..C`` (those with ``>= min_size`` documents; at least 2) with
    documents ``x_i``, ``n_c`` of them:

    - ``mu_c`` = mean; ``Var_c = (1/n_c) sum_i ||x_i - mu_c||^2`` (total within variance).
    - ``CDNV(a, b) = (Var_a + Var_b) / (2 ||mu_a - mu_b||^2)`` (Galanti et al. 2022): higher =
      the two segments are more confusable (converging). ``inf`` when the means coincide.
    - ``mean_cosines[(a, b)] = cos(mu_a - g, mu_b - g)`` with ``g = (1/C) sum_c mu_c`` the
      *unweighted* mean of means (so a large segment does not dominate); a collapsed, maximally
      separated arrangement is the simplex, ``simplex_cosine = -1/(C-1)``.
    - ``NC1 = Tr(S_W S_B^+) / C`` (Papyan et al. 2020) with the balanced choices
      ``S_W = (1/C) sum_c Sigma_c`` (``Sigma_c`` the population covariance of segment c) and
      ``S_B = (1/C) sum_c (mu_c - g)(mu_c - g)^T``. Lower = segments tighter relative to their
      separation; ``inf`` when all means coincide and there is spread.
    - Nearest-segment-mean classification, leave-one-out: document ``i`` of segment ``c`` is
      compared with its own segment's mean *without itself*,
      ``||x_i - mu_c^(-i)||^2 = (n_c / (n_c - 1))^2 ||x_i - mu_c||^2``, and with every other
      kept mean; it is correct when no other mean is strictly nearer. ``ncm_recall[c]`` is the
      share correct in ``c``, ``ncm_balanced_accuracy`` their unweighted mean (chance = 1/C),
      ``noisy_share[c] = 1 - ncm_recall[c]``: the share of ``c``'s documents nearer another
      segment's mean than their own.

    Parameters
    ----------
    X : ``(n, d)`` embeddings (unit rows expected, not required).
    labels : one hashable label per row (multi-label documents: repeat the row per label, or
        pick one, upstream).
    min_size : smallest segment analysed (at least 2, for the leave-one-out mean).

    Returns
    -------
    SegmentStats. With fewer than two kept segments the pairwise dictionaries are empty and
    ``nc1``, ``simplex_cosine`` and ``ncm_balanced_accuracy`` are ``nan``. Rows with non-finite
    values are ignored (counted in ``n_ignored``).

    Raises
    ------
    ValueError if ``len(labels) != len(X)`` (a programming error, not degenerate data).

    Notes
    -----
    The balanced (unweighted) S_W and S_B differ from Papyan et al.'s, who train on balanced
    classes; with imbalanced segments the weighted versions would mostly describe the largest one.

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    >>> s = segment_stats(X, ["a", "a", "b", "b"], min_size=2)
    >>> s.cdnv[("a", "b")], s.ncm_balanced_accuracy, round(s.mean_cosines[("a", "b")], 12), s.nc1
    (0.0, 1.0, -1.0, 0.0)
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        X = X.reshape(len(X), -1)
    if len(labels) != len(X):
        raise ValueError(f"got {len(labels)} labels for {len(X)} rows")
    finite = np.isfinite(X).all(axis=1)
    n_ignored = int((~finite).sum())
    lab = [x for x, ok in zip(labels, finite) if ok]
    X = X[finite]
    counts = Counter(lab)
    min_size = max(int(min_size), 2)
    order = _ordered(lab)
    kept = tuple(c for c in order if counts[c] >= min_size)
    too_small = {c: counts[c] for c in order if counts[c] < min_size}
    C, d = len(kept), X.shape[1]
    index = {c: k for k, c in enumerate(kept)}
    y = np.array([index.get(x, -1) for x in lab], dtype=int)
    keep_rows = y >= 0
    Xk, yk = X[keep_rows], y[keep_rows]

    sizes = np.bincount(yk, minlength=C).astype(float)
    means = np.zeros((C, d))
    np.add.at(means, yk, Xk)
    means /= np.maximum(sizes, 1)[:, None]
    resid2 = np.einsum("ij,ij->i", Xk - means[yk], Xk - means[yk])  # ||x_i - mu_c||^2
    var = np.bincount(yk, weights=resid2, minlength=C) / np.maximum(sizes, 1)

    n_dict = {c: int(sizes[k]) for k, c in enumerate(kept)}
    var_dict = {c: float(var[k]) for k, c in enumerate(kept)}
    if C < 2:
        return SegmentStats(kept, too_small, n_dict, means, var_dict, {}, {}, NAN, NAN,
                            {c: NAN for c in kept}, NAN, {c: NAN for c in kept}, n_ignored)

    # pairwise: CDNV and centred-mean cosines
    sq = np.einsum("ij,ij->i", means, means)
    dist2 = np.maximum(sq[:, None] + sq[None, :] - 2.0 * means @ means.T, 0.0)
    g = means.mean(axis=0)
    Mc = means - g
    norms = np.linalg.norm(Mc, axis=1)
    gram = Mc @ Mc.T
    cdnv, cosines = {}, {}
    for a in range(C):
        for b in range(a + 1, C):
            num = var[a] + var[b]
            den = 2.0 * dist2[a, b]
            if den > 0:
                v = num / den
            else:
                v = math.inf if num > 0 else NAN
            cdnv[(kept[a], kept[b])] = float(v)
            nn = norms[a] * norms[b]
            cosines[(kept[a], kept[b])] = float(np.clip(gram[a, b] / nn, -1, 1)) if nn > 0 else NAN

    # NC1 = Tr(S_W S_B^+)/C through the SVD of the centred means (rank <= C-1)
    _, s, Vt = np.linalg.svd(Mc, full_matrices=False)
    tol = (s.max() if s.size else 0.0) * max(C, d) * np.finfo(float).eps
    r = int((s > tol).sum()) if s.size and s.max() > 0 else 0
    total_within = float(var.mean())
    if r == 0:
        nc1 = math.inf if total_within > 0 else NAN
    else:
        V = Vt[:r]  # (r, d) directions, S_B eigenvalues s^2 / C
        P = Xk @ V.T  # (n, r)
        pm = means @ V.T  # (C, r)
        dev2 = (P - pm[yk]) ** 2
        sw_proj = np.zeros((C, r))
        np.add.at(sw_proj, yk, dev2)
        sw_proj = (sw_proj / sizes[:, None]).mean(axis=0)  # v_k^T S_W v_k
        nc1 = float(np.sum(sw_proj * C / s[:r] ** 2) / C)

    # leave-one-out nearest-segment-mean accuracy
    n_k = len(yk)
    correct = np.zeros(n_k, dtype=bool)
    for start in range(0, n_k, 8192):
        sl = slice(start, start + 8192)
        xb, yb = Xk[sl], yk[sl]
        D = np.einsum("ij,ij->i", xb, xb)[:, None] - 2.0 * xb @ means.T + sq[None, :]
        rows = np.arange(len(yb))
        own = resid2[sl] * (sizes[yb] / (sizes[yb] - 1.0)) ** 2
        D[rows, yb] = np.inf
        correct[sl] = own <= D.min(axis=1) + 1e-12
    recall = np.bincount(yk, weights=correct.astype(float), minlength=C) / sizes
    recall_dict = {c: float(recall[k]) for k, c in enumerate(kept)}
    noisy = {c: 1.0 - recall_dict[c] for c in kept}
    return SegmentStats(
        labels=kept,
        too_small=too_small,
        n=n_dict,
        means=means,
        within_variance=var_dict,
        cdnv=cdnv,
        mean_cosines=cosines,
        simplex_cosine=-1.0 / (C - 1),
        nc1=nc1,
        ncm_recall=recall_dict,
        ncm_balanced_accuracy=float(recall.mean()),
        noisy_share=noisy,
        n_ignored=n_ignored,
    )


def worst_pairs(stats: SegmentStats[L], *, top: int = 5) -> list[tuple[tuple[L, L], float]]:
    """The ``top`` segment pairs with the highest CDNV (most confusable first; ``nan`` left out).

    >>> X = np.array([[1.0, 0], [0.9, 0.1], [0, 1.0], [0.1, 0.9], [0.5, 0.5], [0.6, 0.4]])
    >>> [p for p, _ in worst_pairs(segment_stats(X, list("aabbcc"), min_size=2), top=2)]
    [('a', 'c'), ('b', 'c')]
    """
    pairs = [(p, v) for p, v in stats.cdnv.items() if not math.isnan(v)]
    pairs.sort(key=lambda pv: -pv[1])
    return pairs[: max(int(top), 0)]


# ------------------------------------------------------------------ segment moments
# (the segments layer of the audit, ``auditor.app.segments``, measures with these)

def cell_size(cs: list[np.ndarray]) -> int:
    """Documents in a segment's cells (one index array per period)."""
    return int(sum(len(c) for c in cs))


def pooled_moments(E: np.ndarray, cs: list[np.ndarray]) -> tuple[np.ndarray, float]:
    """Mean over all documents and the within-cell pooled unbiased spread."""
    n = cell_size(cs)
    total = np.zeros(E.shape[1])
    ss = 0.0
    for c in cs:
        X = E[c]
        m = X.mean(axis=0)
        total += X.sum(axis=0)
        ss += float(((X - m) ** 2).sum())
    dof = n - len(cs)
    return total / max(n, 1), (ss / dof if dof > 0 else NAN)


def boot_moments(E: np.ndarray, cs: list[np.ndarray], m: int, R: int,
                 random_state: int) -> tuple[np.ndarray, np.ndarray]:
    """(R, d) means and (R,) pooled within-cell spreads of ``R`` resamples of ``m`` documents
    drawn with replacement from the segment's documents (each keeps its cell)."""
    idx = np.concatenate(cs)
    cell = np.concatenate([np.full(len(c), k) for k, c in enumerate(cs)])
    rng = np.random.default_rng(stable_seed(random_state, "boot", m, idx.tolist()))
    draws = rng.integers(0, len(idx), size=(R, m))
    means = np.zeros((R, E.shape[1]))
    spreads = np.full(R, NAN)
    for r in range(R):
        X, k = E[idx[draws[r]]], cell[draws[r]]
        means[r] = X.mean(axis=0)
        ss = 0.0
        for c in np.unique(k):
            Xc = X[k == c]
            ss += float(((Xc - Xc.mean(axis=0)) ** 2).sum())
        dof = m - len(np.unique(k))
        spreads[r] = ss / dof if dof > 0 else NAN
    return means, spreads


def separation(sa: npt.ArrayLike, sb: npt.ArrayLike, ma: npt.ArrayLike, mb: npt.ArrayLike,
                na: int, nb: int) -> np.ndarray:
    """``2 (||mu_a - mu_b||^2 - s_a/n_a - s_b/n_b) / (s_a + s_b)``: 1 / CDNV with the squared
    distance between means bias-corrected (the plug-in distance is inflated by ``s/n`` per
    segment). Can be <= 0 when the two segments are indistinguishable. Vectorised over rows."""
    d2: np.ndarray = np.sum((np.asarray(ma) - np.asarray(mb)) ** 2, axis=-1)
    num = np.asarray(sa) + np.asarray(sb)
    du = d2 - np.asarray(sa) / na - np.asarray(sb) / nb
    with np.errstate(divide="ignore", invalid="ignore"):
        sep: np.ndarray = 2.0 * du / num
    return sep


def cdnv_of(sep: float) -> float:
    """CDNV from a separation: ``inf`` when the segments are indistinguishable."""
    return NAN if math.isnan(sep) else (1.0 / sep if sep > 0 else math.inf)


def safe_ratio(a: npt.ArrayLike, b: npt.ArrayLike) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        r: np.ndarray = np.asarray(a, dtype=float) / np.asarray(b, dtype=float)
    return r


def balanced_accuracy(recall: dict[str, float], m: dict[str, int]) -> tuple[float, float]:
    """Balanced accuracy (unweighted mean of recalls) and its binomial standard error at the
    matched sizes (add-one smoothed, so a perfect score still has an error)."""
    r = np.array(list(recall.values()))
    n = np.array([m[s] for s in recall], dtype=float)
    sm = (r * n + 1.0) / (n + 2.0)
    return float(r.mean()), math.sqrt(float(np.sum(sm * (1 - sm) / n))) / len(r)


def boot_interval(boot: np.ndarray, q: float) -> tuple[float, float, float]:
    boot = boot[~np.isnan(boot)]
    if not boot.size:
        return NAN, NAN, NAN
    lo, med, hi = np.quantile(boot, [q, 0.5, 1 - q])
    return float(med), float(lo), float(hi)
