"""Every threshold samey decides with, in one place (each with its reason).

Metrics compute, ``judge`` decides, and these are the numbers it decides with. Changing one
changes behaviour: ``bench/validity.py`` measures the false-alarm rate and the dose response.
"""
from __future__ import annotations

import math

from auditor.metrics.sampling import Z95 as Z95  # re-exported: the decision rules use it
from auditor.metrics.sampling import normal_quantile

# ---- audit verdict (judge.verdict)
#: one-sided 95%: a layer's score this high counts toward a sustained trend
Z_TREND = normal_quantile(0.95)
#: a move must also clear 3.5 sd whatever Holm allows (verdict docstring, point 4)
Z_MIN = 3.5
#: up to this many baseline periods, natural variation is never taken below the baseline's
#: overdispersion pooled across metrics (judge.variation)
SMALL_BASELINE = 3
#: a prediction sd is never below 1% of the baseline value (see variation.sd_floor)
REL_FLOOR = 0.01
#: a change of a proportion that is not a share of posts (template coverage) is measured
#: relative to at least one percentage point (variation.effect_floor)
PROPORTION_FLOOR = 0.01

# ---- the sustained-shift rule (judge.sequential)
#: CUSUM reference value: half the 2-sd shift the rule is tuned to catch (Montgomery ch. 9)
CUSUM_K = 1.0
#: one period's z counts at most this much, so one wild period cannot hold the sum up
Z_CAP = 4.0
#: a steady history is called sustained (samey) in at most 1% of audits of its shape ...
ALPHA_SUSTAINED = 0.01
#: ... and building (watch) in at most 2.5%: within the 2% false-alarm goal per judged period
ALPHA_BUILDING = 0.025
#: null runs simulated per (baseline size, judged periods, metrics) to set the limits
CUSUM_SIMULATIONS = 20000

# ---- whole-period excess of frames and phrases (judge.excess)
#: each family (frames; phrases) gets a tenth of the 5% error budget: together they add at
#: most 1% of false alarms to the verdict's own
EXCESS_ALPHA = 0.005
#: a frame or phrase counts only when at least this many posts of the period hold it
EXCESS_MIN_DOCS = 3
#: ... and it became at least this many times more common (lower end of its odds ratio's 95%
#: interval), relative to its baseline rate
EXCESS_MIN_ODDS = 2.0
#: posts that hold a key in period and baseline together before it is tested at all
EXCESS_MIN_TOTAL = 3

# ---- evidence (app.evidence)
#: posts on each side before a drift comparison (MMD, embedding classifier, marker words) says
#: anything
DRIFT_MIN_POSTS = 5

# ---- Phase I baseline and power (judge.baseline)
#: power 80%: the change the audit catches 4 times in 5
Z_POWER = normal_quantile(0.8)
#: a layer whose detectable change is above this (relative) is "little data"
LOW_POWER = 0.25
#: moving ranges need at least 3 differences
MIN_PERIODS_MR = 4
#: the median of |N(0, 2 s^2)| is MR_SCALE * s
MR_SCALE = normal_quantile(0.75) * math.sqrt(2.0)

# ---- segments (judge.segments)
CONVERGE_RATIO = 1.5   # CDNV at least 1.5x the baseline's
UNIFORM_RATIO = 0.75   # spread at most 75% of the baseline's (fell by >= 25%)
SEGMENT_ALPHA = 0.05   # family-wise, Bonferroni over pairs (or segments) of one period
BOOTSTRAP_R = 50       # bootstrap resamples per comparison
NOISY_SHARE = 0.5      # a segment whose baseline posts sit nearer another mean this often

# ---- notes and the headline (judge.notes, judge.headline)
TEMPLATED_SHARE = 0.10  # an opening shared by this share of baseline posts is a template
FACT_SHARE = 0.2        # an opening or closing shared by a fifth of the posts is worth saying

# ---- check: the draft rule and its calibration (judge.draft, judge.check, judge.amplified)
#: a stock frame: an opening or closing of at least this many words ...
STOCK_WORDS = 4
#: ... shared by at least this share of the reference's recent period ...
STOCK_SHARE = 0.25
#: ... and grown at least this much against the validated baseline
STOCK_GROWTH = 2.0
#: a reference whose nearest-neighbour similarities reach this is saturated (warned)
SATURATED_SIMILARITY = 0.99
#: fewer reference posts than this: percentiles are not trusted (warned)
MIN_REFERENCE_DOCS = 20
#: a draft under this many words gets a warning: too short to judge reliably
MIN_DRAFT_WORDS = 20
#: a corpus of one post has no nearest-other-post distribution to calibrate on
MIN_CORPUS_DOCS = 2
#: "shared by many": a phrase, opening, closing or heading outline in at least
#: max(MIN_SHARED_DOCS, SHARED_SHARE of the corpus) posts (``--min-shared-docs`` overrides it,
#: never below MIN_SHARED_DOCS: the corpus index stores no rarer phrase)
MIN_SHARED_DOCS = 3
SHARED_SHARE = 0.01
#: heading outlines of at least this many headings match with one heading different (the topic
#: heading a template fill swaps); shorter outlines must be equal
OUTLINE_LOOSE_FROM = 3
OUTLINE_MAX_DIFFERENT = 1
#: a template-coverage cut at this value cannot be exceeded: saturated (warned)
FULL_COVERAGE = 1.0
#: a draft that uses this many amplified phrases is watch on wording
AMPLIFIED_IN_DRAFT = 2
#: An amplified phrase (the latest period against the validated baseline) needs all three:
#: enough posts behind it (an absolute floor: fewer posts than this are anecdotes, whatever
#: their share; "site" in 4 of 25 posts, 0 of 100 before, is not a trend), ...
AMPLIFIED_MIN_DOCS = 5
#: ... a share at least this many times the baseline's (Laplace-smoothed; an effect size, so a
#: large period does not make a tiny rise count), ...
AMPLIFIED_MIN_RATIO = 2.0
#: ... and a significant rise: one-sided Fisher exact test on the two proportions, family-wise
#: error AMPLIFIED_ALPHA with Holm over every phrase tested (all with the floor of posts)
AMPLIFIED_ALPHA = 0.05

# ---- site-wide near-copy families (app.site_duplicates, metrics.families)
#: pairs whose 128-slot MinHash estimate is at least this (but under the 0.8 threshold) are
#: verified again on their shingle sketches (exact Jaccard for short texts) instead of being
#: rejected: a true 0.8 pair is estimated below 0.7 with probability 0.002 (standard error
#: 0.035), so below it the estimate alone decides
FAMILY_RECHECK_FROM = 0.7

# ---- provenance and the action list (judge.provenance, judge.actions)
#: the headline names a source when it made at least this share of the latest flagged run's
#: move (mean over the layers attributed): more than half is its doing
PROVENANCE_DOMINANT = 0.5
#: up to this many sources, Shapley values are exact (2^k metric evaluations per sample);
#: beyond, one random order of the sources per sample (k + 1 evaluations)
SHAPLEY_EXACT_SOURCES = 5
#: in the action list, a layer that did not move in the period counts this much against one
#: that moved (an ok period: every layer counts fully)
ACTION_CONTEXT_WEIGHT = 0.25
#: a post "sits close to many others" when it is among the ACTION_NEIGHBOURS nearest posts (in
#: meaning) of at least ACTION_HUB other posts of its period (twice what every post averages)
ACTION_NEIGHBOURS = 5
ACTION_HUB = 10
#: a frame (opening, closing, outline) shared with at least this many other posts is a reason
ACTION_SHARERS = 2
#: a post "reads unlike the baseline" when it scores so in at least this share of the fits
ACTION_UNLIKE = 0.5
#: an amplified phrase (``Evidence.amplified_phrases``) is a reason for a post when its share
#: of posts grew at least this many times over the baseline's
ACTION_AMPLIFIED_RATIO = 2.0
#: posts listed per period (JSON and CSV); the terminal and Markdown show the first few
ACTIONS_TOP = 20

__all__ = [name for name in dir() if name.isupper()] + ["Z95"]
