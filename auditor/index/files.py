"""The files of one index generation: per-document ``.npy`` arrays written batch by batch, read
back memory-mapped, and ``docs.sqlite`` (one row per document: key, content hash, text hash,
path, title, date, heading outline, and in a two-stage index its text, zlib-compressed, for
the model to rescore). No pickle.
"""
from __future__ import annotations

import os
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from auditor.index.keys import text_hash
from auditor.metrics.duplication import NUM_PERM
from auditor.types import Document

#: per-document arrays: dtype, trailing shape (embeddings: ``None``, set by the first batch)
FIXED: dict[str, tuple[Any, tuple[int, ...] | None]] = {
    "embeddings": (np.float32, None), "signatures": (np.uint32, (NUM_PERM,)),
    "dates": (np.int32, ()), "opening": (np.uint64, ()), "closing": (np.uint64, ()),
    "stock_opening": (np.uint64, ()), "stock_closing": (np.uint64, ()),
    "outline": (np.uint64, ()), "n_headings": (np.int16, ()),
}
#: ragged per-document arrays (values of every document, then ``<name>_off`` offsets)
RAGGED: dict[str, Any] = {"grams": np.uint64, "shapes": np.uint16}
PER_DOC = (*FIXED, *RAGGED, *(f"{r}_off" for r in RAGGED))
SQL_BATCH = 900  # parameters per SQLite ``IN (...)`` query

T = TypeVar("T")


def chunks(seq: Sequence[T], size: int = SQL_BATCH) -> Iterator[Sequence[T]]:
    """Consecutive slices of ``seq`` of at most ``size`` items."""
    for a in range(0, len(seq), size):
        yield seq[a:a + size]


class NpyAppender:
    """A ``.npy`` file written in appended blocks: a fixed 128-byte header rewritten with the
    final row count at :meth:`close` (format 1.0; ``np.load`` reads it)."""

    HEADER = 128

    def __init__(self, path: Path, dtype: Any, tail: tuple[int, ...]) -> None:
        self.path, self.dtype, self.tail, self.rows = path, np.dtype(dtype), tuple(tail), 0
        self.fh = open(path, "wb")  # noqa: SIM115 (the writer's file, closed by close())
        self.fh.write(b"\0" * self.HEADER)

    def append(self, block: np.ndarray) -> None:
        block = np.ascontiguousarray(block, dtype=self.dtype).reshape((-1, *self.tail))
        self.fh.write(block.tobytes())
        self.rows += block.shape[0]

    def close(self) -> None:
        shape = (self.rows, *self.tail)
        text = f"{{'descr': {self.dtype.str!r}, 'fortran_order': False, 'shape': {shape!r}, }}"
        body = text.ljust(self.HEADER - 10 - 1) + "\n"
        self.fh.seek(0)
        self.fh.write(b"\x93NUMPY\x01\x00" + len(body).to_bytes(2, "little") + body.encode())
        self.fh.close()


def load_npy(path: Path) -> np.ndarray:
    """A ``.npy`` file memory-mapped read-only (an empty one read normally)."""
    try:
        arr: np.ndarray = np.load(path, mmap_mode="r", allow_pickle=False)
    except ValueError:  # an empty array cannot be mapped
        arr = np.load(path, allow_pickle=False)
    return arr


def load_per_doc(folder: Path) -> dict[str, np.ndarray]:
    """Every per-document array of a generation, memory-mapped."""
    return {name: load_npy(folder / f"{name}.npy") for name in PER_DOC}


class Writer:
    """The per-document files of a new generation, appended batch by batch."""

    def __init__(self, folder: Path, *, keep_text: bool = False) -> None:
        self.folder = folder
        self.keep_text = keep_text
        self.fixed: dict[str, NpyAppender] = {}
        self.ragged = {name: NpyAppender(folder / f"{name}.npy", dtype, ())
                       for name, dtype in RAGGED.items()}
        self.offsets: dict[str, list[int]] = {name: [0] for name in RAGGED}
        self.rows = 0
        self.db = sqlite3.connect(folder / "docs.sqlite")
        self.db.execute("CREATE TABLE docs (row INTEGER PRIMARY KEY, key TEXT, content TEXT, "
                        "texthash TEXT, path TEXT, title TEXT, date TEXT, n_headings INTEGER, "
                        "outline TEXT, text BLOB)")

    def append(self, rows: dict[str, Any], docs: Sequence[Document], contents: Sequence[str],
               outlines: Sequence[str | None]) -> None:
        """One batch: ``rows`` (see ``FIXED`` and ``RAGGED``) of ``docs``, in their order."""
        for name, (dtype, tail) in FIXED.items():
            block = np.asarray(rows[name])
            if name not in self.fixed:
                self.fixed[name] = NpyAppender(self.folder / f"{name}.npy", dtype,
                                               block.shape[1:] if tail is None else tail)
            self.fixed[name].append(block)
        for name in RAGGED:
            off = self.offsets[name]
            for part in rows[name]:
                self.ragged[name].append(part)
                off.append(off[-1] + len(part))
        self.db.executemany(
            "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(self.rows + i, d.doc_id, c, text_hash(d.text), d.doc_id, d.title,
              d.date.isoformat() if d.date else None, int(rows["n_headings"][i]), o,
              zlib.compress(d.text.encode("utf-8", "surrogatepass"), 1) if self.keep_text
              else None)
             for i, (d, c, o) in enumerate(zip(docs, contents, outlines))])
        self.rows += len(docs)

    def close(self, dim: int) -> None:
        """Write the headers, the offsets and the table's indexes (``dim``: the embedding
        width when no document was appended)."""
        if "embeddings" not in self.fixed:  # no document at all
            for name, (dtype, tail) in FIXED.items():
                self.fixed[name] = NpyAppender(self.folder / f"{name}.npy", dtype,
                                               (dim,) if tail is None else tail)
        for a in (*self.fixed.values(), *self.ragged.values()):
            a.close()
        for name, off in self.offsets.items():
            np.save(self.folder / f"{name}_off.npy", np.array(off, dtype=np.int64))
        self.db.execute("CREATE INDEX docs_key ON docs (key)")
        self.db.execute("CREATE INDEX docs_text ON docs (texthash)")
        self.db.execute("CREATE INDEX docs_headings ON docs (n_headings)")
        self.db.commit()
        self.db.close()


def read_texts(db: sqlite3.Connection, rows: Sequence[int]) -> list[str]:
    """The stored texts of ``rows`` (in their order; ``""`` where none was stored)."""
    got: dict[int, str] = {}
    for part in chunks(sorted({int(r) for r in rows})):
        q = f"SELECT row, text FROM docs WHERE row IN ({','.join('?' * len(part))})"
        for r, z in db.execute(q, list(part)):
            got[int(r)] = zlib.decompress(z).decode("utf-8", "surrogatepass") if z else ""
    return [got.get(int(r), "") for r in rows]


def ragged_rows(flat: np.ndarray, off: np.ndarray, rows: Iterable[int]) -> list[np.ndarray]:
    """The values of each of ``rows`` of a ragged array."""
    return [np.asarray(flat[off[r]:off[r + 1]]) for r in rows]


def compact(folder: Path, per_doc: dict[str, np.ndarray], keep: np.ndarray
            ) -> dict[str, np.ndarray]:
    """Rewrite the per-document files and table with the ``keep`` rows only."""
    rows = np.flatnonzero(keep)
    new = {name: np.asarray(per_doc[name][rows]) for name in FIXED}
    for name, dtype in RAGGED.items():
        parts = ragged_rows(per_doc[name], per_doc[f"{name}_off"], rows)
        lengths = np.array([len(p) for p in parts], dtype=np.int64)
        new[name] = (np.concatenate(parts) if parts else np.zeros(0, dtype)).astype(dtype)
        new[f"{name}_off"] = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    per_doc.clear()
    for name, arr in new.items():  # replaced, not truncated: the old maps stay valid
        np.save(folder / f".{name}.npy", arr)
        os.replace(folder / f".{name}.npy", folder / f"{name}.npy")
    with sqlite3.connect(folder / "docs.sqlite") as db:
        db.execute("CREATE TEMP TABLE keep (old INTEGER PRIMARY KEY, new INTEGER)")
        db.executemany("INSERT INTO keep VALUES (?, ?)", [(int(r), i) for i, r in enumerate(rows)])
        db.execute("DELETE FROM docs WHERE row NOT IN (SELECT old FROM keep)")
        db.execute("UPDATE docs SET row = -1 - (SELECT new FROM keep WHERE old = docs.row)")
        db.execute("UPDATE docs SET row = -1 - row")
    return {name: load_npy(folder / f"{name}.npy") for name in new}
