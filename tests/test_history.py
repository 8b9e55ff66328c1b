"""The history store of `samey report`: a year of monthly runs (the first backfills the months
before it, a later one after a gap the missing months), idempotent re-runs, separate settings, a
run killed mid-write, a multi-month write that fails half-way, concurrent runs, schema
migrations."""
from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from auditor.app.report import report
from auditor.config import build_options
from auditor.errors import HistoryError
from auditor.features.embeddings import HashingEmbedder
from auditor.history import SCHEMA_VERSION, HistoryStore, settings_key
from auditor.render.jsonout import dumps

ROOT = Path(__file__).resolve().parents[1]
BRIGHTPATH = ROOT / "sample_corpora" / "brightpath-saas"
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)] + ["2026-01", "2026-02", "2026-03"]
# The reports run: the first one (2025-04) backfills 2025-01..03; 2025-05 and 2025-06 are
# skipped (a missed schedule) and backfilled by the 2025-07 report.
RUNS = ["2025-04"] + MONTHS[6:]


def _opts(**kw):
    return build_options(None, progress=False, repeats=2, min_docs=10, **kw)


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """Ten monthly reports (2025-04, then 2025-07 .. 2026-03) over the brightpath blog posts."""
    tmp = tmp_path_factory.mktemp("year")
    corpus = tmp / "brightpath"
    for sub in ("blog",):
        shutil.copytree(BRIGHTPATH / sub, corpus / sub)
    hist = tmp / "history.sqlite"
    emb = HashingEmbedder(dim=32)
    results = [report(corpus, _opts(), period_end=m, history=hist, embedder=emb) for m in RUNS]
    return corpus, hist, emb, results


def _plain(x):
    """JSON as the history stores it: NaN and infinities become None (the JSON writer's rule)."""
    return json.loads(dumps(x))


def _dump(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return sorted(db.execute("SELECT * FROM runs").fetchall()) + \
            sorted(db.execute("SELECT * FROM series").fetchall())


def test_a_year_of_runs_builds_a_history_and_a_trend(year):
    corpus, hist, _, results = year
    last = results[-1]
    assert [r["month"] for r in last.history] == MONTHS
    with HistoryStore(hist) as store:
        assert store.count() == 15
        assert store.integrity() == "ok"
    # The first run backfilled the months before it, the 2025-07 run the two it had missed.
    assert results[0].backfilled == ["2025-01", "2025-02", "2025-03"]
    assert results[1].backfilled == ["2025-05", "2025-06"]
    assert all(r.backfilled == [] for r in results[2:])
    # The baseline pinned by the first run (its audit's validated reference) is kept by every
    # later run.
    assert results[0].audit.reference.baseline == ["2025-01", "2025-02"]
    assert {tuple(r.audit.corpus.baseline) for r in results} == {("2025-01", "2025-02")}
    assert {tuple(r.reference.baseline) for r in results} == {("2025-01", "2025-02")}
    assert {r.reference.pinned_in for r in results} == {"2025-04"}
    # brightpath becomes samey: the later months alert, the first ones do not.
    assert last.status == "samey" and last.month_status == "samey"
    statuses = {r["month"]: r["status"] for r in last.history}
    assert statuses["2025-01"] == statuses["2025-02"] == "baseline"
    assert statuses["2025-04"] == "ok" and statuses["2026-03"] == "samey"
    serious = {a.month for a in last.alerts if a.kind in ("status", "trend")}
    assert {"2026-01", "2026-02", "2026-03"} <= serious and "2025-04" not in serious
    assert not {a.month for a in last.alerts} & {"2025-01", "2025-02"}  # never judged
    assert any(a.kind == "trend" and a.month == "2026-03" for a in last.alerts)
    n_limit = {m: sum(a.kind == "limit" and a.month == m for a in last.alerts)
               for m in MONTHS}
    assert n_limit["2026-03"] > n_limit["2025-04"]
    # A stored month keeps what its own run measured (documents after it were out of scope),
    # backfilled months included: they are the period entries of the run that stored them.
    stored = {r["month"]: r for r in last.history}
    for run in results[:2]:
        for period in run.audit.periods:
            entry = period.to_dict()
            row = stored[entry["end"][:7]]
            if row["as_of"] != run.month:
                continue
            assert row["status"] == entry["status"] and row["n_docs"] == entry["n_docs"]
            for k in ("metrics", "comparison", "layers", "reasons"):
                assert row[k] == _plain(json.loads(json.dumps(entry[k]))), k
    assert {r["as_of"] for r in last.history[:4]} == {"2025-04"}
    assert stored["2025-05"]["as_of"] == stored["2025-06"]["as_of"] == "2025-07"
    assert last.to_dict()["report"]["month"] == "2026-03"


def test_rerun_replaces_the_month(year):
    corpus, hist, emb, _ = year
    with HistoryStore(hist) as store:
        key = store.series()[0]["settings_key"]
        before = {r["month"]: r for r in store.months(key)}
    time.sleep(1.1)  # written_at has one-second resolution
    again = report(corpus, _opts(), period_end="2025-09", history=hist, embedder=emb)
    with HistoryStore(hist) as store:
        assert store.count() == 15
        after = {r["month"]: r for r in store.months(key)}
    assert after["2025-09"]["written_at"] > before["2025-09"]["written_at"]
    assert after["2025-09"]["metrics"] == before["2025-09"]["metrics"]  # deterministic
    assert after["2025-08"] == before["2025-08"]
    assert len(again.history) == 15 and again.backfilled == []


def test_other_settings_are_kept_apart(year):
    corpus, hist, emb, _ = year
    other = report(corpus, _opts(text_budget=150), period_end="2025-06", history=hist,
                   embedder=emb)
    assert [r["month"] for r in other.history] == MONTHS[:6]  # its own history from day one
    with HistoryStore(hist) as store:
        series = store.series()
        assert sorted(s["months"] for s in series) == [6, 15]
        assert store.count() == 21
    # A different model is a different key too.
    assert settings_key({"model_id": "a"}) != settings_key({"model_id": "b"})


# ------------------------------------------------------------------ the store itself

def _record(store: HistoryStore, month: str, value: float, key: str = "k1") -> None:
    store.record(key, {"model_id": "m"}, month, label=month, status="ok", model_id="m",
                 samey_version="0.1.0", figures={"metrics": {"x": {"value": value}}},
                 evidence={}, baseline="2025-01-01..2025-02-28")


WRITER = """
import sys, time
from auditor.history import HistoryStore
path, month, value, pause = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])


class SlowConnection:  # test-only: sleeps inside the transaction, after the series row
    def __init__(self, db):
        self._real = db

    def __getattr__(self, name):
        return getattr(self._real, name)

    def execute(self, sql, *args):
        cur = self._real.execute(sql, *args)
        if sql.startswith("INSERT INTO series"):
            time.sleep(pause)
        return cur


with HistoryStore(path) as store:
    store._db = SlowConnection(store._db)
    print("ready", flush=True)
    store.record("k1", {"model_id": "m"}, month, label=month, status="ok", model_id="m",
                 samey_version="0.1.0", figures={"metrics": {"x": {"value": value}}},
                 evidence={})
print("done", flush=True)
"""


def _writer(path: Path, month: str, value: float, pause: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), month, str(value),
                             str(pause)], stdout=subprocess.PIPE, text=True)


def test_schema_version_and_migrations(tmp_path):
    path = tmp_path / "h.sqlite"
    with HistoryStore(path) as store:
        _record(store, "2025-01", 1.0)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(HistoryError, match="newer than this samey"):
        HistoryStore(path)
    (tmp_path / "junk.sqlite").write_bytes(b"not a database at all" * 100)
    with pytest.raises(HistoryError, match="cannot open"):
        HistoryStore(tmp_path / "junk.sqlite")


def test_upsert_replaces_never_duplicates(tmp_path):
    with HistoryStore(tmp_path / "h.sqlite") as store:
        _record(store, "2025-01", 1.0)
        _record(store, "2025-01", 2.0)
        _record(store, "2025-01", 3.0, key="k2")
        assert store.count("k1") == 1 and store.count("k2") == 1
        assert store.months("k1")[0]["metrics"]["x"]["value"] == 2.0
        assert store.pinned_baseline("k1") == "2025-01-01..2025-02-28"


def test_migration_from_schema_1_keeps_the_history(tmp_path):
    from auditor.history.store import MIGRATIONS

    path = tmp_path / "v1.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(MIGRATIONS[0])
        db.execute("INSERT INTO series VALUES ('k1', '{}', '2025-01-01..2025-02-28', 'then')")
        db.execute("INSERT INTO runs VALUES ('k1', '2025-03', '2025-03', 'ok', 'm', '0.1.0', "
                   "'{\"metrics\": {}}', '{}', 'then')")
        db.execute("PRAGMA user_version = 1")
    with HistoryStore(path) as store:
        assert store.pinned("k1") == {"baseline": "2025-01-01..2025-02-28", "reference": None,
                                      "created_at": "then"}
        assert store.last_month("k1") == "2025-03" and store.last_month("k2") is None
        _record(store, "2025-04", 4.0)  # an old series keeps its pin, gets no reference
        assert store.pinned("k1")["reference"] is None
        assert [r["month"] for r in store.months("k1")] == ["2025-03", "2025-04"]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2


def test_several_months_are_written_together_or_not_at_all(tmp_path):
    path = tmp_path / "h.sqlite"

    def row(month, value):
        return {"month": month, "label": month, "status": "ok", "model_id": "m",
                "samey_version": "0.1.0", "figures": {"metrics": {"x": {"value": value}}},
                "evidence": {}}

    with HistoryStore(path) as store:
        ref = {"baseline": ["2025-01"], "rule": "user"}
        store.record_months("k1", {"model_id": "m"}, [row("2025-01", 1.0), row("2025-02", 2.0)],
                            baseline="2025-01..2025-01", reference=ref)
        assert store.pinned("k1")["reference"] == ref
        before = _dump(path)
        with pytest.raises(TypeError):  # the second month cannot be stored: nothing is
            bad = {**row("2025-04", 4.0), "figures": {object()}}  # not JSON
            store.record_months("k1", {"model_id": "m"}, [row("2025-03", 3.0), bad])
        assert _dump(path) == before
        # A later pin never replaces the first one.
        store.record_months("k1", {"model_id": "m"}, [row("2025-03", 3.0)],
                            baseline="2025-02..2025-02", reference={"baseline": ["2025-02"]})
        assert store.pinned("k1")["baseline"] == "2025-01..2025-01"
        assert store.pinned("k1")["reference"] == ref


def test_a_run_killed_mid_write_leaves_the_store_as_before(tmp_path):
    path = tmp_path / "h.sqlite"
    with HistoryStore(path) as store:
        _record(store, "2025-01", 1.0)
        _record(store, "2025-02", 2.0)
    before = _dump(path)
    proc = _writer(path, "2025-02", 99.0, pause=30)  # replaces 2025-02, then sleeps mid-write
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(1.5)  # inside the transaction now
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    with HistoryStore(path) as store:
        assert store.integrity() == "ok"
        assert store.months("k1")[1]["metrics"]["x"]["value"] == 2.0
        _record(store, "2025-03", 3.0)  # and it is writable again
    assert _dump(path)[:2] == before[:2]


def test_concurrent_runs_both_succeed(tmp_path):
    path = tmp_path / "h.sqlite"
    procs = [_writer(path, "2025-01", 1.0, pause=0.5), _writer(path, "2025-02", 2.0, pause=0.5),
             _writer(path, "2025-02", 3.0, pause=0.5)]
    outs = [p.communicate(timeout=60)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outs
    with HistoryStore(path) as store:
        assert store.integrity() == "ok"
        assert [r["month"] for r in store.months("k1")] == ["2025-01", "2025-02"]
        assert store.months("k1")[1]["metrics"]["x"]["value"] in (2.0, 3.0)


def test_the_default_settings_key_is_stable_across_versions():
    """An upgrade must not start a new trend: the key of the default settings is the one every
    stored history has (pinned; changing it orphans every user's months)."""
    from auditor.app.report import report_settings
    from auditor.config import AuditOptions
    from auditor.history.store import settings_key

    assert settings_key(report_settings(AuditOptions(), "all-MiniLM-L6-v2@x", "blog")) \
        == "bba6cffb6847f4db"
