"""The public API on documents already in memory: every record analysed or listed."""
from __future__ import annotations

import datetime as dt

import auditor

WORDS = ("our guides know the marsh the herons the tides and every quiet channel where the "
         "kayaks drift at dawn past the old boathouse").split()


def _rows(n: int) -> list[dict[str, str]]:
    start = dt.date(2025, 1, 1)
    return [{"date": (start + dt.timedelta(days=3 * i)).isoformat(),
             "text": " ".join(WORDS[(i + k) % len(WORDS)] for k in range(30))}
            for i in range(n)]


def test_audit_documents_lists_a_record_with_an_implausible_date():
    rows = _rows(200) + [{"date": "1970-01-01", "text": " ".join(WORDS)}]
    res = auditor.audit_documents(rows, model="hashing", progress=False, repeats=2)
    assert res.corpus.documents == 200
    assert [(s.path, s.reason) for s in res.skipped] == [("documents#201", "implausible date")]
    assert res.corpus.skipped == 1
