"""Partitions of a corpus for an engine that reads it on several workers (``--engine dask``).

A **partition** is a list of ``(relative path, part)``: whole files (``part`` ``None``), or one
part of a large file: a byte range of a CSV/TSV/JSON Lines file, or a run of row groups of a
Parquet file, as ``(start, stop, first record number)``. Each worker gives its partitions to
:func:`summarise_partition`, which is ``stream.summarise_files`` (the local engine's code) plus
:meth:`IngestSummary.to_plain`; the summaries merge exactly (bottom-k pools, counts, skips, row
hashes), so the audit is the same whatever the partitioning.

Splitting a large file keeps every record's number (``file.csv#N``), hence every ``doc_id``, as
a local read gives it. Planning takes three steps, the first and last run on the workers:

1. :func:`scan_chunk` reads a fixed byte chunk and returns how many ``"`` it holds and where its
   first newline is at even and at odd quote parity (JSON Lines: its first newline);
2. the planner knows the parity at each chunk's start (the running count of quotes) and cuts
   after the first newline outside quotes: a record boundary (RFC 4180 CSV: a quoted field
   doubles its quotes, so a newline is outside quotes when the quotes before it are even);
3. :func:`count_range` parses each range (``csv`` with ``strict=True``) and counts its records,
   so the first record number of each range is known. A range that does not parse cleanly
   (a stray quote in an unquoted cell made the parity wrong, a decoding error) makes the whole
   file one partition, read exactly as the local engine reads it.

Only files the local engine streams (``readers.STREAM_BYTES``) and that are larger than the
partition size are split, and only when their header (or JSON Lines fields) is usable, so that
file-level skips are reported once. Every value here is plain data (str, int, tuples).
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from auditor.config import IngestOptions
from auditor.ingest.parquet import hive_partitions
from auditor.ingest.readers import FORMATS, READER_BY_FORMAT
from auditor.ingest.stream import SKIP_CAP, DocumentSink, summarise_files
from auditor.ingest.tabular import file_head, open_range, resolve_fields
from auditor.types import Skipped

PART_BYTES = 64 * 2**20   # target bytes per partition (a split file's parts, groups of files)
SCAN_BLOCK = 4 * 2**20    # bytes read at a time by scan_chunk (bounded memory)

Part = tuple[int, int, int]                 # (start, stop, first record number)
Partition = list[tuple[str, "Part | None"]]  # (relative path, part or None for the whole file)
Mapper = Callable[[Callable[..., Any], Sequence[Any]], Iterable[Any]]  # map(function, jobs)


def full_path(root: str | Path, rel: str) -> Path:
    """The file ``rel`` of the corpus at ``root`` (a folder, or the single file itself)."""
    root = Path(root)
    return root / rel if root.is_dir() else root


# ---------------------------------------------------------------- step 1 and 3 (workers)

def scan_chunk(path: str, fmt: str, start: int, stop: int) -> tuple[int, int, int]:
    """``(quotes, first newline at even parity, first at odd parity)`` of the bytes
    ``[start, stop)``, positions relative to ``start`` (``-1``: none). Parity counts the
    quotes of the chunk before the newline. JSON Lines: no quotes counted (a JSON string holds
    no raw newline), the first newline at even parity."""
    import numpy as np

    quotes, first = 0, [-1, -1]
    with open(path, "rb") as f:
        f.seek(start)
        pos = start
        while pos < stop:
            block = np.frombuffer(f.read(min(SCAN_BLOCK, stop - pos)), dtype=np.uint8)
            if not len(block):
                break
            nl = np.flatnonzero(block == 10)
            if fmt == "jsonl":
                if first[0] < 0 and len(nl):
                    first[0] = pos - start + int(nl[0])
                    break
            else:
                q = np.cumsum(block == 34, dtype=np.int64)
                if len(nl):
                    par = (q[nl] + quotes) & 1
                    for p in (0, 1):
                        if first[p] < 0 and (hit := np.flatnonzero(par == p)).size:
                            first[p] = pos - start + int(nl[hit[0]])
                quotes += int(q[-1])
            pos += len(block)
    return quotes, first[0], first[1]


def count_range(path: str, fmt: str, start: int, stop: int) -> tuple[int, bool]:
    """``(records, clean)`` of the bytes ``[start, stop)``: the records a local read numbers
    there (CSV/TSV: non-empty rows, less the header at the file's start; JSON Lines: lines), and
    whether they parse cleanly (strict CSV, utf-8) up to the range's end."""
    newline = "" if fmt in ("csv", "tsv") else None
    n = 0
    try:
        with open_range(Path(path), start, stop, newline) as handle:
            if fmt == "jsonl":
                return sum(1 for _ in handle), True
            old = csv.field_size_limit(2**31 - 1)
            try:
                reader = csv.reader(handle, delimiter="\t" if fmt == "tsv" else ",",
                                    strict=True)
                if start == 0:
                    next(reader, None)  # the header
                n = sum(1 for row in reader if row)
            finally:
                csv.field_size_limit(old)
    except (csv.Error, UnicodeDecodeError, OSError):
        return n, False
    return n, True


def summarise_partition(root: str, partition: Sequence[tuple[str, Part | None]],
                        options: dict[str, Any], *, seed: int, k: int,
                        until: int | None = None, skip_cap: int = SKIP_CAP,
                        sinks: Sequence[DocumentSink] = ()) -> dict[str, Any]:
    """One partition's summary as plain data (:meth:`IngestSummary.to_plain`), computed by
    ``stream.summarise_files``, the local engine's code. ``options``: ``IngestOptions`` as a
    dict; ``until``: a date ordinal. Every argument and the result are plain data.
    ``sinks`` see every document counted here (the rows; whole files are counted when the
    merged summary is finished, on the driver)."""
    files = [(full_path(root, rel), rel, part) for rel, part in partition]
    summary = summarise_files(Path(root), files, IngestOptions(**options), seed=seed, k=k,
                              until=dt.date.fromordinal(until) if until else None,
                              skip_cap=skip_cap, sinks=sinks)
    return summary.to_plain()


def options_plain(options: IngestOptions) -> dict[str, Any]:
    return dataclasses.asdict(options)


# ---------------------------------------------------------------- planning (driver)

def _splittable(full: Path, rel: str, fmt: str, options: IngestOptions) -> bool:
    """Whether the header / fields of this record file are usable (else it is skipped as a
    whole, once, by a single partition)."""
    try:
        head = file_head(full, fmt)
    except (OSError, UnicodeDecodeError, csv.Error):
        return False
    if fmt == "jsonl":
        if not head:
            return False
        columns = list(dict.fromkeys(c for _, r in head if isinstance(r, dict) for c in r))
    else:
        columns = list(head)
    return bool(columns) and not isinstance(resolve_fields(columns, rel, options), Skipped)


def _parquet_parts(full: Path, rel: str, options: IngestOptions, target: int) -> list[Part]:
    """Runs of row groups of about ``target`` bytes, or ``[]`` when the file is one part."""
    try:
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(full).metadata
        names = list(pq.ParquetFile(full).schema_arrow.names)
    except Exception:  # noqa: BLE001 (no pyarrow, not Parquet: read whole, skipped as usual)
        return []
    if meta.num_row_groups < 2 or meta.num_rows == 0:
        return []
    columns = names + [c for c in hive_partitions(rel) if c not in names]
    if isinstance(resolve_fields(columns, rel, options), Skipped):
        return []
    parts, start, first, size, rows = [], 0, 1, 0, 0
    for g in range(meta.num_row_groups):
        rg = meta.row_group(g)
        size += rg.total_compressed_size if hasattr(rg, "total_compressed_size") else \
            rg.total_byte_size
        rows += rg.num_rows
        if size >= target or g == meta.num_row_groups - 1:
            parts.append((start, g + 1, first))
            start, first, size, rows = g + 1, first + rows, 0, 0
    return parts if len(parts) > 1 else []


def plan(root: str | Path, files: Sequence[tuple[Path, str]], options: IngestOptions, *,
         part_bytes: int = PART_BYTES, partitions: int = 1,
         mapper: Mapper = map) -> list[Partition]:
    """The partitions of these files (``walk.iter_files``): large record files split (see the
    module docstring), the other files grouped in path order into partitions of about
    ``min(part_bytes, total / partitions)`` bytes; the partitions, read one after the other,
    give the documents in the order of a local read. ``mapper(function, argument tuples)`` runs
    steps 1 and 3 (builtin ``map`` locally; an engine passes its own)."""
    sizes = {}
    for full, rel in files:
        try:
            sizes[rel] = full.stat().st_size
        except OSError:
            sizes[rel] = 0
    total = sum(sizes.values())
    target = max(1, min(part_bytes, total // max(1, partitions) + 1))
    split: dict[str, list[Part]] = {}
    chunks: list[tuple[str, str, str, int, int]] = []  # (rel, path, fmt, start, stop)
    for full, rel in files:
        fmt = FORMATS.get(full.suffix.lower(), "")
        size = sizes[rel]
        if size <= target or fmt not in ("csv", "tsv", "jsonl", "parquet") \
                or not READER_BY_FORMAT[fmt].streams(size):
            continue
        if fmt == "parquet":
            if parts := _parquet_parts(full, rel, options, target):
                split[rel] = parts
        elif _splittable(full, rel, fmt, options):
            chunks += [(rel, str(full), fmt, a, min(a + target, size))
                       for a in range(0, size, target)]
    # step 1: scan the chunks; step 2: cut after the first newline outside quotes
    scans = list(mapper(_scan_job, [c[1:] for c in chunks])) if chunks else []
    ranges: dict[str, list[int]] = {}
    parity: dict[str, int] = {}
    for (rel, _, _, a, _), (quotes, even, odd) in zip(chunks, scans):
        cuts = ranges.setdefault(rel, [0])
        p = parity.get(rel, 0)
        pos = even if p == 0 else odd
        if a > 0 and pos >= 0 and a + pos + 1 < sizes[rel]:
            cuts.append(a + pos + 1)
        parity[rel] = (p + quotes) & 1
    jobs = []
    for rel, cuts in ranges.items():
        if len(cuts) < 2:
            continue
        path, fmt = next((c[1], c[2]) for c in chunks if c[0] == rel)
        bounds = cuts + [sizes[rel]]
        jobs += [(rel, path, fmt, a, b) for a, b in zip(bounds, bounds[1:])]
    # step 3: count each range's records (and check that it parses cleanly)
    counts = list(mapper(_count_job, [j[1:] for j in jobs])) if jobs else []
    by_file: dict[str, list[tuple[int, int, int, bool]]] = {}
    for (rel, _, _, a, b), (n, ok) in zip(jobs, counts):
        by_file.setdefault(rel, []).append((a, b, n, ok))
    for rel, rs in by_file.items():
        if all(ok for *_, ok in rs):
            first, parts = 1, []
            for a, b, n, _ in rs:
                parts.append((a, b, first))
                first += n
            split[rel] = parts
    # whole files grouped in path order; each part of a split file is a partition of its own;
    # the partitions in reading order (a local read's document order, which curation keeps)
    out: list[Partition] = []
    group: Partition = []
    size = 0
    for _, rel in files:
        if rel in split:
            if group:
                out.append(group)
                group, size = [], 0
            out += [[(rel, part)] for part in split[rel]]
            continue
        group.append((rel, None))
        size += sizes[rel]
        if size >= target:
            out.append(group)
            group, size = [], 0
    if group:
        out.append(group)
    return out


def _scan_job(job: tuple[str, str, int, int]) -> tuple[int, int, int]:
    return scan_chunk(*job)


def _count_job(job: tuple[str, str, int, int]) -> tuple[int, bool]:
    return count_range(*job)
