"""Publication dates of documents.

A document's date is the first of these that gives a valid date (any year of
``config.PARSE_YEARS``; a date outside the plausible window, ``IngestOptions.date_window``, is
then skipped by ``auditor.ingest`` as ``implausible date``, never taken as undated):

1. **Content.** Markdown front matter keys, in this order: ``date, publishDate, publish_date,
   published, pubDate, published_at, datePublished, created, created_at`` (keys match
   case-insensitively; ``IngestOptions.date_field`` replaces the list when given); source
   ``front-matter:<key>``. A record of a tabular file uses its date column (``field:<key>``), an
   HTML page its meta tags as read by trafilatura (``meta:date``). Values may be YAML dates,
   ISO strings (``2024-05-01``, ``2024-05-01T10:00:00Z``, ``2024-05-01 10:00``), ``YYYY-MM``
   (first of the month), RFC 2822 (``Wed, 01 May 2024 10:00:00 +0000``), ``May 1, 2024``,
   ``YYYYMMDD`` or unix timestamps in seconds or milliseconds (UTC). Times are dropped, keeping
   the date as written. ``IngestOptions.date_format`` (``--date-format %m/%d/%Y``) is tried
   first on text values: day-first and month-first dates are never guessed. A value that is
   there but is no date gives the document a ``date_note`` (:func:`undated_note`) naming the
   value and the option that reads it.
2. **File or folder name** (not for records of tabular files): ``2024-05-01-slug.md``,
   ``20240501-slug.md``, ``2024/05/01/slug.md``, ``2024/05/slug.md`` and ``2024-05/slug.md``
   (day 1); the match nearest the file name wins, full dates before year-month. A lone 4-digit
   number is never a date. Source ``filename``.
3. **Git**, only with ``date_from="git"``: the author date of the commit that first added the file
   (one ``git log`` for the whole tree, then ``git log --follow`` for files renamed since). Outside
   a git repository, or for untracked files, nothing. Source ``git``.
4. **Modification time**, only with ``date_from="mtime"`` (UTC date). Source ``mtime``.

Otherwise the document is undated (``date=None``, ``date_source=None``).
"""
from __future__ import annotations

import datetime as dt
import email.utils
import functools
import re
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from auditor.config import EPOCH_MS_FROM, EPOCH_SECONDS_FROM, PARSE_YEARS, PATH_YEARS

FRONT_MATTER_KEYS = (
    "date", "publishDate", "publish_date", "published", "pubDate", "published_at",
    "datePublished", "created", "created_at",
)
MIN_YEAR, MAX_YEAR = PARSE_YEARS
#: Formats offered in messages when a date value does not parse (the ones that read it).
SUGGESTED_FORMATS = ("%m/%d/%Y", "%d/%m/%Y", "%m/%d/%y", "%d/%m/%y", "%d.%m.%Y", "%d.%m.%y",
                     "%d-%m-%Y", "%m-%d-%Y", "%Y/%m/%d", "%Y.%m.%d", "%d %m %Y",
                     "%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M", "%m/%d/%Y %I:%M %p",
                     "%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d.%m.%Y %H:%M",
                     "%b %d %Y", "%d-%b-%Y", "%d-%b-%y", "%Y%m%d %H%M%S")

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s_])")
_SLASHED = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_YEAR_MONTH = re.compile(r"^(\d{4})[-/](\d{1,2})$")
_TEXT_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y")

# Dates in paths: separators - _ / . between parts, never inside a longer run of digits.
_PATH_YMD = re.compile(r"(?<!\d)(\d{4})[-_/.](\d{2})[-_/.](\d{2})(?!\d)")
_PATH_COMPACT = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")
_PATH_YM = re.compile(r"(?<!\d)(\d{4})[-_/](\d{2})(?![\d])")


def _make(y: int | str, m: int | str, d: int | str = 1) -> dt.date | None:
    try:
        date = dt.date(int(y), int(m), int(d))
    except ValueError:
        return None
    return date if MIN_YEAR <= date.year <= MAX_YEAR else None


def _from_number(x: float) -> dt.date | None:
    if MIN_YEAR * 10**4 + 101 <= x <= MAX_YEAR * 10**4 + 1231 and x == int(x):  # YYYYMMDD
        s = str(int(x))
        if (date := _make(s[:4], s[4:6], s[6:])) is not None:
            return date
    if x < EPOCH_SECONDS_FROM:  # a year, a count, 0: not a timestamp
        return None
    if x >= EPOCH_MS_FROM:  # milliseconds
        x /= 1000.0
    try:
        date = dt.datetime.fromtimestamp(x, dt.timezone.utc).date()
    except (OverflowError, OSError, ValueError):
        return None
    return date if MIN_YEAR <= date.year <= MAX_YEAR else None


def parse_date(value: Any, fmt: str | None = None) -> dt.date | None:
    """A date from a front matter / field value, or ``None`` when it is not a valid date.
    ``fmt``: a ``strptime`` pattern tried first on a text value (``--date-format``).

    >>> parse_date("03/04/2024"), parse_date("03/04/2024", "%m/%d/%Y")
    (None, datetime.date(2024, 3, 4))
    """
    if fmt and isinstance(value, str):
        try:
            return parse_date(dt.datetime.strptime(value.strip(), fmt))
        except ValueError:
            pass
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value if MIN_YEAR <= value.year <= MAX_YEAR else None
    if isinstance(value, (int, float)):
        return _from_number(float(value))
    if not isinstance(value, str):
        return None
    return _parse_date_text(value)


@functools.lru_cache(maxsize=4096)  # a large export repeats the same few hundred dates
def _parse_date_text(value: str) -> dt.date | None:
    # not a threshold: a text, not a date
    if len(value) > 100:  # a text, not a date
        return None
    s = value.strip()
    if not s:
        return None
    if re.fullmatch(r"\d{8,13}(\.\d+)?", s):
        return _from_number(float(s))
    for pattern in (_ISO, _SLASHED, _YEAR_MONTH):
        if m := pattern.match(s):
            return _make(*m.groups())
    try:
        return parse_date(email.utils.parsedate_to_datetime(s))
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in _TEXT_FORMATS:
        try:
            return parse_date(dt.datetime.strptime(s, fmt))
        except ValueError:
            continue
    return None


def date_from_mapping(
    mapping: Mapping[str, Any], keys: Iterable[str], prefix: str, fmt: str | None = None
) -> tuple[dt.date | None, str | None]:
    """The first valid date under ``keys`` (matched case-insensitively), with its source
    ``<prefix>:<key as written in the mapping>``."""
    lower = {str(k).lower(): k for k in mapping}
    for key in keys:
        real = key if key in mapping else lower.get(key.lower())
        if real is not None and (date := parse_date(mapping[real], fmt)) is not None:
            return date, f"{prefix}:{real}"
    return None, None


def suggest_formats(value: str) -> list[str]:
    """The ``SUGGESTED_FORMATS`` that read ``value`` as a date.

    >>> suggest_formats("03/24/2024"), suggest_formats("03/04/2024")
    (['%m/%d/%Y'], ['%m/%d/%Y', '%d/%m/%Y'])
    """
    out = []
    for fmt in SUGGESTED_FORMATS:
        try:
            if parse_date(dt.datetime.strptime(value.strip(), fmt)) is not None:
                out.append(fmt)
        except ValueError:
            continue
    return out


def undated_note(mapping: Mapping[str, Any], keys: Iterable[str], where: str,
                 fmt: str | None = None) -> str | None:
    """Why a mapping (front matter, a record) under ``keys`` gives no date although it has a
    value there (the value shown, and the option that reads it), or ``None`` when no key holds
    a value (the caller says which keys were looked for)."""
    lower = {str(k).lower(): k for k in mapping}
    for key in keys:
        real = key if key in mapping else lower.get(key.lower())
        value = mapping.get(real) if real is not None else None
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        shown = " ".join(str(value).split())[:40]
        if fmt:
            return (f"its {where} '{real}' is '{shown}', which --date-format {fmt} does not "
                    "read; fix the value or the format")
        formats = suggest_formats(str(value)) if isinstance(value, str) else []
        hint = (f" (e.g. --date-format {' or '.join(formats[:2])})" if formats else
                " (a strptime pattern such as %d/%m/%Y)")
        return (f"its {where} '{real}' is '{shown}', which is not a date samey reads on its "
                f"own; give its format with --date-format{hint}")
    return None


def date_from_path(rel_path: str) -> dt.date | None:
    """A date in the file or folder names of ``rel_path`` (posix), nearest the file name first."""
    stem = rel_path.rsplit(".", 1)[0] if "." in rel_path.rsplit("/", 1)[-1] else rel_path
    for pattern in (_PATH_YMD, _PATH_COMPACT, _PATH_YM):
        for m in reversed(list(pattern.finditer(stem))):
            if (date := _make(*m.groups())) is not None and \
                    PATH_YEARS[0] <= date.year <= PATH_YEARS[1]:
                return date
    return None


def date_from_mtime(path: Path) -> dt.date | None:
    """The UTC date of the file's modification time, or ``None`` if it cannot be read."""
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc).date()
    except (OSError, OverflowError, ValueError):
        return None


def _git(cwd: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args], cwd=cwd, capture_output=True,
            text=True, encoding="utf-8", errors="replace", timeout=300, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 else None


def git_first_added(root: Path, rel_paths: Iterable[str]) -> dict[str, dt.date]:
    """Author date of the commit that first added each file, keyed by ``rel_paths`` entries
    (posix, relative to ``root``, a folder). Missing keys: untracked, or not a git repository."""
    wanted = set(rel_paths)
    if not wanted or _git(root, "rev-parse", "--is-inside-work-tree") is None:
        return {}
    found: dict[str, dt.date] = {}
    out = _git(root, "log", "--diff-filter=A", "--name-only", "--relative", "--format=@@%aI",
               "--", ".")
    current: dt.date | None = None
    for line in (out or "").splitlines():
        if line.startswith("@@"):
            current = parse_date(line[2:12])
        elif line and current is not None and line in wanted:
            found[line] = current  # log is newest first: the last seen is the first added
    tracked = set((_git(root, "ls-files", "-z", "--", ".") or "").split("\0"))
    for rel in sorted((wanted & tracked) - set(found)):  # renamed since they were added
        log = _git(root, "log", "--diff-filter=A", "--follow", "--format=%aI", "--", rel)
        lines = (log or "").split()
        if lines and (date := parse_date(lines[-1][:10])) is not None:
            found[rel] = date
    return found
