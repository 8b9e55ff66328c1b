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

**The cuts** (:func:`calibrate`) are calibrated *jointly* on the reference posts, so that the
stated rates hold for a draft as a whole, not for each layer apart. Three layers rank a draft
among the reference posts: topic (its nearest-post similarity), wording (how many of its
phrases many posts share) and templates (its template coverage). Each layer's cut is the same
percentile, the *watch level*, of the reference posts' own values on that layer; the level is
the smallest one (from ``watch_percentile`` up, in steps of 0.1) at which at most
100 - ``watch_percentile`` % of the reference posts would be above a cut on any of the three
layers (:func:`joint_level`). Three layers at their 90th percentile each would flag about a
fifth of clean posts (measured: 19 of 100 fresh Yelp reviews, ``bench/check_validity.py``); at
the joint level the share is 10% on the reference itself. The *samey level* is the smallest
level (from ``samey_percentile`` up) at which at most 100 - ``samey_percentile`` % of the
reference posts are above it on topic *and* on wording or templates: a draft is ``samey`` on
these layers only when it is both that close to a post and that repetitive (``judge.draft``);
very close alone is ``watch``. ``max_similarity`` replaces the topic's samey cut by a fixed one,
which alone makes a draft samey.

**Saturation** (:func:`check_warnings`): a similarity cut at or above
``SATURATED_SIMILARITY``, watch and samey cuts equal, a template-coverage cut of
``FULL_COVERAGE`` or equal template cuts: the reference is already samey and the layer
cannot separate a copy or a fill from a new post. Fewer than ``MIN_REFERENCE_DOCS`` reference
posts are warned about too.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
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
    """What the cuts are calibrated on, as the corpus index stores it. Row i of
    ``neighbour_sims``, ``neighbour_jaccard``, ``phrase_scores`` and ``template_coverage`` is
    the same reference post."""

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
    phrase_scores: np.ndarray        # the reference posts' shared-phrase counts
    template_coverage: np.ndarray    # the reference posts' template coverage


def reference_similarities(data: ReferenceData, *, duplicate_jaccard: float
                           ) -> tuple[np.ndarray, np.ndarray, int, int]:
    """(each reference post's similarity to its nearest neighbour that is not a textual copy,
    which reference posts have one, posts whose nearest neighbour was a copy, posts left out
    because every stored neighbour is a copy)."""
    sims, jac = data.neighbour_sims, np.asarray(data.neighbour_jaccard)
    if not (sims.shape[0] and sims.shape[1]):
        return np.zeros(0), np.zeros(sims.shape[0], dtype=bool), 0, 0
    keep = jac < duplicate_jaccard
    has: np.ndarray = np.asarray(keep.any(axis=1))
    first = np.argmax(keep, axis=1)
    values = sims[np.arange(sims.shape[0]), first][has]
    return (values.astype(np.float64), has, int(np.count_nonzero(first[has])),
            int((~has).sum()))


LEVEL_STEP = 0.1  # joint levels are searched on percentiles in steps of this


def above(values: np.ndarray, level: float) -> np.ndarray:
    """Which values are above their own ``level``-th percentile."""
    return np.asarray(values > np.percentile(values, level))


def joint_level(share_at: Callable[[float], float], *, start: float, share: float) -> float:
    """The smallest level from ``start`` up to 100 (steps of ``LEVEL_STEP``) at which
    ``share_at(level)`` (a share of reference posts flagged, non-increasing in the level) is
    at most ``share``. At 100 no value is above its cut, so a level always exists.

    >>> joint_level(lambda q: (100 - q) / 50, start=90.0, share=0.1)
    95.0
    """
    steps = round((100.0 - start) / LEVEL_STEP)
    lo, hi = 0, steps  # share_at(start + hi * step) <= share holds at hi = steps
    if share_at(start) <= share:
        return start
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if share_at(start + mid * LEVEL_STEP) <= share:
            hi = mid
        else:
            lo = mid
    return round(start + hi * LEVEL_STEP, 6)


def watch_share(layers: Sequence[np.ndarray], level: float) -> float:
    """Share of reference posts above the ``level``-th percentile on any layer."""
    return float(np.logical_or.reduce([above(v, level) for v in layers]).mean())


def samey_share(topic: np.ndarray, others: Sequence[np.ndarray], level: float) -> float:
    """Share of reference posts above the ``level``-th percentile on topic and on another
    layer."""
    other = np.logical_or.reduce([above(v, level) for v in others])
    return float((above(topic, level) & other).mean())


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


def levels(sims: np.ndarray, phr: np.ndarray, cov: np.ndarray,
           options: CheckOptions) -> tuple[float, float]:
    """(watch level, samey level) of the three percentile layers, calibrated jointly on the
    reference posts (see the module docstring)."""
    watch = joint_level(lambda q: watch_share((sims, phr, cov), q),
                        start=options.watch_percentile,
                        share=(100.0 - options.watch_percentile) / 100.0)
    samey = joint_level(lambda q: samey_share(sims, (phr, cov), q),
                        start=max(options.samey_percentile, watch),
                        share=(100.0 - options.samey_percentile) / 100.0)
    return watch, samey


def calibrate(data: ReferenceData, options: CheckOptions
              ) -> tuple[CheckThresholds, ReferenceData]:
    """The cuts of a check (see the module docstring) and the reference a draft's values are
    ranked against (``neighbour_sims`` holding one similarity per post)."""
    sims, has, copies, left_out = reference_similarities(
        data, duplicate_jaccard=options.duplicate_jaccard)
    source = data.source
    phr, cov = data.phrase_scores[has], data.template_coverage[has]
    if len(sims):
        watch, samey_level = levels(sims, phr, cov, options)
    else:  # every reference post has only copies as neighbours: the corpus's own, unaligned
        sims, source = data.corpus_nn, "corpus"
        phr, cov = data.phrase_scores, data.template_coverage
        watch, samey_level = options.watch_percentile, options.samey_percentile
    samey = (float(options.max_similarity) if options.max_similarity is not None
             else float(np.percentile(sims, samey_level)))
    ranked = dataclasses.replace(data, neighbour_sims=sims, phrase_scores=phr,
                                 template_coverage=cov)
    cuts = CheckThresholds(
        watch_similarity=min(float(np.percentile(sims, watch)), samey),
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
        watch_level=watch, samey_level=samey_level,
        min_shared_docs=data.min_shared_docs,
        shared_phrases_watch=float(np.percentile(phr, watch)),
        shared_phrases_samey=float(np.percentile(phr, samey_level)),
        template_coverage_watch=float(np.percentile(cov, watch)),
        template_coverage_samey=float(np.percentile(cov, samey_level)),
        stock_words=STOCK_WORDS, stock_share=STOCK_SHARE, stock_growth=STOCK_GROWTH,
        reference_nn_similarity=summary(sims),
        corpus_nn_similarity=summary(data.corpus_nn),
    )
    return cuts, ranked


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
