"""Site-wide near-duplicate families (the Siteliner / Screaming Frog duplicate audit), built in
the same single ingest pass as the period pools.

Why one pass, not a second one over the files: the ingest already reads and parses every
document once (counting it, offering it to its month's bottom-k pool); a second pass would
read and parse the whole corpus again (for CSV/Parquet exports, most of an audit's reading
time). So :class:`SiteIndex` is a sink of the stream (``auditor.ingest.stream.DocumentSink``):
every dated document in scope is tokenized (:func:`auditor.features.tokens.plain_words`, a
regular expression: spaCy over every document would cost more than the rest of the audit),
given its MinHash signature (:func:`auditor.metrics.duplication.minhash_signatures`, word
5-gram shingles, 128 permutations, the same as the pools') and its shingle sketch (the 256
smallest shingle hashes, :func:`~auditor.metrics.duplication.shingle_sketches`) in batches of
4,096 documents, and banded (:class:`auditor.metrics.families.BandIndex`, 16 bands x 8 rows, so
that families are found whole: see ``metrics.families``). No text is kept.

What stays per document:

* in memory, 92 bytes: the id (8) and 16 band keys (64, folded to 32 bits) in the band index,
  a reference of three int32s (file, record number, date) and the end of its sketch (8);
* on disk, 512 bytes and 4 a shingle (at most 1 KB): the signature (128 x uint32) and the
  sketch, appended to temporary files in id order and read back (positioned reads) only for
  the documents that share a band bucket with another, to verify candidate pairs (the sketch
  only for pairs estimated between 0.7 and 0.8). The files are deleted when the index is
  closed.

A million documents: about 92 MB of memory and 0.7-1.5 GB of temporary disk. Whole files
(Markdown, HTML, feed items: held in memory by the ingest anyway) keep their
``DocRef``; rows of exports are named again after the families are known, by re-reading only
the records shown (``iter_file(..., wanted=...)``).

Merging: two partitions' indexes merge (:meth:`SiteIndex.merge`: ids of the second offset by
the first's count, file numbers remapped, band tables concatenated, signature files chained),
so an engine can build one per partition and fold them, as it folds the ingest summaries.
"""
from __future__ import annotations

import bisect
import datetime as dt
import os
import tempfile
from array import array
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from auditor.config import IngestOptions
from auditor.features.tokens import plain_words
from auditor.ingest import iter_file
from auditor.judge.thresholds import FAMILY_RECHECK_FROM
from auditor.metrics import duplication
from auditor.metrics.families import SITE_BANDS, SITE_ROWS, BandIndex, verified_families
from auditor.results import DocRef, SiteDuplicates, SiteFamily
from auditor.types import Document, Period

BATCH = 4096        # documents per vectorised MinHash batch
TOP_FAMILIES = 10   # families listed in the result
TOP_MEMBERS = 10    # members listed per family
METHOD = (f"MinHash LSH over every dated document: word {duplication.SHINGLE_SIZE}-gram "
          f"shingles, {duplication.NUM_PERM} permutations, {SITE_BANDS} bands x {SITE_ROWS} "
          f"rows, pairs verified at Jaccard >= {duplication.DUP_THRESHOLD} (estimated; pairs "
          f"estimated from {FAMILY_RECHECK_FROM} checked on their shingle sets), families by "
          "union-find")


class _SignatureFile:
    """Signatures appended in id order to a temporary file, and beside them each document's
    shingle sketch (``duplication.shingle_sketches``: variable length, in a second file, its
    end offsets in memory, 8 bytes a document); rows read back by id."""

    def __init__(self, num_perm: int, directory: str | None = None) -> None:
        fd, self.path = tempfile.mkstemp(prefix="samey-minhash-", suffix=".u32", dir=directory)
        self.file = os.fdopen(fd, "w+b")
        fd, self.sketch_path = tempfile.mkstemp(prefix="samey-sketch-", suffix=".u32",
                                                dir=directory)
        self.sketch_file = os.fdopen(fd, "w+b")
        self.ends = array("q")
        self.num_perm = num_perm
        self.rows = 0

    def append(self, sig: np.ndarray, sketches: tuple[np.ndarray, np.ndarray]) -> None:
        values, offsets = sketches
        start = self.ends[-1] if self.ends else 0
        self.file.write(np.ascontiguousarray(sig, dtype=np.uint32).tobytes())
        self.sketch_file.write(np.ascontiguousarray(values, dtype=np.uint32).tobytes())
        self.ends.frombytes((np.asarray(offsets[1:], dtype=np.int64) + start).tobytes())
        self.rows += len(sig)

    def read(self, local_ids: np.ndarray) -> np.ndarray:
        """Rows by positioned reads (``os.pread``), not a memory map: mapped pages count as
        resident memory, and the kernel maps pages around each one touched, so scattered
        reads of a memmap would page in most of the file."""
        self.file.flush()
        fd, row = self.file.fileno(), self.num_perm * 4
        buf = b"".join(os.pread(fd, row, int(i) * row) for i in local_ids)
        return np.frombuffer(buf, dtype=np.uint32).reshape(len(local_ids), self.num_perm)

    def sketches(self, local_ids: np.ndarray) -> list[np.ndarray]:
        """The shingle sketches of these rows (positioned reads)."""
        self.sketch_file.flush()
        fd = self.sketch_file.fileno()
        out = []
        for i in local_ids:
            lo = self.ends[int(i) - 1] if i else 0
            size = self.ends[int(i)] - lo
            out.append(np.frombuffer(os.pread(fd, 4 * size, 4 * lo), dtype=np.uint32))
        return out

    def raw(self) -> tuple[bytes, bytes, bytes]:
        """Signatures, sketch values and sketch end offsets, as bytes (an engine's part)."""
        for f in (self.file, self.sketch_file):
            f.flush()
        return (Path(self.path).read_bytes(), Path(self.sketch_path).read_bytes(),
                self.ends.tobytes())

    def close(self) -> None:
        for f, path in ((self.file, self.path), (self.sketch_file, self.sketch_path)):
            if not f.closed:
                f.close()
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass


def recheck_with(sketches_of: Callable[[np.ndarray], Sequence[np.ndarray]]
                 ) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """The second verification of borderline pairs (``verified_families``' ``recheck``):
    ``sketches_of(ids) -> list of sketches``; a pair is accepted when the Jaccard of its
    sketches (exact for short texts) reaches the threshold."""
    def recheck(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ids = np.unique(np.r_[a, b])
        sk = dict(zip(ids.tolist(), sketches_of(ids)))
        return np.array([duplication.sketch_jaccard(sk[int(x)], sk[int(y)])
                         >= duplication.DUP_THRESHOLD for x, y in zip(a, b)], dtype=bool)
    return recheck


class SiteIndex:
    """Sink of the ingest stream collecting what site-wide families need (module docstring).

    ``add(index, doc)`` per document; :meth:`families` once every document was added;
    :meth:`close` deletes the temporary signature file (also a context manager).
    """

    def __init__(self, *, batch: int = BATCH, directory: str | None = None) -> None:
        self.batch = batch
        self.directory = directory
        self.index = BandIndex(SITE_BANDS, SITE_ROWS)
        self.n = 0
        self.paths: list[str] = []
        self._path_ix: dict[str, int] = {}
        self.file_ix = array("i")
        self.record = array("i")
        self.dates = array("i")  # date ordinals
        self.whole: dict[int, DocRef] = {}  # id -> ref of a whole-file document
        self._pending: list[list[str]] = []
        self._first_pending = 0
        self._segments: list[tuple[int, _SignatureFile]] = []  # (first id, file)
        self.found: list[list[int]] | None = None  # families found elsewhere (an engine)

    # -- adding -----------------------------------------------------------------------
    def add(self, index: int, doc: Document) -> None:
        ix = self._path_ix.get(doc.path)
        if ix is None:
            ix = self._path_ix[doc.path] = len(self.paths)
            self.paths.append(doc.path)
        self.file_ix.append(ix)
        self.record.append(int(index))
        self.dates.append(doc.date.toordinal() if doc.date else 0)
        if not index:
            self.whole[self.n] = DocRef(doc.doc_id, doc.title,
                                        doc.date.isoformat() if doc.date else None)
        if not self._pending:
            self._first_pending = self.n
        self._pending.append(plain_words(doc.text))
        self.n += 1
        if len(self._pending) >= self.batch:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        sig, sketches = duplication.signatures_and_sketches(
            self._pending, shingle_size=duplication.SHINGLE_SIZE, num_perm=duplication.NUM_PERM)
        first = self._first_pending
        self._pending = []
        self._store_at(first).append(sig, sketches)
        self.index.add(np.arange(first, first + len(sig)), sig)

    def _store_at(self, first: int) -> _SignatureFile:
        """The signature file that continues with id ``first`` (a new one when the last does
        not end there: after a merge)."""
        if not self._segments or self._segments[-1][0] + self._segments[-1][1].rows != first:
            self._segments.append((first, _SignatureFile(duplication.NUM_PERM, self.directory)))
        return self._segments[-1][1]

    def merge(self, other: SiteIndex) -> SiteIndex:
        """This index followed by ``other`` (ids of ``other`` offset by ``self.n``); both are
        consumed."""
        self._flush()
        other._flush()
        off = self.add_refs(other.refs())
        for first, store in other._segments:
            self._segments.append((first + off, store))
        self.index = self.index.merge(other.index.shifted(off))
        other._segments = []
        return self

    # -- as plain data (an engine's partitions) ----------------------------------------
    def part(self) -> dict[str, Any]:
        """Everything added, as plain data: the references (``refs``: paths, file numbers,
        record numbers, dates, whole-file documents), the band index (``ids``, ``keys``) and
        every signature (``sig``, 512 bytes a document) and shingle sketch (``sketch``, with
        ``sketch_ends``). What a worker keeps of its partition until the families are found."""
        self._flush()
        sig, values, ends, base = [], [], [], 0
        for _, store in self._segments:  # the files' bytes, one copy
            s, v, e = store.raw()
            sig.append(s)
            values.append(v)
            ends.append((np.frombuffer(e, dtype=np.int64) + base).tobytes())
            base += len(v) // 4
        return {"refs": self.refs(), "ids": self.index.ids.tobytes(),
                "keys": self.index.keys.tobytes(), "sig": b"".join(sig),
                "sketch": b"".join(values), "sketch_ends": b"".join(ends)}

    def refs(self) -> dict[str, Any]:
        """The references alone, as plain data (``add_refs`` takes them)."""
        return {"n": self.n, "paths": list(self.paths), "file_ix": self.file_ix.tobytes(),
                "record": self.record.tobytes(), "dates": self.dates.tobytes(),
                "whole": [[i, r.path, r.title, r.date] for i, r in sorted(self.whole.items())]}

    def add_refs(self, refs: dict[str, Any]) -> int:
        """Append the documents of another index by reference only (no band keys, no
        signatures: their families are found elsewhere and set in ``found``). Returns the id
        of the first one."""
        off = self.n
        remap = np.array([self._path_ix.setdefault(p, len(self._path_ix))
                          for p in refs["paths"]], dtype=np.int32)
        self.paths = list(self._path_ix)
        if refs["n"]:
            self.file_ix.frombytes(remap[np.frombuffer(refs["file_ix"], np.int32)].tobytes())
            self.record.frombytes(refs["record"])
            self.dates.frombytes(refs["dates"])
        self.whole.update({off + i: DocRef(d, t, day) for i, d, t, day in refs["whole"]})
        self.n += refs["n"]
        return off

    def add_part(self, part: dict[str, Any]) -> int:
        """Append another index's :meth:`part` whole (references, band keys, signatures and
        sketches; its ids offset by ``self.n``), so that :meth:`families` finds the families
        across both, as if every document had been added here. Returns the first id."""
        self._flush()
        off = self.add_refs(part["refs"])
        if part["refs"]["n"]:
            ends = np.frombuffer(part["sketch_ends"], dtype=np.int64)
            self._store_at(off).append(
                np.frombuffer(part["sig"], dtype=np.uint32).reshape(len(ends), -1),
                (np.frombuffer(part["sketch"], dtype=np.uint32), np.r_[0, ends]))
            ids = np.frombuffer(part["ids"], dtype=np.int64)
            keys = np.frombuffer(part["keys"], dtype=np.uint32).reshape(len(ids), SITE_BANDS)
            self.index = self.index.merge(BandIndex(SITE_BANDS, SITE_ROWS, [ids + off],
                                                    [keys.copy()]))
        return off

    # -- reading ----------------------------------------------------------------------
    def signatures(self, ids: np.ndarray) -> np.ndarray:
        """Signatures of these ids (rows in the order given)."""
        ids = np.asarray(ids, dtype=np.int64)
        out = np.empty((len(ids), duplication.NUM_PERM), dtype=np.uint32)
        for m, first, store in self._by_segment(ids):
            out[m] = store.read(ids[m] - first)
        return out

    def sketches(self, ids: np.ndarray) -> list[np.ndarray]:
        """Shingle sketches of these ids (in the order given)."""
        ids = np.asarray(ids, dtype=np.int64)
        out: list[np.ndarray] = [np.zeros(0, np.uint32)] * len(ids)
        for m, first, store in self._by_segment(ids):
            for i, sk in zip(np.flatnonzero(m), store.sketches(ids[m] - first)):
                out[int(i)] = sk
        return out

    def _by_segment(self, ids: np.ndarray) -> Iterator[tuple[np.ndarray, int, _SignatureFile]]:
        firsts = [f for f, _ in self._segments]
        seg = np.searchsorted(firsts, ids, side="right") - 1
        for s in np.unique(seg):
            first, store = self._segments[int(s)]
            yield seg == s, first, store

    def families(self, *, threshold: float = duplication.DUP_THRESHOLD) -> list[list[int]]:
        """Verified near-duplicate families of every document added (ids); ``found`` when
        an engine set it."""
        if self.found is not None:
            return self.found
        self._flush()
        return verified_families(self.index.buckets(), self.signatures, threshold=threshold,
                                 num_perm=duplication.NUM_PERM,
                                 recheck=recheck_with(self.sketches),
                                 recheck_from=FAMILY_RECHECK_FROM)

    @property
    def memory_bytes(self) -> int:
        """Bytes held in memory per the design (band index and references)."""
        return (self.index.nbytes + 4 * (len(self.file_ix) + len(self.record) + len(self.dates))
                + sum(8 * len(store.ends) for _, store in self._segments))

    def close(self) -> None:
        """Delete the temporary signature files and drop the band index and references (the
        families cannot be found after this); idempotent."""
        for _, store in self._segments:
            store.close()
        self._segments = []
        self.index = BandIndex(SITE_BANDS, SITE_ROWS)
        self.file_ix, self.record, self.dates = array("i"), array("i"), array("i")

    def __enter__(self) -> SiteIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _labeller(periods: Sequence[Period]) -> Callable[[int], str | None]:
    starts = [p.start.toordinal() for p in periods]

    def label(ordinal: int) -> str | None:
        i = bisect.bisect_right(starts, ordinal) - 1
        if i < 0 or not ordinal or ordinal > periods[i].end.toordinal():
            return None
        return periods[i].label
    return label


def reread(site: SiteIndex, ids: Sequence[int], root: Path,
           options: IngestOptions) -> dict[int, Document]:
    """The documents ``ids`` of the index, read again from their files: only the files that
    hold them, and of a streamed record file only the wanted records."""
    wanted: dict[int, dict[int, int]] = {}  # file -> record -> id
    for i in ids:
        wanted.setdefault(site.file_ix[i], {})[site.record[i]] = int(i)
    out: dict[int, Document] = {}
    for f, records in sorted(wanted.items()):
        rel = site.paths[f]
        full = root / rel if root.is_dir() else root
        items, _ = iter_file(full, rel, options, {}, wanted=set(records))
        for n, item in items:
            if isinstance(item, Document) and n in records:
                out[records[n]] = item
    return out


def _row_refs(site: SiteIndex, ids: Sequence[int], root: Path,
              options: IngestOptions) -> dict[int, DocRef]:
    """DocRefs of rows, by reading again only their records."""
    out = {i: DocRef(d.doc_id, d.title, d.date.isoformat() if d.date else None)
           for i, d in reread(site, ids, root, options).items()}
    for i in ids:  # a row that cannot be read again: named by its id
        if i not in out:
            d = site.dates[i]
            out[i] = DocRef(f"{site.paths[site.file_ix[i]]}#{site.record[i]}", None,
                            dt.date.fromordinal(d).isoformat() if d else None)
    return out


def site_duplicates(site: SiteIndex, periods: Sequence[Period], *, root: Path,
                    options: IngestOptions, top: int = TOP_FAMILIES,
                    members: int = TOP_MEMBERS) -> SiteDuplicates:
    """The duplicate audit of every document the index saw: counts, the ``top`` largest
    families (each with up to ``members`` members, oldest first) and the periods they span."""
    fams = site.families()
    in_families = sum(len(f) for f in fams)
    dates = np.frombuffer(site.dates, dtype=np.int32) if site.n else np.zeros(0, np.int32)
    label = _labeller(sorted(periods, key=lambda p: p.start))

    def order(i: int) -> tuple[int, str, int]:  # publication order, whatever the read order
        return (int(dates[i]), site.paths[site.file_ix[i]], site.record[i])

    # largest first, ties by the oldest member: the same families whatever the read order
    ranked = sorted(fams, key=lambda f: (-len(f), min(map(order, f))))
    shown = [sorted(f, key=order) for f in ranked[:top]]
    want = [i for f in shown for i in f[:members]]
    refs = {i: site.whole[i] for i in want if i in site.whole}
    refs.update(_row_refs(site, [i for i in want if i not in refs], root, options))
    largest = []
    for f in shown:
        ords = dates[f]
        labels = sorted({lab for lab in map(label, ords.tolist()) if lab is not None},
                        key=lambda lab: next(p.start for p in periods if p.label == lab))
        first, last = int(ords.min()), int(ords.max())
        largest.append(SiteFamily(
            size=len(f), periods=labels,
            first_date=dt.date.fromordinal(first).isoformat() if first else None,
            last_date=dt.date.fromordinal(last).isoformat() if last else None,
            documents=[refs[i] for i in f[:members]]))
    return SiteDuplicates(documents=site.n, in_families=in_families,
                          share=in_families / site.n if site.n else float("nan"),
                          families=len(fams), largest=largest, method=METHOD)
