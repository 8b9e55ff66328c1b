"""The validated baseline of a corpus (Phase I's result) as the audit reports it, and as
``samey check`` calibrates on it and ``samey report`` pins it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from auditor.app.judged import Judged, judge_full
from auditor.app.prepare import prepare
from auditor.config import AuditOptions
from auditor.errors import InputError, UsageError
from auditor.features.embeddings import TextEmbedder
from auditor.judge.baseline import change_sentence, layer_shift_sentence, power_sentence
from auditor.results import ChangePointInfo, PowerInfo, ReferenceInfo


@dataclass(frozen=True)
class Reference:
    """The validated baseline of a corpus: what ``samey check`` calibrates on and what a
    ``samey report`` pins. ``info`` is the audit's ``reference`` section (typed)."""

    labels: tuple[str, ...]          # baseline period labels, oldest first
    doc_ids: frozenset[str]          # analysed documents of those periods
    info: ReferenceInfo


def audit_reference(path: str | Path, options: AuditOptions, *,
                    embedder: TextEmbedder | None = None) -> Reference | None:
    """The validated baseline of the corpus at ``path`` (``None``: no dates, or one period)."""
    return reference_pass(path, options, embedder=embedder)[0]


def reference_pass(path: str | Path, options: AuditOptions, *,
                   embedder: TextEmbedder | None = None
                   ) -> tuple[Reference | None, Judged | None]:
    """:func:`audit_reference` and the judged pools it came from (their words feed the check
    index's amplified phrases); ``(None, None)`` when there is no validated baseline."""
    try:
        prep = prepare(path, options, embedder=embedder)
        if len(prep.periods) < 2:
            return None, None
        j = judge_full(prep, options)
    except (InputError, UsageError):  # e.g. a configured baseline or sample size that does
        return None, None             # not fit this corpus: no validated baseline
    base = [p for p in j.prep.periods if p.is_baseline]
    ids = frozenset(j.prep.documents[i].doc_id for p in base for i in p.doc_indices)
    return Reference(tuple(p.label for p in base), ids, reference_info(j)), j


def reference_info(j: Judged) -> ReferenceInfo:
    """The ``reference`` section of an audit: the baseline as checked (Phase I), change points
    per layer, and what the audit could see (power), with plain-words sentences."""
    ref, labels = j.reference, [p.label for p in j.prep.periods]
    cps = {layer: [ChangePointInfo(labels[c.index], c.metric, c.before, c.after, c.z,
                                   c.toward_sameness, change_sentence(layer, c, labels))
                   for c in lst]
           for layer, lst in ref.change_points.items()}
    shifts = [layer_shift_sentence(layer, lst, labels)
              for layer, lst in sorted(ref.change_points.items(), key=lambda kv: kv[1][0].index)]
    pw = {layer: PowerInfo(**p, sentence=power_sentence(layer, p))
          for layer, p in j.power.items()}
    return ReferenceInfo(
        baseline=[labels[i] for i, b in enumerate(ref.baseline) if b],
        rule=ref.rule,
        candidate=[labels[i] for i in ref.candidate],
        set_aside=[labels[i] for i in ref.set_aside],
        stable=not ref.findings,
        warnings=list(ref.warnings),
        findings=[{**f, "period": labels[f["period"]]} for f in ref.findings],
        natural_variation="baseline" if sum(ref.baseline) >= 2 else "sampling only",
        change_points=cps,
        shifts=shifts,
        power=pw,
        sample_size=j.sample_size,
    )

