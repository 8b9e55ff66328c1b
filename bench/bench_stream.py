"""Streaming ingestion at scale: wall time and peak memory of a whole audit of N rows.

    python bench/bench_stream.py [--rows 1000000] [--formats csv parquet] [--model hashing]
                                 [--keep DIR]

Generates N synthetic product texts (~50 words each, 5 sentences drawn from a product
vocabulary, with a stock phrase that grows more common over time) dated over 24 months, as one
CSV file and as a Parquet dataset partitioned by month (hive style, ``month=2024-01/part-0``),
into a temporary folder (never the repository; ``--keep DIR`` writes there instead and keeps the
files). Then runs ``python -m auditor audit DIR --model MODEL --json out.json -q`` in a
subprocess for each format and reports the wall time, the peak resident memory of that
subprocess (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``, measured in a fresh helper
process per run so runs do not mask each other), the verdict and the pool sizes.

Targets (issue 12): 1 million rows <= 1 GB peak RSS; 10 million rows <= 1.5 GB, under 30 min.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

_ADJ = ("durable lightweight compact premium classic modern rugged soft breathable waterproof "
        "stylish versatile reliable elegant sturdy flexible portable cozy sleek natural bright "
        "quiet smart handy warm fresh")
ADJ = _ADJ.split()
_NOUN = ("jacket backpack bottle lamp chair blender kettle speaker headphone blanket mug tent "
         "boot sneaker watch wallet scarf pillow desk shelf cooker grinder toaster fan heater "
         "towel rug tray basket cable")
NOUN = _NOUN.split()
_VERB = ("keeps makes brings gives holds offers delivers protects supports fits carries "
         "combines features includes adds")
VERB = _VERB.split()
_REST = ("your daily routine with ease and comfort for every season at home or on the go while "
         "you travel work relax cook read sleep train explore the city trail kitchen office "
         "garden weekend morning evening family friends kids")
REST = _REST.split()
STOCK = "Elevate your everyday experience with seamless comfort and effortless style"


def _sentences(rng: np.random.Generator, n: int) -> list[str]:
    a = np.asarray(ADJ)[rng.integers(len(ADJ), size=n)]
    b = np.asarray(NOUN)[rng.integers(len(NOUN), size=n)]
    v = np.asarray(VERB)[rng.integers(len(VERB), size=n)]
    r = np.asarray(REST)[rng.integers(len(REST), size=(n, 7))]
    return [f"The {x} {y} {z} {' '.join(w)}." for x, y, z, w in zip(a, b, v, r)]


def chunks(n_rows: int, *, seed: int = 0, chunk: int = 100_000):
    """Yields (ids, months 0..23, dates 'YYYY-MM-DD', titles, texts) in chunks."""
    rng = np.random.default_rng(seed)
    for lo in range(0, n_rows, chunk):
        m = min(chunk, n_rows - lo)
        month = np.sort(rng.integers(24, size=m))
        day = rng.integers(1, 29, size=m)
        sents = _sentences(rng, 5 * m)
        stock = rng.random(m) < 0.05 + 0.4 * month / 23  # templated copy creeps in
        texts = []
        for i in range(m):
            s = sents[5 * i: 5 * i + 5]
            if stock[i]:
                s[0] = STOCK + "."
            texts.append(f"Item {lo + i}. " + " ".join(s))
        dates = [f"{2024 + mo // 12}-{mo % 12 + 1:02d}-{d:02d}" for mo, d in zip(month, day)]
        titles = [f"Product {lo + i}" for i in range(m)]
        yield list(range(lo, lo + m)), month, dates, titles, texts


def write_csv(path: Path, n_rows: int) -> None:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "date", "title", "text"])
        for ids, _, dates, titles, texts in chunks(n_rows):
            w.writerows(zip(ids, dates, titles, texts))


def write_parquet(folder: Path, n_rows: int) -> None:
    """A hive-partitioned dataset: month=YYYY-MM/part-K.parquet (the date also as a column)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    parts: dict[str, int] = {}
    for ids, _, dates, titles, texts in chunks(n_rows):
        table = pa.table({"id": ids, "date": dates, "title": titles, "text": texts})
        labels = np.array([d[:7] for d in dates])
        for label in sorted(set(labels)):
            sel = np.flatnonzero(labels == label)
            k = parts.get(label, 0)
            parts[label] = k + 1
            out = folder / f"month={label}"
            out.mkdir(parents=True, exist_ok=True)
            pq.write_table(table.take(pa.array(sel)), out / f"part-{k}.parquet")


_MEASURE = r"""
import json, resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=False)
wall = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
print(json.dumps({"rc": p.returncode, "wall_s": wall, "peak_rss_mb": rss / 1024,
                  "stderr": p.stderr[-2000:]}))
"""


def run_audit(data: Path, model: str, out_json: Path) -> dict:
    cmd = [sys.executable, "-m", "auditor", "audit", str(data), "--model", model,
           "--json", str(out_json), "-q"]
    helper = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], capture_output=True,
                            text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            check=False)
    res = json.loads(helper.stdout)
    res["command"] = " ".join(cmd)
    if out_json.exists():
        doc = json.loads(out_json.read_text())
        res["verdict"] = doc.get("verdict", {}).get("status")
        res["documents"] = doc.get("corpus", {}).get("documents")
        res["dated"] = doc.get("corpus", {}).get("dated")
        res["periods"] = len(doc.get("periods", []))
        site = doc.get("site_duplicates") or {}
        res["site_duplicates"] = {k: site.get(k) for k in ("documents", "in_families", "families")}
    return res


@contextlib.contextmanager
def work_dir(keep: Path | None, prefix: str) -> Iterator[Path]:
    """The benches' data folder: ``keep`` (created if needed, left in place) or a temporary
    folder removed afterwards."""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        yield Path(tmp)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--formats", nargs="+", default=["csv", "parquet"],
                    choices=["csv", "parquet"])
    ap.add_argument("--model", default="hashing")
    ap.add_argument("--keep", type=Path, default=None,
                    help="write the data here and keep it (default: a temporary folder)")
    args = ap.parse_args()
    with work_dir(args.keep, "samey-bench-stream-") as base:
        for fmt in args.formats:
            t = time.perf_counter()
            if fmt == "csv":
                data = base / "csv"
                data.mkdir(exist_ok=True)
                if not (data / "products.csv").exists():
                    write_csv(data / "products.csv", args.rows)
            else:
                data = base / "parquet"
                if not data.exists():
                    write_parquet(data, args.rows)
            size = sum(p.stat().st_size for p in data.rglob("*") if p.is_file())
            gen = time.perf_counter() - t
            res = run_audit(data, args.model, base / f"audit-{fmt}.json")
            print(json.dumps({"format": fmt, "rows": args.rows, "data_mb": round(size / 2**20),
                              "generate_s": round(gen, 1), **{k: (round(v, 1) if isinstance(
                                  v, float) else v) for k, v in res.items()
                                  if k != "stderr" or res["rc"]}}, indent=1), flush=True)


if __name__ == "__main__":
    main()
