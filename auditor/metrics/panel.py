"""Every metric of the registry on one sample of documents.

A sample is rows ``idx`` of a corpus's :class:`~auditor.metrics.corpus.CorpusFeatures`;
:func:`measure_sample` calls each registry entry's ``compute`` once on it. Adding a metric is a
function in its layer's module, an entry in ``auditor.metrics.registry.METRICS`` (with its
``compute``) and a test; nothing here changes.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from auditor.metrics.corpus import CorpusFeatures
from auditor.metrics.registry import METRICS


@dataclass(frozen=True)
class Sample:
    """The documents ``idx`` of ``features``: what a registry entry's ``compute`` reads.

    ``cuts`` (aligned with ``idx``): how many words of each document the sample keeps, so that
    every sample holds the same word budget (``sampling.water_fill``); ``None`` keeps every word
    of the text budget. The word-level views (``words``, ``lemmas``, n-grams, shapes, sentence
    lengths) honour it; openings, closings, outlines, embeddings and MinHash signatures are
    per-document facts and do not depend on it.
    """

    features: CorpusFeatures
    idx: np.ndarray
    random_state: int = 0
    cuts: np.ndarray | None = None

    def rows(self, column: str) -> list[Any]:
        """The sample's rows of a per-document column of the features (``"openings"``...)."""
        values = getattr(self.features, column)
        return [values[i] for i in self.idx]

    def array(self, column: str) -> np.ndarray:
        """The sample's rows of a per-document array column (``"embeddings"``...)."""
        rows: np.ndarray = getattr(self.features, column)[self.idx]
        return rows

    @cached_property
    def _cuts(self) -> list[int]:
        full = [len(self.features.words[i]) for i in self.idx]
        if self.cuts is None:
            return full
        return [min(int(c), n) for c, n in zip(self.cuts, full)]

    @cached_property
    def embeddings(self) -> np.ndarray:
        rows: np.ndarray = self.features.embeddings[self.idx]
        return rows

    @cached_property
    def words(self) -> list[tuple[str, ...]]:
        return [self.features.words[i][:c] for i, c in zip(self.idx, self._cuts)]

    @cached_property
    def lemmas(self) -> list[tuple[str, ...]]:
        return [self.features.lemmas[i][:c] for i, c in zip(self.idx, self._cuts)]

    @cached_property
    def ngram_sets(self) -> list[tuple[np.ndarray, ...]]:
        """Per document, its distinct word 1..4-gram hashes within its cut."""
        f = self.features
        out = []
        for i, c in zip(self.idx, self._cuts):
            if c >= len(f.words[i]):
                out.append(f.word_ngrams[i])
            else:
                out.append(tuple(u[first <= c - n] for n, (u, first)
                                 in enumerate(zip(f.word_ngrams[i], f.word_first[i]), start=1)))
        return out

    @cached_property
    def ngram_totals(self) -> np.ndarray:
        """Word 1..4-grams in the sample (repeats counted), within the cuts."""
        c = np.asarray(self._cuts, dtype=np.int64)[:, None]
        totals: np.ndarray = np.maximum(0, c - np.arange(4)[None, :]).sum(axis=0)
        return totals

    @cached_property
    def _shape_ends(self) -> list[int]:
        """Per document, how many shape 5-grams lie within its cut."""
        f = self.features
        return [max(0, int(np.searchsorted(f.shape_words[i], c, side="right")) - 4)
                for i, c in zip(self.idx, self._cuts)]

    @cached_property
    def shape_grams(self) -> list[np.ndarray]:
        return [self.features.shape_ngrams[i][:k] for i, k in zip(self.idx, self._shape_ends)]

    @cached_property
    def shape_eligible(self) -> list[np.ndarray]:
        return [self.features.shape_eligible[i][:k] for i, k in zip(self.idx, self._shape_ends)]

    @cached_property
    def shape_sets(self) -> list[np.ndarray]:
        f = self.features
        return [f.shape_unique[i][f.shape_first[i] < k] for i, k in zip(self.idx, self._shape_ends)]

    @cached_property
    def sentence_lengths(self) -> list[tuple[int, ...]]:
        """Per document, its sentence lengths within its cut (the cut sentence keeps the words
        it has)."""
        out = []
        for i, c in zip(self.idx, self._cuts):
            kept, total = [], 0
            for n in self.features.sentence_lengths[i]:
                if total >= c:
                    break
                kept.append(min(n, c - total))
                total += kept[-1]
            out.append(tuple(kept))
        return out


def measure_sample(f: CorpusFeatures, idx: Sequence[int], *, random_state: int = 0,
                   cuts: np.ndarray | None = None) -> dict[str, float]:
    """Every registry metric that has a ``compute`` on the documents ``idx`` of ``f`` (NaN where
    a metric is undefined), each document cut to ``cuts`` words (see :class:`Sample`).
    ``tails.lost_topic_mass`` has none: it needs the checked baseline
    (``auditor.app.audit.fill_lost_topic_mass``)."""
    s = Sample(f, np.asarray(idx, dtype=int), random_state, cuts)
    out: dict[str, float] = {}
    with np.errstate(all="ignore"):
        for spec in METRICS:
            if spec.compute is not None:
                v = spec.compute(s)
                out[spec.name] = math.nan if v is None else float(v)
    return out
