"""Whole-period excess: which openings, closings, outlines and phrases does a period use far more
often than its baseline, counted over every post (not a sample)?

Each post contributes a *set* of keys (its opening frame, its closing frame, its heading
outline; or the word 1-3-grams it uses). For a key held by ``k_t`` of the period's ``n_t`` posts
and ``k_b`` of the baseline's ``n_b``, the one-sided Fisher exact test (hypergeometric upper
tail: ``P(X >= k_t)``, ``X ~ Hypergeom(n_t + n_b, k_t + k_b, n_t)``) says how surprising so many
holders in the period are if the period were more of the baseline. The odds ratio with a
Haldane-Anscombe 0.5 correction and its 95% Woolf interval say how much more common the key
became, relative to its baseline rate (a rise from a small base counts by its ratio). The
decision (which tests count, multiple comparisons, floors) is ``auditor.judge.excess``'s.

Kobak et al. 2024 (arXiv 2406.07016) find language-model style words by the same idea: excess
frequency against the expected one.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from auditor.metrics.sampling import Z95

__all__ = ["Excess", "key_counts", "excess_tests", "phrase_keys", "frame_keys"]


@dataclass(frozen=True)
class Excess:
    """One key's counts in a period and its baseline, and the test of its excess."""

    key: str
    docs: int            # posts of the period holding the key
    of: int              # posts of the period
    baseline_docs: int
    baseline_of: int
    p: float             # one-sided Fisher exact p-value
    odds_ratio: float    # Haldane-corrected
    odds_low: float      # lower end of its 95% Woolf interval

    @property
    def share(self) -> float:
        return self.docs / self.of if self.of else math.nan

    @property
    def baseline_share(self) -> float:
        return self.baseline_docs / self.baseline_of if self.baseline_of else math.nan


def key_counts(key_sets: Iterable[Collection[str]]) -> Counter[str]:
    """In how many posts each key appears (a post counts a key once).

    >>> sorted(key_counts([{"a", "b"}, {"a"}]).items())
    [('a', 2), ('b', 1)]
    """
    c: Counter[str] = Counter()
    for keys in key_sets:
        c.update(set(keys))
    return c


def excess_tests(period: Counter[str], n_t: int, baseline: Counter[str], n_b: int, *,
                 min_total: int) -> list[Excess]:
    """The test of every key held by at least ``min_total`` posts of period and baseline
    together (keys fewer posts hold could never be significant; choosing on the total, not on
    the period's count, keeps the tests valid), strongest first.

    >>> t = excess_tests(Counter({"here is a": 6}), 25, Counter(), 75, min_total=3)
    >>> t[0].docs, round(t[0].p, 6), t[0].odds_ratio > 10
    (6, 0.000149, True)
    """
    from scipy.stats import hypergeom

    keys = [k for k, c in period.items() if c + baseline.get(k, 0) >= min_total]
    if not keys or n_t <= 0 or n_b <= 0:
        return []
    kt = np.array([period[k] for k in keys], dtype=float)
    kb = np.array([baseline.get(k, 0) for k in keys], dtype=float)
    p = hypergeom.sf(kt - 1, n_t + n_b, kt + kb, n_t)
    a, b, c, d = kt + 0.5, n_t - kt + 0.5, kb + 0.5, n_b - kb + 0.5
    log_or = np.log(a * d / (b * c))
    se = np.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    out = [Excess(k, int(x), n_t, int(y), n_b, float(pv), float(math.exp(lo)),
                  float(math.exp(lo - Z95 * s)))
           for k, x, y, pv, lo, s in zip(keys, kt, kb, p, log_or, se)]
    return sorted(out, key=lambda e: (e.p, -e.docs, e.key))


def frame_keys(opening: str | None, closing: str | None, outline: str | None, *,
               words: int) -> set[str]:
    """A post's frames as keys: the first and last ``words`` words of its opening and closing
    sentence keys, and its heading outline.

    >>> sorted(frame_keys("here is a five sentence story", "hope you enjoy it", None, words=3))
    ['closing: you enjoy it', 'opening: here is a']
    """
    out = set()
    if opening:
        out.add("opening: " + " ".join(opening.split()[:words]))
    if closing:
        out.add("closing: " + " ".join(closing.split()[-words:]))
    if outline:
        out.add("outline: " + outline)
    return out


def phrase_keys(words: Sequence[str], *, stop_words: Collection[str],
                max_n: int = 3) -> set[str]:
    """The word 1..``max_n``-grams of a post that start and end with a content word (a word
    with a letter, outside ``stop_words``, not a clitic such as ``'s``): stock vocabulary and
    stock phrases, without fragments like "'s fast" or "of the".

    >>> sorted(phrase_keys(["the", "food", "was", "great"], stop_words={"the", "was"}, max_n=3))
    ['food', 'food was great', 'great']
    """
    out: set[str] = set()
    content = [w not in stop_words and not w.startswith("'") and any(ch.isalpha() for ch in w)
               for w in words]
    for n in range(1, max_n + 1):
        for i in range(len(words) - n + 1):
            if content[i] and content[i + n - 1]:
                out.add(" ".join(words[i:i + n]))
    return out
