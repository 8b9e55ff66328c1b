"""``samey check``: is this draft just more of the same? The wiring of the command: drafts are
read with the audit's loaders, the corpus index (``auditor.index``) is opened or updated, each
draft is featurised by the audit's ``build_features`` and embedded by the one embedder (its
numpy backend when the model allows it, so a check with a cached corpus never imports torch,
sentence-transformers or scikit-learn), measured against the index (``index.draft``) and
judged (``judge.check`` calibrates the cuts on the validated baseline, ``judge.draft`` decides
each layer and the overall status). The rule is documented in docs/check.md.

(The function is ``auditor.check``; this module is ``auditor.app.check``, imported lazily by
it, so that the submodule never replaces the function as an attribute of the package.)
"""
from __future__ import annotations

import dataclasses
import glob
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Union

from threadpoolctl import threadpool_limits

from auditor._version import __version__
from auditor.app.stages import first_stage_for
from auditor.config import AuditOptions, CheckOptions, validate_check
from auditor.errors import InputError, UsageError
from auditor.features import embeddings
from auditor.features.embeddings import TextEmbedder, for_few_texts
from auditor.features.lexicon import import_spacy, phrase_stop_words
from auditor.index.corpus import Baseline
from auditor.index.draft import DraftMatch, match_drafts, shown
from auditor.index.store import CorpusIndex, FindBaseline, load_or_build
from auditor.judge.check import (
    ReferenceData,
    calibrate,
    check_warnings,
    percentile_of,
    reference_name,
)
from auditor.judge.draft import (
    DraftSignals,
    is_stock_frame,
    judge_draft,
    near_duplicate_of,
    post_name,
    shared_by_many,
    short_draft_warning,
)
from auditor.metrics.corpus import build_features
from auditor.metrics.duplication import NUM_PERM, SHINGLE_SIZE
from auditor.metrics.wording import display_phrase
from auditor.results import (
    CheckCorpus,
    CheckResult,
    CheckThresholds,
    DraftDuplication,
    DraftReport,
    DraftStructure,
    DraftWording,
    IndexInfo,
    NearDuplicate,
    NearPost,
    Novelty,
    SharedFrame,
    SharedPhrase,
    TemplateUse,
)
from auditor.types import Document

TOP = 5  # phrases and templates shown per draft

Draft = Union[str, Path, tuple[str, str]]  # noqa: UP007 (a runtime alias)


# ---------------------------------------------------------------- drafts in


def _draft_targets(d: str | Path) -> list[Path]:
    """A draft argument as paths: the file or folder itself, or the files a glob pattern
    (``drafts/*.md``, ``drafts/**/*.md``) matches, sorted."""
    path = Path(d)
    if path.exists() or not glob.has_magic(str(d)):
        return [path]
    matches = sorted(Path(m) for m in glob.glob(str(d), recursive=True))
    if not matches:
        raise InputError(f"{d}: no file matches this pattern; check the pattern (quote it so "
                         "the shell does not expand it) or pass the draft files.")
    return matches


def read_drafts(drafts: Sequence[Draft], options: AuditOptions, *,
                notes: list[str] | None = None) -> list[Document]:
    """Drafts as Documents: files through the audit's loaders (any format; a table gives one
    draft per row), folders (every file in them, recursively) and glob patterns,
    ``("-", text)`` parsed as Markdown. ``min_words`` does not apply (a short draft gets a
    warning instead). Files of a folder or pattern that cannot be read are listed in
    ``notes``; a single named file that cannot be read is an error."""
    from auditor.ingest import load_documents, supported_message
    from auditor.ingest.markdown import parse_markdown

    ingest = dataclasses.replace(options.ingest, min_words=1, min_record_words=1)
    out: list[Document] = []
    for d in drafts:
        if isinstance(d, tuple):
            name, text = d
            p = parse_markdown(text, name)
            if not p.text.strip():
                raise InputError(f"{name}: the draft on standard input has no text to check.")
            out.append(Document(doc_id=name, path=name, text=p.text, title=p.title,
                                headings=p.headings, fmt="markdown"))
            continue
        targets = _draft_targets(d)
        many = bool(targets[1:]) or targets[0].is_dir()
        for path in targets:
            if not path.exists():
                raise InputError(f"{path}: no such draft file or folder.")
            res = load_documents(path, ingest)
            if not res.documents and (not many or path.is_dir()):
                if path.is_dir():
                    raise InputError(f"{path}: no draft found in this folder "
                                     f"({supported_message()}).")
                s = res.skipped[0] if res.skipped else None
                why = f"{s.reason} ({s.detail})" if s else "no text"
                raise InputError(f"{path}: cannot check this draft: {why}.")
            if notes is not None and many:
                notes.extend(f"{path / s.path if path.is_dir() else path}: not checked: "
                             f"{s.reason} ({s.detail})" for s in res.skipped)
            for doc in res.documents:
                if path.is_dir():
                    name = str(path / doc.doc_id)
                else:
                    name = str(path) + (doc.doc_id[len(doc.path):] if doc.doc_id != doc.path
                                        else "")
                out.append(dataclasses.replace(doc, doc_id=name))
    if not out:
        raise UsageError("give at least one DRAFT file, folder or pattern, or - to read a draft "
                         "from standard input.")
    return out





# ---------------------------------------------------------------- the corpus index


def baseline_finder(root: Path, options: AuditOptions) -> FindBaseline:
    """The index's ``find_baseline``: the audit's reference pass over ``root`` (the validated
    baseline, and the words of the pools it compared)."""
    from auditor.app.reference import reference_pass

    def find(embedder: TextEmbedder) -> Baseline | None:
        ref, judged = reference_pass(root, options, embedder=embedder)
        if ref is None or judged is None:
            return None
        prep = judged.prep
        words, last = prep.features.words, prep.periods[-1]
        base = [i for p in prep.periods if p.is_baseline for i in p.doc_indices]
        return Baseline(labels=ref.labels, doc_ids=ref.doc_ids, rule=ref.info.rule,
                        warnings=tuple(ref.info.warnings), latest_label=last.label,
                        latest_is_baseline=last.is_baseline,
                        latest_words=[words[i] for i in last.doc_indices],
                        baseline_words=[words[i] for i in base])
    return find


def _embedders(options: AuditOptions, embedder: TextEmbedder | None
               ) -> tuple[TextEmbedder, TextEmbedder]:
    """(the corpus's embedder, the drafts' embedder: the same model, numpy when it can)."""
    if embedder is not None:
        return embedder, embedder
    full = embeddings.make_embedder(options.model, cache_dir=options.cache_dir,
                                    progress=options.progress, backend=options.backend)
    return full, for_few_texts(full)


def _corpus_root(against: str | Path) -> Path:
    root = Path(against)
    if not root.exists():
        raise InputError(f"--against {against}: no such file or folder; pass the folder that "
                         "holds your published content (or set 'corpus' in samey.toml).")
    return root


def corpus_index(against: str | Path, options: AuditOptions, *,
                 embedder: TextEmbedder | None = None,
                 first: TextEmbedder | None = None) -> CorpusIndex:
    """The corpus index of ``against``: opened when the corpus is unchanged, else updated.
    Two stages (``first`` the first stage) for a corpus of ``scale.first_stage_mb`` or more."""
    root = _corpus_root(against)
    full = _embedders(options, embedder)[0]
    stage = first_stage_for(root, options, full, first)
    model_id = full.model_id + (f"|first:{stage.model_id}" if stage is not None else "")
    read = None
    if options.engine == "dask":
        from auditor.app.index_dask import read_index_dask

        read = read_index_dask
    return load_or_build(root, options, model_id=model_id, make_embedder=lambda: full,
                         find_baseline=baseline_finder(root, options),
                         make_first=(lambda: stage) if stage is not None else None, read=read)


# ---------------------------------------------------------------- the check


def check(drafts: Sequence[Draft], against: str | Path, options: AuditOptions | None = None, *,
          embedder: TextEmbedder | None = None,
          first: TextEmbedder | None = None) -> CheckResult:
    """Check drafts against the corpus ``against`` (the rule: docs/check.md).

    ``drafts``: file paths (any format the audit reads) or ``("-", text)`` pairs. ``embedder``
    (tests): used for corpus and drafts; ``first`` (tests): the first stage of a two-stage
    index (by default the table distilled from the model, ``features.static``). Raises
    InputError (missing corpus/draft, nothing to compare), UsageError, ModelError.
    """
    options = options or AuditOptions()
    validate_check(options.check)
    _corpus_root(against)
    notes: list[str] = []
    docs = read_drafts(drafts, options, notes=notes)
    full, few = _embedders(options, embedder)
    index = corpus_index(against, options, embedder=full, first=first)
    # The draft work is many small matrix products: one BLAS thread is 3-10x faster than a
    # pool of them (and the same for the CLI and for library callers).
    with threadpool_limits(limits=1, user_api="blas"):
        reports, cuts, warnings = _check_drafts(docs, index, options, few, notes)
    corpus = CheckCorpus(path=str(against), documents=index.n_docs,
                         skipped=index.meta["skipped"],
                         latest_period=index.meta.get("latest_period"),
                         baseline=index.meta.get("baseline", []),
                         reference=index.meta["reference"]["source"],
                         index=IndexInfo(path=str(index.directory), built=index.built))
    config = {"check": dataclasses.asdict(options.check), "model_id": full.model_id,
              "text_budget": options.sampling.text_budget, "samey_version": __version__,
              "duplicates": {"shingle": f"word {SHINGLE_SIZE}-gram", "num_perm": NUM_PERM}}
    return CheckResult(reports, corpus, cuts, config, warnings)


def _check_drafts(docs: list[Document], index: CorpusIndex, options: AuditOptions,
                  embedder: TextEmbedder, notes: list[str]
                  ) -> tuple[list[DraftReport], CheckThresholds, list[str]]:
    """Featurise, measure and judge every draft; the reports, the cuts and the warnings. A
    two-stage index: the drafts' model vectors find candidates among the aligned first-stage
    rows, the model rescores them (``index.draft.match_drafts``)."""
    import_spacy()
    feats = build_features(docs, embedder, text_budget=options.sampling.text_budget)
    data = index.reference_data()
    cuts, ranked = calibrate(data, options.check)
    warnings = check_warnings(data, cuts, options.check) + notes
    matches = match_drafts(index, feats, k=max(1, options.check.neighbours),
                           stop=phrase_stop_words(),
                           full_rows=lambda rows: embedder.embed(index.texts(rows)),
                           candidates=options.scale.candidates)
    reports = [_report(doc, m, index, cuts, ranked, options) for doc, m in zip(docs, matches)]
    return reports, cuts, warnings


def _report(doc: Document, m: DraftMatch, index: CorpusIndex, cuts: CheckThresholds,
            ranked: ReferenceData, options: AuditOptions) -> DraftReport:
    """Judge one draft's measurements (``judge.draft``) and report them; ``ranked``: the
    reference posts its values are ranked among (``judge.check.calibrate``)."""
    c = options.check
    s = float(m.nearest[0]["similarity"]) if m.nearest else float("nan")
    pct = percentile_of(ranked.neighbour_sims, s)
    dup = _near_duplicate(m, index, s, c)
    shared = shared_by_many(m.grams, cuts.min_shared_docs)
    top = shown(shared, TOP)
    phrase_pct = percentile_of(ranked.phrase_scores, len(shared))
    cov_pct = percentile_of(ranked.template_coverage, m.template_coverage)
    frames = [{**dataclasses.asdict(f), "stock": is_stock_frame(
        f.latest_docs, f.latest_share, f.baseline_share, min_docs=cuts.min_shared_docs)}
        for f in m.frames]
    outline = " / ".join(t for _, t in m.skeleton)
    elements = {w: ((outline if w == "heading_outline" else k), n) if k else (None, 0)
                for w, (k, n) in m.elements.items()}
    signals = DraftSignals(
        similarity=s, percentile=pct, nearest=post_name(m.nearest[0]) if m.nearest else "-",
        duplicate=dup, shared_phrases=[(display_phrase(g), d) for g, d in shared],
        shown_phrases=[(display_phrase(g), d) for g, d in top], phrase_percentile=phrase_pct,
        amplified=m.amplified, latest_period=index.meta.get("latest_period"),
        shared_elements=elements, template_coverage=m.template_coverage,
        template_percentile=cov_pct, templates_used=m.templates_used, frames=frames,
        frames_period=m.frames_period)
    status, layers, reasons = judge_draft(signals, cuts, c, where=reference_name(cuts))
    warning = short_draft_warning(m.words)  # a few words are "novel" by construction
    shared_frame = {w: SharedFrame(text, n) if text else None
                    for w, (text, n) in elements.items()}
    return DraftReport(
        name=doc.doc_id, title=doc.title, words=m.words, status=status,
        reasons=([f"Warning: {warning}"] if warning else []) + reasons,
        layers=dict[str, str](layers),
        nearest=[NearPost(**n) for n in m.nearest], near_duplicate=dup,
        novelty=Novelty(nn_similarity=s, percentile=pct,
                        score=None if math.isnan(pct) or warning else 100.0 - pct),
        wording=DraftWording(
            shared_phrases=[SharedPhrase(g, display_phrase(g), d, d / index.n_docs)
                            for g, d in top],
            shared_phrase_count=len(shared), percentile=phrase_pct,
            amplified=m.amplified[:TOP]),
        structure=DraftStructure(
            opening=shared_frame["opening"], closing=shared_frame["closing"],
            heading_outline=shared_frame["heading_outline"],
            template_coverage=m.template_coverage, template_percentile=cov_pct,
            templates=[TemplateUse(t, d) for t, d in m.templates_used[:TOP]],
            template_fill={"latest_period": m.frames_period, "frames": frames,
                           "stock": sum(bool(fr["stock"]) for fr in frames)}),
        duplication=DraftDuplication(
            max_jaccard=m.jaccard,
            jaccard_path=index.refs([m.jaccard_row])[0]["path"] if m.jaccard else None),
        warnings=[warning] if warning else [])


def _near_duplicate(m: DraftMatch, index: CorpusIndex, similarity: float,
                    options: CheckOptions) -> NearDuplicate | None:
    """The corpus post the draft is a near-duplicate of (``judge.draft.near_duplicate_of``)."""
    why = near_duplicate_of(similarity, m.jaccard, options)
    if why is None:
        return None
    nearest = m.nearest_rows[0] if m.nearest_rows else -1
    target = nearest if why == "cosine" else m.jaccard_row
    at_nearest = target == nearest
    return NearDuplicate(**index.refs([target])[0],
                         similarity=similarity if at_nearest else None,
                         jaccard=m.jaccard_nearest if at_nearest else m.jaccard)
