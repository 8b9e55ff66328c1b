"""Prepare a corpus for an audit: ingest, split into periods, draw each period's pool, build
the per-document features once (shared by audit, check and report)."""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import numpy as np

from auditor.app.site_duplicates import SiteIndex, site_duplicates
from auditor.config import AuditOptions
from auditor.errors import InputError
from auditor.features.embeddings import TextEmbedder, make_embedder
from auditor.ingest import load_documents
from auditor.ingest.periods import periods_from_counts, select_baseline
from auditor.ingest.stream import UNDATED as undated_skip_default
from auditor.ingest.stream import IngestSummary, SkipLog, summarise, undated_skip
from auditor.metrics import tails
from auditor.metrics.corpus import (
    CorpusFeatures,
    build_features,
)
from auditor.metrics.sampling import MIN_SAMPLE
from auditor.progress import plural
from auditor.results import SiteDuplicates
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
    # doc_id -> first publication
    originals: dict[str, Document] = dataclasses.field(default_factory=dict)
    baseline_given: bool = False       # True: --baseline (kept; Phase I only warns)
    # Inputs skipped in all: ``skipped`` lists the first 1,000 one by one and the rest as one
    # "... and N more" entry per reason (``ingest.stream.SkipLog``), so it can be shorter.
    n_skipped: int = 0
    # Near-duplicate families over every dated document in scope (None: not asked for).
    site_duplicates: SiteDuplicates | None = None


def prepare(path: str | Path, options: AuditOptions, *, embedder: TextEmbedder | None = None,
            need_dates: bool = True, until: dt.date | None = None,
            site: bool = False) -> Prepared:
    """Ingest, split into periods, choose the baseline, draw pools and build features.

    The corpus is read as a stream (``auditor.ingest.stream``): only the counts per month, a
    bottom-k sample of each month (k = ``max_pool``) and the skipped inputs are kept, so memory
    does not grow with the number of rows; each period's pool is the bottom-k of its months
    (the same whatever the read order or partitioning). With ``options.engine == "dask"`` the
    summary is computed in partitions on a Dask cluster and merged (``app.engine_dask``).

    ``until``: documents dated after it are out of scope (not analysed, not listed as skipped);
    scheduled reports use it to audit the corpus as of a month's end.

    ``site``: also find near-duplicate families over every dated document in scope, in the same
    pass (``auditor.app.site_duplicates``); ``Prepared.site_duplicates`` holds them.
    """
    if not need_dates:  # every document is analysed (no periods, no pools): read them all
        ingested = load_documents(Path(path), options.ingest, progress=options.progress)
        docs = [d for d in ingested.documents if until is None or d.date is None
                or d.date <= until]
        if not docs:
            _no_documents(path, ingested.skipped)
        return prepare_documents(docs, options, embedder=embedder, need_dates=False,
                                 skipped=ingested.skipped, root=Path(path))
    sampling = options.sampling
    with SiteIndex() if site else contextlib.nullcontext() as index:
        if options.engine == "dask":  # partitions on a Dask cluster, merged: the same summary
            from auditor.app.engine_dask import summarise_dask

            summary = summarise_dask(Path(path), options, until=until, site=index)
        else:
            summary = summarise(Path(path), options.ingest, seed=sampling.random_state,
                                k=sampling.max_pool, until=until, progress=options.progress,
                                sinks=[index] if index is not None else ())
        if summary.n_dated + summary.n_undated == 0:
            _no_documents(path, summary.skipped.listed(), summary.skipped.counts)
        return _from_summary(summary, options, embedder=embedder, root=Path(path),
                             skipped=summary.skipped.listed(), site=index if site else None)


#: Skip reasons shown in the error of an audit that read nothing (the most frequent first).
TOP_REASONS = 3


def _no_documents(path: str | Path, skipped: Sequence[Skipped],
                  counts: Mapping[str, int] | None = None) -> NoReturn:
    """Nothing to audit: one line with the top skip reasons, their counts and the first
    example's detail (which names the columns found and the option to use)."""
    from auditor.ingest import supported_message

    if not skipped:
        raise InputError(f"{path}: no documents found ({supported_message()}); check the path "
                         "and pass the folder (or file) that holds your content.")
    counts = dict(counts or Counter(s.reason for s in skipped))
    total = sum(counts.values())
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_REASONS]
    parts = []
    for reason, n in top:
        first = next((s for s in skipped if s.reason == reason), None)
        example = f" (e.g. {first.path}: {first.detail})" if first is not None else ""
        parts.append(f"{n} {reason}{example}")
    more = total - sum(n for _, n in top)
    raise InputError(f"{path}: nothing to audit: {plural(total, 'input')} skipped: "
                     + "; ".join(parts) + (f"; and {more} more" if more else "") + ".")


def cut_notes(cut: SkipLog, max_bytes: int, text_budget: int = 300) -> list[str]:
    """The note that names the documents cut to ``max_bytes`` (none: no note)."""
    if not cut.total:
        return []
    listed = [s.path for s in cut.listed() if not s.path.startswith("... and")]
    # not a threshold: how many names a note lists
    shown = ", ".join(listed[:3]) + (f" and {cut.total - 3:,} more" if cut.total > 3 else "")
    one = cut.total == 1
    return [f"{plural(cut.total, 'document')} longer than {max_bytes:,} bytes "
            f"({shown}) {'was' if one else 'were'} cut to {'its' if one else 'their'} first "
            f"{max_bytes:,} bytes (about {round(max_bytes / 7, -4):,.0f} words) to keep memory "
            f"bounded; the audit reads at most the first {text_budget:,} words of each post "
            "for wording and structure, and the model about 1,800, so only site-wide "
            "near-copies could differ. Raise max_document_bytes under [ingest] in samey.toml "
            "to read more."]


def prepare_documents(docs: Sequence[Document], options: AuditOptions, *,
                      embedder: TextEmbedder | None = None,
                      need_dates: bool = True, skipped: Sequence[Skipped] = (),
                      root: Path | None = None, site: bool = False) -> Prepared:
    """Like :func:`prepare` for documents already in memory (simulations, other sources);
    pools are drawn by the same bottom-k rule."""
    if not docs:
        _no_documents(root or "documents", list(skipped))
    path = root or Path(".")
    if not need_dates:
        return _featurise(list(docs), [], list(skipped), "none", len(docs), 0, [], options,
                          embedder=embedder, path=path,
                          originals=_originals(docs, list(docs)))
    with SiteIndex() if site else contextlib.nullcontext() as index:
        summary = IngestSummary(options.sampling.random_state, options.sampling.max_pool,
                                sinks=[index] if index is not None else [])
        for d in docs:  # taken as they are (no copy check): counted, sampled
            summary.count(0, d)
        undated = [undated_skip(d) for d in docs if d.date is None and (
            d.why_undated is None or d.why_undated.reason == "undated")]  # in the order given
        # documents the summary set aside itself (an implausible date) are listed too
        return _from_summary(summary, options, embedder=embedder, root=path,
                             skipped=list(skipped) + summary.skipped.listed(), undated=undated,
                             in_memory=docs, site=index)


def _originals(docs: Sequence[Document], analysed: Sequence[Document]) -> dict[str, Document]:
    wanted = {d.repost_of for d in analysed if d.repost_of}
    return {d.doc_id: d for d in docs if d.doc_id in wanted}


def _from_summary(summary: IngestSummary, options: AuditOptions, *,
                  embedder: TextEmbedder | None, root: Path,
                  skipped: list[Skipped], undated: list[Skipped] | None = None,
                  in_memory: Sequence[Document] | None = None,
                  site: SiteIndex | None = None) -> Prepared:
    """Periods from the month counts, each period's pool the bottom-k of its months, then
    features."""
    n_dated, n_undated = summary.n_dated, summary.n_undated
    undated_list = summary.undated.listed() if undated is None else undated
    skipped = skipped + undated_list
    if not n_dated:
        first = undated_list[0] if undated_list else None
        why = (f"{first.path}: {first.detail}" if first is not None and
               first.detail != undated_skip_default else
               "add dates (front matter 'date', a date in the file name, or --date-field), or "
               "pass --date-from git / --date-from mtime")
        raise InputError(f"{root}: none of the {plural(n_undated, 'document')} has a date; "
                         f"e.g. {why}.")
    spans, gran, notes = periods_from_counts(summary.month_counts(), period=options.period,
                                             min_docs=options.min_docs, min_sample=MIN_SAMPLE)
    notes = notes + cut_notes(summary.cut, options.ingest.max_document_bytes,
                              options.sampling.text_budget)
    analysed: list[Document] = []
    periods: list[Period] = []
    for span in spans:
        start = len(analysed)
        analysed.extend(summary.pool(span.months))
        periods.append(Period(span.label, span.start, span.end,
                              tuple(range(start, len(analysed)))))
    periods = select_baseline(periods, options.baseline)
    if in_memory is None:
        analysed, originals = summary.reposts(analysed, options.ingest)
    else:
        originals = _originals(in_memory, analysed)
    n_skipped = summary.skipped.total + n_undated if undated is None else len(skipped)
    dups = None if site is None else site_duplicates(site, periods, root=root,
                                                     options=options.ingest)
    # Per-row data is done with (about 112 bytes a row with site duplicates): freed before the
    # pools are analysed, so the peak is the larger of the two stages, not their sum.
    summary.release()
    if site is not None:
        site.close()
    prep = _featurise(analysed, periods, skipped, gran, n_dated, n_undated, notes, options,
                      embedder=embedder, path=root, originals=originals, n_skipped=n_skipped)
    return prep if dups is None else dataclasses.replace(prep, site_duplicates=dups)


def _featurise(analysed: list[Document], pooled: list[Period], skipped: list[Skipped],
               gran: str, n_dated: int, n_undated: int, notes: Sequence[str],
               options: AuditOptions, *, embedder: TextEmbedder | None, path: Path,
               originals: dict[str, Document],
               n_skipped: int | None = None) -> Prepared:
    """Features of the analysed documents (the pools), topic clusters, the Prepared."""
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
    # The baseline's own topic clusters are fitted once Phase I has checked the baseline
    # (judge_full -> with_baseline); until then ``baseline_shares`` is empty.
    return Prepared(path, analysed, pooled, skipped, feats, gran, n_dated, n_undated,
                    np.zeros(0), embedder.model_id, notes=tuple(notes),
                    baseline_given=bool(options.baseline), originals=originals,
                    n_skipped=len(skipped) if n_skipped is None else n_skipped)


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


