"""The history store of scheduled reports: one row of figures per (settings, month), in SQLite.

Layout (``PRAGMA user_version`` is the schema version; ``MIGRATIONS[i]`` takes a store from
version ``i`` to ``i + 1``, run in order inside one transaction when a store is opened):

* ``series``: one row per settings key: the settings as JSON, the baseline pinned by the first
  run (so later months are compared with the same baseline) as a ``START..END`` spec, the
  reference it was pinned from (JSON: baseline labels, rule, warnings, change points; schema
  version 2), when it was created.
* ``runs``: one row per (settings key, month): the month's figures and evidence as JSON text
  (never pickle), its status, the model and samey version, when it was written.

Guarantees:

* Re-running a month replaces its row (UPSERT on the primary key), never duplicates it.
* A run may write several months at once (the first report of a corpus backfills every
  complete month): all of them in the same single transaction.
* Runs with different settings (a different model, sampling, text budget, fields, period,
  baseline, thresholds or samey major version) have different keys: they never share a trend.
* Each run's writes happen in ONE transaction (``BEGIN IMMEDIATE``): a run killed mid-way
  leaves the store exactly as it was before (SQLite rolls the unfinished transaction back).
  ``samey report`` writes its outputs inside that transaction, before the commit
  (:meth:`HistoryStore.writing`), so the history never holds a month whose report was not
  written.
* A write the machine refuses (a full disk, a file-size limit, a read-only file) raises
  ``HistoryError`` naming the store and the reason, and leaves the store as it was.
* WAL journal and a busy timeout: two runs at once queue for the write lock instead of failing
  or corrupting the file; readers never block the writer.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from auditor.errors import HistoryError
from auditor.files import environment_error
from auditor.types import json_safe

SCHEMA_VERSION = 2
BUSY_TIMEOUT_MS = 60_000

MIGRATIONS: tuple[str, ...] = (
    # 0 -> 1
    """
    CREATE TABLE series (
        settings_key TEXT PRIMARY KEY,
        settings     TEXT NOT NULL,
        baseline     TEXT,
        created_at   TEXT NOT NULL
    );
    CREATE TABLE runs (
        settings_key  TEXT NOT NULL REFERENCES series(settings_key),
        month         TEXT NOT NULL,
        period_label  TEXT NOT NULL,
        status        TEXT NOT NULL,
        model_id      TEXT NOT NULL,
        samey_version TEXT NOT NULL,
        figures       TEXT NOT NULL,
        evidence      TEXT NOT NULL,
        written_at    TEXT NOT NULL,
        PRIMARY KEY (settings_key, month)
    );
    """,
    # 1 -> 2: the reference (validated baseline) the series was pinned from
    """
    ALTER TABLE series ADD COLUMN reference TEXT;
    """,
)
assert len(MIGRATIONS) == SCHEMA_VERSION


def settings_key(settings: Mapping[str, Any]) -> str:
    """A short stable hash of the settings that change the figures (canonical JSON, sha256)."""
    blob = json.dumps(settings, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _json(x: Any) -> str:
    return json.dumps(json_safe(x), sort_keys=True, ensure_ascii=False, allow_nan=False)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class HistoryStore:
    """A SQLite history store; open with ``HistoryStore(path)`` (created and migrated as needed),
    use as a context manager or call ``close()``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN/COMMIT ourselves.
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                       isolation_level=None, check_same_thread=False)
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = FULL")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as e:
            raise HistoryError(f"{self.path}: cannot open the history store ({e}); "
                               "pass another --history PATH or move the broken file away.") from e
        except OSError as e:
            raise HistoryError(str(environment_error(self.path, e, "create"))) from e

    # ------------------------------------------------------------ lifecycle

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        if self._version() == SCHEMA_VERSION:
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            version = self._version()  # again, under the write lock (another run may have won)
            # not a threshold: a file-format version
            if version > SCHEMA_VERSION:
                raise HistoryError(
                    f"{self.path}: history schema version {version} is newer than this samey "
                    f"understands ({SCHEMA_VERSION}); upgrade samey or use another --history.")
            for v in range(version, SCHEMA_VERSION):
                for stmt in MIGRATIONS[v].split(";"):
                    if stmt.strip():
                        self._db.execute(stmt)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._db.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        """Roll back the open transaction, if SQLite has not already (it does on a full disk
        or an I/O error, and a second ROLLBACK would fail)."""
        if self._db.in_transaction:
            try:
                self._db.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    # ------------------------------------------------------------ reads

    def pinned_baseline(self, key: str) -> str | None:
        row = self._db.execute("SELECT baseline FROM series WHERE settings_key = ?",
                               (key,)).fetchone()
        return row[0] if row else None

    def pinned(self, key: str) -> dict[str, Any] | None:
        """The pin of a settings key: ``{"baseline": spec, "reference": dict or None,
        "created_at": ...}`` (``reference`` is None for series pinned before schema 2), or
        ``None`` when the key has no series yet."""
        row = self._db.execute("SELECT baseline, reference, created_at FROM series "
                               "WHERE settings_key = ?", (key,)).fetchone()
        if row is None:
            return None
        return {"baseline": row[0], "reference": json.loads(row[1]) if row[1] else None,
                "created_at": row[2]}

    def last_month(self, key: str) -> str | None:
        """The latest stored month (``YYYY-MM``) of a settings key, or ``None``."""
        row = self._db.execute("SELECT MAX(month) FROM runs WHERE settings_key = ?",
                               (key,)).fetchone()
        return row[0] if row else None

    def series(self) -> list[dict[str, Any]]:
        """Every settings key with its settings, pinned baseline and number of months."""
        rows = self._db.execute(
            "SELECT s.settings_key, s.settings, s.baseline, s.created_at, COUNT(r.month) "
            "FROM series s LEFT JOIN runs r USING (settings_key) GROUP BY s.settings_key "
            "ORDER BY s.created_at, s.settings_key").fetchall()
        return [{"settings_key": k, "settings": json.loads(s), "baseline": b, "created_at": c,
                 "months": n} for k, s, b, c, n in rows]

    def months(self, key: str) -> list[dict[str, Any]]:
        """The stored months of one settings key, oldest first: the figures plus ``month``,
        ``status``, ``model_id``, ``samey_version``, ``written_at`` and ``evidence``."""
        rows = self._db.execute(
            "SELECT month, period_label, status, model_id, samey_version, figures, evidence, "
            "written_at FROM runs WHERE settings_key = ? ORDER BY month", (key,)).fetchall()
        out = []
        for month, label, status, model_id, version, figures, evidence, written in rows:
            out.append({**json.loads(figures), "month": month, "label": label, "status": status,
                        "model_id": model_id, "samey_version": version,
                        "evidence": json.loads(evidence), "written_at": written})
        return out

    def count(self, key: str | None = None) -> int:
        if key is None:
            return int(self._db.execute("SELECT COUNT(*) FROM runs").fetchone()[0])
        return int(self._db.execute("SELECT COUNT(*) FROM runs WHERE settings_key = ?",
                                    (key,)).fetchone()[0])

    def integrity(self) -> str:
        return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])

    # ------------------------------------------------------------ the one write

    def record(self, key: str, settings: Mapping[str, Any], month: str, *,
               label: str, status: str, model_id: str, samey_version: str,
               figures: Mapping[str, Any], evidence: Mapping[str, Any],
               baseline: str | None = None, reference: Mapping[str, Any] | None = None) -> None:
        """Store one month of one settings key (see ``record_months``)."""
        self.record_months(key, settings, [{
            "month": month, "label": label, "status": status, "model_id": model_id,
            "samey_version": samey_version, "figures": figures, "evidence": evidence}],
            baseline=baseline, reference=reference)

    def record_months(self, key: str, settings: Mapping[str, Any],
                      rows: Sequence[Mapping[str, Any]], *, baseline: str | None = None,
                      reference: Mapping[str, Any] | None = None) -> None:
        """Store several months of one settings key in a single transaction, each replacing
        any earlier row of the same month. Each row has ``month``, ``label``, ``status``,
        ``model_id``, ``samey_version``, ``figures`` and ``evidence``. ``baseline`` (a spec)
        and ``reference`` are pinned for the key if none is pinned yet."""
        with self.writing():
            self.put_months(key, settings, rows, baseline=baseline, reference=reference)

    @contextlib.contextmanager
    def writing(self) -> Iterator[HistoryStore]:
        """One write transaction (``BEGIN IMMEDIATE``): committed when the block ends, rolled
        back when it raises (or when the process dies in it). Reads inside it see its writes, so
        a caller can build and write its outputs before the commit."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            if "lock" in str(e):
                raise HistoryError(f"{self.path}: the history store stayed locked for "
                                   f"{BUSY_TIMEOUT_MS // 1000} s ({e}); is another run "
                                   "stuck?") from e
            raise self._write_error(e) from e
        try:
            yield self
            self._db.execute("COMMIT")
        except sqlite3.Error as e:
            self._rollback()
            raise self._write_error(e) from e
        except BaseException:
            self._rollback()
            raise

    def _write_error(self, e: sqlite3.Error) -> HistoryError:
        msg = str(e)
        if "full" in msg or "I/O" in msg:
            fix = ("free some disk space, or raise the file-size limit (ulimit -f); the store "
                   "is as it was before this run")
        elif "readonly" in msg or "read-only" in msg:
            fix = "check that you may write it, or pass another --history PATH"
        else:
            fix = "pass another --history PATH, or move the file away"
        return HistoryError(f"{self.path}: cannot write the history store ({msg}); {fix}.")

    def put_months(self, key: str, settings: Mapping[str, Any],
                   rows: Sequence[Mapping[str, Any]], *, baseline: str | None = None,
                   reference: Mapping[str, Any] | None = None) -> None:
        """The writes of :meth:`record_months`, inside a transaction opened by
        :meth:`writing`."""
        now = _now()
        self._db.execute(
            "INSERT INTO series (settings_key, settings, baseline, reference, created_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (settings_key) DO UPDATE SET "
            "baseline = COALESCE(series.baseline, excluded.baseline), "
            "reference = CASE WHEN series.baseline IS NULL "
            "THEN excluded.reference ELSE series.reference END",
            (key, _json(settings), baseline,
             None if reference is None else _json(reference), now))
        for r in rows:
            self._db.execute(
                "INSERT INTO runs (settings_key, month, period_label, status, model_id, "
                "samey_version, figures, evidence, written_at) VALUES (?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT (settings_key, month) DO UPDATE SET "
                "period_label = excluded.period_label, status = excluded.status, "
                "model_id = excluded.model_id, samey_version = excluded.samey_version, "
                "figures = excluded.figures, evidence = excluded.evidence, "
                "written_at = excluded.written_at",
                (key, r["month"], r["label"], r["status"], r["model_id"],
                 r["samey_version"], _json(r["figures"]), _json(r["evidence"]), now))
