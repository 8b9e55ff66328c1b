"""Measure and judge a prepared corpus, in one forward pass: equal-size samples of every period,
Phase I (the checked baseline), the figures that need it (lost topics, character), the
whole-period excess tests, the segments layer, the verdict and what it rests on. The result,
:class:`Judged`, is final: nothing downstream edits it."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.app.measure import (
    excess_tests,
    fill_character,
    fill_lost_topic_mass,
    measure_periods,
)
from auditor.app.prepare import Prepared, with_baseline
from auditor.app.segments import analyse_segments
from auditor.config import AuditOptions
from auditor.judge.baseline import ReferenceCheck, check_reference, power
from auditor.judge.excess import excess_reason, significant_excess
from auditor.judge.segments import segment_moves
from auditor.judge.verdict import (
    Overall,
    PeriodVerdict,
    decide,
    judged_periods,
    with_context,
)
from auditor.metrics.excess import Excess
from auditor.types import STATUSES, Estimate

#: ``{layer: {period label: counted excesses}}`` (``judge.excess``)
Stock = Mapping[str, Mapping[str, Sequence[Excess]]]


@dataclass(frozen=True)
class Judged:
    """Everything :func:`judge_full` measured and decided."""

    prep: Prepared                       # with the final (Phase I) baseline flags
    estimates: list[dict[str, Estimate]]
    sample_size: int
    verdicts: list[PeriodVerdict]
    overall: Overall
    reference: ReferenceCheck
    power: dict[str, dict[str, Any]]
    notes: tuple[str, ...]
    word_budget: int                     # words of every sample (sampling.water_fill)
    stock: Stock                         # counted excess, by layer and period
    segments: dict[str, Any]             # the segments layer's measurements ({} when off)


def measure_segments(prep: Prepared, options: AuditOptions) -> dict[str, Any]:
    """The segments layer (``auditor.app.segments``) when the options ask for it, else ``{}``."""
    field = options.ingest.segment_field or (
        "folder" if options.ingest.segment_from == "folder" else None)
    if field is None:
        return {}
    return analyse_segments(prep, field=field, random_state=options.sampling.random_state)


def layer_extras(stock: Stock, segments: Mapping[str, Sequence[tuple[str, str]]]
                 ) -> dict[str, list[tuple[str, str]]]:
    """Per period label, the layers judged by their own tests (stock frames and phrases, the
    segments layer) with their reasons: ``verdict.decide``'s ``extra``."""
    extra: dict[str, list[tuple[str, str]]] = {}
    for layer, found in stock.items():
        for label, items in found.items():
            if items:
                extra.setdefault(label, []).append((layer, excess_reason(layer, items)))
    for label, reasons in segments.items():
        extra.setdefault(label, []).extend(reasons)
    return extra


def judge_full(prep: Prepared, options: AuditOptions) -> Judged:
    """Measure every period, run Phase I on the baseline (``auditor.judge.baseline``), decide.

    The periods of ``prep`` flagged ``is_baseline`` are the candidate baseline Phase I checks
    (simulations pass their own)."""
    estimates, m, drawn, notes, budget = measure_periods(prep, options)
    labels = [p.label for p in prep.periods]
    ref = check_reference(labels, estimates, [p.is_baseline for p in prep.periods],
                          options.verdict, user_given=prep.baseline_given, sample_size=m)
    prep = with_baseline(prep, ref.baseline, random_state=options.sampling.random_state)
    fill_lost_topic_mass(prep, estimates, drawn, m)
    per_doc = budget // max(m, 1)
    fill_character(prep, estimates, per_doc, random_state=options.sampling.random_state)
    tests = excess_tests(prep, judged_periods(ref.baseline, ref.set_aside), per_doc)
    stock = {layer: significant_excess(found) for layer, found in tests.items()}
    segments = measure_segments(prep, options)
    verdicts, overall = decide(labels, estimates, ref.baseline, options.verdict,
                               extra=layer_extras(stock, segment_moves(segments)),
                               sample_size=m, set_aside=ref.set_aside)
    compared = [i for i, v in enumerate(verdicts) if v.status in STATUSES]
    pw = power(estimates, ref.baseline, compared, options.verdict, sample_size=m)
    merged = (prep.periods[0].n_docs if not compared and len(prep.periods) == 1 and prep.notes
              else None)  # tiny periods were merged into one
    overall = with_context(overall, judged=bool(compared), merged_into_one=merged,
                           sample_size=m,
                           blind_layers=[layer for layer, p in pw.items() if p["blind"]])
    return Judged(prep, estimates, m, verdicts, overall, ref, pw,
                  tuple(prep.notes) + tuple(notes), budget, stock, segments)
