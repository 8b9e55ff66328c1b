"""The per-document inputs of the metrics for a whole corpus (``CorpusFeatures``): tokens and
embeddings from ``auditor.features``, plus what is computed once per document (n-gram hashes,
MinHash signatures, openings, closings, heading skeletons, richness), cached on disk.
Samples select rows of it (``auditor.metrics.panel``)."""
from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from auditor.features.tokens import SHAPE_PUNCT, tokenize
from auditor.metrics import (
    duplication,
    hashed,
    richness,
    structure,
)
from auditor.types import Document

if TYPE_CHECKING:
    from auditor.features.cache import EmbeddingCache
    from auditor.features.protocols import TextEmbedder


@dataclass(frozen=True)
class CorpusFeatures:
    """Per-document features of the analysed documents (row i = document i of ``doc_ids``)."""

    doc_ids: tuple[str, ...]
    words: tuple[tuple[str, ...], ...]       # budget-truncated lower-cased words
    shapes: tuple[tuple[str, ...], ...]      # function-word shapes (same budget)
    sentence_lengths: tuple[tuple[int, ...], ...]
    openings: tuple[str | None, ...]
    closings: tuple[str | None, ...]
    skeletons: tuple[tuple[tuple[int, str], ...] | None, ...]  # heading skeletons
    embeddings: np.ndarray                   # (n, d) unit rows
    signatures: np.ndarray                   # (n, num_perm) MinHash
    clusters: np.ndarray                     # (n,) topic clusters fitted on all analysed docs
    n_clusters: int
    base_clusters: np.ndarray                # (n,) topic clusters fitted on the baseline only
    n_base_clusters: int
    # per doc: (unique 1..4-gram hashes, ...), see metrics.hashed
    word_ngrams: tuple[tuple[np.ndarray, ...], ...] = ()
    word_ngram_totals: np.ndarray | None = None  # (n, 4) number of 1..4-grams per doc
    shape_ngrams: tuple[np.ndarray, ...] = ()    # per doc: shape 5-gram hashes (with repeats)
    # per doc: bool per shape 5-gram, >= 2 function words
    shape_eligible: tuple[np.ndarray, ...] = ()
    shape_unique: tuple[np.ndarray, ...] = ()    # per doc: unique shape 5-gram hashes
    mtld: np.ndarray | None = None       # per-document richness (context only)
    mattr: np.ndarray | None = None
    # per doc: lookup lemmas of ``words`` (vocabulary tails)
    lemmas: tuple[tuple[str, ...], ...] = ()
    # per doc: republishes an earlier document (Document.repost_of)
    is_repost: np.ndarray | None = None
    # per doc: first positions of ``word_ngrams`` (word budgets)
    word_first: tuple[tuple[np.ndarray, ...], ...] = ()
    shape_first: tuple[np.ndarray, ...] = ()  # per doc: first positions of ``shape_unique``
    shape_words: tuple[np.ndarray, ...] = ()  # per doc: words among the first j+1 shapes

    @property
    def lengths(self) -> np.ndarray:
        """Words of each document (within the text budget)."""
        return np.fromiter((len(w) for w in self.words), dtype=np.int64, count=len(self.words))

    def __len__(self) -> int:
        return len(self.doc_ids)




@dataclass(frozen=True)
class HashedFeatures:
    """Per-document n-gram hashes for the fast metric paths (see ``metrics.hashed``), with the
    first position of each distinct n-gram, so that a sample can keep only the words of its
    word budget (``panel.Sample``, ``sampling.water_fill``) without hashing again."""

    word_ngrams: tuple[tuple[np.ndarray, ...], ...]  # per doc: (sorted unique 1..4-gram hashes,)
    word_first: tuple[tuple[np.ndarray, ...], ...]   # per doc: (first start position of each,)
    totals: np.ndarray                   # (n, 4) number of 1..4-grams per doc (repeats counted)
    shape_ngrams: tuple[np.ndarray, ...]    # per doc: shape 5-gram hashes in order (with repeats)
    shape_eligible: tuple[np.ndarray, ...]  # per doc: bool per shape 5-gram, >= 2 function words
    shape_unique: tuple[np.ndarray, ...]    # per doc: sorted unique shape 5-gram hashes
    shape_first: tuple[np.ndarray, ...]     # per doc: first position of each of those
    shape_words: tuple[np.ndarray, ...]     # per doc: words among shapes[:j + 1], for every j


def hash_features(words: Sequence[Sequence[str]],
                  shapes: Sequence[Sequence[str]]) -> HashedFeatures:
    """Per-document n-gram hashes for the fast metric paths (see metrics.hashed)."""
    vocab: dict[str, int] = {}
    word_ngrams: list[tuple[np.ndarray, ...]] = []
    word_first: list[tuple[np.ndarray, ...]] = []
    totals: list[list[int]] = []
    shape_ngrams: list[np.ndarray] = []
    eligible: list[np.ndarray] = []
    shape_unique: list[np.ndarray] = []
    shape_first: list[np.ndarray] = []
    shape_words: list[np.ndarray] = []
    for w in words:
        ids = np.fromiter((vocab.setdefault(t, len(vocab)) for t in w), dtype=np.int64,
                          count=len(w))
        grams = [hashed.hash_ngrams(ids, n) for n in (1, 2, 3, 4)]
        pairs = [hashed.distinct_first(g) for g in grams]
        word_ngrams.append(tuple(u for u, _ in pairs))
        word_first.append(tuple(f for _, f in pairs))
        totals.append([len(g) for g in grams])
    svocab: dict[str, int] = {}
    for sh in shapes:
        ids = np.fromiter((svocab.setdefault(t, len(svocab)) for t in sh), dtype=np.int64,
                          count=len(sh))
        grams5 = hashed.hash_ngrams(ids, 5)
        shape_ngrams.append(grams5)
        u, f = hashed.distinct_first(grams5)
        shape_unique.append(u)
        shape_first.append(f)
        shape_words.append(np.cumsum(np.fromiter((t not in SHAPE_PUNCT for t in sh),
                                                 dtype=np.int32, count=len(sh))))
        fw = np.fromiter((t.islower() for t in sh), dtype=np.int64, count=len(sh))
        # not a threshold: a 5-gram needs five tokens
        nfw = np.convolve(fw, np.ones(5, dtype=np.int64), mode="valid") if len(sh) >= 5 \
            else np.zeros(0, np.int64)
        eligible.append(nfw >= 2)
    return HashedFeatures(tuple(word_ngrams), tuple(word_first),
                          np.array(totals, dtype=np.int64).reshape(-1, 4), tuple(shape_ngrams),
                          tuple(eligible), tuple(shape_unique), tuple(shape_first),
                          tuple(shape_words))


TOKENS_NAMESPACE = "tokens-v1"  # bump when tokenisation or the per-document measures change


def _token_records(texts: Sequence[str], *, budget: int, cache: EmbeddingCache | None,
                   progress: bool) -> list[dict[str, Any]]:
    """Per-document token features (words, lemmas, shapes, sentences, richness), from the
    on-disk cache when the same text was seen with the same budget, else computed and stored."""
    keys = [hashlib.sha256(f"{budget}|{t}".encode()).hexdigest() for t in texts]
    found = cache.get_records(TOKENS_NAMESPACE, keys) if cache is not None else {}
    todo = [i for i, k in enumerate(keys) if k not in found]
    new: dict[str, dict[str, Any]] = {}
    for i, t in zip(todo, tokenize([texts[i] for i in todo], budget=budget, progress=progress)):
        w = t.words
        new[keys[i]] = {
            "words": w, "lemmas": t.lemmas, "shapes": t.shapes, "sentences": t.sentence_lengths,
            "first": t.first_sentence, "last": t.last_sentence,
            # not a threshold: MTLD and MATTR need ten words
            "mtld": richness.mtld(w) if len(w) >= 10 else None,
            # not a threshold: MTLD and MATTR need ten words
            "mattr": richness.mattr(w) if len(w) >= 10 else None}
    if cache is not None and new:
        cache.put_records(TOKENS_NAMESPACE, new.items())
    found.update(new)
    return [found[k] for k in keys]


def _strings(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(sys.intern(x) for x in items)


def build_features(docs: Sequence[Document], embedder: TextEmbedder, *, text_budget: int,
                   progress: bool = False) -> CorpusFeatures:
    """Features of ``docs`` (row i = docs[i]); clusters are filled in later by the caller.

    Token features are cached beside the embeddings (the embedder's cache), so a warm run
    neither embeds nor tokenises documents it has seen.
    """
    recs = _token_records([d.text for d in docs], budget=text_budget,
                          cache=getattr(embedder, "cache", None), progress=progress)
    X = embedder.embed([d.text for d in docs]) if docs else np.zeros((0, 1), np.float32)
    words = tuple(_strings(r["words"]) for r in recs)
    shapes = tuple(_strings(r["shapes"]) for r in recs)
    sigs = duplication.minhash_signatures(words, shingle_size=duplication.SHINGLE_SIZE,
                                           num_perm=duplication.NUM_PERM)
    hf = hash_features(words, shapes)
    nan = float("nan")
    mtld = np.array([nan if r["mtld"] is None else r["mtld"] for r in recs], dtype=float)
    mattr = np.array([nan if r["mattr"] is None else r["mattr"] for r in recs], dtype=float)
    return CorpusFeatures(
        doc_ids=tuple(d.doc_id for d in docs),
        words=words,
        shapes=shapes,
        sentence_lengths=tuple(tuple(r["sentences"]) for r in recs),
        openings=tuple(structure.opening_key(r["first"]) or None for r in recs),
        closings=tuple(structure.closing_key(r["last"]) or None for r in recs),
        skeletons=tuple(structure.heading_skeleton(d.headings) if d.headings else None
                        for d in docs),
        embeddings=np.asarray(X, dtype=np.float32),
        signatures=sigs,
        clusters=np.zeros(len(docs), dtype=int),
        n_clusters=1,
        base_clusters=np.zeros(len(docs), dtype=int),
        n_base_clusters=1,
        word_ngrams=hf.word_ngrams, word_ngram_totals=hf.totals, shape_ngrams=hf.shape_ngrams,
        shape_eligible=hf.shape_eligible, shape_unique=hf.shape_unique,
        word_first=hf.word_first, shape_first=hf.shape_first, shape_words=hf.shape_words,
        mtld=mtld, mattr=mattr, lemmas=tuple(_strings(r["lemmas"]) for r in recs),
        is_repost=np.array([getattr(d, "repost_of", None) is not None for d in docs], dtype=bool),
    )
