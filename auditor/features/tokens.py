"""Word tokens, lemmas, function-word shapes and sentences, from a blank spaCy pipeline.

The pipeline is ``spacy.blank("en")`` with a ``sentencizer`` and a ``lemmatizer`` in lookup mode
(tables from ``spacy-lookups-data``, installed with samey; nothing is downloaded). It is built once
per process by :func:`pipeline` and holds no per-run state; no spaCy extensions are registered.

What a :class:`TokenizedDoc` holds:

- ``words``: lower-cased word tokens, in order. A token is a word when it contains a letter or a
  digit and is not a URL or an e-mail address; punctuation, symbols and spaces are dropped.
  Contractions stay split as spaCy splits them (``don't`` -> ``do``, ``n't``); curly apostrophes
  are written as ``'``.
- ``lemmas``: the lookup lemma of each word (looked up lower-cased, so a capitalised ``Running`` at
  the start of a sentence still gives ``run``); a word missing from the table is its own lemma.
- ``shapes``: the function-word shape sequence, a tagger-free proxy for part-of-speech templates
  (REFERENCE.md, "Templates"): function words (spaCy's English stop words) are kept, numbers become
  ``0``, every other word becomes ``X``, and the marks ``, . ; : ? !`` are kept in place.
- ``sentence_lengths``: words per sentence, for sentences with at least one word. Sentences end at
  ``. ! ?`` (spaCy's sentencizer) and at paragraph breaks (a blank line), so headings and list
  items do not run into the next sentence.
- ``first_sentence`` / ``last_sentence``: the text of the first and last sentence with a word, of
  the *whole* text (not limited by ``budget``), stripped.

``budget=N`` keeps the first N words (and their lemmas, shapes and sentence lengths, so
``sum(sentence_lengths) == len(words)``; the sentence cut by the budget counts its kept words).
For speed, only the first ``N * 8`` characters are parsed, cut at a space (a text whose head
holds fewer than N words is parsed whole), plus the last 600 characters for ``last_sentence``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from auditor.errors import ModelError
from auditor.features.lexicon import import_spacy, stop_words
from auditor.progress import progress_iter

if TYPE_CHECKING:
    from spacy.language import Language

# characters parsed per budgeted word (prose averages ~6; short heads are re-parsed)
CHARS_PER_WORD = 8
TAIL_CHARS = 600  # characters parsed from the end of a truncated text to find its last sentence
SHAPE_PUNCT = frozenset(",.;:?!")
NUMBER_SHAPE = "0"
CONTENT_SHAPE = "X"


@dataclass(frozen=True)
class TokenizedDoc:
    """The token-level features of one text (see the module docstring)."""

    words: tuple[str, ...]
    lemmas: tuple[str, ...]
    shapes: tuple[str, ...]
    sentence_lengths: tuple[int, ...]
    first_sentence: str = ""
    last_sentence: str = ""


EMPTY = TokenizedDoc((), (), (), (), "", "")


class _ParagraphTokenizer:
    """spaCy's tokenizer, plus a sentence start after every blank line (kept by the sentencizer,
    which only fills in boundaries that are not already set)."""

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Any:
        doc = self.tokenizer(text)
        if "\n" in text:
            from spacy.attrs import IS_SPACE

            n = len(doc)
            for i in doc.to_array([IS_SPACE]).nonzero()[0].tolist():
                if i + 1 < n and doc[i].text.count("\n") >= 2:
                    doc[i + 1].is_sent_start = True
        return doc


@lru_cache(maxsize=1)
def pipeline() -> Language:
    """The shared spaCy pipeline (built on first use; offline: lookup tables ship with
    ``spacy-lookups-data``)."""
    import_spacy()
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    try:
        nlp.initialize()
    except Exception as e:  # missing spacy-lookups-data raises a ValueError from spaCy
        raise ModelError(
            f"cannot build the spaCy lemmatizer ({str(e).splitlines()[0]}). "
            "Install the lookup tables with: pip install spacy-lookups-data"
        ) from e
    nlp.tokenizer = _ParagraphTokenizer(nlp.tokenizer)
    return nlp


def _stop_words() -> frozenset[str]:
    return stop_words()


def _head(text: str, budget: int | None) -> str:
    """The start of ``text`` parsed for ``budget`` words: ``budget * CHARS_PER_WORD`` characters,
    cut at a space so that no word is split (the whole text if it is shorter)."""
    if budget is None or len(text) <= budget * CHARS_PER_WORD:
        return text
    head = text[: budget * CHARS_PER_WORD]
    cut = max(head.rfind(" "), head.rfind("\n"))
    return head[:cut] if cut > 0 else head


def _tail(text: str) -> str:
    """The last ``TAIL_CHARS`` characters of ``text``, starting after a space."""
    tail = text[-TAIL_CHARS:]
    cut = min((i for i in (tail.find(" "), tail.find("\n")) if i >= 0), default=-1)
    return tail[cut + 1 :] if cut >= 0 else tail


_Entry = tuple[str | None, str | None, str | None]  # (word, lemma, shape) of one token text


class _Extractor:
    """Turns parsed spaCy docs into features; caches token classes for one ``tokenize`` call."""

    def __init__(self, nlp: Any) -> None:
        from spacy.attrs import ORTH, SENT_START

        self.attrs = (ORTH, SENT_START)
        self.vocab = nlp.vocab
        self.lemma_table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
        self.stop = _stop_words()
        self.classes: dict[int, _Entry] = {}  # orth id -> entry

    def entry(self, orth: int) -> _Entry:
        e = self.classes.get(orth)
        if e is None:
            e = self.classes[orth] = self._classify(self.vocab[orth])
        return e

    def _classify(self, lex: Any) -> _Entry:
        text = lex.text
        if text in SHAPE_PUNCT:
            return None, None, text
        if lex.is_space or lex.like_url or lex.like_email or not any(c.isalnum() for c in text):
            return None, None, None
        word = text.lower().replace("\u2019", "'")
        lemma = self.lemma_table.get(word, word).lower()
        if word in self.stop:
            shape = word
        elif lex.like_num:
            shape = NUMBER_SHAPE
        else:
            shape = CONTENT_SHAPE
        return word, lemma, shape

    def _arrays(self, doc: Any) -> tuple[list[int], list[tuple[int, int]]]:
        """Token orth ids, and (start, end) token spans of the sentences."""
        arr = doc.to_array(list(self.attrs))
        starts = (arr[:, 1] == 1).nonzero()[0].tolist()
        if not starts or starts[0] != 0:
            starts.insert(0, 0)
        return arr[:, 0].tolist(), list(zip(starts, starts[1:] + [len(doc)]))

    def features(self, doc: Any, budget: int | None) -> TokenizedDoc:
        """Features of a parsed text (``last_sentence`` from this doc; the caller replaces it
        when the doc is only the head of the text)."""
        if len(doc) == 0:
            return EMPTY
        orths, spans = self._arrays(doc)
        words: list[str] = []
        lemmas: list[str] = []
        shapes: list[str] = []
        lengths: list[int] = []
        first = ""
        full = False
        classes, entry = self.classes, self.entry
        for a, b in spans:
            n_before = len(words)
            for orth in orths[a:b]:
                word, lemma, shape = classes.get(orth) or entry(orth)
                if shape is not None:
                    shapes.append(shape)
                if word is not None:
                    words.append(word)
                    lemmas.append(lemma)  # type: ignore[arg-type]
                    if budget is not None and len(words) >= budget:
                        full = True
                        break
            if len(words) > n_before:
                lengths.append(len(words) - n_before)
                if not first:
                    first = doc[a:b].text.strip()
            if full:
                break
        return TokenizedDoc(tuple(words), tuple(lemmas), tuple(shapes), tuple(lengths), first,
                            self.last_sentence(doc, orths, spans))

    def last_sentence(self, doc: Any, orths: list[int] | None = None,
                      spans: list[tuple[int, int]] | None = None) -> str:
        if len(doc) == 0:
            return ""
        if orths is None or spans is None:
            orths, spans = self._arrays(doc)
        for a, b in reversed(spans):
            if any(self.entry(o)[0] is not None for o in orths[a:b]):
                sentence: str = doc[a:b].text.strip()
                return sentence
        return ""


def tokenize(
    texts: Iterable[str],
    *,
    budget: int | None = None,
    progress: bool = False,
    batch_size: int = 64,
) -> list[TokenizedDoc]:
    """Tokenize ``texts`` into :class:`TokenizedDoc` s (one per text, same order).

    ``budget`` keeps only the first ``budget`` words of each text (``None``: all). An empty text
    gives a TokenizedDoc with empty tuples and empty sentences.
    """
    texts = list(texts)
    if budget is not None and budget < 1:
        raise ValueError("budget must be a positive number of words or None")
    nlp = pipeline()
    ex = _Extractor(nlp)

    def parse(strings: list[str]) -> Iterable[Any]:
        return nlp.pipe(strings, batch_size=batch_size, disable=["lemmatizer"])

    heads = [_head(t, budget) for t in texts]
    docs = progress_iter(parse(heads), total=len(texts), description="Tokenizing",
                         enabled=progress)
    out = [ex.features(doc, budget) for doc in docs]
    cut = [i for i, (h, t) in enumerate(zip(heads, texts)) if len(h) < len(t)]
    # A head with fewer words than the budget (long URLs, code-like tokens): parse the whole text.
    short = [i for i in cut if budget is not None and len(out[i].words) < budget]
    for i, doc in zip(short, parse([texts[i] for i in short])):
        out[i] = ex.features(doc, budget)
    # The last sentence of a text parsed only in part comes from its tail.
    rest = sorted(set(cut) - set(short))
    for i, doc in zip(rest, parse([_tail(texts[i]) for i in rest])):
        d = out[i]
        out[i] = TokenizedDoc(d.words, d.lemmas, d.shapes, d.sentence_lengths, d.first_sentence,
                              ex.last_sentence(doc))
    return out


_PLAIN_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
# ASCII fast path: every ASCII character that is not a letter, a digit or ' becomes a space.
_NOT_WORD = bytes(range(128)).translate(None, (
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'"))
_SPACES = bytes.maketrans(_NOT_WORD, b" " * len(_NOT_WORD))


def plain_words(text: str) -> list[str]:
    """Lower-cased word tokens by a regular expression, without spaCy: for work over every
    document of a site (site-wide near-duplicates), where parsing each text is too slow.

    A word is a run of letters and digits, apostrophes inside it kept (curly ones written as
    ``'``): ``don't`` stays one token (spaCy splits it), and URLs are split into their parts
    (spaCy drops them). ASCII texts take a faster path with the same result (punctuation
    translated to spaces, then split): about 6 microseconds per 50-word text, 30 by the
    regular expression.

    >>> plain_words("Don’t miss OUR spring-sale: 20% off!")
    ["don't", 'miss', 'our', 'spring', 'sale', '20', 'off']
    """
    text = text.lower().replace("\u2019", "'")
    if not text.isascii():
        return _PLAIN_WORD.findall(text)
    words = text.encode("ascii").translate(_SPACES).decode("ascii").split()
    if "'" not in text:
        return words
    return [x for w in words for x in (_PLAIN_WORD.findall(w) if "'" in w else (w,))]
