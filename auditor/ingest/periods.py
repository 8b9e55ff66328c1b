"""Group dated documents into periods and choose the baseline.

Rules (also in the README):

* ``month``, ``quarter``, ``year``: calendar periods labelled ``2025-03``, ``2025-Q1``, ``2025``.
* ``auto``: the finest of month, quarter, year whose periods hold at least ``min_docs`` documents
  in the median period, over the whole span or over its recent periods (the last third, at
  least three: ``config.AUTO_RECENT_SHARE``), and that gives at least two periods after
  merging; ``year`` when none does. When only the recent periods qualify, a note says so (the
  sparse early periods are merged as below).
* Sparse periods (fewer than ``min_docs``, including empty ones in a gap) are merged into the
  following period (the last one into the previous), never dropped; a merged period is labelled
  ``FIRST..LAST``.
* Small periods (``merge_small``): a period with fewer than ``max(2 * MIN_SAMPLE, median / 2)``
  documents (10 by default) is merged into the following one (the last into the previous one),
  with a note, so that one tiny
  period never shrinks every period's sample and no sample reaches its period's size.
* Baseline by default: the first third of the periods (rounded up), at least two when there are
  four or more periods, always leaving at least one period to compare. ``--baseline START..END``
  picks the periods that fall inside START..END (labels or dates: ``2019``, ``2019-Q2``,
  ``2019-05``, ``2019-05-01``).
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import median

from auditor.config import AUTO_RECENT_MIN, AUTO_RECENT_SHARE, BASELINE_TWO_FROM
from auditor.errors import UsageError
from auditor.progress import plural
from auditor.types import Period

GRANULARITIES = ("month", "quarter", "year")


def period_key(d: dt.date, granularity: str) -> tuple[int, int]:
    """(year, index) of the calendar period holding ``d``."""
    if granularity == "month":
        return d.year, d.month
    if granularity == "quarter":
        return d.year, (d.month - 1) // 3 + 1
    return d.year, 1


def _bounds(key: tuple[int, int], granularity: str) -> tuple[dt.date, dt.date, str]:
    y, i = key
    if granularity == "month":
        start, label = dt.date(y, i, 1), f"{y}-{i:02d}"
        nxt = dt.date(y + (i == 12), i % 12 + 1, 1)
    elif granularity == "quarter":
        start, label = dt.date(y, 3 * i - 2, 1), f"{y}-Q{i}"
        nxt = dt.date(y + (i == 4), (3 * i) % 12 + 1, 1)
    else:
        start, label, nxt = dt.date(y, 1, 1), f"{y}", dt.date(y + 1, 1, 1)
    return start, nxt - dt.timedelta(days=1), label


def _next_key(key: tuple[int, int], granularity: str) -> tuple[int, int]:
    y, i = key
    top = {"month": 12, "quarter": 4, "year": 1}[granularity]
    return (y + 1, 1) if i == top else (y, i + 1)


def calendar_periods(dates: Sequence[dt.date | None], granularity: str) -> list[Period]:
    """Every calendar period from the first to the last date (empty ones included)."""
    keyed: dict[tuple[int, int], list[int]] = {}
    for idx, d in enumerate(dates):
        if d is not None:
            keyed.setdefault(period_key(d, granularity), []).append(idx)
    if not keyed:
        return []
    key, last, out = min(keyed), max(keyed), []
    while key <= last:
        start, end, label = _bounds(key, granularity)
        out.append(Period(label, start, end, tuple(keyed.get(key, ()))))
        key = _next_key(key, granularity)
    return out


def _group_sparse(sizes: Sequence[int], min_docs: int) -> list[list[int]]:
    """Positions of consecutive periods grouped so that each group holds at least ``min_docs``
    documents (a short tail joins the previous group), without leading or trailing empty
    periods: the rule of :func:`merge_sparse`, on sizes alone."""
    merged: list[list[int]] = []
    pending: list[int] = []
    for i in range(len(sizes)):
        pending.append(i)
        if sum(sizes[j] for j in pending) >= min_docs:
            merged.append(pending)
            pending = []
    if pending:
        if merged:
            merged[-1].extend(pending)
        else:
            merged.append(pending)
    out = []
    for group in merged:
        while len(group) > 1 and sizes[group[-1]] == 0:  # trailing empty periods carry nothing
            group = group[:-1]
        while len(group) > 1 and sizes[group[0]] == 0:
            group = group[1:]
        out.append(group)
    return out


def _merged_label(labels: Sequence[str]) -> str:
    return labels[0] if len(labels) == 1 else \
        f"{labels[0].split('..')[0]}..{labels[-1].split('..')[-1]}"


def merge_sparse(periods: list[Period], min_docs: int) -> list[Period]:
    """Merge periods with fewer than ``min_docs`` documents into the following one (the last
    into the previous one). Documents are never dropped."""
    out = []
    for group in _group_sparse([p.n_docs for p in periods], min_docs):
        ps = [periods[i] for i in group]
        idx = tuple(i for q in ps for i in q.doc_indices)
        out.append(Period(_merged_label([q.label for q in ps]), ps[0].start, ps[-1].end, idx))
    return out


def merge_small(periods: list[Period], *, min_sample: int = 5) -> tuple[list[Period], list[str]]:
    """Merge periods too small to sample (see the module docstring); returns the periods and a
    plain-words note for each merge.

    >>> import datetime as dt
    >>> d = dt.date(2025, 1, 1)
    >>> ps = [Period(f"p{i}", d, d, tuple(range(n))) for i, n in enumerate([30, 4, 28, 31])]
    >>> [(p.label, p.n_docs) for p in merge_small(ps)[0]]
    [('p0', 30), ('p1..p2', 32), ('p3', 31)]
    """
    if len(periods) < 2:
        return periods, []
    _, note = _small_groups([p.n_docs for p in periods], [p.label for p in periods],
                            min_sample)
    if not note:
        return periods, []
    return merge_sparse(periods, _small_threshold([p.n_docs for p in periods], min_sample)), \
        [note]


def _small_threshold(sizes: Sequence[int], min_sample: int) -> int:
    return max(2 * min_sample, math.ceil(median(sizes) / 2))


def _small_groups(sizes: Sequence[int], labels: Sequence[str],
                  min_sample: int) -> tuple[list[list[int]], str | None]:
    """The grouping and note of :func:`merge_small`, on sizes and labels alone."""
    if len(sizes) < 2:
        return [[i] for i in range(len(sizes))], None
    threshold = _small_threshold(sizes, min_sample)
    small = [(label, n) for label, n in zip(labels, sizes) if n < threshold]
    if not small:
        return [[i] for i in range(len(sizes))], None
    # not a threshold: how many periods a note lists
    more = f" and {len(small) - 6} more" if len(small) > 6 else ""
    shown = ", ".join(f"{label} ({n})" for label, n in small[:6]) + more
    n = len(small)
    note = (f"{plural(n, 'period')} with fewer than {threshold} documents "
            f"({shown}) {'were' if n != 1 else 'was'} merged with a neighbouring period (the "
            "next, or for the last period the previous one): a period must hold "
            f"at least {threshold} documents (twice the smallest sample of {min_sample}, and at "
            "least half the median period) to be compared.")
    return _group_sparse(sizes, threshold), note


def _auto_fit(sizes: Sequence[int], min_docs: int) -> str | None:
    """``"whole"`` when the median period holds ``min_docs``, ``"recent"`` when only the median
    of the recent periods does (see the module docstring), else ``None``."""
    if median(sizes) >= min_docs:
        return "whole"
    k = max(AUTO_RECENT_MIN, math.ceil(len(sizes) * AUTO_RECENT_SHARE))
    if len(sizes) > k and median(sizes[-k:]) >= min_docs:
        return "recent"
    return None


def _recent_note(gran: str, sizes: Sequence[int], min_docs: int) -> str:
    k = max(AUTO_RECENT_MIN, math.ceil(len(sizes) * AUTO_RECENT_SHARE))
    return (f"Periods are {gran}s because the recent ones are full: the last "
            f"{plural(k, gran)} hold a median of {median(sizes[-k:]):g} posts, while over the "
            f"whole history the median {gran} holds {median(sizes):g}; earlier {gran}s with "
            f"fewer than {min_docs} posts were merged with the next, so that a recent change "
            f"is judged {gran} by {gran} rather than averaged into one long period.")


def make_periods(dates: Sequence[dt.date | None], *, period: str = "auto",
                 min_docs: int = 20) -> tuple[list[Period], str]:
    """Periods for the dated documents and the granularity used (see module docstring)."""
    if period != "auto":
        return merge_sparse(calendar_periods(dates, period), min_docs), period
    for gran in GRANULARITIES:
        cal = calendar_periods(dates, gran)
        if not cal:
            return [], gran
        merged = merge_sparse(cal, min_docs)
        if _auto_fit([p.n_docs for p in cal], min_docs) and len(merged) >= 2:
            return merged, gran
    return merge_sparse(calendar_periods(dates, "year"), min_docs), "year"


_SPEC = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(\d{1,2}))(?:-(\d{1,2}))?)?$")


def parse_bound(text: str, *, end: bool) -> dt.date:
    """``2019`` / ``2019-Q2`` / ``2019-05`` / ``2019-05-01`` -> first (or last) day it covers."""
    m = _SPEC.match(text.strip())
    if not m:
        raise UsageError(
            f"--baseline: cannot read '{text}'; use START..END with years, quarters, months or "
            "dates, e.g. 2019..2020, 2024-Q1..2024-Q2, 2025-01..2025-03."
        )
    y, q, mo, d = m.groups()
    y = int(y)
    try:
        if d:
            return dt.date(y, int(mo), int(d))
        if mo:
            key, gran = (y, int(mo)), "month"
        elif q:
            key, gran = (y, int(q)), "quarter"
        else:
            key, gran = (y, 1), "year"
        start, last, _ = _bounds(key, gran)
    except ValueError as e:
        raise UsageError(f"--baseline: '{text}' is not a valid date ({e}).") from e
    return last if end else start


def select_baseline(periods: list[Period], spec: str | None = None) -> list[Period]:
    """Mark the baseline periods (see module docstring for the default rule)."""
    n = len(periods)
    if n < 2:
        return [Period(p.label, p.start, p.end, p.doc_indices, True) for p in periods]
    if spec:
        if ".." not in spec:
            raise UsageError(f"--baseline must be START..END (e.g. 2019..2020), not '{spec}'.")
        a, b = spec.split("..", 1)
        lo, hi = parse_bound(a, end=False), parse_bound(b, end=True)
        flags = [p.start >= lo and p.end <= hi for p in periods]
        if not any(flags):
            raise UsageError(
                f"--baseline {spec} covers none of the periods "
                f"({periods[0].label} .. {periods[-1].label}); pick a range inside them."
            )
        if all(flags):
            raise UsageError(
                f"--baseline {spec} covers every period; leave at least one period to compare."
            )
        if flags[-1]:
            raise UsageError(
                f"--baseline {spec} reaches the last period ({periods[-1].label}); periods "
                "before a baseline are not judged, so end it earlier to leave periods after it "
                "to compare."
            )
    else:
        k = math.ceil(n / 3)
        if n >= BASELINE_TWO_FROM:
            k = max(k, 2)
        k = min(k, n - 1)
        flags = [i < k for i in range(n)]
    return [Period(p.label, p.start, p.end, p.doc_indices, f) for p, f in zip(periods, flags)]


@dataclass(frozen=True)
class Span:
    """A period known by its document count and the calendar months it covers (``(year,
    month)``), before any document is chosen: what :func:`periods_from_counts` returns."""

    label: str
    start: dt.date
    end: dt.date
    months: tuple[tuple[int, int], ...]
    n_docs: int


def periods_from_counts(counts: Mapping[tuple[int, int], int], *, period: str = "auto",
                        min_docs: int = 20, min_sample: int = 5
                        ) -> tuple[list[Span], str, list[str]]:
    """The periods :func:`make_periods` then :func:`merge_small` give, from the number of dated
    documents in each calendar month (``{(year, month): n}``) instead of the dates themselves.

    Every calendar period is a union of months, so month counts are all the rules need; a
    streaming reader keeps them instead of every date. Returns the periods (with their months),
    the granularity and the notes of ``merge_small``.

    >>> spans, gran, _ = periods_from_counts({(2025, 1): 25, (2025, 2): 5, (2025, 4): 30},
    ...                                      period="month")
    >>> gran, [(s.label, s.n_docs, len(s.months)) for s in spans]
    ('month', [('2025-01', 25, 1), ('2025-02..2025-04', 35, 2)])
    """
    counts = {k: n for k, n in counts.items() if n}
    if not counts:
        return [], ("month" if period == "auto" else period), []

    def calendar(gran: str) -> list[Span]:
        keyed: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for ym in sorted(counts):
            keyed.setdefault(period_key(dt.date(ym[0], ym[1], 1), gran), []).append(ym)
        key, last, out = min(keyed), max(keyed), []
        while key <= last:
            start, end, label = _bounds(key, gran)
            months = tuple(keyed.get(key, ()))
            out.append(Span(label, start, end, months, sum(counts[m] for m in months)))
            key = _next_key(key, gran)
        return out

    def merge(spans: list[Span], groups: list[list[int]]) -> list[Span]:
        out = []
        for group in groups:
            ps = [spans[i] for i in group]
            out.append(Span(_merged_label([q.label for q in ps]), ps[0].start, ps[-1].end,
                            tuple(m for q in ps for m in q.months), sum(q.n_docs for q in ps)))
        return out

    def sparse(spans: list[Span]) -> list[Span]:
        return merge(spans, _group_sparse([s.n_docs for s in spans], min_docs))

    notes = []
    if period != "auto":
        spans, gran = sparse(calendar(period)), period
    else:
        for gran in GRANULARITIES:
            cal = calendar(gran)
            spans = sparse(cal)
            fit = _auto_fit([s.n_docs for s in cal], min_docs)
            if fit and len(spans) >= 2:
                if fit == "recent":
                    notes.append(_recent_note(gran, [s.n_docs for s in cal], min_docs))
                break
        else:
            spans, gran = sparse(calendar("year")), "year"
    groups, note = _small_groups([s.n_docs for s in spans], [s.label for s in spans], min_sample)
    return merge(spans, groups), gran, notes + ([note] if note else [])
