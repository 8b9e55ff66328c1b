"""Segments layer (the neural-collapse lens): are the brand's segments losing their distinct voice?

``analyse_segments(prep)`` takes a prepared corpus (``pipeline.Prepared``: documents with their
``segments`` labels, one unit embedding per document, and the periods) and returns a JSON-ready
dict: per period, how well segments separate (NC1, nearest-segment-mean accuracy, centred-mean
cosines against the simplex value, pairwise CDNV) and how varied each segment is inside (its
spread); against the baseline, which pairs of segments are converging and which segments are
becoming uniform; plain-language findings; a status per compared period. It computes and decides
this layer's own status; rendering is in ``render.segments_view``.

Definitions (``metrics.segments`` for NC1, NCM accuracy and cosines):

- spread of segment ``c``: the unbiased within variance ``sum ||x_i - mu||^2 / (n - k)`` of its
  documents around their segment mean. In the baseline, pooled over the ``k`` baseline periods
  (each document centred on its segment's mean *in its own period*), so a segment's drift from
  year to year is not counted as variety. In one period ``k = 1``.
- ``CDNV(a, b) = (spread_a + spread_b) / (2 ||mu_a - mu_b||^2)`` (Galanti et al. 2022), with the
  spreads above, the segment means over all its documents of the period (or pooled baseline),
  and the squared distance bias-corrected, ``||mu_a - mu_b||^2 - spread_a/n_a - spread_b/n_b``
  (the plug-in distance is inflated by sampling noise, more for small segments, which would make
  a small period look less confusable than a large baseline). Higher = more confusable; ``inf``
  (``null`` in JSON) when the corrected distance is <= 0: the two segments are
  indistinguishable. Its finite inverse is kept as ``separation``.

Multi-label rule. A document with several labels (``tags: [a, b]``) belongs to each of them for
its segments' **spread** (the within-segment view: every post tagged ``b`` is part of ``b``'s
voice). Every **between-segment** measure (means for CDNV, NC1, nearest-mean accuracy, cosines)
needs a partition, and a document counted twice would pull its two segments together by
construction; there it counts once, under its **first** label (its primary segment, as written in
the front matter or column). Documents without a label are counted (``unlabelled``), named in the
findings and left out; they are never a segment of their own.

Decision rules (all thresholds are constants below). Each compared period (after the last baseline
period) is compared with the baseline pooled over the baseline periods, on the segments with at
least ``min_size`` documents in both (smaller ones are listed in ``too_small``, not used):

- Bootstrap: ``R = 50`` resamples of each segment's documents, drawn with replacement within
  each period, on each side independently (the stream is seeded from ``random_state`` and the
  documents' indices, not their labels, so renaming segments changes nothing). The CDNV ratio's
  interval comes from the resampled ratios of separations (draws where the baseline pair is
  indistinguishable are dropped); ``ratio`` itself is the full-sample period / baseline CDNV.
- Equal sizes where no correction exists: nearest-mean accuracy depends on how many documents
  each segment has (noisier means misclassify more), and the pooled baseline is usually larger
  than one period. So accuracy and the spread ratio are size-matched: segment ``c`` is judged at
  ``m_c = min(n_baseline_c, n_period_c)`` documents on both sides (spread: the bootstrap draws
  ``m_c``; its ``ratio`` is the median of the resampled ratios).
- A pair is **converging** when its CDNV ratio (period / baseline) is ``>= 1.5``, the lower bound
  of the bootstrap interval of the ratio is above 1, with the interval at level
  ``1 - 0.05 / npairs`` (Bonferroni over the pairs tested in that period), and the pair's own
  balanced accuracy (mean nearest-mean recall of the two segments) fell.
- A segment is **becoming uniform** when its spread ratio is ``<= 0.75`` and the upper bound of
  its ``1 - 0.05 / nsegments`` bootstrap interval is below 1.
- Balanced nearest-mean accuracy (unweighted over segments, so a segment 20x larger does not
  dominate), averaged over ``R / 2`` subsamples of ``m_c`` documents per segment (without
  replacement) on each side, **fell** when the period's is below the baseline's by more than 1.96
  standard errors of the difference (binomial per segment at ``m_c``, add-one smoothed so a
  perfect score has an error).
- Status: ``samey`` when a pair converges and balanced accuracy fell; ``watch`` when only one of
  those holds or a segment becomes uniform; ``ok`` otherwise.
- Noisy labels: a segment with more than half of its baseline documents nearer another segment's
  mean than its own (leave-one-out) gets a note; its results are less reliable.

References: Papyan, Han & Donoho 2020 (PNAS 117(40)); Galanti, Gyorgy & Hutter 2022 (ICLR).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, SupportsFloat

import numpy as np

from auditor.judge.segments import (
    accuracy_fell,
    findings,
    pair_converging,
    period_status,
    segment_uniform,
)
from auditor.judge.thresholds import (
    BOOTSTRAP_R,
    CONVERGE_RATIO,
    NOISY_SHARE,
    SEGMENT_ALPHA,
    UNIFORM_RATIO,
)
from auditor.metrics.sampling import stable_seed
from auditor.metrics.segments import (
    balanced_accuracy,
    boot_interval,
    boot_moments,
    cdnv_of,
    cell_size,
    pooled_moments,
    safe_ratio,
    segment_stats,
    separation,
)
from auditor.types import Document

if TYPE_CHECKING:
    from auditor.app.prepare import Prepared

__all__ = ["analyse_segments"]

NAN = float("nan")
TOP_PAIRS = 5  # closest segment pairs listed per period


# ------------------------------------------------------------------ grouping and moments

def _cells(docs: Sequence[Document], cells: Sequence[Sequence[int]],
           primary: bool) -> dict[str, list[np.ndarray]]:
    """segment -> one index array per cell (period) of its documents (primary or every label)."""
    out: dict[str, list[list[int]]] = {}
    for k, cell in enumerate(cells):
        for i in cell:
            labs = docs[i].segments[:1] if primary else docs[i].segments
            for s in labs:
                out.setdefault(s, [[] for _ in cells])[k].append(int(i))
    return {s: [np.array(c, dtype=int) for c in cs if c] for s, cs in out.items()}


def _f(x: SupportsFloat) -> float:
    return float(x)


# ------------------------------------------------------------------ per-period description

def _describe(E: np.ndarray, docs: Sequence[Document], cells: Sequence[Sequence[int]],
              min_size: int) -> dict[str, Any]:
    """Stats of one period (or the pooled baseline: several cells)."""
    idx = [int(i) for c in cells for i in c]
    member = _cells(docs, cells, primary=False)
    primary = _cells(docs, cells, primary=True)
    sizes = {s: cell_size(cs) for s, cs in member.items()}
    kept = sorted(s for s, n in sizes.items() if n >= min_size)
    rows = [i for i in idx if docs[i].segments]
    st = segment_stats(E[rows], [docs[i].segments[0] for i in rows], min_size=min_size) \
        if rows else None
    segs = {}
    for s in sorted(sizes):
        spread = pooled_moments(E, member[s])[1] if s in kept else NAN
        segs[s] = {"n": sizes[s], "n_primary": cell_size(primary.get(s, [])), "spread": spread,
                   "ncm_recall": st.ncm_recall.get(s, NAN) if st else NAN,
                   "noisy_share": st.noisy_share.get(s, NAN) if st else NAN}
    between = [s for s in (st.labels if st else ())]
    mom = {s: pooled_moments(E, primary[s]) for s in between}
    n_p = {s: cell_size(primary[s]) for s in between}
    cosines = st.mean_cosines if st else {}
    pairs: list[dict[str, Any]] = []
    for a_i, a in enumerate(between):
        for b in between[a_i + 1:]:
            sep = _f(separation(mom[a][1], mom[b][1], mom[a][0], mom[b][0], n_p[a], n_p[b]))
            pairs.append({"a": a, "b": b, "cdnv": cdnv_of(sep), "separation": sep,
                          "cosine": cosines[(a, b)]})
    pairs.sort(key=lambda p: -p["cdnv"] if not math.isnan(p["cdnv"]) else math.inf)
    cos = [p["cosine"] for p in pairs if not math.isnan(p["cosine"])]
    return {
        "n_docs": len(idx),
        "n_labelled": len(rows),
        "n_segments": len(between),
        "nc1": _f(st.nc1) if st else NAN,
        "ncm_balanced_accuracy": _f(st.ncm_balanced_accuracy) if st else NAN,
        "chance_accuracy": 1.0 / len(between) if between else NAN,
        "mean_centred_cosine": float(np.mean(cos)) if cos else NAN,
        "simplex_cosine": _f(st.simplex_cosine) if st else NAN,
        "top_pairs": pairs[:TOP_PAIRS],
        "segments": segs,
        "too_small": sorted(s for s, n in sizes.items() if n < min_size),
    }


# ------------------------------------------------------------------ comparison with the baseline

def _matched_recall(E: np.ndarray, docs: Sequence[Document], rows: dict[str, np.ndarray],
                    m: dict[str, int], *, min_size: int, random_state: int,
                    R: int) -> dict[str, float]:
    """Mean leave-one-out nearest-mean recall per segment over ``R`` subsamples of ``m[s]``
    documents per segment (without replacement), so both sides are judged at equal sizes."""
    draws = {}
    for s, idx in rows.items():
        rng = np.random.default_rng(stable_seed(random_state, "acc", m[s], idx.tolist()))
        draws[s] = [idx[rng.permutation(len(idx))[: m[s]]] for _ in range(R)]
    acc = {s: 0.0 for s in rows}
    for r in range(R):
        sub = np.concatenate([draws[s][r] for s in rows])
        st = segment_stats(E[sub], [docs[i].segments[0] for i in sub], min_size=min_size)
        for s in rows:
            acc[s] += st.ncm_recall[s] / R
    return acc


def _compare(E: np.ndarray, docs: Sequence[Document], base_cells: Sequence[Sequence[int]],
             cell: Sequence[int], *, min_size: int, random_state: int, R: int) -> dict[str, Any]:
    """One compared period vs the pooled baseline. Every ratio and accuracy is size-matched:
    both sides are resampled at ``m_c = min(n_baseline_c, n_period_c)`` documents per segment, so
    a small period is not judged against estimates from a larger pool (plug-in distances and
    nearest-mean accuracy both depend on sample size)."""
    bm, pm = _cells(docs, base_cells, False), _cells(docs, [cell], False)
    bp, pp = _cells(docs, base_cells, True), _cells(docs, [cell], True)
    out: dict[str, Any] = {}

    # between: common segments by primary label
    segs = sorted(s for s in bp if s in pp and cell_size(bp[s]) >= min_size
                  and cell_size(pp[s]) >= min_size)
    out["segments"] = segs
    pairs = [(a, b) for i, a in enumerate(segs) for b in segs[i + 1:]]
    m = {s: min(cell_size(bp[s]), cell_size(pp[s])) for s in segs}
    fell, acc_b, acc_p, rec_b, rec_p = False, NAN, NAN, {}, {}
    if len(segs) >= 2:
        kw = dict(min_size=min_size, random_state=random_state, R=max(R // 2, 1))
        rec_b = _matched_recall(E, docs, {s: np.concatenate(bp[s]) for s in segs}, m, **kw)
        rec_p = _matched_recall(E, docs, {s: np.concatenate(pp[s]) for s in segs}, m, **kw)
        (acc_b, se_b), (acc_p, se_p) = balanced_accuracy(rec_b, m), balanced_accuracy(rec_p, m)
        fell = accuracy_fell(acc_p, acc_b, se_p, se_b)
    out.update(balanced_accuracy=acc_p, baseline_balanced_accuracy=acc_b, accuracy_fell=fell,
               matched_sizes=m)

    pair_rows: list[dict[str, Any]] = []
    if pairs:
        q = SEGMENT_ALPHA / len(pairs) / 2.0
        nb = {s: cell_size(bp[s]) for s in segs}
        npp = {s: cell_size(pp[s]) for s in segs}
        B = {s: pooled_moments(E, bp[s]) for s in segs}
        P = {s: pooled_moments(E, pp[s]) for s in segs}
        Bb = {s: boot_moments(E, bp[s], nb[s], R, random_state) for s in segs}
        Pb = {s: boot_moments(E, pp[s], npp[s], R, random_state) for s in segs}
        for a, b in pairs:
            sep_b = _f(separation(B[a][1], B[b][1], B[a][0], B[b][0], nb[a], nb[b]))
            sep_p = _f(separation(P[a][1], P[b][1], P[a][0], P[b][0], npp[a], npp[b]))
            boot_b = separation(Bb[a][1], Bb[b][1], Bb[a][0], Bb[b][0], nb[a], nb[b])
            boot_p = separation(Pb[a][1], Pb[b][1], Pb[a][0], Pb[b][0], npp[a], npp[b])
            rho = np.where(boot_b > 0, safe_ratio(boot_p, boot_b), np.nan)  # separation kept
            rho = rho[~np.isnan(rho)]
            if sep_b > 0 and rho.size:
                r_lo, r_hi = np.quantile(rho, [q, 1 - q])
                ratio, low, high = (cdnv_of(sep_p / sep_b), cdnv_of(float(r_hi)),
                                    cdnv_of(float(r_lo)))
            else:  # indistinguishable already in the baseline: cannot converge further
                ratio = low = high = NAN
            pa_b, pa_p = (rec_b[a] + rec_b[b]) / 2, (rec_p[a] + rec_p[b]) / 2
            conv = pair_converging(ratio, low, pa_p, pa_b)
            pair_rows.append({
                "a": a, "b": b, "cdnv": cdnv_of(sep_p), "baseline_cdnv": cdnv_of(sep_b),
                "separation": sep_p, "baseline_separation": sep_b,
                "ratio": ratio, "low": low, "high": high, "pair_accuracy": pa_p,
                "baseline_pair_accuracy": pa_b, "converging": conv})
        pair_rows.sort(key=lambda p: -p["ratio"] if not math.isnan(p["ratio"]) else math.inf)
    out["pairs"] = pair_rows

    # within: common segments by membership (every label)
    wsegs = sorted(s for s in bm if s in pm and cell_size(bm[s]) >= min_size
                   and cell_size(pm[s]) >= min_size)
    spreads: list[dict[str, Any]] = []
    if wsegs:
        q = SEGMENT_ALPHA / len(wsegs) / 2.0
        for s in wsegs:
            k = min(cell_size(bm[s]), cell_size(pm[s]))
            boot = safe_ratio(boot_moments(E, pm[s], k, R, random_state)[1],
                          boot_moments(E, bm[s], k, R, random_state)[1])
            ratio, lo, hi = boot_interval(boot, q)
            spreads.append({"segment": s, "spread": pooled_moments(E, pm[s])[1],
                            "baseline_spread": pooled_moments(E, bm[s])[1], "ratio": ratio,
                            "low": lo, "high": hi,
                            "uniform": segment_uniform(ratio, hi)})
    out["spreads"] = spreads
    return out


# ------------------------------------------------------------------ the layer

def analyse_segments(prep: Prepared, *, field: str | None = None, min_size: int = 5,
                     random_state: int = 0, n_boot: int = BOOTSTRAP_R) -> dict[str, Any]:
    """Segments layer of an audit (see the module docstring for every rule).

    ``prep`` needs ``documents`` (each with ``segments``, a tuple of labels),
    ``features.embeddings`` (row i = document i, unit rows) and ``periods`` (``label``,
    ``doc_indices``, ``is_baseline``, ``start``, ``end``). ``field`` is only echoed (the label
    source, e.g. ``category``). Returns a JSON-ready dict (NaN where undefined); with no labelled
    document at all, ``labels`` is empty and every status is ``ok``.
    """
    docs = prep.documents
    E = np.asarray(prep.features.embeddings, dtype=float)
    periods = list(prep.periods)
    min_size = max(int(min_size), 2)
    base = [p for p in periods if p.is_baseline]
    last_end = max((p.end for p in base), default=None)
    compared = [p for p in periods
                if not p.is_baseline and (last_end is None or p.start > last_end)]
    base_cells = [p.doc_indices for p in base]

    out: dict[str, Any] = {
        "field": field,
        "labels": sorted({s for d in docs for s in d.segments}),
        "unlabelled": sum(1 for d in docs if not d.segments),
        "multi_labelled": sum(1 for d in docs if len(d.segments) > 1),
        "min_size": min_size,
        "rules": {"converge_ratio": CONVERGE_RATIO, "uniform_ratio": UNIFORM_RATIO,
                  "alpha": SEGMENT_ALPHA, "bootstrap": n_boot, "noisy_share": NOISY_SHARE,
                  "multi_label": "spread: every label; between-segment measures: first label"},
        "baseline": _describe(E, docs, base_cells, min_size) if base else {},
        "periods": {}, "findings": [], "converging_pairs": [], "uniform_segments": [],
        "too_small": {}, "noisy_labels": [], "status": {},
    }
    if base:
        out["too_small"]["baseline"] = out["baseline"]["too_small"]
    for p in periods:
        st = _describe(E, docs, [p.doc_indices], min_size)
        st["is_baseline"] = p.is_baseline
        out["periods"][p.label] = st
        out["too_small"][p.label] = st["too_small"]

    if base:
        for s, row in out["baseline"]["segments"].items():
            share = row["noisy_share"]
            if not math.isnan(share) and share > NOISY_SHARE:
                out["noisy_labels"].append({"segment": s, "share": share, "period": "baseline"})

    for p in compared:
        if not base:
            break
        cmp_ = _compare(E, docs, base_cells, p.doc_indices, min_size=min_size,
                        random_state=random_state, R=n_boot)
        out["periods"][p.label]["comparison"] = cmp_
        conv = [r for r in cmp_["pairs"] if r["converging"]]
        uni = [r for r in cmp_["spreads"] if r["uniform"]]
        for r in conv:
            out["converging_pairs"].append({k: r[k] for k in ("a", "b", "cdnv", "baseline_cdnv",
                                                               "ratio", "low", "high")}
                                           | {"period": p.label})
        for r in uni:
            out["uniform_segments"].append({k: r[k] for k in ("segment", "spread",
                                                               "baseline_spread", "ratio",
                                                               "low", "high")}
                                           | {"period": p.label})
        out["status"][p.label] = period_status(bool(conv), cmp_["accuracy_fell"], bool(uni))
    out["findings"] = findings(out, compared)
    return out
