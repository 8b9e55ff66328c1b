"""Wire the steps of an audit: ingest -> periods -> features -> metrics -> verdict -> result."""
from __future__ import annotations

import dataclasses
import datetime as dt
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from auditor._version import __version__
from auditor.app.segments import analyse_segments
from auditor.config import AuditOptions
from auditor.errors import InputError, UsageError
from auditor.features.corpus import (
    DUP_THRESHOLD,
    NUM_PERM,
    SHINGLE_SIZE,
    CorpusFeatures,
    build_features,
    measure_sample,
)
from auditor.features.embeddings import make_embedder
from auditor.ingest import load_documents
from auditor.ingest.periods import make_periods, merge_small, select_baseline
from auditor.judge.baseline import (
    ReferenceCheck,
    change_sentence,
    check_reference,
    layer_shift_sentence,
    power,
    power_sentence,
)
from auditor.judge.headline import headline, join
from auditor.judge.verdict import decide
from auditor.metrics import drift, duplication, structure, tails, wording
from auditor.metrics.registry import BY_NAME, LAYER_FULL, LAYERS, METRICS
from auditor.metrics.sampling import (
    MIN_SAMPLE,
    choose_sample_size,
    draw_samples,
    subsample_estimate,
)
from auditor.progress import plural, progress_iter
from auditor.types import STATUSES, AuditResult, Document, Estimate, Period, Skipped

EVIDENCE_TOP = 8
EVIDENCE_BASELINE = 1000  # baseline documents drawn (seeded) for evidence and drift


@dataclass
class Prepared:
    """An ingested, period-split, featurised corpus (shared by audit, check and report)."""

    root: Path
    documents: list[Document]          # analysed documents (the pools of all periods)
    periods: list[Period]              # doc_indices index into ``documents``
    skipped: list[Skipped]
    features: CorpusFeatures
    granularity: str
    n_dated: int
    n_undated: int
    baseline_shares: np.ndarray        # baseline topic shares (empty until with_baseline)
    model_id: str
    notes: tuple[str, ...] = ()        # plain-words notes (merged periods, ...)
    originals: dict = dataclasses.field(default_factory=dict)  # doc_id -> first publication
    baseline_given: bool = False       # True: --baseline (kept; Phase I only warns)


def _seed(*parts: Any) -> int:
    return zlib.crc32(repr(parts).encode()) & 0x7FFFFFFF


def prepare(path: str | Path, options: AuditOptions, *, embedder=None,
            need_dates: bool = True, until: dt.date | None = None) -> Prepared:
    """Ingest, split into periods, choose the baseline, draw pools and build features.

    ``until``: documents dated after it are out of scope (not analysed, not listed as skipped);
    scheduled reports use it to audit the corpus as of a month's end.
    """
    ingested = load_documents(Path(path), options.ingest, progress=options.progress)
    docs, skipped = list(ingested.documents), list(ingested.skipped)
    if until is not None:
        docs = [d for d in docs if d.date is None or d.date <= until]
    if not docs:
        from auditor.ingest import supported_message

        raise InputError(f"{path}: no documents found ({supported_message()}); check the path, "
                         "or see the skipped files with --json.")
    return prepare_documents(docs, options, embedder=embedder, need_dates=need_dates,
                             skipped=skipped, root=Path(path))


def prepare_documents(docs: Sequence[Document], options: AuditOptions, *, embedder=None,
                      need_dates: bool = True, skipped: Sequence[Skipped] = (),
                      root: Path | None = None) -> Prepared:
    """Like :func:`prepare` for documents already in memory (simulations, other sources)."""
    path = root or Path(".")
    skipped = list(skipped)
    dated = [d for d in docs if d.date is not None]
    undated = [d for d in docs if d.date is None]
    if need_dates:
        for d in undated:
            skipped.append(Skipped(d.doc_id, "undated",
                                   "no date in front matter, record field or file name; add one, "
                                   "or pass --date-from git or --date-from mtime"))
        if not dated:
            raise InputError(f"{path}: none of the {plural(len(docs), 'document')} has a date; "
                             "add dates "
                             "(front matter 'date', a date in the file name, or --date-field), or "
                             "pass --date-from git / --date-from mtime.")
        dated.sort(key=lambda d: (d.date, d.doc_id))
        periods, gran = make_periods([d.date for d in dated], period=options.period,
                                     min_docs=options.min_docs)
        periods, notes = merge_small(periods, min_sample=MIN_SAMPLE)
        periods = select_baseline(periods, options.baseline)
    else:
        dated, periods, gran, notes = list(docs), [], "none", []

    # Pools: at most max_pool documents per period, drawn at random, then featurised once.
    keep: list[int] = []
    pooled: list[Period] = []
    cap = options.sampling.max_pool
    for p in periods:
        idx = np.array(p.doc_indices)
        if len(idx) > cap:
            rng = np.random.default_rng(_seed(options.sampling.random_state, "pool", p.label))
            idx = np.sort(rng.choice(idx, size=cap, replace=False))
        start = len(keep)
        keep.extend(int(i) for i in idx)
        pooled.append(dataclasses.replace(p, doc_indices=tuple(range(start, len(keep)))))
    if not periods:
        keep = list(range(len(dated)))
    analysed = [dated[i] for i in keep]

    if embedder is None:
        embedder = make_embedder(options.model, cache_dir=options.cache_dir or None,
                                 progress=options.progress)
    feats = build_features(analysed, embedder, text_budget=options.sampling.text_budget,
                           progress=options.progress)

    # Topic clusters (tails layer). Coverage uses one quantizer fitted on every analysed
    # document, so moving to new subjects is not read as narrowing.
    rs = options.sampling.random_state
    centroids = tails.fit_topic_clusters(feats.embeddings, random_state=rs)
    feats = dataclasses.replace(
        feats, clusters=np.asarray(tails.assign_clusters(feats.embeddings, centroids)),
        n_clusters=len(centroids))
    wanted = {d.repost_of for d in analysed if d.repost_of}
    originals = {d.doc_id: d for d in docs if d.doc_id in wanted}
    # The baseline's own topic clusters are fitted once Phase I has checked the baseline
    # (judge_full -> with_baseline); until then ``baseline_shares`` is empty.
    return Prepared(path, analysed, pooled, skipped, feats, gran, len(dated), len(undated),
                    np.zeros(0), embedder.model_id, notes=tuple(notes),
                    baseline_given=bool(options.baseline), originals=originals)


def with_baseline(prep: Prepared, flags: Sequence[bool], *, random_state: int = 0) -> Prepared:
    """``prep`` with these baseline flags, and the baseline's own topic clusters: what the
    baseline had and a period lost uses k-means fitted on the baseline only (as MAUVE
    quantizes)."""
    periods = [dataclasses.replace(p, is_baseline=bool(f)) for p, f in zip(prep.periods, flags)]
    E = prep.features.embeddings
    base_idx = [i for p in periods if p.is_baseline for i in p.doc_indices] or \
        list(range(len(prep.documents)))
    base_centroids = tails.fit_topic_clusters(E[base_idx], random_state=random_state)
    base_labels = np.asarray(tails.assign_clusters(E, base_centroids))
    feats = dataclasses.replace(prep.features, base_clusters=base_labels,
                                n_base_clusters=len(base_centroids))
    shares = tails.cluster_shares(base_labels[base_idx], len(base_centroids))
    return dataclasses.replace(prep, periods=periods, features=feats, baseline_shares=shares)


# ------------------------------------------------------------------ measurement

def measure_periods(prep: Prepared, options: AuditOptions
                    ) -> tuple[list[dict[str, Estimate]], int, list[list[np.ndarray]], list[str]]:
    """Equal-size repeated samples per period -> an Estimate per metric per period, the sample
    size, the samples drawn (document indices) and notes. ``tails.lost_topic_mass`` needs the
    baseline and is filled in by :func:`fill_lost_topic_mass` once Phase I has chosen it."""
    sizes = [p.n_docs for p in prep.periods]
    m, notes = choose_sample_size(sizes, [p.label for p in prep.periods],
                                  options.sampling.sample_size)
    out, drawn = [], []
    for p in progress_iter(prep.periods, total=len(prep.periods), description="Measuring periods",
                           enabled=options.progress):
        rng = np.random.default_rng(_seed(options.sampling.random_state, "sample", p.label))
        pool = np.array(p.doc_indices)
        vals: dict[str, list[float]] = {s.name: [] for s in METRICS}
        samples = [pool[local] for local in draw_samples(len(pool), m, options.sampling.repeats,
                                                          rng)]
        for r, idx in enumerate(samples):
            res = measure_sample(prep.features, idx,
                                 random_state=_seed(options.sampling.random_state, p.label, r))
            for k, v in res.items():
                vals[k].append(v)
        out.append({k: subsample_estimate(v, m=min(m, len(pool)), n=len(pool),
                                          bounds=BY_NAME[k].bounds)
                    for k, v in vals.items()})
        drawn.append(samples)
    return out, m, drawn, notes


def fill_lost_topic_mass(prep: Prepared, estimates: list[dict[str, Estimate]],
                         drawn: list[list[np.ndarray]], m: int) -> None:
    """``tails.lost_topic_mass`` of every sample against the (final) baseline's topic shares."""
    f = prep.features
    for p, est, samples in zip(prep.periods, estimates, drawn):
        vals = [tails.lost_topic_mass(prep.baseline_shares,
                                      tails.cluster_shares(f.base_clusters[idx], f.n_base_clusters))
                for idx in samples]
        est["tails.lost_topic_mass"] = subsample_estimate(
            vals, m=min(m, p.n_docs), n=len(p.doc_indices),
            bounds=BY_NAME["tails.lost_topic_mass"].bounds)


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


def judge_full(prep: Prepared, options: AuditOptions, *, extra_from=None) -> Judged:
    """Measure every period, run Phase I on the baseline (``auditor.judge.baseline``), decide.

    ``extra_from(prep)``: layers judged elsewhere (segments), computed once the baseline is final
    (see ``verdict.decide``'s ``extra``).
    """
    estimates, m, drawn, notes = measure_periods(prep, options)
    labels = [p.label for p in prep.periods]
    ref = check_reference(labels, estimates, [p.is_baseline for p in prep.periods],
                          options.verdict, user_given=prep.baseline_given, sample_size=m)
    prep = with_baseline(prep, ref.baseline, random_state=options.sampling.random_state)
    fill_lost_topic_mass(prep, estimates, drawn, m)
    extra = extra_from(prep) if extra_from is not None else None
    verdicts, overall = decide(labels, estimates, ref.baseline, options.verdict, extra=extra,
                               sample_size=m, fallback_tau2=ref.fallback_tau2,
                               set_aside=ref.set_aside)
    compared = [i for i, v in enumerate(verdicts) if v.status in STATUSES]
    if not compared and len(prep.periods) == 1 and prep.notes:  # tiny periods were merged
        n = prep.periods[0].n_docs
        overall["reasons"] = [
            f"Nothing to compare: the {plural(n, 'post')} form a single period once periods too "
            f"small to sample are merged (see the note). samey needs at least two periods of "
            f"{2 * MIN_SAMPLE} or more posts; add more content or a longer history."]
    pw = power(estimates, ref.baseline, compared, options.verdict, sample_size=m,
               fallback_tau2=ref.fallback_tau2)
    blind = [layer for layer, p in pw.items() if p["blind"]]
    if overall["status"] == "ok" and blind and compared:
        overall["reasons"].append(
            f"This ok rests on little data: with samples of {m} posts per period samey could "
            "not see moderate changes in " + join([LAYER_FULL[b] for b in blind]) + " (see "
            "\"what samey could see\"); more posts per period, or a coarser --period, would.")
    return Judged(prep, estimates, m, verdicts, overall, ref, pw, list(prep.notes) + notes)


def judge(prep: Prepared, options: AuditOptions):
    """Measure every period of ``prep`` and decide: (estimates, sample size, period verdicts,
    overall verdict). Simulations call this with their own ``prep.periods``; the periods
    flagged ``is_baseline`` are the candidate baseline that Phase I checks."""
    j = judge_full(prep, options)
    return j.estimates, j.sample_size, j.verdicts, j.overall


def _segment_moves(segments: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """Periods where segments converged (segment status samey) count the segments layer as
    moved, with the findings about that period as reasons."""
    out: dict[str, list[tuple[str, str]]] = {}
    for label, status in (segments.get("status") or {}).items():
        if status == "samey":
            found = [f for f in segments.get("findings", []) if label in f] or \
                ["Segments converged: they have become more confusable than in the baseline."]
            out[label] = [("segments", f"Segments: {f}") for f in found[:3]]
    return out


# ------------------------------------------------------------------ reference

@dataclass(frozen=True)
class Reference:
    """The validated baseline of a corpus: what ``samey check`` calibrates on and what a
    ``samey report`` pins. ``info`` is the audit's ``reference`` section (JSON-ready)."""

    labels: tuple[str, ...]          # baseline period labels, oldest first
    doc_ids: frozenset[str]          # analysed documents of those periods
    info: dict[str, Any]


def audit_reference(path: str | Path, options: AuditOptions, *, embedder=None) -> Reference | None:
    """The validated baseline of the corpus at ``path`` (``None``: no dates, or one period)."""
    try:
        prep = prepare(path, options, embedder=embedder)
        if len(prep.periods) < 2:
            return None
        j = judge_full(prep, options)
    except (InputError, UsageError):  # e.g. a configured baseline or sample size that does
        return None                   # not fit this corpus: no validated baseline
    base = [p for p in j.prep.periods if p.is_baseline]
    ids = frozenset(j.prep.documents[i].doc_id for p in base for i in p.doc_indices)
    return Reference(tuple(p.label for p in base), ids, reference_info(j))


def reference_info(j: Judged) -> dict[str, Any]:
    """The ``reference`` section of an audit: the baseline as checked (Phase I), change points
    per layer, and what the audit could see (power), with plain-words sentences."""
    ref, labels = j.reference, [p.label for p in j.prep.periods]
    cps = {layer: [{"period": labels[c.index], "metric": c.metric, "before": c.before,
                    "after": c.after, "z": c.z, "toward_sameness": c.toward_sameness,
                    "sentence": change_sentence(layer, c, labels)} for c in lst]
           for layer, lst in ref.change_points.items()}
    shifts = [layer_shift_sentence(layer, lst, labels)
              for layer, lst in sorted(ref.change_points.items(), key=lambda kv: kv[1][0].index)]
    pw = {layer: {**p, "sentence": power_sentence(layer, p)} for layer, p in j.power.items()}
    return {
        "baseline": [labels[i] for i, b in enumerate(ref.baseline) if b],
        "rule": ref.rule,
        "candidate": [labels[i] for i in ref.candidate],
        "set_aside": [labels[i] for i in ref.set_aside],
        "stable": not ref.findings,
        "warnings": list(ref.warnings),
        "findings": [{**f, "period": labels[f["period"]]} for f in ref.findings],
        "natural_variation": "baseline" if sum(ref.baseline) >= 2 else
        ("history" if ref.fallback_tau2 else "sampling only"),
        "change_points": cps,
        "shifts": shifts,
        "power": pw,
        "sample_size": j.sample_size,
    }


# ------------------------------------------------------------------ evidence

def _doc_ref(d: Document) -> dict[str, Any]:
    return {"path": d.doc_id, "title": d.title, "date": d.date.isoformat() if d.date else None}


def evidence_baseline(prep: Prepared, *, random_state: int = 0) -> list[int]:
    """The baseline documents evidence compares with: all of them, or EVIDENCE_BASELINE drawn
    at random (seeded) from a larger baseline, so evidence costs the same at any corpus size."""
    base_idx = [i for p in prep.periods if p.is_baseline for i in p.doc_indices]
    if len(base_idx) > EVIDENCE_BASELINE:
        rng = np.random.default_rng(_seed(random_state, "evidence"))
        base_idx = sorted(int(i) for i in rng.choice(base_idx, EVIDENCE_BASELINE, replace=False))
    return base_idx


def period_evidence(prep: Prepared, p: Period, base_idx: Sequence[int], *,
                    random_state: int) -> dict[str, Any]:
    """What a marketer can act on: amplified phrases, templates, openings, duplicate families,
    vanished topics, drift, with example documents."""
    f, docs = prep.features, prep.documents
    idx = list(p.doc_indices)
    words = [f.words[i] for i in idx]
    base_words = [f.words[i] for i in base_idx]
    ev: dict[str, Any] = {}

    amp = wording.amplified_phrases(words, base_words, top=EVIDENCE_TOP)
    ev["amplified_phrases"] = []
    used: set[int] = set()
    for a in amp:  # a different example post for each phrase where there is one
        having = [i for i in idx if wording.contains_phrase(f.words[i], a.phrase)]
        ex = next((i for i in having if i not in used), having[0] if having else None)
        if ex is not None:
            used.add(ex)
        ev["amplified_phrases"].append({**dataclasses.asdict(a),
                                        "text": wording.display_phrase(a.phrase),
                                        "example": _doc_ref(docs[ex]) if ex is not None else None})

    tstats = structure.shape_ngram_templates([f.shapes[i] for i in idx], top=EVIDENCE_TOP)
    bstats = structure.shape_ngram_templates([f.shapes[i] for i in base_idx], top=200)
    base_counts = dict(bstats.templates)
    ev["templates"] = [{"template": t, "docs": c, "share": c / max(len(idx), 1),
                        "baseline_share": base_counts.get(t, 0) / max(len(base_idx), 1)}
                       for t, c in tstats.templates]
    ev["template_share"] = tstats.share

    for key, end in (("openings", False), ("closings", True)):
        edges = [structure.edge_words(docs[i].text, end=end) for i in idx]
        ev[key] = [{"text": phrase, "docs": len(members), "of": len(idx),
                    "share": len(members) / max(len(idx), 1),
                    "examples": [_doc_ref(docs[idx[j]]) for j in members[:3]]}
                   for phrase, members in structure.shared_edges(edges, end=end,
                                                                 top=EVIDENCE_TOP)]
    rep = structure.most_repeated([f.skeletons[i] for i in idx], top=3)
    ev["heading_skeletons"] = [{"skeleton": [" ".join(map(str, h)) for h in s], "docs": c}
                               for s, c in rep if c >= 2]

    fams = duplication.near_duplicate_families(f.signatures[idx], threshold=DUP_THRESHOLD,
                                               num_perm=NUM_PERM)
    ev["duplicate_families"] = [{"size": len(fam),
                                 "documents": [_doc_ref(docs[idx[j]]) for j in fam[:5]]}
                                for fam in fams[:EVIDENCE_TOP]]
    ev["near_duplicate_share"] = duplication.duplicate_share(fams, len(idx))
    ev["reposts"] = [dataclasses.asdict(r) for r in duplication.repost_pairs(
        [docs[i] for i in idx], prep.originals, top=EVIDENCE_TOP)]
    ev["repost_count"] = sum(docs[i].repost_of is not None for i in idx)

    k = prep.features.n_base_clusters
    shares = tails.cluster_shares(f.base_clusters[idx], k)
    gone = tails.vanished_clusters(prep.baseline_shares, shares)
    if gone:
        kw = tails.cluster_keywords(base_words, f.base_clusters[list(base_idx)], k=k)
        ev["vanished_topics"] = []
        for c in gone:  # named by the baseline posts nearest the topic's centre
            members = [i for i in base_idx if f.base_clusters[i] == c]
            centre = f.embeddings[members].mean(axis=0) if members else None
            order = sorted(members, key=lambda i: -float(f.embeddings[i] @ centre)) \
                if members else []
            ev["vanished_topics"].append({
                "cluster": int(c), "keywords": kw[c],
                "titles": list(dict.fromkeys(docs[i].title for i in order if docs[i].title))[:3],
                "baseline_share": float(prep.baseline_shares[c]),
                "period_share": float(shares[c]),
                "examples": [_doc_ref(docs[i]) for i in order[:3]]})
    else:
        ev["vanished_topics"] = []

    if not p.is_baseline and len(base_idx) >= 5 and len(idx) >= 5:
        X, Y = f.embeddings[list(base_idx)], f.embeddings[idx]
        mmd = drift.mmd2_rbf(X, Y, random_state=random_state)
        auc = drift.domain_classifier_auc(X, Y, random_state=random_state)
        wa, wb = drift.characteristic_words(base_words, words, top=EVIDENCE_TOP)
        ev["drift"] = {"mmd2": mmd.mmd2, "p_value": mmd.p_value, "auc": auc,
                       "baseline_words": [w for w, _ in wa], "period_words": [w for w, _ in wb]}
        ev["side_by_side"] = side_by_side(prep, idx, list(base_idx))
    return ev


EXCERPT_CHARS = 240


def _excerpt(text: str, n: int = EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n].rsplit(" ", 1)[0] + " ..."


def side_by_side(prep: Prepared, idx: Sequence[int], base_idx: Sequence[int]) -> dict[str, Any]:
    """A recent post next to a baseline post on the same subject: the period's most typical
    post (highest mean cosine to the others of its period) and the baseline post nearest to it
    in meaning, so the contrast is in how they are written."""
    E, docs = prep.features.embeddings, prep.documents
    Y = E[list(idx)]
    centre = Y.sum(axis=0)
    typical = [float(Y[j] @ centre - 1.0) for j in range(len(idx))]
    recent = idx[int(np.argmax(typical))]
    near = base_idx[int(np.argmax(E[list(base_idx)] @ E[recent]))]
    return {"recent": {**_doc_ref(docs[recent]), "excerpt": _excerpt(docs[recent].text)},
            "baseline": {**_doc_ref(docs[near]), "excerpt": _excerpt(docs[near].text)}}


# ------------------------------------------------------------------ audit

def audit(path: str | Path, options: AuditOptions | None = None, *, embedder=None,
          until: dt.date | None = None, evidence: str = "all") -> AuditResult:
    """Audit a content folder (or file) period by period; see ``auditor.audit``.

    ``until``: ignore documents dated after it. ``evidence``: ``"all"`` periods, or ``"last"``
    (the last period only: what a monthly report shows; saves most of the evidence time on long
    histories).
    """
    options = options or AuditOptions()
    prep = prepare(path, options, embedder=embedder, until=until)
    which_evidence = evidence
    segments: dict[str, Any] = {}

    def segment_moves(final: Prepared):
        if options.ingest.segment_field or options.ingest.segment_from == "folder":
            segments.update(analyse_segments(
                final, field=options.ingest.segment_field or "folder",
                random_state=options.sampling.random_state))
        return _segment_moves(segments)

    j = judge_full(prep, options, extra_from=segment_moves)
    prep, estimates, m, verdicts, overall = j.prep, j.estimates, j.sample_size, j.verdicts, \
        j.overall
    if j.notes:
        overall["notes"] = list(j.notes)

    base_idx = evidence_baseline(prep, random_state=options.sampling.random_state)
    periods_out = []
    evidence: dict[str, Any] = {}
    last = prep.periods[-1].label if prep.periods else None
    for p, est, v in progress_iter(list(zip(prep.periods, estimates, verdicts)),
                                   total=len(prep.periods), description="Gathering evidence",
                                   enabled=options.progress):
        if which_evidence == "all" or p.label == last:
            evidence[p.label] = period_evidence(prep, p, base_idx,
                                                random_state=options.sampling.random_state)
        else:
            evidence[p.label] = {}
        periods_out.append({
            "label": p.label, "start": p.start.isoformat(), "end": p.end.isoformat(),
            "n_docs": p.n_docs, "is_baseline": p.is_baseline, "status": v.status,
            "metrics": {k: e.to_dict() for k, e in est.items()},
            "comparison": {k: c.to_dict() for k, c in v.comparisons.items()},
            "layers": {layer: {"score": v.layer_scores.get(layer, 0.0),
                               "moved": layer in v.moved_layers,
                               "trend": layer in v.trend_layers,
                               "building": layer in v.building_layers} for layer in LAYERS},
            "reasons": v.reasons,
        })
    overall["reasons"] = overall["reasons"] + _evidence_reasons(evidence, periods_out)
    for po in periods_out:  # an ok period's evidence is context, not a finding
        if po["status"] not in ("watch", "samey") and evidence.get(po["label"]):
            evidence[po["label"]]["context"] = "within normal variation"
    reference = reference_info(j)
    overall["summary"] = headline(overall, periods_out, evidence, reference)
    notes = _templated_notes(prep, periods_out)
    if notes:
        overall["notes"] = overall.get("notes", []) + notes
    return AuditResult(
        verdict=overall, periods=periods_out, skipped=sorted(prep.skipped, key=lambda s: s.path),
        config=_config_dict(options, prep, m), corpus=_corpus_summary(prep, path),
        evidence=evidence, layers=_layer_limits(verdicts), segments=segments,
        reference=reference)


def _evidence_reasons(evidence: dict, periods_out: list[dict]) -> list[str]:
    """A plain-words evidence line for the latest flagged period: phrases, openings, families,
    vanished topics (every period's evidence is in ``evidence``)."""
    out = []
    flagged = [p for p in periods_out if p["status"] in ("watch", "samey")]
    for p in flagged[-1:]:  # evidence of the latest flagged period (each period has its own)
        ev = evidence[p["label"]]
        bits = []
        amp = [a for a in ev.get("amplified_phrases", []) if a["ratio"] >= 2][:3]
        if amp:
            bits.append("phrases far more common than before: " + ", ".join(
                f"\"{a['text']}\" ({a['period_share']:.0%} of posts vs {a['baseline_share']:.0%})"
                for a in amp))
        if ev.get("openings"):
            o = ev["openings"][0]
            bits.append(f"{o['docs']} of {o['of']} posts open with \"{o['text']}\"")
        if ev.get("duplicate_families"):
            fam = ev["duplicate_families"][0]
            bits.append(f"largest family of near-copies: {fam['size']} posts "
                        f"(e.g. {fam['documents'][0]['path']})")
        if ev.get("reposts"):
            r = ev["reposts"][0]
            bits.append(f"{plural(ev['repost_count'], 'post')} republish earlier ones, e.g. "
                        f"{r['repost']['path']} ({r['repost']['date']}) repeats "
                        f"{r['original']['path']} ({r['original']['date']})")
        if ev.get("vanished_topics"):
            bits.append("topics no longer covered: " + "; ".join(
                (f"\"{t['titles'][0]}\"" if t.get("titles") else "")
                + f" ({', '.join(t['keywords'][:3])})" for t in ev["vanished_topics"][:2]))
        if bits:
            out.append(f"{p['label']} evidence: " + "; ".join(bits) + ".")
    return out


def _templated_notes(prep: Prepared, periods_out: list[dict]) -> list[str]:
    """Describe templated-but-stable content (e.g. release notes) instead of flagging it: an
    opening shared by at least 10% of baseline posts while the structure layer did not move."""
    if any(p["layers"]["structure"]["moved"] for p in periods_out):
        return []
    openings = prep.features.openings
    base = [i for p in prep.periods if p.is_baseline for i in p.doc_indices]
    later = [i for p in prep.periods if not p.is_baseline for i in p.doc_indices]
    counts: dict[str, int] = {}
    for i in base:
        if openings[i]:
            counts[openings[i]] = counts.get(openings[i], 0) + 1
    if not counts or not later:
        return []
    text, n = max(counts.items(), key=lambda kv: kv[1])
    share = n / len(base)
    if share < 0.10:
        return []
    later_share = sum(openings[i] == text for i in later) / len(later)
    return [f"Templated but stable: \"{text} ...\" opens {share:.0%} of baseline posts and "
            f"{later_share:.0%} of later ones (e.g. recurring announcements); templated content "
            "that has not grown beyond normal variation is described, not flagged."]


def _layer_limits(verdicts) -> dict[str, Any]:
    """Per metric: baseline mean and control limits, for charts."""
    out: dict[str, Any] = {}
    first = next((v for v in verdicts), None)
    if first is None:
        return out
    for name, c in first.comparisons.items():
        spec = BY_NAME[name]
        out.setdefault(spec.layer, {})[name] = {
            "label": spec.label, "direction": spec.direction, "baseline": c.baseline,
            "low_limit": c.low_limit, "high_limit": c.high_limit}
    return out


def _corpus_summary(prep: Prepared, path) -> dict[str, Any]:
    dates = [d.date for d in prep.documents if d.date]
    return {
        "path": str(path), "documents": len(prep.documents), "dated": prep.n_dated,
        "undated": prep.n_undated, "skipped": len(prep.skipped),
        "first_date": min(dates).isoformat() if dates else None,
        "last_date": max(dates).isoformat() if dates else None,
        "granularity": prep.granularity, "periods": len(prep.periods),
        "baseline": [p.label for p in prep.periods if p.is_baseline],
        "formats": _count(d.fmt for d in prep.documents),
        "date_sources": _count((d.date_source or "none").split(":")[0] for d in prep.documents),
    }


def _count(items) -> dict[str, int]:
    out: dict[str, int] = {}
    for x in items:
        out[x] = out.get(x, 0) + 1
    return out


def _config_dict(options: AuditOptions, prep: Prepared, m: int) -> dict[str, Any]:
    d = options.to_dict()
    d["sample_size_used"] = m
    d["model_id"] = prep.model_id
    d["samey_version"] = __version__
    d["duplicates"] = {"shingle": f"word {SHINGLE_SIZE}-gram", "num_perm": NUM_PERM,
                       "threshold": DUP_THRESHOLD}
    return d
