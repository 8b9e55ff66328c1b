"""Which whole-period excesses count (``auditor.metrics.excess``): stock frames move the
structure layer, stock phrases the wording layer.

A key counts in a period when, over every judged period's tests of its family (frames, or
phrases) together:

* its Holm-adjusted Fisher p-value is at most ``EXCESS_ALPHA`` (each family gets a tenth of the
  verdict's 5% error budget, so the two families together add at most 1% of false alarms);
* at least ``EXCESS_MIN_DOCS`` posts of the period hold it (a floor on absolute counts: no
  "16% vs 0%" on three posts);
* the lower end of its odds ratio's 95% interval is at least ``EXCESS_MIN_ODDS``: it became at
  least that many times more common than its baseline rate, however small that rate was.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from auditor.judge.thresholds import EXCESS_ALPHA, EXCESS_MIN_DOCS, EXCESS_MIN_ODDS
from auditor.judge.verdict import holm
from auditor.metrics.excess import Excess


def significant_excess(tests: Mapping[str, Sequence[Excess]]) -> dict[str, list[Excess]]:
    """Per period label, the excesses that count (module docstring), strongest first; every
    period's tests share one Holm family."""
    flat = [(label, t) for label, ts in tests.items() for t in ts]
    adjusted = holm([t.p for _, t in flat])
    out: dict[str, list[Excess]] = {label: [] for label in tests}
    for (label, t), p_adj in zip(flat, adjusted):
        if p_adj <= EXCESS_ALPHA and t.docs >= EXCESS_MIN_DOCS and t.odds_low >= EXCESS_MIN_ODDS:
            out[label].append(t)
    return out


def frame_phrase(key: str) -> tuple[str, str]:
    """``("opening", "here is a")`` from a frame key (``metrics.excess.frame_keys``)."""
    kind, _, text = key.partition(": ")
    return kind, text


def excess_reason(layer: str, found: Sequence[Excess]) -> str:
    """'stock frames spread: 7 of 25 posts open with "here is a" (0 of 75 in the
    baseline).' (``verdict.decide`` puts the period's label in front)."""
    parts = []
    for t in found[:2]:
        if layer == "structure":
            kind, text = frame_phrase(t.key)
            verb = {"opening": "open with", "closing": "close with",
                    "outline": "follow the outline"}.get(kind, "use")
            parts.append(f"{t.docs} of {t.of} posts {verb} \"{text}\" ({t.baseline_docs} of "
                         f"{t.baseline_of} in the baseline)")
        else:
            parts.append(f"\"{t.key}\" is in {t.docs} of {t.of} posts ({t.baseline_docs} of "
                         f"{t.baseline_of} in the baseline)")
    what = {"structure": "stock frames spread", "wording": "stock phrases spread"}[layer]
    return f"{what}: " + "; ".join(parts) + "."
