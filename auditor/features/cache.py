"""An on-disk cache of document embeddings: one SQLite file, no pickle.

``<cache_dir>/embeddings.sqlite`` holds one table::

    vectors(model_id TEXT, text_hash TEXT, dim INT, vector BLOB, PRIMARY KEY (model_id, text_hash))

``vector`` is the float32 little-endian bytes of the embedding. The key ``text_hash`` is made by
the embedder (sha256 of the exact text plus its chunking-policy version), so a change of model or
of chunking never reuses a stale vector.

Several processes may share the file: it runs in WAL mode with a busy timeout, and writes go in
one transaction per ``put_many``. The embedder calls ``put_many`` once per finished batch of
documents, so a run that is interrupted (Ctrl-C, or killed) keeps every committed batch and a
re-run embeds only the rest; a transaction cut short is rolled back whole, never half-written.
The cache never makes a run fail: a corrupted file is renamed aside
(``embeddings.sqlite.corrupt-<time>``) and rebuilt, and a cache that cannot be opened or written
at all (read-only disk, lock held too long) is skipped with a warning.

Default directory: ``$SAMEY_CACHE_DIR``, else ``$XDG_CACHE_HOME/samey``, else ``~/.cache/samey``.
"""
from __future__ import annotations

import json
import os
import sqlite3
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

FILENAME = "embeddings.sqlite"
BUSY_TIMEOUT_MS = 30_000
_BATCH = 500  # parameters per SELECT (SQLite's limit is 999 on old builds)
_DTYPE = np.dtype("<f4")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    model_id TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model_id, text_hash)
) WITHOUT ROWID
"""
_RECORDS_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (namespace, key)
) WITHOUT ROWID
"""


def default_cache_dir() -> Path:
    """``$SAMEY_CACHE_DIR``, else ``$XDG_CACHE_HOME/samey``, else ``~/.cache/samey``."""
    if os.environ.get("SAMEY_CACHE_DIR"):
        return Path(os.environ["SAMEY_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "samey"


class EmbeddingCache:
    """Embedding vectors keyed by ``(model_id, text_hash)`` in ``<directory>/embeddings.sqlite``.

    ``path`` may be the cache directory or the ``.sqlite`` file itself.
    """

    def __init__(self, path: str | Path) -> None:
        path = Path(path).expanduser()
        self.path = path if path.suffix == ".sqlite" else path / FILENAME
        self._conn: sqlite3.Connection | None = None
        self.disabled = False

    # ------------------------------------------------------------------ public

    def get_many(self, model_id: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        """The cached vectors among ``hashes`` (missing ones are absent from the dict)."""
        keys = list(dict.fromkeys(hashes))
        out: dict[str, np.ndarray] = {}
        if not keys:
            return out

        def run(conn: sqlite3.Connection) -> None:
            for i in range(0, len(keys), _BATCH):
                part = keys[i : i + _BATCH]
                rows = conn.execute(
                    "SELECT text_hash, dim, vector FROM vectors WHERE model_id = ? "
                    "AND text_hash IN "
                    f"({','.join('?' * len(part))})",
                    (model_id, *part),
                ).fetchall()
                for h, dim, blob in rows:
                    vec = np.frombuffer(blob, dtype=_DTYPE)
                    if vec.shape[0] == dim:  # a truncated row is treated as a miss
                        out[h] = vec.astype(np.float32)

        self._run(run, "read")
        return out

    def put_many(self, model_id: str, items: Iterable[tuple[str, np.ndarray]]) -> None:
        """Store ``(text_hash, vector)`` pairs in one transaction (existing keys are replaced)."""
        rows = [
            (model_id, h, int(np.asarray(v).shape[0]), np.asarray(v, dtype=_DTYPE).tobytes())
            for h, v in items
        ]
        if not rows:
            return

        def run(conn: sqlite3.Connection) -> None:
            with conn:  # BEGIN ... COMMIT, or ROLLBACK on error
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(
                    "INSERT OR REPLACE INTO vectors (model_id, text_hash, dim, vector) "
                    "VALUES (?, ?, ?, ?)",
                    rows,
                )

        self._run(run, "write")

    def get_records(self, namespace: str, keys: Iterable[str]) -> dict[str, Any]:
        """JSON records (e.g. per-document token features) stored under ``namespace``."""
        keys = list(dict.fromkeys(keys))
        out: dict[str, Any] = {}

        def run(conn: sqlite3.Connection) -> None:
            for i in range(0, len(keys), _BATCH):
                part = keys[i : i + _BATCH]
                for k, v in conn.execute(
                    "SELECT key, value FROM records WHERE namespace = ? AND key IN "
                    f"({','.join('?' * len(part))})", (namespace, *part)):
                    out[k] = json.loads(v)

        if keys:
            self._run(run, "read")
        return out

    def put_records(self, namespace: str, items: Iterable[tuple[str, Any]]) -> None:
        """Store JSON-serialisable records in one transaction (existing keys replaced)."""
        rows = [(namespace, k, json.dumps(v, separators=(",", ":"))) for k, v in items]
        if not rows:
            return

        def run(conn: sqlite3.Connection) -> None:
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany("INSERT OR REPLACE INTO records (namespace, key, value) "
                                 "VALUES (?, ?, ?)", rows)

        self._run(run, "write")

    def __len__(self) -> int:
        counts: list[int] = []
        self._run(lambda c: counts.append(c.execute("SELECT count(*) FROM vectors").fetchone()[0]),
                  "read")
        return counts[0] if counts else 0

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ internals

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                   isolation_level=None)
            try:
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute(_SCHEMA)
                conn.execute(_RECORDS_SCHEMA)
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def _run(self, fn: Callable[[sqlite3.Connection], None], what: str) -> None:
        """Run ``fn(conn)``; on a corrupted file rebuild once and retry; otherwise skip the
        cache."""
        if self.disabled:
            return
        for attempt in (1, 2):
            try:
                fn(self._connect())
                return
            except sqlite3.OperationalError as e:  # locked, read-only, disk full, cannot open
                if attempt == 1 and _looks_corrupt(e):
                    self._set_aside(e)
                    continue
                self._disable(f"cannot {what} the embedding cache {self.path} ({e})")
                return
            except sqlite3.DatabaseError as e:  # "file is not a database", "malformed"
                if attempt == 1:
                    self._set_aside(e)
                    continue
                self._disable(f"cannot {what} the embedding cache {self.path} ({e})")
                return
            except OSError as e:
                self._disable(f"cannot create the embedding cache {self.path} ({e.strerror})")
                return

    def _set_aside(self, error: Exception) -> None:
        self.close()
        stamp = time.strftime("%Y%m%d-%H%M%S")
        bad = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{os.getpid()}")
        warnings.warn(
            f"embedding cache {self.path} is corrupted ({error}); moved it to {bad.name} and "
            "starting a new cache (embeddings will be recomputed).",
            RuntimeWarning,
            stacklevel=4,
        )
        for suffix in ("", "-wal", "-shm"):
            src = Path(str(self.path) + suffix)
            try:
                src.rename(Path(str(bad) + suffix))
            except FileNotFoundError:
                pass  # already moved by another process, or never existed
            except OSError:
                try:
                    src.unlink()
                except OSError:
                    pass

    def _disable(self, message: str) -> None:
        self.close()
        self.disabled = True
        warnings.warn(message + "; continuing without the cache.", RuntimeWarning, stacklevel=4)


def _looks_corrupt(error: sqlite3.Error) -> bool:
    text = str(error).lower()
    return "malformed" in text or "not a database" in text
