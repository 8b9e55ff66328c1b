"""The Dask engine against the local one: wall time of a whole audit, 1 vs 2 workers.

    python bench/bench_dask.py [--rows 1000000] [--layout monthly|one-csv] [--format parquet|csv]
                               [--workers 1 2] [--model hashing] [--keep DIR]
                               [--ingest-only [--site]]
                               [--pass curate|index [--static FOLDER]]

Generates N synthetic product texts (~50 words, the generator of ``bench_stream.py``) dated
over 24 months, as 24 monthly files (``--layout monthly``, ``month=YYYY-MM.parquet`` or
``.csv``) or as one CSV file (``--layout one-csv``, split by the engine into byte ranges), in a
temporary folder (``--keep DIR`` keeps it). Then runs, each in a fresh subprocess,

    python -m auditor audit DIR --model MODEL --json out.json                       (local)
    python -m auditor audit DIR --model MODEL --json out.json --engine dask --workers N

and prints per run: the wall time of the whole audit, the part of it spent reading the corpus
(the ``Reading`` / ``Dask:`` progress lines give the partitions and summary sizes), the speed-up
over one worker, and whether the JSON result equals the local engine's (run-specific config
fields aside). A LocalCluster starts its worker processes first (a few seconds, counted).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_stream import chunks  # noqa: E402  (the same synthetic rows)

RUN_SPECIFIC = ("engine", "workers", "scheduler")


def write_monthly(folder: Path, n_rows: int, fmt: str) -> None:
    """24 files, one a month (rows of a month across chunks appended to its file)."""
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        writers: dict[str, pq.ParquetWriter] = {}
        try:
            for ids, _, dates, titles, texts in chunks(n_rows):
                table = pa.table({"id": ids, "date": dates, "title": titles, "text": texts})
                labels = np.array([d[:7] for d in dates])
                for label in sorted(set(labels)):
                    sel = table.take(pa.array(np.flatnonzero(labels == label)))
                    if label not in writers:
                        writers[label] = pq.ParquetWriter(folder / f"month={label}.parquet",
                                                          sel.schema)
                    writers[label].write_table(sel)
        finally:
            for w in writers.values():
                w.close()
        return
    import csv

    handles: dict[str, tuple] = {}
    try:
        for ids, _, dates, titles, texts in chunks(n_rows):
            for row in zip(ids, dates, titles, texts):
                label = row[1][:7]
                if label not in handles:
                    f = open(folder / f"month={label}.csv", "w", newline="",  # noqa: SIM115
                             encoding="utf-8")  # one open file per month, closed below
                    w = csv.writer(f)
                    w.writerow(["id", "date", "title", "text"])
                    handles[label] = (f, w)
                handles[label][1].writerow(row)
    finally:
        for f, _ in handles.values():
            f.close()


def write_one_csv(folder: Path, n_rows: int) -> None:
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "products.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "date", "title", "text"])
        for ids, _, dates, titles, texts in chunks(n_rows):
            w.writerows(zip(ids, dates, titles, texts))


def run(data: Path, model: str, out: Path, extra: list[str]) -> dict:
    cmd = [sys.executable, "-m", "auditor", "audit", str(data), "--model", model,
           "--json", str(out), *extra]
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - t
    lines = [ln for ln in p.stderr.splitlines() if ln.startswith("Dask:")]
    res = {"command": " ".join(["samey", *cmd[3:]]), "rc": p.returncode,
           "wall_s": round(wall, 1), "dask": lines[-1] if lines else None}
    if p.returncode:
        res["stderr"] = p.stderr[-1500:]
    return res


def comparable(path: Path) -> str:
    doc = json.loads(path.read_text())
    for k in RUN_SPECIFIC:
        doc.get("config", {}).pop(k, None)
    return json.dumps(doc, sort_keys=True)


def ingest_only(data: Path, workers: list[int], site: bool = False) -> list[dict]:
    """The reading part alone, in this process: local ``summarise`` and ``summarise_dask`` on a
    LocalCluster of N workers (started before the clock). ``site``: with the site-wide
    near-duplicate families (local: the ``SiteIndex`` sink and its families; Dask: the
    band-bucket shuffle), compared as sets of (file, record)."""
    sys.path.insert(0, str(ROOT))
    from distributed import Client, LocalCluster

    import auditor
    from auditor.app.engine_dask import summarise_dask
    from auditor.app.site_duplicates import SiteIndex
    from auditor.ingest.stream import summarise

    def named(ix):
        return sorted(sorted((ix.paths[ix.file_ix[i]], ix.record[i]) for i in f)
                      for f in ix.families()) if ix is not None else None

    opts = auditor.options(progress=False)
    t = time.perf_counter()
    with SiteIndex() if site else contextlib.nullcontext() as ix:
        ref = summarise(data, opts.ingest, seed=0, k=opts.sampling.max_pool,
                        sinks=[ix] if site else ())
        fams = named(ix)
    out = [{"engine": "local", "site_duplicates": site,
            "read_s": round(time.perf_counter() - t, 1),
            **({"families": len(fams)} if site else {})}]
    for n in workers:
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                          dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
                Client(cluster) as client:
            t = time.perf_counter()
            with SiteIndex() if site else contextlib.nullcontext() as ix:
                s = summarise_dask(data, auditor.options(engine="dask", workers=n,
                                                         progress=False),
                                   client=client, site=ix)
                same_fams = named(ix) == fams
            wall = time.perf_counter() - t
        same = s.month_counts() == ref.month_counts() and all(
            s.pool([m]) == ref.pool([m]) for m in ref.months)
        out.append({"engine": f"dask, {_workers(n)}", "read_s": round(wall, 1),
                    "same_pools": same, **({"same_families": same_fams} if site else {})})
    return out


def document_pass(data: Path, workers: list[int], kind: str, static: Path | None = None
                  ) -> list[dict]:
    """The per-document pass of ``samey curate`` (``kind`` "curate": reading, embedding,
    MinHash, structure keys into a ``CurateIndex``) or of the check's index build ("index":
    reading and ``index.rows.featurise`` into an ``IndexSink``), local and on a LocalCluster of
    N workers (started before the clock), in this process; the embedder is the hashing one, or
    the distilled first-stage table in folder ``static``. Each Dask result is compared with the
    local one: every stored array equal."""
    sys.path.insert(0, str(ROOT))
    from distributed import Client, LocalCluster

    import auditor
    from auditor.features.embeddings import HashingEmbedder

    embedder = HashingEmbedder()
    if static is not None:
        from auditor.features.static import StaticEmbedder

        embedder = StaticEmbedder(static)
    out, ref = [], None
    for n in [0, *workers]:
        opts = auditor.options(progress=False, **({"engine": "dask", "workers": n} if n else {}))
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR) if n else None
        with cluster or contextlib.nullcontext(), \
                Client(cluster) if cluster else contextlib.nullcontext() as client, \
                tempfile.TemporaryDirectory(prefix="samey-bench-pass-") as tmp:
            t = time.perf_counter()
            got = (_curate_pass if kind == "curate" else _index_pass)(data, opts, embedder,
                                                                    client, Path(tmp))
            wall = time.perf_counter() - t
        row = {"pass": kind, "embedder": embedder.model_id,
               "engine": f"dask, {_workers(n)}" if n else "local", "wall_s": round(wall, 1),
               "documents": got["n"]}
        if ref is None:
            ref = got
        else:
            row["same_as_local"] = got == ref
        out.append(row)
    return out


def _digest(*arrays) -> str:
    import hashlib

    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def _curate_pass(data, opts, embedder, client, tmp: Path) -> dict:
    from auditor.app.curate_dask import read_corpus_dask
    from auditor.app.curate_index import CurateIndex, read_corpus

    def never(doc_id, path):
        return False

    with CurateIndex(embedder, protected=never, directory=str(tmp)) as ix:
        if client is None:
            read_corpus(data, opts.ingest, ix)
        else:
            read_corpus_dask(data, opts, ix, embedder, never, client=client)
        ids = np.arange(ix.n)
        fams = ix.site.families()
        return {"n": ix.n, "arrays": _digest(*ix.arrays().values()),
                "embeddings": _digest(ix.store.read(ids)),
                "names": _digest(np.array([ix.name(i) for i in ids])),
                "families": len(fams), "family_digest": _digest(*map(np.asarray, fams))}


def _index_pass(data, opts, embedder, client, tmp: Path) -> dict:
    from auditor.app.index_dask import read_index_dask
    from auditor.features.lexicon import phrase_stop_words
    from auditor.index.files import Writer
    from auditor.index.store import IndexSink
    from auditor.ingest.stream import summarise

    writer = Writer(tmp)
    sink = IndexSink(writer, embedder, opts, None, phrase_stop_words())
    if client is None:
        summarise(data, opts.ingest, k=1, sinks=[sink], undated_to_sinks=True)
    else:
        read_index_dask(data, opts, sink, client=client)
    sink.flush()
    writer.close(sink.dim or 1)
    names = sorted(p.name for p in tmp.glob("*.npy"))
    return {"n": writer.rows, "vocab": len(sink.vocab),
            "arrays": {name: _digest(np.load(tmp / name)) for name in names}}


def _workers(n: int) -> str:
    return f"{n} worker" + ("" if n == 1 else "s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--layout", choices=["monthly", "one-csv"], default="monthly")
    ap.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--model", default="hashing")
    ap.add_argument("--ingest-only", action="store_true",
                    help="time only the reading (summaries), in this process")
    ap.add_argument("--site", action="store_true",
                    help="with --ingest-only: also find the site-wide near-duplicate families")
    ap.add_argument("--keep", type=Path, default=None)
    ap.add_argument("--pass", dest="doc_pass", choices=["curate", "index"], default=None,
                    help="time only the per-document pass of samey curate or of the check's "
                         "index build, local and with --workers N")
    ap.add_argument("--static", type=Path, default=None,
                    help="with --pass: embed with this distilled first-stage folder (default: "
                         "the hashing embedder)")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="samey-bench-dask-") if args.keep is None else None
    base = Path(tmp.name) if tmp else args.keep
    try:
        data = base / (f"{args.layout}-{args.format}" if args.layout == "monthly" else "one-csv")
        t = time.perf_counter()
        if not data.exists():
            if args.layout == "monthly":
                write_monthly(data, args.rows, args.format)
            else:
                write_one_csv(data, args.rows)
        size = sum(p.stat().st_size for p in data.rglob("*") if p.is_file())
        files = sum(1 for p in data.rglob("*") if p.is_file())
        print(json.dumps({"rows": args.rows, "layout": args.layout, "files": files,
                          "data_mb": round(size / 2**20), "cores": os.cpu_count(),
                          "generate_s": round(time.perf_counter() - t, 1)}), flush=True)
        if args.doc_pass:
            for r in document_pass(data, args.workers, args.doc_pass, args.static):
                print(json.dumps(r), flush=True)
            return
        if args.ingest_only:
            for r in ingest_only(data, args.workers, site=args.site):
                print(json.dumps(r), flush=True)
            return
        cache = ["--cache-dir", str(base / "cache")]  # every run warm: only reading differs
        warm = run(data, args.model, base / "warmup.json", cache)
        print(json.dumps({"engine": "local, warm-up (cold cache, not compared)", **warm}),
              flush=True)
        local = run(data, args.model, base / "local.json", cache)
        print(json.dumps({"engine": "local", **local}), flush=True)
        one = None
        for n in args.workers:
            out = base / f"dask-{n}.json"
            res = run(data, args.model, out, [*cache, "--engine", "dask", "--workers", str(n)])
            one = one or res["wall_s"]
            same = out.exists() and comparable(out) == comparable(base / "local.json")
            print(json.dumps({"engine": f"dask, {_workers(n)}", **res,
                              "speedup_vs_1_worker": round(one / res["wall_s"], 2),
                              "same_result_as_local": same}), flush=True)
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    main()
