"""Per-document lexical richness (context only: never used by the verdict).

Padmakumar & He (ICLR 2024) found essays written with a language model more homogeneous as a set
while per-document MATTR did not drop: richness inside a document says little about sameness
across documents. These figures are reported beside the set-level layers for context.

Both functions take the word tokens of ONE document and follow the ``lexicalrichness`` package
(v0.5.1) exactly on the same token list; they differ only where it raises (see each function).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

__all__ = ["mattr", "mtld"]


def _mtld_one_way(tokens: Sequence[str], threshold: float) -> float:
    terms: set[str] = set()
    count = 0
    factors = 0.0
    ttr = 1.0
    for word in tokens:
        count += 1
        terms.add(word)
        ttr = len(terms) / count
        if ttr <= threshold:
            count = 0
            terms = set()
            factors += 1
    if count > 0:  # partial factor for the unfinished last segment
        factors += (1 - ttr) / (1 - threshold)
    if factors == 0:  # the TTR never fell: all tokens distinct
        factors = 1.0
    return len(tokens) / factors


def mtld(tokens: Sequence[str], *, threshold: float = 0.72) -> float:
    """Measure of Textual Lexical Diversity: mean length of runs that keep TTR above a threshold.

    Formula: walk the tokens; whenever the running type-token ratio of the current segment falls
    to ``threshold`` or below, count one factor and start a new segment; the unfinished last
    segment adds (1 - TTR) / (1 - threshold). MTLD = tokens / factors, averaged over a forward
    and a backward pass.

    Range: > 0, roughly 10-200 for prose; higher = richer vocabulary inside the document.

    Parameters
    ----------
    tokens : word tokens of one document. threshold : the factor TTR (0.72 as McCarthy & Jarvis).

    Returns
    -------
    float; ``nan`` for an empty document.

    Notes
    -----
    Identical to ``lexicalrichness.LexicalRichness(tokens, tokenizer=None).mtld(threshold)``
    (including its rule that a text whose TTR never falls scores its length). Kyle's
    ``lexical-diversity`` package differs (a minimum factor length of 10 tokens).

    References
    ----------
    McCarthy & Jarvis (2010), "MTLD, vocd-D, and HD-D", Behavior Research Methods 42(2).

    >>> mtld(["a", "b", "a", "b"])
    4.0
    """
    tokens = list(tokens)
    if not tokens:
        return float("nan")
    forward = _mtld_one_way(tokens, threshold)
    backward = _mtld_one_way(tokens[::-1], threshold)
    return (forward + backward) / 2


def mattr(tokens: Sequence[str], *, window: int = 100) -> float:
    """Moving-average type-token ratio over sliding windows of ``window`` tokens.

    Formula: MATTR = mean over the L - w + 1 windows of |distinct tokens in window| / w, for a
    document of L >= w tokens; computed in O(L) with a running counter.

    Range 0..1; higher = richer vocabulary inside the document.

    Parameters
    ----------
    tokens : word tokens of one document. window : w, pinned at 100 as in ``lexicalrichness``
        (Kyle's ``lexical-diversity`` uses 50: values are not comparable across the two).

    Returns
    -------
    float; ``nan`` for an empty document or ``window < 1``. A document shorter than the window
    gets its plain TTR (|types| / L); ``lexicalrichness`` raises ``ValueError`` there.

    References
    ----------
    Covington & McFall (2010), "Cutting the Gordian knot: the moving-average type-token ratio".

    >>> mattr(["a", "b", "a", "c"], window=2)
    1.0
    """
    tokens = list(tokens)
    w = int(window)
    L = len(tokens)
    if L == 0 or w < 1:
        return float("nan")
    if L < w:
        return len(set(tokens)) / L
    counts = Counter(tokens[:w])
    distinct_sum = len(counts)
    for i in range(w, L):
        out, new = tokens[i - w], tokens[i]
        counts[out] -= 1
        if counts[out] == 0:
            del counts[out]
        counts[new] += 1
        distinct_sum += len(counts)
    return distinct_sum / (w * (L - w + 1))
