"""The curation report: the kept set against the whole corpus and against random subsets of
the same size, on samey's own layers (the metric functions of ``auditor.metrics``).

Figures over whole sets (every member, no sampling; O(n) memory):

* subjects: mean pairwise cosine of the embeddings (``topics.mean_pairwise_cosine_from_summary``
  of summed unit vectors: one pass over the embedding store for all sets at once);
* structure: repeated openings (``structure.repetition_share`` of the opening keys);
* copies: share of the set in near-copy families (``duplication.duplicate_share`` of the site
  families restricted to the set);
* niche ideas: topic coverage (``tails.topic_coverage`` of the set's cluster shares).

Figures on **equal word budgets** (REFERENCE.md: compression ratio, n-gram diversity and rare
words change with the amount of text): from each set, documents in a seeded random order, each
cut to ``sampling.text_budget`` words, until the same number of words for every set
(``curate.report_words`` at most); their texts are read again (a second pass over the files
that hold them) and split into lower-cased words by the regular expression of the site-wide
near-copies (``features.tokens.plain_words``: microseconds a text, where spaCy takes
milliseconds; every set is tokenised the same way, so the comparison is fair, but the values
differ a little from an audit's, which uses spaCy's tokens and lemmas):

* wording: compression ratio (``wording.compression_ratio``) and n-gram diversity
  (``wording.ngram_diversity``);
* structure: template coverage of function-word shapes (``structure.template_share``; spaCy's
  stop words kept, other words ``X``, numbers ``0``, no punctuation);
* niche ideas: rare-word mass of the words (``tails.rare_word_mass``; word forms, not lemmas).

Random subsets are drawn without replacement, seeded (``--seed``); the kept set "beats" them on
a figure when it is less samey than every one of them.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from auditor.app.curate_index import CurateIndex, EmbeddingStore
from auditor.app.site_duplicates import reread
from auditor.config import AuditOptions, IngestOptions
from auditor.features.lexicon import stop_words
from auditor.features.tokens import plain_words
from auditor.judge.curate import beats_all
from auditor.metrics import duplication, structure, tails, topics, wording
from auditor.metrics.registry import BY_NAME
from auditor.metrics.sampling import stable_seed
from auditor.metrics.selection import cut_to_budget
from auditor.results import CurateMeasure
from auditor.types import Document

WHOLE_SET = ("topics.mean_cosine", "structure.opening_repetition",
             "duplication.near_duplicate_share", "tails.topic_coverage")
ON_BUDGET = ("wording.compression_ratio", "wording.ngram_diversity",
             "structure.template_share", "tails.rare_word_mass")
ORDER = ("topics.mean_cosine", "wording.compression_ratio", "wording.ngram_diversity",
         "structure.opening_repetition", "structure.template_share",
         "duplication.near_duplicate_share", "tails.topic_coverage", "tails.rare_word_mass")
MARGIN = 1.25  # documents drawn for a budget: this many times its words, before tokenising


def set_sums(store: EmbeddingStore, sets: Sequence[np.ndarray]) -> np.ndarray:
    """``(len(sets), d)``: the sum of the embeddings of each set (row numbers), in one pass."""
    member = np.zeros((store.rows, len(sets)), dtype=bool)
    for s, ids in enumerate(sets):
        member[ids, s] = True
    sums = np.zeros((len(sets), store.dim), dtype=np.float64)
    for lo, X in store.chunks():
        sums += member[lo:lo + len(X)].T.astype(np.float32) @ X
    return sums


def mean_similarity(store: EmbeddingStore, sets: Sequence[np.ndarray]) -> list[float]:
    """Mean pairwise cosine of each set (rows are unit vectors)."""
    return [topics.mean_pairwise_cosine_from_summary(s, len(ids))
            for s, ids in zip(set_sums(store, sets), sets)]


def read_texts(root: Path, options: IngestOptions, index: CurateIndex,
               ids: Sequence[int]) -> dict[int, Document]:
    """The documents ``ids``, read again from their files (``site_duplicates.reread``)."""
    return reread(index.site, ids, root, options)


def _budget_samples(sets: Sequence[np.ndarray], words: np.ndarray, budget_words: int,
                    text_budget: int, seed: int) -> list[np.ndarray]:
    """Per set, documents in a seeded random order until about ``budget_words * MARGIN``
    words (each counted up to ``text_budget``)."""
    out = []
    for s, ids in enumerate(sets):
        order = np.random.default_rng(stable_seed(seed, "curate-budget", s)).permutation(ids)
        total = np.cumsum(np.minimum(words[order], text_budget))
        out.append(order[:int(np.searchsorted(total, budget_words * MARGIN)) + 1])
    return out


def compare(root: Path, options: AuditOptions, ingest: IngestOptions, index: CurateIndex, *,
            kept: np.ndarray, cluster: np.ndarray, n_clusters: int, family: np.ndarray,
            seed: int) -> tuple[list[CurateMeasure], int]:
    """The report's figures (module docstring) and the word budget they used."""
    n, c = index.n, options.curate
    ids_kept = np.flatnonzero(kept)
    rng = np.random.default_rng(stable_seed(seed, "curate-random-subsets"))
    randoms = [np.sort(rng.choice(n, size=len(ids_kept), replace=False))
               for _ in range(c.random_subsets)]
    sets = [ids_kept, np.arange(n), *randoms]
    values: dict[str, list[float]] = {name: [] for name in (*WHOLE_SET, *ON_BUDGET)}
    values["topics.mean_cosine"] = mean_similarity(index.store, sets)
    a = index.arrays()
    for ids in sets:
        openings = [int(k) or None for k in a["keys"][ids, 0]]
        values["structure.opening_repetition"].append(structure.repetition_share(openings))
        fam = family[ids]
        groups: dict[int, list[int]] = {}
        for i, f in zip(ids.tolist(), fam.tolist()):
            if f >= 0:
                groups.setdefault(f, []).append(i)
        values["duplication.near_duplicate_share"].append(
            duplication.duplicate_share(list(groups.values()), len(ids)))
        values["tails.topic_coverage"].append(
            tails.topic_coverage(tails.cluster_shares(cluster[ids], n_clusters)))
    budget = options.sampling.text_budget
    samples = _budget_samples(sets, a["words"], c.report_words, budget, seed)
    union = np.unique(np.concatenate(samples)) if samples else np.zeros(0, np.int64)
    docs = read_texts(root, ingest, index, union.tolist())
    tok = {i: plain_words(d.text)[:budget] for i, d in docs.items()}
    chosen = [[i for i in s.tolist() if i in tok] for s in samples]
    words_in = [sum(len(tok[i]) for i in s) for s in chosen]
    word_budget = int(min([c.report_words, *words_in]))
    stop = stop_words()
    for s in chosen:
        words = cut_to_budget([tok[i] for i in s], word_budget)
        shapes = [[w if w in stop else "0" if w.isdigit() else "X" for w in ws] for ws in words]
        values["wording.compression_ratio"].append(
            wording.compression_ratio([" ".join(w) for w in words]))
        values["wording.ngram_diversity"].append(wording.ngram_diversity(words))
        values["structure.template_share"].append(structure.template_share(shapes))
        values["tails.rare_word_mass"].append(tails.rare_word_mass(words))
    return [_measure(name, values[name]) for name in ORDER], word_budget


def _measure(name: str, v: list[float]) -> CurateMeasure:
    spec = BY_NAME[name]
    rand = np.asarray(v[2:], dtype=float)
    finite = rand[np.isfinite(rand)]
    low, high, mean = ((float(finite.min()), float(finite.max()), float(finite.mean()))
                       if finite.size else (float("nan"),) * 3)
    return CurateMeasure(name=name, layer=spec.layer, label=spec.short or spec.label,
                         direction=spec.direction, kept=float(v[0]), corpus=float(v[1]),
                         random_low=low, random_high=high, random_mean=mean,
                         beats_random=beats_all(v[0], v[2:], spec.direction),
                         random=tuple(float(x) for x in v[2:]))
