"""Publication dates of documents.

A document's date is the first of these that gives a valid date (years 1990..2100):

1. **Content.** Markdown front matter keys, in this order: ``date, publishDate, publish_date,
   published, pubDate, published_at, datePublished, created, created_at`` (keys match
   case-insensitively; ``IngestOptions.date_field`` replaces the list when given); source
   ``front-matter:<key>``. A record of a tabular file uses its date column (``field:<key>``), an
   HTML page its meta tags as read by trafilatura (``meta:date``). Values may be YAML dates,
   ISO strings (``2024-05-01``, ``2024-05-01T10:00:00Z``, ``2024-05-01 10:00``), ``YYYY-MM``
   (first of the month), RFC 2822 (``Wed, 01 May 2024 10:00:00 +0000``), ``May 1, 2024``,
   ``YYYYMMDD`` or unix timestamps in seconds or milliseconds (UTC). Times are dropped, keeping
   the date as written.
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

FRONT_MATTER_KEYS = (
    "date", "publishDate", "publish_date", "published", "pubDate", "published_at",
    "datePublished", "created", "created_at",
)
MIN_YEAR, MAX_YEAR = 1990, 2100

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
    if 19900101 <= x <= 21001231 and x == int(x):  # YYYYMMDD
        s = str(int(x))
        if (date := _make(s[:4], s[4:6], s[6:])) is not None:
            return date
    if x > 1e11:  # milliseconds
        x /= 1000.0
    try:
        date = dt.datetime.fromtimestamp(x, dt.timezone.utc).date()
    except (OverflowError, OSError, ValueError):
        return None
    return date if MIN_YEAR <= date.year <= MAX_YEAR else None


def parse_date(value: Any) -> dt.date | None:
    """A date from a front matter / field value, or ``None`` when it is not a valid date."""
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
    mapping: Mapping[str, Any], keys: Iterable[str], prefix: str
) -> tuple[dt.date | None, str | None]:
    """The first valid date under ``keys`` (matched case-insensitively), with its source
    ``<prefix>:<key as written in the mapping>``."""
    lower = {str(k).lower(): k for k in mapping}
    for key in keys:
        real = key if key in mapping else lower.get(key.lower())
        if real is not None and (date := parse_date(mapping[real])) is not None:
            return date, f"{prefix}:{real}"
    return None, None


def date_from_path(rel_path: str) -> dt.date | None:
    """A date in the file or folder names of ``rel_path`` (posix), nearest the file name first."""
    stem = rel_path.rsplit(".", 1)[0] if "." in rel_path.rsplit("/", 1)[-1] else rel_path
    for pattern in (_PATH_YMD, _PATH_COMPACT, _PATH_YM):
        for m in reversed(list(pattern.finditer(stem))):
            if (date := _make(*m.groups())) is not None:
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
