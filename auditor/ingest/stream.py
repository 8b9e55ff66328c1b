"""Streaming ingestion: a corpus read as a stream into a small, mergeable summary.

``summarise(path, options, k=...)`` reads every file once, one record at a time for record
files (see ``readers.STREAM_BYTES``), and keeps a :class:`IngestSummary`: never every document,
only

* per calendar month: the number of dated documents and a **bottom-k sample** of them;
* the skipped inputs: the first ``skip_cap`` in (path, record) order, the rest as counts per
  reason (:class:`SkipLog`); a document with an implausible date is one of them (never counted
  in a month), an undated one is listed apart (``undated``), with the reason its reader gave
  (``Document.why_undated``: the value that is not a date and the option that reads it);
* the documents cut to ``max_document_bytes`` (``cut``, a :class:`SkipLog` of notes, not of
  skips: they are analysed);
* per record file, three small arrays (a 64-bit hash of each row's body, its date, its record
  number: 20 bytes a row) so that reposts are found exactly as ``load_documents`` finds them;
* whole files (Markdown, HTML, feeds: small by nature) in full until the end, since a whole file
  may be a copy to skip, which changes the counts.

Bottom-k sampling (Cohen & Kaplan, "Summarizing data using bottom-k sketches", PODC 2007; the
"Sampling that merges" section of REFERENCE.md): every document gets a key, a seeded 64-bit hash
of its content (:func:`pool_key`), and a sample of size k is the k documents with the smallest
keys. The key depends on the document only, so the sample is the same whatever the read order
and however the rows are split into files or partitions; it is a uniform random sample without
replacement (the keys are independent uniform draws); and it merges exactly: the bottom-k of a
union is the bottom-k of the parts' bottom-ks. The key hashes the document's date and text, not
its ``doc_id``: a row's ``doc_id`` (``file.csv#N``) changes when the rows are shuffled or
re-partitioned, its content does not. Identical (date, text) documents share a key and are
ordered by ``doc_id``. Within a pool, documents are in (date, ``doc_id``) order, as before
streaming: the pool is the same set whatever the partitioning, its order among same-day
documents follows their ``doc_id``s.

Periods need the date range before any pool is chosen, and a period is a union of calendar
months (``periods.periods_from_counts`` applies the period rules to month counts), so one pass
keeps a bottom-k sample per month with k = ``max_pool``, and a period's pool is the bottom-k of
its months' samples: exactly the bottom-k of the period. Memory is O(months x k + skip_cap)
documents plus 20 bytes per row (10 million rows: 200 MB).

Observers ("sinks"): whatever else must see *every* kept document in the same pass (site-wide
near-duplicate signatures, ``auditor.app.site_duplicates``; the check's corpus index,
``auditor.index.store``) is passed as ``sinks``: objects with ``add(index, doc)``, called once
for every dated document in scope as it is counted (and for every undated one too with
``undated_to_sinks=True``: an undated corpus is still a corpus to the check), and
``merge(other)``. Ingest does not know what they compute; they merge with the summary.

Merging (for an engine that reads partitions on several workers, e.g. Dask): each worker calls
``summarise_files`` on its files (same ``seed``, ``k``, options) and the driver folds the
results with :meth:`IngestSummary.merge`, then :meth:`IngestSummary.finish` resolves copies and
reposts over the whole corpus. Every part is plain data (counts, lists of ``Document``/
``Skipped`` dataclasses, ``array`` buffers), so it serialises without pickle.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from auditor.config import IngestOptions
from auditor.errors import InputError
from auditor.ingest import iter_file, publication_order, resolve_copies
from auditor.ingest.dates import git_first_added
from auditor.ingest.readers import FORMATS, TABULAR
from auditor.ingest.walk import iter_files
from auditor.progress import plural, progress_iter
from auditor.types import Document, Skipped

SKIP_CAP = 1000  # skipped inputs listed one by one; beyond it, counts per reason


class DocumentSink(Protocol):
    """Sees every dated document in scope once, as it is counted (see the module docstring)."""

    def add(self, index: int, doc: Document) -> None: ...

    def merge(self, other: Any) -> Any: ...


def pool_key(seed: int, doc: Document) -> int:
    """The document's bottom-k key: a seeded 64-bit BLAKE2b hash of its date and text (see the
    module docstring). The same document gets the same key in every run, process and
    partition."""
    h = hashlib.blake2b(digest_size=8, key=str(seed).encode(), person=b"samey-pool")
    h.update((doc.date.isoformat() if doc.date else "").encode())
    h.update(b"\0")
    h.update(doc.text.encode("utf-8", "surrogatepass"))
    return int.from_bytes(h.digest(), "big")


def body_hash(text: str) -> int:
    """64-bit hash of a body as ``load_documents`` compares bodies (whitespace collapsed); as a
    signed int64, for numpy. Two different bodies collide with probability ~n^2 / 2^65 (10
    million rows: 3e-6)."""
    h = hashlib.blake2b(" ".join(text.split()).encode("utf-8", "surrogatepass"), digest_size=8)
    return int.from_bytes(h.digest(), "big", signed=True)


@dataclass
class BottomK:
    """The ``k`` items with the smallest ``(key, doc_id)``, of all the items offered; order-
    and partition-independent, mergeable. ``items`` holds up to 2k entries between trims."""

    k: int
    items: list[tuple[int, str, Document]] = field(default_factory=list)
    threshold: tuple[int, str] | None = None  # the k-th smallest after the last trim

    def offer(self, key: int, doc: Document) -> None:
        if self.threshold is not None and (key, doc.doc_id) >= self.threshold:
            return
        self.items.append((key, doc.doc_id, doc))
        if len(self.items) >= 2 * self.k:
            self._trim()

    def _trim(self) -> None:
        self.items.sort(key=lambda t: (t[0], t[1]))
        del self.items[self.k:]
        if len(self.items) == self.k:
            self.threshold = self.items[-1][:2]

    def merge(self, other: BottomK) -> BottomK:
        out = BottomK(self.k, self.items + other.items)
        out._trim()
        return out

    def smallest(self) -> list[tuple[int, str, Document]]:
        self._trim()
        return list(self.items)


@dataclass
class SkipLog:
    """Skipped inputs: the first ``cap`` in (path, record) order one by one (the order of
    ``load_documents``), and how many there were per reason. Mergeable and order-independent
    like :class:`BottomK`. :meth:`listed` adds, per reason with more than were kept, one entry
    ``... and N more`` saying how many more there were."""

    cap: int = SKIP_CAP
    items: list[tuple[tuple[str, int], Skipped]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    threshold: tuple[str, int] | None = None

    def add(self, index: int, s: Skipped) -> None:
        self.counts[s.reason] += 1
        order = (s.path.rsplit("#", 1)[0] if index else s.path, index)
        if self.threshold is not None and order >= self.threshold:
            return
        self.items.append((order, s))
        if len(self.items) >= 2 * self.cap:
            self._trim()

    def _trim(self) -> None:
        self.items.sort(key=lambda t: t[0])
        del self.items[self.cap:]
        if len(self.items) == self.cap:
            self.threshold = self.items[-1][0]

    def merge(self, other: SkipLog) -> SkipLog:
        out = SkipLog(self.cap, self.items + other.items, self.counts + other.counts)
        out._trim()
        return out

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def listed(self) -> list[Skipped]:
        """The kept entries, then one summary entry per reason that has more than were kept."""
        self._trim()
        out = [s for _, s in self.items]
        shown = Counter(s.reason for s in out)
        for reason in sorted(self.counts):
            more = self.counts[reason] - shown[reason]
            if more > 0:
                out.append(Skipped(f"... and {more:,} more", reason, (
                    f"{plural(more, 'more input')} skipped as '{reason}' are not listed one by "
                    f"one (the first {self.cap:,} skipped inputs are, by path); "
                    f"{self.counts[reason]:,} in all")))
        return out


@dataclass
class IngestSummary:
    """What one pass over (part of) a corpus keeps (see the module docstring)."""

    seed: int
    k: int
    root: str = "."
    # (year, month) -> [count, BottomK], a mutable pair
    months: dict[tuple[int, int], list[Any]] = field(default_factory=dict)
    skipped: SkipLog = field(default_factory=SkipLog)
    undated: SkipLog = field(default_factory=SkipLog)
    n_undated: int = 0
    # rel -> (format, body hashes int64, date ordinals int32 (0: undated), record numbers)
    rows: dict[str, tuple[str, array[int], array[int], array[int]]] = field(default_factory=dict)
    whole: list[tuple[int, Document]] = field(default_factory=list)  # until ``finish``
    files: list[tuple[int, Document]] = field(default_factory=list)  # whole files kept by it
    digests: dict[str, str] = field(default_factory=dict)
    until: dt.date | None = None
    sinks: list[DocumentSink] = field(default_factory=list)  # every counted document
    undated_to_sinks: bool = False  # the sinks see undated documents too
    cut: SkipLog = field(default_factory=SkipLog)  # analysed documents cut to the size cap

    # -- adding -------------------------------------------------------------------------
    def add(self, index: int, item: Document | Skipped, fmt: str) -> None:
        """One item of ``iter_file``: a row is counted now, a whole file kept for ``finish``."""
        if isinstance(item, Skipped):
            self.skipped.add(index, item)
        elif index and fmt in TABULAR:
            entry = self.rows.get(item.path)
            if entry is None:
                entry = self.rows[item.path] = (fmt, array("q"), array("i"), array("i"))
            entry[1].append(body_hash(item.text))
            entry[2].append(item.date.toordinal() if item.date else 0)
            entry[3].append(index)
            self.count(index, item)
        else:
            self.whole.append((index, item))

    def count(self, index: int, doc: Document) -> None:
        """Count a document that is kept (a row, or a whole file once copies are resolved)."""
        if doc.date is None:
            why = doc.why_undated
            if why is not None and why.reason != "undated":  # an implausible date: skipped
                self.skipped.add(index, why)
                return
            self.n_undated += 1
            self.undated.add(index, undated_skip(doc))
            if self.undated_to_sinks:
                for sink in self.sinks:
                    sink.add(index, doc)
            return
        if self.until is not None and doc.date > self.until:
            return
        if doc.truncated:
            self.cut.add(index, Skipped(doc.doc_id, "cut", "longer than max_document_bytes "
                                        "([ingest] in samey.toml): only its first part was "
                                        "analysed"))
        month = self.months.get((doc.date.year, doc.date.month))
        if month is None:
            month = self.months[(doc.date.year, doc.date.month)] = [0, BottomK(self.k)]
        month[0] += 1
        month[1].offer(pool_key(self.seed, doc), doc)
        for sink in self.sinks:
            sink.add(index, doc)

    # -- merging ------------------------------------------------------------------------
    def merge(self, other: IngestSummary) -> IngestSummary:
        """The summary of both parts (same seed, k and options; disjoint files)."""
        if (self.seed, self.k, self.until) != (other.seed, other.k, other.until):
            raise ValueError("summaries of different seeds, pool sizes or cut-off dates")
        months: dict[tuple[int, int], list[Any]] = {}
        for key in self.months.keys() | other.months.keys():
            a, b = self.months.get(key), other.months.get(key)
            if a and b:
                months[key] = [a[0] + b[0], a[1].merge(b[1])]
            else:
                months[key] = list(a or other.months[key])
        rows = dict(self.rows)
        for rel, (fmt, h, dates, idx) in other.rows.items():  # parts of one file: concatenated
            if rel in rows:
                mine = rows[rel]
                rows[rel] = (fmt, mine[1] + h, mine[2] + dates, mine[3] + idx)
            else:
                rows[rel] = (fmt, h, dates, idx)
        return IngestSummary(
            self.seed, self.k, self.root, months, self.skipped.merge(other.skipped),
            self.undated.merge(other.undated), self.n_undated + other.n_undated,
            rows, self.whole + other.whole, self.files + other.files,
            {**self.digests, **other.digests}, self.until,
            [a.merge(b) for a, b in zip(self.sinks, other.sinks, strict=True)],
            self.undated_to_sinks, cut=self.cut.merge(other.cut))

    # -- finishing ----------------------------------------------------------------------
    def finish(self) -> IngestSummary:
        """Resolve the whole files (copies skipped, reposts marked, against rows too) and count
        them; idempotent."""
        if not self.whole:
            return self
        whole, self.whole = self.whole, []
        wanted = {body_hash(d.text): d for _, d in whole}
        stand_ins = [(n, dataclasses.replace(doc, text=wanted[h].text))
                     for n, doc, h in self._rows_with(wanted)]
        resolved = resolve_copies(whole + stand_ins, self.digests)
        for index, doc in whole:
            item = resolved[doc.doc_id]
            if isinstance(item, Skipped):
                self.skipped.add(index, item)
            else:
                self.count(index, item)
                self.files.append((index, item))  # a possible original of a row's repost
        return self

    def _rows_with(self, hashes: Iterable[int]) -> list[tuple[int, Document, int]]:
        """Stand-in documents (id, path, date, format; no text) for the rows whose body hash is
        in ``hashes``."""
        want = np.fromiter(hashes, dtype=np.int64)
        out: list[tuple[int, Document, int]] = []
        if not len(want):
            return out
        for rel, (fmt, h, dates, idx) in self.rows.items():
            hit = np.flatnonzero(np.isin(np.frombuffer(h, dtype=np.int64), want))
            for j in hit:
                d = int(dates[j])
                out.append((int(idx[j]), Document(
                    f"{rel}#{int(idx[j])}", rel, "", date=dt.date.fromordinal(d) if d else None,
                    fmt=fmt), int(h[j])))
        return out

    # -- plain data ---------------------------------------------------------------------
    def to_plain(self) -> dict[str, Any]:
        """The summary as plain data only (dicts with string keys, lists, str, int, bytes,
        ``None``), for an engine to send between machines with a data-only codec (msgpack,
        JSON) instead of pickle: nothing in it names a class or code. Pools and skip lists are
        trimmed first (bottom-k: at most k documents a month)."""
        return {
            "seed": self.seed, "k": self.k, "root": self.root,
            "until": self.until.toordinal() if self.until else None,
            "months": [[y, m, n, [[key, doc_plain(d)] for key, _, d in pool.smallest()]]
                       for (y, m), (n, pool) in sorted(self.months.items())],
            "skipped": _skips_plain(self.skipped), "undated": _skips_plain(self.undated),
            "n_undated": self.n_undated,
            "rows": {rel: [fmt, h.tobytes(), d.tobytes(), i.tobytes()]
                     for rel, (fmt, h, d, i) in self.rows.items()},
            "whole": [[n, doc_plain(d)] for n, d in self.whole],
            "files": [[n, doc_plain(d)] for n, d in self.files],
            "digests": dict(self.digests), "cut": _skips_plain(self.cut),
        }

    @classmethod
    def from_plain(cls, data: dict[str, Any]) -> IngestSummary:
        """The inverse of :meth:`to_plain`."""
        k = data["k"]
        months = {}
        for y, m, n, items in data["months"]:
            docs = [(key, doc_from_plain(d)) for key, d in items]
            months[(y, m)] = [n, BottomK(k, [(key, d.doc_id, d) for key, d in docs])]
        rows = {}
        for rel, (fmt, h, d, i) in data["rows"].items():
            a, b, c = array("q"), array("i"), array("i")
            a.frombytes(h)
            b.frombytes(d)
            c.frombytes(i)
            rows[rel] = (fmt, a, b, c)
        until = data["until"]
        return cls(data["seed"], k, data["root"], months, _skips_from(data["skipped"]),
                   _skips_from(data["undated"]), data["n_undated"], rows,
                   [(n, doc_from_plain(d)) for n, d in data["whole"]],
                   [(n, doc_from_plain(d)) for n, d in data["files"]], dict(data["digests"]),
                   dt.date.fromordinal(until) if until else None,
                   cut=_skips_from(data["cut"]) if "cut" in data else SkipLog())

    def release(self) -> None:
        """Drop the per-row hashes (20 bytes a row) once reposts are resolved: counts, pools,
        skips and whole files stay."""
        self.rows = {}

    def month_counts(self) -> dict[tuple[int, int], int]:
        return {m: v[0] for m, v in self.months.items()}

    @property
    def n_dated(self) -> int:
        return sum(v[0] for v in self.months.values())

    def pool(self, months: Sequence[tuple[int, int]]) -> list[Document]:
        """The bottom-k of the union of ``months`` (exactly the bottom-k of the period they
        make), in (date, doc_id) order."""
        merged = BottomK(self.k)
        for m in months:
            if m in self.months:
                merged = merged.merge(self.months[m][1])
        return sorted((d for _, _, d in merged.smallest()), key=lambda d: (d.date, d.doc_id))

    def reposts(self, docs: Sequence[Document], options: IngestOptions) -> tuple[
            list[Document], dict[str, Document]]:
        """``docs`` with ``repost_of`` set for rows that republish an earlier body (the rule of
        ``load_documents``), and the originals they repeat (``doc_id`` -> Document; an
        original that is not among ``docs`` is read again from its file)."""
        whole = self.files
        rows = {d.doc_id: body_hash(d.text) for d in docs
                if d.fmt in TABULAR and "#" in d.doc_id and d.path in self.rows}
        hashes = set(rows.values())
        group: dict[int, list[tuple[int, Document]]] = {}
        for n, doc, h in self._rows_with(hashes):
            group.setdefault(h, []).append((n, doc))
        for n, doc in whole:
            h = body_hash(doc.text)
            if h in hashes:
                group.setdefault(h, []).append((n, doc))
        first = {h: min(g, key=lambda item: publication_order(*item))[1] for h, g in group.items()}
        out = []
        for d in docs:
            orig = first.get(rows[d.doc_id]) if d.doc_id in rows else None
            if orig is not None and orig.doc_id != d.doc_id and d.date is not None \
                    and orig.date is not None and d.date > orig.date:
                d = dataclasses.replace(d, repost_of=orig.doc_id)
            out.append(d)
        wanted = {d.repost_of for d in out if d.repost_of}
        known = {d.doc_id: d for d in [*docs, *(doc for _, doc in whole)] if d.doc_id in wanted}
        missing: dict[str, set[int]] = {}
        for doc_id in wanted - set(known):
            rel, _, number = doc_id.rpartition("#")
            missing.setdefault(rel, set()).add(int(number))
        root = Path(self.root)
        for rel, numbers in sorted(missing.items()):
            full = root / rel if root.is_dir() else root
            items, _ = iter_file(full, rel, options, {}, wanted=numbers)
            for _, item in items:
                if isinstance(item, Document) and item.doc_id in wanted:
                    known[item.doc_id] = item
        return out, known


def doc_plain(d: Document) -> list[Any]:
    """A document as plain data (a list of str, int, lists, ``None``); :func:`doc_from_plain`
    inverts it."""
    why = d.why_undated
    return [d.doc_id, d.path, d.text, d.title, d.date.toordinal() if d.date else None,
            d.date_source, list(d.segments), [[lv, h] for lv, h in d.headings], d.fmt,
            d.repost_of, d.truncated,
            None if why is None else [why.path, why.reason, why.detail], d.source]


def doc_from_plain(x: list[Any]) -> Document:
    doc_id, path, text, title, date, source, segments, headings, fmt, repost_of = x[:10]
    # not a threshold: serialisation versions
    truncated, why = (x[10], x[11]) if len(x) > 10 else (False, None)
    # not a threshold: a serialisation version
    by = x[12] if len(x) > 12 else None
    return Document(doc_id, path, text, title, dt.date.fromordinal(date) if date else None,
                    source, tuple(segments), tuple((lv, h) for lv, h in headings), fmt, repost_of,
                    bool(truncated), None if why is None else Skipped(*why), by)


def _skips_plain(log: SkipLog) -> list[Any]:
    log._trim()
    return [log.cap, [[p, i, s.path, s.reason, s.detail] for (p, i), s in log.items],
            dict(log.counts)]


def _skips_from(x: list[Any]) -> SkipLog:
    cap, items, counts = x
    out = SkipLog(cap, [((p, i), Skipped(path, reason, detail))
                        for p, i, path, reason, detail in items], Counter(counts))
    out._trim()
    return out


UNDATED = ("no date in front matter, record field or file name; add one, or pass --date-from "
           "git or --date-from mtime")


def undated_skip(doc: Document) -> Skipped:
    """The ``undated`` entry of a document: its reader's reason when it gave one."""
    if doc.why_undated is not None:
        return doc.why_undated
    return Skipped(doc.doc_id, "undated", UNDATED)


def summarise_files(root: Path,
                    files: Sequence[tuple[Path, str] | tuple[Path, str, Sequence[int] | None]],
                    options: IngestOptions, *,
                    seed: int, k: int, until: dt.date | None = None,
                    skip_cap: int = SKIP_CAP, progress: bool = False,
                    sinks: Sequence[DocumentSink] = (),
                    undated_to_sinks: bool = False) -> IngestSummary:
    """The summary of these files (``(absolute path, path relative to the root)``, or
    ``(absolute path, relative path, part)`` for one part of a large file: see
    ``ingest.partition``), not yet finished: one partition's part, to
    :meth:`IngestSummary.merge` with the others."""
    summary = IngestSummary(seed, k, str(root), skipped=SkipLog(skip_cap),
                            undated=SkipLog(skip_cap), until=until, sinks=list(sinks),
                            undated_to_sinks=undated_to_sinks, cut=SkipLog(skip_cap))
    git_dates: dict[str, Any] = {}
    if options.date_from == "git":
        git_dates = git_first_added(root if root.is_dir() else root.parent,
                                    list(dict.fromkeys(f[1] for f in files)))
    for full, rel, *part in progress_iter(files, total=len(files), description="Reading files",
                                          enabled=progress):
        fmt = FORMATS.get(full.suffix.lower(), "")
        span = part[0] if part else None  # (start, stop, first record), a list as plain data
        items, digest = iter_file(full, rel, options, git_dates,
                                  part=(span[0], span[1], span[2]) if span else None)
        if digest is not None and fmt not in TABULAR:  # only whole files' copies name digests
            summary.digests[rel] = digest
        for index, item in items:
            summary.add(index, item, fmt)
    return summary


def summarise(path: str | Path, options: IngestOptions | None = None, *, seed: int = 0,
              k: int = 1000, until: dt.date | None = None, skip_cap: int = SKIP_CAP,
              progress: bool = False, sinks: Sequence[DocumentSink] = (),
              undated_to_sinks: bool = False) -> IngestSummary:
    """Read the folder (or file) ``path`` as a stream into a finished :class:`IngestSummary`.

    ``sinks`` see every dated document in scope as it is counted, and every undated one too
    with ``undated_to_sinks`` (see the module docstring).

    Raises InputError when ``path`` does not exist; a bad file or row is skipped, never raised.
    """
    options = options or IngestOptions()
    root = Path(path)
    if not root.exists():
        raise InputError(f"{path}: no such file or folder; check the path and pass the folder "
                         "(or file) that holds your content.")
    summary = summarise_files(root, iter_files(root, options.exclude), options, seed=seed, k=k,
                              until=until, skip_cap=skip_cap, progress=progress, sinks=sinks,
                              undated_to_sinks=undated_to_sinks)
    return summary.finish()
