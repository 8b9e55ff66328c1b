"""The corpus index of ``samey check``: everything a draft is compared with, built once per corpus
state with the audit machinery, updated incrementally, and opened in a fraction of a second
(memory-mapped) however large the corpus.

Layout: ``<cache_dir>/index/<sha256 of the corpus's absolute path, 16 hex>/`` holds
``meta.json`` (small: it does not grow with the corpus) and one *generation* folder named in it:

- **per-document arrays** (row i = corpus document i), each a ``.npy`` file opened with
  ``np.load(mmap_mode="r")``:

  - ``embeddings`` (n, d) float32 unit rows, from the audit's ``Embedder``. float16 would halve
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

- **corpus-level arrays**, recomputed from the per-document ones on every update, never by
  re-embedding: ``ngram_hashes`` / ``ngram_df`` (document frequencies of the 2-4-grams, pruned to
  df >= ``MIN_DF``, sorted for ``searchsorted``); ``phrase_scores`` (n,): per document, its
  distinct 2-4-grams that at least ``min_shared`` *other* documents contain; ``template_cov``
  (n,): the share of its shape 5-grams that are corpus templates; ``is_baseline`` / ``is_recent``
  (n,) bool (the validated baseline's analysed documents; the latest period's documents);
  ``ref_rows`` (r,), ``ref_nbr_idx`` / ``ref_nbr_sims`` / ``ref_nbr_jac`` (r,
  ``REF_NEIGHBOURS``): each reference document's nearest *other* documents of the whole corpus,
  their cosines and MinHash Jaccards (-1 when a side has no shingle: never a copy; see
  ``checking.reference_similarities``); ``nn_sims``: the nearest-other-document similarity of
  a seeded sample of at most ``NN_SAMPLE`` documents (every document below that), the corpus's
  own distribution; ``norms`` (n,) float32: the norms of the stored rows (a product is divided
  by them instead of renormalising every chunk);
- ``docs.sqlite``: one row per document: its key (``doc_id``: path and record), a hash of its
  content (text, title, headings, date), a hash of its text, path, title, date, heading outline.
  A check reads the few rows it names (nearest posts) and, for a draft with three or more
  headings, the outlines of the same length.

``meta.json``: fingerprint, version, model, counts, the templates (bounded: a template is in at
least 5% of the documents), the reference (source, baseline labels, warnings), the latest period,
the phrases amplified in the latest period against the baseline (from the audit's pools: at most
``max_pool`` documents per period), the shape vocabulary.

**Updates.** The index is keyed by a fingerprint of the corpus files (relative paths, sizes,
modification times), the options, the model, samey's version and ``INDEX_VERSION``; any change
updates it. An update streams the corpus in batches of ``BATCH`` documents (rows of record files
one at a time; whole files such as Markdown are held until the end, since one may be a copy of
another): a document whose key and content hash are in the previous generation has its rows
copied, every other one is tokenised, embedded and featurised; documents no longer there are
dropped. Then the corpus-level parts are recomputed from the stored per-document data: document
frequencies and templates (counted in sorted numpy arrays, not Python counters), the validated
baseline (``audit.reference_pass``, whose embeddings come from the index, not from the model),
the reference neighbours (chunked products over the memmap). Memory: one batch of documents,
the corpus's distinct 2-4-gram hashes (12 bytes each) and the whole files.

Nearest neighbours are chunked matrix products over the memory-mapped embeddings
(:func:`nearest_rows`: ``CHUNK_ROWS`` rows at a time), so a check's memory does not grow with the
corpus. When the whole corpus is the reference (undated, or one period), the reference documents
are a seeded sample of at most ``REF_SAMPLE`` (every document below that).

No pickle. Loading imports numpy and sqlite3 only.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from auditor._version import __version__
from auditor.config import AuditOptions
from auditor.features.lexicon import import_spacy, phrase_stop_words
from auditor.judge.draft import min_shared_docs
from auditor.progress import plural

INDEX_VERSION = 5  # 2: validated baseline, recent period; 3: undated documents left out of a
# dated corpus; 4: memory-mapped .npy generations, float16 embeddings, docs.sqlite, incremental;
# 5: float32 embeddings (a check at a million posts: 1.6 s less)
NGRAM_NS = (2, 3, 4)
MIN_DF = 3  # n-grams in fewer corpus documents are not stored in ngram_hashes
TEMPLATE_N = 5
TEMPLATE_SHARE = 0.05  # as structure.shape_ngram_templates: a template is in 5% of documents
TEMPLATE_MIN_DOCS = 3
AMPLIFIED_TOP = 30
# Neighbours stored per reference document: the reference similarity is the first of them that
# is not a textual copy; a post reposted more than this many times is left out of the reference.
REF_NEIGHBOURS = 10
REF_SAMPLE = 10_000  # reference documents when the whole corpus is the reference
NN_SAMPLE = 10_000   # documents whose nearest-other similarity summarises the corpus
BATCH = 4096         # documents featurised and written at a time
CHUNK_ROWS = 32_768  # memmap rows per matrix product
STALE_SECONDS = 3600  # an unnamed generation folder untouched this long is a dead build's
ROW_BLOCK = 65_536   # rows per block when the corpus-level parts read the ragged arrays
EMBED_DTYPE = np.float32
NUM_PERM = 128
SEED = 0

FIXED = {  # per-document arrays: dtype, trailing shape (embeddings: (d,), set at the first batch)
    "embeddings": (EMBED_DTYPE, None), "signatures": (np.uint32, (NUM_PERM,)),
    "dates": (np.int32, ()), "opening": (np.uint64, ()), "closing": (np.uint64, ()),
    "stock_opening": (np.uint64, ()), "stock_closing": (np.uint64, ()),
    "outline": (np.uint64, ()), "n_headings": (np.int16, ()),
}
RAGGED = {"grams": np.uint64, "shapes": np.uint16}
CORPUS = ("ngram_hashes", "ngram_df", "phrase_scores", "template_cov", "is_baseline", "is_recent",
          "ref_rows", "ref_nbr_idx", "ref_nbr_sims", "ref_nbr_jac", "nn_sims", "norms")


# ---------------------------------------------------------------- keys and helpers


def phrase_hash(phrase: str) -> int:
    """Stable 64-bit hash of a space-joined n-gram (or any key); never 0 (0 means "none")."""
    h = int.from_bytes(hashlib.blake2b(phrase.encode("utf-8", "surrogatepass"),
                                       digest_size=8).digest(), "little")
    return h or 1


def key_hash(key: str | None) -> int:
    """:func:`phrase_hash` of a key, 0 for ``None`` / empty."""
    return phrase_hash(key) if key else 0


def outline_key(skeleton: Sequence[tuple[int, str]] | None) -> str | None:
    """The JSON key of a heading outline (``None`` when there is none)."""
    return json.dumps([list(h) for h in skeleton]) if skeleton else None


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


def features_key(options: AuditOptions, model_id: str) -> str:
    """What a document's stored rows depend on besides its content: rows of a generation with
    another key are never reused."""
    return hashlib.sha256(json.dumps({
        "index": INDEX_VERSION, "samey": __version__, "model": model_id,
        "ingest": dataclasses.asdict(options.ingest), "text_budget": options.sampling.text_budget,
    }, sort_keys=True, default=str).encode()).hexdigest()


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
    }, sort_keys=True, default=str).encode())
    for full, rel in iter_files(Path(root), options.ingest.exclude):
        try:
            st = full.stat()
        except OSError:
            continue
        h.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def content_hash(doc: Any) -> str:
    """What a document's stored rows are computed from: text, title, headings, date."""
    h = hashlib.blake2b(digest_size=16)
    h.update(json.dumps([doc.text, doc.title, [list(x) for x in (doc.headings or ())],
                         doc.date.isoformat() if doc.date else None],
                        ensure_ascii=False).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


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


# ---------------------------------------------------------------- .npy files


class NpyAppender:
    """A ``.npy`` file written in appended blocks: a fixed 128-byte header rewritten with the
    final row count at :meth:`close` (format 1.0; ``np.load`` reads it)."""

    HEADER = 128

    def __init__(self, path: Path, dtype: Any, tail: tuple[int, ...]) -> None:
        self.path, self.dtype, self.tail, self.rows = path, np.dtype(dtype), tuple(tail), 0
        self.fh = open(path, "wb")
        self.fh.write(b"\0" * self.HEADER)

    def append(self, block: np.ndarray) -> None:
        block = np.ascontiguousarray(block, dtype=self.dtype).reshape((-1, *self.tail))
        self.fh.write(block.tobytes())
        self.rows += block.shape[0]

    def close(self) -> None:
        shape = (self.rows, *self.tail)
        text = "{'descr': %r, 'fortran_order': False, 'shape': %r, }" % (
            self.dtype.str, shape)
        body = text.ljust(self.HEADER - 10 - 1) + "\n"
        self.fh.seek(0)
        self.fh.write(b"\x93NUMPY\x01\x00" + len(body).to_bytes(2, "little") + body.encode())
        self.fh.close()


def load_npy(path: Path) -> np.ndarray:
    """A ``.npy`` file memory-mapped read-only (an empty one read normally)."""
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except ValueError:  # an empty array cannot be mapped
        return np.load(path, allow_pickle=False)


# ---------------------------------------------------------------- the index


@dataclass
class CorpusIndex:
    """An opened corpus index (see the module docstring). Arrays are read-only memmaps."""

    root: str
    meta: dict[str, Any]
    arrays: dict[str, np.ndarray]
    folder: str  # the generation folder
    built: bool = False  # True when this run built or updated it (a cache miss)
    directory: str = ""
    stats: dict[str, int] = field(default_factory=dict)  # embedded / reused / removed documents
    _db: sqlite3.Connection | None = None

    def __getattr__(self, name: str) -> np.ndarray:
        arrays = self.__dict__.get("arrays", {})
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

    def refs(self, rows: Sequence[int]) -> list[dict[str, Any]]:
        """(path, title, date) of these rows, in their order."""
        rows = [int(r) for r in rows]
        got: dict[int, dict[str, Any]] = {}
        for part in _chunks(sorted(set(rows)), 900):
            q = f"SELECT row, path, title, date FROM docs WHERE row IN ({','.join('?' * len(part))})"
            for r, path, title, date in self.db.execute(q, part):
                got[r] = {"path": path, "title": title, "date": date}
        return [got[r] for r in rows]

    def count(self, name: str, key: str | None) -> int:
        """Corpus documents whose ``name`` key (``opening``, ``closing``, ``outline``) is ``key``,
        counted when at least two share it (else 0)."""
        if not key:
            return 0
        arr = self.arrays[name]
        h = np.uint64(phrase_hash(key))
        c = sum(int(np.count_nonzero(arr[a:a + 1_048_576] == h))
                for a in range(0, len(arr), 1_048_576))
        return c if c >= 2 else 0

    def outlines(self, n_headings: int, rows: np.ndarray) -> dict[int, tuple]:
        """Row -> heading outline of the documents among ``rows`` with ``n_headings`` headings."""
        wanted = set(int(r) for r in rows)
        out = {}
        for r, o in self.db.execute("SELECT row, outline FROM docs WHERE n_headings = ?",
                                    (int(n_headings),)):
            if r in wanted and o:
                out[r] = tuple(tuple(h) for h in json.loads(o))
        return out

    def df(self, phrases: Sequence[str]) -> np.ndarray:
        """Corpus document frequency of each phrase (0 below ``MIN_DF``)."""
        hashes = self.arrays["ngram_hashes"]
        if not len(phrases) or not len(hashes):
            return np.zeros(len(phrases), dtype=np.int64)
        h = np.array([phrase_hash(p) for p in phrases], dtype=np.uint64)
        pos = np.clip(np.searchsorted(hashes, h), 0, len(hashes) - 1)
        hit = hashes[pos] == h
        return np.where(hit, self.arrays["ngram_df"][pos], 0).astype(np.int64)

    def jaccard(self, sig: np.ndarray) -> np.ndarray:
        """MinHash Jaccard estimate of a signature with every corpus document: the share of
        equal slots, in chunks (equal slots summed as bytes: twice as fast as booleans)."""
        S = self.arrays["signatures"]
        out = np.empty(len(S), dtype=np.float64)
        for a in range(0, len(S), CHUNK_ROWS):
            eq = (S[a:a + CHUNK_ROWS] == sig[None, :]).view(np.uint8)
            out[a:a + CHUNK_ROWS] = np.add.reduce(eq, axis=1, dtype=np.uint16)
        return out / S.shape[1]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _chunks(seq: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for a in range(0, len(seq), size):
        yield seq[a:a + size]


# ---------------------------------------------------------------- nearest neighbours


def nearest_rows(Q: np.ndarray, E: np.ndarray, *, k: int = 1,
                 exclude: np.ndarray | None = None, norms: np.ndarray | None = None,
                 q_block: int = 1024, chunk: int = CHUNK_ROWS) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` most cosine-similar rows of ``E`` (any array, e.g. a memmap) for each row
    of ``Q``, by chunked matrix products: memory O(q_block x chunk), whatever ``len(E)``.

    Rows are renormalised (zero rows: similarity 0); ``norms``: the norms of the rows of ``E``,
    when known (:func:`row_norms`). ``exclude[i]``: a row of ``E`` query i may
    not match (itself). Best first; ties broken by the lower index, as
    ``topics.nearest_neighbours``. Returns (int64 indices, float64 similarities), (m, k') with
    k' = min(k, candidates).
    """
    Q = np.asarray(Q, dtype=np.float32)
    qn = np.linalg.norm(Q, axis=1, keepdims=True)
    Q = np.divide(Q, qn, out=np.zeros_like(Q), where=qn > 0)
    m, n = Q.shape[0], E.shape[0]
    k = max(0, min(int(k), n - (1 if exclude is not None else 0)))
    idx = np.zeros((m, k), dtype=np.int64)
    sims = np.zeros((m, k), dtype=np.float64)
    if m == 0 or k == 0:
        return idx, sims
    for qa in range(0, m, q_block):
        q = Q[qa:qa + q_block]
        ex = None if exclude is None else np.asarray(exclude[qa:qa + q_block], np.int64)
        best_s = np.zeros((len(q), 0), dtype=np.float32)
        best_i = np.zeros((len(q), 0), dtype=np.int64)
        for xa in range(0, n, chunk):
            cand_s, cand_i = _chunk_top(q, E, xa, chunk, k, norms, ex)
            all_s = np.concatenate([best_s, cand_s], axis=1)
            all_i = np.concatenate([best_i, cand_i], axis=1)
            order = np.lexsort((all_i, -all_s), axis=1)[:, :k]
            best_s = np.take_along_axis(all_s, order, axis=1)
            best_i = np.take_along_axis(all_i, order, axis=1)
        idx[qa:qa + len(q)] = best_i
        sims[qa:qa + len(q)] = best_s
    return idx, sims


def _chunk_top(q: np.ndarray, E: np.ndarray, xa: int, chunk: int, k: int,
               norms: np.ndarray | None, ex: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The best ``k`` rows of ``E[xa:xa + chunk]`` for each query (ties: lower index)."""
    C = np.asarray(E[xa:xa + chunk], dtype=np.float32)
    cn = np.linalg.norm(C, axis=1) if norms is None else norms[xa:xa + chunk]
    S = q @ C.T
    S /= np.where(cn > 0, cn, 1)[None, :]
    if ex is not None:
        e = ex - xa
        inside = (e >= 0) & (e < S.shape[1])
        S[np.flatnonzero(inside), e[inside]] = -np.inf
    kk = min(k, S.shape[1])
    part = np.argpartition(-S, kk - 1, axis=1)[:, :kk]
    cand_s = np.take_along_axis(S, part, axis=1)
    kth = cand_s.min(axis=1)
    tied = np.flatnonzero((S >= kth[:, None]).sum(axis=1) > kk)
    for r in tied:  # more candidates than kk at the boundary: keep the lowest indices
        at = np.flatnonzero(S[r] >= kth[r])
        at = at[np.lexsort((at, -S[r, at]))][:kk]
        part[r] = at
        cand_s[r] = S[r, at]
    return cand_s, part + xa


def row_norms(E: np.ndarray) -> np.ndarray:
    """The L2 norm of every row of ``E``, in chunks (float32)."""
    out = np.empty(E.shape[0], dtype=np.float32)
    for a in range(0, E.shape[0], CHUNK_ROWS):
        out[a:a + CHUNK_ROWS] = np.linalg.norm(np.asarray(E[a:a + CHUNK_ROWS], np.float32), axis=1)
    return out


# ---------------------------------------------------------------- open / save


def _read_meta(directory: Path) -> dict[str, Any] | None:
    try:
        return json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def open_index(directory: Path, meta: dict[str, Any]) -> CorpusIndex | None:
    """The generation ``meta`` names, memory-mapped; ``None`` when it is incomplete."""
    if meta.get("index_version") != INDEX_VERSION or not meta.get("generation"):
        return None
    folder = directory / meta["generation"]
    try:
        arrays = {name: load_npy(folder / f"{name}.npy")
                  for name in (*FIXED, *RAGGED, *(f"{r}_off" for r in RAGGED), *CORPUS)}
    except (OSError, ValueError):
        return None
    if not (folder / "docs.sqlite").is_file():
        return None
    return CorpusIndex(root=meta["root"], meta=meta, arrays=arrays, folder=str(folder),
                       directory=str(directory))


def load(directory: Path, expected: str) -> CorpusIndex | None:
    """The index stored in ``directory`` if its fingerprint is ``expected``, else ``None``."""
    meta = _read_meta(directory)
    if meta is None or meta.get("fingerprint") != expected:
        return None
    return open_index(directory, meta)


def load_or_build(root: str | Path, options: AuditOptions, *, model_id: str,
                  make_embedder: Callable[[], Any]) -> CorpusIndex:
    """Open the index of ``root`` when the corpus is unchanged, else update it (only new or
    changed documents are embedded; see the module docstring) and save it.

    ``make_embedder()`` is called only on an update. A cache folder that cannot be written
    costs a full build in a temporary folder, every time.
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
                      folder=folder, old=old)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        if old is not None:
            old.close()
    if saved:
        index.directory = str(directory)
        write_atomic(directory / "meta.json", json.dumps(index.meta, ensure_ascii=False))
        # the generation this one replaces, pre-4 files, and folders left by builds that died
        # (untouched for an hour); another check's generation may still be building: kept
        previous = (meta or {}).get("generation")
        for stale in directory.iterdir():
            if stale.name in ("meta.json", folder.name):
                continue
            fresh = stale.stat().st_mtime >= time.time() - STALE_SECONDS
            if stale.name == previous or not fresh or not stale.name.startswith(("g", ".")):
                if stale.is_dir():
                    shutil.rmtree(stale, ignore_errors=True)
                else:
                    stale.unlink(missing_ok=True)
    else:  # files stay readable through the open maps once the folder is removed
        index.db.execute("SELECT 1")
        shutil.rmtree(folder, ignore_errors=True)
    return index


# ---------------------------------------------------------------- streaming the corpus


class _Stream:
    """The corpus's documents in batches, as ``load_documents`` would list them: rows of record
    files as they are read, whole files (which may be copies of each other or of a row) once
    every file is read (``ingest.stream.IngestSummary.finish`` resolves them)."""

    def __init__(self, root: Path, options: AuditOptions) -> None:
        self.root, self.options = root, options
        self.n_skipped = 0

    def batches(self, size: int) -> Iterator[list[Any]]:
        from auditor.ingest import iter_file
        from auditor.ingest.dates import git_first_added
        from auditor.ingest.readers import FORMATS, TABULAR
        from auditor.ingest.stream import IngestSummary
        from auditor.ingest.walk import iter_files
        from auditor.progress import progress_iter
        from auditor.types import Document

        ingest = self.options.ingest
        summary = IngestSummary(SEED, 1, str(self.root))
        files = iter_files(self.root, ingest.exclude)
        git_dates: dict[str, Any] = {}
        if ingest.date_from == "git":
            root = self.root if self.root.is_dir() else self.root.parent
            git_dates = git_first_added(root, [r for _, r in files])
        batch: list[Any] = []
        for full, rel in progress_iter(files, total=len(files), description="Reading files",
                                       enabled=self.options.progress):
            fmt = FORMATS.get(full.suffix.lower(), "")
            items, digest = iter_file(full, rel, ingest, git_dates)
            if digest is not None and fmt not in TABULAR:
                summary.digests[rel] = digest
            for index, item in items:
                summary.add(index, item, fmt)
                if isinstance(item, Document) and index and fmt in TABULAR:
                    batch.append(item)
                    if len(batch) >= size:
                        yield batch
                        batch = []
        summary.finish()
        self.n_skipped = summary.skipped.total
        for _, doc in summary.files:
            batch.append(doc)
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch


# ---------------------------------------------------------------- per-document features


def _featurise(docs: Sequence[Any], embedder: Any, *, budget: int, stop: frozenset[str],
               vocab: dict[str, int]) -> dict[str, Any]:
    """The per-document rows of ``docs`` (see ``FIXED`` and ``RAGGED``)."""
    from auditor.features.tokens import tokenize
    from auditor.judge.thresholds import STOCK_WORDS
    from auditor.metrics.duplication import SHINGLE_SIZE, minhash_signatures
    from auditor.metrics.structure import closing_key, heading_skeleton, opening_key

    toks = tokenize([d.text for d in docs], budget=budget)
    E = np.asarray(embedder.embed([d.text for d in docs]), dtype=np.float32)
    words = [t.words for t in toks]
    openings = [opening_key(t.first_sentence) or None if t.first_sentence else None for t in toks]
    closings = [closing_key(t.last_sentence) or None if t.last_sentence else None for t in toks]
    skeletons = [heading_skeleton(d.headings) if d.headings else None for d in docs]
    skeletons = [s or None for s in skeletons]
    shapes = []
    for t in toks:
        ids = [vocab.setdefault(s, len(vocab)) for s in t.shapes]
        shapes.append(np.array(ids, dtype=np.uint16))
    if len(vocab) > 65535:
        raise ValueError("more than 65,535 distinct shape tokens")
    return {
        "embeddings": E,
        "signatures": minhash_signatures(words, shingle_size=SHINGLE_SIZE, num_perm=NUM_PERM),
        "dates": np.array([d.date.toordinal() if d.date else 0 for d in docs], dtype=np.int32),
        "opening": np.array([key_hash(o) for o in openings], dtype=np.uint64),
        "closing": np.array([key_hash(c) for c in closings], dtype=np.uint64),
        "stock_opening": np.array([key_hash(" ".join(o.split()[:STOCK_WORDS]) if o else None)
                                   for o in openings], dtype=np.uint64),
        "stock_closing": np.array([key_hash(" ".join(c.split()[-STOCK_WORDS:]) if c else None)
                                   for c in closings], dtype=np.uint64),
        "outline": np.array([key_hash(outline_key(s)) for s in skeletons], dtype=np.uint64),
        "n_headings": np.array([len(s) if s else 0 for s in skeletons], dtype=np.int16),
        "grams": [np.array(sorted(phrase_hash(g) for g in content_grams(w, stop)),
                           dtype=np.uint64) for w in words],
        "shapes": shapes,
        "_outlines": [outline_key(s) for s in skeletons],
    }


class _Writer:
    """The per-document files of a new generation, appended batch by batch."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.fixed: dict[str, NpyAppender] = {}
        self.ragged = {name: NpyAppender(folder / f"{name}.npy", dt_, ())
                       for name, dt_ in RAGGED.items()}
        self.offsets = {name: [0] for name in RAGGED}
        self.rows = 0
        self.db = sqlite3.connect(folder / "docs.sqlite")
        self.db.execute("CREATE TABLE docs (row INTEGER PRIMARY KEY, key TEXT, content TEXT, "
                        "texthash TEXT, path TEXT, title TEXT, date TEXT, n_headings INTEGER, "
                        "outline TEXT)")

    def append(self, rows: dict[str, Any], docs: Sequence[Any], contents: Sequence[str],
               outlines: Sequence[str | None]) -> None:
        for name, (dt_, tail) in FIXED.items():
            block = np.asarray(rows[name])
            if name not in self.fixed:
                self.fixed[name] = NpyAppender(self.folder / f"{name}.npy", dt_,
                                               block.shape[1:] if tail is None else tail)
            self.fixed[name].append(block)
        for name in RAGGED:
            off = self.offsets[name]
            for part in rows[name]:
                self.ragged[name].append(part)
                off.append(off[-1] + len(part))
        self.db.executemany(
            "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(self.rows + i, d.doc_id, c, text_hash(d.text), d.doc_id, d.title,
              d.date.isoformat() if d.date else None, int(rows["n_headings"][i]), o)
             for i, (d, c, o) in enumerate(zip(docs, contents, outlines))])
        self.rows += len(docs)

    def close(self, dim: int) -> None:
        if "embeddings" not in self.fixed:  # no document at all
            for name, (dt_, tail) in FIXED.items():
                self.fixed[name] = NpyAppender(self.folder / f"{name}.npy", dt_,
                                               (dim,) if tail is None else tail)
        for a in (*self.fixed.values(), *self.ragged.values()):
            a.close()
        for name, off in self.offsets.items():
            np.save(self.folder / f"{name}_off.npy", np.array(off, dtype=np.int64))
        self.db.execute("CREATE INDEX docs_key ON docs (key)")
        self.db.execute("CREATE INDEX docs_text ON docs (texthash)")
        self.db.execute("CREATE INDEX docs_headings ON docs (n_headings)")
        self.db.commit()
        self.db.close()


def _old_rows(old: CorpusIndex, docs: Sequence[Any], contents: Sequence[str]) -> dict[int, int]:
    """Batch position -> row of the previous generation holding the same document unchanged."""
    found: dict[int, int] = {}
    where = {d.doc_id: i for i, d in enumerate(docs)}
    for part in _chunks(list(where), 900):
        q = f"SELECT key, content, row FROM docs WHERE key IN ({','.join('?' * len(part))})"
        for key, content, row in old.db.execute(q, part):
            i = where[key]
            if content == contents[i]:
                found[i] = int(row)
    return found


def _copy_rows(old: CorpusIndex, rows: Sequence[int]) -> dict[str, Any]:
    a = old.arrays
    out: dict[str, Any] = {name: np.asarray(a[name][np.asarray(rows, dtype=np.int64)])
                           for name in FIXED}
    for name in RAGGED:
        off = a[f"{name}_off"]
        out[name] = [np.asarray(a[name][off[r]:off[r + 1]]) for r in rows]
    return out


def _translate_shapes(ids: np.ndarray, old_vocab: list[str], vocab: dict[str, int]) -> np.ndarray:
    table = np.array([vocab.setdefault(s, len(vocab)) for s in old_vocab] or [0], dtype=np.uint16)
    return table[ids] if len(ids) else ids


# ---------------------------------------------------------------- build / update


def build(root: str | Path, options: AuditOptions, embedder: Any, *, fingerprint: str,
          features_key: str = "", folder: Path, old: CorpusIndex | None = None) -> CorpusIndex:
    """Write a new generation of the index into ``folder``: stream the corpus, reuse the rows of
    ``old`` for unchanged documents, featurise the others, then compute the corpus-level parts
    (see the module docstring)."""
    from auditor.errors import InputError

    import_spacy()
    root = Path(root)
    stop = phrase_stop_words()
    old_vocab: list[str] = list(old.meta.get("shape_vocab", [])) if old is not None else []
    vocab: dict[str, int] = {s: i for i, s in enumerate(old_vocab)}
    writer = _Writer(folder)
    stream = _Stream(root, options)
    stats = {"embedded": 0, "reused": 0, "removed": 0}
    dim = 0
    for docs in stream.batches(BATCH):
        contents = [content_hash(d) for d in docs]
        found = _old_rows(old, docs, contents) if old is not None else {}
        new = [i for i in range(len(docs)) if i not in found]
        rows: dict[str, Any] = {}
        parts = []
        if found:
            got = _copy_rows(old, list(found.values()))
            got["shapes"] = [_translate_shapes(s, old_vocab, vocab) for s in got["shapes"]]
            parts.append((list(found), got))
        if new:
            parts.append((new, _featurise([docs[i] for i in new], embedder,
                                          budget=options.sampling.text_budget, stop=stop,
                                          vocab=vocab)))
        order = np.argsort(np.concatenate([np.asarray(p, dtype=np.int64) for p, _ in parts]),
                           kind="stable")
        for name in FIXED:
            rows[name] = np.concatenate([np.asarray(g[name], dtype=FIXED[name][0])
                                         for _, g in parts])[order]
        for name in RAGGED:
            flat = [x for _, g in parts for x in g[name]]
            rows[name] = [flat[j] for j in order]
        outlines: list[str | None] = [None] * len(docs)
        for pos, g in parts:
            if "_outlines" in g:
                for i, o in zip(pos, g["_outlines"]):
                    outlines[i] = o
        if found:
            q = ("SELECT row, outline FROM docs WHERE row IN "
                 f"({','.join('?' * len(found))})")
            by_row = dict(old.db.execute(q, list(found.values())))
            for i, r in found.items():
                outlines[i] = by_row.get(r)
        writer.append(rows, docs, contents, outlines)
        dim = int(rows["embeddings"].shape[1])
        stats["embedded"] += len(new)
        stats["reused"] += len(found)
    writer.close(dim or int(getattr(embedder, "dim", 1) or 1))
    if old is not None:
        stats["removed"] = old.n_docs - stats["reused"]
    n_skipped = stream.n_skipped
    per_doc = {name: load_npy(folder / f"{name}.npy")
               for name in (*FIXED, *RAGGED, *(f"{r}_off" for r in RAGGED))}
    dates = per_doc["dates"]
    if (dates > 0).any() and (dates == 0).any():  # count the corpus exactly as samey audit
        undated = int((dates == 0).sum())          # does: undated documents are skipped there
        per_doc = _compact(folder, per_doc, keep=dates > 0)
        n_skipped += undated
    n = int(per_doc["dates"].shape[0])
    if n < 2:
        from auditor.ingest import supported_message

        raise InputError(f"{root}: {plural(n, 'document')} found; samey check needs a corpus "
                         f"of at least 2 documents ({supported_message()}). Check the --against "
                         "path.")
    meta = _corpus_level(root, options, embedder, per_doc, folder, vocab)
    meta.update({
        "fingerprint": fingerprint, "features_key": features_key,
        "index_version": INDEX_VERSION, "samey_version": __version__, "root": str(root),
        "model_id": getattr(embedder, "model_id", "unknown"), "n_docs": n,
        "skipped": n_skipped, "text_budget": options.sampling.text_budget,
        "generation": folder.name, "shape_vocab": list(vocab), "updated": stats,
    })
    index = open_index(folder.parent, meta)
    assert index is not None
    index.built, index.stats, index.directory = True, stats, str(folder.parent)
    return index


def _compact(folder: Path, per_doc: dict[str, np.ndarray], keep: np.ndarray
             ) -> dict[str, np.ndarray]:
    """Rewrite the per-document files and table with the ``keep`` rows only."""
    rows = np.flatnonzero(keep)
    new = {name: np.asarray(per_doc[name][rows]) for name in FIXED}
    for name in RAGGED:
        off = per_doc[f"{name}_off"]
        parts = [np.asarray(per_doc[name][off[r]:off[r + 1]]) for r in rows]
        lengths = np.array([len(p) for p in parts], dtype=np.int64)
        new[name] = (np.concatenate(parts) if parts else np.zeros(0, RAGGED[name])).astype(
            RAGGED[name])
        new[f"{name}_off"] = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    per_doc.clear()
    for name, arr in new.items():  # replaced, not truncated: the old maps stay valid
        np.save(folder / f".{name}.npy", arr)
        os.replace(folder / f".{name}.npy", folder / f"{name}.npy")
    with sqlite3.connect(folder / "docs.sqlite") as db:
        db.execute("CREATE TEMP TABLE keep (old INTEGER PRIMARY KEY, new INTEGER)")
        db.executemany("INSERT INTO keep VALUES (?, ?)", [(int(r), i) for i, r in enumerate(rows)])
        db.execute("DELETE FROM docs WHERE row NOT IN (SELECT old FROM keep)")
        db.execute("UPDATE docs SET row = -1 - (SELECT new FROM keep WHERE old = docs.row)")
        db.execute("UPDATE docs SET row = -1 - row")
    return {name: load_npy(folder / f"{name}.npy") for name in new}


def _ragged_batches(flat: np.ndarray, off: np.ndarray, size: int = ROW_BLOCK
                    ) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """(first row, values, row of each value minus the first row) for blocks of rows."""
    n = len(off) - 1
    for a in range(0, n, size):
        b = min(n, a + size)
        lo, hi = int(off[a]), int(off[b])
        lengths = np.diff(np.asarray(off[a:b + 1]))
        yield a, np.asarray(flat[lo:hi]), np.repeat(np.arange(b - a), lengths)


def _per_row(rows: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(rows, weights=weights, minlength=n)[:n]


def _count_merge(keys: np.ndarray, counts: np.ndarray, new: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Add the values ``new`` (one count each) to the sorted (keys, counts)."""
    u, c = np.unique(new, return_counts=True)
    allk = np.concatenate([keys, u])
    allc = np.concatenate([counts, c.astype(np.int64)])
    k2, inv = np.unique(allk, return_inverse=True)
    return k2, np.bincount(inv.ravel(), weights=allc, minlength=len(k2)).astype(np.int64)


def _shape_codes(ids: np.ndarray, rows: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Shape 5-gram codes (exact: ``bits`` per id) at every position that starts a 5-gram inside
    one document, and their rows."""
    if len(ids) < TEMPLATE_N:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    x = ids.astype(np.uint64)
    m = len(ids) - TEMPLATE_N + 1
    code = np.zeros(m, dtype=np.uint64)
    for j in range(TEMPLATE_N):
        code = (code << np.uint64(bits)) | x[j:j + m]
    ok = rows[:m] == rows[TEMPLATE_N - 1:]
    return code[ok], rows[:m][ok]


def _corpus_level(root: Path, options: AuditOptions, embedder: Any, per_doc: dict[str, Any],
                  folder: Path, vocab: dict[str, int]) -> dict[str, Any]:
    """Document frequencies, templates, the validated baseline, the reference neighbours, the
    latest period and amplified phrases, from the stored per-document data; saves the corpus-
    level arrays in ``folder`` and returns their part of ``meta``."""
    from auditor.app.audit import reference_pass

    n = int(per_doc["dates"].shape[0])
    E = per_doc["embeddings"]
    norms = row_norms(E)
    shared = min_shared(options, n)

    # Phrases: document frequencies (each document's grams are distinct), then per document the
    # number of its grams that at least ``shared`` other documents contain.
    keys, counts = np.zeros(0, np.uint64), np.zeros(0, np.int64)
    for _, vals, _ in _ragged_batches(per_doc["grams"], per_doc["grams_off"]):
        keys, counts = _count_merge(keys, counts, vals)
    phrase_scores = np.zeros(n, dtype=np.float64)
    for a, vals, rows in _ragged_batches(per_doc["grams"], per_doc["grams_off"]):
        df = counts[np.searchsorted(keys, vals)] if len(vals) else np.zeros(0, np.int64)
        m = min(n - a, ROW_BLOCK)
        phrase_scores[a:a + m] = _per_row(rows, (df - 1 >= shared).astype(np.float64), m)
    kept = counts >= MIN_DF
    ngram_hashes, ngram_df = keys[kept], counts[kept].astype(np.int32)
    del keys, counts

    # Templates: shape 5-grams in at least max(3, 5% of the documents that have one), with two
    # or more function words (as structure.shape_ngram_templates).
    names = list(vocab)
    bits = max(1, int(math.ceil(math.log2(max(2, len(names))))))
    if bits * TEMPLATE_N > 64:
        raise ValueError("shape vocabulary too large for exact 5-gram codes")
    is_fw = np.array([s.islower() for s in names] or [False], dtype=np.int64)
    skeys, scounts = np.zeros(0, np.uint64), np.zeros(0, np.int64)
    has_gram = np.zeros(n, dtype=bool)
    for a, vals, rows in _ragged_batches(per_doc["shapes"], per_doc["shapes_off"]):
        code, crow = _shape_codes(vals, rows, bits)
        has_gram[crow + a] = True
        order = np.lexsort((code, crow))  # each document's distinct codes
        code, crow = code[order], crow[order]
        first = np.ones(len(code), dtype=bool)
        first[1:] = (code[1:] != code[:-1]) | (crow[1:] != crow[:-1])
        skeys, scounts = _count_merge(skeys, scounts, code[first])
    n_with = int(has_gram.sum())
    min_count = max(TEMPLATE_MIN_DOCS, math.ceil(TEMPLATE_SHARE * n_with - 1e-12))
    mask_all = (1 << bits) - 1
    fw = sum(is_fw[((skeys >> np.uint64(bits * (TEMPLATE_N - 1 - j))) & np.uint64(mask_all))
                   .astype(np.int64)] for j in range(TEMPLATE_N)) if len(skeys) else np.zeros(0)
    tmask = (scounts >= min_count) & (fw >= 2)
    tcodes, tcounts = skeys[tmask], scounts[tmask]
    del skeys, scounts

    def decode(c: int) -> str:
        return " ".join(names[(c >> (bits * (TEMPLATE_N - 1 - j))) & mask_all]
                        for j in range(TEMPLATE_N))

    templates = {decode(int(c)): int(k) for c, k in sorted(
        zip(tcodes, tcounts), key=lambda ck: (-int(ck[1]), decode(int(ck[0]))))}
    template_cov = np.zeros(n, dtype=np.float64)
    positions = np.zeros(n, dtype=np.float64)
    for a, vals, rows in _ragged_batches(per_doc["shapes"], per_doc["shapes_off"]):
        code, crow = _shape_codes(vals, rows, bits)
        m = min(n - a, ROW_BLOCK)
        positions[a:a + m] = _per_row(crow, np.ones(len(code)), m)
        template_cov[a:a + m] = _per_row(crow, np.isin(code, tcodes).astype(np.float64), m)
    template_cov = np.divide(template_cov, positions, out=np.zeros(n), where=positions > 0)

    # The validated baseline: the audit's reference pass, its embeddings read from the index.
    db = sqlite3.connect(folder / "docs.sqlite")
    try:
        ref, judged = reference_pass(root, options, embedder=_StoredEmbedder(embedder, db, E))
        is_baseline = np.zeros(n, dtype=bool)
        if ref is not None:
            ids = sorted(ref.doc_ids)
            for part in _chunks(ids, 900):
                q = f"SELECT row FROM docs WHERE key IN ({','.join('?' * len(part))})"
                is_baseline[[r for (r,) in db.execute(q, part)]] = True
    finally:
        db.close()
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
    rng = np.random.default_rng(SEED)
    ref_rows = np.flatnonzero(is_baseline)
    if reference["source"] == "corpus" and len(ref_rows) > REF_SAMPLE:
        ref_rows = np.sort(rng.choice(ref_rows, REF_SAMPLE, replace=False))
    k = min(REF_NEIGHBOURS, n - 1)
    nbr_idx, nbr_sims = nearest_rows(E[ref_rows], E, k=k, exclude=ref_rows, norms=norms)
    sig = per_doc["signatures"]
    s_rows = np.asarray(sig[ref_rows])
    s_nbrs = np.asarray(sig[nbr_idx.ravel()]).reshape(*nbr_idx.shape, -1)
    nbr_jac = (s_nbrs == s_rows[:, None, :]).mean(axis=2)
    empty = (s_nbrs == 0xFFFFFFFF).all(axis=2) | (s_rows == 0xFFFFFFFF).all(axis=1)[:, None]
    nbr_jac[empty] = -1.0
    del s_rows, s_nbrs
    if reference["source"] == "corpus":
        nn_sims = nbr_sims[:, 0].copy()
    else:
        sample = np.arange(n) if n <= NN_SAMPLE else np.sort(rng.choice(n, NN_SAMPLE,
                                                                        replace=False))
        nn_sims = nearest_rows(E[sample], E, k=1, exclude=sample, norms=norms)[1][:, 0]

    latest = _latest_period(per_doc["dates"], options)
    is_recent = np.zeros(n, dtype=bool)
    if latest is not None:
        is_recent[latest[1]] = True
    amplified = _amplified(judged, latest[0] if latest else None,
                           reference["source"] == "baseline")

    arrays = {"ngram_hashes": ngram_hashes, "ngram_df": ngram_df, "phrase_scores": phrase_scores,
              "template_cov": template_cov, "is_baseline": is_baseline, "is_recent": is_recent,
              "ref_rows": ref_rows.astype(np.int64), "ref_nbr_idx": nbr_idx.astype(np.int64),
              "ref_nbr_sims": nbr_sims.astype(np.float64), "ref_nbr_jac": nbr_jac,
              "nn_sims": nn_sims.astype(np.float64), "norms": norms}
    for name, arr in arrays.items():
        np.save(folder / f"{name}.npy", arr)
    return {"min_shared_docs": shared, "templates": templates, "template_min_docs": min_count,
            "reference": reference, "baseline": reference["labels"],
            "latest_period": latest[0] if latest is not None else None, "amplified": amplified,
            "dim": int(E.shape[1])}


class _StoredEmbedder:
    """The embedder the reference pass sees: texts already in the index get their stored rows
    (no model call), any other text goes to the real embedder."""

    def __init__(self, inner: Any, db: sqlite3.Connection, E: np.ndarray) -> None:
        self.inner, self.db, self.E = inner, db, E
        self.model_id = inner.model_id
        self.cache = getattr(inner, "cache", None)

    @property
    def dim(self) -> int:
        return int(self.E.shape[1])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        hashes = [text_hash(t) for t in texts]
        row_of: dict[str, int] = {}
        for part in _chunks(sorted(set(hashes)), 900):
            q = f"SELECT texthash, MIN(row) FROM docs WHERE texthash IN " \
                f"({','.join('?' * len(part))}) GROUP BY texthash"
            row_of.update(dict(self.db.execute(q, part)))
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


def _latest_period(dates: np.ndarray, options: AuditOptions) -> tuple[str, np.ndarray] | None:
    """The latest period (label, document rows) as the audit splits the dated documents; ``None``
    when the corpus is undated or has a single period."""
    from auditor.ingest.periods import make_periods, merge_small
    from auditor.metrics.sampling import MIN_SAMPLE

    ordinals = np.asarray(dates)
    dated = np.flatnonzero(ordinals > 0)
    if len(dated) < 2:
        return None
    dated = dated[np.argsort(ordinals[dated], kind="stable")]
    uniq, inv = np.unique(ordinals[dated], return_inverse=True)
    as_dates = [dt.date.fromordinal(int(o)) for o in uniq]
    periods, _ = make_periods([as_dates[i] for i in inv], period=options.period,
                              min_docs=options.min_docs)
    periods, _ = merge_small(periods, min_sample=MIN_SAMPLE)  # as pipeline.prepare_documents
    if len(periods) < 2:
        return None
    return periods[-1].label, dated[np.asarray(periods[-1].doc_indices, dtype=np.int64)]


def _amplified(judged: Any, latest: str | None, has_baseline: bool) -> list[dict[str, Any]]:
    """Phrases amplified in the latest period against the validated baseline, on the audit's
    pools (dated corpora with a baseline and a later latest period only)."""
    from auditor.metrics import wording

    if judged is None or latest is None or not has_baseline:
        return []
    prep = judged.prep
    last = prep.periods[-1]
    if last.label != latest or last.is_baseline:
        return []
    words = prep.features.words
    base = [i for p in prep.periods if p.is_baseline for i in p.doc_indices]
    amp = wording.amplified_phrases([words[i] for i in last.doc_indices],
                                    [words[i] for i in base],
                                    top=AMPLIFIED_TOP, stop_words=phrase_stop_words())
    return [dataclasses.asdict(a) for a in amp if a.ratio >= 2]
