"""The corpus index of ``samey check``: storage and incremental update. Everything a draft is
compared with, built once per corpus state with the audit machinery, updated incrementally, and
opened in a fraction of a second (memory-mapped) however large the corpus.

Layout: ``<cache_dir>/index/<sha256 of the corpus's absolute path, 16 hex>/`` holds
``meta.json`` (small: it does not grow with the corpus) and one *generation* folder named in it:

- **per-document arrays** (row i = corpus document i, ``files.FIXED`` and ``files.RAGGED``),
  each a ``.npy`` file opened with ``np.load(mmap_mode="r")``:

  - ``embeddings`` (n, d) float32 unit rows, from the audit's embedder; in a *two-stage*
    index (a corpus of at least ``scale.first_stage_mb`` megabytes), the first stage's rows
    (``features.static``: a table distilled from the model), and the model embeds only what
    decides (see "Two stages" below). float16 would halve
    the disk and held its quality criterion (README "Corpus index at scale"), but numpy converts
    half floats about ten times slower than it multiplies float32 rows: at a million posts the
    conversion alone took 1.5 s of a check, the float32 product 0.1 s;
  - ``signatures`` (n, 128) uint32 MinHash of word 5-gram shingles (the duplication layer's);
  - ``dates`` (n,) int32 proleptic ordinals (0: undated);
  - ``opening`` / ``closing`` (n,) uint64: 64-bit hash of the document's opening / closing key
    (``structure.opening_key``, 6 words), 0 when it has none; ``stock_opening`` /
    ``stock_closing``: the same for its first / last ``STOCK_WORDS`` words (the template-fill
    rule); ``outline`` (n,) uint64: hash of its heading outline, ``n_headings`` (n,) int16;
  - ragged: ``grams`` (uint64, the hashes of each document's distinct word 2-4-grams with a
    content word) and ``shapes`` (uint16 ids, in ``meta["shape_vocab"]``, of its function-word
    shape sequence), each with ``<name>_off`` (n + 1,) int64 offsets;

- **corpus-level arrays** (``CORPUS``, :mod:`auditor.index.corpus`), recomputed from the
  per-document ones on every update, never by re-embedding: ``ngram_hashes`` / ``ngram_df``
  (document frequencies of the 2-4-grams in at least ``MIN_SHARED_DOCS`` documents, sorted for
  ``searchsorted``); ``phrase_scores`` (n,); ``template_cov`` (n,); ``is_baseline`` /
  ``is_recent`` (n,) bool (the validated baseline's analysed documents; the latest period's
  documents); ``ref_rows`` (r,), ``ref_nbr_idx`` / ``ref_nbr_sims`` / ``ref_nbr_jac`` (r,
  ``REF_NEIGHBOURS``); ``nn_sims``; ``norms`` (n,) float32: the norms of the stored rows;
- ``docs.sqlite``: one row per document (``files.Writer``).

**Two stages.** Embedding a million documents with the model takes hours on a few cores, so
a large corpus is indexed by the first stage and the model rescores: a draft's ``scale.candidates``
nearest rows by the first stage (plus its closest MinHash match) and, at build time, the
neighbours of ``scale.calibration_docs`` reference posts. The model's vectors of stored rows
come from the embedding cache, or from their texts (kept zlib-compressed in ``docs.sqlite``).
The first-stage rows are compared through an alignment map ``align`` (``features.static.
fit_alignment``, fitted on ``scale.align_docs`` documents embedded by both: the validated
baseline's posts first, which the reference pass embeds anyway), ``norms`` then being the
aligned norms (``search.aligned_norms``); one-stage indexes store an empty ``align``.

``meta.json``: fingerprint, version, model, counts, the templates (bounded: a template is in at
least 5% of the documents), the reference (source, baseline labels, warnings), the latest period,
the phrases amplified in the latest period against the baseline (``judge.amplified``, on the
audit's pools: at most ``max_pool`` documents per period), the shape vocabulary.

**Updates.** The index is keyed by a fingerprint of the corpus files (relative paths, sizes,
modification times), the options, the model, samey's version and ``INDEX_VERSION``; any change
updates it. An update reads the corpus through the audit's own ingest stream
(``ingest.stream.summarise`` with an :class:`IndexSink`: rows of record files as they are read,
whole files once copies are resolved) in batches of ``BATCH`` documents: a document whose key
and content hash are in the previous generation has its rows copied, every other one is
featurised by the audit's ``build_features``; documents no longer there are dropped. Then the
corpus-level parts are recomputed from the stored rows, and the validated baseline is found by
the caller's ``find_baseline`` (the audit's reference pass, its embeddings read from the index
through :class:`StoredEmbedder`, not from the model).

No pickle. Opening an index imports numpy and sqlite3 only.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from auditor._version import __version__
from auditor.config import AuditOptions
from auditor.errors import InputError
from auditor.features.embeddings import TextEmbedder
from auditor.index.corpus import Baseline, Staged
from auditor.index.files import (
    PER_DOC,
    RAGGED,
    Writer,
    chunks,
    compact,
    load_npy,
    load_per_doc,
)
from auditor.index.keys import content_hash, phrase_hash, text_hash
from auditor.index.rows import Rows, copy_rows, featurise, merge_rows
from auditor.index.search import count_equal, lookup_counts, minhash_overlap
from auditor.judge.check import ReferenceData
from auditor.judge.thresholds import MIN_CORPUS_DOCS
from auditor.progress import plural
from auditor.types import Document

INDEX_VERSION = 8  # 2: validated baseline, recent period; 3: undated documents left out of a
# dated corpus; 4: memory-mapped .npy generations, float16 embeddings, docs.sqlite, incremental;
# 5: float32 embeddings (a check at a million posts: 1.6 s less); 6: amplified phrases counted
# and tested (judge.amplified); 7: two stages for large corpora (first-stage rows, alignment
# map, texts for the model to rescore); 8: reference neighbours found by the model's own vectors
# (search.model_queries)
BATCH = 4096         # documents featurised and written at a time
STALE_SECONDS = 3600  # an unnamed generation folder untouched this long is a dead build's
CORPUS = ("ngram_hashes", "ngram_df", "phrase_scores", "template_cov", "is_baseline", "is_recent",
          "ref_rows", "ref_nbr_idx", "ref_nbr_sims", "ref_nbr_jac", "nn_sims", "norms", "align")

#: the caller's validated baseline, given the embedder that reads the index's stored rows
FindBaseline = Callable[[TextEmbedder], "Baseline | None"]
# reads the corpus into a sink (``IndexSink``): the local ingest stream, or an engine's
ReadCorpus = Callable[[Path, AuditOptions, "IndexSink", TextEmbedder], Any]


@dataclass
class CorpusIndex:
    """An opened corpus index (see the module docstring). Arrays are read-only memmaps,
    also readable as attributes (``index.embeddings``)."""

    root: str
    meta: dict[str, Any]
    arrays: dict[str, np.ndarray]
    folder: str  # the generation folder
    built: bool = False  # True when this run built or updated it (a cache miss)
    directory: str = ""
    stats: dict[str, int] = field(default_factory=dict)  # embedded / reused / removed documents
    _db: sqlite3.Connection | None = None

    def __getattr__(self, name: str) -> np.ndarray:
        arrays: dict[str, np.ndarray] = self.__dict__.get("arrays", {})
        if name in arrays:
            return arrays[name]
        raise AttributeError(name)

    @property
    def n_docs(self) -> int:
        return int(self.meta["n_docs"])

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = sqlite3.connect(f"file:{Path(self.folder) / 'docs.sqlite'}?mode=ro",
                                       uri=True, check_same_thread=False)
        return self._db

    def refs(self, rows: Iterable[int]) -> list[dict[str, Any]]:
        """(path, title, date) of these rows, in their order."""
        rows = [int(r) for r in rows]
        got: dict[int, dict[str, Any]] = {}
        for part in chunks(sorted(set(rows))):
            q = ("SELECT row, path, title, date FROM docs WHERE row IN "
                 f"({','.join('?' * len(part))})")
            for r, path, title, date in self.db.execute(q, list(part)):
                got[r] = {"path": path, "title": title, "date": date}
        return [got[r] for r in rows]

    @property
    def two_stage(self) -> bool:
        """First-stage rows stored; the model rescores (see the module docstring)."""
        return self.meta.get("stages") == "two"

    def texts(self, rows: Iterable[int]) -> list[str]:
        """The stored texts of ``rows`` (two-stage indexes; ``""`` otherwise)."""
        from auditor.index.files import read_texts

        return read_texts(self.db, [int(r) for r in rows])

    def count(self, name: str, key: str | None) -> int:
        """Corpus documents whose ``name`` key (``opening``, ``closing``, ``outline``...) is
        ``key`` (0 for no key)."""
        return count_equal(self.arrays[name], phrase_hash(key)) if key else 0

    def outlines(self, n_headings: int) -> dict[int, tuple[tuple[int, str], ...]]:
        """Row -> heading outline of the documents with ``n_headings`` headings."""
        out = {}
        for r, o in self.db.execute("SELECT row, outline FROM docs WHERE n_headings = ?",
                                    (int(n_headings),)):
            if o:
                out[int(r)] = tuple((int(lv), str(t)) for lv, t in json.loads(o))
        return out

    def df(self, phrases: Sequence[str]) -> np.ndarray:
        """Corpus document frequency of each phrase (0 below ``MIN_SHARED_DOCS``)."""
        h = np.array([phrase_hash(p) for p in phrases], dtype=np.uint64)
        return lookup_counts(self.arrays["ngram_hashes"], self.arrays["ngram_df"], h)

    def jaccard(self, sig: np.ndarray) -> np.ndarray:
        """MinHash Jaccard estimate of a signature with every corpus document."""
        return minhash_overlap(self.arrays["signatures"], sig)

    def reference_data(self) -> ReferenceData:
        """What the check's cuts are calibrated on (``judge.check``): the reference posts'
        stored neighbours, phrase scores and template coverage."""
        ref, base = self.meta["reference"], np.asarray(self.is_baseline)
        rows = np.asarray(self.ref_rows)
        return ReferenceData(
            source=ref["source"], periods=list(ref["labels"]), documents=int(base.sum()),
            rule=ref.get("rule"), reason=ref.get("reason"), warnings=list(ref["warnings"]),
            latest_period=self.meta.get("latest_period"),
            latest_documents=int(np.count_nonzero(self.is_recent)),
            min_shared_docs=int(self.meta["min_shared_docs"]),
            neighbour_sims=np.asarray(self.ref_nbr_sims), neighbour_jaccard=self.ref_nbr_jac,
            corpus_nn=np.asarray(self.nn_sims), phrase_scores=self.phrase_scores[rows],
            template_coverage=self.template_cov[rows])

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


# ---------------------------------------------------------------- keys of an index


def index_dir(root: str | Path, cache_dir: str | Path | None) -> Path:
    """Where the index of the corpus ``root`` lives (see the module docstring)."""
    from auditor.features.cache import default_cache_dir

    base = Path(cache_dir).expanduser() if cache_dir else default_cache_dir()
    key = hashlib.sha256(str(Path(root).resolve()).encode("utf-8", "surrogatepass")).hexdigest()
    return base / "index" / key[:16]


def _options_key(options: AuditOptions, model_id: str, **more: Any) -> dict[str, Any]:
    return {"index": INDEX_VERSION, "samey": __version__, "model": model_id,
            "ingest": dataclasses.asdict(options.ingest),
            "text_budget": options.sampling.text_budget, **more}


def features_key(options: AuditOptions, model_id: str) -> str:
    """What a document's stored rows depend on besides its content: rows of a generation with
    another key are never reused."""
    return hashlib.sha256(json.dumps(_options_key(options, model_id), sort_keys=True,
                                     default=str).encode()).hexdigest()


def fingerprint(root: str | Path, options: AuditOptions, model_id: str) -> str:
    """Hash of the corpus files' (relative path, size, mtime), the options the index depends on,
    the model id, samey's version and the index format."""
    from auditor.ingest.walk import iter_files

    h = hashlib.sha256()
    h.update(json.dumps(_options_key(
        options, model_id, period=options.period, min_docs=options.min_docs,
        baseline=options.baseline, min_shared_docs=options.check.min_shared_docs),
        sort_keys=True, default=str).encode())
    for full, rel in iter_files(Path(root), options.ingest.exclude):
        try:
            st = full.stat()
        except OSError:
            continue
        h.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode("utf-8", "surrogatepass"))
    return h.hexdigest()


# ---------------------------------------------------------------- open / save


def _read_meta(directory: Path) -> dict[str, Any] | None:
    try:
        meta: dict[str, Any] = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        return meta
    except (OSError, ValueError):
        return None


def open_index(directory: Path, meta: dict[str, Any] | None) -> CorpusIndex | None:
    """The generation ``meta`` names, memory-mapped; ``None`` when it is incomplete."""
    if not meta or meta.get("index_version") != INDEX_VERSION or not meta.get("generation"):
        return None
    folder = directory / meta["generation"]
    try:
        arrays = {**load_per_doc(folder),
                  **{name: load_npy(folder / f"{name}.npy") for name in CORPUS}}
    except (OSError, ValueError):
        return None
    if not (folder / "docs.sqlite").is_file():
        return None
    return CorpusIndex(root=meta["root"], meta=meta, arrays=arrays, folder=str(folder),
                       directory=str(directory))


def load_or_build(root: str | Path, options: AuditOptions, *, model_id: str,
                  make_embedder: Callable[[], TextEmbedder],
                  find_baseline: FindBaseline,
                  make_first: Callable[[], TextEmbedder] | None = None,
                  read: ReadCorpus | None = None) -> CorpusIndex:
    """Open the index of ``root`` when the corpus is unchanged, else update it (locally only
    new or changed documents are embedded; see the module docstring) and save it.

    ``make_embedder()``, ``make_first()`` (the first stage of a two-stage index; ``None``: one
    stage) and ``find_baseline`` are called only on an update; ``model_id`` names both stages.
    ``read``: an engine's reading of the corpus (:func:`build`).
    A cache folder that cannot be written costs a full build in a temporary folder, every time.
    """
    from auditor.files import write_atomic

    directory = index_dir(root, options.cache_dir)
    fp = fingerprint(root, options, model_id)
    meta = _read_meta(directory)
    if meta is not None and meta.get("fingerprint") == fp:
        index = open_index(directory, meta)
        if index is not None:
            return index
    fkey = features_key(options, model_id)
    old = open_index(directory, meta) if meta and meta.get("features_key") == fkey else None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="g", dir=directory))
        saved = True
    except OSError as e:
        import warnings

        warnings.warn(f"cannot save the corpus index in {directory} ({e.strerror}); it will be "
                      "rebuilt next time.", RuntimeWarning, stacklevel=2)
        folder, saved, old = Path(tempfile.mkdtemp(prefix="samey-index-")), False, None
    try:
        index = build(root, options, make_embedder(), fingerprint=fp, features_key=fkey,
                      folder=folder, old=old, find_baseline=find_baseline,
                      first=make_first() if make_first is not None else None, read=read)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        if old is not None:
            old.close()
    if saved:
        index.directory = str(directory)
        write_atomic(directory / "meta.json", json.dumps(index.meta, ensure_ascii=False))
        _remove_stale(directory, keep=folder.name, previous=(meta or {}).get("generation"))
    else:  # files stay readable through the open maps once the folder is removed
        index.db.execute("SELECT 1")
        shutil.rmtree(folder, ignore_errors=True)
    return index


def _remove_stale(directory: Path, *, keep: str, previous: str | None) -> None:
    """Remove the generation this one replaces, pre-4 files, and folders left by builds that
    died (untouched for ``STALE_SECONDS``); another check's generation may still be building."""
    for stale in directory.iterdir():
        if stale.name in ("meta.json", keep):
            continue
        fresh = stale.stat().st_mtime >= time.time() - STALE_SECONDS
        if stale.name == previous or not fresh or not stale.name.startswith(("g", ".")):
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
            else:
                stale.unlink(missing_ok=True)


# ---------------------------------------------------------------- build / update


class IndexSink:
    """An ingest sink (``ingest.stream.DocumentSink``) that writes the documents it is given to
    a new generation in batches of ``BATCH``: rows of ``old`` reused for unchanged documents,
    the others featurised by the audit's ``build_features``."""

    def __init__(self, writer: Writer, embedder: TextEmbedder, options: AuditOptions,
                 old: CorpusIndex | None, stop: frozenset[str]) -> None:
        self.writer, self.embedder, self.options, self.old, self.stop = (
            writer, embedder, options, old, stop)
        self.old_vocab: list[str] = list(old.meta.get("shape_vocab", [])) if old else []
        self.vocab: dict[str, int] = {s: i for i, s in enumerate(self.old_vocab)}
        self.batch: list[Document] = []
        self.stats = {"embedded": 0, "reused": 0, "removed": 0}
        self.dim = 0

    def add(self, index: int, doc: Document) -> None:
        self.batch.append(doc)
        # not a threshold: a batch size
        if len(self.batch) >= BATCH:
            self.flush()

    def merge(self, other: Any) -> Any:
        raise NotImplementedError("an engine writes partitions through write(), in order")

    def flush(self) -> None:
        """Featurise (or copy) and write the pending batch."""
        docs, self.batch = self.batch, []
        if not docs:
            return
        contents = [content_hash(d) for d in docs]
        found = self._unchanged(docs, contents)
        new = [i for i in range(len(docs)) if i not in found]
        parts: list[tuple[Sequence[int], Rows]] = []
        outlines: list[str | None] = [None] * len(docs)
        if found and self.old is not None:
            parts.append((list(found), copy_rows(self.old.arrays, list(found.values()),
                                                 old_vocab=self.old_vocab, vocab=self.vocab)))
            q = f"SELECT row, outline FROM docs WHERE row IN ({','.join('?' * len(found))})"
            by_row = dict(self.old.db.execute(q, list(found.values())))
            for i, r in found.items():
                outlines[i] = by_row.get(r)
        if new:
            got = featurise([docs[i] for i in new], self.embedder, stop=self.stop,
                            budget=self.options.sampling.text_budget, vocab=self.vocab)
            parts.append((new, got))
            for i, o in zip(new, got["_outlines"]):
                outlines[i] = o
        self.write(merge_rows(parts), docs, contents, outlines, reused=len(found))

    def write(self, rows: Rows, docs: Sequence[Document], contents: Sequence[str],
              outlines: Sequence[str | None], *, reused: int = 0) -> None:
        """Append featurised rows (shape ids in ``self.vocab``) of ``docs``, in order."""
        self.writer.append(rows, docs, contents, outlines)
        self.dim = int(rows["embeddings"].shape[1])
        self.stats["embedded"] += len(docs) - reused
        self.stats["reused"] += reused

    def _unchanged(self, docs: Sequence[Document], contents: Sequence[str]) -> dict[int, int]:
        """Batch position -> row of the previous generation holding the same document."""
        if self.old is None:
            return {}
        found: dict[int, int] = {}
        where = {d.doc_id: i for i, d in enumerate(docs)}
        for part in chunks(list(where)):
            q = f"SELECT key, content, row FROM docs WHERE key IN ({','.join('?' * len(part))})"
            for key, content, row in self.old.db.execute(q, list(part)):
                i = where[key]
                if content == contents[i]:
                    found[i] = int(row)
        return found


def build(root: str | Path, options: AuditOptions, embedder: TextEmbedder, *, fingerprint: str,
          features_key: str = "", folder: Path, old: CorpusIndex | None = None,
          find_baseline: FindBaseline, first: TextEmbedder | None = None,
          read: ReadCorpus | None = None) -> CorpusIndex:
    """Write a new generation of the index into ``folder``: stream the corpus through the
    ingest stream into an :class:`IndexSink`, then compute the corpus-level parts (see the
    module docstring). ``first``: the first stage of a two-stage index (the documents are
    embedded by it; ``embedder``, the model, embeds the reference pass's pools, the alignment
    documents and the calibration candidates). ``read``: an engine's reading of the corpus
    into the sink, returning the finished ingest summary (``app.index_dask``; it featurises
    every document, so ``old`` rows are not reused); default the local ingest stream."""
    from auditor.features.lexicon import import_spacy, phrase_stop_words
    from auditor.index.corpus import corpus_level
    from auditor.ingest.stream import summarise

    import_spacy()
    clock = time.perf_counter()
    timings: dict[str, float] = {}
    root = Path(root)
    stop = phrase_stop_words()
    writer = Writer(folder, keep_text=first is not None)
    sink = IndexSink(writer, first if first is not None else embedder, options,
                     old if read is None else None, stop)
    if read is None:
        summary = summarise(root, options.ingest, k=1, progress=options.progress, sinks=[sink],
                            undated_to_sinks=True)
    else:
        summary = read(root, options, sink, embedder)
    sink.flush()
    writer.close(sink.dim or int(getattr(embedder, "dim", 1) or 1))
    timings["documents"], clock = time.perf_counter() - clock, time.perf_counter()
    if old is not None and read is None:  # (an engine's build reuses and counts nothing)
        sink.stats["removed"] = old.n_docs - sink.stats["reused"]
    n_skipped = summary.skipped.total
    per_doc = load_per_doc(folder)
    dates = per_doc["dates"]
    if dates.any() and not dates.all():  # count the corpus exactly as samey audit does:
        n_skipped += int(np.count_nonzero(dates == 0))  # undated documents are skipped there
        per_doc = compact(folder, per_doc, keep=dates > 0)
    n = int(per_doc["dates"].shape[0])
    if n < MIN_CORPUS_DOCS:
        from auditor.ingest import supported_message

        raise InputError(f"{root}: {plural(n, 'document')} found; samey check needs a corpus "
                         f"of at least {MIN_CORPUS_DOCS} documents ({supported_message()}). "
                         "Check the --against path.")
    staged = None
    if first is None:
        baseline = find_baseline(StoredEmbedder(embedder, folder, per_doc["embeddings"]))
    else:
        baseline = find_baseline(embedder)
    timings["reference_pass"], clock = time.perf_counter() - clock, time.perf_counter()
    if first is not None:
        staged = _staged(folder, per_doc, embedder, baseline, options)
        timings["alignment"], clock = time.perf_counter() - clock, time.perf_counter()
    meta = corpus_level(per_doc, folder, options, baseline=baseline,
                        shape_vocab=list(sink.vocab), stop=stop, staged=staged)
    timings["corpus_level"] = time.perf_counter() - clock
    meta.update({
        "fingerprint": fingerprint, "features_key": features_key,
        "index_version": INDEX_VERSION, "samey_version": __version__, "root": str(root),
        "model_id": getattr(embedder, "model_id", "unknown"), "n_docs": n,
        "first_stage": None if first is None else first.model_id,
        "skipped": n_skipped, "text_budget": options.sampling.text_budget,
        "generation": folder.name, "shape_vocab": list(sink.vocab), "updated": sink.stats,
        "build_seconds": {k: round(v, 1) for k, v in timings.items()},
    })
    index = open_index(folder.parent, meta)
    assert index is not None
    index.built, index.stats, index.directory = True, sink.stats, str(folder.parent)
    return index


def _staged(folder: Path, per_doc: dict[str, np.ndarray], embedder: TextEmbedder,
            baseline: Baseline | None, options: AuditOptions) -> Staged:
    """The model's side of a two-stage build: the alignment map fitted on ``scale.align_docs``
    documents (the baseline's posts first: the reference pass has embedded them; then a seeded
    sample) and the model's vectors of stored rows (the embedder's cache, else their texts)."""
    from auditor.features.static import fit_alignment
    from auditor.index.corpus import SEED, baseline_flags
    from auditor.index.files import read_texts

    scale = options.scale
    E = per_doc["embeddings"]
    n = int(E.shape[0])
    rng = np.random.default_rng(SEED + 1)
    is_base, ref = baseline_flags(folder, baseline, n)
    first = np.flatnonzero(is_base) if ref["source"] == "baseline" else np.zeros(0, np.int64)
    if len(first) >= scale.align_docs:
        train = rng.choice(first, scale.align_docs, replace=False)
    else:
        rest = np.setdiff1d(np.arange(n), first)
        more = rng.choice(rest, min(len(rest), scale.align_docs - len(first)), replace=False)
        train = np.concatenate([first, more])
    train = np.sort(train.astype(np.int64))
    db = sqlite3.connect(folder / "docs.sqlite", check_same_thread=False)

    def full_rows(rows: np.ndarray) -> np.ndarray:
        return np.asarray(embedder.embed(read_texts(db, [int(r) for r in rows])), np.float32)

    P = fit_alignment(np.asarray(E[train]), full_rows(train))
    return Staged(P, full_rows, scale.calibration_docs, scale.calibration_candidates)


class StoredEmbedder:
    """The embedder the baseline's reference pass sees: texts already in the index get their
    stored rows (no model call), any other text goes to the real embedder."""

    def __init__(self, inner: TextEmbedder, folder: Path, E: np.ndarray) -> None:
        self.inner, self.folder, self.E = inner, folder, E
        self.cache = getattr(inner, "cache", None)

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dim(self) -> int:
        return int(self.E.shape[1])

    def embed(self, texts: Iterable[str]) -> np.ndarray:
        texts = list(texts)
        hashes = [text_hash(t) for t in texts]
        row_of: dict[str, int] = {}
        with sqlite3.connect(self.folder / "docs.sqlite") as db:
            for part in chunks(sorted(set(hashes))):
                q = (f"SELECT texthash, MIN(row) FROM docs WHERE texthash IN "
                     f"({','.join('?' * len(part))}) GROUP BY texthash")
                row_of.update(dict(db.execute(q, list(part))))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        hit = [i for i, h in enumerate(hashes) if h in row_of]
        if hit:
            V = np.asarray(self.E[np.array([row_of[hashes[i]] for i in hit])], dtype=np.float32)
            norms = np.linalg.norm(V, axis=1, keepdims=True)
            out[hit] = np.divide(V, norms, out=np.zeros_like(V), where=norms > 0)
        miss = [i for i, h in enumerate(hashes) if h not in row_of]
        if miss:
            out[miss] = np.asarray(self.inner.embed([texts[i] for i in miss]), dtype=np.float32)
        return out


__all__ = ["BATCH", "CORPUS", "INDEX_VERSION", "RAGGED", "CorpusIndex", "FindBaseline",
           "IndexSink", "StoredEmbedder", "build", "features_key", "fingerprint", "index_dir",
           "load_or_build", "open_index", "PER_DOC", "Baseline"]
