"""JSON, JSON Lines, CSV and TSV files: one record (row) = one document.

JSON: a list of records, an object holding such a list under ``items``, ``data``, ``records``,
``posts``, ``entries`` or ``rows`` (case-insensitive), or one object = one record. JSONL/NDJSON:
one record per line; record numbers are line numbers, and a line that is not JSON is skipped as
``file.jsonl#N`` (``unreadable``). CSV/TSV: utf-8 (BOM allowed), header row first; record numbers
count data rows from 1, and a row with more cells than the header is skipped as ``unreadable``.

Fields come from ``IngestOptions`` (``text_field``, ``title_field``, ``date_field``,
``segment_field``); text and title are otherwise auto-detected case-insensitively (first match in
``TEXT_FIELDS``/``TITLE_FIELDS``), dates tried per record in ``DATE_FIELDS`` order. A file without
a text field is skipped as ``not prose``; a field given in the options but absent from the file
skips the file too (``not prose`` for the text field, ``unsupported`` for the others). Text values
may hold Markdown or HTML and go through ``clean_markdown``.
"""
from __future__ import annotations

import csv
import io
import json
from typing import Any

from auditor.config import IngestOptions
from auditor.ingest.dates import date_from_mapping
from auditor.ingest.markdown import Parsed, clean_markdown
from auditor.types import Skipped

TEXT_FIELDS = ("text", "body", "content", "copy", "ad_text", "description", "message", "post",
               "caption", "primary_text")
DATE_FIELDS = ("date", "published", "publish_date", "published_at", "pubdate", "created_at",
               "created", "timestamp", "day", "month")
TITLE_FIELDS = ("title", "headline", "name", "subject", "heading")
LIST_KEYS = ("items", "data", "records", "posts", "entries", "rows")


def find_field(columns: list[str], name: str) -> str | None:
    """The column called ``name`` (exactly, else case-insensitively), or ``None``."""
    if name in columns:
        return name
    return next((c for c in columns if c.lower() == name.lower()), None)


def _records(text: str, rel: str, fmt: str) -> tuple[list[tuple[int, Any]], list[Skipped]]:
    """``(record number, record)`` pairs and per-record skips; raises ValueError for a file
    that cannot be parsed at all."""
    if fmt == "jsonl":
        records, bad = [], []
        for n, line in enumerate(text.split("\n"), 1):
            if line.strip():
                try:
                    records.append((n, json.loads(line)))
                except json.JSONDecodeError as e:
                    bad.append(Skipped(f"{rel}#{n}", "unreadable",
                                       f"line {n} is not valid JSON ({e.msg}, column {e.colno}); "
                                       "fix or delete the line"))
        return records, bad
    if fmt == "json":
        data = json.loads(text)
        if isinstance(data, dict):
            lower = {k.lower(): k for k in data}
            key = next((lower[k] for k in LIST_KEYS
                        if isinstance(data.get(lower.get(k, "")), list)), None)
            data = data[key] if key is not None else [data]
        return list(enumerate(data if isinstance(data, list) else [data], 1)), []
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter="\t" if fmt == "tsv" else ",")
    records, bad = [], []
    old = csv.field_size_limit(2**31 - 1)
    try:
        for n, row in enumerate(reader, 1):
            if None in row:
                bad.append(Skipped(f"{rel}#{n}", "unreadable",
                                   f"row {n} has more cells than the header; quote cells that "
                                   "contain the delimiter"))
            else:
                records.append((n, row))
    except csv.Error as e:
        raise ValueError(f"not valid {fmt.upper()} ({e})") from e
    finally:
        csv.field_size_limit(old)
    return records, bad


def parse_tabular(text: str, rel: str, fmt: str, options: IngestOptions) -> list[Parsed | Skipped]:
    """Parsed records (``index`` set, date from the record's field) and skipped records, or a
    single ``Skipped`` for the whole file."""
    try:
        records, out = _records(text, rel, fmt)
    except (ValueError, RecursionError) as e:
        msg = e.msg if isinstance(e, json.JSONDecodeError) else str(e)
        return [Skipped(rel, "unreadable", f"cannot parse the file ({msg}); fix its syntax")]
    if not records:
        return out or [Skipped(rel, "empty", "the file has no records; remove it or add records")]
    columns = list(dict.fromkeys(k for _, r in records if isinstance(r, dict) for k in r))
    shown = ", ".join(map(str, columns[:20])) or "none"
    # Only a missing text field skips the file: without a date, title or segment field the
    # records are still copy (they are then undated, untitled or unsegmented, and reported so).
    if options.text_field and find_field(columns, options.text_field) is None:
        return out + [Skipped(rel, "not prose", f"no field '{options.text_field}' (the text field "
                              f"asked for); fields found: {shown}. Fix --text-field")]
    text_col = find_field(columns, options.text_field) if options.text_field else \
        next((c for name in TEXT_FIELDS if (c := find_field(columns, name))), None)
    if text_col is None:
        return out + [Skipped(rel, "not prose", f"no text field found among: {shown}; "
                              "name the field with --text-field")]
    title_col = find_field(columns, options.title_field) if options.title_field else \
        next((c for name in TITLE_FIELDS if (c := find_field(columns, name))), None)
    date_keys = (options.date_field,) if options.date_field else DATE_FIELDS
    for n, rec in records:
        if not isinstance(rec, dict):
            out.append(Skipped(f"{rel}#{n}", "not prose",
                               f"record {n} is a {type(rec).__name__}, not an object with fields"))
            continue
        value = rec.get(text_col)
        raw = value if isinstance(value, str) else ("" if value is None else json.dumps(value))
        prose, headings = clean_markdown(raw) if isinstance(value, str) else ("", ())
        title = rec.get(title_col) if title_col else None
        if not isinstance(title, str) or not title.strip():
            title = next((h for level, h in headings if level == 1), None)
        date, source = date_from_mapping(rec, date_keys, "field")
        out.append(Parsed(prose, title.strip() if title else None, headings, rec, n, date, source,
                          raw_empty=not raw.strip()))
    return out
