"""Prepare a corpus for an audit: ingest, split into periods, draw each period's pool, build
the per-document features once (shared by audit, check and report)."""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from auditor.config import AuditOptions
from auditor.errors import InputError
from auditor.features.embeddings import make_embedder
from auditor.ingest import load_documents
from auditor.ingest.periods import make_periods, merge_small, select_baseline
from auditor.metrics import tails
from auditor.metrics.corpus import (
    CorpusFeatures,
    build_features,
)
from auditor.metrics.sampling import (
    MIN_SAMPLE,
    stable_seed,
)
from auditor.progress import plural
from auditor.types import Document, Period, Skipped


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
            rng = np.random.default_rng(stable_seed(options.sampling.random_state, "pool", p.label))
            idx = np.sort(rng.choice(idx, size=cap, replace=False))
        start = len(keep)
        keep.extend(int(i) for i in idx)
        pooled.append(dataclasses.replace(p, doc_indices=tuple(range(start, len(keep)))))
    if not periods:
        keep = list(range(len(dated)))
    analysed = [dated[i] for i in keep]

    if embedder is None:
        embedder = make_embedder(options.model, cache_dir=options.cache_dir or None,
                                 progress=options.progress, backend=options.backend)
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


