"""JSON, JSON Lines, CSV and TSV files: one record (row) = one document.

JSON: a list of records, an object holding such a list under ``items``, ``data``, ``records``,
``posts``, ``entries`` or ``rows`` (case-insensitive), or one object = one record. JSONL/NDJSON:
one record per line; record numbers are line numbers, and a line that is not JSON (or not UTF-8,
when the file is streamed) is skipped as ``file.jsonl#N`` (``unreadable``). CSV/TSV: utf-8 (BOM
allowed), header row first; record numbers count data rows from 1 (blank lines are not rows),
and a row with more cells than the header is skipped as ``unreadable``.

No row is lost to a broken quote. A cell that opens a quote and does not close it at the end
of its row would swallow the rows after it (the ``csv`` module reads on to the next quote, or
to the end of the file); so a row that runs over several lines is kept only when those lines
parse as one strict CSV record (a real multi-line cell); otherwise its first line is skipped
(``unreadable``, naming the row and the line) and reading resumes on the next line
(``csvrows``). Single-line sloppiness (``"Best" boots``) is read as the ``csv`` module reads
it.

Fields come from ``IngestOptions`` (``text_field``, ``title_field``, ``date_field``,
``segment_field``); text and title are otherwise auto-detected case-insensitively (first match in
``TEXT_FIELDS``/``TITLE_FIELDS``), dates tried per record in ``DATE_FIELDS`` order. A file without
a text field is skipped as ``not prose``; a field given in the options but absent from the file
skips the file too (``not prose`` for the text field, ``unsupported`` for the others). Text values
may hold Markdown or HTML and go through ``clean_markdown``, after being cut to
``IngestOptions.max_document_bytes`` (``Parsed.truncated``). A record without a date says why
(``Parsed.date_note``): the value that is no date and ``--date-format``, or the columns and
``--date-field``.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Container, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.config import IngestOptions
from auditor.ingest.csvrows import FileLines, TextLines, csv_dicts
from auditor.ingest.dates import date_from_mapping, undated_note
from auditor.ingest.markdown import Parsed, clean_markdown
from auditor.ingest.walk import cap_text
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
    records: list[tuple[int, Any]] = []
    bad: list[Skipped] = []
    if fmt == "jsonl":
        for n, line in enumerate(text.split("\n"), 1):
            if line.strip():
                try:
                    records.append((n, json.loads(line)))
                except json.JSONDecodeError as e:
                    bad.append(Skipped(f"{rel}#{n}", "unreadable",
                                       f"line {n} is not valid JSON ({e.msg}, column {e.colno}); "
                                       "fix or delete the line"))
                except RecursionError:
                    bad.append(Skipped(f"{rel}#{n}", "unreadable", f"line {n} is JSON nested "
                                       "too deeply to read; fix or delete the line"))
        return records, bad
    if fmt == "json":
        data = json.loads(text)
        if isinstance(data, dict):
            lower = {k.lower(): k for k in data}
            key = next((lower[k] for k in LIST_KEYS
                        if k in lower and isinstance(data[lower[k]], list)), None)
            data = data[key] if key is not None else [data]
        return list(enumerate(data if isinstance(data, list) else [data], 1)), []
    for n, item in csv_dicts(TextLines(text), rel, fmt):
        if isinstance(item, Skipped):
            bad.append(item)
        else:
            records.append((n, item))
    return records, bad


@dataclass(frozen=True)
class Fields:
    """The columns a tabular file is read by: text, title (or ``None``) and the date keys tried
    in order; the date format, the size cap, and what to say of a record without a date
    column."""

    text: str
    title: str | None
    date_keys: tuple[str, ...]
    date_format: str | None = None
    max_bytes: int = 1_000_000
    no_date_column: str | None = None


#: Words in column names that suggest a column's role, for messages (never to choose one).
_HINTS = {"text": ("body", "text", "content", "copy", "description", "message", "caption"),
          "date": ("date", "time", "published", "created", "day"),
          "title": ("title", "headline", "subject", "heading", "name")}


def suggest_column(columns: list[str], role: str) -> str | None:
    """A column whose name suggests ``role`` (``text``, ``date``, ``title``), for a hint."""
    for hint in _HINTS[role]:
        for c in columns:
            if hint in str(c).lower():
                return str(c)
    return None


def _option_hint(columns: list[str], role: str) -> str:
    guess = suggest_column(columns, role)
    if guess is None:
        return f"--{role}-field"
    quoted = f"'{guess}'" if any(ch in guess for ch in " \"'$&;|") else guess
    return f"--{role}-field {quoted}"


def resolve_fields(columns: list[str], rel: str, options: IngestOptions) -> Fields | Skipped:
    """The fields to read, or the ``Skipped`` that skips the whole file (no text field)."""
    shown = ", ".join(map(str, columns[:20])) or "none"
    # Only a missing text field skips the file: without a date, title or segment field the
    # records are still copy (they are then undated, untitled or unsegmented, and reported so).
    maps = (f"map them with {_option_hint(columns, 'text')}, {_option_hint(columns, 'date')} "
            f"and {_option_hint(columns, 'title')}")
    if options.text_field and find_field(columns, options.text_field) is None:
        return Skipped(rel, "not prose", f"no column '{options.text_field}' (the --text-field "
                       f"asked for); columns found: {shown}; {maps}")
    text_col = find_field(columns, options.text_field) if options.text_field else \
        next((c for name in TEXT_FIELDS if (c := find_field(columns, name))), None)
    if text_col is None:
        return Skipped(rel, "not prose", f"no text column among the columns found: {shown}; "
                       f"{maps}")
    title_col = find_field(columns, options.title_field) if options.title_field else \
        next((c for name in TITLE_FIELDS if (c := find_field(columns, name))), None)
    date_keys = (options.date_field,) if options.date_field else DATE_FIELDS
    if options.date_field:
        no_date = (None if find_field(columns, options.date_field) is not None else
                   f"no column '{options.date_field}' (the --date-field asked for); columns "
                   f"found: {shown}; fix {_option_hint(columns, 'date')}")
    else:
        no_date = (None if any(find_field(columns, k) for k in DATE_FIELDS) else
                   f"no date column (none of {', '.join(DATE_FIELDS[:3])}...); columns "
                   f"found: {shown}; name it with {_option_hint(columns, 'date')}")
    return Fields(text_col, title_col, date_keys, options.date_format,
                  options.max_document_bytes, no_date)


def parse_record(n: int, rec: Any, fields: Fields, rel: str) -> Parsed | Skipped:
    """One record (row) -> ``Parsed`` (``index`` ``n``, date from the record's field), or
    ``Skipped`` when it is not an object with fields."""
    if not isinstance(rec, dict):
        return Skipped(f"{rel}#{n}", "not prose",
                       f"record {n} is a {type(rec).__name__}, not an object with fields")
    value = rec.get(fields.text)
    raw = value if isinstance(value, str) else ("" if value is None else json.dumps(value,
                                                                                   default=str))
    raw, cut = cap_text(raw, fields.max_bytes)
    prose, headings = clean_markdown(raw) if isinstance(value, str) else ("", ())
    title = rec.get(fields.title) if fields.title else None
    if not isinstance(title, str) or not title.strip():
        title = next((h for level, h in headings if level == 1), None)
    else:
        title = cap_text(title, fields.max_bytes)[0]
    date, source = date_from_mapping(rec, fields.date_keys, "field", fields.date_format)
    note = None
    if date is None:
        note = undated_note(rec, fields.date_keys, "column", fields.date_format) or \
            fields.no_date_column
    return Parsed(prose, title.strip() if title else None, headings, rec, n, date, source,
                  raw_empty=not raw.strip(), truncated=cut, date_note=note)


def parse_tabular(text: str, rel: str, fmt: str, options: IngestOptions) -> list[Parsed | Skipped]:
    """Parsed records (``index`` set, date from the record's field) and skipped records, or a
    single ``Skipped`` for the whole file."""
    try:
        records, bad = _records(text, rel, fmt)
    except (ValueError, RecursionError) as e:
        msg = e.msg if isinstance(e, json.JSONDecodeError) else str(e)
        return [Skipped(rel, "unreadable", f"cannot parse the file ({msg}); fix its syntax")]
    out: list[Parsed | Skipped] = [*bad]
    if not records:
        return out or [Skipped(rel, "empty", "the file has no records; remove it or add records")]
    columns = list(dict.fromkeys(k for _, r in records if isinstance(r, dict) for k in r))
    fields = resolve_fields(columns, rel, options)
    if isinstance(fields, Skipped):
        return out + [fields]
    out.extend(parse_record(n, rec, fields, rel) for n, rec in records)
    return out


# Records looked at to find a JSON Lines file's fields when it is streamed (its fields are the
# keys of these records; a small file read whole uses every record).
JSONL_SCHEMA_RECORDS = 1000


def stream_tabular(path: Path, rel: str, fmt: str, options: IngestOptions,
                   wanted: Container[int] | None = None,
                   part: tuple[int, int, int] | None = None) -> Iterator[Parsed | Skipped]:
    """The records of a large CSV, TSV or JSON Lines file, read one at a time (bounded memory):
    what :func:`parse_tabular` gives for the file's text, with two differences a stream
    imposes: the file must be utf-8 (BOM allowed; a small file may also be utf-16 or cp1252;
    a row or line that is not is skipped on its own), and a JSON Lines file's fields are those
    of its first ``JSONL_SCHEMA_RECORDS`` records. ``wanted``: parse only these record numbers
    (a second read that fetches a few records). A JSON file (one document) is read whole.

    ``part``: ``(start, stop, first)``, only the bytes ``[start, stop)`` of the file, which
    begin at a record boundary and hold records numbered from ``first`` (a partition of a large
    file, planned by ``ingest.partition``); the header (CSV/TSV) or the fields (JSON Lines) are
    still those of the file's start."""
    try:
        header = file_head(path, fmt) if part and (part[0] > 0 or fmt == "jsonl") \
            else None
        lines = FileLines(path, part[0] if part else 0, part[1] if part else None)
    except OSError as e:
        yield Skipped(rel, "unreadable", f"cannot read the file ({e.strerror or e}); check that "
                      "it exists and that you may read it")
        return
    except (UnicodeDecodeError, csv.Error, ValueError) as e:  # a part's header, re-read
        yield Skipped(rel, "unreadable", f"cannot read the file's header ({e}); check that it "
                      "is UTF-8 CSV/TSV/JSON Lines and was not changed while samey read it")
        return
    first = part[2] if part else 1
    with lines:
        if fmt in ("csv", "tsv"):
            yield from _stream_csv(lines, rel, fmt, options, wanted, header, first)
        else:
            yield from _stream_jsonl(lines, rel, options, wanted, header, first)


def _stream_csv(lines: FileLines, rel: str, fmt: str, options: IngestOptions,
                wanted: Container[int] | None, header: list[str] | None,
                first: int) -> Iterator[Parsed | Skipped]:
    rows = csv_dicts(lines, rel, fmt, header=header, first=first)
    fields: Fields | None = None
    for n, item in rows:
        if fields is None:
            found = resolve_fields(list(rows.header or []), rel, options)
            if isinstance(found, Skipped):
                yield found
                return
            fields = found
        if wanted is not None and n not in wanted:
            continue
        yield item if isinstance(item, Skipped) else parse_record(n, item, fields, rel)
    if fields is None:  # no data row
        columns = list(rows.header or [])
        if columns and first == 1:
            found = resolve_fields(columns, rel, options)
            if isinstance(found, Skipped):
                yield found
                return
        if first == 1:
            yield Skipped(rel, "empty", "the file has no records; remove it or add records")


def _stream_jsonl(lines: FileLines, rel: str, options: IngestOptions,
                  wanted: Container[int] | None, header: Any,
                  first: int) -> Iterator[Parsed | Skipped]:
    """JSON Lines: buffer the first records to learn the fields, then stream."""
    head: list[tuple[int, Any]] = []
    fields: Fields | None = None
    if header is not None:  # a part: the fields of the file's first records
        found = _jsonl_fields(header, rel, options)
        if isinstance(found, Skipped):  # never split (see ingest.partition)
            yield found
            return
        fields = found
    for n, (line, _, ok) in enumerate(lines.read_from(lines.start), first):
        if not line.strip():
            continue
        if not ok:
            yield Skipped(f"{rel}#{n}", "unreadable", f"line {n} is not UTF-8 text; save the "
                          "file as UTF-8")
            continue
        try:
            rec = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as e:
            msg = f"{e.msg}, column {e.colno}" if isinstance(e, json.JSONDecodeError) \
                else "nested too deeply"
            yield Skipped(f"{rel}#{n}", "unreadable",
                          f"line {n} is not valid JSON ({msg}); fix or delete the line")
            continue
        if fields is None:
            head.append((n, rec))
            # not a threshold: records read to find the columns
            if len(head) < JSONL_SCHEMA_RECORDS:
                continue
            fields = yield from _release(head, rel, options, wanted)
            if fields is None:
                return
            head = []
        elif wanted is None or n in wanted:
            yield parse_record(n, rec, fields, rel)
    if fields is None and not head:
        yield Skipped(rel, "empty", "the file has no records; remove it or add records")
    elif fields is None:
        yield from _release(head, rel, options, wanted)


def _release(head: list[tuple[int, Any]], rel: str, options: IngestOptions,
             wanted: Container[int] | None) -> Generator[Parsed | Skipped, None, Fields | None]:
    """The fields found from the records held back (``head``), then those records parsed;
    the reason and ``None`` when no text field is found."""
    fields = _jsonl_fields(head, rel, options)
    if isinstance(fields, Skipped):
        yield fields
        return None
    yield from (parse_record(m, r, fields, rel) for m, r in head
                if wanted is None or m in wanted)
    return fields


def open_range(path: Path, start: int, stop: int, newline: str | None) -> io.TextIOWrapper:
    """The bytes ``[start, stop)`` of a file as utf-8 text (a BOM skipped at the file's start),
    read lazily like an open text file."""
    raw = open(path, "rb")  # noqa: SIM115 (closed with the wrapper)
    raw.seek(start)
    return io.TextIOWrapper(io.BufferedReader(_Bounded(raw, stop - start)),
                            encoding="utf-8-sig" if start == 0 else "utf-8", newline=newline)


class _Bounded(io.RawIOBase):
    """A binary file read up to ``size`` bytes from its current position."""

    def __init__(self, raw: Any, size: int) -> None:
        self.raw, self.left = raw, size

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        want = min(len(buf), self.left)
        if want <= 0:
            return 0
        got = self.raw.readinto(memoryview(buf)[:want])
        self.left -= got or 0
        return got or 0

    def close(self) -> None:
        self.raw.close()
        super().close()


def file_head(path: Path, fmt: str) -> Any:
    """What every part of a large file shares with its start: the CSV/TSV header (a list of
    column names), or the first ``JSONL_SCHEMA_RECORDS`` JSON Lines records that name its
    fields (``(line number, record)`` pairs)."""
    with open(path, encoding="utf-8-sig", newline="" if fmt in ("csv", "tsv") else None) as f:
        if fmt in ("csv", "tsv"):
            old = csv.field_size_limit(2**31 - 1)
            try:
                return next(csv.reader(f, delimiter="\t" if fmt == "tsv" else ","), [])
            finally:
                csv.field_size_limit(old)
        head: list[tuple[int, Any]] = []
        for n, line in enumerate(f, 1):
            # not a threshold: records read to find the columns
            if len(head) >= JSONL_SCHEMA_RECORDS:
                break
            if line.strip():
                try:
                    head.append((n, json.loads(line)))
                except json.JSONDecodeError:
                    continue
        return head


def _jsonl_fields(head: list[tuple[int, Any]], rel: str,
                  options: IngestOptions) -> Fields | Skipped:
    columns = list(dict.fromkeys(k for _, r in head if isinstance(r, dict) for k in r))
    return resolve_fields(columns, rel, options)
