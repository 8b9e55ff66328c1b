"""Wire the steps of an audit: ingest -> periods -> features -> metrics -> verdict -> result."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor._version import __version__
from auditor.app.actions import audit_actions
from auditor.app.evidence import evidence_baseline, period_evidence
from auditor.app.measure import (
    excess_tests,
    fill_character,
    fill_lost_topic_mass,
    measure_periods,
)
from auditor.app.prepare import Prepared, prepare, with_baseline
from auditor.app.provenance import UnlikeCache, audit_provenance
from auditor.app.segments import analyse_segments
from auditor.config import AuditOptions
from auditor.errors import InputError, UsageError
from auditor.judge.baseline import (
    ReferenceCheck,
    change_sentence,
    check_reference,
    layer_shift_sentence,
    power,
    power_sentence,
)
from auditor.judge.excess import excess_reason, significant_excess
from auditor.judge.headline import evidence_reasons, headline, join
from auditor.judge.notes import templated_notes
from auditor.judge.segments import segment_moves
from auditor.judge.verdict import decide, judged_periods
from auditor.metrics import duplication
from auditor.metrics.excess import Excess
from auditor.metrics.registry import BY_NAME, LAYER_FULL, LAYERS
from auditor.metrics.sampling import MIN_SAMPLE
from auditor.progress import plural, progress_iter
from auditor.results import (
    AuditResult,
    ChangePointInfo,
    ControlLimits,
    CorpusSummary,
    Evidence,
    LayerState,
    PeriodResult,
    PowerInfo,
    ReferenceInfo,
    Verdict,
)
from auditor.types import STATUSES, Estimate


@dataclass
class Judged:
    """Everything :func:`judge_full` decided."""

    prep: Prepared                       # with the final (Phase I) baseline flags
    estimates: list[dict[str, Estimate]]
    sample_size: int
    verdicts: list
    overall: dict[str, Any]
    reference: ReferenceCheck
    power: dict[str, dict[str, Any]]
    notes: list[str]
    word_budget: int = 0                 # words of every sample (sampling.water_fill)
    stock: dict[str, dict[str, list[Excess]]] | None = None  # counted excess, by layer and period


def judge_full(prep: Prepared, options: AuditOptions, *, extra_from=None) -> Judged:
    """Measure every period, run Phase I on the baseline (``auditor.judge.baseline``), decide.

    ``extra_from(prep)``: layers judged elsewhere (segments), computed once the baseline is final
    (see ``verdict.decide``'s ``extra``).
    """
    estimates, m, drawn, notes, budget = measure_periods(prep, options)
    labels = [p.label for p in prep.periods]
    ref = check_reference(labels, estimates, [p.is_baseline for p in prep.periods],
                          options.verdict, user_given=prep.baseline_given, sample_size=m)
    prep = with_baseline(prep, ref.baseline, random_state=options.sampling.random_state)
    fill_lost_topic_mass(prep, estimates, drawn, m)
    per_doc = budget // max(m, 1)
    fill_character(prep, estimates, per_doc, random_state=options.sampling.random_state)
    judged = judged_periods(ref.baseline, ref.set_aside)
    stock = {layer: significant_excess(tests)
             for layer, tests in excess_tests(prep, judged, per_doc).items()}
    extra: dict[str, list[tuple[str, str]]] = {}
    for layer, found in stock.items():
        for label, items in found.items():
            if items:
                extra.setdefault(label, []).append((layer, excess_reason(layer, items)))
    for label, items in (extra_from(prep) if extra_from is not None else {}).items():
        extra.setdefault(label, []).extend(items)
    verdicts, overall = decide(labels, estimates, ref.baseline, options.verdict, extra=extra,
                               sample_size=m, set_aside=ref.set_aside)
    compared = [i for i, v in enumerate(verdicts) if v.status in STATUSES]
    if not compared and len(prep.periods) == 1 and prep.notes:  # tiny periods were merged
        n = prep.periods[0].n_docs
        overall["reasons"] = [
            f"Nothing to compare: the {plural(n, 'post')} form a single period once periods too "
            f"small to sample are merged (see the note). samey needs at least two periods of "
            f"{2 * MIN_SAMPLE} or more posts; add more content or a longer history."]
    pw = power(estimates, ref.baseline, compared, options.verdict, sample_size=m)
    blind = [layer for layer, p in pw.items() if p["blind"]]
    if overall["status"] == "ok" and blind and compared:
        overall["reasons"].append(
            f"This ok rests on little data: with samples of {m} posts per period samey could "
            "not see moderate changes in " + join([LAYER_FULL[b] for b in blind]) + " (see "
            "\"what samey could see\"); more posts per period, or a coarser --period, would.")
    return Judged(prep, estimates, m, verdicts, overall, ref, pw, list(prep.notes) + notes,
                  budget, stock)


def judge(prep: Prepared, options: AuditOptions):
    """Measure every period of ``prep`` and decide: (estimates, sample size, period verdicts,
    overall verdict). Simulations call this with their own ``prep.periods``; the periods
    flagged ``is_baseline`` are the candidate baseline that Phase I checks."""
    j = judge_full(prep, options)
    return j.estimates, j.sample_size, j.verdicts, j.overall

# ------------------------------------------------------------------ reference

@dataclass(frozen=True)
class Reference:
    """The validated baseline of a corpus: what ``samey check`` calibrates on and what a
    ``samey report`` pins. ``info`` is the audit's ``reference`` section (typed)."""

    labels: tuple[str, ...]          # baseline period labels, oldest first
    doc_ids: frozenset[str]          # analysed documents of those periods
    info: ReferenceInfo


def audit_reference(path: str | Path, options: AuditOptions, *, embedder=None) -> Reference | None:
    """The validated baseline of the corpus at ``path`` (``None``: no dates, or one period)."""
    return reference_pass(path, options, embedder=embedder)[0]


def reference_pass(path: str | Path, options: AuditOptions, *, embedder=None
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

# ------------------------------------------------------------------ audit

def audit(path: str | Path, options: AuditOptions | None = None, *, embedder=None,
          until: dt.date | None = None, evidence: str = "all") -> AuditResult:
    """Audit a content folder (or file) period by period; see ``auditor.audit``.

    ``until``: ignore documents dated after it. ``evidence``: ``"all"`` periods, or ``"last"``
    (the last period only: what a monthly report shows; saves most of the evidence time on long
    histories).
    """
    options = options or AuditOptions()
    prep = prepare(path, options, embedder=embedder, until=until, site=options.site_duplicates)
    which_evidence = evidence
    segments: dict[str, Any] = {}

    def segment_layer(final: Prepared):
        if options.ingest.segment_field or options.ingest.segment_from == "folder":
            segments.update(analyse_segments(
                final, field=options.ingest.segment_field or "folder",
                random_state=options.sampling.random_state))
        return segment_moves(segments)

    j = judge_full(prep, options, extra_from=segment_layer)
    prep, estimates, m, verdicts = j.prep, j.estimates, j.sample_size, j.verdicts
    overall = Verdict(status=j.overall["status"], reasons=list(j.overall["reasons"]),
                      flagged_periods=list(j.overall["flagged_periods"]),
                      notes=list(j.notes) if j.notes else None)

    base_idx = evidence_baseline(prep, random_state=options.sampling.random_state)
    periods_out: list[PeriodResult] = []
    evidence: dict[str, Evidence | None] = {}
    last = prep.periods[-1].label if prep.periods else None
    for p, est, v in progress_iter(list(zip(prep.periods, estimates, verdicts)),
                                   total=len(prep.periods), description="Gathering evidence",
                                   enabled=options.progress):
        if which_evidence == "all" or p.label == last:
            evidence[p.label] = period_evidence(
                prep, p, base_idx, random_state=options.sampling.random_state,
                stock={layer: found.get(p.label, []) for layer, found in (j.stock or {}).items()})
        else:
            evidence[p.label] = None
        periods_out.append(PeriodResult(
            label=p.label, start=p.start.isoformat(), end=p.end.isoformat(),
            n_docs=p.n_docs, is_baseline=p.is_baseline, status=v.status,
            metrics=dict(est), comparison=dict(v.comparisons),
            layers={layer: LayerState(score=v.layer_scores.get(layer, 0.0),
                                      moved=layer in v.moved_layers,
                                      trend=layer in v.trend_layers,
                                      building=layer in v.building_layers) for layer in LAYERS},
            reasons=v.reasons,
        ))
    overall.reasons = overall.reasons + evidence_reasons(evidence, periods_out)
    for po in periods_out:  # an ok period's evidence is context, not a finding
        ev = evidence.get(po.label)
        if po.status not in ("watch", "samey") and ev is not None:
            ev.context = "within normal variation"
    reference = reference_info(j)
    unlike = UnlikeCache(prep, j.word_budget // max(m, 1), options.sampling.random_state)
    provenance = audit_provenance(j, periods_out, options, unlike)
    actions = audit_actions(j, periods_out, evidence, unlike)
    overall.summary = headline(overall, periods_out, evidence, reference, source_line=(
        provenance.dominant.sentence if provenance and provenance.dominant else None))
    openings = prep.features.openings
    notes = templated_notes(
        [openings[i] for p in prep.periods if p.is_baseline for i in p.doc_indices],
        [openings[i] for p in prep.periods if not p.is_baseline for i in p.doc_indices],
        structure_moved=any(p.layers["structure"].moved for p in periods_out))
    if notes:
        overall.notes = (overall.notes or []) + notes
    return AuditResult(
        verdict=overall, periods=periods_out, skipped=sorted(prep.skipped, key=lambda s: s.path),
        config=_config_dict(options, prep, m, j.word_budget), corpus=_corpus_summary(prep, path),
        evidence=evidence, layers=_layer_limits(verdicts), segments=segments,
        reference=reference, site_duplicates=prep.site_duplicates, provenance=provenance,
        actions=actions)

def _layer_limits(verdicts) -> dict[str, dict[str, ControlLimits]]:
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


def _corpus_summary(prep: Prepared, path) -> CorpusSummary:
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


def _count(items) -> dict[str, int]:
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

