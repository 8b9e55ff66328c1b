"""``samey check``: is this draft just more of the same? Each draft is compared with a corpus
index (``auditor.app.check_index``) on four layers, and gets a status with one-line reasons.

(The module is ``checking``, not ``check``: ``auditor.check`` is the public function, and a
submodule of that name would replace it as an attribute of the package when imported.)

Calibration: every cut comes from the *validated baseline* (``pipeline.audit_reference``: the
clean reference periods, stored in the index as ``is_baseline``), not from the whole corpus, so a
brand already full of one template does not teach the check that the template is normal. An
undated or single-period corpus falls back to the whole corpus, and the result says so. Cut-offs
that saturate (a similarity cut >= ``SATURATED_SIMILARITY``, watch == samey, a template-coverage
cut at 100%) are reported in ``warnings`` (JSON and terminal).

Status rule (see docs/check.md):

- **topic**: ``s``, the draft's cosine similarity to its nearest corpus document (the whole
  corpus), is placed against the reference distribution: each baseline document's similarity to
  its nearest other document of the whole corpus that is not a textual copy of it
  (:func:`reference_similarities`: same candidate-set size as the draft's, reposts skipped).
  ``watch`` above its ``watch_percentile`` (90th), ``samey`` above its ``samey_percentile``
  (99th) or ``max_similarity`` when given.
- **duplication**: ``samey`` when the draft is a near-duplicate of a corpus document: cosine
  ``>= duplicate_similarity`` (0.95) or MinHash Jaccard of word 5-gram shingles
  ``>= duplicate_jaccard`` (0.8).
- **wording**: ``watch`` when the draft shares more phrases with many corpus documents than
  ``watch_percentile`` of the baseline's documents do (a phrase: a word 2-4-gram with a content
  word, in at least ``min_shared_docs`` documents: default max(3, 1% of the corpus)), or when it
  uses two or more phrases the corpus has been amplifying lately (latest period vs baseline).
- **structure**: ``watch`` when its opening, closing or heading outline is shared by at least
  ``min_shared_docs`` corpus documents, or when the share of its sentence shapes that are corpus
  templates exceeds ``watch_percentile`` of the baseline's documents. The *template-fill rule*:
  a frame (opening = first ``STOCK_WORDS`` words, closing = last ``STOCK_WORDS`` words, heading
  outline up to one heading) is *stock* when at least ``STOCK_SHARE`` of the latest period's
  posts (and ``min_shared_docs`` of them) share it and that share is at least ``STOCK_GROWTH``
  times its share in the baseline. ``samey`` with two stock frames, or one stock frame and a
  template coverage above the baseline's ``samey_percentile``; ``watch`` with one.
- **overall**: ``samey`` when a layer says ``samey``, or when topic *and* wording or structure
  say ``watch``; ``watch`` when any layer does; ``ok`` otherwise.

Drafts are embedded with the numpy BERT forward pass (``features.fastbert``) when the model
allows it (the default does), with the audit's chunking, so a check with a cached corpus never
imports torch, sentence-transformers or scikit-learn.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Union

import numpy as np
from threadpoolctl import threadpool_limits

from auditor._version import __version__
from auditor.app.check_index import (
    CorpusIndex,
    content_grams,
    load_or_build,
    nearest_rows,
    outline_key,
    phrase_hash,
    shape_grams,
    template_coverage,
)
from auditor.config import AuditOptions
from auditor.errors import InputError, UsageError
from auditor.features.lexicon import import_spacy
from auditor.judge.draft import DraftSignals, is_stock_frame, judge_draft
from auditor.judge.thresholds import (
    MIN_DRAFT_WORDS,
    MIN_REFERENCE_DOCS,
    SATURATED_SIMILARITY,
    STOCK_GROWTH,
    STOCK_SHARE,
    STOCK_WORDS,
)
from auditor.metrics import wording
from auditor.progress import ordinal, plural
from auditor.results import (
    CheckCorpus,
    CheckReference,
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

TOP = 5

# The template-fill rule (see the module docstring and docs/check.md).
# A stock opening / closing is its first / last STOCK_WORDS words: four words are a formula
# ("in today's fast-paced world"), while the 6-word keys of the audit also catch the topic slot
# that a template fill swaps ("... world, finance teams").
# Stock when at least a quarter of the latest period's posts share it: one post in four is far
# above what a natural opening reaches (the most common 4-word opening of a varied blog is in a
# few per cent of its posts; the Rust blog's release template opens about one post in eight).
# ... and its share there is at least twice its share in the baseline: a house format the clean
# baseline already had at that rate (release notes) is not a change, as in the audit.
# Saturation: a similarity cut at or above this cannot separate a copy from a new post.
# Fewer reference posts than this: the 99th percentile is about the maximum; say so.

Draft = Union[str, Path, tuple[str, str]]


# ---------------------------------------------------------------- drafts in


def _draft_targets(d: str | Path) -> list[Path]:
    """A draft argument as paths: the file or folder itself, or the files a glob pattern
    (``drafts/*.md``, ``drafts/**/*.md``) matches, sorted."""
    import glob

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
        many = len(targets) > 1 or targets[0].is_dir()
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




def _tokenize(texts: list[str], budget: int):
    from auditor.features.tokens import tokenize

    import_spacy()
    return tokenize(texts, budget=budget)


# ---------------------------------------------------------------- embedders


class _NumpyEmbedder:
    """Draft embeddings with ``features.fastbert.NumpyBert``, chunked and pooled as ``Embedder``
    does (``chunk_texts`` windows, word-piece-weighted mean of unit chunk vectors, normalised)."""

    def __init__(self, model_dir: Path, model_id: str) -> None:
        from auditor.features.fastbert import NumpyBert

        self.model_id = model_id
        self.bert = NumpyBert(model_dir)

    def _tokenizer(self, texts, **_: Any) -> dict[str, Any]:
        return {"offset_mapping": self.bert.offsets(list(texts))}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        from auditor.features.embeddings import chunk_texts

        chunks = chunk_texts(list(texts), self._tokenizer, self.bert.max_seq_length - 2)
        flat = [(i, t, n) for i, cs in enumerate(chunks) for t, n in cs]
        out = np.zeros((len(texts), self.bert.dim), dtype=np.float64)
        if flat:
            vecs = self.bert.encode([t for _, t, _ in flat]).astype(np.float64)
            vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
            for (i, _, n), v in zip(flat, vecs):
                out[i] += n * v
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norms, out=np.zeros_like(out), where=norms > 0).astype(np.float32)


def _embedders(options: AuditOptions, embedder: Any):
    """(model_id, make corpus embedder, draft embedder)."""
    from auditor.features import embeddings as emb

    if embedder is not None:
        return embedder.model_id, (lambda: embedder), embedder
    full = emb.make_embedder(options.model, cache_dir=options.cache_dir, progress=options.progress,
                             backend=options.backend)
    if isinstance(full, emb.HashingEmbedder) or options.backend != "torch":
        return full.model_id, (lambda: full), full
    path, model_id = emb.resolve_model(options.model)
    from auditor.features.fastbert import supports

    draft = _NumpyEmbedder(path, model_id) if supports(path) else full
    return model_id, (lambda: full), draft


# ---------------------------------------------------------------- the check


def check(drafts: Sequence[Draft], against: str | Path, options: AuditOptions | None = None, *,
          embedder: Any = None) -> CheckResult:
    """Check drafts against the corpus ``against`` (see the module docstring for the rule).

    ``drafts``: file paths (any format the audit reads) or ``("-", text)`` pairs. ``embedder``
    (tests): any object with ``model_id`` and ``embed(texts)``, used for corpus and drafts.
    Raises InputError (missing corpus/draft, nothing to compare), UsageError, ModelError.
    """
    options = options or AuditOptions()
    _validate(options)
    root = Path(against)
    if not root.exists():
        raise InputError(f"--against {against}: no such file or folder; pass the folder that "
                         "holds your published content (or set 'corpus' in samey.toml).")
    draft_notes: list[str] = []
    docs = read_drafts(drafts, options, notes=draft_notes)
    model_id, make_full, draft_embedder = _embedders(options, embedder)
    index = load_or_build(root, options, model_id=model_id, make_embedder=make_full)

    # The draft work is many small matrix products: one BLAS thread is 3-10x faster than a
    # pool of them (and the same for the CLI and for library callers).
    with threadpool_limits(limits=1, user_api="blas"):
        reports, cuts, warnings = _check_drafts(docs, index, options, draft_embedder,
                                                draft_notes)
    corpus = CheckCorpus(path=str(against), documents=index.n_docs,
                         skipped=index.meta["skipped"],
                         latest_period=index.meta.get("latest_period"),
                         baseline=index.meta.get("baseline", []),
                         reference=index.meta["reference"]["source"],
                         index=IndexInfo(path=str(index.directory), built=index.built))
    config = {"check": dataclasses.asdict(options.check), "model_id": model_id,
              "text_budget": options.sampling.text_budget, "samey_version": __version__,
              "duplicates": {"shingle": "word 5-gram", "num_perm": 128}}
    return CheckResult(reports, corpus, cuts, config, warnings)


def _check_drafts(docs: list[Document], index: CorpusIndex, options: AuditOptions,
                  draft_embedder: Any, draft_notes: list[str]
                  ) -> tuple[list[DraftReport], CheckThresholds, list[str]]:
    """Embed, tokenise and measure every draft against the index; the per-draft reports,
    the calibrated cuts and the warnings."""
    toks = _tokenize([d.text for d in docs], options.sampling.text_budget)
    X = draft_embedder.embed([d.text for d in docs])
    k = max(1, options.check.neighbours)
    nn_idx, nn_sim = nearest_rows(X, index.embeddings, k=k, norms=index.norms)
    from auditor.metrics.duplication import minhash_signatures
    from auditor.metrics.structure import closing_key, heading_skeleton, opening_key

    sigs = minhash_signatures([t.words for t in toks], shingle_size=5, num_perm=128)
    reference = _reference(index, options)
    cuts = thresholds(index, options, reference)
    warnings = check_warnings(index, cuts, options) + draft_notes
    stock = _StockFrames(index)
    from auditor.features.lexicon import phrase_stop_words

    stop = phrase_stop_words()
    reports = []
    for i, (doc, tok) in enumerate(zip(docs, toks)):
        skel = heading_skeleton(doc.headings) if doc.headings else ()
        reports.append(_report(
            doc, index, cuts, options, stop=stop, words=tok.words, shapes=tok.shapes,
            opening=opening_key(tok.first_sentence) if tok.first_sentence else None,
            closing=closing_key(tok.last_sentence) if tok.last_sentence else None,
            skeleton=skel, sig=sigs[i], nn_idx=nn_idx[i], nn_sim=nn_sim[i], stock=stock,
            ref_sims=reference[0]))
        n_words = len(tok.words)
        if n_words < MIN_DRAFT_WORDS:
            r = reports[-1]  # a few words are "novel" by construction
            r.novelty = dataclasses.replace(r.novelty, score=None)
            r.warnings = [
                f"too short to judge reliably: {plural(n_words, 'word')} "
                f"(at least {MIN_DRAFT_WORDS} are needed for phrases, structure and novelty to "
                "mean much); treat this result as a rough guide."]
            r.reasons.insert(0, "Warning: " + r.warnings[0])
    return reports, cuts, warnings


def _validate(options: AuditOptions) -> None:
    c = options.check
    if not 0 < c.watch_percentile <= c.samey_percentile <= 100:
        raise UsageError("percentiles must satisfy 0 < watch_percentile <= samey_percentile "
                         "<= 100.")
    if c.max_similarity is not None and not -1 <= c.max_similarity <= 1:
        raise UsageError("--max-similarity must be a cosine similarity between -1 and 1.")
    if not 0 < c.duplicate_similarity <= 1 or not 0 < c.duplicate_jaccard <= 1:
        raise UsageError("duplicate_similarity and duplicate_jaccard must be in (0, 1].")
    if c.neighbours < 1:
        raise UsageError("--neighbours must be at least 1.")
    if c.min_shared_docs is not None and c.min_shared_docs < 2:
        raise UsageError("min_shared_docs must be at least 2.")


def reference_similarities(index: CorpusIndex,
                           options: AuditOptions) -> tuple[np.ndarray, int, int]:
    """The reference distribution of the topic layer: for each baseline document, its cosine
    similarity to its nearest other document of the *whole* corpus that is not a textual copy of
    it (MinHash Jaccard of word 5-gram shingles below ``duplicate_jaccard``).

    Like with like: a draft is compared with all n corpus documents, a baseline document with
    the n - 1 others, so both nearest-neighbour similarities come from candidate sets of the same
    size (a baseline-only reference would be biased low: the maximum over fewer candidates).
    Copies are skipped because a post reposted later (or cross-posted) would otherwise put 1.00
    into the distribution and saturate the cuts; copies are the duplication layer's business.
    Returns (similarities, baseline documents whose nearest neighbour was a copy, documents left
    out because all their ``REF_NEIGHBOURS`` stored neighbours are copies).
    """
    rows, idx, sims = index.ref_rows, index.ref_nbr_idx, index.ref_nbr_sims
    if not len(rows) or not idx.shape[1]:
        return np.zeros(0), 0, 0
    # MinHash Jaccard of each pair, stored at build (-1: a side has no shingle, never a copy)
    copy = np.asarray(index.ref_nbr_jac) >= options.check.duplicate_jaccard
    keep = ~copy
    has = keep.any(axis=1)
    first = np.argmax(keep, axis=1)
    values = sims[np.arange(len(rows)), first][has]
    return values.astype(np.float64), int((first[has] > 0).sum()), int((~has).sum())


def _reference(index: CorpusIndex, options: AuditOptions) -> tuple[np.ndarray, str, int, int]:
    """(reference similarities, their source, copies skipped, documents left out)."""
    sims, copies, left_out = reference_similarities(index, options)
    if not len(sims):  # every baseline post has only copies as neighbours: use the corpus's own
        return index.nn_sims, "corpus", copies, left_out
    return sims, index.meta["reference"]["source"], copies, left_out


def thresholds(index: CorpusIndex, options: AuditOptions,
               reference: tuple[np.ndarray, str, int, int] | None = None) -> CheckThresholds:
    """The cuts used, calibrated on the validated baseline (the whole corpus when there is none)
    unless set; see the module docstring. ``reference``: :func:`_reference`'s result when the
    caller already has it."""
    c = options.check
    ref = index.meta["reference"]
    sims, source, copies, left_out = reference or _reference(index, options)
    base = index.is_baseline
    phr, cov = index.phrase_scores[base], index.template_cov[base]
    samey = (float(c.max_similarity) if c.max_similarity is not None
             else float(np.percentile(sims, c.samey_percentile)))
    nn = index.nn_sims
    recent = index.is_recent
    return CheckThresholds(
        watch_similarity=min(float(np.percentile(sims, c.watch_percentile)), samey),
        samey_similarity=samey,
        similarity_source="option" if c.max_similarity is not None else source,
        reference=CheckReference(
            source=source, periods=list(ref["labels"]), documents=int(base.sum()),
            similarities=int(len(sims)), copies_skipped=copies, left_out=left_out,
            rule=ref.get("rule"), latest_period=index.meta.get("latest_period"),
            latest_period_documents=int(recent.sum())),
        duplicate_similarity=c.duplicate_similarity,
        duplicate_jaccard=c.duplicate_jaccard,
        watch_percentile=c.watch_percentile, samey_percentile=c.samey_percentile,
        min_shared_docs=int(index.meta["min_shared_docs"]),
        shared_phrases_watch=float(np.percentile(phr, c.watch_percentile)),
        template_coverage_watch=float(np.percentile(cov, c.watch_percentile)),
        template_coverage_samey=float(np.percentile(cov, c.samey_percentile)),
        stock_words=STOCK_WORDS, stock_share=STOCK_SHARE, stock_growth=STOCK_GROWTH,
        reference_nn_similarity=_summary(sims),
        corpus_nn_similarity=_summary(nn),
    )


def _summary(x: np.ndarray) -> dict[str, float]:
    return {"median": float(np.median(x)), "p90": float(np.percentile(x, 90)),
            "p99": float(np.percentile(x, 99)), "max": float(np.max(x))}


def _reference_name(cuts: CheckThresholds) -> str:
    """'the baseline 2025-01..2025-05' or 'the corpus'."""
    ref = cuts.reference
    if ref.source != "baseline":
        return "the corpus"
    p = ref.periods
    return f"the baseline {p[0]}..{p[-1]}" if len(p) > 1 else f"the baseline {p[0]}"


def check_warnings(index: CorpusIndex, cuts: CheckThresholds,
                   options: AuditOptions) -> list[str]:
    """Plain sentences about the reference the cuts come from: no validated baseline, the
    baseline validation's own warnings, and cut-offs that saturate (they cannot separate a copy
    or a template fill from a new post)."""
    ref = index.meta["reference"]
    out: list[str] = []
    where = _reference_name(cuts)
    if ref["source"] != "baseline":
        out.append(f"No validated baseline ({ref.get('reason', 'none found')}): the cut-offs come "
                   "from the whole corpus, which may already be samey. Date the posts (front "
                   "matter, file names, --date-from) so the check can calibrate on clean content.")
    out.extend(f"Baseline: {w}" for w in ref.get("warnings", []))
    r = cuts.reference
    if r.source == "corpus" and ref["source"] == "baseline":
        out.append("Every baseline post's nearest neighbours are copies of it: the similarity "
                   "cut-offs come from the whole corpus instead.")
    if r.similarities < MIN_REFERENCE_DOCS:
        out.append(f"The reference holds only {r.similarities} posts: its "
                   f"{ordinal(options.check.samey_percentile)} percentile is close to its largest "
                   "value, so the cut-offs are rough.")
    if cuts.similarity_source != "option":
        w, s = cuts.watch_similarity, cuts.samey_similarity
        if s >= SATURATED_SIMILARITY or w >= SATURATED_SIMILARITY:
            out.append(f"Saturated cut-off: the similarity cuts (watch > {w:.2f}, samey > "
                       f"{s:.2f}) are at the ceiling: the posts of {where} are already "
                       "near-copies of each other, so the topic layer cannot tell a new post "
                       "from a copy. Choose a cleaner --baseline or set --max-similarity.")
        elif w >= s:
            out.append(f"Saturated cut-off: the watch and samey similarity cuts are equal "
                       f"({s:.2f}): the posts of {where} are all equally close to their "
                       "neighbours (one template?), so the topic layer has no watch band. "
                       "Choose a cleaner --baseline or set --max-similarity.")
    tw, ts = cuts.template_coverage_watch, cuts.template_coverage_samey
    if ts >= 1.0:
        out.append(f"Saturated cut-off: the template-coverage cut is {ts:.0%}, the highest "
                   f"possible: the posts of {where} are made entirely of the corpus's sentence "
                   "templates, so no draft can exceed it. Choose a cleaner --baseline.")
    elif ts > 0 and tw >= ts:
        out.append(f"Saturated cut-off: the watch and samey template-coverage cuts are equal "
                   f"({ts:.0%}): the posts of {where} share the same sentence shapes, so the "
                   "reference is already templated. Choose a cleaner --baseline.")
    return out


class _StockFrames:
    """The stock frames of the latest period: how many of its posts (and of the baseline's) share
    a draft's opening (first ``STOCK_WORDS`` words), closing (last ``STOCK_WORDS`` words) and
    heading outline (same number of headings, all but at most one equal: the topic heading a
    template fill swaps; outlines of one or two headings must be equal). Counted on the index's
    per-document key hashes of the latest period's and the baseline's rows."""

    def __init__(self, index: CorpusIndex) -> None:
        meta = index.meta
        self.index = index
        has_recent = bool(index.is_recent.any())
        recent = np.asarray(index.is_recent) if has_recent else np.ones(index.n_docs, dtype=bool)
        self.label = meta.get("latest_period") if has_recent else None
        self.growth = has_recent and meta["reference"]["source"] == "baseline"
        base = np.asarray(index.is_baseline)
        self.n_recent, self.n_base = int(recent.sum()), int(base.sum())
        self.min_docs = int(meta["min_shared_docs"])
        self.rows = np.flatnonzero(recent | base)
        self.rows_recent = recent[self.rows]
        self.rows_base = base[self.rows]

    def _keys(self, name: str) -> np.ndarray:
        return np.asarray(self.index.arrays[name][self.rows])

    @staticmethod
    def _same_outline(a: tuple, b: tuple | None) -> bool:
        if b is None or len(a) != len(b):
            return False
        if len(a) < 3:
            return a == b
        return sum(x != y for x, y in zip(a, b)) <= 1

    def _outline_hits(self, key: tuple) -> np.ndarray:
        if len(key) < 3:  # must be equal: compare the hashes
            return self._keys("outline") == np.uint64(phrase_hash(outline_key(key)))
        found = self.index.outlines(len(key), self.rows)
        return np.array([self._same_outline(key, found.get(int(r))) for r in self.rows],
                        dtype=bool)

    def frames(self, opening: str | None, closing: str | None,
               skeleton: Sequence[tuple[int, str]]) -> list[dict[str, Any]]:
        """One entry per frame the draft has: its text, how many latest-period posts share it,
        their share, the baseline's share, and whether it is stock."""
        out = []
        items = []
        if opening:
            text = " ".join(opening.split()[:STOCK_WORDS])
            items.append(("opening", text,
                          self._keys("stock_opening") == np.uint64(phrase_hash(text))))
        if closing:
            text = " ".join(closing.split()[-STOCK_WORDS:])
            items.append(("closing", text,
                          self._keys("stock_closing") == np.uint64(phrase_hash(text))))
        if skeleton:
            key = tuple((int(lv), str(t)) for lv, t in skeleton)
            items.append(("heading_outline", " / ".join(t for _, t in key),
                          self._outline_hits(key)))
        for what, text, hit in items:
            r = int((hit & self.rows_recent).sum())
            b = int((hit & self.rows_base).sum())
            share_r = r / self.n_recent if self.n_recent else 0.0
            share_b = b / self.n_base if self.n_base else 0.0
            stock = is_stock_frame(r, share_r, share_b if self.growth else None,
                                   min_docs=self.min_docs)
            out.append({"element": what, "text": text, "latest_docs": r,
                        "latest_share": share_r, "baseline_share": share_b if self.growth else None,
                        "stock": bool(stock)})
        return out


def _percentile_of(values: np.ndarray, x: float) -> float:
    """Share (%) of ``values`` strictly below ``x`` (ties count half)."""
    if not len(values):
        return float("nan")
    below = np.count_nonzero(values < x)
    ties = np.count_nonzero(values == x)
    return float(100.0 * (below + 0.5 * ties) / len(values))


def _report(doc: Document, index: CorpusIndex, cuts: CheckThresholds, options: AuditOptions, *,
            stop, words, shapes, opening, closing, skeleton, sig, nn_idx, nn_sim,
            stock: _StockFrames, ref_sims: np.ndarray) -> dict[str, Any]:
    """Measure one draft against the index (similarity, shared phrases, openings, templates,
    stock frames, MinHash overlap), then let :func:`auditor.judge.draft.judge_draft` decide."""
    n = index.n_docs
    c = options.check
    shared_min = cuts.min_shared_docs

    # topic + duplication
    nearest = [NearPost(**ref, similarity=float(s))
               for ref, s in zip(index.refs(nn_idx), nn_sim)]
    s = float(nn_sim[0]) if len(nn_sim) else float("nan")
    pct = _percentile_of(ref_sims, s)
    equal = index.jaccard(sig)
    empty = bool((sig == 0xFFFFFFFF).all())
    j_best = int(np.argmax(equal)) if len(equal) else 0
    jac = 0.0 if empty or not len(equal) else float(equal[j_best])
    dup = None
    if s >= c.duplicate_similarity or jac >= c.duplicate_jaccard:
        target = int(nn_idx[0]) if s >= c.duplicate_similarity else j_best
        dup = NearDuplicate(**index.refs([target])[0], similarity=float(nearest[0].similarity)
                            if target == int(nn_idx[0]) else None,
                            jaccard=float(equal[target]))

    # wording
    grams = sorted(content_grams(words, stop))
    df = index.df(grams)
    shared = [(g, int(d)) for g, d in zip(grams, df) if d >= shared_min]
    shared.sort(key=lambda gd: (-gd[1], -len(gd[0].split()), gd[0]))
    shown: list[tuple[str, int]] = []
    for g, d in shared:  # skip phrases inside an already-shown phrase
        if not any(f" {g} " in f" {h} " for h, _ in shown):
            shown.append((g, d))
        if len(shown) == TOP:
            break
    base = index.is_baseline
    phrase_pct = _percentile_of(index.phrase_scores[base], len(shared))
    amplified = [a for a in index.meta.get("amplified", [])
                 if wording.contains_phrase(words, a["phrase"])]

    # structure
    skel_key = outline_key(skeleton)
    shared_items = {
        "opening": (opening, index.count("opening", opening)),
        "closing": (closing, index.count("closing", closing)),
        "heading_outline": (skel_key, index.count("outline", skel_key)),
    }
    templates = index.meta["templates"]
    cov = template_coverage(shapes, templates)
    cov_pct = _percentile_of(index.template_cov[base], cov)
    used = _templates_used([g for g in shape_grams(shapes) if g in templates], templates)
    frames = stock.frames(opening, closing, skeleton)

    signals = DraftSignals(
        similarity=s, percentile=pct, nearest=nearest[0].path if nearest else "-",
        duplicate=dup,
        shared_phrases=[(wording.display_phrase(g), d) for g, d in shared],
        shown_phrases=[(wording.display_phrase(g), d) for g, d in shown],
        phrase_percentile=phrase_pct, amplified=amplified,
        latest_period=index.meta.get("latest_period"),
        shared_elements={w: (" / ".join(h[1] for h in skeleton) if w == "heading_outline"
                             else k, cnt) if k else (None, 0)
                         for w, (k, cnt) in shared_items.items()},
        template_coverage=cov, template_percentile=cov_pct, templates_used=used,
        frames=frames, frames_period=stock.label)
    status, layers, reasons = judge_draft(signals, cuts, options.check,
                                          where=_reference_name(cuts))
    frame = {w: (SharedFrame(" / ".join(h[1] for h in skeleton)
                             if w == "heading_outline" else k, cnt) if k else None)
             for w, (k, cnt) in shared_items.items()}
    return DraftReport(
        name=doc.doc_id, title=doc.title, words=len(words), status=status,
        reasons=reasons, layers=layers, nearest=nearest, near_duplicate=dup,
        novelty=Novelty(nn_similarity=s, percentile=pct,
                        score=None if math.isnan(pct) else 100.0 - pct),
        wording=DraftWording(
            shared_phrases=[SharedPhrase(g, wording.display_phrase(g), d, d / n)
                            for g, d in shown],
            shared_phrase_count=len(shared), percentile=phrase_pct,
            amplified=amplified[:TOP]),
        structure=DraftStructure(
            opening=frame["opening"], closing=frame["closing"],
            heading_outline=frame["heading_outline"],
            template_coverage=cov, template_percentile=cov_pct,
            templates=[TemplateUse(t, d) for t, d in used[:TOP]],
            template_fill={"latest_period": stock.label, "frames": frames,
                           "stock": sum(bool(fr["stock"]) for fr in frames)}),
        duplication=DraftDuplication(max_jaccard=jac,
                                     jaccard_path=index.refs([j_best])[0]["path"] if jac
                                     else None),
    )


def _templates_used(grams: list[str], templates: dict[str, int]) -> list[tuple[str, int]]:
    """Distinct templates used, by their corpus document count."""
    return sorted({g: templates[g] for g in grams}.items(), key=lambda kv: (-kv[1], kv[0]))
