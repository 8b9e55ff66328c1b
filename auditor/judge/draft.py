"""The draft rule of ``samey check``: from what a draft shares with the corpus to a status per
layer, an overall status and plain-words reasons.

Per layer (topic, duplication, wording, structure):

* duplication samey: cosine to a corpus post >= ``--duplicate-similarity`` or shared word
  5-grams (MinHash) >= ``duplicate_jaccard``;
* topic watch above the reference's jointly calibrated watch level of nearest-neighbour
  similarity; samey above a fixed ``--max-similarity``, or above the samey level together with
  shared phrases or templates above theirs;
* wording watch: more shared phrases than the reference's watch percentile, or two or more
  phrases the corpus has been amplifying lately (counted and tested: ``judge.amplified``);
* structure watch: an opening, closing or heading outline shared by ``min_shared_docs`` corpus
  posts, sentence templates above the watch percentile, or one stock frame of the latest
  period; samey: two stock frames, or one with template coverage above the samey percentile
  (one more fill of the template that took over recent posts).

Overall: samey when a layer is samey; watch when any layer is watch. The percentile layers
(topic, shared phrases, templates) are calibrated jointly (``judge.check``): about
100 - ``watch_percentile`` % of the reference's own posts are watch on one of them, and a draft
is samey on them only when it is very close in topic *and* repeats the corpus's phrases or
templates beyond the samey level (or is above a fixed ``--max-similarity``); very close alone
is watch.
See docs/check.md and ``judge.check`` for the calibration (percentiles of the validated
baseline).
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.judge.thresholds import (
    AMPLIFIED_IN_DRAFT,
    MIN_DRAFT_WORDS,
    MIN_SHARED_DOCS,
    OUTLINE_LOOSE_FROM,
    OUTLINE_MAX_DIFFERENT,
    SHARED_SHARE,
    STOCK_GROWTH,
    STOCK_SHARE,
)
from auditor.progress import ordinal, plural
from auditor.types import RANK, Status

LAYERS = ("topic", "duplication", "wording", "structure")
_VERBS = {"opening": "opens", "closing": "closes", "heading_outline": "has the heading outline"}


@dataclass(frozen=True)
class DraftSignals:
    """What one draft shares with the corpus (measured by ``auditor.index.draft``)."""

    similarity: float                      # cosine to the nearest corpus post
    percentile: float                      # of ``similarity`` among the reference's posts
    nearest: str                           # the nearest corpus post, by title ("-": none)
    duplicate: Any | None                  # results.NearDuplicate (path, similarity, jaccard)
    shared_phrases: Sequence[tuple[str, int]]   # (phrase, corpus posts), every shared phrase
    shown_phrases: Sequence[tuple[str, int]]    # the few shown as examples
    phrase_percentile: float
    amplified: Sequence[Mapping[str, Any]]      # amplified phrases the draft uses
    latest_period: str | None
    shared_elements: Mapping[str, tuple[str | None, int]]  # opening/closing/outline: (text, posts)
    template_coverage: float
    template_percentile: float
    templates_used: Sequence[tuple[str, int]]
    frames: Sequence[Mapping[str, Any]]    # stock-frame candidates (``stock`` True when stock)
    frames_period: str | None


def is_stock_frame(latest_docs: int, latest_share: float, baseline_share: float | None, *,
                   min_docs: int) -> bool:
    """A frame (opening, closing or outline) of the latest period is *stock* when at least
    ``min_docs`` posts and ``STOCK_SHARE`` of that period's posts have it and, where a validated
    baseline exists (``baseline_share`` not None), its share grew at least ``STOCK_GROWTH``-fold.

    >>> is_stock_frame(12, 0.4, 0.1, min_docs=3), is_stock_frame(12, 0.4, 0.3, min_docs=3)
    (True, False)
    """
    return bool(latest_docs >= min_docs and latest_share >= STOCK_SHARE
                and (baseline_share is None or latest_share >= STOCK_GROWTH * baseline_share))


def min_shared_docs(option: int | None, n_docs: int) -> int:
    """Corpus posts that make a phrase, opening or outline "shared by many": the option, or
    max(``MIN_SHARED_DOCS``, ``SHARED_SHARE`` of the corpus); never below ``MIN_SHARED_DOCS``
    (the index stores no rarer phrase).

    >>> min_shared_docs(None, 10_000), min_shared_docs(None, 50), min_shared_docs(2, 50)
    (100, 3, 3)
    """
    v = option if option is not None else math.ceil(SHARED_SHARE * n_docs)
    return max(MIN_SHARED_DOCS, int(v))


def loose_outline(n_headings: int) -> bool:
    """Whether outlines of this many headings match with one heading different."""
    return n_headings >= OUTLINE_LOOSE_FROM


def same_outline(a: Sequence[tuple[int, str]], b: Sequence[tuple[int, str]] | None) -> bool:
    """Whether two heading outlines are the same frame: the same number of headings, all but
    at most ``OUTLINE_MAX_DIFFERENT`` equal (the topic heading a template fill swaps) from
    ``OUTLINE_LOOSE_FROM`` headings on; shorter outlines must be equal.

    >>> same_outline([(2, "why x"), (2, "key benefits"), (2, "conclusion")],
    ...              [(2, "why y"), (2, "key benefits"), (2, "conclusion")])
    True
    """
    if b is None or len(a) != len(b):
        return False
    if not loose_outline(len(a)):
        return tuple(a) == tuple(b)
    return sum(x != y for x, y in zip(a, b)) <= OUTLINE_MAX_DIFFERENT


def post_name(ref: Any) -> str:
    """A corpus post as a reader knows it: '"Its title" (its path)', or the path alone
    (``ref``: a mapping or an object with ``path`` and ``title``).

    >>> post_name({"path": "blog.jsonl#31", "title": "How to monitor Redis"})
    '"How to monitor Redis" (blog.jsonl#31)'
    """
    if isinstance(ref, dict):
        title, path = ref.get("title"), ref.get("path")
    else:
        title, path = getattr(ref, "title", None), getattr(ref, "path", None)
    return f'"{title}" ({path})' if title else str(path)


def near_duplicate_of(similarity: float, jaccard: float, options: Any) -> str | None:
    """Why a draft is a near-duplicate of a corpus post: ``"cosine"`` (its nearest post at
    cosine ``>= duplicate_similarity``), ``"jaccard"`` (a post sharing ``>= duplicate_jaccard``
    of its word 5-gram shingles, MinHash estimate), or ``None``."""
    if similarity >= options.duplicate_similarity:
        return "cosine"
    return "jaccard" if jaccard >= options.duplicate_jaccard else None


def shared_by_many(items: Sequence[tuple[str, int]], min_docs: int) -> list[tuple[str, int]]:
    """The (item, corpus posts) pairs shared by at least ``min_docs`` posts."""
    return [(g, d) for g, d in items if d >= min_docs]


def short_draft_warning(n_words: int) -> str | None:
    """A warning for a draft too short to judge reliably (under ``MIN_DRAFT_WORDS`` words)."""
    if n_words >= MIN_DRAFT_WORDS:
        return None
    return (f"too short to judge reliably: {plural(n_words, 'word')} (at least "
            f"{MIN_DRAFT_WORDS} are needed for phrases, structure and novelty to mean much); "
            "treat this result as a rough guide.")


def _f(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def judge_draft(s: DraftSignals, cuts: Any, options: Any, *,
                where: str) -> tuple[Status, dict[str, Status], list[str]]:
    """(overall status, status per layer, reasons) of one draft. ``cuts``: the calibrated cuts
    (``results.CheckThresholds``); ``options``: ``CheckOptions``; ``where``: the reference's
    name in sentences ("the validated baseline (2024-01..2024-06)")."""
    layers: dict[str, Status] = {layer: "ok" for layer in LAYERS}
    reasons: list[str] = []

    def raise_to(layer: str, status: Status) -> None:
        if RANK[status] > RANK[layers[layer]]:
            layers[layer] = status

    sim, pct, near = s.similarity, s.percentile, s.nearest
    if s.duplicate is not None:
        raise_to("duplication", "samey")
        reasons.append(f"near-duplicate of {post_name(s.duplicate)} (cosine "
                       f"{_f(s.duplicate.similarity)}, shared word 5-grams "
                       f"{s.duplicate.jaccard:.0%}).")
    fixed = cuts.similarity_source == "option"
    very_close = sim > cuts.samey_similarity
    if very_close:  # samey alone only above a fixed --max-similarity (see module docstring)
        raise_to("topic", "samey" if fixed else "watch")
        src = ("--max-similarity" if fixed
               else f"the {ordinal(cuts.samey_level)} percentile of {where}")
        reasons.append(f"very close to {near} (similarity {sim:.2f}; cut "
                       f"{cuts.samey_similarity:.2f} = {src}; closer than {pct:.0f}% of "
                       f"the posts of {where} are to their nearest neighbour).")
    elif sim > cuts.watch_similarity:
        raise_to("topic", "watch")
        reasons.append(f"close to {near} (similarity {sim:.2f}; above the "
                       f"{ordinal(cuts.watch_level)} percentile of {where}, "
                       f"{cuts.watch_similarity:.2f}).")

    # wording
    n_shared = len(s.shared_phrases)
    many_phrases = n_shared > cuts.shared_phrases_samey and n_shared
    if n_shared > cuts.shared_phrases_watch and n_shared:
        raise_to("wording", "watch")
        reasons.append(f"shares {plural(n_shared, 'phrase')} with "
                       f"{cuts.min_shared_docs}+ corpus posts (more than "
                       f"{s.phrase_percentile:.0f}% of the posts of {where} do), e.g. "
                       + ", ".join(f"\"{g}\" ({d} posts)" for g, d in s.shown_phrases[:3])
                       + ".")
    if len(s.amplified) >= AMPLIFIED_IN_DRAFT:
        raise_to("wording", "watch")
        reasons.append(f"uses phrases the corpus has been amplifying lately "
                       f"({s.latest_period} vs baseline): " + ", ".join(
                           f"\"{a['phrase']}\" ({a['period_docs']} of {a['period_posts']} "
                           f"posts vs {a['baseline_docs']} of {a['baseline_posts']})"
                           for a in s.amplified[:3]) + ".")

    # structure
    for what, (text, count) in s.shared_elements.items():
        if text and count >= cuts.min_shared_docs:
            raise_to("structure", "watch")
            label = "has the heading outline" if what == "heading_outline" else _VERBS[what]
            reasons.append(f"{label} like {count} corpus posts: \"{text}\".")
    cov = s.template_coverage
    high_cov = cov > cuts.template_coverage_samey and cov > 0
    if cov > cuts.template_coverage_watch and cov > 0:
        raise_to("structure", "watch")
        reasons.append(f"follows the corpus's common sentence templates: {cov:.0%} of its "
                       f"sentence shapes (more than {s.template_percentile:.0f}% of the posts "
                       f"of {where}), e.g. "
                       + ", ".join(f"\"{t}\" ({d} posts)" for t, d in s.templates_used[:2])
                       + ".")
    # The template-fill rule: the frame of a template that took over the latest period.
    stocked = [fr for fr in s.frames if fr["stock"]]
    if stocked:
        latest = f"the posts of {s.frames_period}" if s.frames_period else "the corpus's posts"
        parts = []
        for fr in stocked:
            was = ("" if fr["baseline_share"] is None
                   else f", {fr['baseline_share']:.0%} of {where}")
            parts.append(f"{_VERBS[fr['element']]} like {fr['latest_share']:.0%} of {latest} "
                         f"(\"{fr['text']}\"{was})")
        if len(stocked) >= 2 or high_cov:
            raise_to("structure", "samey")
            extra = (f"; {cov:.0%} of its sentence shapes are corpus templates, above the "
                     f"{ordinal(cuts.samey_level)} percentile of {where}"
                     if len(stocked) < 2 else "")
            reasons.append("one more fill of the template that took over recent posts: "
                           + " and ".join(parts) + extra + ".")
        else:
            raise_to("structure", "watch")
            reasons.append("uses a stock frame of recent posts: " + parts[0] + ".")

    # Very close in topic *and* repeating the corpus's phrases or templates beyond the samey
    # level: the jointly calibrated percentile path to samey (judge.check).
    if very_close and not fixed and (many_phrases or high_cov):
        raise_to("topic", "samey")
        raise_to("wording" if many_phrases else "structure", "samey")
        reasons.append(f"very close in topic and repeating the corpus's "
                       f"{'phrases' if many_phrases else 'sentence templates'} beyond the "
                       f"{ordinal(cuts.samey_level)} percentile of {where} on both.")

    # overall
    status: Status
    if "samey" in layers.values():
        status = "samey"
    elif "watch" in layers.values():
        status = "watch"
    else:
        status = "ok"
        reasons.append(f"nothing samey: nearest post {near} at similarity {sim:.2f} (closer "
                       f"than {pct:.0f}% of the posts of {where} are to their nearest "
                       f"neighbour; watch above {cuts.watch_similarity:.2f}).")
    return status, layers, reasons
