"""The check's phrase rule: which phrases the corpus has been *amplifying lately* (its latest
period against the validated baseline), counted and tested.

A phrase (a word 1-4-gram with a content word, as ``metrics.wording.amplified_phrases`` lists
them: one per group of phrases found in exactly the same documents) is **amplified** when all
three hold:

1. **enough posts**: at least ``AMPLIFIED_MIN_DOCS`` posts of the latest period contain it (an
   absolute floor: a share of a handful of posts is an anecdote);
2. **a large rise**: its Laplace-smoothed share is at least ``AMPLIFIED_MIN_RATIO`` times the
   baseline's (an effect size, so that a big period does not make a small rise count);
3. **a significant rise**: the one-sided Fisher exact test of "the latest period's share is
   larger than the baseline's" (``metrics.proportions.fisher_exact_greater``), Holm-adjusted
   over *every* phrase tested (every phrase that meets the floor and rose at all), is at most
   ``AMPLIFIED_ALPHA``: the chance that any amplified phrase is a fluke of sampling is at most
   5% when nothing changed.

Worked example (issue 17): "site" in 4 of 25 posts of one month against 0 of 100 baseline
posts fails the floor (4 < 5), and even at the floor its Fisher p-value (0.0013 for 4 of 25)
is far above the Holm cut for the hundreds of phrases a month's posts offer. A phrase in 12 of
25 posts against 3 of 100 passes (p ~ 1e-8).

A draft that uses ``AMPLIFIED_IN_DRAFT`` or more amplified phrases is ``watch`` on wording
(``judge.draft``).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from auditor.judge.thresholds import (
    AMPLIFIED_ALPHA,
    AMPLIFIED_MIN_DOCS,
    AMPLIFIED_MIN_RATIO,
)
from auditor.judge.verdict import holm
from auditor.metrics.proportions import fisher_exact_greater
from auditor.metrics.wording import AmplifiedPhrase
from auditor.results import Result


@dataclass(frozen=True)
class PhraseRise(Result):
    """One tested phrase: its counts on both sides, its effect and its test."""

    phrase: str
    n: int                 # words in the phrase
    period_docs: int       # latest-period posts that contain it ...
    period_posts: int      # ... of this many
    baseline_docs: int     # baseline posts that contain it ...
    baseline_posts: int    # ... of this many
    period_share: float
    baseline_share: float
    ratio: float           # Laplace-smoothed share ratio
    gap: float             # period_share - baseline_share
    p_value: float         # one-sided Fisher exact test
    p_holm: float          # Holm-adjusted over the phrases tested
    amplified: bool


def rise_tests(candidates: Sequence[AmplifiedPhrase], *, period_posts: int,
               baseline_posts: int, alpha: float = AMPLIFIED_ALPHA) -> list[PhraseRise]:
    """Every candidate with at least ``AMPLIFIED_MIN_DOCS`` latest-period posts, tested (in the
    order given). ``candidates``: ``wording.amplified_phrases`` of the latest period's posts
    against the baseline's, with ``period_posts`` and ``baseline_posts`` documents."""
    tested = [a for a in candidates if a.period_docs >= AMPLIFIED_MIN_DOCS]
    counts = [(a.period_docs, round(a.baseline_share * baseline_posts)) for a in tested]
    p = [fisher_exact_greater(c, period_posts, b, baseline_posts) for c, b in counts]
    out = []
    for a, (c, b), pv, ph in zip(tested, counts, p, holm(p)):
        out.append(PhraseRise(
            phrase=a.phrase, n=a.n, period_docs=c, period_posts=period_posts, baseline_docs=b,
            baseline_posts=baseline_posts, period_share=a.period_share,
            baseline_share=a.baseline_share, ratio=a.ratio, gap=a.gap, p_value=pv, p_holm=ph,
            amplified=ph <= alpha and a.ratio >= AMPLIFIED_MIN_RATIO))
    return out


def amplified(candidates: Sequence[AmplifiedPhrase], *, period_posts: int,
              baseline_posts: int, top: int) -> tuple[list[PhraseRise], int]:
    """The amplified phrases (at most ``top``, in the order given: best score first) and how
    many phrases were tested."""
    tests = rise_tests(candidates, period_posts=period_posts, baseline_posts=baseline_posts)
    return [t for t in tests if t.amplified][:top], len(tests)
