"""The action list: which posts of a period to revise first, why, and the one change that would
help most.

Each post gets, per layer, how much it adds to that layer's sameness (0..1, measured in
``auditor.app.actions`` with ``auditor.metrics.posts``):

* **structure**: 1 when it holds one of the period's counted stock frames (``judge.excess``),
  else the share of the other posts that share its most shared frame (opening, closing, outline);
* **wording**: the share of the period's spreading phrases (counted stock phrases and amplified
  phrases) it carries;
* **character**: how often it reads unlike the baseline (``metrics.character.unlike_posts``),
  the marker words it uses named in the reasons;
* **duplication**: 1 when it sits in a near-copy family or republishes an earlier post;
* **topics**: its k-occurrence (how many posts have it among their ``ACTION_NEIGHBOURS`` nearest
  in meaning) over the period's largest.

Its **score** is the weighted mean over the layers: weight 1 for a layer that moved (or is
sustained or building) in the period, ``ACTION_CONTEXT_WEIGHT`` for the others (every layer 1
in a period where nothing moved). Posts are ranked by score; each is listed with its reasons
(the layers it adds to, heaviest first) and the change for its heaviest layer. A post with no
reason is not listed.
"""
from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from auditor.judge.headline import ORDER, join
from auditor.judge.thresholds import (
    ACTION_CONTEXT_WEIGHT,
    ACTION_HUB,
    ACTION_NEIGHBOURS,
    ACTION_SHARERS,
    ACTION_UNLIKE,
    ACTIONS_TOP,
)
from auditor.results import RevisePost

LAYERS = ("structure", "wording", "character", "duplication", "topics")
VERB = {"opening": "opens with", "closing": "closes with", "outline": "follows the outline"}
WHERE = {"opening": "opening", "closing": "closing", "outline": "outline"}


@dataclass(frozen=True)
class Frame:
    kind: str          # opening | closing | outline
    text: str
    sharers: int       # other posts of the period holding it
    stock: bool        # one of the period's counted stock frames


@dataclass(frozen=True)
class PostSignals:
    """What one post adds to its period's sameness, as measured (``app.actions``)."""

    doc: str
    title: str | None
    date: str | None
    source: str | None
    frames: tuple[Frame, ...] = ()
    phrases: tuple[str, ...] = ()     # spreading phrases it carries (display text)
    phrase_total: int = 0             # spreading phrases of the period
    markers: tuple[str, ...] = ()     # marker words of the period it uses
    unlike: float = math.nan          # share of fits in which it reads unlike the baseline
    family: int = 0                   # size of its near-copy family (0: none)
    copy_of: str | None = None        # another member of that family (title or path)
    repost_of: str | None = None      # the earlier post it republishes (title or path)
    repost_date: str | None = None    # ... and its date
    neighbours: int = 0               # posts that have it among their nearest in meaning


def adds(s: PostSignals, n_posts: int, hub_max: int) -> dict[str, float]:
    """What the post adds to each layer, 0..1 (module docstring)."""
    top = max((f.sharers for f in s.frames), default=0)
    return {
        "structure": 1.0 if any(f.stock for f in s.frames) else top / max(n_posts - 1, 1),
        "wording": len(s.phrases) / s.phrase_total if s.phrase_total else 0.0,
        "character": 0.0 if math.isnan(s.unlike) else s.unlike,
        "duplication": 1.0 if s.family >= 2 or s.repost_of else 0.0,
        "topics": s.neighbours / hub_max if hub_max > 0 else 0.0,
    }


def weights(moved: Collection[str]) -> dict[str, float]:
    """Weight 1 for a layer that moved, ``ACTION_CONTEXT_WEIGHT`` otherwise (all 1 when none
    of the action layers moved)."""
    hit = [x for x in LAYERS if x in moved]
    return {x: 1.0 if (x in hit or not hit) else ACTION_CONTEXT_WEIGHT for x in LAYERS}


def _quote(items: Sequence[str]) -> str:
    return join([f'"{x}"' for x in items])


def _reason(layer: str, s: PostSignals) -> tuple[str, str] | None:
    """(why, change) for one layer of one post, or None when it gives no reason."""
    if layer == "structure":
        shared = [f for f in s.frames if f.stock or f.sharers >= ACTION_SHARERS]
        if not shared:
            return None
        f = max(shared, key=lambda x: (x.stock, x.sharers))
        what = " (a stock frame of this period)" if f.stock else ""
        return (f"{VERB.get(f.kind, 'uses')} \"{f.text}\", as {f.sharers} other posts do{what}",
                f"rewrite the {WHERE.get(f.kind, 'frame')} (\"{f.text}\")" if f.kind != "outline"
                else "give it an outline of its own")
    if layer == "wording":
        if not s.phrases:
            return None
        return (f"uses spreading phrases {_quote(s.phrases[:3])}"
                + (f" ({len(s.phrases)} of the {s.phrase_total})" if s.phrase_total > 1 else ""),
                f"cut or reword {_quote(s.phrases[:2])}")
    if layer == "character":
        if math.isnan(s.unlike) or s.unlike < ACTION_UNLIKE:
            return None
        words = f" (words such as {_quote(s.markers[:3])})" if s.markers else ""
        return (f"reads unlike your baseline posts{words}",
                "rewrite it in your own voice" + (f", without {_quote(s.markers[:2])}"
                                                  if s.markers else ""))
    if layer == "duplication":
        if s.repost_of:
            when = f" of {s.repost_date}" if s.repost_date else ""
            return (f"republishes \"{s.repost_of}\"{when}", "retire the repost or rewrite it")
        if s.family < 2:
            return None
        other = f" of \"{s.copy_of}\"" if s.copy_of else ""
        return (f"is a near-copy{other} (a family of {s.family})",
                f"merge it with \"{s.copy_of}\" or rewrite it" if s.copy_of else "rewrite it")
    if layer == "topics":
        if s.neighbours < ACTION_HUB:
            return None
        return (f"sits close in meaning to many others: among the {ACTION_NEIGHBOURS} nearest "
                f"posts of {s.neighbours} others",
                "give it a fresh angle or subject")
    return None


def rank_posts(signals: Sequence[PostSignals], moved: Collection[str], *,
               top: int = ACTIONS_TOP) -> list[RevisePost]:
    """The posts to revise first (module docstring), at most ``top``."""
    n = len(signals)
    hub_max = max((s.neighbours for s in signals), default=0)
    w = weights(moved)
    total = sum(w.values())
    ranked = []
    for s in signals:
        a = adds(s, n, hub_max)
        score = sum(w[x] * a[x] for x in LAYERS) / total
        order = sorted(LAYERS, key=lambda x: (-w[x] * a[x], ORDER.index(x)))
        found = [(x, r) for x in order if w[x] * a[x] > 0 and (r := _reason(x, s)) is not None]
        if not found:
            continue
        ranked.append(RevisePost(s.doc, s.title, s.date, s.source, round(score, 4),
                                 [why for _, (why, _) in found], found[0][1][1]))
    ranked.sort(key=lambda r: (-r.score, r.doc))
    return ranked[:top]
