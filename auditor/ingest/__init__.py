"""Ingestion: files -> ``Document``s and ``Skipped`` inputs.

``load_documents(path, options)`` reads a folder (recursively; see ``walk``) or a single file.
Every file ends in exactly one of the two lists, except tabular files, whose records are listed
one by one (``doc_id`` ``file.csv#N``). Each input goes through, in order:

1. format by extension (``unsupported`` otherwise), reading (``unreadable``), decoding
   (``binary``), nothing to read (``empty``);
2. the format's reader (``markdown``, ``html``, ``tabular``) -> prose text, title, headings;
3. prose checks: nothing but markup/code, or under half the tokens alphabetic words
   (``not prose``); fewer than ``min_words`` words (``too short``);
4. date (see ``dates``) and segments;
5. a whole file whose text is the same as an earlier document's, in (path, record) order
   (``duplicate``: a copy of a file). Records of tabular files that repeat earlier copy are
   kept: re-running the same ad text is a content decision the duplication layer should see.

Segments: with ``segment_from="field"``, the value of ``segment_field`` (front matter key or
column): a list gives one label per item, a string is split on commas (so ``"a, b"`` -> ``a``,
``b``). With ``segment_from="folder"``, the first folder below the root (none for files at the
root). Labels are stripped; empty ones dropped, duplicates removed, order kept.

Undated documents are returned with ``date=None``; the audit lists them later.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import IngestOptions
from ..errors import InputError
from ..progress import progress_iter
from ..types import Document, Skipped
from .dates import (
    FRONT_MATTER_KEYS,
    date_from_mapping,
    date_from_mtime,
    date_from_path,
    git_first_added,
    parse_date,
)
from .html import parse_html
from .markdown import Parsed, parse_markdown, parse_text
from .tabular import find_field, parse_tabular
from .walk import FORMATS, SUPPORTED, decode, iter_files

__all__ = ["IngestResult", "load_documents"]

TABULAR = ("json", "jsonl", "csv", "tsv")
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
    files = iter_files(root)
    git_dates: dict[str, Any] = {}
    if options.date_from == "git":
        git_dates = git_first_added(root if root.is_dir() else root.parent, [r for _, r in files])
    items: list[tuple[tuple[str, int], Document | Skipped]] = []
    for full, rel in progress_iter(files, total=len(files), description="Reading files",
                                   enabled=progress):
        for index, item in _load_file(full, rel, options, git_dates):
            items.append(((rel, index), item))
    items.sort(key=lambda kv: kv[0])
    documents, skipped, seen = [], [], {}
    for (_, index), item in items:
        if isinstance(item, Skipped):
            skipped.append(item)
            continue
        key = " ".join(item.text.split())
        if key in seen and index == 0:
            skipped.append(Skipped(item.doc_id, "duplicate",
                                   f"same text as {seen[key]}; remove one of the copies"))
        else:
            seen.setdefault(key, item.doc_id)
            documents.append(item)
    return IngestResult(documents, skipped)


def _load_file(
    full: Path, rel: str, options: IngestOptions, git_dates: dict[str, Any]
) -> list[tuple[int, Document | Skipped]]:
    """``(record index, Document or Skipped)`` for one file (index 0 for a whole file)."""
    ext = full.suffix.lower()
    fmt = FORMATS.get(ext)
    if fmt is None:
        return [(0, Skipped(rel, "unsupported", f"'{ext or full.name}' files are not read "
                            f"(supported: {SUPPORTED}); remove it or move it out of the folder"))]
    try:
        data = full.read_bytes()
    except OSError as e:
        return [(0, Skipped(rel, "unreadable", f"cannot read the file ({e.strerror or e}); "
                            "check that it exists and that you may read it"))]
    if not data.strip():
        return [(0, Skipped(rel, "empty", "the file is empty; remove it or write its text"))]
    text = decode(data)
    if text is None:
        return [(0, Skipped(rel, "binary",
                            "not a text file; remove it or move it out of the folder"))]
    if fmt in TABULAR:
        parsed: list[Parsed | Skipped] = parse_tabular(text, rel, fmt, options)
    elif fmt == "html":
        parsed = [parse_html(text)]
    elif fmt == "text":
        parsed = [parse_text(text, rel)]
    else:
        parsed = [parse_markdown(text, rel, mdx=fmt == "mdx",
                                 title_key=options.title_field or "title")]
    out: list[tuple[int, Document | Skipped]] = []
    for p in parsed:
        if isinstance(p, Skipped):
            index = int(p.path.rsplit("#", 1)[1]) if "#" in p.path[len(rel):] else 0
            out.append((index, p))
            continue
        doc_id = f"{rel}#{p.index}" if p.index is not None else rel
        problem = _check(p, options.min_words)
        if problem:
            out.append((p.index or 0, Skipped(doc_id, *problem)))
            continue
        date, source = _date(p, full, rel, fmt, options, git_dates)
        out.append((p.index or 0, Document(
            doc_id=doc_id, path=rel, text=p.text, title=p.title, date=date, date_source=source,
            segments=_segments(p.meta, rel, options), headings=p.headings, fmt=fmt,
        )))
    return out


def _check(p: Parsed, min_words: int) -> tuple[str, str] | None:
    """``(reason, detail)`` when the parsed text is not usable prose, else ``None``."""
    if not p.text.strip():
        if p.raw_empty:
            return "empty", ("no text (only front matter or an empty field); "
                             "remove it or write its text")
        return "not prose", "nothing but markup or code is left once cleaned; nothing to audit"
    tokens = p.text.split()
    words = sum(1 for t in tokens if _WORD.match(t))
    if words * 2 < len(tokens):
        return "not prose", (f"only {words} of {len(tokens)} tokens are words (code, data or "
                             "markup?); move it out of the folder if it is not copy")
    if words < min_words:
        return "too short", (f"{words} words, fewer than min_words={min_words}; lower min_words "
                             "to include short texts")
    return None


def _date(
    p: Parsed, full: Path, rel: str, fmt: str, options: IngestOptions, git_dates: dict[str, Any]
) -> tuple[Any, str | None]:
    """The document's date and its source, in the order documented in ``dates``."""
    if p.date is not None and (date := parse_date(p.date)) is not None:
        return date, p.date_source
    if fmt not in TABULAR:
        keys = (options.date_field,) if options.date_field else FRONT_MATTER_KEYS
        date, source = date_from_mapping(p.meta, keys, "front-matter")
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
        values: list[Any] = parts[:1] if len(parts) > 1 else []
    elif options.segment_field and (key := find_field(list(meta), options.segment_field)):
        value = meta[key]
        if isinstance(value, (list, tuple)):
            values = list(value)
        elif isinstance(value, str):
            values = value.split(",")
        else:
            values = [] if value is None else [value]
    else:
        values = []
    # Labels are compared case- and space-insensitively ("The Compiler Team" == "the compiler
    # team") and kept in lower case.
    labels = (" ".join(str(v).split()).casefold() for v in values if v is not None)
    return tuple(dict.fromkeys(label for label in labels if label))
