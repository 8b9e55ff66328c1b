"""Provenance decisions: what of a period's move is attributed to its sources, and which source
the headline names.

* **What is attributed** (:func:`targets`): every layer of a judged period that moved, is
  sustained or is building. Its measurement is the layer's driving metric (the moved metric
  with the largest z; for a sustained or building layer, its metric with the largest z), by
  Shapley values over sources on the verdict's own samples; a layer moved only by its counted
  stock frames or phrases (``judge.excess``) is attributed by who holds them beyond the
  baseline rate; the character layer by who wrote the posts that read unlike the baseline
  beyond chance. The segments layer compares sources of another kind and is not attributed.
* **The dominant source** (:func:`dominant_source`): over the latest run of flagged periods
  (the headline's run), the source with the largest mean contribution, if that is at least
  ``PROVENANCE_DOMINANT`` (more than half of the move is its doing) and at least two sources
  wrote in the run. The headline then says, for the first of its layers where that source made
  at least ``PROVENANCE_DOMINANT`` of the move: "Posts by ai-desk (30% of posts) account for
  80% of the rise in repeated wording since May 2024."
"""
from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from auditor.judge.headline import ORDER, latest_run, period_name
from auditor.judge.thresholds import PROVENANCE_DOMINANT
from auditor.metrics.registry import BY_NAME
from auditor.results import DominantSource, PeriodProvenance, PeriodResult
from auditor.types import STATUSES

NO_SOURCE = "(no source)"

#: what a layer's move is called in the headline's source sentence
MOVE_NOUN = {
    "wording": "the rise in repeated wording",
    "structure": "the rise in shared openings, closings and templates",
    "topics": "posts drawing closer together in meaning",
    "duplication": "the rise in near-copies",
    "tails": "the loss of niche topics and words",
    "character": "the shift in voice",
}


@dataclass(frozen=True)
class Target:
    """One layer of one period to attribute, and how: ``kind`` is ``metric`` (Shapley over
    sources on samples of ``metric``), ``stock`` (who holds the counted frames or phrases) or
    ``character`` (who wrote the posts that read unlike the baseline)."""

    layer: str
    kind: str
    metric: str


def targets(period: PeriodResult, stock_layers: Collection[str] = ()) -> list[Target]:
    """The layers of ``period`` to attribute (module docstring), in the headline's order;
    none for a period that is not judged or did not move. ``stock_layers``: the layers with
    counted stock frames or phrases in this period."""
    if period.status not in STATUSES:
        return []
    out = []
    for layer in ORDER:
        state = period.layers.get(layer)
        if state is None or not (state.moved or state.trend or state.building):
            continue
        if layer == "character":
            out.append(Target(layer, "character", "character.unlike_baseline"))
            continue
        mine = [(n, c) for n, c in period.comparison.items()
                if n in BY_NAME and BY_NAME[n].layer == layer and BY_NAME[n].compute is not None
                and not math.isnan(c.z)]
        moved = [x for x in mine if x[1].moved]
        if moved:
            out.append(Target(layer, "metric", max(moved, key=lambda x: x[1].z)[0]))
        elif layer in stock_layers:
            out.append(Target(layer, "stock",
                              "stock frames" if layer == "structure" else "stock phrases"))
        elif mine and (state.trend or state.building):
            out.append(Target(layer, "metric", max(mine, key=lambda x: x[1].z)[0]))
    return out


def source_name(source: str, field: str) -> str:
    """'ai-desk', or 'posts with no byline' for the posts that lack the field."""
    return f"posts with no {field}" if source == NO_SOURCE else source


def dominant_source(periods: Sequence[PeriodResult], provenance: Sequence[PeriodProvenance],
                    field: str) -> DominantSource | None:
    """The source the headline names (module docstring), or None."""
    judged = [p for p in periods if p.status in STATUSES]
    if not any(p.status != "ok" for p in judged):
        return None
    _, run, _, at_worst = latest_run(judged)
    by_label = {p.label: p for p in provenance}
    rows = [by_label[p.label] for p in run if p.label in by_label and by_label[p.label].layers]
    if not rows:
        return None
    posts: dict[str, int] = {}
    layer_c: dict[str, dict[str, list[float]]] = {}
    overall: dict[str, list[float]] = {}
    for row in rows:
        for s in row.sources:
            posts[s.source] = posts.get(s.source, 0) + s.posts
            if s.contribution is not None and not math.isnan(s.contribution):
                overall.setdefault(s.source, []).append(s.contribution)
            for layer, c in s.by_layer.items():
                if not math.isnan(c.contribution):
                    layer_c.setdefault(s.source, {}).setdefault(layer, []).append(c.contribution)
    if sum(n > 0 for n in posts.values()) < 2 or not overall:
        return None
    mean = {s: sum(v) / len(v) for s, v in overall.items()}
    best = max(sorted(mean), key=lambda s: mean[s])
    if mean[best] < PROVENANCE_DOMINANT:
        return None
    per_layer = {layer: sum(v) / len(v) for layer, v in layer_c.get(best, {}).items()}
    if not per_layer:
        return None
    strong = [x for x in ORDER if per_layer.get(x, -1.0) >= PROVENANCE_DOMINANT]
    layer = strong[0] if strong else max(sorted(per_layer), key=lambda x: per_layer[x])
    share = posts[best] / max(sum(posts.values()), 1)
    since = at_worst[0].label
    who = source_name(best, field)
    made = per_layer[layer]
    part = f"{made:.0%} of" if made < 0.995 else "all of"
    rest = " (the other posts pulled the other way)" if made >= 1.005 else ""
    sentence = (f"{who[:1].upper() + who[1:] if best == NO_SOURCE else 'Posts by ' + who} "
                f"({share:.0%} of posts) account for {part} "
                f"{MOVE_NOUN.get(layer, 'the move in ' + layer)} since {period_name(since)}"
                f"{rest}.")
    return DominantSource(best, layer, per_layer[layer], share, since, sentence)


def period_contribution(by_layer: Mapping[str, float]) -> float | None:
    """A source's contribution to a period's move: the mean of its shares of the layers
    attributed (each sums to one over sources, so this does too); None when none is.

    >>> period_contribution({"wording": 0.9, "character": 0.7})
    0.8
    """
    vals = [v for v in by_layer.values() if not math.isnan(v)]
    return round(sum(vals) / len(vals), 12) if vals else None
