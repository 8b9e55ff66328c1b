"""Ingestion: files -> ``Document``s and ``Skipped`` inputs.

``load_documents(path, options)`` reads a folder (recursively; see ``walk``) or a single file.
Every file ends in exactly one of the two lists, except tabular files, whose records are listed
one by one (``doc_id`` ``file.csv#N``). Each input goes through, in order:

1. a folder that cannot be listed (``unreadable``) or a link to a folder (``unsupported``), see
   ``walk``; format by extension (``unsupported`` otherwise, and for anything that is not a
   regular file: a pipe, a socket, a device), reading (``unreadable``), decoding (``binary``),
   nothing to read (``empty``). A whole file (Markdown, HTML, text) is read up to
   ``IngestOptions.max_document_bytes`` and cut there (``Document.truncated``; the audit notes
   it), so one huge file costs bounded memory; record files cut each record's text instead;
2. the format's reader, found in the format registry (``readers``: ``markdown``, ``html``,
   ``tabular``, ``xmlfeeds`` for WordPress exports and RSS/Atom feeds) -> prose text, title,
   headings; a reader may skip single records (a WordPress draft: ``not published``);
3. prose checks: nothing but markup/code, or under half the tokens alphabetic words
   (``not prose``); fewer than ``min_words`` words (``too short``), or for records of tabular
   files (ad exports: CSV/TSV/JSON/JSONL rows) fewer than ``min(min_words, min_record_words)``;
4. date (see ``dates``) and segments; a date outside the plausible window
   (``IngestOptions.date_window``: before 1990 or more than 31 days after today by default) is
   not a date: the document is returned undated with ``why_undated`` saying ``implausible
   date`` (the audit lists it so, and it never decides the periods);
5. same body as another document (see "Copies and reposts" below): a **repost** is kept and
   marked (``Document.repost_of``); a **copy** is skipped (``duplicate``, the reason saying which
   kind of copy and how to fix it).

Copies and reposts. Two documents have the same body when their prose text (after step 2: front
matter, markup and code removed, so a new title or new tags do not make a new post) is equal once
runs of whitespace are collapsed to one space. Case, punctuation and every word count: posts that
differ by one character are never merged here (near-copies are the duplication layer's job). In
each group of documents with the same body, ordered by (date, path, record; undated last), so the
order of files on disk never matters:

* the first is the **original** (the first publication: earliest date, ties by path); it is kept;
* a later-dated document is a **repost**: kept, analysed in its own period, with ``repost_of`` set
  to the original's ``doc_id`` (always the first publication, also for a second repost). The
  duplication layer counts it (``metrics.duplication.repost_share``) and names both posts
  (``repost_pairs``);
* a whole file with the same date as a kept document of the group is a **copy** (the same post
  saved twice: a copied file, a Markdown source next to its built HTML page) and is skipped as
  ``duplicate``; the detail says whether the files are byte-identical (a copied file) or only the
  text matches, and to remove one copy, or give a real republication its own date;
* a whole file without a date is a **copy** (skipped as ``duplicate``): with no date it cannot be
  placed after the original. If no copy has a date, the first by path is kept (and listed later as
  ``undated``) and the others skipped; dating them turns a later one into a repost;
* a whole file dated from its modification time (``--date-from mtime``), or whose original is, is
  a **copy** (skipped as ``duplicate``) even when the dates differ: copying a file gives it a new
  modification time, which is not a publication date;
* records of tabular files (rows) are never skipped for their text: re-running the same ad text
  is a content decision the duplication layer should see. A record dated after the original is a
  repost (``repost_of`` set); a record with the same date, or undated, is kept unmarked, as before.
  Items of WordPress exports and feeds follow the rules for whole files (a post that is in both an
  export and a saved feed, or in two saved feeds, is one post, not two).

Segments: with ``segment_from="field"``, the value of ``segment_field`` (front matter key,
column, or the ``category``/``tags`` of a WordPress or feed item, see ``xmlfeeds``): a list gives
one label per item, a string is split on commas (so ``"a, b"`` -> ``a``, ``b``). With
``segment_from="folder"``, the first folder below the root (none for files at the root). Labels
are stripped; empty ones dropped, duplicates removed, order kept.

Source: with ``source_field`` (front matter key or column: an author, tool, agency or channel),
the first label of that field, read the same way (``Document.source``; ``None`` when a document
lacks it: the audit lists such posts as "(no source)").

Undated documents are returned with ``date=None``; the audit lists them later.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from auditor.config import IngestOptions
from auditor.errors import InputError
from auditor.ingest.dates import (
    FRONT_MATTER_KEYS,
    date_from_mapping,
    date_from_mtime,
    date_from_path,
    git_first_added,
    parse_date,
    undated_note,
)
from auditor.ingest.markdown import Parsed
from auditor.ingest.readers import (
    FORMATS,
    READER_BY_FORMAT,
    SUPPORTED_FORMATS,
    TABULAR,
    supported_message,
)
from auditor.ingest.tabular import find_field, parse_record, resolve_fields
from auditor.ingest.walk import cut_text_bytes, decode, folder_problem, iter_files
from auditor.progress import plural, progress_iter
from auditor.types import Document, Skipped

__all__ = ["IngestResult", "load_documents", "SUPPORTED_FORMATS", "supported_message"]
_WORD = re.compile(r"^\W*[^\W\d_]+(?:['’.\-][^\W\d_]+)*\W*$")


@dataclass(frozen=True)
class IngestResult:
    """The documents read (sorted by path, then record) and the inputs skipped, with reasons."""

    documents: list[Document]
    skipped: list[Skipped]


def load_documents(
    path: str | Path, options: IngestOptions | None = None, *, progress: bool = False
) -> IngestResult:
    """Read every supported file below ``path`` (or the single file ``path``) into Documents.

    Raises InputError when ``path`` does not exist; a bad file is skipped, never raised.
    """
    options = options or IngestOptions()
    root = Path(path)
    if not root.exists():
        raise InputError(f"{path}: no such file or folder; check the path and pass the folder "
                         "(or file) that holds your content.")
    files = iter_files(root, options.exclude)
    git_dates: dict[str, Any] = {}
    if options.date_from == "git":
        git_dates = git_first_added(root if root.is_dir() else root.parent, [r for _, r in files])
    items: list[tuple[tuple[str, int], Document | Skipped]] = []
    # rel -> sha256 of the file's bytes (to name exact file copies); None: unread or streamed
    digests: dict[str, str | None] = {}
    for full, rel in progress_iter(files, total=len(files), description="Reading files",
                                   enabled=progress):
        loaded, digests[rel] = _load_file(full, rel, options, git_dates)
        for index, item in loaded:
            items.append(((rel, index), item))
    items.sort(key=lambda kv: kv[0])
    kept = resolve_copies([(index, item) for (_, index), item in items
                            if isinstance(item, Document)], digests)
    documents: list[Document] = []
    skipped: list[Skipped] = []
    for _, item in items:
        if isinstance(item, Document):
            item = kept[item.doc_id]
        if isinstance(item, Skipped):
            skipped.append(item)
        else:
            documents.append(item)
    return IngestResult(documents, skipped)


def load_records(records: Iterable[Mapping[str, Any]], options: IngestOptions | None = None, *,
                 name: str = "records") -> IngestResult:
    """Documents from records already in memory (dicts, the rows of a pandas DataFrame): read
    exactly as the records of a JSON Lines file named ``name`` would be (the same field names
    and options, ``--text-field`` and the rest; the same checks, dates and date window), each
    ``name#N`` (N counting from 1) analysed or listed as skipped with its reason.

    >>> r = load_records([{"text": "a " * 30, "date": "2024-05-01"}, {"body": "x"}])
    >>> [d.doc_id for d in r.documents], [(s.path, s.reason) for s in r.skipped]
    (['records#1'], [('records#2', 'empty')])
    """
    options = options or IngestOptions()
    rows = list(records)
    columns = list(dict.fromkeys(k for r in rows if isinstance(r, Mapping) for k in r))
    fields = resolve_fields(columns, name, options)
    if isinstance(fields, Skipped):
        return IngestResult([], [fields])
    parsed = [parse_record(n, dict(r) if isinstance(r, Mapping) else r, fields, name)
              for n, r in enumerate(rows, 1)]
    documents: list[Document] = []
    skipped: list[Skipped] = []
    for _, item in _documents(parsed, Path(name), name, "jsonl", options, {}):
        if isinstance(item, Skipped):
            skipped.append(item)
        else:
            documents.append(item)
    return IngestResult(documents, skipped)


def _body_key(text: str) -> str:
    """What "same body" compares: the prose with runs of whitespace collapsed (nothing else)."""
    return " ".join(text.split())


def publication_order(index: int, doc: Document) -> tuple[bool, dt.date, str, int]:
    """Publication order inside a group of same-body documents: dated first, by (date, path,
    record), then undated by (path, record)."""
    return (doc.date is None, doc.date or dt.date.min, doc.path, index)


def resolve_copies(
    docs: list[tuple[int, Document]], digests: Mapping[str, str | None]
) -> dict[str, Document | Skipped]:
    """doc_id -> the document (``repost_of`` set for a repost) or its ``duplicate`` Skipped,
    following the rule in the module docstring. ``docs``: ``(record index, Document)``, index 0
    for a whole file."""
    groups: dict[str, list[tuple[int, Document]]] = {}
    for index, doc in docs:
        groups.setdefault(_body_key(doc.text), []).append((index, doc))
    out: dict[str, Document | Skipped] = {}
    for group in groups.values():
        group.sort(key=lambda item: publication_order(*item))
        (_, original), rest = group[0], group[1:]
        out[original.doc_id] = original
        kept_dates = {original.date: original}
        for index, doc in rest:
            later = doc.date is not None and original.date is not None and doc.date > original.date
            if index and doc.fmt in TABULAR:  # a row: kept; a repost when dated after the original
                out[doc.doc_id] = replace(doc, repost_of=original.doc_id) if later else doc
                kept_dates.setdefault(doc.date, doc)
                continue
            problem = _copy_reason(doc, original, kept_dates.get(doc.date), later, digests)
            if problem:
                out[doc.doc_id] = Skipped(doc.doc_id, "duplicate", problem)
            else:
                out[doc.doc_id] = replace(doc, repost_of=original.doc_id)
                kept_dates[doc.date] = doc
    return out


def _copy_reason(doc: Document, original: Document, same_date: Document | None, later: bool,
                 digests: Mapping[str, str | None]) -> str | None:
    """Why the whole file ``doc`` (same body as ``original``) is a copy to skip, or ``None`` when
    it is a repost."""
    if doc.date is None:
        if original.date is None:
            return (f"same text as {original.doc_id}, and neither has a date, so which came "
                    "first is unknown; remove one of the copies, or date both (front matter "
                    "'date' or a date in the file name) so that a later one counts as a repost")
        return (f"same text as {original.doc_id} (published {original.date.isoformat()}) and no "
                "date of its own; remove the copy, or if it was republished, give it its "
                "publication date (front matter 'date') so that it counts as a repost")
    if same_date is not None:
        other = same_date.doc_id
        digest = digests.get(doc.path)
        what = ("the files are byte-identical (a copied file)"
                if digest is not None and digest == digests.get(same_date.path)
                else "the same post saved twice (the files differ only in front matter, markup "
                     "or format)")
        source = f", dated from {doc.date_source}" if doc.date_source else ""
        return (f"same text and same date ({doc.date.isoformat()}{source}) as {other}: "
                f"{what}, not a repost; remove one of the copies, or if it was republished, "
                "give this one its own publication date (front matter 'date')")
    if later and "mtime" in (doc.date_source, original.date_source):
        return (f"same text as {original.doc_id}, dated from file modification times, which "
                "copying a file changes; remove the copy, or if it was republished, give both "
                "their publication dates (front matter 'date') so that it counts as a repost")
    return None


def _load_file(
    full: Path, rel: str, options: IngestOptions, git_dates: dict[str, Any]
) -> tuple[list[tuple[int, Document | Skipped]], str | None]:
    """``(record index, Document or Skipped)`` for one file (index 0 for a whole file), and the
    sha256 of its bytes (``None`` when unread or streamed)."""
    items, digest = iter_file(full, rel, options, git_dates)
    return list(items), digest


def iter_file(
    full: Path, rel: str, options: IngestOptions, git_dates: dict[str, Any],
    wanted: set[int] | None = None, part: tuple[int, int, int] | None = None,
) -> tuple[Iterator[tuple[int, Document | Skipped]], str | None]:
    """Like ``_load_file``, one item at a time: a record file that its format streams (Parquet,
    or a CSV/TSV/JSONL file over ``readers.STREAM_BYTES``) is read from disk record by record,
    never whole (its digest is then ``None``: only whole files need one). ``wanted``: only these
    record numbers of a streamed file (a second read that fetches a few records). ``part``: one
    partition of a streamed file (``(start, stop, first record number)``: a byte range of a
    CSV/TSV/JSONL file or row groups of a Parquet file; see ``ingest.partition``)."""
    if rel.endswith("/"):  # a folder that could not be listed, or a link to one (see walk)
        return iter([(0, Skipped(rel, "unsupported" if full.is_symlink() else "unreadable",
                                 folder_problem(full)))]), None
    ext = full.suffix.lower()
    fmt = FORMATS.get(ext)
    if fmt is None:
        return iter([(0, Skipped(rel, "unsupported", f"'{ext or full.name}' files are not read "
                                 f"({supported_message()}); remove it or move it out of the "
                                 "folder"))]), None
    reader = READER_BY_FORMAT[fmt]
    try:
        st = full.stat()
        if not stat.S_ISREG(st.st_mode):
            return iter([(0, Skipped(rel, "unsupported", "not a regular file (a pipe, socket, "
                                     "device or folder); samey reads files only: move it out "
                                     "of the folder"))]), None
        size = st.st_size
        stream = reader.stream
        if stream is not None and (reader.streams(size) or part is not None):
            if size == 0:
                return iter([(0, Skipped(rel, "empty", "the file is empty; remove it or write "
                                         "its text"))]), None
            parsed = stream(full, rel, fmt, options, wanted, part)
            return _documents(parsed, full, rel, fmt, options, git_dates), None
        cap = None if reader.records else options.max_document_bytes
        data, cut, digest = read_head(full, cap)
    except OSError as e:
        return iter([(0, Skipped(rel, "unreadable", f"cannot read the file ({e.strerror or e}); "
                                 "check that it exists and that you may read it"))]), None
    return iter(_parse_file(data, full, rel, fmt, options, git_dates, cut)), digest


def read_head(full: Path, cap: int | None) -> tuple[bytes, bool, str]:
    """The file's bytes, at most ``cap`` of them (cut at a character boundary), whether it was
    cut, and the sha256 of the whole file (read in blocks past the cap: bounded memory)."""
    h = hashlib.sha256()
    with open(full, "rb") as fh:
        data = fh.read() if cap is None else fh.read(cap + 1)
        h.update(data)
        if cap is None or len(data) <= cap:
            return data, False, h.hexdigest()
        while block := fh.read(1 << 20):
            h.update(block)
    return cut_text_bytes(data[:cap]), True, h.hexdigest()


def _parse_file(
    data: bytes, full: Path, rel: str, fmt: str, options: IngestOptions, git_dates: dict[str, Any],
    cut: bool = False,
) -> list[tuple[int, Document | Skipped]]:
    """The documents and skipped records of one file's bytes."""
    if not data.strip():
        return [(0, Skipped(rel, "empty", "the file is empty; remove it or write its text"))]
    reader = READER_BY_FORMAT[fmt]
    if reader.binary:
        parsed = reader.read(data, "", rel, fmt, options)
    else:
        text = decode(data)
        if text is None:
            return [(0, Skipped(rel, "binary",
                                "not a text file; remove it or move it out of the folder"))]
        parsed = reader.read(data, text, rel, fmt, options)
    if cut:
        parsed = [replace(p, truncated=True) if isinstance(p, Parsed) else p for p in parsed]
    return list(_documents(parsed, full, rel, fmt, options, git_dates))


def _documents(
    parsed: Iterable[Parsed | Skipped], full: Path, rel: str, fmt: str, options: IngestOptions,
    git_dates: dict[str, Any],
) -> Iterator[tuple[int, Document | Skipped]]:
    """Reader output -> ``(record index, Document or Skipped)``: prose checks, date, segments."""
    reader = READER_BY_FORMAT[fmt]
    window = options.date_window()
    min_words = (min(options.min_words, options.min_record_words) if reader.short_records
                 else options.min_words)
    option = "min_record_words" if reader.short_records and min_words < options.min_words \
        else "min_words"
    for p in parsed:
        if isinstance(p, Skipped):
            index = int(p.path.rsplit("#", 1)[1]) if "#" in p.path[len(rel):] else 0
            yield index, p
            continue
        doc_id = f"{rel}#{p.index}" if p.index is not None else rel
        problem = _check(p, min_words, option)
        if problem:
            yield p.index or 0, Skipped(doc_id, *problem)
            continue
        date, source = _date(p, full, rel, options, git_dates)
        why = None
        if date is not None:
            lo, hi = window
            if not lo <= date <= hi:
                why = Skipped(doc_id, "implausible date", (
                    f"dated {date.isoformat()} ({source or 'content'}), outside the plausible "
                    f"dates {lo.isoformat()}..{hi.isoformat()} (from "
                    f"earliest_date={options.earliest_date} to {options.future_days} days after "
                    "today): a typo or a placeholder? Fix the date, or widen the window "
                    "(earliest_date, future_days under [ingest] in samey.toml)"))
                date, source = None, None
        else:
            note = p.date_note if p.index is not None else undated_note(
                p.meta, (options.date_field,) if options.date_field else FRONT_MATTER_KEYS,
                "front matter key", options.date_format)
            if note:
                why = Skipped(doc_id, "undated", note if p.index is not None else
                              f"{note}; or pass --date-from git or --date-from mtime")
        yield p.index or 0, Document(
            doc_id=doc_id, path=rel, text=p.text, title=p.title, date=date, date_source=source,
            segments=_segments(p.meta, rel, options), headings=p.headings, fmt=p.fmt or fmt,
            truncated=p.truncated, why_undated=why, source=_source(p.meta, options),
        )


def _check(p: Parsed, min_words: int, option: str = "min_words") -> tuple[str, str] | None:
    """``(reason, detail)`` when the parsed text is not usable prose, else ``None``."""
    if not p.text.strip():
        if p.raw_empty:
            return "empty", ("no text (only front matter or an empty field); "
                             "remove it or write its text")
        return "not prose", "nothing but markup or code is left once cleaned; nothing to audit"
    tokens = p.text.split()
    # isalpha() is a fast path: a token of letters only always matches _WORD
    words = sum(1 for t in tokens if t.isalpha() or _WORD.match(t))
    if words * 2 < len(tokens):
        return "not prose", (f"only {words} of {len(tokens)} tokens are words (code, data or "
                             "markup?); move it out of the folder if it is not copy")
    if words < min_words:
        if option == "min_record_words":
            return "too short", (f"{plural(words, 'word')}, fewer than "
                                 f"min_record_words={min_words} (the minimum for rows of tabular "
                                 "files); lower it with --min-record-words (or min_record_words "
                                 "in samey.toml) to include shorter rows")
        return "too short", (f"{plural(words, 'word')}, fewer than "
                             f"min_words={min_words}; lower it with --min-words (or min_words "
                             "in samey.toml) to include short texts")
    return None


def _date(
    p: Parsed, full: Path, rel: str, options: IngestOptions, git_dates: dict[str, Any]
) -> tuple[Any, str | None]:
    """The document's date and its source, in the order documented in ``dates``. A record (a
    row, an export or feed item) is dated by its reader only, never by its file's name."""
    if p.date is not None and (date := parse_date(p.date, options.date_format)) is not None:
        return date, p.date_source
    if p.index is None:
        keys = (options.date_field,) if options.date_field else FRONT_MATTER_KEYS
        date, source = date_from_mapping(p.meta, keys, "front-matter", options.date_format)
        if date is not None:
            return date, source
        if (date := date_from_path(rel)) is not None:
            return date, "filename"
    if options.date_from == "git" and rel in git_dates:
        return git_dates[rel], "git"
    if options.date_from == "mtime" and (date := date_from_mtime(full)) is not None:
        return date, "mtime"
    return None, None


def _segments(meta: dict[str, Any], rel: str, options: IngestOptions) -> tuple[str, ...]:
    """Segment labels of a document (see the module docstring)."""
    if options.segment_from == "folder":
        parts = rel.split("/")
        return _labels(parts[:1] if len(parts) > 1 else [])
    return field_labels(meta, options.segment_field)


def _source(meta: dict[str, Any], options: IngestOptions) -> str | None:
    """The document's source (``source_field``): its first label, read as a segment field is
    (see the module docstring); ``None`` without the field or a value."""
    labels = field_labels(meta, options.source_field)
    return labels[0] if labels else None


def field_labels(meta: dict[str, Any], name: str | None) -> tuple[str, ...]:
    """The labels under the front matter key or column ``name`` (matched as ``find_field``
    does): a list gives one label per item, a string is split on commas."""
    key = find_field(list(meta), name) if name else None
    if key is None:
        return ()
    value = meta[key]
    if isinstance(value, (list, tuple)):
        values: list[Any] = list(value)
    elif isinstance(value, str):
        values = value.split(",")
    else:
        values = [] if value is None else [value]
    return _labels(values)


def _labels(values: list[Any]) -> tuple[str, ...]:
    # Labels are compared case- and space-insensitively ("The Compiler Team" == "the compiler
    # team") and kept in lower case.
    labels = (" ".join(str(v).split()).casefold() for v in values if v is not None)
    return tuple(dict.fromkeys(label for label in labels if label))
