"""The check's calibration: every cut-off of ``samey check`` from the corpus's validated
baseline, and the warnings about that reference.

**The reference.** Each baseline post's cosine similarity to its nearest *other* post of the
whole corpus that is not a textual copy of it (MinHash Jaccard of word 5-gram shingles below
``duplicate_jaccard``; :func:`reference_similarities`). Like with like: a draft is compared with
all n corpus posts, a baseline post with the n - 1 others, so both nearest-neighbour
similarities come from candidate sets of the same size (a baseline-only reference would be
biased low: the maximum over fewer candidates). Copies are skipped because a post reposted
later would otherwise put 1.00 into the distribution and saturate the cuts; copies are the
duplication layer's business. Without a validated baseline (an undated or single-period
corpus) the whole corpus is the reference, and a warning says so.

**The cuts** (:func:`calibrate`): similarity ``watch`` above the reference's
``watch_percentile`` (90th), ``samey`` above its ``samey_percentile`` (99th) or
``max_similarity``; shared phrases and template coverage above the same percentiles of the
baseline posts' own values. So about 10% of baseline-like posts are above each watch cut by
construction.

**Saturation** (:func:`check_warnings`): a similarity cut at or above
``SATURATED_SIMILARITY``, watch and samey cuts equal, a template-coverage cut of
``FULL_COVERAGE`` or equal template cuts: the reference is already samey and the layer
cannot separate a copy or a fill from a new post. Fewer than ``MIN_REFERENCE_DOCS`` reference
posts are warned about too.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from auditor.config import CheckOptions
from auditor.judge.thresholds import (
    FULL_COVERAGE,
    MIN_REFERENCE_DOCS,
    SATURATED_SIMILARITY,
    STOCK_GROWTH,
    STOCK_SHARE,
    STOCK_WORDS,
)
from auditor.progress import ordinal
from auditor.results import CheckReference, CheckThresholds


@dataclass(frozen=True)
class ReferenceData:
    """What the cuts are calibrated on, as the corpus index stores it."""

    source: str                      # "baseline" or "corpus" (no validated baseline)
    periods: list[str]               # baseline period labels
    documents: int                   # baseline posts (every post when source is "corpus")
    rule: str | None                 # how the baseline was chosen
    reason: str | None               # why there is no baseline
    warnings: list[str]              # the baseline validation's own warnings
    latest_period: str | None
    latest_documents: int
    min_shared_docs: int
    neighbour_sims: np.ndarray       # (r, k): each reference post's nearest other posts
    neighbour_jaccard: np.ndarray    # (r, k): their MinHash Jaccard (-1: a side has none)
    corpus_nn: np.ndarray            # the corpus's own nearest-other similarities (a sample)
    phrase_scores: np.ndarray        # the baseline posts' shared-phrase counts
    template_coverage: np.ndarray    # the baseline posts' template coverage


def reference_similarities(data: ReferenceData, *, duplicate_jaccard: float
                           ) -> tuple[np.ndarray, int, int]:
    """(each reference post's similarity to its nearest neighbour that is not a textual copy,
    posts whose nearest neighbour was a copy, posts left out because every stored neighbour
    is a copy)."""
    sims, jac = data.neighbour_sims, np.asarray(data.neighbour_jaccard)
    if not (sims.shape[0] and sims.shape[1]):
        return np.zeros(0), 0, 0
    keep = jac < duplicate_jaccard
    has = keep.any(axis=1)
    first = np.argmax(keep, axis=1)
    values = sims[np.arange(sims.shape[0]), first][has]
    return values.astype(np.float64), int(np.count_nonzero(first[has])), int((~has).sum())


def summary(x: np.ndarray) -> dict[str, float]:
    """Median, 90th and 99th percentiles and maximum."""
    return {"median": float(np.median(x)), "p90": float(np.percentile(x, 90)),
            "p99": float(np.percentile(x, 99)), "max": float(np.max(x))}


def percentile_of(values: np.ndarray, x: float) -> float:
    """Share (%) of ``values`` strictly below ``x`` (ties count half); NaN without values.

    >>> percentile_of(np.array([1.0, 2.0, 3.0, 4.0]), 3.0)
    62.5
    """
    if not len(values):
        return float("nan")
    below = np.count_nonzero(values < x)
    ties = np.count_nonzero(values == x)
    return float(100.0 * (below + 0.5 * ties) / len(values))


def calibrate(data: ReferenceData, options: CheckOptions) -> tuple[CheckThresholds, np.ndarray]:
    """The cuts of a check (see the module docstring) and the reference similarities a
    draft's similarity is ranked against."""
    sims, copies, left_out = reference_similarities(
        data, duplicate_jaccard=options.duplicate_jaccard)
    source = data.source
    if not len(sims):  # every reference post has only copies as neighbours: the corpus's own
        sims, source = data.corpus_nn, "corpus"
    samey = (float(options.max_similarity) if options.max_similarity is not None
             else float(np.percentile(sims, options.samey_percentile)))
    phr, cov = data.phrase_scores, data.template_coverage
    cuts = CheckThresholds(
        watch_similarity=min(float(np.percentile(sims, options.watch_percentile)), samey),
        samey_similarity=samey,
        similarity_source="option" if options.max_similarity is not None else source,
        reference=CheckReference(
            source=source, periods=list(data.periods), documents=data.documents,
            similarities=int(len(sims)), copies_skipped=copies, left_out=left_out,
            rule=data.rule, latest_period=data.latest_period,
            latest_period_documents=data.latest_documents),
        duplicate_similarity=options.duplicate_similarity,
        duplicate_jaccard=options.duplicate_jaccard,
        watch_percentile=options.watch_percentile, samey_percentile=options.samey_percentile,
        min_shared_docs=data.min_shared_docs,
        shared_phrases_watch=float(np.percentile(phr, options.watch_percentile)),
        template_coverage_watch=float(np.percentile(cov, options.watch_percentile)),
        template_coverage_samey=float(np.percentile(cov, options.samey_percentile)),
        stock_words=STOCK_WORDS, stock_share=STOCK_SHARE, stock_growth=STOCK_GROWTH,
        reference_nn_similarity=summary(sims),
        corpus_nn_similarity=summary(data.corpus_nn),
    )
    return cuts, sims


def reference_name(cuts: CheckThresholds) -> str:
    """'the baseline 2025-01..2025-05' or 'the corpus'."""
    ref = cuts.reference
    if ref.source != "baseline":
        return "the corpus"
    p = ref.periods
    return f"the baseline {p[0]}..{p[-1]}" if len(p) > 1 else f"the baseline {p[0]}"


def check_warnings(data: ReferenceData, cuts: CheckThresholds,
                   options: CheckOptions) -> list[str]:
    """Plain sentences about the reference the cuts come from: no validated baseline, the
    baseline validation's own warnings, and cut-offs that saturate."""
    out: list[str] = []
    if data.source != "baseline":
        out.append(f"No validated baseline ({data.reason or 'none found'}): the cut-offs come "
                   "from the whole corpus, which may already be samey. Date the posts (front "
                   "matter, file names, --date-from) so the check can calibrate on clean content.")
    out.extend(f"Baseline: {w}" for w in data.warnings)
    r = cuts.reference
    if r.source == "corpus" and data.source == "baseline":
        out.append("Every baseline post's nearest neighbours are copies of it: the similarity "
                   "cut-offs come from the whole corpus instead.")
    if r.similarities < MIN_REFERENCE_DOCS:
        out.append(f"The reference holds only {r.similarities} posts: its "
                   f"{ordinal(options.samey_percentile)} percentile is close to its largest "
                   "value, so the cut-offs are rough.")
    return out + _saturation(cuts, reference_name(cuts))


def _saturation(cuts: CheckThresholds, where: str) -> list[str]:
    out = []
    if cuts.similarity_source != "option":
        w, s = cuts.watch_similarity, cuts.samey_similarity
        if max(w, s) >= SATURATED_SIMILARITY:
            out.append(f"Saturated cut-off: the similarity cuts (watch > {w:.2f}, samey > "
                       f"{s:.2f}) are at the ceiling: the posts of {where} are already "
                       "near-copies of each other, so the topic layer cannot tell a new post "
                       "from a copy. Choose a cleaner --baseline or set --max-similarity.")
        elif w >= s:
            out.append(f"Saturated cut-off: the watch and samey similarity cuts are equal "
                       f"({s:.2f}): the posts of {where} are all equally close to their "
                       "neighbours (one template?), so the topic layer has no watch band. "
                       "Choose a cleaner --baseline or set --max-similarity.")
    tw, ts = cuts.template_coverage_watch, cuts.template_coverage_samey
    if ts >= FULL_COVERAGE:
        out.append(f"Saturated cut-off: the template-coverage cut is {ts:.0%}, the highest "
                   f"possible: the posts of {where} are made entirely of the corpus's sentence "
                   "templates, so no draft can exceed it. Choose a cleaner --baseline.")
    elif ts and tw >= ts:
        out.append(f"Saturated cut-off: the watch and samey template-coverage cuts are equal "
                   f"({ts:.0%}): the posts of {where} share the same sentence shapes, so the "
                   "reference is already templated. Choose a cleaner --baseline.")
    return out
