"""Wording layer: repetition of words and phrases *across* the documents of a set.

Token inputs are ``Sequence[Sequence[str]]``: the lower-cased word tokens of each document
(``TokenizedDoc.words``). n-grams never cross a document boundary. Memory is O(total n-grams):
one document-frequency ``Counter``, never a document x document matrix.

The document-frequency ``Counter`` returned by :func:`document_frequencies` is a mergeable summary
(``Counter`` addition over disjoint document sets), keyed by space-joined strings so it serialises
as plain JSON.
"""
from __future__ import annotations

import gzip
import math
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "AmplifiedPhrase",
    "amplified_phrases",
    "compression_ratio",
    "document_frequencies",
    "ngram_diversity",
    "self_repetition",
    "display_phrase",
]


def _ngrams(tokens: Sequence[str], n: int) -> Iterable[tuple[str, ...]]:
    """Contiguous n-grams of one document (none when it is shorter than n)."""
    return zip(*(tokens[i:] for i in range(n)))


def _doc_ngram_counts(
    docs: Sequence[Sequence[str]], n_values: Iterable[int]
) -> Counter[tuple[str, ...]]:
    """Number of documents containing each n-gram (tuple keys), for every n in ``n_values``."""
    df: Counter[tuple[str, ...]] = Counter()
    ns = tuple(sorted(set(int(n) for n in n_values)))
    for doc in docs:
        toks = list(doc)
        seen: set[tuple[str, ...]] = set()
        for n in ns:
            seen.update(_ngrams(toks, n))
        df.update(seen)
    return df


# --------------------------------------------------------------------------- compression ratio


def compression_ratio(texts: Sequence[str]) -> float:
    """Compression ratio of the joined texts: original bytes / gzip bytes.

    Formula: CR = len(b) / len(gzip(b)), b = UTF-8 bytes of the texts joined with "\\n", one gzip
    pass at level 9 with ``mtime=0`` (deterministic output).

    Range: a little below 1 for tiny or random text, typically 2-4 for prose; higher = more
    repetitive (more homogeneous).

    Parameters
    ----------
    texts : the documents' prose (already cut to the same text budget by the caller).

    Returns
    -------
    float; ``nan`` when there are no bytes at all.

    Notes
    -----
    gzip's window is 32 KiB, so repetition between documents further apart than that in the joined
    string is not seen; like every set-level figure the value depends on the number and length of
    documents: compare equal-size samples. The ``diversity`` package (Shaib et al.) writes the
    output of ``gzip.compress`` into a ``GzipFile``, compressing twice, and joins with a space; the
    second pass only adds header bytes and noise, shrinking the ratio (its README example gives
    1.641 where a single gzip of the same space-joined text gives 1.824). We compress once.

    References
    ----------
    Shaib et al. (2024), "Standardizing the Measurement of Text Diversity", arXiv 2403.00553.

    >>> round(compression_ratio(["abc " * 100]), 4)
    13.7931
    """
    data = "\n".join(texts).encode("utf-8")
    if not data:
        return float("nan")
    return len(data) / len(gzip.compress(data, compresslevel=9, mtime=0))


# --------------------------------------------------------------------------- self-repetition


def self_repetition(docs: Sequence[Sequence[str]], *, n: int = 4) -> float:
    """Self-repetition: how many other documents share each document's n-grams (log scale).

    Formula: SR = (1/N) sum_d log(1 + sum_{g in G_d} (df(g) - 1)), G_d the set of distinct n-grams
    of document d and df(g) the number of documents containing g.

    Range 0..log(1 + (N-1) max|G_d|); 0 when no n-gram is shared. Higher = more homogeneous.

    Parameters
    ----------
    docs : word tokens per document. n : n-gram length (4 as recommended by Shaib et al.).

    Returns
    -------
    float; ``nan`` for fewer than two documents. Documents shorter than n count with 0.

    Notes
    -----
    One pass to build the document-frequency counter, one to score: O(total n-grams). Matches
    ``diversity.self_repetition_score`` except for tokenisation (ours: the caller's word tokens;
    theirs: whitespace split).

    References
    ----------
    Shaib et al. (2024), arXiv 2403.00553 (self-repetition after Salkar et al. 2022).

    >>> round(self_repetition([["a", "b"], ["a", "b"], ["c", "d"]], n=2), 6)
    0.462098
    """
    docs = [list(d) for d in docs]
    if len(docs) < 2:
        return float("nan")
    sets = [set(_ngrams(d, n)) for d in docs]
    df: Counter[tuple[str, ...]] = Counter()
    for s in sets:
        df.update(s)
    total = 0.0
    for s in sets:
        shared = sum(df[g] for g in s) - len(s)
        total += math.log1p(shared)
    return total / len(docs)


# --------------------------------------------------------------------------- n-gram diversity


def ngram_diversity(docs: Sequence[Sequence[str]], *, max_n: int = 4) -> float:
    """n-gram diversity: the sum over n = 1..max_n of distinct n-grams / all n-grams.

    Formula: NGD = sum_{n=1}^{max_n} |unique n-grams| / |n-grams|, counted over the whole set with
    n-grams taken inside documents.

    Range 0..max_n (max_n when nothing repeats); lower = more homogeneous.

    Parameters
    ----------
    docs : word tokens per document. max_n : largest n-gram order.

    Returns
    -------
    float; ``nan`` when some order 1..max_n has no n-gram at all (e.g. every document is shorter
    than max_n words).

    Notes
    -----
    The ``diversity`` package joins all texts with spaces and counts n-grams across document
    boundaries; we do not, so concatenation order cannot change the value.

    References
    ----------
    Shaib et al. (2024), arXiv 2403.00553; Padmakumar & He (2024).

    >>> ngram_diversity([["a", "b", "a", "b"]], max_n=2)
    1.1666666666666665
    """
    docs = [list(d) for d in docs]
    if max_n < 1:
        return float("nan")
    score = 0.0
    for n in range(1, int(max_n) + 1):
        unique: set[tuple[str, ...]] = set()
        total = 0
        for d in docs:
            grams = list(_ngrams(d, n))
            total += len(grams)
            unique.update(grams)
        if total == 0:
            return float("nan")
        score += len(unique) / total
    return score


# --------------------------------------------------------------------------- document frequencies


def document_frequencies(
    docs: Sequence[Sequence[str]], *, n_values: Iterable[int] = (1, 2, 3, 4)
) -> Counter[str]:
    """Number of documents containing each n-gram, for n in ``n_values``.

    Keys are the n-grams joined with single spaces (plain strings, JSON-serialisable); counters of
    disjoint document sets add. Memory O(distinct n-grams).

    >>> sorted(document_frequencies([["a", "b"], ["a"]], n_values=(1, 2)).items())
    [('a', 2), ('a b', 1), ('b', 1)]
    """
    return Counter({" ".join(g): c for g, c in _doc_ngram_counts(docs, n_values).items()})


# --------------------------------------------------------------------------- amplified phrases


@dataclass(frozen=True)
class AmplifiedPhrase:
    """A phrase whose document share rose against the baseline."""

    phrase: str
    n: int
    period_share: float  # p: share of period documents containing the phrase
    baseline_share: float  # q: share of baseline documents containing it
    ratio: float  # smoothed p / q
    gap: float  # p - q
    period_docs: int  # number of period documents containing it


def contains_phrase(words: Sequence[str], phrase: str) -> bool:
    """Whether the space-separated ``phrase`` occurs as a run of ``words``.

    >>> contains_phrase(["we", "unlock", "the", "power"], "unlock the")
    True
    """
    toks = phrase.split()
    n = len(toks)
    return any(list(words[i:i + n]) == toks for i in range(len(words) - n + 1))


def _is_content(token: str, stop: frozenset[str]) -> bool:
    """A word carrying meaning: contains a letter and is not a stopword."""
    return any(ch.isalpha() for ch in token) and token not in stop


def amplified_phrases(
    period_docs: Sequence[Sequence[str]],
    baseline_docs: Sequence[Sequence[str]],
    *,
    n_values: Iterable[int] = (1, 2, 3, 4),
    min_docs: int = 3,
    top: int = 20,
    smoothing: float = 1.0,
    stop_words: Collection[str],
) -> list[AmplifiedPhrase]:
    """Words and phrases whose document share rose most against the baseline.

    Formula: for an n-gram g, p = c_P(g)/N_P and q = c_B(g)/N_B, the shares of period and baseline
    documents containing it; gap = p - q; ratio r = p~/q~ with add-``smoothing`` (Laplace) shares
    p~ = (c_P + a)/(N_P + 2a), q~ = (c_B + a)/(N_B + 2a), so a phrase unseen in the baseline gets a
    finite ratio. Candidates have c_P >= ``min_docs`` and gap > 0; they are ranked by
    score = gap * log(r) (large only when a phrase is both common now and much more common than
    before), ties by phrase.

    Range: a list of at most ``top`` phrases, best first; empty when either side has no documents.

    Parameters
    ----------
    period_docs, baseline_docs : word tokens per document.
    n_values : n-gram lengths considered. min_docs : minimum number of period documents.
    top : number returned. smoothing : the additive constant a (> 0).

    Returns
    -------
    list of :class:`AmplifiedPhrase`.

    Notes
    -----
    Filtering: phrases with no content word (every token a spaCy English stopword, punctuation or a
    number) are dropped. Redundancy rule: if g is contained in h (contiguous) and both have the same
    period and baseline document counts, then (because docs(h) is a subset of docs(g)) they occur in
    exactly the same documents and one "explains" the other. Candidates linked by chains of such
    pairs form a group (all with identical document sets and scores) and only one member is
    listed: the one with the most content words, then the fewest stopwords at its ends, then the
    fewest tokens. So "delve", "delve into" and "delve into the" in the same documents yield
    "delve" alone, "we delve into the data" yields "delve into the data" (with n up to 4), and
    "important to note" beats "it 's important to note". Phrases whose document sets differ are
    all kept (each says something the others do not). Cost: O(distinct n-grams) time and memory.

    Kobak et al. compare the frequency in year T with a counterfactual extrapolated from years
    T-2 and T-3 (q = f(T-2) + max(2 (f(T-2) - f(T-3)), 0)); we use the baseline share itself as the
    counterfactual (no trend), with document shares rather than token frequencies.

    References
    ----------
    Kobak et al. (2024), "Delving into ChatGPT usage in academic writing through excess
    vocabulary", arXiv 2406.07016.

    >>> period = [["we", "delve", "into", "it"]] * 3
    >>> base = [["we", "look", "at", "it"]] * 3
    >>> stop = {"we", "it", "into", "at"}
    >>> [(a.phrase, a.period_docs) for a in amplified_phrases(period, base, stop_words=stop)]
    [('delve', 3)]
    """
    period_docs = list(period_docs)
    baseline_docs = list(baseline_docs)
    n_p, n_b = len(period_docs), len(baseline_docs)
    if n_p == 0 or n_b == 0 or top <= 0:
        return []
    a = float(smoothing)
    ns = tuple(n_values)
    df_p = _doc_ngram_counts(period_docs, ns)
    df_b = _doc_ngram_counts(baseline_docs, ns)
    stop = frozenset(stop_words)

    # n-gram -> (sort key, period docs, baseline docs, period share, baseline share, ratio)
    cands: dict[tuple[str, ...], tuple[tuple[float, int, int, int, tuple[str, ...]],
                                       int, int, float, float, float]] = {}
    for g, c_p in df_p.items():
        if c_p < min_docs:
            continue
        c_b = df_b.get(g, 0)
        p, q = c_p / n_p, c_b / n_b
        if p <= q:
            continue
        content = sum(_is_content(t, stop) for t in g)
        if content == 0:
            continue
        ratio = ((c_p + a) / (n_p + 2 * a)) / ((c_b + a) / (n_b + 2 * a))
        if ratio <= 1.0:
            continue
        score = (p - q) * math.log(ratio)
        edge_stops = (not _is_content(g[0], stop)) + (len(g) > 1 and not _is_content(g[-1], stop))
        # best score first; within a redundant group (same score) the preferred member first
        key = (-score, -content, edge_stops, len(g), g)
        cands[g] = (key, c_p, c_b, p, q, ratio)

    # Redundant groups: candidates linked by containment with equal document counts.
    parent = {g: g for g in cands}

    def find(g: tuple[str, ...]) -> tuple[str, ...]:
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    for g, (_, c_p, c_b, *_rest) in cands.items():
        for m in range(1, len(g)):
            for i in range(len(g) - m + 1):
                sub = g[i : i + m]
                other = cands.get(sub)
                if other is not None and other[1] == c_p and other[2] == c_b:
                    parent[find(sub)] = find(g)
    best: dict[tuple[str, ...], tuple[str, ...]] = {}
    for g in cands:
        root = find(g)
        if root not in best or cands[g][0] < cands[best[root]][0]:
            best[root] = g

    chosen = sorted(best.values(), key=lambda g: cands[g][0])[: int(top)]
    out: list[AmplifiedPhrase] = []
    for g in chosen:
        _, c_p, _, p, q, ratio = cands[g]
        out.append(AmplifiedPhrase(" ".join(g), len(g), p, q, ratio, p - q, c_p))
    return out


_CLITICS = ("'s", "'re", "'ve", "'ll", "'d", "'m", "n't", "\u2019s", "\u2019re", "\u2019ve",
            "\u2019ll", "\u2019d", "\u2019m", "n\u2019t")


def display_phrase(phrase: str) -> str:
    """A tokenised phrase as people write it: clitics re-attached ("today 's" -> "today's",
    "do n't" -> "don't").

    >>> display_phrase("in today 's fast-paced world")
    "in today's fast-paced world"
    """
    words = phrase.split()
    out: list[str] = []
    for w in words:
        if out and w.lower() in _CLITICS:
            out[-1] += w
        else:
            out.append(w)
    return " ".join(out)
