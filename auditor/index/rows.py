"""The per-document rows of the index, computed from the audit's own features
(:func:`auditor.metrics.corpus.build_features`: the same tokens, embeddings, MinHash signatures,
openings, closings and heading outlines as ``samey audit``), then encoded for storage: key
hashes, content 2-4-gram hashes, shape ids. Rows of an earlier generation are copied instead.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import numpy as np

from auditor.features.embeddings import TextEmbedder
from auditor.index.files import FIXED, RAGGED, ragged_rows
from auditor.index.keys import (
    content_grams,
    key_hash,
    outline_key,
    phrase_hash,
    stock_closing,
    stock_opening,
)
from auditor.metrics.corpus import CorpusFeatures, build_features
from auditor.types import Document

Rows = dict[str, Any]
MAX_SHAPE_ID = int(np.iinfo(np.uint16).max)


def featurise(docs: Sequence[Document], embedder: TextEmbedder, *, budget: int,
              stop: Collection[str], vocab: dict[str, int]) -> Rows:
    """The rows of ``docs`` (see ``files.FIXED`` and ``files.RAGGED``), featurised by the
    audit's :func:`build_features`; new shape tokens are added to ``vocab``. The key
    ``"_outlines"`` holds each document's heading outline key (for ``docs.sqlite``)."""
    return feature_rows(docs, build_features(docs, embedder, text_budget=budget),
                        stop=stop, vocab=vocab)


def feature_rows(docs: Sequence[Document], f: CorpusFeatures, *, stop: Collection[str],
                 vocab: dict[str, int]) -> Rows:
    """:func:`featurise` from already-computed features."""
    skeletons = [s or None for s in f.skeletons]
    shapes = [np.array([vocab.setdefault(s, len(vocab)) for s in sh], dtype=np.int64)
              for sh in f.shapes]
    if len(vocab) > MAX_SHAPE_ID:
        raise ValueError(f"more than {MAX_SHAPE_ID:,} distinct shape tokens")

    def hashes(keys: Sequence[str | None]) -> np.ndarray:
        return np.array([key_hash(k) for k in keys], dtype=np.uint64)

    return {
        "embeddings": np.asarray(f.embeddings, dtype=np.float32),
        "signatures": f.signatures,
        "dates": np.array([d.date.toordinal() if d.date else 0 for d in docs], dtype=np.int32),
        "opening": hashes(f.openings),
        "closing": hashes(f.closings),
        "stock_opening": hashes([stock_opening(o) for o in f.openings]),
        "stock_closing": hashes([stock_closing(c) for c in f.closings]),
        "outline": hashes([outline_key(s) for s in skeletons]),
        "n_headings": np.array([len(s) if s else 0 for s in skeletons], dtype=np.int16),
        "grams": [np.array(sorted(phrase_hash(g) for g in content_grams(w, stop)),
                           dtype=np.uint64) for w in f.words],
        "shapes": [s.astype(np.uint16) for s in shapes],
        "_outlines": [outline_key(s) for s in skeletons],
    }


def copy_rows(arrays: dict[str, np.ndarray], rows: Sequence[int], *, old_vocab: Sequence[str],
              vocab: dict[str, int]) -> Rows:
    """The stored rows ``rows`` of an earlier generation, their shape ids translated from
    ``old_vocab`` to ``vocab``."""
    out: Rows = {name: np.asarray(arrays[name][np.asarray(rows, dtype=np.int64)])
                 for name in FIXED}
    for name in RAGGED:
        out[name] = ragged_rows(arrays[name], arrays[f"{name}_off"], rows)
    table = np.array([vocab.setdefault(s, len(vocab)) for s in old_vocab] or [0],
                     dtype=np.uint16)
    out["shapes"] = [table[ids] if len(ids) else ids for ids in out["shapes"]]
    return out


def merge_rows(parts: Sequence[tuple[Sequence[int], Rows]]) -> Rows:
    """One batch's rows in batch order, from parts that each hold some batch positions."""
    order = np.argsort(np.concatenate([np.asarray(p, dtype=np.int64) for p, _ in parts]),
                       kind="stable")
    rows: Rows = {}
    for name, (dtype, _) in FIXED.items():
        rows[name] = np.concatenate([np.asarray(g[name], dtype=dtype) for _, g in parts])[order]
    for name in RAGGED:
        flat = [x for _, g in parts for x in g[name]]
        rows[name] = [flat[j] for j in order]
    return rows
