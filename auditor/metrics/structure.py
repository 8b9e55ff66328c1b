"""Structure layer: recurring sentence templates, repeated openings, closings and heading outlines,
and how alike documents are in sentence rhythm.

Inputs are per-document features computed upstream (``auditor.features.tokens``): function-word
shape sequences, opening/closing keys, heading skeletons and sentence lengths. Every function
here is pure, and O(total tokens) in memory: nothing pairwise between documents.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

H = TypeVar("H", bound=Hashable)  # an item compared across documents

__all__ = [
    "TemplateStats",
    "shape_ngram_templates",
    "template_min_count",
    "is_function_word",
    "template_share",
    "repetition_share",
    "most_repeated",
    "opening_key",
    "closing_key",
    "heading_skeleton",
    "sentence_length_uniformity",
    "edge_words",
    "shared_edges",
]

NAN = float("nan")

# Words: letters/digits with inner apostrophes or hyphens ("don't", "e-mail").
_WORD_RE = re.compile(r"[^\W_]+(?:['\u2019\-][^\W_]+)*")
_DIGITS_RE = re.compile(r"\d+")
# Sentence end: ., ! or ? (possibly repeated, possibly followed by quotes/brackets) then
# whitespace, or a line break.
_SENT_SPLIT_RE = re.compile(r"(?<=[.!?])[\"'\u2019\u201d)\]]*\s+|\n+")
# A heading label ends at the first colon, en/em dash or spaced hyphen ("Step 1: Install").
_HEADING_LABEL_RE = re.compile(r"\s*(?::|\u2013|\u2014|\s-\s|\|)")


# --------------------------------------------------------------------------------------------
# Templates
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateStats:
    """Recurring shape n-grams ("templates") in a set of documents.

    ``share``: fraction of documents (with at least one n-gram) containing at least one template.
    ``coverage``: mean over those documents of the fraction of their n-gram positions that are
    templates. ``templates``: ``(template, doc_count)`` pairs, most common first.
    ``min_doc_count``: the document count a shape n-gram needed to be a template.
    """

    share: float
    coverage: float
    templates: list[tuple[str, int]] = field(default_factory=list)
    n_docs: int = 0
    min_doc_count: int = 0


def is_function_word(token: str) -> bool:
    """A shape token is a function word when it is lower-case text (class tokens such as ``X``
    are upper-case; punctuation and digits have no case)."""
    return token.islower()


#: A template (:func:`shape_ngram_templates`): a shape ``TEMPLATE_N``-gram in at least
#: max(``TEMPLATE_MIN_DOCS``, ``TEMPLATE_DOC_SHARE`` of the documents), with at least
#: ``TEMPLATE_FUNCTION_WORDS`` function words. The check's corpus index counts the same way.
TEMPLATE_N = 5
TEMPLATE_DOC_SHARE = 0.05
TEMPLATE_MIN_DOCS = 3
TEMPLATE_FUNCTION_WORDS = 2


def template_min_count(n_docs: int, *, min_doc_share: float = TEMPLATE_DOC_SHARE,
                       min_docs: int = TEMPLATE_MIN_DOCS) -> int:
    """Documents a shape n-gram must be in to be a template: max(min_docs, ceil(share x N)).

    >>> template_min_count(100), template_min_count(1000)
    (5, 50)
    """
    return max(int(min_docs), math.ceil(min_doc_share * n_docs - 1e-12))


def shape_ngram_templates(
    docs_shapes: Sequence[Sequence[str]],
    *,
    n: int = TEMPLATE_N,
    min_doc_share: float = TEMPLATE_DOC_SHARE,
    min_docs: int = TEMPLATE_MIN_DOCS,
    min_function_words: int = TEMPLATE_FUNCTION_WORDS,
    top: int = 20,
) -> TemplateStats:
    """Frequent function-word shape n-grams shared across documents, and how much text they cover.

    A *template* is a shape n-gram (``n`` consecutive shape tokens) that occurs in at least
    ``t = max(min_docs, ceil(min_doc_share * N))`` of the ``N`` documents that have an n-gram, and
    contains at least ``min_function_words`` function words (so runs of content-word class tokens
    such as ``X X X X X`` never count). Then::

        share    = |{d : d contains a template}| / N
        coverage = (1/N) * sum_d  #(template n-gram positions in d) / #(n-gram positions in d)

    Range 0..1 for both; higher = more templated (more homogeneous).

    Parameters
    ----------
    docs_shapes : one shape sequence per document: function words kept lower-cased, other words
        replaced by an upper-case class token (``X``...). A token counts as a function word when
        ``token.islower()``.
    n : n-gram length (5, as the POS 5-grams of the reference).
    min_doc_share, min_docs : document-frequency threshold, see above.
    min_function_words : function words a template must contain.
    top : how many templates to list.

    Returns
    -------
    TemplateStats; ``share`` and ``coverage`` are ``nan`` when no document has ``n`` tokens.

    Notes
    -----
    Documents shorter than ``n`` tokens have no n-gram and are left out of ``N``. Document
    frequencies (a per-document set of n-grams) are counted, so a phrase repeated inside one
    document does not make a template. The counts are a mergeable summary (a Counter per batch).

    References
    ----------
    Shaib et al. 2024, "Detection and Measurement of Syntactic Templates in Generated Text"
    (arXiv 2407.00211; package ``diversity``) use part-of-speech 5-grams; function-word shapes are
    the tagger-free proxy used here (REFERENCE.md, "Templates").

    Examples
    --------
    >>> docs = [["in", "the", "X", "of", "the", "X"]] * 3 + [["X", "X", "X", "X", "X"]]
    >>> s = shape_ngram_templates(docs, n=5, min_docs=3)
    >>> s.share, s.coverage, s.templates
    (0.75, 0.75, [('in the X of the', 3), ('the X of the X', 3)])
    """
    if n < 1:
        return TemplateStats(NAN, NAN)
    per_doc: list[list[tuple[str, ...]]] = []
    doc_freq: Counter[tuple[str, ...]] = Counter()
    for shapes in docs_shapes:
        toks = list(shapes)
        if len(toks) < n:
            continue
        grams = [tuple(toks[i : i + n]) for i in range(len(toks) - n + 1)]
        per_doc.append(grams)
        doc_freq.update(set(grams))
    n_docs = len(per_doc)
    if n_docs == 0:
        return TemplateStats(NAN, NAN)
    min_count = template_min_count(n_docs, min_doc_share=min_doc_share, min_docs=min_docs)
    templates = {
        g: c
        for g, c in doc_freq.items()
        if c >= min_count and sum(is_function_word(t) for t in g) >= min_function_words
    }
    has, cov = 0, 0.0
    for grams in per_doc:
        hits = sum(1 for g in grams if g in templates)
        has += hits > 0
        cov += hits / len(grams)
    ranked = sorted(templates.items(), key=lambda kv: (-kv[1], kv[0]))[: max(int(top), 0)]
    return TemplateStats(
        share=has / n_docs,
        coverage=cov / n_docs,
        templates=[(" ".join(g), c) for g, c in ranked],
        n_docs=n_docs,
        min_doc_count=min_count,
    )


def template_share(docs_shapes: Sequence[Sequence[str]], **kw: Any) -> float:
    """Template coverage: mean share of a document's shape n-grams that are templates.

    The ``coverage`` of :func:`shape_ngram_templates` (same keyword options); range 0..1,
    higher = more templated. ``nan`` when no document is long enough.

    >>> template_share([["in", "the", "X", "of", "the", "X"]] * 3, min_docs=3)
    1.0
    """
    return shape_ngram_templates(docs_shapes, **kw).coverage


# --------------------------------------------------------------------------------------------
# Repeated openings, closings, heading skeletons
# --------------------------------------------------------------------------------------------


def _missing(item: object) -> bool:
    if item is None:
        return True
    try:
        return len(item) == 0  # type: ignore[arg-type]
    except TypeError:
        return False


def repetition_share(items: Sequence[Hashable | None]) -> float:
    """Share of documents whose item (opening, closing, heading skeleton) another document shares.

    ``share = |{i : item_i present and item_i == item_j for some j != i}| / N``, with ``N`` the
    number of documents *including* those whose item is missing (``None`` or empty): a document
    without headings has no skeleton to repeat, so it counts as not repeated. Filter the input
    first to get the share among documents that have the item. Range 0..1; higher = more
    homogeneous. ``nan`` for no documents.

    >>> repetition_share(["a b", "a b", "c d", None])
    0.5
    """
    n = len(items)
    if n == 0:
        return NAN
    counts = Counter(it for it in items if not _missing(it))
    return sum(c for c in counts.values() if c >= 2) / n


def most_repeated(items: Sequence[H | None], *, top: int = 10) -> list[tuple[H, int]]:
    """The most frequent repeated items (count >= 2) with their counts, most common first
    (ties broken by first appearance). Missing items are ignored.

    >>> most_repeated(["a b", "c d", "a b", None, None])
    [('a b', 2)]
    """
    counts = Counter(it for it in items if it is not None and not _missing(it))
    ranked = [(it, c) for it, c in counts.most_common() if c >= 2]
    return ranked[: max(int(top), 0)]


def _norm_words(words: Sequence[str]) -> list[str]:
    """Lower-case, keep word characters only, digit runs -> '0'; drop tokens left empty."""
    out = []
    for w in words:
        for piece in _WORD_RE.findall(str(w).lower()):
            piece = _DIGITS_RE.sub("0", piece.replace("\u2019", "").replace("'", ""))
            if piece:
                out.append(piece)
    return out


def _sentences(text: str) -> list[str]:
    return [s for s in (p.strip() for p in _SENT_SPLIT_RE.split(text)) if _WORD_RE.search(s)]


def opening_key(text_or_tokens: str | Sequence[str], *, n_words: int = 6) -> str | None:
    """Normalised opening: the first ``n_words`` words of the first sentence.

    A string is split into sentences (at ``.``, ``!``, ``?`` followed by space, or a line break);
    a token sequence is taken to be the sentence's words already. Words are lower-cased,
    punctuation is stripped (``don't`` -> ``dont``) and digit runs become ``0``. ``None`` when
    there is no word.

    >>> opening_key("In 2024, every brand needs a strategy! Here is why.")
    'in 0 every brand needs a'
    """
    words = _sentence_words(text_or_tokens, last=False)
    return " ".join(words[:n_words]) or None


def _sentence_words(text_or_tokens: str | Sequence[str], *, last: bool) -> list[str]:
    """The normalised words of the first (or last) sentence of a text, or of a token list."""
    if not isinstance(text_or_tokens, str):
        return _norm_words(text_or_tokens)
    sents = _sentences(text_or_tokens)
    return _norm_words(_WORD_RE.findall(sents[-1 if last else 0])) if sents else []


def closing_key(text_or_tokens: str | Sequence[str], *, n_words: int = 6) -> str | None:
    """Normalised closing: the last ``n_words`` words of the last sentence (see
    :func:`opening_key` for the normalisation).

    >>> closing_key("Thanks for reading. Ready to take your brand to the next level?")
    'your brand to the next level'
    """
    words = _sentence_words(text_or_tokens, last=True)
    if not words:
        return None
    return " ".join(words[-n_words:])


def heading_skeleton(
    headings: Sequence[tuple[int, str]], *, n_words: int = 3
) -> tuple[tuple[int, str], ...]:
    """A document's heading outline, normalised so that templated headings collapse.

    Each ``(level, text)`` becomes ``(level, key)``: the text is cut at its label separator (the
    first ``:``, en/em dash, `` - `` or ``|``) when a label precedes it, then the first
    ``n_words`` words are normalised as in :func:`opening_key` (lower-case, punctuation stripped,
    digit runs -> ``0``). So "Step 1: Install" and "Step 2: Configure" both become
    ``(2, 'step 0')``, and "Why Choose Us?" and "why choose us" are the same. Headings with no
    word are dropped. An empty tuple means no headings (a *missing* item for
    :func:`repetition_share`).

    >>> heading_skeleton(((2, "Step 1: Install"), (2, "Step 2: Configure"), (2, "FAQ")))
    ((2, 'step 0'), (2, 'step 0'), (2, 'faq'))
    """
    out = []
    for level, text in headings:
        text = str(text)
        parts = _HEADING_LABEL_RE.split(text, maxsplit=1)
        label = parts[0] if _WORD_RE.search(parts[0]) else text
        words = _norm_words(_WORD_RE.findall(label))
        if words:
            out.append((int(level), " ".join(words[:n_words])))
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Sentence rhythm
# --------------------------------------------------------------------------------------------


def sentence_length_uniformity(docs_sentence_lengths: Sequence[Sequence[float]]) -> float:
    """How alike documents are in their sentence-length profile (mean and spread).

    Each document ``i`` with at least one sentence has a profile ``(m_i, s_i)``: the mean and the
    population standard deviation of its sentence lengths (words per sentence). The relative
    spread of the profiles across documents is::

        D = sqrt(Var_i(m_i) + Var_i(s_i)) / Mean_i(m_i)        (population variances)
        uniformity = 1 / (1 + D)

    Range (0, 1]; 1 when every document has the same mean and spread of sentence length.
    Higher = more uniform (more homogeneous).

    Parameters
    ----------
    docs_sentence_lengths : per document, its sentence lengths in words.

    Returns
    -------
    float; ``nan`` with fewer than two documents having sentences, or when every sentence is
    empty (mean length 0).

    Notes
    -----
    This is a coefficient of variation of the per-document profile (as a 2-vector) mapped to
    (0, 1]; it is scale-free, so corpora of long-sentence and short-sentence writing compare on
    the same footing. Documents without sentences are ignored.

    >>> sentence_length_uniformity([[10, 20], [12, 18]])  # m = (15, 15), s = (5, 3): D = 1/15
    0.9375
    """
    means, sds = [], []
    for lengths in docs_sentence_lengths:
        a = np.asarray(list(lengths), dtype=float)
        if a.size == 0:
            continue
        means.append(a.mean())
        sds.append(a.std())
    if len(means) < 2:
        return NAN
    m = np.asarray(means)
    s = np.asarray(sds)
    centre = m.mean()
    if not np.isfinite(centre) or centre <= 0:
        return NAN
    d = math.sqrt(float(m.var() + s.var())) / float(centre)
    return 1.0 / (1.0 + d)


# --------------------------------------------------------------------------------------------
# Evidence: openings and closings grouped after normalisation
# --------------------------------------------------------------------------------------------

def edge_words(text: str, *, end: bool = False, n_words: int = 12) -> list[str]:
    """The first (or, with ``end``, last) ``n_words`` words of a text's first (last) sentence,
    as written (case and apostrophes kept), for evidence.

    >>> edge_words("In today's fast-paced world, teams need focus. More text.", n_words=4)
    ['In', "today's", 'fast-paced', 'world']
    """
    sents = _sentences(text)
    if not sents:
        return []
    sent = sents[-1] if end else sents[0]
    spans = [(m.start(), m.end()) for m in _WORD_RE.finditer(sent)]
    spans = spans[-n_words:] if end else spans[:n_words]
    out = []
    for a, b in spans:  # a sign written right after a word stays with it ("20%", "$5")
        while b < len(sent) and sent[b] in "%$\u20ac\u00a3+":
            b += 1
        while a > 0 and sent[a - 1] in "$\u20ac\u00a3#@":
            a -= 1
        out.append(sent[a:b])
    return out


def shared_edges(word_lists: Sequence[Sequence[str]], *, end: bool = False, min_words: int = 3,
                 min_docs: int = 2, share_kept: float = 0.8, top: int = 5
                 ) -> list[tuple[str, list[int]]]:
    """Openings (or closings) shared by several documents, grouped after normalising case,
    punctuation and apostrophes, each counting every variant.

    Documents are grouped on their first ``min_words`` normalised words (last, with ``end``);
    a group's phrase is then extended word by word while at least ``share_kept`` of the group
    still agrees, so "In today's fast-paced world, teams need..." and "In todays fast-paced world
    our customers..." form one group shown as "In today's fast-paced world". The phrase is shown
    as the group's most common written form. Returns ``(phrase, member indices)`` for the
    ``top`` largest groups with at least ``min_docs`` members, largest first (ties by phrase).

    >>> docs = [["In", "today's", "fast-paced", "world", "teams"],
    ...         ["in", "todays", "fast-paced", "world", "our"], ["Hello", "there", "friend"]]
    >>> shared_edges(docs)
    [("In today's fast-paced world", [0, 1])]
    """
    norm = []
    for words in word_lists:
        raw = list(words)[::-1] if end else list(words)
        pairs = [(n, w) for w in raw for n in _norm_words([w])[:1]]
        norm.append(pairs)
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, pairs in enumerate(norm):
        if len(pairs) >= min_words:
            groups.setdefault(tuple(n for n, _ in pairs[:min_words]), []).append(i)
    out = []
    for key, members in groups.items():
        if len(members) < min_docs:
            continue
        length = min_words
        while True:
            nxt = Counter(norm[i][length][0] for i in members if len(norm[i]) > length)
            if not nxt or nxt.most_common(1)[0][1] < share_kept * len(members):
                break
            length += 1
        written = Counter(tuple(w for _, w in norm[i][:length]) for i in members
                          if len(norm[i]) >= length)
        form = list(written.most_common(1)[0][0]) if written else list(key)
        phrase = " ".join(form[::-1] if end else form)
        out.append((phrase, sorted(members)))
    out.sort(key=lambda g: (-len(g[1]), g[0]))
    return out[:top]
