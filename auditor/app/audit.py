"""Wire the steps of an audit, one forward pass: ingest -> features (``app.prepare``) ->
measure and judge (``app.judged``) -> evidence (``app.evidence``) -> the typed result, built
once. Nothing is edited after ``judge/`` returns."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from auditor._version import __version__
from auditor.app.actions import audit_actions
from auditor.app.evidence import evidence_baseline, period_evidence
from auditor.app.judged import Judged, judge_full
from auditor.app.prepare import Prepared, prepare, prepare_documents
from auditor.app.provenance import UnlikeCache, audit_provenance
from auditor.app.reference import reference_info
from auditor.config import AuditOptions
from auditor.features.embeddings import TextEmbedder
from auditor.ingest import load_records
from auditor.judge.headline import evidence_reasons, headline
from auditor.judge.notes import templated_notes
from auditor.judge.verdict import PeriodVerdict
from auditor.metrics import duplication
from auditor.metrics.registry import BY_NAME, LAYERS
from auditor.progress import progress_iter
from auditor.results import (
    AuditResult,
    ControlLimits,
    CorpusSummary,
    Evidence,
    LayerState,
    PeriodResult,
    ReferenceInfo,
    Verdict,
)
from auditor.types import Document, Estimate, Period, Skipped

EvidenceScope = Literal["all", "last"]
WITHIN = "within normal variation"  # an ok period's evidence is context, not a finding


def audit(path: str | Path, options: AuditOptions | None = None, *,
          embedder: TextEmbedder | None = None, until: dt.date | None = None,
          evidence: EvidenceScope = "all") -> AuditResult:
    """Audit a content folder (or file) period by period; see ``auditor.audit``.

    ``until``: ignore documents dated after it. ``evidence``: ``"all"`` periods, or ``"last"``
    (the last period only: what a monthly report shows; saves most of the evidence time on long
    histories).
    """
    options = options or AuditOptions()
    prep = prepare(path, options, embedder=embedder, until=until, site=options.site_duplicates)
    return audit_prepared(prep, options, path=str(path), evidence=evidence)


def audit_documents(documents: Iterable[Document | Mapping[str, Any]],
                    options: AuditOptions | None = None, *,
                    embedder: TextEmbedder | None = None, name: str = "documents",
                    evidence: EvidenceScope = "all") -> AuditResult:
    """Audit documents already in memory: ``Document`` objects, or records (dicts) read as the
    records of a JSON Lines file named ``name`` would be (the same field options:
    ``text_field``, ``date_field``, ``title_field``...). Every record is analysed or listed as
    skipped, as ``name#N``."""
    options = options or AuditOptions()
    docs: list[Document] = []
    records: list[Mapping[str, Any]] = []
    for item in documents:
        if isinstance(item, Document):
            docs.append(item)
        else:
            records.append(item)
    skipped: list[Skipped] = []
    if records:
        read = load_records(records, options.ingest, name=name)
        docs += read.documents
        skipped = list(read.skipped)
    prep = prepare_documents(docs, options, embedder=embedder, skipped=skipped,
                             root=Path(name), site=options.site_duplicates)
    return audit_prepared(prep, options, path=name, evidence=evidence)


def audit_prepared(prep: Prepared, options: AuditOptions, *, path: str,
                   evidence: EvidenceScope = "all") -> AuditResult:
    """Judge a prepared corpus and compose its result (the forward pass after ingest)."""
    j = judge_full(prep, options)
    prep = j.prep
    found = gather_evidence(j, options, scope=evidence)
    periods = [period_result(p, est, v)
               for p, est, v in zip(prep.periods, j.estimates, j.verdicts)]
    reference = reference_info(j)
    unlike = UnlikeCache(prep, j.word_budget // max(j.sample_size, 1),
                         options.sampling.random_state)
    provenance = audit_provenance(j, periods, options, unlike)
    actions = audit_actions(j, periods, found, unlike)
    return AuditResult(
        verdict=compose_verdict(j, periods, found, reference, source_line=(
            provenance.dominant.sentence if provenance and provenance.dominant else None)),
        periods=periods,
        skipped=sorted(prep.skipped, key=lambda s: s.path),
        config=_config_dict(options, prep, j.sample_size, j.word_budget),
        corpus=_corpus_summary(prep, path), evidence=found, layers=_layer_limits(j.verdicts),
        segments=j.segments, reference=reference, site_duplicates=prep.site_duplicates,
        provenance=provenance, actions=actions)


def gather_evidence(j: Judged, options: AuditOptions, *, scope: EvidenceScope = "all"
                    ) -> dict[str, Evidence | None]:
    """Each period's evidence (``None`` for the periods ``scope`` leaves out), built once, with
    its context: an unflagged period's evidence is marked as within normal variation."""
    prep, seed = j.prep, options.sampling.random_state
    base_idx = evidence_baseline(prep, random_state=seed)
    last = prep.periods[-1].label if prep.periods else None
    out: dict[str, Evidence | None] = {}
    for p, v in progress_iter(list(zip(prep.periods, j.verdicts)), total=len(prep.periods),
                              description="Gathering evidence", enabled=options.progress):
        if scope == "all" or p.label == last:
            out[p.label] = period_evidence(
                prep, p, base_idx, random_state=seed,
                stock={layer: found.get(p.label, []) for layer, found in j.stock.items()},
                context=None if v.status in ("watch", "samey") else WITHIN)
        else:
            out[p.label] = None
    return out


def period_result(p: Period, est: Mapping[str, Estimate], v: PeriodVerdict) -> PeriodResult:
    """One period as the result reports it."""
    return PeriodResult(
        label=p.label, start=p.start.isoformat(), end=p.end.isoformat(), n_docs=p.n_docs,
        is_baseline=p.is_baseline, status=v.status, metrics=dict(est),
        comparison=dict(v.comparisons),
        layers={layer: LayerState(score=v.layer_scores.get(layer, 0.0),
                                  moved=layer in v.moved_layers, trend=layer in v.trend_layers,
                                  building=layer in v.building_layers) for layer in LAYERS},
        reasons=list(v.reasons))


def compose_verdict(j: Judged, periods: Sequence[PeriodResult],
                    found: Mapping[str, Evidence | None], reference: ReferenceInfo, *,
                    source_line: str | None = None) -> Verdict:
    """The overall verdict as reported: the judge's status and reasons, the latest flagged
    period's evidence in words, notes (merges, templated-but-stable openings) and the
    headline (``source_line``: the source that made it samey, from provenance)."""
    o = j.overall
    openings = j.prep.features.openings
    notes = list(j.notes) + templated_notes(
        [openings[i] for p in j.prep.periods if p.is_baseline for i in p.doc_indices],
        [openings[i] for p in j.prep.periods if not p.is_baseline for i in p.doc_indices],
        structure_moved=any(p.layers["structure"].moved for p in periods))
    draft = Verdict(status=o.status,
                    reasons=list(o.reasons) + evidence_reasons(found, periods),
                    flagged_periods=list(o.flagged_periods), notes=notes or None)
    return Verdict(status=draft.status, reasons=draft.reasons,
                   flagged_periods=draft.flagged_periods, notes=draft.notes,
                   summary=headline(draft, periods, found, reference,
                                    source_line=source_line))


def _layer_limits(verdicts: Iterable[PeriodVerdict]) -> dict[str, dict[str, ControlLimits]]:
    """Per metric: baseline mean and control limits, for charts."""
    out: dict[str, dict[str, ControlLimits]] = {}
    first = next((v for v in verdicts), None)
    if first is None:
        return out
    for name, c in first.comparisons.items():
        spec = BY_NAME[name]
        out.setdefault(spec.layer, {})[name] = ControlLimits(
            spec.label, spec.direction, c.baseline, c.low_limit, c.high_limit)
    return out


def _corpus_summary(prep: Prepared, path: str | Path) -> CorpusSummary:
    dates = [d.date for d in prep.documents if d.date]
    return CorpusSummary(
        path=str(path), documents=len(prep.documents), dated=prep.n_dated,
        undated=prep.n_undated, skipped=prep.n_skipped,
        first_date=min(dates).isoformat() if dates else None,
        last_date=max(dates).isoformat() if dates else None,
        granularity=prep.granularity, periods=len(prep.periods),
        baseline=[p.label for p in prep.periods if p.is_baseline],
        formats=_count(d.fmt for d in prep.documents),
        date_sources=_count((d.date_source or "none").split(":")[0] for d in prep.documents),
    )


def _count(items: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for x in items:
        out[x] = out.get(x, 0) + 1
    return out


def _config_dict(options: AuditOptions, prep: Prepared, m: int, budget: int) -> dict[str, Any]:
    d = options.to_dict()
    d["sample_size_used"] = m
    d["word_budget_per_sample"] = budget
    d["model_id"] = prep.model_id
    d["samey_version"] = __version__
    d["duplicates"] = {"shingle": f"word {duplication.SHINGLE_SIZE}-gram",
                       "num_perm": duplication.NUM_PERM,
                       "threshold": duplication.DUP_THRESHOLD}
    return d

