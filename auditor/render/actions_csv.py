"""The action list as CSV (``--actions-csv FILE``), one row per post to revise, for a content
calendar: the latest judged period first, then every flagged period, each ranked. Reads the
typed result (an audit, or a report's audit); computes nothing."""
from __future__ import annotations

import csv
import io
from typing import Any

from auditor.files import write_atomic
from auditor.results import Actions, AuditResult, PeriodActions

COLUMNS = ("period", "status", "rank", "doc", "title", "date", "source", "score", "change",
           "why")


def _actions(result: Any) -> Actions | None:
    audit = result.audit if hasattr(result, "audit") else result
    return audit.actions if isinstance(audit, AuditResult) else None


def cell(text: str) -> str:
    """Corpus text made inert for a spreadsheet: a cell that starts like a formula (``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading apostrophe (OWASP, "CSV
    injection").

    >>> cell("=1+2"), cell("@SUM(A1)"), cell("Plain title")
    ("'=1+2", "'@SUM(A1)", 'Plain title')
    """
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def render_actions_csv(result: Any) -> str:
    """The CSV text (a header only when there is no action list)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    actions = _actions(result)
    if actions is not None:
        periods = [PeriodActions(actions.period, actions.status, actions.revise_first)]
        periods += [p for p in actions.flagged if p.period != actions.period]
        for p in periods:
            for rank, r in enumerate(p.revise_first, start=1):
                w.writerow([p.period, p.status, rank, *map(cell, (
                    r.doc, r.title or "", r.date or "", r.source or "")), f"{r.score:.3f}",
                    cell(r.change), cell("; ".join(r.why))])
    return out.getvalue()


def write_actions_csv(path: Any, result: Any) -> None:
    """The CSV to ``path`` (atomically; ``-``: standard output)."""
    write_atomic(path, render_actions_csv(result))
