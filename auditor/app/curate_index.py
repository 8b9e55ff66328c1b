"""What ``samey curate`` keeps of every document in its one reading pass (no text).

:class:`CurateIndex` sees every input once, as :func:`read_corpus` streams it from any format
samey reads (``ingest.iter_file``: record files row by row, so memory does not grow with a
file's size). Per document:

* its embedding (the audit's embedder, in batches), appended to a temporary file
  (:class:`EmbeddingStore`: 4 bytes a dimension, 1.5 KB for MiniLM) and read back by
  positioned reads, a cluster or a chunk at a time; and its word-count vector (the hashing
  embedder, 256 dimensions, 1 KB: how the selection sees wording), in a second store;
* its MinHash signature, shingle sketch and band keys for near-copy families
  (``app.site_duplicates.SiteIndex``: 92 bytes in memory, the rest on disk), with its reference
  (file, record number, date);
* in memory, 38 bytes: its word count, the 64-bit hashes of its opening, closing and heading
  outline (``metrics.structure``: opening_key, closing_key, heading_skeleton), its source
  label (``--source-field``) and whether it is protected (``--always-keep``).

Skipped inputs are written to a temporary JSON Lines file (every one, for the manifest) and the
first 1,000 kept for the result (``ingest.stream.SkipLog``). A million documents: about 130 MB
of memory and 3-4 GB of temporary disk with MiniLM.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from auditor.app.site_duplicates import SiteIndex
from auditor.config import IngestOptions
from auditor.features.embeddings import HashingEmbedder
from auditor.ingest import iter_file
from auditor.ingest.stream import SkipLog
from auditor.ingest.walk import iter_files
from auditor.metrics import structure
from auditor.progress import progress_iter
from auditor.types import Document, Skipped

EMBED_BATCH = 256  # documents embedded at a time
LEXICAL = HashingEmbedder(dim=256)  # word-count vectors: the wording side of the similarity


class EmbeddingStore:
    """float32 rows appended to a temporary file; read back by row numbers or in chunks."""

    def __init__(self, directory: str | None = None) -> None:
        fd, self.path = tempfile.mkstemp(prefix="samey-embed-", suffix=".f32", dir=directory)
        self.file = os.fdopen(fd, "w+b")
        self.dim = 0
        self.rows = 0

    def append(self, X: np.ndarray) -> None:
        X = np.ascontiguousarray(X, dtype=np.float32)
        if len(X) == 0:
            return
        self.dim = self.dim or X.shape[1]
        self.file.write(X.tobytes())
        self.rows += len(X)

    def read(self, ids: np.ndarray) -> np.ndarray:
        """Rows ``ids`` (in that order), by positioned reads."""
        self.file.flush()
        fd, row = self.file.fileno(), 4 * self.dim
        buf = b"".join(os.pread(fd, row, int(i) * row) for i in ids)
        return np.frombuffer(buf, dtype=np.float32).reshape(len(ids), self.dim)

    def chunks(self, size: int = 8192) -> Iterator[tuple[int, np.ndarray]]:
        """``(first row, rows)`` over the whole store, ``size`` rows at a time."""
        self.file.flush()
        fd, row = self.file.fileno(), 4 * self.dim
        for lo in range(0, self.rows, size):
            m = min(size, self.rows - lo)
            yield lo, np.frombuffer(os.pread(fd, m * row, lo * row),
                                    dtype=np.float32).reshape(m, self.dim)

    def raw(self) -> bytes:
        """Every row, as bytes (an engine's partition)."""
        self.file.flush()
        return Path(self.path).read_bytes()

    def append_raw(self, data: bytes, dim: int) -> None:
        """Append rows given as bytes of ``dim`` float32 values each (:meth:`raw`)."""
        if data:
            self.append(np.frombuffer(data, dtype=np.float32).reshape(-1, dim))

    def close(self) -> None:
        discard(self.file, self.path)


def discard(handle: Any, path: str) -> None:
    """Close a temporary file and delete it (once)."""
    if not handle.closed:
        handle.close()
    Path(path).unlink(missing_ok=True)


def key_hash(item: Any) -> int:
    """A stable 64-bit hash of a structure key (0 for none): the same in every run."""
    if item is None or (not isinstance(item, str) and not item):
        return 0
    h = int.from_bytes(hashlib.blake2b(repr(item).encode(), digest_size=8).digest(), "little",
                       signed=True)
    return h or 1


class CurateIndex:
    """Sink of the curation pass (module docstring). ``add`` every document, ``skip`` every
    skipped input, then :meth:`finish`; :meth:`close` deletes the temporary files."""

    def __init__(self, embedder: Any, *, protected: Callable[[str, str], bool],
                 directory: str | None = None, batch: int = EMBED_BATCH) -> None:
        self.embedder = embedder
        self.protected = protected
        self.batch = batch
        self.site = SiteIndex(directory=directory)
        self.store = EmbeddingStore(directory)
        self.lexical = EmbeddingStore(directory)
        self.words = array("i")
        self.keys = array("q")     # opening, closing, outline per document
        self.source = array("h")   # index into ``labels``; -1: none
        self.always = array("b")
        self.labels: list[str] = []
        self._label_ix: dict[str, int] = {}
        self.skips = SkipLog()
        self.n_skipped = 0
        fd, self.skip_path = tempfile.mkstemp(prefix="samey-skipped-", suffix=".jsonl",
                                              dir=directory)
        self.skip_file = os.fdopen(fd, "w+", encoding="utf-8")
        self._texts: list[str] = []

    @property
    def n(self) -> int:
        return self.site.n

    def add(self, index: int, doc: Document) -> None:
        self.site.add(index, doc)
        self.words.append(len(doc.text.split()))
        self.keys.extend((key_hash(structure.opening_key(doc.text)),
                          key_hash(structure.closing_key(doc.text)),
                          key_hash(structure.heading_skeleton(doc.headings))))
        self.source.append(-1 if doc.source is None else self._label(doc.source))
        self.always.append(bool(self.protected(doc.doc_id, doc.path)))
        self._texts.append(doc.text)
        if len(self._texts) >= self.batch:
            self._embed()

    def skip(self, index: int, item: Skipped, *, at: int | None = None) -> None:
        """A skipped input (its record number ``index``, 0 for a file), after the ``at``
        documents read before it (default: all added so far)."""
        self.skips.add(index, item)
        self.n_skipped += 1
        self.skip_file.write(json.dumps({"at": self.n if at is None else at, "doc": item.path,
                                         "reason": item.reason, "detail": item.detail,
                                         "record": index}, ensure_ascii=False) + "\n")

    def _embed(self) -> None:
        if self._texts:
            self.store.append(self.embedder.embed(self._texts))
            self.lexical.append(LEXICAL.embed(self._texts))
            self._texts = []

    def finish(self) -> None:
        self._embed()
        self.skip_file.flush()

    def skipped_rows(self) -> Iterator[dict[str, Any]]:
        """Every skipped input, in reading order, with ``at``: the documents read before it."""
        self.skip_file.flush()
        with open(self.skip_path, encoding="utf-8") as fh:
            for line in fh:
                yield json.loads(line)

    def name(self, i: int) -> str:
        """The document's id as ingest names it (``path``, or ``path#record`` for a record)."""
        whole = self.site.whole.get(i)
        if whole is not None:
            return whole.path
        return f"{self.site.paths[self.site.file_ix[i]]}#{self.site.record[i]}"

    def arrays(self) -> dict[str, np.ndarray]:
        """The per-document columns as numpy arrays (views, no copy)."""
        return {"words": np.frombuffer(self.words, dtype=np.int32) if self.n else
                np.zeros(0, np.int32),
                "keys": (np.frombuffer(self.keys, dtype=np.int64).reshape(-1, 3) if self.n
                         else np.zeros((0, 3), np.int64)),
                "source": np.frombuffer(self.source, dtype=np.int16) if self.n else
                np.zeros(0, np.int16),
                "always": np.frombuffer(self.always, dtype=np.int8).astype(bool) if self.n
                else np.zeros(0, bool),
                "dates": np.frombuffer(self.site.dates, dtype=np.int32) if self.n else
                np.zeros(0, np.int32)}

    def part(self) -> dict[str, Any]:
        """Everything added, as plain data (what a worker of ``--engine dask`` returns for its
        partition; :meth:`add_part` appends it to another index)."""
        self.finish()
        return {"site": self.site.part(), "dim": self.store.dim, "store": self.store.raw(),
                "lexical_dim": self.lexical.dim, "lexical": self.lexical.raw(),
                "words": self.words.tobytes(), "keys": self.keys.tobytes(),
                "source": self.source.tobytes(), "labels": list(self.labels),
                "always": self.always.tobytes(),
                "skipped": [[r["at"], r["record"], r["doc"], r["reason"], r["detail"]]
                            for r in self.skipped_rows()]}

    def add_part(self, part: dict[str, Any]) -> None:
        """Append another index's :meth:`part`: the same state as if its documents and
        skipped inputs had been added here, in their order, after the ones already here."""
        self.finish()
        off = self.n
        for at, record, doc, reason, detail in part["skipped"]:
            self.skip(record, Skipped(doc, reason, detail), at=off + at)
        self.site.add_part(part["site"])
        self.store.append_raw(part["store"], part["dim"])
        self.lexical.append_raw(part["lexical"], part["lexical_dim"])
        self.words.frombytes(part["words"])
        self.keys.frombytes(part["keys"])
        self.always.frombytes(part["always"])
        remap = np.array([self._label(lab) for lab in part["labels"]] + [-1], dtype=np.int16)
        self.source.frombytes(remap[np.frombuffer(part["source"], dtype=np.int16)].tobytes())

    def _label(self, label: str) -> int:
        ix = self._label_ix.setdefault(label, len(self._label_ix))
        if ix == len(self.labels):
            self.labels.append(label)
        return ix

    def close(self) -> None:
        self.site.close()
        self.store.close()
        self.lexical.close()
        discard(self.skip_file, self.skip_path)

    def __enter__(self) -> CurateIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_corpus(root: Path, options: IngestOptions, index: CurateIndex, *,
                progress: bool = False) -> None:
    """Read every input below ``root`` (or the file ``root``) into ``index``: each document
    added, each skipped input (a file or a record) listed with its reason."""
    files = iter_files(root, options.exclude)
    for full, rel in progress_iter(files, total=len(files), description="Reading and embedding",
                                   enabled=progress):
        read_file(index, full, rel, options)
    index.finish()


def read_file(index: CurateIndex, full: Path, rel: str, options: IngestOptions,
              part: tuple[int, int, int] | None = None) -> None:
    """Every input of one file (or of its ``part``: ``ingest.partition``) added to ``index``
    or listed as skipped, in order."""
    items, _ = iter_file(full, rel, options, {}, part=part)
    for n, item in items:
        if isinstance(item, Skipped):
            index.skip(n, item)
        else:
            index.add(n, item)
