"""The corpus-level parts of the index, recomputed from the stored per-document rows on every
update (never by re-embedding), as small pure functions over arrays:

- phrases: document frequencies of the content 2-4-gram hashes (:func:`gram_frequencies`), per
  document the number of its phrases shared by many other documents (:func:`phrase_scores`),
  the frequencies kept for lookups (:func:`stored_grams`);
- templates: shape 5-grams coded exactly in 64 bits (:func:`shape_codes`), counted once per
  document (:func:`template_counts`), selected as ``metrics.structure.shape_ngram_templates``
  does (:func:`select_templates`), named (:func:`template_table`), and each document's
  coverage (:func:`template_coverage_rows`);
- the reference: the documents it is drawn from (:func:`reference_rows`), their nearest other
  documents and MinHash overlaps (:func:`reference_neighbours`), the corpus's own
  nearest-neighbour sample (:func:`corpus_nn_sample`);
- the latest period as the audit splits the dated documents (:func:`latest_period`) and the
  phrases amplified in it (:func:`amplified`, the rule in ``judge.amplified``).

:func:`corpus_level` runs them in order and saves the arrays (the one function here that
writes).

Ragged arrays are read in blocks of ``ROW_BLOCK`` rows; counts are merged in sorted numpy
arrays, not Python counters. Gram frequencies are counted in passes over hash classes
(``hash % passes``) of at most ``GRAMS_PER_PASS`` values each, keeping only the grams of at
least ``MIN_SHARED_DOCS`` documents (no rarer gram is stored or scored): memory is one pass's
values and the kept grams (12 bytes each), not the corpus's distinct grams (at a million
posts one pass over all of them peaked at 11,322 MiB).
"""
from __future__ import annotations

import datetime as dt
import math
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from auditor.config import AuditOptions
from auditor.index.files import chunks
from auditor.index.search import (
    aligned_norms,
    model_queries,
    nearest_rows,
    pair_overlap,
    row_norms,
    two_stage,
)
from auditor.judge.draft import min_shared_docs
from auditor.judge.thresholds import MIN_SHARED_DOCS
from auditor.metrics.structure import (
    TEMPLATE_FUNCTION_WORDS,
    TEMPLATE_N,
    is_function_word,
    template_min_count,
)

ROW_BLOCK = 65_536   # rows per block when reading the ragged arrays
GRAMS_PER_PASS = 16_000_000  # gram hashes counted at a time (128 MB, the sort's input)
CODE_BITS = 64       # shape 5-grams are coded exactly in one uint64
#: Neighbours stored per reference document: the reference similarity is the first of them that
#: is not a textual copy; a post reposted more than this many times is left out of the reference.
REF_NEIGHBOURS = 10
REF_SAMPLE = 10_000  # reference documents when the whole corpus is the reference
NN_SAMPLE = 10_000   # documents whose nearest-other similarity summarises the corpus
AMPLIFIED_TOP = 30   # amplified phrases stored
SEED = 0

Block = tuple[int, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Baseline:
    """The validated baseline of a corpus as the audit's reference pass found it, and the pools
    the audit compared (their words feed the amplified phrases)."""

    labels: tuple[str, ...]
    doc_ids: frozenset[str]
    rule: str | None
    warnings: tuple[str, ...]
    latest_label: str                       # the audit's last period
    latest_is_baseline: bool
    latest_words: Sequence[Sequence[str]] = field(default=())    # its pool's words
    baseline_words: Sequence[Sequence[str]] = field(default=())  # the baseline pools' words


@dataclass(frozen=True)
class Staged:
    """How a two-stage index (first-stage rows stored, the model for what decides) measures
    its reference: ``P`` the alignment map of the first-stage rows
    (``features.static.fit_alignment``), ``full_rows(rows)`` the model's vectors of stored
    rows, and the ``[scale]`` sizes: the reference posts whose neighbours the model rescores
    (a seeded sample of ``calibration_docs``) and the first-stage candidates each."""

    P: np.ndarray
    full_rows: Callable[[np.ndarray], np.ndarray]
    calibration_docs: int
    candidates: int


# ---------------------------------------------------------------- ragged blocks and counts


def ragged_blocks(flat: np.ndarray, off: np.ndarray, size: int = ROW_BLOCK) -> Iterator[Block]:
    """(first row, values, row of each value minus the first row) for blocks of rows."""
    n = len(off) - 1
    for a in range(0, n, size):
        b = min(n, a + size)
        lo, hi = int(off[a]), int(off[b])
        lengths = np.diff(np.asarray(off[a:b + 1]))
        yield a, np.asarray(flat[lo:hi]), np.repeat(np.arange(b - a), lengths)


def per_row(rows: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """Sum of ``weights`` per row, for ``n`` rows."""
    return np.bincount(rows, weights=weights, minlength=n)[:n]


def count_merge(keys: np.ndarray, counts: np.ndarray, new: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Add the values ``new`` (one count each) to the sorted (keys, counts)."""
    u, c = np.unique(new, return_counts=True)
    k2, inv = np.unique(np.concatenate([keys, u]), return_inverse=True)
    allc = np.concatenate([counts, c.astype(np.int64)])
    return k2, np.bincount(inv.ravel(), weights=allc, minlength=len(k2)).astype(np.int64)


# ---------------------------------------------------------------- phrases


def gram_frequencies(grams: np.ndarray, off: np.ndarray, *, at_least: int = 1,
                     per_pass: int = GRAMS_PER_PASS) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct gram hashes of at least ``at_least`` documents and their document
    frequencies (each document's grams are distinct). Counted in ``ceil(values / per_pass)``
    passes, pass ``p`` over the hashes with ``hash % passes == p``: one ``np.unique`` of at
    most about ``per_pass`` values at a time.

    >>> g = np.array([5, 7, 5, 9, 5, 7], dtype=np.uint64); off = np.array([0, 2, 4, 6])
    >>> [x.tolist() for x in gram_frequencies(g, off)]
    [[5, 7, 9], [3, 2, 1]]
    >>> [x.tolist() for x in gram_frequencies(g, off, at_least=2, per_pass=2)]
    [[5, 7], [3, 2]]
    """
    passes = max(1, math.ceil(int(off[-1]) / max(1, per_pass)))
    keys: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    for p in range(passes):
        vals = [v if passes == 1 else v[v % np.uint64(passes) == p]
                for _, v, _ in ragged_blocks(grams, off)]
        k, c = np.unique(np.concatenate(vals) if vals else np.zeros(0, np.uint64),
                         return_counts=True)
        kept = c >= at_least
        keys.append(k[kept])
        counts.append(c[kept].astype(np.int64))
    k, c = np.concatenate(keys), np.concatenate(counts)
    order = np.argsort(k, kind="stable")
    return k[order], c[order]


def phrase_scores(grams: np.ndarray, off: np.ndarray, keys: np.ndarray, counts: np.ndarray,
                  *, shared: int) -> np.ndarray:
    """Per document: its distinct grams that at least ``shared`` *other* documents contain.
    ``keys`` / ``counts``: :func:`gram_frequencies` (a gram not among ``keys`` counts as rarer
    than ``shared``: it must be, when they hold every gram of more than ``shared`` documents)."""
    n = len(off) - 1
    out = np.zeros(n, dtype=np.float64)
    for a, vals, rows in ragged_blocks(grams, off):
        df = np.zeros(len(vals), np.int64)
        if len(vals) and len(keys):
            at = np.minimum(np.searchsorted(keys, vals), len(keys) - 1)
            df = np.where(keys[at] == vals, counts[at], 0)
        m = min(n - a, ROW_BLOCK)
        out[a:a + m] = per_row(rows, (df - 1 >= shared).astype(np.float64), m)
    return out


def stored_grams(keys: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (hashes, document frequencies) kept for lookups: grams in at least
    ``MIN_SHARED_DOCS`` documents (no rarer gram is ever "shared by many")."""
    kept = counts >= MIN_SHARED_DOCS
    return keys[kept], counts[kept].astype(np.int32)


# ---------------------------------------------------------------- templates


def code_bits(n_shapes: int) -> int:
    """Bits per shape id so that a shape 5-gram is coded exactly in ``CODE_BITS`` bits."""
    bits = max(1, math.ceil(math.log2(max(2, n_shapes))))
    # not a threshold: bit packing
    if bits * TEMPLATE_N > CODE_BITS:
        raise ValueError("shape vocabulary too large for exact 5-gram codes")
    return bits


def shape_codes(ids: np.ndarray, rows: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Shape 5-gram codes (``bits`` per id) at every position that starts a 5-gram inside one
    document, and their rows."""
    m = len(ids) - TEMPLATE_N + 1
    if m <= 0:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    x = ids.astype(np.uint64)
    code = np.zeros(m, dtype=np.uint64)
    for j in range(TEMPLATE_N):
        code = (code << np.uint64(bits)) | x[j:j + m]
    ok = rows[:m] == rows[TEMPLATE_N - 1:]
    return code[ok], rows[:m][ok]


def template_counts(shapes: np.ndarray, off: np.ndarray, bits: int
                    ) -> tuple[np.ndarray, np.ndarray, int]:
    """(sorted distinct 5-gram codes, documents containing each, documents with a 5-gram)."""
    keys, counts = np.zeros(0, np.uint64), np.zeros(0, np.int64)
    has_gram = np.zeros(len(off) - 1, dtype=bool)
    for a, vals, rows in ragged_blocks(shapes, off):
        code, crow = shape_codes(vals, rows, bits)
        has_gram[crow + a] = True
        order = np.lexsort((code, crow))  # each document's distinct codes
        code, crow = code[order], crow[order]
        first = np.ones(len(code), dtype=bool)
        first[1:] = (code[1:] != code[:-1]) | (crow[1:] != crow[:-1])
        keys, counts = count_merge(keys, counts, code[first])
    return keys, counts, int(has_gram.sum())


def _shape_at(codes: np.ndarray, j: int, bits: int) -> np.ndarray:
    """The shape id at position ``j`` of each code."""
    mask = np.uint64((1 << bits) - 1)
    return ((codes >> np.uint64(bits * (TEMPLATE_N - 1 - j))) & mask).astype(np.int64)


def select_templates(codes: np.ndarray, counts: np.ndarray, n_with: int, names: Sequence[str],
                     bits: int) -> tuple[np.ndarray, np.ndarray, int]:
    """The template codes and counts (as ``structure.shape_ngram_templates``: in at least
    ``template_min_count(n_with)`` documents, with ``TEMPLATE_FUNCTION_WORDS`` function
    words) and that minimum count."""
    min_count = template_min_count(n_with)
    is_fw = np.array([is_function_word(s) for s in names] or [False], dtype=np.int64)
    fw = sum((is_fw[_shape_at(codes, j, bits)] for j in range(TEMPLATE_N)),
             start=np.zeros(len(codes), dtype=np.int64))
    # not a threshold: the template definition (metrics.structure)
    keep = (counts >= min_count) & (fw >= TEMPLATE_FUNCTION_WORDS)
    return codes[keep], counts[keep], min_count


def decode(code: int, names: Sequence[str], bits: int) -> str:
    """The space-joined shapes of a 5-gram code."""
    c = np.array([code], dtype=np.uint64)
    return " ".join(names[int(_shape_at(c, j, bits)[0])] for j in range(TEMPLATE_N))


def template_table(codes: np.ndarray, counts: np.ndarray, names: Sequence[str],
                   bits: int) -> dict[str, int]:
    """Template text -> documents, most common first (ties by text)."""
    named = [(decode(int(c), names, bits), int(k)) for c, k in zip(codes, counts)]
    return dict(sorted(named, key=lambda tk: (-tk[1], tk[0])))


def template_coverage_rows(shapes: np.ndarray, off: np.ndarray, templates: np.ndarray,
                           bits: int) -> np.ndarray:
    """Per document: the share of its 5-gram positions that are templates (0 without one)."""
    n = len(off) - 1
    hits = np.zeros(n, dtype=np.float64)
    positions = np.zeros(n, dtype=np.float64)
    for a, vals, rows in ragged_blocks(shapes, off):
        code, crow = shape_codes(vals, rows, bits)
        m = min(n - a, ROW_BLOCK)
        positions[a:a + m] = per_row(crow, np.ones(len(code)), m)
        hits[a:a + m] = per_row(crow, np.isin(code, templates).astype(np.float64), m)
    return np.divide(hits, positions, out=np.zeros(n), where=positions > 0)


# ---------------------------------------------------------------- the reference


def reference_rows(is_baseline: np.ndarray, *, whole_corpus: bool,
                   rng: np.random.Generator) -> np.ndarray:
    """The rows the reference is measured on: every baseline row, or a seeded sample of at
    most ``REF_SAMPLE`` when the whole corpus is the reference."""
    rows = np.flatnonzero(is_baseline)
    # not a threshold: a sample size (cost)
    if whole_corpus and len(rows) > REF_SAMPLE:
        rows = np.sort(rng.choice(rows, REF_SAMPLE, replace=False))
    return rows.astype(np.int64)


def reference_neighbours(E: np.ndarray, norms: np.ndarray, signatures: np.ndarray,
                         rows: np.ndarray, staged: Staged | None = None
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each reference row's ``REF_NEIGHBOURS`` nearest other rows of the whole corpus: their
    indices, cosines and MinHash Jaccards (-1 where a side has no shingle). A two-stage index
    (``staged``) finds them among the first stage's candidates, rescored by the model."""
    k = min(REF_NEIGHBOURS, E.shape[0] - 1)
    if staged is None:
        idx, sims = nearest_rows(E[rows], E, k=k, exclude=rows, norms=norms)
    else:
        Q = staged.full_rows(rows)
        idx, sims = two_stage(model_queries(Q, staged.P), E, Q, staged.full_rows, k=k,
                              candidates=max(k, staged.candidates), exclude=rows, norms=norms)
    return idx, sims, pair_overlap(signatures, rows, idx)


def corpus_nn_sample(E: np.ndarray, norms: np.ndarray, *, rng: np.random.Generator
                     ) -> np.ndarray:
    """The nearest-other-row similarity of a seeded sample of at most ``NN_SAMPLE`` rows
    (every row below that): the corpus's own distribution."""
    n = E.shape[0]
    # not a threshold: a sample size (cost)
    sample = np.arange(n) if n <= NN_SAMPLE else np.sort(rng.choice(n, NN_SAMPLE,
                                                                    replace=False))
    return nearest_rows(E[sample], E, k=1, exclude=sample, norms=norms)[1][:, 0]


def latest_period(dates: np.ndarray, *, period: str, min_docs: int
                  ) -> tuple[str, np.ndarray] | None:
    """The latest period (label, rows) as the audit splits the dated rows (``dates``:
    proleptic ordinals, 0 undated); ``None`` when undated or a single period."""
    from auditor.ingest.periods import make_periods, merge_small
    from auditor.metrics.sampling import MIN_SAMPLE

    ordinals = np.asarray(dates)
    dated = np.flatnonzero(ordinals)
    if not len(dated):
        return None
    dated = dated[np.argsort(ordinals[dated], kind="stable")]
    uniq, inv = np.unique(ordinals[dated], return_inverse=True)
    as_dates = [dt.date.fromordinal(int(o)) for o in uniq]
    periods, _ = make_periods([as_dates[i] for i in inv], period=period, min_docs=min_docs)
    periods, _ = merge_small(periods, min_sample=MIN_SAMPLE)  # as app.prepare does
    if not periods[:-1]:  # a single period: no "latest" against anything
        return None
    return periods[-1].label, dated[np.asarray(periods[-1].doc_indices, dtype=np.int64)]


def amplified(baseline: Baseline | None, latest: str | None, *, stop: frozenset[str]
              ) -> tuple[list[dict[str, Any]], int]:
    """The phrases amplified in the latest period against the validated baseline (the rule of
    ``judge.amplified``, on the audit's pools) and how many phrases were tested; none without
    a baseline, or when the audit's last period is not the latest or is a baseline period."""
    from auditor.judge.amplified import amplified as rule
    from auditor.judge.thresholds import AMPLIFIED_MIN_DOCS
    from auditor.metrics.wording import amplified_phrases

    b = baseline
    if b is None or latest is None or b.latest_label != latest or b.latest_is_baseline:
        return [], 0
    cands = amplified_phrases(b.latest_words, b.baseline_words, min_docs=AMPLIFIED_MIN_DOCS,
                              top=sys.maxsize, stop_words=stop)
    found, tested = rule(cands, period_posts=len(b.latest_words),
                         baseline_posts=len(b.baseline_words), top=AMPLIFIED_TOP)
    return [a.to_dict() for a in found], tested


# ---------------------------------------------------------------- all of it


def baseline_flags(folder: Path, baseline: Baseline | None, n: int
                   ) -> tuple[np.ndarray, dict[str, Any]]:
    """(is_baseline per row, the ``reference`` part of ``meta``): the baseline's documents
    found in ``docs.sqlite`` by key; every row (the whole corpus) without one."""
    is_baseline = np.zeros(n, dtype=bool)
    if baseline is not None:
        with sqlite3.connect(folder / "docs.sqlite") as db:
            for part in chunks(sorted(baseline.doc_ids)):
                q = f"SELECT row FROM docs WHERE key IN ({','.join('?' * len(part))})"
                is_baseline[[r for (r,) in db.execute(q, list(part))]] = True
    if baseline is None or not is_baseline.any():
        why = ("the corpus has no dates or a single period" if baseline is None
               else "the baseline holds none of the indexed documents")
        return np.ones(n, dtype=bool), {
            "source": "corpus", "labels": [], "n_docs": n, "rule": None, "reason": why,
            "warnings": [] if baseline is None else list(baseline.warnings)}
    return is_baseline, {"source": "baseline", "labels": list(baseline.labels),
                         "n_docs": int(is_baseline.sum()), "rule": baseline.rule,
                         "warnings": list(baseline.warnings)}


def corpus_level(per_doc: dict[str, np.ndarray], folder: Path, options: AuditOptions, *,
                 baseline: Baseline | None, shape_vocab: Sequence[str],
                 stop: frozenset[str], staged: Staged | None = None) -> dict[str, Any]:
    """Every corpus-level part from the stored per-document arrays: saves the arrays in
    ``folder`` and returns their part of ``meta``. A two-stage index (``staged``) stores the
    alignment map and the aligned norms, and measures the reference on a seeded sample of
    ``staged.calibration_docs`` reference posts; its corpus nearest-neighbour sample is that
    of the same posts."""
    n = int(per_doc["dates"].shape[0])
    E, sig = per_doc["embeddings"], per_doc["signatures"]
    norms = row_norms(E) if staged is None else aligned_norms(E, staged.P)
    shared = min_shared_docs(options.check.min_shared_docs, n)
    keys, counts = gram_frequencies(per_doc["grams"], per_doc["grams_off"],
                                    at_least=MIN_SHARED_DOCS)
    scores = phrase_scores(per_doc["grams"], per_doc["grams_off"], keys, counts, shared=shared)
    ngram_hashes, ngram_df = stored_grams(keys, counts)
    del keys, counts
    bits = code_bits(len(shape_vocab))
    codes, ccounts, n_with = template_counts(per_doc["shapes"], per_doc["shapes_off"], bits)
    tcodes, tcounts, min_count = select_templates(codes, ccounts, n_with, shape_vocab, bits)
    del codes, ccounts
    coverage = template_coverage_rows(per_doc["shapes"], per_doc["shapes_off"], tcodes, bits)
    is_baseline, reference = baseline_flags(folder, baseline, n)
    whole = reference["source"] == "corpus"
    rng = np.random.default_rng(SEED)
    ref_rows = reference_rows(is_baseline, whole_corpus=whole, rng=rng)
    if staged is not None and len(ref_rows) > staged.calibration_docs:
        ref_rows = np.sort(rng.choice(ref_rows, staged.calibration_docs, replace=False))
    nbr_idx, nbr_sims, nbr_jac = reference_neighbours(E, norms, sig, ref_rows, staged)
    nn_sims = (nbr_sims[:, 0].copy() if whole or staged is not None
               else corpus_nn_sample(E, norms, rng=rng))
    latest = latest_period(per_doc["dates"], period=options.period, min_docs=options.min_docs)
    is_recent = np.zeros(n, dtype=bool)
    if latest is not None:
        is_recent[latest[1]] = True
    found, tested = amplified(None if whole else baseline, latest[0] if latest else None,
                              stop=stop)
    arrays = {"ngram_hashes": ngram_hashes, "ngram_df": ngram_df, "phrase_scores": scores,
              "template_cov": coverage, "is_baseline": is_baseline, "is_recent": is_recent,
              "ref_rows": ref_rows, "ref_nbr_idx": nbr_idx.astype(np.int64),
              "ref_nbr_sims": nbr_sims.astype(np.float64), "ref_nbr_jac": nbr_jac,
              "nn_sims": nn_sims.astype(np.float64), "norms": norms,
              "align": (np.zeros((0, 0), np.float32) if staged is None
                        else np.asarray(staged.P, np.float32))}
    for name, arr in arrays.items():
        np.save(folder / f"{name}.npy", arr)
    return {"min_shared_docs": shared,
            "templates": template_table(tcodes, tcounts, shape_vocab, bits),
            "template_min_docs": min_count, "reference": reference,
            "baseline": reference["labels"],
            "latest_period": latest[0] if latest is not None else None,
            "amplified": found, "amplified_tested": tested, "dim": int(E.shape[1]),
            "stages": "two" if staged is not None else "one"}

