"""The corpus index of ``samey check``: everything a draft is compared with, built once per corpus
state with the audit machinery and loaded in a fraction of a second afterwards.

What it holds (row i = corpus document i, in ingest order):

- ``embeddings`` (n, d) unit rows, from the audit's ``Embedder`` (its SQLite cache is reused);
- ``nn_sims`` (n,): each document's cosine similarity to its nearest *other* document (chunked
  ``topics.nearest_neighbours``; no n x n matrix): the corpus's own distribution that a draft's
  similarity is placed against;
- ``signatures`` (n, 128) MinHash of word 5-gram shingles (as the audit's duplication layer);
- ``ngram_hashes`` / ``ngram_df``: document frequencies of word 2-4-grams, pruned to df >= 3,
  keyed by a 64-bit blake2b hash of the space-joined n-gram (sorted, for ``searchsorted``);
- ``phrase_scores`` (n,): per document, the number of its distinct 2-4-grams with a content word
  that at least ``min_shared`` *other* documents contain;
- ``template_cov`` (n,): per document, the share of its function-word shape 5-grams that are
  corpus templates (``structure.shape_ngram_templates``);
- ``is_baseline`` (n,) bool: the documents of the *validated baseline* that the audit analysed
  (``pipeline.audit_reference``: the clean reference periods, at most ``max_pool`` = 1,000 drawn
  documents per period, as the audit measures them; every document when the corpus is
  undated or has one period, and ``meta["reference"]["source"]`` then says ``"corpus"``);
  ``is_recent`` (n,) bool: the documents of the latest period (dated corpora with two or more
  periods);
- ``ref_rows`` (r,), ``ref_nbr_idx`` / ``ref_nbr_sims`` (r, ``REF_NEIGHBOURS``): for each
  baseline document (row ``ref_rows[i]``), its nearest *other* corpus documents in the whole
  corpus and their cosines. ``samey check`` takes the baseline's nearest-neighbour distribution
  from them, skipping textual copies (see ``checking.reference_similarities``);
- in ``meta.json``: document refs (path, title, date), per-document opening, closing and heading
  outline keys (``doc_openings``, ``doc_closings``, ``doc_outlines``), the templates, repeated
  openings, closings and heading outlines with their document counts, the reference (source,
  baseline labels, warnings from the baseline validation), the latest period, and the phrases
  amplified in the latest period against the baseline (``wording.amplified_phrases``) when the
  corpus is dated.

The validated baseline costs one audit-like pass (``audit_reference``: ingest, tokens, cached
embeddings, periods) and is computed only when the index is (re)built.

Words and shapes come from ``features.tokens.tokenize`` with the audit's ``text_budget`` (the
first 300 words by default), so drafts are measured exactly as corpus documents are.

Storage: ``<cache_dir>/index/<sha256 of the corpus's absolute path, 16 hex>/`` with
``arrays.npz`` (numpy, ``allow_pickle=False``) and ``meta.json``; no pickle. ``cache_dir`` is
the embedding cache folder (``--cache-dir``, else ``$SAMEY_CACHE_DIR``, else ``~/.cache/samey``),
so nothing is written into the content folder. The index is keyed by a fingerprint of the corpus
files (relative paths, sizes, modification times), the ingest and index options, the model id,
samey's version and ``INDEX_VERSION``; any change rebuilds it. Loading imports numpy only.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from auditor._version import __version__
from auditor.config import AuditOptions
from auditor.features.lexicon import import_spacy, phrase_stop_words
from auditor.judge.draft import min_shared_docs
from auditor.progress import plural

INDEX_VERSION = 3  # 2: validated baseline (is_baseline, reference neighbours), recent period;
# 3: undated documents left out when the corpus is dated (counted as samey audit counts)
NGRAM_NS = (2, 3, 4)
MIN_DF = 3  # n-grams in fewer corpus documents are not stored
TEMPLATE_N = 5
AMPLIFIED_TOP = 30
# Neighbours stored per baseline document: the reference similarity is the first of them that is
# not a textual copy; a post reposted more than this many times is left out of the reference.
REF_NEIGHBOURS = 10


@dataclass
class CorpusIndex:
    """A loaded corpus index (see the module docstring)."""

    root: str
    meta: dict[str, Any]
    embeddings: np.ndarray
    nn_sims: np.ndarray
    signatures: np.ndarray
    ngram_hashes: np.ndarray
    ngram_df: np.ndarray
    phrase_scores: np.ndarray
    template_cov: np.ndarray
    is_baseline: np.ndarray
    is_recent: np.ndarray
    ref_rows: np.ndarray
    ref_nbr_idx: np.ndarray
    ref_nbr_sims: np.ndarray
    built: bool = False  # True when this run built it (a cache miss)
    directory: str = ""

    @property
    def n_docs(self) -> int:
        return int(self.embeddings.shape[0])

    @property
    def docs(self) -> list[dict[str, Any]]:
        return self.meta["docs"]

    def df(self, phrases: Sequence[str]) -> np.ndarray:
        """Corpus document frequency of each phrase (0 below ``MIN_DF``)."""
        if not len(phrases) or not len(self.ngram_hashes):
            return np.zeros(len(phrases), dtype=np.int64)
        h = np.array([phrase_hash(p) for p in phrases], dtype=np.uint64)
        pos = np.clip(np.searchsorted(self.ngram_hashes, h), 0, len(self.ngram_hashes) - 1)
        hit = self.ngram_hashes[pos] == h
        return np.where(hit, self.ngram_df[pos], 0).astype(np.int64)


_ARRAYS = ("embeddings", "nn_sims", "signatures", "ngram_hashes", "ngram_df", "phrase_scores",
           "template_cov", "is_baseline", "is_recent", "ref_rows", "ref_nbr_idx", "ref_nbr_sims")


# ---------------------------------------------------------------- keys and helpers


def phrase_hash(phrase: str) -> int:
    """Stable 64-bit hash of a space-joined n-gram."""
    return int.from_bytes(hashlib.blake2b(phrase.encode("utf-8", "surrogatepass"),
                                          digest_size=8).digest(), "little")


def min_shared(options: AuditOptions, n_docs: int) -> int:
    """Corpus documents that make a phrase/opening/outline "shared by many": the option, or
    max(3, 1% of the corpus); never below ``MIN_DF``."""
    return min_shared_docs(options.check.min_shared_docs, n_docs, floor=MIN_DF)


def index_dir(root: str | Path, cache_dir: str | Path | None) -> Path:
    """Where the index of the corpus ``root`` lives (see the module docstring)."""
    from auditor.features.cache import default_cache_dir

    base = Path(cache_dir).expanduser() if cache_dir else default_cache_dir()
    key = hashlib.sha256(str(Path(root).resolve()).encode("utf-8", "surrogatepass")).hexdigest()
    return base / "index" / key[:16]


def fingerprint(root: str | Path, options: AuditOptions, model_id: str) -> str:
    """Hash of the corpus files' (relative path, size, mtime), the options the index depends on,
    the model id, samey's version and the index format."""
    from auditor.ingest.walk import iter_files

    h = hashlib.sha256()
    h.update(json.dumps({
        "index": INDEX_VERSION, "samey": __version__, "model": model_id,
        "ingest": dataclasses.asdict(options.ingest), "text_budget": options.sampling.text_budget,
        "period": options.period, "min_docs": options.min_docs, "baseline": options.baseline,
        "min_shared_docs": options.check.min_shared_docs,
    }, sort_keys=True).encode())
    for full, rel in iter_files(Path(root)):
        try:
            st = full.stat()
        except OSError:
            continue
        h.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode("utf-8", "surrogatepass"))
    return h.hexdigest()


# ---------------------------------------------------------------- load / save


def load(directory: Path, expected: str) -> CorpusIndex | None:
    """The index stored in ``directory`` if its fingerprint is ``expected``, else ``None``."""
    try:
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        if meta.get("fingerprint") != expected:
            return None
        with np.load(directory / "arrays.npz", allow_pickle=False) as z:
            if str(z["fingerprint"]) != expected:
                return None
            arrays = {k: z[k] for k in _ARRAYS}
    except (OSError, ValueError, KeyError):
        return None
    return CorpusIndex(root=meta["root"], meta=meta, directory=str(directory), **arrays)


def save(index: CorpusIndex, directory: Path) -> None:
    """Write ``arrays.npz`` then ``meta.json``, each atomically (a reader sees a complete pair or
    a fingerprint mismatch)."""
    from auditor.files import write_atomic

    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".arrays.", suffix=".npz", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, fingerprint=np.array(index.meta["fingerprint"]),
                     **{k: getattr(index, k) for k in _ARRAYS})
        os.replace(tmp, directory / "arrays.npz")
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    write_atomic(directory / "meta.json", json.dumps(index.meta, ensure_ascii=False))


def load_or_build(root: str | Path, options: AuditOptions, *, model_id: str,
                  make_embedder: Callable[[], Any]) -> CorpusIndex:
    """Load the index of ``root`` when the corpus is unchanged, else build and save it.

    ``make_embedder()`` is called only on a rebuild. A cache folder that cannot be written only
    costs the rebuild next time.
    """
    directory = index_dir(root, options.cache_dir)
    fp = fingerprint(root, options, model_id)
    index = load(directory, fp)
    if index is not None:
        return index
    index = build(root, options, make_embedder(), fingerprint=fp)
    try:
        save(index, directory)
        index.directory = str(directory)
    except OSError as e:
        import warnings

        warnings.warn(f"cannot save the corpus index in {directory} ({e.strerror}); it will be "
                      "rebuilt next time.", RuntimeWarning, stacklevel=2)
    return index


# ---------------------------------------------------------------- build


def content_grams(words: Sequence[str], stop: frozenset[str]) -> set[str]:
    """Distinct 2-4-grams of a document that contain a content word, space-joined."""
    out: set[str] = set()
    content = [any(c.isalpha() for c in w) and w not in stop for w in words]
    for n in NGRAM_NS:
        for i in range(len(words) - n + 1):
            if any(content[i:i + n]):
                out.add(" ".join(words[i:i + n]))
    return out


def shape_grams(shapes: Sequence[str]) -> list[str]:
    return [" ".join(shapes[i:i + TEMPLATE_N]) for i in range(len(shapes) - TEMPLATE_N + 1)]


def template_coverage(shapes: Sequence[str], templates: set[str] | dict[str, int]) -> float:
    """Share of a document's shape 5-gram positions that are corpus templates (0 if none)."""
    grams = shape_grams(shapes)
    return sum(g in templates for g in grams) / len(grams) if grams else 0.0


def build(root: str | Path, options: AuditOptions, embedder: Any, *,
          fingerprint: str) -> CorpusIndex:
    """Ingest, featurise and summarise the corpus (see the module docstring)."""
    from auditor.errors import InputError
    from auditor.features.lexicon import phrase_stop_words
    from auditor.ingest import load_documents
    from auditor.metrics import structure, topics
    from auditor.metrics.corpus import build_features

    ingested = load_documents(root, options.ingest, progress=options.progress)
    docs = list(ingested.documents)
    n_skipped = len(ingested.skipped)
    if any(d.date is not None for d in docs):  # count the corpus exactly as samey audit does:
        undated = sum(d.date is None for d in docs)  # undated documents are skipped there
        docs = [d for d in docs if d.date is not None]
        n_skipped += undated
    import_spacy()
    if len(docs) < 2:
        from auditor.ingest import supported_message

        found = f"{plural(len(docs), 'document')}"
        raise InputError(f"{root}: {found} found; samey check needs a corpus of at least 2 "
                         f"documents ({supported_message()}). Check the --against path.")
    f = build_features(docs, embedder, text_budget=options.sampling.text_budget,
                       progress=options.progress)
    n = len(docs)
    E = f.embeddings
    _, sims = topics.nearest_neighbours(E, E, k=1, exclude_self=True)
    nn_sims = sims[:, 0].astype(np.float64)

    # Phrases: document frequencies (df >= MIN_DF kept), per-document shared-phrase scores.
    stop = phrase_stop_words()
    grams = [content_grams(w, stop) for w in f.words]
    df: Counter[str] = Counter()
    for g in grams:
        df.update(g)
    kept = {p: c for p, c in df.items() if c >= MIN_DF}
    del df
    shared = min_shared(options, n)
    phrase_scores = np.array([sum(1 for p in g if kept.get(p, 0) - 1 >= shared) for g in grams],
                             dtype=np.float64)
    del grams
    hashes = np.array([phrase_hash(p) for p in kept], dtype=np.uint64)
    counts = np.array(list(kept.values()), dtype=np.int32)
    order = np.argsort(hashes, kind="stable")
    hashes, counts = hashes[order], counts[order]

    # Structure: templates, coverage per document, repeated openings/closings/outlines.
    tstats = structure.shape_ngram_templates(f.shapes, n=TEMPLATE_N, top=10**9)
    templates = dict(tstats.templates)
    template_cov = np.array([template_coverage(s, templates) for s in f.shapes], dtype=np.float64)

    def repeated(items: Sequence[Any]) -> dict[str, int]:
        c = Counter(it for it in items if it)
        return {k: v for k, v in c.items() if v >= 2}

    skeletons = [json.dumps([list(h) for h in s]) if s else None for s in f.skeletons]

    # The validated baseline (clean reference periods) and the latest period.
    from auditor.app.audit import audit_reference

    ref = audit_reference(root, options, embedder=embedder)
    ids = [d.doc_id for d in docs]
    if ref is not None:
        is_baseline = np.array([i in ref.doc_ids for i in ids], dtype=bool)
    if ref is None or not is_baseline.any():
        is_baseline = np.ones(n, dtype=bool)
        reference = {"source": "corpus", "labels": [], "n_docs": n, "rule": None,
                     "reason": ("the corpus has no dates or a single period" if ref is None
                                else "the baseline holds none of the indexed documents"),
                     "warnings": [] if ref is None else list(ref.info.warnings)}
    else:
        reference = {"source": "baseline", "labels": list(ref.labels),
                     "n_docs": int(is_baseline.sum()), "rule": ref.info.rule,
                     "warnings": list(ref.info.warnings)}
    ref_rows = np.flatnonzero(is_baseline)
    nbr_idx, nbr_sims = topics.nearest_neighbours(
        E[ref_rows], E, k=min(REF_NEIGHBOURS, n - 1), exclude_self=True, query_indices=ref_rows)
    latest = _latest_period(docs, options)
    is_recent = np.zeros(n, dtype=bool)
    if latest is not None:
        is_recent[latest[1]] = True

    meta: dict[str, Any] = {
        "fingerprint": fingerprint, "index_version": INDEX_VERSION, "samey_version": __version__,
        "root": str(root), "model_id": getattr(embedder, "model_id", "unknown"),
        "n_docs": n, "skipped": n_skipped,
        "text_budget": options.sampling.text_budget, "min_shared_docs": shared,
        "docs": [{"path": d.doc_id, "title": d.title,
                  "date": d.date.isoformat() if d.date else None} for d in docs],
        "doc_openings": list(f.openings), "doc_closings": list(f.closings),
        "doc_outlines": skeletons,
        "templates": templates, "template_min_docs": tstats.min_doc_count,
        "openings": repeated(f.openings), "closings": repeated(f.closings),
        "skeletons": repeated(skeletons),
        "reference": reference, "baseline": reference["labels"],
        "latest_period": latest[0] if latest is not None else None,
        **_amplified(f.words, is_baseline if reference["source"] == "baseline" else None,
                     is_recent),
    }
    return CorpusIndex(root=str(root), meta=meta, embeddings=np.asarray(E, dtype=np.float32),
                       nn_sims=nn_sims, signatures=np.asarray(f.signatures, dtype=np.uint32),
                       ngram_hashes=hashes, ngram_df=counts, phrase_scores=phrase_scores,
                       template_cov=template_cov, is_baseline=is_baseline, is_recent=is_recent,
                       ref_rows=ref_rows.astype(np.int64), ref_nbr_idx=nbr_idx.astype(np.int64),
                       ref_nbr_sims=nbr_sims.astype(np.float64), built=True)


def _latest_period(docs, options: AuditOptions) -> tuple[str, list[int]] | None:
    """The latest period (label, document rows) as the audit splits the dated documents; ``None``
    when the corpus is undated or has a single period."""
    from auditor.ingest.periods import make_periods, merge_small
    from auditor.metrics.sampling import MIN_SAMPLE

    dated = [i for i, d in enumerate(docs) if d.date is not None]
    if len(dated) < 2:
        return None
    dated.sort(key=lambda i: (docs[i].date, docs[i].doc_id))
    periods, _ = make_periods([docs[i].date for i in dated], period=options.period,
                              min_docs=options.min_docs)
    periods, _ = merge_small(periods, min_sample=MIN_SAMPLE)  # as pipeline.prepare_documents
    if len(periods) < 2:
        return None
    return periods[-1].label, [dated[j] for j in periods[-1].doc_indices]


def _amplified(words, is_baseline: np.ndarray | None, is_recent: np.ndarray) -> dict[str, Any]:
    """Phrases amplified in the latest period against the validated baseline (dated corpora with
    a baseline and a later latest period only)."""
    from auditor.metrics import wording

    out: dict[str, Any] = {"amplified": []}
    if is_baseline is None or not is_recent.any() or (is_recent & is_baseline).any():
        return out
    amp = wording.amplified_phrases([words[i] for i in np.flatnonzero(is_recent)],
                                    [words[i] for i in np.flatnonzero(is_baseline)],
                                    top=AMPLIFIED_TOP, stop_words=phrase_stop_words())
    out["amplified"] = [dataclasses.asdict(a) for a in amp if a.ratio >= 2]
    return out
