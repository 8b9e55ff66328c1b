"""Lines and CSV rows that lose nothing: the line sources and the CSV/TSV row reader of
``tabular``.

A **line source** gives ``(line, position after it, decoded cleanly)`` from any position:
:class:`TextLines` for a file read whole (positions are line indices), :class:`FileLines` for a
file streamed from disk (byte offsets; each line decoded as UTF-8 on its own, so a bad line is
flagged, not fatal). :class:`CsvRows` reads CSV/TSV rows from one with the ``csv`` module
(non-strict, so single-line sloppiness such as ``"Best" boots`` reads as it always did), and
checks every row that runs over several lines: the lines must parse as one strict CSV record
(a real multi-line cell). Otherwise the row began with a quote that never closes, which would
swallow the rows after it (up to the next quote, or the end of the file): that row is skipped
(``unreadable``, naming the row and the line) and reading resumes on the line after its
first. A cell over ``config.MAX_CELL_CHARS`` is treated the same way, so a broken file costs
bounded memory. Record numbers count non-blank rows, as ``csv.DictReader`` and
``ingest.partition.count_range`` do.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from auditor.config import MAX_CELL_CHARS
from auditor.types import Skipped


class TextLines:
    """The lines of a text in memory (split on ``\\n`` only, ends kept), read from a line
    index: the line source of :class:`CsvRows` for a file read whole."""

    def __init__(self, text: str) -> None:
        parts = text.split("\n")
        self.lines = [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
        self.start = 0

    def read_from(self, pos: int) -> Iterator[tuple[str, int, bool]]:
        """``(line, position after it, decoded cleanly)`` from position ``pos``."""
        for i in range(pos, len(self.lines)):
            yield self.lines[i], i + 1, True

    def between(self, a: int, b: int) -> str:
        return "".join(self.lines[a:b])


class FileLines:
    """The lines of a file's bytes ``[start, stop)``, decoded one by one as UTF-8 (a BOM at the
    file's start dropped; a line that is not UTF-8 is decoded with replacement characters and
    flagged), read from a byte offset: bounded memory, and a reader can go back to any line."""

    def __init__(self, path: Path, start: int = 0, stop: int | None = None) -> None:
        self.fh = open(path, "rb")  # noqa: SIM115 (closed by __exit__)
        self.start, self.stop = start, stop

    def __enter__(self) -> FileLines:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.fh.close()

    def read_from(self, pos: int) -> Iterator[tuple[str, int, bool]]:
        self.fh.seek(pos)
        while self.stop is None or pos < self.stop:
            raw = self.fh.readline() if self.stop is None else \
                self.fh.readline(self.stop - pos)
            if not raw:
                return
            if pos == 0 and raw.startswith(b"\xef\xbb\xbf"):
                raw_text = raw[3:]
            else:
                raw_text = raw
            pos += len(raw)
            try:
                yield raw_text.decode("utf-8"), pos, True
            except UnicodeDecodeError:
                yield raw_text.decode("utf-8", "replace"), pos, False

    def between(self, a: int, b: int) -> str:
        self.fh.seek(a)
        return self.fh.read(b - a).decode("utf-8", "replace")


class _Tracker:
    """The lines a ``csv.reader`` pulls, with where the current record started."""

    def __init__(self, source: TextLines | FileLines, pos: int, line: int) -> None:
        self.it = source.read_from(pos)
        self.pos, self.line = pos, line
        self.fresh = True
        self.start_pos = self.after_first = pos
        self.start_line, self.n_lines, self.ok = line + 1, 0, True

    def __iter__(self) -> _Tracker:
        return self

    def __next__(self) -> str:
        text, nxt, ok = next(self.it)
        if self.fresh:
            self.fresh = False
            self.start_pos, self.after_first, self.start_line = self.pos, nxt, self.line + 1
            self.n_lines, self.ok = 0, True
        self.line += 1
        self.n_lines += 1
        self.ok = self.ok and ok
        self.pos = nxt
        return text


class CsvRows:
    """Iterate ``(record number, cells or Skipped)`` over the data rows of a CSV/TSV line
    source; the first row is the header (``self.header``) unless one is given. See the module
    docstring for how a broken quote is recovered from."""

    def __init__(self, source: TextLines | FileLines, rel: str, fmt: str,
                 header: list[str] | None = None, first: int = 1) -> None:
        self.source, self.rel, self.header = source, rel, header
        self.delimiter = "\t" if fmt == "tsv" else ","
        self.first = first

    def __iter__(self) -> Iterator[tuple[int, list[str] | Skipped]]:
        pos, line, n = self.source.start, 0, self.first - 1
        old = csv.field_size_limit(MAX_CELL_CHARS)
        try:
            while True:
                track = _Tracker(self.source, pos, line)
                reader = csv.reader(track, delimiter=self.delimiter)
                resume = None
                try:
                    for row in reader:
                        if not row:  # a blank line is not a row
                            track.fresh = True
                            continue
                        broken = track.n_lines > 1 and not self._one_record(track)
                        if self.header is None and not broken:
                            self.header = row
                        else:
                            n += 1
                            if broken:
                                yield n, self._skip(n, track.start_line, "quote")
                                resume = track
                                break
                            yield n, (row if track.ok else
                                      self._skip(n, track.start_line, "utf8"))
                        track.fresh = True
                except csv.Error as e:
                    n += 1
                    yield n, self._skip(n, track.start_line, str(e))
                    resume = track
                if resume is None:
                    return
                pos, line = resume.after_first, resume.start_line
        finally:
            csv.field_size_limit(old)

    def _one_record(self, track: _Tracker) -> bool:
        """Whether the lines of the record just read are one strict CSV record."""
        text = self.source.between(track.start_pos, track.pos)
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter,
                                   strict=True))
        except csv.Error:
            return False
        return len([r for r in rows if r]) == 1

    def _skip(self, n: int, line: int, why: str) -> Skipped:
        if why == "quote":
            detail = (f"row {n} (line {line}) opens a quoted cell that does not close where "
                      "the row ends, so it would swallow the rows after it; the row is skipped "
                      "and the next line is read as a row: fix the quote (a quote inside a "
                      "quoted cell is written twice)")
        elif why == "utf8":
            detail = f"row {n} (line {line}) is not UTF-8 text; save the file as UTF-8"
        else:
            detail = f"row {n} (line {line}) cannot be parsed ({why}); fix the row"
        return Skipped(f"{self.rel}#{n}", "unreadable", detail)


def csv_dicts(source: TextLines | FileLines, rel: str, fmt: str,
              header: list[str] | None = None, first: int = 1) -> _Dicts:
    """``(record number, {column: cell} or Skipped)`` for each data row (cells missing at the
    end are ``None``, as ``csv.DictReader`` gives them); a row with more cells than the header
    is skipped as ``unreadable``. ``.header``: the columns, once the first row is read."""
    return _Dicts(CsvRows(source, rel, fmt, header, first), rel)


class _Dicts:
    def __init__(self, rows: CsvRows, rel: str) -> None:
        self.rows, self.rel = rows, rel

    @property
    def header(self) -> list[str] | None:
        return self.rows.header

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any] | Skipped]]:
        for n, row in self.rows:
            if isinstance(row, Skipped):
                yield n, row
                continue
            header = self.rows.header or []
            if len(row) > len(header):
                yield n, Skipped(f"{self.rel}#{n}", "unreadable",
                                 f"row {n} has more cells than the header; quote cells that "
                                 "contain the delimiter")
            else:
                yield n, dict(zip(header, list(row) + [None] * (len(header) - len(row))))
