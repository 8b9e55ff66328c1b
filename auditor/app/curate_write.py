"""What ``samey curate`` writes: the manifest (``--manifest``) and the kept documents in their
input format (``--out``).

Manifest: JSON Lines, one row for every input in reading order (files sorted by path, records
in file order): ``{"doc", "keep", "reason", "family", "score", "cluster", "of", "source"}``;
a skipped input has ``keep`` false and ``reason`` ``skipped: <reason>`` with its ``detail``.
Written to a temporary file beside the target and renamed, so a reader never sees half of it.

Kept documents (``--out DIR``), under the same relative paths: whole files (Markdown, MDX,
text, HTML) copied byte for byte; rows of CSV/TSV, JSON Lines, JSON and Parquet files written to
a file of the same format with the same columns (CSV/TSV re-quoted by Python's ``csv`` module,
JSON Lines lines copied as they are, JSON as an array of the kept records, Parquet with the
file's schema); items of WordPress exports and RSS/Atom feeds, which cannot be cut out of
their file, as a JSON Lines file ``<file>.jsonl`` (``doc``, ``title``, ``date``, ``text``).
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from auditor.app.curate_index import CurateIndex
from auditor.app.curate_report import read_texts
from auditor.config import IngestOptions
from auditor.errors import UsageError
from auditor.ingest.readers import FORMATS, STREAM_BYTES
from auditor.ingest.tabular import LIST_KEYS
from auditor.ingest.walk import decode
from auditor.judge.curate import REASONS


def check_out(out: Path, root: Path) -> None:
    """Refuse an ``--out`` folder that holds files or lies inside the corpus, before any work."""
    where = out.resolve()
    base = root.resolve() if root.is_dir() else root.resolve().parent
    if where == base or base in where.parents:
        raise UsageError(f"--out {out}: the folder is inside the corpus, so a later run would "
                         "read the kept copies as input; choose a folder outside it.")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"--out {out}: exists and is not an empty folder; choose a new folder "
                         "or empty this one.")


def _atomic_lines(path: Path, lines: Iterator[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for line in lines:
                fh.write(line)
        mask = os.umask(0o022)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _score(x: float) -> float | None:
    return None if not np.isfinite(x) else round(float(x), 4)


def manifest_rows(index: CurateIndex, *, keep: np.ndarray, reason: np.ndarray,
                  family: np.ndarray, score: np.ndarray, cluster: np.ndarray,
                  of: np.ndarray, sources: bool) -> Iterator[dict[str, Any]]:
    """Every input's row, in reading order (documents and skipped inputs interleaved)."""
    labels = index.labels
    src = index.arrays()["source"]
    skipped = index.skipped_rows()
    pending = next(skipped, None)
    for i in range(index.n + 1):
        while pending is not None and pending["at"] <= i:
            row = {"doc": pending["doc"], "keep": False, "reason": f"skipped: {pending['reason']}",
                   "family": None, "score": None, "cluster": None, "of": None,
                   "detail": pending["detail"]}
            yield row if not sources else {**row, "source": None}
            pending = next(skipped, None)
        if i == index.n:
            break
        row = {"doc": index.name(i), "keep": bool(keep[i]), "reason": REASONS[int(reason[i])],
               "family": None if family[i] < 0 else int(family[i]), "score": _score(score[i]),
               "cluster": int(cluster[i]), "of": None if of[i] < 0 else index.name(int(of[i]))}
        if sources:
            row["source"] = labels[src[i]] if src[i] >= 0 else None
        yield row


def write_manifest(path: Path, rows: Iterator[dict[str, Any]]) -> None:
    _atomic_lines(path, (json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


# ---------------------------------------------------------------- kept documents

def write_kept(out: Path, root: Path, options: IngestOptions, index: CurateIndex,
               keep: np.ndarray) -> int:
    """Write the kept documents under ``out`` (module docstring); returns the files written."""
    site = index.site
    by_file: dict[int, set[int]] = {}
    for i in np.flatnonzero(keep).tolist():
        by_file.setdefault(site.file_ix[i], set()).add(site.record[i])
    written = 0
    for f, records in sorted(by_file.items()):
        rel = site.paths[f]
        full = root / rel if root.is_dir() else root
        fmt = FORMATS.get(full.suffix.lower(), "")
        target = out / (rel if root.is_dir() else full.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        if records == {0}:
            shutil.copyfile(full, target)
        elif fmt in ("csv", "tsv"):
            _write_rows_csv(full, target, records, "\t" if fmt == "tsv" else ",")
        elif fmt == "jsonl":
            _atomic_lines(target, (line if line.endswith("\n") else line + "\n"
                                   for n, line in enumerate(_lines(full), 1) if n in records))
        elif fmt == "json":
            _write_json(full, target, records)
        elif fmt == "parquet":
            _write_parquet(full, target, records)
        else:  # feed and export items
            ids = [i for i in np.flatnonzero(keep).tolist() if site.file_ix[i] == f]
            docs = read_texts(root, options, index, ids)
            target = target.with_name(target.name + ".jsonl")
            _atomic_lines(target, (json.dumps(
                {"doc": d.doc_id, "title": d.title, "date": d.date.isoformat() if d.date
                 else None, "text": d.text}, ensure_ascii=False) + "\n"
                for d in (docs[i] for i in ids if i in docs)))
        written += 1
    return written


def _text_handle(path: Path, newline: str | None) -> io.TextIOBase:
    """The file as text the way ingest reads it: decoded whole when small (with its encoding
    fallbacks), streamed as utf-8 when large."""
    if path.stat().st_size <= STREAM_BYTES:
        return io.StringIO(decode(path.read_bytes()) or "", newline=newline)
    return open(path, encoding="utf-8-sig", newline=newline)  # noqa: SIM115 (closed by caller)


def _lines(path: Path) -> Iterator[str]:
    with _text_handle(path, None) as fh:
        yield from fh


def _write_rows_csv(path: Path, target: Path, records: set[int], delimiter: str) -> None:
    old = csv.field_size_limit(2**31 - 1)
    try:
        with _text_handle(path, "") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            buf = io.StringIO()
            writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")

            def line(row: list[str]) -> str:
                buf.seek(0)
                buf.truncate()
                writer.writerow(row)
                return buf.getvalue()

            header = next(reader, [])
            _atomic_lines(target, chain([line(header)], (
                line(row) for n, row in enumerate(reader, 1) if n in records)))
    finally:
        csv.field_size_limit(old)


def _write_json(path: Path, target: Path, records: set[int]) -> None:
    data = json.loads(decode(path.read_bytes()) or "null")
    if isinstance(data, dict):
        lower = {k.lower(): k for k in data}
        key = next((lower[k] for k in LIST_KEYS
                    if isinstance(data.get(lower.get(k, "")), list)), None)
        data = data[key] if key is not None else [data]
    kept = [r for n, r in enumerate(data if isinstance(data, list) else [data], 1)
            if n in records]
    _atomic_lines(target, iter([json.dumps(kept, ensure_ascii=False, indent=1) + "\n"]))


def _write_parquet(path: Path, target: Path, records: Sequence[int] | set[int]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    wanted = np.array(sorted(records), dtype=np.int64) - 1
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        with pq.ParquetWriter(tmp, pf.schema_arrow) as writer:
            start = 0
            for batch in pf.iter_batches(batch_size=8192):
                local = wanted[(wanted >= start) & (wanted < start + batch.num_rows)] - start
                if len(local):
                    writer.write_table(pa.Table.from_batches([batch]).take(local))
                start += batch.num_rows
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
