"""Plain, frozen input types shared by every stage (ingest -> features -> metrics -> judge ->
render); the typed results of the commands are in ``auditor.results``.

Nothing here imports from the rest of the package.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

SCHEMA_VERSION = "1.0"


def json_safe(x: Any) -> Any:
    """Plain JSON data: NaN and infinities become ``None`` (they are not JSON), numpy scalars
    Python numbers, tuples lists, keys strings. Used by every JSON writer (outputs, history).

    >>> json_safe({"a": float("nan"), "b": (1, 2.5)})
    {'a': None, 'b': [1, 2.5]}
    """
    if isinstance(x, float):
        return None if math.isnan(x) or math.isinf(x) else x
    if isinstance(x, Mapping):
        return {str(k): json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [json_safe(v) for v in x]
    if hasattr(x, "item") and callable(x.item):  # numpy scalars
        return json_safe(x.item())
    return x

#: A verdict, from least to most samey (audit periods, check drafts, report months).
Status = Literal["ok", "watch", "samey"]
STATUSES: tuple[Status, ...] = ("ok", "watch", "samey")
RANK: dict[str, int] = {s: i for i, s in enumerate(STATUSES)}
#: A period of an audit: judged (a Status), in the baseline, before it, or set aside by Phase I.
PeriodStatus = Literal["ok", "watch", "samey", "baseline", "before", "set aside"]


def worst(statuses: Iterable[Status], default: Status = "ok") -> Status:
    """The most samey of ``statuses`` (``default`` when there is none).

    >>> worst(["ok", "samey", "watch"])
    'samey'
    """
    return max(statuses, key=RANK.__getitem__, default=default)


@dataclass(frozen=True)
class Document:
    """One piece of copy: a file, or one record/row of a tabular file.

    ``text`` is prose only (no front matter, code, markup or link targets); paragraphs are
    separated by blank lines. ``headings`` holds ``(level, text)`` pairs in document order.
    ``date_source`` says where the date came from (``front-matter:date``, ``field:date``,
    ``filename``, ``git``, ``mtime``) or is ``None`` for an undated document.
    """

    doc_id: str
    path: str
    text: str
    title: str | None = None
    date: dt.date | None = None
    date_source: str | None = None
    segments: tuple[str, ...] = ()
    headings: tuple[tuple[int, str], ...] = ()
    fmt: str = "text"
    # doc_id of the first publication of the same body when this document republishes it under a
    # later date (a repost, see ``auditor.ingest``); ``None`` for a first publication.
    repost_of: str | None = None
    # True when the document was longer than ``IngestOptions.max_document_bytes`` and only its
    # first part was read (the audit notes it).
    truncated: bool = False
    # Why an undated document has no date: the ``Skipped`` entry an audit lists for it
    # (``undated``, naming the value that is not a date and the option that reads it, or
    # ``implausible date`` for a date outside the plausible window); ``None``: nothing to say
    # beyond the default reason.
    why_undated: Skipped | None = None
    # who or what wrote it (``IngestOptions.source_field``: an author, tool, agency or channel),
    # lower-cased as segment labels are; ``None`` when the field is not asked for or missing
    source: str | None = None


@dataclass(frozen=True)
class Skipped:
    """An input that was not analysed, with a short reason code and a human explanation."""

    path: str
    # unreadable | binary | empty | undated | implausible date | not prose | too short |
    # duplicate | unsupported | not published
    reason: str
    detail: str = ""


@dataclass(frozen=True)
class Estimate:
    """A metric value with a 95% interval (``low``..``high``) and its standard error."""

    value: float
    low: float
    high: float
    se: float = float("nan")

    def to_dict(self) -> dict[str, float]:
        return {"value": self.value, "low": self.low, "high": self.high, "se": self.se}


@dataclass(frozen=True)
class Period:
    """A time window and the indices (into the audited document list) of its documents."""

    label: str
    start: dt.date
    end: dt.date  # inclusive
    doc_indices: tuple[int, ...]
    is_baseline: bool = False

    @property
    def n_docs(self) -> int:
        return len(self.doc_indices)
