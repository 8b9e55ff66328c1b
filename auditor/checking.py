"""``samey check``: is this draft just more of the same? Each draft is compared with a corpus
index (``auditor.corpus_index``) on four layers, and gets a status with one-line reasons.

(The module is ``checking``, not ``check``: ``auditor.check`` is the public function, and a
submodule of that name would replace it as an attribute of the package when imported.)

Status rule (thresholds are calibrated from the corpus itself unless set; see docs/check.md):

- **topic**: ``s``, the draft's cosine similarity to its nearest corpus document, is placed
  against the corpus's own nearest-neighbour similarities (each document vs the rest). ``watch``
  when ``s`` exceeds their ``watch_percentile`` (90th), ``samey`` when it exceeds their
  ``samey_percentile`` (99th) or ``max_similarity`` when given.
- **duplication**: ``samey`` when the draft is a near-duplicate of a corpus document: cosine
  ``>= duplicate_similarity`` (0.95) or MinHash Jaccard of word 5-gram shingles
  ``>= duplicate_jaccard`` (0.8).
- **wording**: ``watch`` when the draft shares more phrases with many corpus documents than
  ``watch_percentile`` of the corpus's own documents do (a phrase: a word 2-4-gram with a content
  word, in at least ``min_shared_docs`` documents: default max(3, 1% of the corpus)), or when it
  uses two or more phrases the corpus has been amplifying lately (latest period vs baseline).
- **structure**: ``watch`` when its opening, closing or heading outline is shared by at least
  ``min_shared_docs`` corpus documents, or when the share of its sentence shapes that are corpus
  templates exceeds ``watch_percentile`` of the corpus's documents.
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import numpy as np

from . import __version__
from .config import AuditOptions
from .corpus_index import (
    CorpusIndex,
    _content_grams,
    _shape_grams,
    load_or_build,
    template_coverage,
)
from .errors import InputError, UsageError
from .features.lexicon import import_spacy
from .metrics import wording
from .types import Document

CHECK_SCHEMA_VERSION = "1.0"
RANK = {"ok": 0, "watch": 1, "samey": 2}
TOP = 5

Draft = Union[str, Path, tuple[str, str]]


@dataclass
class CheckResult:
    """Per-draft reports; ``to_dict`` is exactly what ``samey check --json`` writes."""

    drafts: list[dict[str, Any]]
    corpus: dict[str, Any]
    thresholds: dict[str, Any]
    config: dict[str, Any] = field(default_factory=dict)
    schema_version: str = CHECK_SCHEMA_VERSION

    @property
    def status(self) -> str:
        """The worst draft status (``ok`` when there is no draft)."""
        return max((d["status"] for d in self.drafts), key=RANK.__getitem__, default="ok")

    def to_dict(self) -> dict[str, Any]:
        return {"schema_version": self.schema_version, "kind": "check", "status": self.status,
                "corpus": self.corpus, "thresholds": self.thresholds, "drafts": self.drafts,
                "config": self.config}


# ---------------------------------------------------------------- drafts in


def read_drafts(drafts: Sequence[Draft], options: AuditOptions) -> list[Document]:
    """Drafts as Documents: files through the audit's loaders (any format; a table gives one
    draft per row), ``("-", text)`` parsed as Markdown. ``min_words`` does not apply."""
    from .ingest import load_documents
    from .ingest.markdown import parse_markdown

    ingest = dataclasses.replace(options.ingest, min_words=1)
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
        path = Path(d)
        if path.is_dir():
            raise InputError(f"{path}: is a folder; pass draft files (or - for standard input).")
        res = load_documents(path, ingest)
        if res.skipped and not res.documents:
            s = res.skipped[0]
            raise InputError(f"{path}: cannot check this draft: {s.reason} ({s.detail}).")
        for doc in res.documents:
            name = str(path) + (doc.doc_id[len(doc.path):] if doc.doc_id != doc.path else "")
            out.append(dataclasses.replace(doc, doc_id=name))
    if not out:
        raise UsageError("give at least one DRAFT file, or - to read a draft from standard input.")
    return out


def _tokenize(texts: list[str], budget: int):
    from .features.tokens import tokenize

    import_spacy()
    return tokenize(texts, budget=budget)


# ---------------------------------------------------------------- embedders


class _NumpyEmbedder:
    """Draft embeddings with ``features.fastbert.NumpyBert``, chunked and pooled as ``Embedder``
    does (``chunk_texts`` windows, word-piece-weighted mean of unit chunk vectors, normalised)."""

    def __init__(self, model_dir: Path, model_id: str) -> None:
        from .features.fastbert import NumpyBert

        self.model_id = model_id
        self.bert = NumpyBert(model_dir)

    def _tokenizer(self, texts, **_: Any) -> dict[str, Any]:
        encs = self.bert._counter.encode_batch(list(texts), add_special_tokens=False)
        return {"offset_mapping": [e.offsets for e in encs]}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        from .features.embeddings import chunk_texts

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
    from .features import embeddings as emb

    if embedder is not None:
        return embedder.model_id, (lambda: embedder), embedder
    full = emb.make_embedder(options.model, cache_dir=options.cache_dir, progress=options.progress)
    if isinstance(full, emb.HashingEmbedder):
        return full.model_id, (lambda: full), full
    path, model_id = emb.resolve_model(options.model)
    from .features.fastbert import supports

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
    docs = read_drafts(drafts, options)
    model_id, make_full, draft_embedder = _embedders(options, embedder)
    index = load_or_build(root, options, model_id=model_id, make_embedder=make_full)

    toks = _tokenize([d.text for d in docs], options.sampling.text_budget)
    X = draft_embedder.embed([d.text for d in docs])
    from .metrics.duplication import minhash_signatures
    from .metrics.structure import closing_key, heading_skeleton, opening_key
    from .metrics.topics import nearest_neighbours

    sigs = minhash_signatures([t.words for t in toks], shingle_size=5, num_perm=128)
    k = max(1, options.check.neighbours)
    nn_idx, nn_sim = nearest_neighbours(X, index.embeddings, k=k)
    cuts = thresholds(index, options)
    from .metrics.wording import _stop_words

    stop = _stop_words()
    reports = []
    for i, (doc, tok) in enumerate(zip(docs, toks)):
        skel = heading_skeleton(doc.headings) if doc.headings else ()
        reports.append(_report(
            doc, index, cuts, options, stop=stop, words=tok.words, shapes=tok.shapes,
            opening=opening_key(tok.first_sentence) if tok.first_sentence else None,
            closing=closing_key(tok.last_sentence) if tok.last_sentence else None,
            skeleton=skel, sig=sigs[i], nn_idx=nn_idx[i], nn_sim=nn_sim[i]))
    corpus = {"path": str(against), "documents": index.n_docs, "skipped": index.meta["skipped"],
              "latest_period": index.meta.get("latest_period"),
              "baseline": index.meta.get("baseline", []),
              "index": {"path": index.directory, "built": index.built}}
    config = {"check": dataclasses.asdict(options.check), "model_id": model_id,
              "text_budget": options.sampling.text_budget, "samey_version": __version__,
              "duplicates": {"shingle": "word 5-gram", "num_perm": 128}}
    return CheckResult(reports, corpus, cuts, config)


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


def thresholds(index: CorpusIndex, options: AuditOptions) -> dict[str, Any]:
    """The cuts used, calibrated from the corpus's own distributions unless set."""
    c = options.check
    nn = index.nn_sims
    samey = (float(c.max_similarity) if c.max_similarity is not None
             else float(np.percentile(nn, c.samey_percentile)))
    return {
        "watch_similarity": min(float(np.percentile(nn, c.watch_percentile)), samey),
        "samey_similarity": samey,
        "similarity_source": "option" if c.max_similarity is not None else "corpus",
        "duplicate_similarity": c.duplicate_similarity,
        "duplicate_jaccard": c.duplicate_jaccard,
        "watch_percentile": c.watch_percentile, "samey_percentile": c.samey_percentile,
        "min_shared_docs": int(index.meta["min_shared_docs"]),
        "shared_phrases_watch": float(np.percentile(index.phrase_scores, c.watch_percentile)),
        "template_coverage_watch": float(np.percentile(index.template_cov, c.watch_percentile)),
        "corpus_nn_similarity": {"median": float(np.median(nn)),
                                 "p90": float(np.percentile(nn, 90)),
                                 "p99": float(np.percentile(nn, 99))},
    }


def _percentile_of(values: np.ndarray, x: float) -> float:
    """Share (%) of ``values`` strictly below ``x`` (ties count half)."""
    if not len(values):
        return float("nan")
    below = np.count_nonzero(values < x)
    ties = np.count_nonzero(values == x)
    return float(100.0 * (below + 0.5 * ties) / len(values))


def _report(doc: Document, index: CorpusIndex, cuts: dict[str, Any], options: AuditOptions, *,
            stop, words, shapes, opening, closing, skeleton, sig, nn_idx, nn_sim) -> dict[str, Any]:
    n = index.n_docs
    refs = index.docs
    c = options.check
    shared_min = cuts["min_shared_docs"]
    layers = {"topic": "ok", "duplication": "ok", "wording": "ok", "structure": "ok"}
    reasons: list[str] = []

    def raise_to(layer: str, status: str) -> None:
        if RANK[status] > RANK[layers[layer]]:
            layers[layer] = status

    # topic + duplication
    nearest = [{**refs[int(j)], "similarity": float(s)} for j, s in zip(nn_idx, nn_sim)]
    s = float(nn_sim[0]) if len(nn_sim) else float("nan")
    pct = _percentile_of(index.nn_sims, s)
    equal = (index.signatures == sig[None, :]).sum(axis=1) / sig.shape[0]
    empty = bool((sig == 0xFFFFFFFF).all())
    j_best = int(np.argmax(equal)) if len(equal) else 0
    jac = 0.0 if empty or not len(equal) else float(equal[j_best])
    dup = None
    if s >= c.duplicate_similarity or jac >= c.duplicate_jaccard:
        target = int(nn_idx[0]) if s >= c.duplicate_similarity else j_best
        dup = {**refs[target], "similarity": float(nearest[0]["similarity"]) if target == int(
            nn_idx[0]) else None, "jaccard": float(equal[target])}
        raise_to("duplication", "samey")
        reasons.append(f"near-duplicate of {refs[target]['path']} (cosine "
                       f"{_f(dup['similarity'])}, shared word 5-grams {dup['jaccard']:.0%}).")
    near = nearest[0]["path"] if nearest else "-"
    if s > cuts["samey_similarity"]:
        raise_to("topic", "samey")
        src = ("--max-similarity" if cuts["similarity_source"] == "option"
               else f"the corpus's {c.samey_percentile:g}th percentile")
        reasons.append(f"very close to {near} (similarity {s:.2f}; cut "
                       f"{cuts['samey_similarity']:.2f} = {src}; closer than {pct:.0f}% of "
                       "corpus posts are to their nearest neighbour).")
    elif s > cuts["watch_similarity"]:
        raise_to("topic", "watch")
        reasons.append(f"close to {near} (similarity {s:.2f}; above the corpus's "
                       f"{c.watch_percentile:g}th percentile {cuts['watch_similarity']:.2f}).")

    # wording
    grams = sorted(_content_grams(words, stop))
    df = index.df(grams)
    shared = [(g, int(d)) for g, d in zip(grams, df) if d >= shared_min]
    shared.sort(key=lambda gd: (-gd[1], -len(gd[0].split()), gd[0]))
    shown: list[tuple[str, int]] = []
    for g, d in shared:  # skip phrases inside an already-shown phrase
        if not any(f" {g} " in f" {h} " for h, _ in shown):
            shown.append((g, d))
        if len(shown) == TOP:
            break
    phrase_pct = _percentile_of(index.phrase_scores, len(shared))
    if len(shared) > cuts["shared_phrases_watch"] and shared:
        raise_to("wording", "watch")
        reasons.append(f"shares {len(shared)} phrases with {shared_min}+ corpus posts (more than "
                       f"{phrase_pct:.0f}% of corpus posts do), e.g. "
                       + ", ".join(f"\"{g}\" ({d} posts)" for g, d in shown[:3]) + ".")
    amplified = [a for a in index.meta.get("amplified", []) if wording.contains_phrase(words, a["phrase"])]
    if len(amplified) >= 2:
        raise_to("wording", "watch")
        reasons.append(f"uses phrases the corpus has been amplifying lately "
                       f"({index.meta.get('latest_period')} vs baseline): " + ", ".join(
                           f"\"{a['phrase']}\" ({a['period_share']:.0%} of posts vs "
                           f"{a['baseline_share']:.0%})" for a in amplified[:3]) + ".")

    # structure
    skel_key = _skeleton_key(skeleton)
    shared_items = {
        "opening": (opening, index.meta["openings"].get(opening, 0) if opening else 0),
        "closing": (closing, index.meta["closings"].get(closing, 0) if closing else 0),
        "heading_outline": (skel_key, index.meta["skeletons"].get(skel_key, 0) if skel_key else 0),
    }
    for what, (key, count) in shared_items.items():
        if key and count >= shared_min:
            raise_to("structure", "watch")
            label = ("opens" if what == "opening" else "closes" if what == "closing"
                     else "has the heading outline")
            shown_key = " / ".join(h[1] for h in skeleton) if what == "heading_outline" else key
            reasons.append(f"{label} like {count} corpus posts: \"{shown_key}\".")
    templates = index.meta["templates"]
    cov = template_coverage(shapes, templates)
    cov_pct = _percentile_of(index.template_cov, cov)
    used = _templates_used([g for g in _shape_grams(shapes) if g in templates], templates)
    if cov > cuts["template_coverage_watch"] and cov > 0:
        raise_to("structure", "watch")
        reasons.append(f"follows the corpus's common sentence templates: {cov:.0%} of its "
                       f"sentence shapes (more than {cov_pct:.0f}% of corpus posts), e.g. "
                       + ", ".join(f"\"{t}\" ({d} posts)" for t, d in used[:2]) + ".")

    # overall
    if "samey" in layers.values():
        status = "samey"
    elif layers["topic"] == "watch" and "watch" in (layers["wording"], layers["structure"]):
        status = "samey"
        reasons.append("close in topic and repeating the corpus's wording or structure.")
    elif "watch" in layers.values():
        status = "watch"
    else:
        status = "ok"
        reasons.append(f"nothing samey: nearest post {near} at similarity {s:.2f} (closer than "
                       f"{pct:.0f}% of corpus posts are to their nearest neighbour; watch above "
                       f"{cuts['watch_similarity']:.2f}).")
    return {
        "name": doc.doc_id, "title": doc.title, "words": len(words), "status": status,
        "reasons": reasons, "layers": layers,
        "nearest": nearest, "near_duplicate": dup,
        "novelty": {"nn_similarity": s, "percentile": pct,
                    "score": None if math.isnan(pct) else 100.0 - pct},
        "wording": {"shared_phrases": [{"phrase": g, "docs": d, "share": d / n} for g, d in shown],
                    "shared_phrase_count": len(shared), "percentile": phrase_pct,
                    "amplified": amplified[:TOP]},
        "structure": {
            **{w: ({"text": " / ".join(h[1] for h in skeleton) if w == "heading_outline" else k,
                    "docs": cnt} if k else None) for w, (k, cnt) in shared_items.items()},
            "template_coverage": cov, "template_percentile": cov_pct,
            "templates": [{"template": t, "docs": d} for t, d in used[:TOP]]},
        "duplication": {"max_jaccard": jac, "jaccard_path": refs[j_best]["path"] if jac else None},
    }


def _skeleton_key(skeleton) -> str | None:
    import json

    return json.dumps([list(h) for h in skeleton]) if skeleton else None


def _templates_used(grams: list[str], templates: dict[str, int]) -> list[tuple[str, int]]:
    """Distinct templates used, by their corpus document count."""
    return sorted({g: templates[g] for g in grams}.items(), key=lambda kv: (-kv[1], kv[0]))


def _f(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"
