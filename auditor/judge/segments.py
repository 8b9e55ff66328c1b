"""The segments layer's rules (the "neural collapse" lens): when a pair of segments converges,
when a segment becomes uniform, when segments become harder to tell apart, the period status
they give, and the plain-words findings. The measurements are made in ``auditor.app.segments``.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from auditor.judge.thresholds import (
    CONVERGE_RATIO,
    UNIFORM_RATIO,
    Z95,
)
from auditor.progress import plural
from auditor.types import Period, Status


def pair_converging(ratio: float, low: float, pair_accuracy: float,
                    baseline_pair_accuracy: float) -> bool:
    """A pair converges when its CDNV grew by ``CONVERGE_RATIO`` or more, the lower end of the
    interval is above 1 (it grew beyond the bootstrap noise) and its posts are classified less
    accurately than in the baseline."""
    return bool(ratio >= CONVERGE_RATIO and low > 1 and pair_accuracy < baseline_pair_accuracy)


def segment_uniform(ratio: float, high: float) -> bool:
    """A segment becomes uniform when its spread fell to ``UNIFORM_RATIO`` of the baseline's or
    less and the whole interval is below 1."""
    return bool(ratio <= UNIFORM_RATIO and high < 1)


def accuracy_fell(accuracy: float, baseline_accuracy: float, se: float,
                  baseline_se: float) -> bool:
    """Balanced nearest-mean accuracy fell beyond 1.96 combined standard errors."""
    return bool(accuracy < baseline_accuracy - Z95 * math.hypot(se, baseline_se))


def period_status(converging: bool, fell: bool, uniform: bool) -> Status:
    """samey: a pair converged *and* accuracy fell; watch: any one of the three signs."""
    if converging and fell:
        return "samey"
    return "watch" if (converging or fell or uniform) else "ok"


def segment_moves(segments: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """Periods where segments converged (segment status samey) count the segments layer as
    moved, with the findings about that period as reasons."""
    out: dict[str, list[tuple[str, str]]] = {}
    for label, status in (segments.get("status") or {}).items():
        if status == "samey":
            found = [f for f in segments.get("findings", []) if label in f] or \
                ["Segments converged: they have become more confusable than in the baseline."]
            out[label] = [("segments", f"Segments: {f}") for f in found[:3]]
    return out



def _q(s: str) -> str:
    return f"'{s}'"


def findings(out: dict[str, Any], compared: Sequence[Period]) -> list[str]:
    f: list[str] = []
    by_pair: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in out["converging_pairs"]:
        by_pair.setdefault((r["a"], r["b"]), []).append(r)
    for (a, b), rows in sorted(by_pair.items(), key=lambda kv: -max(r["ratio"] for r in kv[1])):
        worst = max(rows, key=lambda r: r["ratio"])
        others = [r["period"] for r in rows if r is not worst]
        also = f"; also {', '.join(others)}" if others else ""
        how = ("can no longer be told apart, unlike in the baseline" if math.isinf(worst["ratio"])
               else f"are {worst['ratio']:.1f}x more confusable than in the baseline")
        f.append(f"{_q(a)} and {_q(b)} now read the same: their posts {how} "
                 f"({worst['period']}{also}).")
    by_seg: dict[str, list[dict[str, Any]]] = {}
    for r in out["uniform_segments"]:
        by_seg.setdefault(r["segment"], []).append(r)
    for s, rows in sorted(by_seg.items(), key=lambda kv: min(r["ratio"] for r in kv[1])):
        worst = min(rows, key=lambda r: r["ratio"])
        others = [r["period"] for r in rows if r is not worst]
        also = f"; also {', '.join(others)}" if others else ""
        f.append(f"{_q(s)} is becoming uniform: its posts spread {1 - worst['ratio']:.0%} less "
                 f"than in the baseline ({worst['period']}{also}).")
    for p in compared:
        cmp_ = out["periods"][p.label].get("comparison")
        if cmp_ and cmp_["accuracy_fell"]:
            f.append(f"In {p.label} segments are harder to tell apart: a post is closest to its "
                     f"own segment's average {cmp_['balanced_accuracy']:.0%} of the time "
                     f"(balanced over segments), against "
                     f"{cmp_['baseline_balanced_accuracy']:.0%} in the baseline.")
    for r in out["noisy_labels"]:
        f.append(f"Labels of {_q(r['segment'])} look noisy: {r['share']:.0%} of its baseline posts "
                 f"are closer to another segment's average than to its own, so results for it "
                 f"are less reliable.")
    for label, small in out["too_small"].items():
        if not small:
            continue
        st = out["baseline"] if label == "baseline" else out["periods"][label]
        where = "the baseline" if label == "baseline" else label
        named = [f"{_q(s)} ({st['segments'][s]['n']})" for s in small]
        if len(small) == 1:
            f.append(f"{_q(small[0])} has too few posts ({st['segments'][small[0]]['n']}) in "
                     f"{where} to judge.")
        else:
            more = f" and {len(small) - 6} more" if len(small) > 6 else ""
            f.append(f"{plural(len(small), 'segment')} "
                     f"{'have' if len(small) != 1 else 'has'} too few posts "
                     f"(under {out['min_size']}) in "
                     f"{where} to judge: {', '.join(named[:6])}{more}.")
    blind = [p.label for p in compared
             if len(out["periods"][p.label].get("comparison", {}).get("segments", [])) < 2]
    if blind:
        f.append(f"Segments could not be compared in {', '.join(blind)}: fewer than two segments "
                 f"have {out['min_size']} or more posts in both the baseline and the period.")
    if out["unlabelled"]:
        what = f"{_q(out['field'])} label" if out["field"] else "segment label"
        n = out["unlabelled"]
        f.append(f"{plural(n, 'post')} {'have' if n != 1 else 'has'} no {what} and are left "
                 f"out of the segment comparison.")
    if out["multi_labelled"]:
        n = out["multi_labelled"]
        f.append(f"{plural(n, 'post')} {'carry' if n != 1 else 'carries'} several labels: each "
                 f"counts in every segment's spread, and under its first label when segments are "
                 f"compared.")
    return f
