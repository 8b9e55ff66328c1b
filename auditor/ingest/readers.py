"""The format registry: the one place that maps file extensions to readers.

Each ``Format`` names a reader (file bytes -> ``Parsed`` documents or ``Skipped`` records), its
extensions, and whether it yields records (many documents per file, ``doc_id`` ``file#N``) and
short ones (ad exports: ``IngestOptions.min_record_words`` applies instead of ``min_words``).
``FORMATS`` (extension -> format name), ``SUPPORTED`` (the extensions, for the ``unsupported``
reason) and ``SUPPORTED_FORMATS`` (the formats in words, for "no documents found" messages) are
derived from ``REGISTRY``; add a format here and every message follows.

A format may also ``stream``: read the file from disk record by record (bounded memory) instead
of from its bytes. ``binary`` formats (Parquet) are always streamed; the others are streamed when
the file is larger than ``STREAM_BYTES`` (smaller files are read whole, which allows the
encoding fallbacks of ``walk.decode`` and whole-file checks).
"""
from __future__ import annotations

from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass
from pathlib import Path

from auditor.config import IngestOptions
from auditor.ingest.html import parse_html
from auditor.ingest.markdown import Parsed, parse_markdown, parse_text
from auditor.ingest.parquet import stream_parquet
from auditor.ingest.tabular import parse_tabular, stream_tabular
from auditor.ingest.xmlfeeds import parse_xml
from auditor.types import Skipped

Reader = Callable[[bytes, str, str, str, IngestOptions], list[Parsed | Skipped]]
# (path, rel, fmt, options, wanted record numbers or None, part or None) -> Parsed | Skipped,
# one at a time; a part is (start, stop, first record number): byte range or row groups
Streamer = Callable[[Path, str, str, IngestOptions, "Container[int] | None",
                     "tuple[int, int, int] | None"], Iterator[Parsed | Skipped]]

# Record files larger than this are streamed from disk (see the module docstring).
STREAM_BYTES = 32 * 2**20


@dataclass(frozen=True)
class Format:
    """A readable format: ``name`` (``Document.fmt``, unless the reader says better, as the XML
    reader does with ``wxr``/``rss``/``atom``), ``label`` for messages, ``extensions``
    (lower-case, with the dot), ``read(data, text, rel, fmt, options)``, ``records`` (one file,
    many documents), ``short_records`` (records are short copy: ad rows)."""

    name: str
    label: str
    extensions: tuple[str, ...]
    read: Reader
    records: bool = False
    short_records: bool = False
    stream: Streamer | None = None
    binary: bool = False

    def streams(self, size: int) -> bool:
        """Whether a file of ``size`` bytes is streamed rather than read whole."""
        return self.stream is not None and (self.binary or size > STREAM_BYTES)


def _markdown(data: bytes, text: str, rel: str, fmt: str,
              options: IngestOptions) -> list[Parsed | Skipped]:
    return [parse_markdown(text, rel, mdx=fmt == "mdx", title_key=options.title_field or "title")]


def _text(data: bytes, text: str, rel: str, fmt: str,
          options: IngestOptions) -> list[Parsed | Skipped]:
    return [parse_text(text, rel)]


def _html(data: bytes, text: str, rel: str, fmt: str,
          options: IngestOptions) -> list[Parsed | Skipped]:
    return [parse_html(text)]


def _tabular(data: bytes, text: str, rel: str, fmt: str,
             options: IngestOptions) -> list[Parsed | Skipped]:
    return parse_tabular(text, rel, fmt, options)


def _parquet(data: bytes, text: str, rel: str, fmt: str,
             options: IngestOptions) -> list[Parsed | Skipped]:
    import io

    return list(stream_parquet(io.BytesIO(data), rel, fmt, options))


def _xml(data: bytes, text: str, rel: str, fmt: str,
         options: IngestOptions) -> list[Parsed | Skipped]:
    # the bytes: the XML declaration names the encoding
    return parse_xml(data, rel, options.max_document_bytes)


REGISTRY: tuple[Format, ...] = (
    Format("markdown", "Markdown", (".md", ".markdown"), _markdown),
    Format("mdx", "MDX", (".mdx",), _markdown),
    Format("text", "text", (".txt",), _text),
    Format("html", "HTML", (".html", ".htm"), _html),
    Format("json", "JSON", (".json",), _tabular, records=True, short_records=True),
    Format("jsonl", "JSONL", (".jsonl", ".ndjson"), _tabular, records=True, short_records=True,
           stream=stream_tabular),
    Format("csv", "CSV", (".csv",), _tabular, records=True, short_records=True,
           stream=stream_tabular),
    Format("tsv", "TSV", (".tsv",), _tabular, records=True, short_records=True,
           stream=stream_tabular),
    Format("parquet", "Parquet", (".parquet", ".parq"), _parquet, records=True,
           short_records=True, stream=stream_parquet, binary=True),
    Format("xml", "WordPress export (WXR), RSS/Atom feed", (".xml", ".rss", ".atom", ".feed"),
           _xml, records=True),
)
READER_BY_FORMAT = {f.name: f for f in REGISTRY}
FORMATS = {ext: f.name for f in REGISTRY for ext in f.extensions}
SUPPORTED = ", ".join(sorted(FORMATS))
SUPPORTED_FORMATS = ", ".join(f.label for f in REGISTRY)
TABULAR = tuple(f.name for f in REGISTRY if f.short_records)


def supported_message() -> str:
    """``supported: <formats> (<extensions>)``, for messages that list what samey reads."""
    return f"supported: {SUPPORTED_FORMATS}; file extensions {SUPPORTED}"
