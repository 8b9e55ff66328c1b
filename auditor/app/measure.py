"""Measure every period of a prepared corpus: equal-size samples with equal word budgets for the
registry metrics, then the figures that need the checked baseline (lost topic mass, character).
"""
from __future__ import annotations

import numpy as np

from auditor.app.prepare import Prepared
from auditor.config import AuditOptions
from auditor.features.lexicon import stop_words
from auditor.judge.thresholds import EXCESS_MIN_TOTAL, STOCK_WORDS
from auditor.metrics import character, excess, tails
from auditor.metrics.panel import measure_sample
from auditor.metrics.registry import BY_NAME, METRICS
from auditor.metrics.sampling import (
    Z95,
    choose_sample_size,
    draw_samples,
    stable_seed,
    subsample_estimate,
    water_fill,
)
from auditor.progress import progress_iter
from auditor.types import Estimate


def measure_periods(prep: Prepared, options: AuditOptions
                    ) -> tuple[list[dict[str, Estimate]], int, list[list[np.ndarray]], list[str],
                               int]:
    """Equal-size repeated samples per period -> an Estimate per metric per period, the sample
    size, the samples drawn (document indices), notes, and the word budget of every sample.

    Every sample holds the same number of words: the smallest total of any sample drawn (each
    post within the text budget), shared out by ``sampling.water_fill``, so that posts getting
    shorter or longer do not move the length-dependent metrics. ``tails.lost_topic_mass`` needs
    the baseline and is filled in by :func:`fill_lost_topic_mass` once Phase I has chosen it."""
    sizes = [p.n_docs for p in prep.periods]
    m, notes = choose_sample_size(sizes, [p.label for p in prep.periods],
                                  options.sampling.sample_size)
    drawn = []
    for p in prep.periods:
        rng = np.random.default_rng(stable_seed(options.sampling.random_state, "sample", p.label))
        pool = np.array(p.doc_indices)
        drawn.append([pool[local] for local in draw_samples(len(pool), m,
                                                             options.sampling.repeats, rng)])
    lengths = prep.features.lengths
    budget = min((int(lengths[idx].sum()) for samples in drawn for idx in samples), default=0)
    out = []
    for p, samples in progress_iter(list(zip(prep.periods, drawn)), total=len(prep.periods),
                                    description="Measuring periods", enabled=options.progress):
        vals: dict[str, list[float]] = {s.name: [] for s in METRICS}
        for r, idx in enumerate(samples):
            res = measure_sample(prep.features, idx, cuts=water_fill(lengths[idx], budget),
                                 random_state=stable_seed(options.sampling.random_state,
                                                          p.label, r))
            for k, v in res.items():
                vals[k].append(v)
        n = len(p.doc_indices)
        out.append({k: subsample_estimate(v, m=min(m, n), n=n, bounds=BY_NAME[k].bounds)
                    for k, v in vals.items()})
    return out, m, drawn, notes, budget


def fill_lost_topic_mass(prep: Prepared, estimates: list[dict[str, Estimate]],
                         drawn: list[list[np.ndarray]], m: int) -> None:
    """``tails.lost_topic_mass`` of every sample against the (final) baseline's topic shares."""
    f = prep.features
    for p, est, samples in zip(prep.periods, estimates, drawn):
        vals = [tails.lost_topic_mass(prep.baseline_shares,
                                      tails.cluster_shares(f.base_clusters[idx], f.n_base_clusters))
                for idx in samples]
        est["tails.lost_topic_mass"] = subsample_estimate(
            vals, m=min(m, p.n_docs), n=len(p.doc_indices),
            bounds=BY_NAME["tails.lost_topic_mass"].bounds)



CHARACTER = "character.unlike_baseline"
CHARACTER_BASELINE = 1000  # baseline posts drawn (seeded) for the character comparison


def fill_character(prep: Prepared, estimates: list[dict[str, Estimate]], words_per_doc: int, *,
                   random_state: int = 0) -> None:
    """``character.unlike_baseline`` of every period (``auditor.metrics.character``): the
    share of its posts that read unlike the baseline's, on every post of its pool, each cut to
    the same ``words_per_doc`` (the average word budget of a sample, so longer or shorter posts
    do not separate by length):

    * a period outside the baseline: against the baseline's posts (at most
      ``CHARACTER_BASELINE``, drawn at random, seeded);
    * a baseline period: against the other baseline periods (leave-one-out): the brand's own
      period-to-period excess, which the verdict takes as normal variation. A single baseline
      period cannot show it: it gets 0 (what chance gives) with no standard error, so only the
      permutation noise of the judged period is allowed for, as for every other metric of a
      one-period baseline.

    The value is the share's excess over its permutation null mean (what relabelled posts of
    the same two sets reach: the design of a comparison, leave-one-out or against the whole
    baseline, moves that mean), its standard error the null's sd."""
    words = [w[:max(words_per_doc, 1)] for w in prep.features.words]
    base = [p for p in prep.periods if p.is_baseline]
    base_idx = character_reference(prep, random_state=random_state)
    for k, (p, est) in enumerate(zip(prep.periods, estimates)):
        idx = list(p.doc_indices)
        if p.is_baseline and len(base) < 2:
            est[CHARACTER] = Estimate(0.0, 0.0, 0.0, float("nan"))
            continue
        if p.is_baseline:
            ref = [i for q in base if q is not p for i in q.doc_indices]
        else:
            ref = base_idx
        r = character.separability([words[i] for i in ref], [words[i] for i in idx],
                                   random_state=stable_seed(random_state, "character", k))
        e, se = r.unlike - r.unlike_null_mean, r.unlike_null_sd
        lo, hi = BY_NAME[CHARACTER].bounds
        est[CHARACTER] = Estimate(e, max(lo, e - Z95 * se), min(hi, e + Z95 * se), se)


def character_reference(prep: Prepared, *, random_state: int = 0) -> list[int]:
    """The baseline posts a judged period's character is measured against: all of them, or
    ``CHARACTER_BASELINE`` drawn at random (seeded)."""
    base_idx = [i for p in prep.periods if p.is_baseline for i in p.doc_indices]
    rng = np.random.default_rng(stable_seed(random_state, "character"))
    # not a threshold: a sample size (cost)
    if len(base_idx) > CHARACTER_BASELINE:
        base_idx = sorted(int(i) for i in rng.choice(base_idx, CHARACTER_BASELINE, replace=False))
    return base_idx


def frame_keys_of(prep: Prepared, i: int) -> set[str]:
    """The frames of post ``i`` that the whole-period excess tests count (``excess_tests``)."""
    f = prep.features
    sk = f.skeletons[i]
    outline = " / ".join(f"{level}:{key}" for level, key in sk) if sk else None
    return excess.frame_keys(f.openings[i], f.closings[i], outline, words=STOCK_WORDS)


def phrase_keys_of(prep: Prepared, i: int, words_per_doc: int,
                   stop: frozenset[str] | set[str]) -> set[str]:
    """The phrases of post ``i`` that the whole-period excess tests count (``excess_tests``)."""
    return excess.phrase_keys(prep.features.words[i][:max(words_per_doc, 1)], stop_words=stop)


def excess_tests(prep: Prepared, judged: list[int], words_per_doc: int
                 ) -> dict[str, dict[str, list[excess.Excess]]]:
    """Whole-period excess tests (``auditor.metrics.excess``) of every judged period against the
    baseline, on every post of each: ``{"structure": {label: tests}, "wording": {...}}``.
    Frames are the first and last ``STOCK_WORDS`` words of a post's first and last sentence and
    its heading outline; phrases its word 1-3-grams with a content word, within the same
    ``words_per_doc`` as the character layer (longer posts would hold more phrases)."""
    stop = stop_words()

    def frames(i: int) -> set[str]:
        return frame_keys_of(prep, i)

    def phrases(i: int) -> set[str]:
        return phrase_keys_of(prep, i, words_per_doc, stop)

    base_idx = [i for p in prep.periods if p.is_baseline for i in p.doc_indices]
    out: dict[str, dict[str, list[excess.Excess]]] = {"structure": {}, "wording": {}}
    for layer, keys_of in (("structure", frames), ("wording", phrases)):
        base = excess.key_counts(keys_of(i) for i in base_idx)
        for k in judged:
            p = prep.periods[k]
            counts = excess.key_counts(keys_of(i) for i in p.doc_indices)
            out[layer][p.label] = excess.excess_tests(counts, p.n_docs, base, len(base_idx),
                                                      min_total=EXCESS_MIN_TOTAL)
    return out
