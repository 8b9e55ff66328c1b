"""``samey curate CORPUS --keep N``: choose the N documents that keep the most diversity, for a
training set (or a content library) that should not collapse into sameness.

The method (``metrics.selection`` computes, ``judge.curate`` decides; README, "samey curate"):

1. one streaming pass over any format samey reads (``app.curate_index``): each document's
   embedding (to a temporary file), MinHash signature and sketch, structure keys; with
   ``--engine dask`` on a cluster's workers, partition by partition (``app.curate_dask``);
2. near-copy families (the audit's site-wide MinHash LSH, found whole): one member of each stays
   eligible, chosen protected first, then the preferred source, then the earliest date;
3. topic clusters: k-means fitted on a seeded sample of the embeddings, every document assigned;
4. per cluster a greedy farthest-point order starting from the least prototypical document (D4,
   Tirumala et al. 2023), by meaning and wording together (``lexical_weight``); a document whose
   embedding cosine to one ranked before it reaches ``near_copy_similarity`` is a semantic
   near-copy (SemDeDup, Abbas et al. 2023);
5. the rule of ``judge.curate``: clusters round robin (rare topics kept whole, crowded ones
   thinned), openings, closings and outlines capped, then filled if needed;
6. the report (``app.curate_report``): the kept set against the corpus and 20 random subsets.

Why this and not a global Vendi or DPP objective: those need the kernel of the candidates (or
d x d updates per pick) and favour the largest regions of embedding space unless weighted; the
cluster round robin makes topic balance explicit and explainable per document ("crowded
topic", "semantic near-copy of X"), and each step is O(n) or O(m^2 d) within a cluster.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from auditor.app.curate_index import CurateIndex, read_corpus
from auditor.app.curate_report import compare, mean_similarity
from auditor.app.curate_stages import align_store, rescore_borderline
from auditor.app.curate_write import (
    check_out,
    manifest_rows,
    write_kept,
    write_manifest,
)
from auditor.app.stages import first_stage_for
from auditor.config import AuditOptions
from auditor.errors import InputError, UsageError
from auditor.features.embeddings import make_embedder
from auditor.judge.curate import (
    CLOSING,
    COPY,
    CROWDED,
    OPENING,
    OUTLINE,
    SEMANTIC,
    Selection,
    largest_within,
    select,
)
from auditor.metrics import tails
from auditor.metrics.sampling import stable_seed
from auditor.metrics.selection import default_clusters, farthest_point_order
from auditor.progress import plural
from auditor.results import CurateCounts, CurateResult, SourceShare

METHOD = ("near-copy families by MinHash LSH (one member each), k-means topic clusters, "
          "per cluster a farthest-point order (meaning and wording) from the least "
          "prototypical document (D4) with semantic near-copies dropped (SemDeDup), clusters "
          "taken round robin (rare topics whole, crowded ones thinned), repeated openings, "
          "closings and outlines capped")


def parse_keep(keep: int | str, n: int) -> int:
    """``--keep``: a number of documents (``100``) or a share of them (``60%``), at most ``n``."""
    text = str(keep).strip()
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*%", text)
    if m:
        share = float(m.group(1))
        # not a threshold: a percentage lies in (0, 100]
        if not 0 < share <= 100:
            raise UsageError(f"--keep {text}: a share must be above 0% and at most 100%.")
        return max(1, int(round(n * share / 100)))
    if not re.fullmatch(r"\d+", text) or int(text) < 1:
        raise UsageError(f"--keep {text}: give a number of documents (e.g. 100) or a share "
                         "(e.g. 60%).")
    return min(int(text), n)


def protection(always_keep: str | Path | None, root: Path) -> tuple[Any, list[str]]:
    """The ``--always-keep`` test ``(doc_id, path) -> bool`` and its entries: a folder (every
    document below it, inside the corpus) or a file listing document ids or file paths, one a
    line (blank lines and ``#`` comments ignored; the manifest's ``doc`` values work)."""
    if always_keep is None:
        return (lambda doc_id, path: False), []
    given = Path(always_keep)
    base = root.resolve() if root.is_dir() else root.resolve().parent
    if given.is_dir():
        where = given.resolve()
        if where != base and base not in where.parents:
            raise UsageError(f"--always-keep {given}: the folder is not inside the corpus "
                             f"{root}; give a folder of the corpus, or a file listing documents.")
        prefix = "" if where == base else where.relative_to(base).as_posix() + "/"
        return (lambda doc_id, path: path.startswith(prefix)), [prefix or "."]
    if not given.is_file():
        raise UsageError(f"--always-keep {given}: no such file or folder; give a folder of the "
                         "corpus or a file listing document ids (one a line).")
    entries = [line.strip() for line in given.read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.strip().startswith("#")]
    wanted = set(entries)
    return (lambda doc_id, path: doc_id in wanted or path in wanted), entries


@dataclass(frozen=True)
class Plan:
    """What the rule needs per document (``eligible``, ``cluster``, ``rank``, ``max_sim``), and
    for the manifest (``family``, ``kept member`` of a copy's family, ``nearest``)."""

    eligible: np.ndarray
    family: np.ndarray
    member: np.ndarray
    cluster: np.ndarray
    rank: np.ndarray
    max_sim: np.ndarray
    nearest: np.ndarray
    n_clusters: int
    n_families: int


def plan(index: CurateIndex, options: AuditOptions, *, prefer: int | None, seed: int) -> Plan:
    """Families, clusters and each cluster's farthest-point order (module docstring, 2-4)."""
    n, a = index.n, index.arrays()
    preferred = a["source"] == prefer if prefer is not None else np.zeros(n, bool)
    family = np.full(n, -1, dtype=np.int64)
    member = np.full(n, -1, dtype=np.int64)
    eligible = np.ones(n, dtype=bool)
    fams = index.site.families()
    dates = np.where(a["dates"] > 0, a["dates"], np.iinfo(np.int32).max)
    for f, fam in enumerate(fams):
        ids = np.asarray(fam, dtype=np.int64)
        first = ids[np.lexsort((ids, dates[ids], ~preferred[ids], ~a["always"][ids]))[0]]
        family[ids] = f
        member[ids] = first
        eligible[ids] = a["always"][ids]
        eligible[first] = True
    member[eligible] = -1
    c = options.curate
    k = min(c.clusters or default_clusters(n), n)
    rng = np.random.default_rng(stable_seed(seed, "curate-clusters"))
    fit_on = np.sort(rng.choice(n, size=min(n, c.cluster_sample), replace=False))
    centroids = tails.fit_topic_clusters(index.store.read(fit_on), k=k, random_state=seed)
    cluster = np.concatenate([tails.assign_clusters(X, centroids)
                              for _, X in index.store.chunks()])
    rank = np.full(n, -1, dtype=np.int64)
    max_sim = np.full(n, np.nan)
    nearest = np.full(n, -1, dtype=np.int64)
    groups = np.where(a["always"], 0, np.where(preferred, 1, 2))
    members = np.flatnonzero(eligible)
    members = members[np.argsort(cluster[members], kind="stable")]
    bounds = np.searchsorted(cluster[members], np.arange(len(centroids) + 1))
    for cl in range(len(centroids)):
        mine = members[bounds[cl]:bounds[cl + 1]]
        if not len(mine):
            continue
        lexical = index.lexical.read(mine) if c.lexical_weight else None
        fp = farthest_point_order(index.store.read(mine), lexical=lexical,
                                  lexical_weight=c.lexical_weight, groups=groups[mine])
        rank[mine[fp.order]] = np.arange(len(mine))
        max_sim[mine] = fp.max_sim
        nearest[mine] = np.where(fp.nearest >= 0, mine[np.maximum(fp.nearest, 0)], -1)
    return Plan(eligible, family, member, cluster, rank, max_sim, nearest, len(centroids),
                len(fams))


def decide(p: Plan, index: CurateIndex, options: AuditOptions, n_keep: int) -> Selection:
    a = index.arrays()
    return select(n_keep, eligible=p.eligible, always=a["always"], cluster=p.cluster,
                  rank=p.rank, max_sim=p.max_sim, keys=a["keys"],
                  near_copy_similarity=options.curate.near_copy_similarity,
                  structure_cap=options.curate.structure_cap)


def curate(path: str | Path, options: AuditOptions, *, keep: int | str | None = None,
           target: float | None = None, always_keep: str | Path | None = None,
           prefer_source: str | None = None, manifest: str | Path | None = None,
           out: str | Path | None = None, embedder: Any = None,
           first: Any = None) -> CurateResult:
    """Select documents of the corpus at ``path`` (module docstring); see
    :func:`auditor.curate` for the arguments (``first``, tests: the first stage of a
    two-stage run, by default the table distilled from the model when the corpus holds
    ``scale.first_stage_mb`` or more, ``app.curate_stages``). Raises UsageError, InputError,
    ModelError."""
    root = Path(path)
    if (keep is None) == (target is None):
        raise UsageError("give --keep N (or a share, 60%) or --target LEVEL (the mean "
                         "similarity to reach), one of the two.")
    if target is not None and not -1 <= float(target) < 1:
        raise UsageError(f"--target {target}: a mean pairwise similarity between -1 and 1 "
                         "(e.g. 0.1).")
    if not root.exists():
        raise InputError(f"{path}: no such file or folder; check the path and pass the folder "
                         "(or file) that holds your content.")
    if keep is not None:
        parse_keep(keep, 1)  # the format, before any work
    c = options.curate
    source_field = options.ingest.source_field
    if prefer_source is not None and not source_field:
        raise UsageError("--prefer-source needs --source-field NAME (the front matter key or "
                         "column that names each document's source).")
    if out is not None:
        check_out(Path(out), root)
    protected, entries = protection(always_keep, root)
    ingest = options.ingest
    if embedder is None:
        embedder = make_embedder(options.model, cache_dir=options.cache_dir or None,
                                 progress=False, backend=options.backend)
    seed = options.sampling.random_state
    stage = first_stage_for(root, options, embedder, first)
    with CurateIndex(stage or embedder, protected=protected) as index:
        if options.engine == "dask":
            from auditor.app.curate_dask import read_corpus_dask

            read_corpus_dask(root, options, index, stage or embedder, protected, full=embedder)
        else:
            read_corpus(root, ingest, index, progress=options.progress)
        n = index.n
        if n < 2:
            raise InputError(f"{path}: {plural(n, 'document')} to curate (and "
                             f"{plural(index.n_skipped, 'skipped input')}); curation needs at "
                             "least two; see the skipped inputs with --manifest.")
        a = index.arrays()
        n_always = int(a["always"].sum())
        prefer = None
        if prefer_source is not None:
            label = " ".join(prefer_source.split()).casefold()
            prefer = index.labels.index(label) if label in index.labels else -2
        notes: list[str] = []
        if stage is not None:
            n_align = align_store(index, root, ingest, embedder, docs=options.scale.align_docs,
                                  seed=seed)
        p = plan(index, options, prefer=prefer, seed=seed)
        if stage is not None:
            p, rescored, left = rescore_borderline(
                p, index, root, ingest, embedder, cut=c.near_copy_similarity,
                margin=options.scale.rescore_margin, budget=options.scale.rescore_pairs)
            notes.append(f"Two stages ({stage.model_id} for every document): the model "
                         f"embedded {plural(n_align, 'document')} to align them and rescored "
                         f"{plural(rescored, 'borderline near-copy pair')}"
                         + (f"; {left:,} more were left to the first stage" if left else "")
                         + ".")
        if target is None:
            n_keep = parse_keep(keep if keep is not None else n, n)
        else:
            def similarity(m: int) -> float:
                kept = decide(p, index, options, m).keep
                return mean_similarity(index.store, [np.flatnonzero(kept)])[0]

            n_keep, reached = largest_within(similarity, float(target), max(2, n_always), n)
            if reached > float(target):
                notes.append(f"No subset of {max(2, n_always)} or more documents reaches a mean "
                             f"similarity of {float(target):g}; the smallest selection has "
                             f"{reached:.3f}.")
        if n_always > n_keep:
            raise UsageError(f"--always-keep protects {plural(n_always, 'document')}, more than "
                             f"the {n_keep:,} to keep; raise --keep or shorten the list.")
        sel = decide(p, index, options, n_keep)
        measures, budget = compare(root, options, ingest, index, kept=sel.keep,
                                   cluster=p.cluster, n_clusters=p.n_clusters,
                                   family=p.family, seed=seed)
        notes += _notes(index, entries, prefer_source, prefer, n_keep, keep)
        of = np.where(sel.reason == COPY, p.member, np.where(sel.reason == SEMANTIC,
                                                             p.nearest, -1))
        if manifest is not None:
            write_manifest(Path(manifest), manifest_rows(
                index, keep=sel.keep, reason=sel.reason, family=p.family,
                score=np.where(p.eligible, 1.0 - np.nan_to_num(p.max_sim, nan=0.0), np.nan),
                cluster=p.cluster, of=of, sources=bool(source_field)))
        if out is not None:
            write_kept(Path(out), root, ingest, index, sel.keep)
        counts = _counts(index, p, sel)
        sources = _sources(index, sel.keep) if source_field else ()
        skipped = tuple(index.skips.listed())
    config = {**options.to_dict(), "keep": None if keep is None else str(keep),
              "always_keep": None if always_keep is None else str(always_keep),
              "prefer_source": prefer_source}
    return CurateResult(
        corpus=str(path), counts=counts, measures=tuple(measures), word_budget=budget,
        random_subsets=c.random_subsets, sources=sources,
        target=None if target is None else float(target), method=METHOD,
        manifest=None if manifest is None else str(manifest),
        out=None if out is None else str(out), notes=tuple(notes), skipped=skipped,
        config=config)


def _counts(index: CurateIndex, p: Plan, sel: Selection) -> CurateCounts:
    dropped = ~sel.keep
    r = sel.reason
    return CurateCounts(
        inputs=index.n + index.n_skipped, documents=index.n, skipped=index.n_skipped,
        kept=sel.n_kept, families=p.n_families, in_families=int((p.family >= 0).sum()),
        dropped_near_copies=int((dropped & (r == COPY)).sum()),
        dropped_semantic=int((dropped & (r == SEMANTIC)).sum()),
        dropped_structure=int((dropped & np.isin(r, (OPENING, CLOSING, OUTLINE))).sum()),
        dropped_crowded=int((dropped & (r == CROWDED)).sum()),
        protected=int(index.arrays()["always"].sum()), clusters=p.n_clusters,
        structure_cap=sel.cap)


def _sources(index: CurateIndex, keep: np.ndarray) -> tuple[SourceShare, ...]:
    src = index.arrays()["source"].astype(np.int64)
    total = max(int(keep.sum()), 1)
    out = []
    for ix, label in [*enumerate(index.labels), (-1, "(none)")]:
        mine = src == ix
        if mine.any():
            kept = int((keep & mine).sum())
            out.append(SourceShare(label, int(mine.sum()), kept, kept / int(mine.sum()),
                                   kept / total))
    return tuple(out)


def _notes(index: CurateIndex, entries: list[str], prefer_source: str | None,
           prefer: int | None, n_keep: int, keep: int | str | None) -> list[str]:
    notes = []
    if keep is not None and str(keep).strip().isdigit() and int(str(keep)) > index.n:
        notes.append(f"--keep {keep} is more than the {index.n:,} documents: all are kept.")
    if prefer == -2:
        notes.append(f"--prefer-source {prefer_source}: no document has this source (sources "
                     f"found: {', '.join(index.labels) or 'none'}); nothing was preferred.")
    if entries and not index.arrays()["always"].any():
        notes.append(f"--always-keep: none of its {plural(len(entries), 'entry', 'entries')} "
                     "matched a document; use the ids of the manifest's 'doc' column.")
    return notes
