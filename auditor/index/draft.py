"""What a draft shares with the corpus index: measurements only (``judge.draft`` decides).

For each draft, featurised by the audit's ``build_features`` like every corpus document: its
nearest posts (cosine, :func:`~auditor.index.search.nearest_rows` over the memory-mapped
embeddings; in a two-stage index :func:`~auditor.index.search.two_stage`: the first stage's
candidates and the post with the most shared shingles, rescored by the model), its MinHash
overlap with every post, the corpus document frequency of each of its
content 2-4-grams, the posts that share its opening, closing and heading outline, its template
coverage and the templates it uses, the amplified phrases it contains, and its *frames* (the
template-fill rule): how many posts of the latest period and of the baseline share its first /
last ``STOCK_WORDS`` words and its heading outline (same number of headings, all but at most
one equal: ``judge.draft.same_outline``).
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from auditor.index.keys import (
    content_grams,
    outline_key,
    phrase_hash,
    shape_grams,
    stock_closing,
    stock_opening,
    template_coverage,
)
from auditor.index.search import is_empty_signature, model_queries, nearest_rows, two_stage
from auditor.index.store import CorpusIndex
from auditor.judge.draft import loose_outline, same_outline
from auditor.metrics.corpus import CorpusFeatures
from auditor.metrics.wording import contains_phrase

Outline = tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class Frame:
    """One frame of a draft (opening, closing or heading outline) in the latest period."""

    element: str                   # opening | closing | heading_outline
    text: str
    latest_docs: int               # latest-period posts that share it
    latest_share: float
    baseline_share: float | None   # None: no baseline to grow against


@dataclass(frozen=True)
class DraftMatch:
    """What one draft shares with the corpus (see the module docstring)."""

    words: int
    nearest: list[dict[str, Any]]          # path, title, date, similarity; best first
    nearest_rows: list[int]
    jaccard_nearest: float                 # MinHash Jaccard with the nearest post
    jaccard_row: int                       # the post sharing most shingles ...
    jaccard: float                         # ... and that Jaccard (0: the draft has none)
    grams: list[tuple[str, int]]           # its content 2-4-grams and their corpus counts
    elements: dict[str, tuple[str | None, int]]  # opening/closing/outline: (key, posts)
    skeleton: Outline
    template_coverage: float
    templates_used: list[tuple[str, int]]  # distinct corpus templates it uses, by posts
    amplified: list[dict[str, Any]]        # the corpus's amplified phrases it uses
    frames: list[Frame]
    frames_period: str | None              # the latest period (None: the whole corpus)


class FrameCounter:
    """Counts, on the index's per-document key hashes, how many posts of the latest period
    (the whole corpus without one) and of the baseline share a draft's frames."""

    def __init__(self, index: CorpusIndex) -> None:
        self.index = index
        recent = np.asarray(index.is_recent)
        has_recent = bool(recent.any())
        if not has_recent:
            recent = np.ones(index.n_docs, dtype=bool)
        self.label: str | None = index.meta.get("latest_period") if has_recent else None
        self.growth = has_recent and index.meta["reference"]["source"] == "baseline"
        base = np.asarray(index.is_baseline)
        self.n_recent, self.n_base = int(recent.sum()), int(base.sum())
        self.rows = np.flatnonzero(recent | base)
        self.rows_recent = recent[self.rows]
        self.rows_base = base[self.rows]

    def _hits(self, name: str, key: str) -> np.ndarray:
        keys = np.asarray(self.index.arrays[name][self.rows])
        return np.asarray(keys == np.uint64(phrase_hash(key)))

    def _outline_hits(self, key: Outline) -> np.ndarray:
        """Rows whose outline is the same frame as ``key``: equal hashes when it must be
        equal, else the stored outlines of the same length compared heading by heading."""
        if loose_outline(len(key)):  # one heading may differ: compare heading by heading
            found = self.index.outlines(len(key))
            return np.array([same_outline(key, found.get(int(r))) for r in self.rows],
                            dtype=bool)
        return self._hits("outline", outline_key(key) or "")

    def frames(self, opening: str | None, closing: str | None, skeleton: Outline) -> list[Frame]:
        """One entry per frame the draft has."""
        items = []
        if opening:
            text = stock_opening(opening) or ""
            items.append(("opening", text, self._hits("stock_opening", text)))
        if closing:
            text = stock_closing(closing) or ""
            items.append(("closing", text, self._hits("stock_closing", text)))
        if skeleton:
            items.append(("heading_outline", " / ".join(t for _, t in skeleton),
                          self._outline_hits(skeleton)))
        out = []
        for what, text, hit in items:
            r = int((hit & self.rows_recent).sum())
            b = int((hit & self.rows_base).sum())
            out.append(Frame(what, text, r, r / self.n_recent if self.n_recent else 0.0,
                             (b / self.n_base if self.n_base else 0.0) if self.growth
                             else None))
        return out


def match_drafts(index: CorpusIndex, feats: CorpusFeatures, *, k: int,
                 stop: Collection[str],
                 full_rows: Callable[[np.ndarray], np.ndarray] | None = None,
                 candidates: int = 0) -> list[DraftMatch]:
    """Measure every draft of ``feats`` against the index (``k`` nearest posts each). A
    two-stage index also needs ``full_rows`` (the model's vectors of stored rows) and the
    number of first-stage ``candidates``, found by the drafts' model vectors against the
    aligned first-stage rows (``search.model_queries``)."""
    equal = [index.jaccard(sig) for sig in feats.signatures]
    best = [int(np.argmax(e)) if len(e) else 0 for e in equal]
    if index.two_stage:
        if full_rows is None:
            raise ValueError("a two-stage index needs the model's vectors of stored rows")
        nn_idx, nn_sim = two_stage(
            model_queries(feats.embeddings, np.asarray(index.align)), index.embeddings,
            feats.embeddings, full_rows, k=k, candidates=max(k, candidates),
            extra=[np.array([b], np.int64) for b in best], norms=index.norms)
    else:
        nn_idx, nn_sim = nearest_rows(feats.embeddings, index.embeddings, k=k,
                                      norms=index.norms)
    frames = FrameCounter(index)
    templates = index.meta["templates"]
    return [_match(index, feats, i, nn_idx[i], nn_sim[i], equal[i], frames, templates, stop)
            for i in range(len(feats))]


def _match(index: CorpusIndex, f: CorpusFeatures, i: int, nn_idx: np.ndarray,
           nn_sim: np.ndarray, equal: np.ndarray, frames: FrameCounter,
           templates: dict[str, int], stop: Collection[str]) -> DraftMatch:
    words, shapes, sig = f.words[i], f.shapes[i], f.signatures[i]
    skeleton: Outline = tuple(f.skeletons[i] or ())
    opening, closing = f.openings[i], f.closings[i]
    best = int(np.argmax(equal)) if len(equal) else 0
    empty = bool(is_empty_signature(sig)) or not len(equal)
    grams = sorted(content_grams(words, stop))
    okey = outline_key(skeleton)
    used = {g: templates[g] for g in shape_grams(shapes) if g in templates}
    return DraftMatch(
        words=len(words),
        nearest=[{**ref, "similarity": float(s)} for ref, s in zip(index.refs(nn_idx), nn_sim)],
        nearest_rows=[int(r) for r in nn_idx],
        jaccard_nearest=float(equal[int(nn_idx[0])]) if len(nn_idx) else 0.0,
        jaccard_row=best, jaccard=0.0 if empty else float(equal[best]),
        grams=[(g, int(d)) for g, d in zip(grams, index.df(grams))],
        elements={"opening": (opening, index.count("opening", opening)),
                  "closing": (closing, index.count("closing", closing)),
                  "heading_outline": (okey, index.count("outline", okey))},
        skeleton=skeleton,
        template_coverage=template_coverage(shapes, templates),
        templates_used=sorted(used.items(), key=lambda kv: (-kv[1], kv[0])),
        amplified=[a for a in index.meta.get("amplified", [])
                   if contains_phrase(words, a["phrase"])],
        frames=frames.frames(opening, closing, skeleton), frames_period=frames.label)


def shown(items: Sequence[tuple[str, int]], top: int) -> list[tuple[str, int]]:
    """The ``top`` items with the most posts (then the longest, then by text), skipping an
    item inside an already-shown one ("key benefits" inside "the key benefits of")."""
    ranked = sorted(items, key=lambda gd: (-gd[1], -len(gd[0].split()), gd[0]))
    out: list[tuple[str, int]] = []
    for g, d in ranked:
        if not any(f" {g} " in f" {h} " for h, _ in out):
            out.append((g, d))
        if len(out) == top:
            break
    return out
