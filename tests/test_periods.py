"""Periods: calendar grouping, sparse merging (never dropping), auto granularity, baseline."""
import datetime as dt

import pytest

from auditor.errors import UsageError
from auditor.ingest.periods import calendar_periods, make_periods, select_baseline


def days(spec):
    """spec: {(y, m): count} -> list of dates."""
    out = []
    for (y, m), n in spec.items():
        out += [dt.date(y, m, 1 + i % 28) for i in range(n)]
    return out


def test_month_labels_bounds_and_gaps():
    ps = calendar_periods(days({(2024, 11): 2, (2025, 2): 1}), "month")
    assert [p.label for p in ps] == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert ps[0].start == dt.date(2024, 11, 1) and ps[0].end == dt.date(2024, 11, 30)
    assert ps[1].n_docs == 0 and ps[3].end == dt.date(2025, 2, 28)


def test_quarter_and_year_labels():
    q = calendar_periods(days({(2024, 12): 1, (2025, 1): 1}), "quarter")
    assert [p.label for p in q] == ["2024-Q4", "2025-Q1"]
    assert q[0].end == dt.date(2024, 12, 31) and q[1].start == dt.date(2025, 1, 1)
    y = calendar_periods(days({(2019, 5): 1, (2021, 5): 1}), "year")
    assert [p.label for p in y] == ["2019", "2020", "2021"]


def test_merge_sparse_never_drops_documents():
    dates = days({(2025, 1): 25, (2025, 2): 5, (2025, 3): 0, (2025, 4): 30, (2025, 5): 3})
    ps, gran = make_periods(dates, period="month", min_docs=20)
    assert gran == "month"
    assert sum(p.n_docs for p in ps) == len(dates)
    # Feb (5) + empty March + April (30) reach 20; May (3) joins the last period.
    assert [p.label for p in ps] == ["2025-01", "2025-02..2025-05"]
    assert all(p.n_docs >= 20 for p in ps)
    assert sorted(i for p in ps for i in p.doc_indices) == list(range(len(dates)))


def test_trailing_sparse_period_joins_previous():
    ps, _ = make_periods(days({(2025, 1): 20, (2025, 2): 20, (2025, 3): 4}), period="month",
                         min_docs=20)
    assert [p.label for p in ps] == ["2025-01", "2025-02..2025-03"]
    assert ps[-1].n_docs == 24


def test_auto_picks_finest_granularity_with_enough_documents():
    monthly = days({(2025, m): 25 for m in range(1, 13)})
    assert make_periods(monthly, period="auto", min_docs=20)[1] == "month"
    quarterly = days({(2025, m): 8 for m in range(1, 13)})
    ps, gran = make_periods(quarterly, period="auto", min_docs=20)
    assert gran == "quarter" and len(ps) == 4
    yearly = days({(y, 6): 30 for y in range(2019, 2024)})
    assert make_periods(yearly, period="auto", min_docs=20)[1] == "year"


def test_default_baseline_rule():
    ps, _ = make_periods(days({(y, 6): 30 for y in range(2019, 2027)}), period="year", min_docs=20)
    b = select_baseline(ps)
    assert [p.label for p in b if p.is_baseline] == ["2019", "2020", "2021"]
    two = select_baseline(ps[:2])
    assert [p.is_baseline for p in two] == [True, False]
    four = select_baseline(ps[:4])
    assert [p.is_baseline for p in four] == [True, True, False, False]


def test_explicit_baseline_and_errors():
    ps, _ = make_periods(days({(2025, m): 25 for m in range(1, 7)}), period="month", min_docs=20)
    b = select_baseline(ps, "2025-01..2025-Q1")
    assert [p.label for p in b if p.is_baseline] == ["2025-01", "2025-02", "2025-03"]
    with pytest.raises(UsageError, match="covers none"):
        select_baseline(ps, "2019..2020")
    with pytest.raises(UsageError, match="every period"):
        select_baseline(ps, "2025..2025")
    with pytest.raises(UsageError, match="START..END"):
        select_baseline(ps, "2025")
    with pytest.raises(UsageError, match="cannot read"):
        select_baseline(ps, "jan..feb")
