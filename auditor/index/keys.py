"""The keys the corpus index stores and looks up: stable 64-bit hashes of phrases, openings,
closings and heading outlines; a document's content and text hashes; its distinct content
2-4-grams and its shape 5-grams.

Every function here is pure; the hashes are BLAKE2b (the same key in every run and process).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence

from auditor.judge.thresholds import STOCK_WORDS
from auditor.metrics.structure import TEMPLATE_N
from auditor.types import Document

#: n-gram lengths of the phrases a draft may share with the corpus
NGRAM_NS = (2, 3, 4)

Skeleton = Sequence[tuple[int, str]]


def phrase_hash(phrase: str) -> int:
    """Stable 64-bit hash of a space-joined n-gram (or any key); never 0 (0 means "none")."""
    h = int.from_bytes(hashlib.blake2b(phrase.encode("utf-8", "surrogatepass"),
                                       digest_size=8).digest(), "little")
    return h or 1


def key_hash(key: str | None) -> int:
    """:func:`phrase_hash` of a key, 0 for ``None`` / empty."""
    return phrase_hash(key) if key else 0


def outline_key(skeleton: Skeleton | None) -> str | None:
    """The JSON key of a heading outline (``None`` when there is none)."""
    return json.dumps([list(h) for h in skeleton]) if skeleton else None


def outline_from_key(key: str) -> tuple[tuple[int, str], ...]:
    """The heading outline an :func:`outline_key` stands for."""
    return tuple((int(level), str(text)) for level, text in json.loads(key))


def stock_opening(opening: str | None) -> str | None:
    """The first ``STOCK_WORDS`` words of an opening key (the template-fill rule's frame)."""
    return " ".join(opening.split()[:STOCK_WORDS]) if opening else None


def stock_closing(closing: str | None) -> str | None:
    """The last ``STOCK_WORDS`` words of a closing key."""
    return " ".join(closing.split()[-STOCK_WORDS:]) if closing else None


def content_hash(doc: Document) -> str:
    """What a document's stored rows are computed from: text, title, headings, date."""
    h = hashlib.blake2b(digest_size=16)
    h.update(json.dumps([doc.text, doc.title, [list(x) for x in (doc.headings or ())],
                         doc.date.isoformat() if doc.date else None],
                        ensure_ascii=False).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def text_hash(text: str) -> str:
    """128-bit BLAKE2b of a text (finds a text's stored row without the model)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def content_grams(words: Sequence[str], stop: Collection[str]) -> set[str]:
    """Distinct 2-4-grams of a document that contain a content word, space-joined.

    >>> sorted(content_grams(["in", "the", "woods"], {"in", "the"}))
    ['in the woods', 'the woods']
    """
    out: set[str] = set()
    content = [any(c.isalpha() for c in w) and w not in stop for w in words]
    for n in NGRAM_NS:
        for i in range(len(words) - n + 1):
            if any(content[i:i + n]):
                out.add(" ".join(words[i:i + n]))
    return out


def shape_grams(shapes: Sequence[str]) -> list[str]:
    """The document's shape ``TEMPLATE_N``-grams, in order, space-joined."""
    return [" ".join(shapes[i:i + TEMPLATE_N]) for i in range(len(shapes) - TEMPLATE_N + 1)]


def template_coverage(shapes: Sequence[str], templates: Collection[str]) -> float:
    """Share of a document's shape 5-gram positions that are corpus templates (0 if none)."""
    grams = shape_grams(shapes)
    return sum(g in templates for g in grams) / len(grams) if grams else 0.0
