"""Parquet files: one row = one document, read in record batches (bounded memory).

A single ``.parquet`` file, or a folder of them (a partitioned dataset: every part file is read
on its own, as the folder walk finds it). Hive-style folder names below the audited root
(``month=2024-01/part-0.parquet``) are columns of every row of the files below them, as Arrow's
dataset reader treats them, unless the file has a column of that name. Fields are chosen as for
CSV and JSON Lines (``tabular``: ``--text-field``, ``--date-field``, ``--title-field``,
``--segment-field``, else auto-detected); only the columns needed are read. Record numbers count
rows from 1 across the file's row groups (``part-0.parquet#N``). A row whose text is null is
skipped as ``empty``, one whose text is not a string as ``not prose``, exactly as a CSV or JSON
record; a file Arrow cannot open is skipped as ``unreadable``, and a read error part-way skips
the rest of the file (``unreadable``, naming the last good row).

Needs ``pyarrow`` (``pip install pyarrow``, or the ``parquet`` extra); without it a Parquet
file is skipped as ``unreadable`` with that fix.
"""
from __future__ import annotations

from collections.abc import Container, Iterator
from typing import Any
from urllib.parse import unquote

from auditor.config import IngestOptions
from auditor.ingest.markdown import Parsed
from auditor.ingest.tabular import (
    DATE_FIELDS,
    Fields,
    find_field,
    parse_record,
    resolve_fields,
)
from auditor.types import Skipped

BATCH_ROWS = 8192  # rows per record batch: ~4 MB of 50-word texts


def hive_partitions(rel: str) -> dict[str, str]:
    """``key=value`` folder names of a posix path relative to the root, as a mapping
    (URL-escaped values decoded, as Arrow writes them).

    >>> hive_partitions("month=2024-01/region=eu/part-0.parquet")
    {'month': '2024-01', 'region': 'eu'}
    """
    out = {}
    for part in rel.split("/")[:-1]:
        key, eq, value = part.partition("=")
        if eq and key:
            out[unquote(key)] = unquote(value)
    return out


def _needed(columns: list[str], fields: Fields, options: IngestOptions) -> list[str]:
    """The columns to read: text, title, every date candidate present, the segment and source
    fields."""
    names = [fields.text, fields.title, *(find_field(columns, k) for k in fields.date_keys)]
    for key in (options.segment_field, options.source_field):
        if key:
            names.append(find_field(columns, key))
    return list(dict.fromkeys(n for n in names if n is not None))


def stream_parquet(source: Any, rel: str, fmt: str, options: IngestOptions,
                   wanted: Container[int] | None = None,
                   part: tuple[int, int, int] | None = None) -> Iterator[Parsed | Skipped]:
    """Parsed rows and skipped rows of one Parquet file (a path or a file-like object), batch
    by batch. ``wanted``: parse only these row numbers. ``part``: ``(first row group, stop,
    first row number)``, only the row groups ``[first row group, stop)``, whose rows are
    numbered from ``first row number`` (a partition of a large file, see
    ``ingest.partition``)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        yield Skipped(rel, "unreadable", "reading Parquet needs pyarrow; pip install pyarrow "
                      "(or samey[parquet]), or export the data as CSV or JSON Lines")
        return
    try:
        pf = pq.ParquetFile(source)
        schema_names = list(pf.schema_arrow.names)
    except (pa.ArrowException, OSError, ValueError) as e:  # not Parquet, truncated, unreadable
        yield Skipped(rel, "unreadable", f"cannot read the Parquet file ({e}); check that it is "
                      "a complete Parquet file")
        return
    partitions = {k: v for k, v in hive_partitions(rel).items() if find_field(schema_names, k)
                  is None}
    columns = schema_names + list(partitions)
    if pf.metadata.num_rows == 0:
        yield Skipped(rel, "empty", "the file has no records; remove it or add records")
        return
    fields = resolve_fields(columns, rel, options)
    if isinstance(fields, Skipped):
        yield fields
        return
    read = [c for c in _needed(columns, fields, options) if c not in partitions]
    n = part[2] - 1 if part else 0
    groups = {"row_groups": list(range(part[0], part[1]))} if part else {}
    try:
        for batch in pf.iter_batches(batch_size=BATCH_ROWS, columns=read, **groups):
            rows = batch.to_pylist()
            for rec in rows:
                n += 1
                if wanted is not None and n not in wanted:
                    continue
                if partitions:
                    rec.update(partitions)
                yield parse_record(n, rec, fields, rel)
    except (pa.ArrowException, OSError, ValueError) as e:  # a corrupt page or row group
        yield Skipped(rel, "unreadable", f"cannot read the Parquet file after row {n} ({e}); "
                      "rows before it were read; rewrite the file")


__all__ = ["BATCH_ROWS", "DATE_FIELDS", "hive_partitions", "stream_parquet"]
